"""Tests for helpers.consensus: merging several workers' boxes per image."""

from __future__ import annotations

import doctest
import logging

import pytest

from helpers import consensus
from helpers.consensus import MedianBoxConsensus, agreement_with_others
from helpers.geometry import Box


def test_doctest_examples_hold():
    result = doctest.testmod(consensus)
    assert result.attempted > 0
    assert result.failed == 0


def test_consensus_empty_rows():
    model = MedianBoxConsensus()
    assert model.fit_predict([]) == {}
    assert model.supporters_ == {}


def test_consensus_single_worker_below_min_workers():
    rows = [("img1", "A", Box(0, 0, 10, 10, "cup"))]
    assert MedianBoxConsensus(min_workers=2).fit_predict(rows) == {"img1": []}
    assert MedianBoxConsensus(min_workers=1).fit_predict(rows) == {"img1": [Box(0, 0, 10, 10, "cup")]}


def test_consensus_hand_made_example():
    # Three workers on two objects in img1; worker C also drew a stray box,
    # and worker D found only the spoon. img2 has one careless worker.
    rows = [
        ("img1", "A", Box(10, 10, 50, 50, "cup")),
        ("img1", "A", Box(100, 20, 140, 80, "spoon")),
        ("img1", "B", Box(12, 8, 52, 48, "Cup")),
        ("img1", "B", Box(102, 22, 142, 78, "spoon")),
        ("img1", "C", Box(11, 12, 49, 51, "cup")),
        ("img1", "C", Box(300, 300, 320, 320, "cup")),
        ("img1", "D", Box(98, 18, 139, 84, "spoon")),
        ("img2", "A", Box(0, 0, 5, 5, "cup")),
    ]
    model = MedianBoxConsensus(iou_threshold=0.5, min_workers=2)
    result = model.fit_predict(rows)

    assert list(result) == ["img1", "img2"]
    assert result["img1"] == [
        Box(11, 10, 50, 50, "cup"),
        Box(100, 20, 140, 80, "spoon"),
    ]
    assert result["img2"] == []
    assert model.supporters_["img1"] == [("A", "B", "C"), ("A", "B", "D")]
    assert model.consensus_ is result


def test_consensus_median_ignores_one_wild_box():
    rows = [
        ("img", "A", Box(10, 10, 50, 50)),
        ("img", "B", Box(10, 10, 50, 50)),
        ("img", "C", Box(10, 10, 70, 60)),  # IoU 0.53 with the median: joins, but does not move it
    ]
    assert MedianBoxConsensus().fit_predict(rows) == {"img": [Box(10, 10, 50, 50)]}


def test_consensus_even_count_takes_mean_of_middle_values():
    rows = [("img", "A", Box(0, 0, 10, 10)), ("img", "B", Box(2, 0, 12, 10))]
    assert MedianBoxConsensus().fit_predict(rows) == {"img": [Box(1, 0, 11, 10)]}


def test_consensus_one_worker_cannot_support_a_cluster_alone():
    # Worker A drew the same object twice; that is still one worker.
    rows = [("img", "A", Box(0, 0, 10, 10)), ("img", "A", Box(0, 0, 10, 10))]
    model = MedianBoxConsensus(min_workers=2)
    assert model.fit_predict(rows) == {"img": []}


def test_consensus_keeps_labels_apart():
    rows = [
        ("img", "A", Box(0, 0, 10, 10, "cup")),
        ("img", "B", Box(0, 0, 10, 10, "spoon")),
    ]
    assert MedianBoxConsensus(min_workers=2).fit_predict(rows) == {"img": []}


def test_consensus_skips_zero_area_boxes(caplog):
    rows = [
        ("img", "A", Box(5, 5, 5, 5)),
        ("img", "B", Box(5, 5, 5, 5)),
        ("img", "C", Box(10, 10, 0, 0)),  # inverted
    ]
    with caplog.at_level(logging.INFO, logger="helpers.consensus"):
        result = MedianBoxConsensus(min_workers=1).fit_predict(rows)
    assert result == {"img": []}
    assert "skipped 3 boxes with zero area" in caplog.text


def test_consensus_threshold_controls_joining():
    rows = [("img", "A", Box(0, 0, 10, 10)), ("img", "B", Box(1, 1, 11, 11))]  # IoU 0.68
    assert MedianBoxConsensus(iou_threshold=0.5).fit_predict(rows)["img"] == [Box(0.5, 0.5, 10.5, 10.5)]
    assert MedianBoxConsensus(iou_threshold=0.75).fit_predict(rows)["img"] == []


def test_consensus_fit_returns_self():
    model = MedianBoxConsensus()
    assert model.fit([("img", "A", Box(0, 0, 1, 1))]) is model


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"iou_threshold": 1.5}, "iou_threshold must be between 0 and 1; got 1.5"),
    ({"min_workers": 0}, "min_workers must be a whole number of at least 1; got 0"),
    ({"min_workers": 2.0}, "min_workers must be a whole number of at least 1; got 2.0"),
])
def test_consensus_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MedianBoxConsensus(**kwargs)


@pytest.mark.parametrize(("row", "message"), [
    (("img", "A"), r"row 0 must be a tuple \(image_id, worker_id, Box\)"),
    (("img", "A", [0, 0, 1, 1]), "row 0 must have a Box as its third item; got list"),
])
def test_consensus_rejects_bad_rows(row, message):
    with pytest.raises(ValueError, match=message):
        MedianBoxConsensus().fit([row])


def test_agreement_flags_odd_worker():
    rows = [("img", "A", Box(11, 10, 50, 51, "cup")),
            ("img", "B", Box(10, 12, 49, 50, "cup")),
            ("img", "C", Box(9, 9, 52, 50, "cup")),
            ("img", "SPAM", Box(200, 200, 300, 300, "cup"))]
    scores = agreement_with_others(rows)
    assert scores[("img", "SPAM")].matched == 0
    assert scores[("img", "SPAM")].missed == 1
    for worker in "ABC":
        assert scores[("img", worker)].matched == 1
        assert scores[("img", worker)].mean_iou > 0.85


def test_agreement_excludes_own_boxes():
    rows = [("img", "A", Box(0, 0, 10, 10, "cup")), ("img", "A", Box(0, 0, 10, 10, "cup"))]
    score = agreement_with_others(rows)[("img", "A")]
    assert score.matched == 0
    assert score.matched + score.missed == 0


def test_agreement_needs_two_other_workers():
    # With the worker's own box counted, A and B would form a two-worker cluster.
    rows = [("img", "A", Box(0, 0, 10, 10, "cup")), ("img", "B", Box(0, 0, 10, 11, "cup"))]
    scores = agreement_with_others(rows, min_workers=2)
    for worker in "AB":
        assert scores[("img", worker)].matched == 0
        assert scores[("img", worker)].missed == 0
