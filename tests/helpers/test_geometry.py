"""Tests for helpers.geometry: conversions, IoU and matching."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from helpers import geometry
from helpers.geometry import (
    Box,
    Match,
    box_iou_xyxy,
    boxes_to_xyxy,
    clip_xyxy,
    match_boxes,
    match_iou_matrix,
    normalize_label,
    normalize_xyxy,
    pairwise_iou_xyxy,
    xywh_to_xyxy,
    xyxy_to_xywh,
)


def random_boxes_xyxy(rng: np.random.Generator, count: int) -> np.ndarray:
    """Boxes inside a 100x100 image, sizes 0..40, some of them zero-area."""
    corners = rng.uniform(0, 100, size=(count, 2))
    sizes = rng.uniform(0, 40, size=(count, 2))
    sizes[rng.random(count) < 0.1] = 0.0
    return np.hstack([corners, corners + sizes])


def test_doctest_examples_hold():
    result = doctest.testmod(geometry)
    assert result.attempted > 0
    assert result.failed == 0


# --- conversions -------------------------------------------------------------

@pytest.mark.parametrize(("boxes_xywh", "expected_xyxy"), [
    ([], np.zeros((0, 4))),                                       # empty list
    (np.zeros((0, 4)), np.zeros((0, 4))),                         # empty (0, 4) array
    ([5, 5, 0, 0], [5, 5, 5, 5]),                                 # zero-size box
    ([206, 394, 173, 405], [206, 394, 379, 799]),                 # single (4,) box
    ([[0, 0, 10, 10], [26, 26, 10, 10]], [[0, 0, 10, 10], [26, 26, 36, 36]]),  # (N, 4)
    ([200, 50, -80, 60], [200, 50, 120, 110]),                    # negative width kept
])
def test_xywh_to_xyxy_table(boxes_xywh, expected_xyxy):
    result = xywh_to_xyxy(boxes_xywh)
    assert result.dtype == np.float64
    assert result.shape == np.asarray(expected_xyxy).shape
    np.testing.assert_array_equal(result, expected_xyxy)


def test_xywh_round_trip_keeps_values():
    boxes_xywh = np.array([[206.5, 394, 173, 405], [0, 0, 1, 1]])
    np.testing.assert_allclose(xyxy_to_xywh(xywh_to_xyxy(boxes_xywh)), boxes_xywh)


def test_conversion_does_not_modify_input():
    boxes = np.array([[1.0, 2.0, 3.0, 4.0]])
    xywh_to_xyxy(boxes)
    xyxy_to_xywh(boxes)
    np.testing.assert_array_equal(boxes, [[1.0, 2.0, 3.0, 4.0]])


@pytest.mark.parametrize(("bad", "message"), [
    ([1, 2, 3], r"shape \(4,\) or \(N, 4\); got shape \(3,\)"),
    (np.zeros((2, 2, 4)), r"got shape \(2, 2, 4\)"),
    ([1, 2, float("nan"), 4], "NaN or infinite"),
    ("abcd", "must be numbers"),
])
def test_conversion_rejects_bad_shapes(bad, message):
    with pytest.raises(ValueError, match=message):
        xywh_to_xyxy(bad)


def test_normalize_xyxy_sorts_corners():
    boxes = normalize_xyxy(xywh_to_xyxy([200, 50, -80, 60]))
    np.testing.assert_array_equal(boxes, [120, 50, 200, 110])


def test_boxes_to_xyxy_stacks_boxes():
    assert boxes_to_xyxy([]).shape == (0, 4)
    np.testing.assert_array_equal(boxes_to_xyxy([Box(1, 2, 3, 4, "a")]), [[1, 2, 3, 4]])


def test_normalize_label_cases():
    assert normalize_label(None) is None
    assert normalize_label("   ") is None
    assert normalize_label(" Stop Sign ") == "stop sign"


# --- clipping to an 800x533 image ----------------------------------------------

@pytest.mark.parametrize(("box_xywh", "expected_xyxy"), [
    ([900, 600, 50, 50], [800, 533, 800, 533]),   # wholly outside: empty after clipping
    ([780, 500, 100, 100], [780, 500, 800, 533]),  # past the right and bottom edges
    ([-10, -5, 20, 20], [0, 0, 10, 15]),           # past the left and top edges
    ([10, 10, 20, 20], [10, 10, 30, 30]),          # inside: unchanged
])
def test_clip_xyxy_table(box_xywh, expected_xyxy):
    np.testing.assert_array_equal(clip_xyxy(xywh_to_xyxy(box_xywh), (800, 533)), expected_xyxy)


def test_clip_box_outside_image_is_empty():
    clipped = clip_xyxy(Box.from_xywh(900, 600, 50, 50, "cup"), (800, 533))
    assert clipped.area == 0.0
    assert clipped.label == "cup"
    assert box_iou_xyxy(clipped, Box(0, 0, 800, 533)) == 0.0


def test_clip_rejects_nonpositive_image_size():
    with pytest.raises(ValueError, match=r"image_wh must be \(width, height\) with both positive"):
        clip_xyxy([0, 0, 1, 1], (0, 533))


# --- IoU of one pair ----------------------------------------------------------

@pytest.mark.parametrize(("a", "b", "expected"), [
    ([0, 0, 0, 0], [0, 0, 0, 0], 0.0),               # two empty boxes: 0, not NaN
    ([5, 5, 5, 5], [0, 0, 10, 10], 0.0),             # zero-area box inside another
    ([10, 10, 0, 0], [0, 0, 10, 10], 0.0),           # inverted box counts as empty
    ([0, 0, 2, 2], [1, 1, 3, 3], 1 / 7),             # overlapping 2x2 squares: 1/7
    ([0, 0, 10, 10], [0, 5, 10, 10], 0.5),           # half of one box: 0.5
    ([0, 0, 10, 10], [0, 10, 20, 20], 0.0),          # touching edges: 0
    ([0, 0, 10, 10], [1, 1, 11, 11], 81 / 119),      # shifted by one pixel: 81/119
    (xywh_to_xyxy([0, 0, 10, 10]), xywh_to_xyxy([26, 26, 10, 10]), 0.0),  # disjoint xywh boxes: 0
    ([0, 0, 10, 10], [0, 0, 10, 10], 1.0),           # identical
])
def test_box_iou_xyxy_table(a, b, expected):
    assert box_iou_xyxy(a, b) == pytest.approx(expected, abs=1e-12)
    assert box_iou_xyxy(b, a) == pytest.approx(expected, abs=1e-12)


def test_box_iou_values_to_six_places():
    assert round(box_iou_xyxy([0, 0, 2, 2], [1, 1, 3, 3]), 6) == 0.142857
    assert round(box_iou_xyxy([0, 0, 10, 10], [1, 1, 11, 11]), 6) == 0.680672


def test_box_iou_xywh_read_as_xyxy_is_wrong():
    # An xywh box misread as xyxy has x2 < x1, so it is empty and scores 0.
    box_xywh = [206, 394, 173, 405]
    assert box_iou_xyxy(box_xywh, box_xywh) == 0.0
    converted = xywh_to_xyxy(box_xywh)
    np.testing.assert_array_equal(converted, [206, 394, 379, 799])
    assert box_iou_xyxy(converted, converted) == 1.0


def test_box_iou_converted_xywh_pair():
    iou = box_iou_xyxy(xywh_to_xyxy([206, 394, 173, 405]), xywh_to_xyxy([210, 400, 170, 400]))
    assert round(iou, 6) == 0.954654


def test_box_iou_accepts_box_objects():
    assert box_iou_xyxy(Box(0, 0, 10, 10), Box(0, 5, 10, 10)) == 0.5


def test_box_iou_clamps_negative_overlaps():
    # Without clamping, two negative overlaps multiply to a positive "intersection"
    # and the ratio leaves [0, 1].
    a, b = xywh_to_xyxy([0, 0, 10, 10]), xywh_to_xyxy([26, 26, 10, 10])
    overlap_w = min(a[2], b[2]) - max(a[0], b[0])
    overlap_h = min(a[3], b[3]) - max(a[1], b[1])
    unclamped = overlap_w * overlap_h / (100 + 100 - overlap_w * overlap_h)
    assert not 0.0 <= unclamped <= 1.0
    assert box_iou_xyxy(a, b) == 0.0


def test_box_iou_within_unit_interval_on_random_boxes():
    rng = np.random.default_rng(2017)
    raw = rng.uniform(-50, 150, size=(500, 2, 4))  # corners in any order: inverted boxes too
    for a, b in raw:
        assert 0.0 <= box_iou_xyxy(a, b) <= 1.0
        na, nb = normalize_xyxy(a), normalize_xyxy(b)
        assert 0.0 <= box_iou_xyxy(na, nb) <= 1.0


# --- pairwise IoU ------------------------------------------------------------

@pytest.mark.parametrize(("count_a", "count_b"), [(0, 0), (0, 3), (3, 0)])
def test_pairwise_iou_empty_shapes(count_a, count_b):
    result = pairwise_iou_xyxy(np.zeros((count_a, 4)), np.zeros((count_b, 4)))
    assert result.shape == (count_a, count_b)
    assert result.dtype == np.float64


def test_pairwise_iou_empty_lists():
    assert pairwise_iou_xyxy([], [[0, 0, 1, 1]]).shape == (0, 1)
    assert pairwise_iou_xyxy([Box(0, 0, 1, 1)], []).shape == (1, 0)


def test_pairwise_iou_single_box_is_one_row():
    result = pairwise_iou_xyxy([0, 0, 10, 10], [[0, 5, 10, 10], [0, 10, 20, 20]])
    np.testing.assert_array_equal(result, [[0.5, 0.0]])


def test_pairwise_iou_matches_naive_loop():
    rng = np.random.default_rng(7)
    a = random_boxes_xyxy(rng, 37)
    b = random_boxes_xyxy(rng, 23)
    expected = np.array([[box_iou_xyxy(box_a, box_b) for box_b in b] for box_a in a])
    result = pairwise_iou_xyxy(a, b)
    assert result.shape == (37, 23)
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-12)
    assert np.count_nonzero(result) > 0  # the random boxes do overlap


def test_pairwise_iou_matches_naive_loop_on_inverted_boxes():
    rng = np.random.default_rng(11)
    a = rng.uniform(-50, 150, size=(20, 4))
    b = rng.uniform(-50, 150, size=(30, 4))
    expected = np.array([[box_iou_xyxy(box_a, box_b) for box_b in b] for box_a in a])
    result = pairwise_iou_xyxy(a, b)
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-12)
    assert np.all((result >= 0.0) & (result <= 1.0))
    normalised = pairwise_iou_xyxy(normalize_xyxy(a), normalize_xyxy(b))
    assert np.all((normalised >= 0.0) & (normalised <= 1.0))
    assert np.count_nonzero(normalised) > 0


def test_pairwise_iou_self_diagonal_is_one():
    rng = np.random.default_rng(3)
    boxes = random_boxes_xyxy(rng, 15)
    boxes = boxes[(boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])]
    np.testing.assert_array_equal(np.diag(pairwise_iou_xyxy(boxes, boxes)), 1.0)


# --- matching ----------------------------------------------------------------

def test_match_boxes_empty_inputs():
    assert match_boxes([], []) == []
    assert match_boxes([[0, 0, 10, 10]], []) == []
    assert match_boxes([], [[0, 0, 10, 10]]) == []


def test_match_boxes_below_threshold_never_matches():
    # IoU 81/119 = 0.68 matches at 0.5 but not at 0.75.
    assert match_boxes([[0, 0, 10, 10]], [[1, 1, 11, 11]], iou_threshold=0.75) == []
    matches = match_boxes([[0, 0, 10, 10]], [[1, 1, 11, 11]], iou_threshold=0.5)
    assert matches == [Match(0, 0, pytest.approx(81 / 119))]


def test_match_boxes_threshold_zero_needs_overlap():
    assert match_boxes([[0, 0, 10, 10]], [[0, 10, 20, 20]], iou_threshold=0.0) == []


def test_match_boxes_is_one_to_one_and_greedy():
    truth = [[0, 0, 10, 10], [20, 0, 30, 10]]
    pred = [
        [1, 0, 11, 10],    # IoU 9/11 = 0.818 with truth 0
        [0, 0, 10, 10],    # IoU 1.0 with truth 0: taken first
        [20, 0, 30, 10],   # IoU 1.0 with truth 1
    ]
    matches = match_boxes(pred, truth)
    assert [(m.pred_index, m.truth_index) for m in matches] == [(1, 0), (2, 1)]
    assert all(m.iou == 1.0 for m in matches)


def test_match_boxes_ties_go_to_lower_index():
    matches = match_boxes([[0, 0, 10, 10], [0, 0, 10, 10]], [[0, 0, 10, 10]])
    assert matches == [Match(0, 0, 1.0)]


def test_match_boxes_accepts_box_lists():
    matches = match_boxes([Box(0, 0, 10, 10)], [Box(0, 5, 10, 10)])
    assert matches == [Match(0, 0, 0.5)]


def test_match_iou_matrix_rejects_bad_threshold():
    with pytest.raises(ValueError, match="iou_threshold must be between 0 and 1; got 1.5"):
        match_iou_matrix(np.zeros((1, 1)), 1.5)


def test_match_iou_matrix_rejects_non_matrix():
    with pytest.raises(ValueError, match=r"2-D \(N, M\) matrix; got shape \(3,\)"):
        match_iou_matrix(np.zeros(3))
