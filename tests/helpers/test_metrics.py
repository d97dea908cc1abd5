"""Tests for helpers.metrics: scoring one worker's boxes against known boxes."""

from __future__ import annotations

import doctest

import pytest

from helpers import metrics
from helpers.geometry import Box, Match
from helpers.metrics import PrecisionRecall, precision_recall_at, score_boxes

CUP = Box(0, 0, 10, 10, "cup")
SPOON = Box(20, 0, 30, 10, "spoon")


def test_doctest_examples_hold():
    result = doctest.testmod(metrics)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("worker", "truth", "mean_iou", "matched", "missed", "spurious", "precision", "recall"),
    [
        ([], [], 1.0, 0, 0, 0, 1.0, 1.0),                         # nothing to find, nothing drawn
        ([CUP], [], 0.0, 0, 0, 1, 0.0, 1.0),                      # box on an empty image
        ([], [CUP], 0.0, 0, 1, 0, 1.0, 0.0),                      # nothing drawn
        ([Box(5, 5, 5, 5, "cup")], [CUP], 0.0, 0, 1, 1, 0.0, 0.0),  # zero-area click
        ([CUP], [CUP], 1.0, 1, 0, 0, 1.0, 1.0),                   # exact
        ([Box(1, 1, 11, 11, "cup")], [CUP], 81 / 119, 1, 0, 0, 1.0, 1.0),  # close
        ([CUP], [CUP, SPOON], 0.5, 1, 1, 0, 1.0, 0.5),            # one object missed
        ([CUP, Box(50, 50, 60, 60, "cup")], [CUP], 1.0, 1, 0, 1, 0.5, 1.0),  # one spurious box
        ([Box(0, 0, 10, 10, "spoon")], [CUP], 0.0, 0, 1, 1, 0.0, 0.0),  # right place, wrong label
    ],
)
def test_score_boxes_table(worker, truth, mean_iou, matched, missed, spurious, precision, recall):
    score = score_boxes(worker, truth)
    assert score.mean_iou == pytest.approx(mean_iou)
    assert score.matched == matched
    assert score.missed == missed
    assert score.spurious == spurious
    assert score.precision == pytest.approx(precision)
    assert score.recall == pytest.approx(recall)


def test_score_boxes_disjoint_box_scores_zero():
    # A box nowhere near the object must score 0, or it could earn a bonus.
    score = score_boxes([Box.from_xywh(26, 26, 10, 10, "cup")], [Box.from_xywh(0, 0, 10, 10, "cup")])
    assert score.mean_iou == 0.0
    assert score.matched == 0


def test_score_boxes_labels_compare_case_insensitively():
    score = score_boxes([Box(0, 0, 10, 10, " Dog")], [Box(0, 0, 10, 10, "dog")])
    assert score.matched == 1


def test_score_boxes_unlabelled_box_matches_any_label():
    score = score_boxes([Box(0, 0, 10, 10)], [CUP])
    assert score.matched == 1
    score = score_boxes([CUP], [Box(0, 0, 10, 10)])
    assert score.matched == 1


def test_score_boxes_matches_pair_within_label():
    # Each worker box covers the other label's truth exactly (IoU 1) and its own
    # label's truth at IoU 80/120, so ignoring labels would pair them crosswise.
    cup_truth = Box(0, 0, 10, 10, "cup")
    spoon_truth = Box(2, 0, 12, 10, "spoon")
    worker = [Box(2, 0, 12, 10, "cup"), Box(0, 0, 10, 10, "spoon")]
    score = score_boxes(worker, [cup_truth, spoon_truth])
    assert sorted((m.pred_index, m.truth_index) for m in score.matches) == [(0, 0), (1, 1)]
    assert score.mean_iou == pytest.approx(2 / 3)


def test_score_boxes_reports_matches_by_index():
    score = score_boxes([Box(50, 50, 60, 60, "cup"), CUP], [SPOON, CUP])
    assert score.matches == [Match(1, 1, 1.0)]


def test_score_boxes_threshold_is_kept_and_applied():
    worker, truth = [Box(1, 1, 11, 11, "cup")], [CUP]
    assert score_boxes(worker, truth, iou_threshold=0.75).matched == 0
    assert score_boxes(worker, truth, iou_threshold=0.75).iou_threshold == 0.75
    assert score_boxes(worker, truth, iou_threshold=0.5).matched == 1


def test_score_boxes_rejects_bad_threshold():
    with pytest.raises(ValueError, match="iou_threshold must be between 0 and 1; got -0.1"):
        score_boxes([CUP], [CUP], iou_threshold=-0.1)


def test_precision_recall_at_default_thresholds():
    result = precision_recall_at([Box(1, 1, 11, 11, "cup"), CUP], [CUP, SPOON])
    assert list(result) == [0.5, 0.75]
    assert result[0.5] == PrecisionRecall(precision=0.5, recall=0.5)
    assert result[0.75] == PrecisionRecall(precision=0.5, recall=0.5)


def test_precision_recall_at_falls_with_stricter_threshold():
    result = precision_recall_at([Box(1, 1, 11, 11, "cup")], [CUP], thresholds=(0.5, 0.7, 0.9))
    assert result[0.5] == PrecisionRecall(1.0, 1.0)
    assert result[0.7] == PrecisionRecall(0.0, 0.0)
    assert result[0.9] == PrecisionRecall(0.0, 0.0)
