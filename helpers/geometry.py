"""One box model and the IoU arithmetic the series scores workers with.

MTurk and ``<crowd-bounding-box>`` report boxes as ``xywh``: left, top, width
and height in image pixels, with the origin at the top-left corner. Inside the
toolkit every box is ``xyxy``: ``[x1, y1, x2, y2]`` with ``x1 <= x2`` and
``y1 <= y2``, in continuous pixel coordinates, so a box's width is ``x2 - x1``
with no ``+ 1``. Function and argument names carry the format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, NamedTuple

import numpy as np

__all__ = [
    "Box",
    "Match",
    "boxes_to_xyxy",
    "box_iou_xyxy",
    "clip_xyxy",
    "match_boxes",
    "match_iou_matrix",
    "normalize_label",
    "normalize_xyxy",
    "pairwise_iou_xyxy",
    "xywh_to_xyxy",
    "xyxy_to_xywh",
]


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in ``xyxy`` image pixels, with an optional label."""

    x1: float
    y1: float
    x2: float
    y2: float
    label: str | None = None

    @classmethod
    def from_xywh(cls, left: float, top: float, width: float, height: float,
                  label: str | None = None) -> "Box":
        """Build a box from MTurk's ``left, top, width, height``.

        A negative width or height is not normalised here; ``answers`` does
        that and records the problem.
        """
        return cls(float(left), float(top), float(left) + float(width),
                   float(top) + float(height), label)

    @property
    def xyxy(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2, self.y2)

    @property
    def xywh(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2 - self.x1, self.y2 - self.y1)

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @property
    def area(self) -> float:
        """Area in square pixels; 0 for a box with no extent."""
        return max(0.0, self.width) * max(0.0, self.height)


class Match(NamedTuple):
    """One predicted box paired with one truth box, by position in the inputs."""

    pred_index: int
    truth_index: int
    iou: float


def normalize_label(label: str | None) -> str | None:
    """Return the key two labels are compared by: stripped and case-folded.

    ``None`` and blank labels give ``None``, which means "unlabelled".

    >>> normalize_label("  Stop Sign ")
    'stop sign'
    """
    if label is None:
        return None
    key = str(label).strip().casefold()
    return key or None


def _as_box_array(boxes, name: str) -> np.ndarray:
    """Convert an array-like of shape (4,) or (N, 4), or a sequence of Box, to float64.

    A 1-D input of size 0 (``[]``) becomes an empty (0, 4) array.
    """
    if isinstance(boxes, Box):
        return np.asarray(boxes.xyxy, dtype=np.float64)
    if isinstance(boxes, (list, tuple)) and boxes and all(isinstance(b, Box) for b in boxes):
        return np.asarray([b.xyxy for b in boxes], dtype=np.float64)

    try:
        array = np.asarray(boxes, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name} must be numbers of shape (4,) or (N, 4), or a list of Box; got {boxes!r}"
        ) from error
    if array.ndim == 1 and array.size == 0:
        return array.reshape(0, 4)
    if array.shape[-1:] != (4,) or array.ndim > 2:
        raise ValueError(
            f"{name} must have shape (4,) or (N, 4); got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite coordinates: {array.tolist()}")
    return array


def _as_box_matrix(boxes, name: str) -> np.ndarray:
    """Like ``_as_box_array`` but always 2-D: (4,) becomes (1, 4)."""
    return _as_box_array(boxes, name).reshape(-1, 4)


def boxes_to_xyxy(boxes: Iterable[Box]) -> np.ndarray:
    """Stack Box objects into a float64 array of shape (N, 4), ``[x1, y1, x2, y2]`` rows.

    An empty iterable gives shape (0, 4).

    >>> boxes_to_xyxy([Box(0, 0, 2, 2), Box(1, 1, 3, 3)]).tolist()
    [[0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 3.0]]
    """
    rows = [box.xyxy for box in boxes]
    return np.asarray(rows, dtype=np.float64).reshape(-1, 4)


def xywh_to_xyxy(boxes_xywh) -> np.ndarray:
    """Convert ``[left, top, width, height]`` boxes to ``[x1, y1, x2, y2]``.

    ``boxes_xywh`` is an array-like of shape (4,) or (N, 4) in pixels; the
    result is float64 with the same shape, ``x2 = left + width`` and
    ``y2 = top + height`` (no ``+ 1``). A negative width or height is kept
    as it is, giving ``x2 < x1``; ``normalize_xyxy`` sorts the corners.
    Raises ValueError for another shape or a NaN or infinite coordinate.

    >>> xywh_to_xyxy([206, 394, 173, 405]).tolist()
    [206.0, 394.0, 379.0, 799.0]
    """
    boxes = _as_box_array(boxes_xywh, "boxes_xywh").copy()
    boxes[..., 2:] += boxes[..., :2]
    return boxes


def xyxy_to_xywh(boxes_xyxy) -> np.ndarray:
    """Convert ``[x1, y1, x2, y2]`` boxes to ``[left, top, width, height]``.

    ``boxes_xyxy`` is an array-like of shape (4,) or (N, 4) in pixels; the
    result is float64 with the same shape. Raises ValueError for another
    shape or a NaN or infinite coordinate.

    >>> xyxy_to_xywh([[206, 394, 379, 799]]).tolist()
    [[206.0, 394.0, 173.0, 405.0]]
    """
    boxes = _as_box_array(boxes_xyxy, "boxes_xyxy").copy()
    boxes[..., 2:] -= boxes[..., :2]
    return boxes


def normalize_xyxy(boxes_xyxy) -> np.ndarray:
    """Sort each box's corners so that ``x1 <= x2`` and ``y1 <= y2``.

    Shape (4,) or (N, 4) in, float64 of the same shape out. A box drawn
    right-to-left, such as xywh ``[200, 50, -80, 60]``, becomes
    ``[120, 50, 200, 110]``.

    >>> normalize_xyxy([200, 50, 120, 110]).tolist()
    [120.0, 50.0, 200.0, 110.0]
    """
    boxes = _as_box_array(boxes_xyxy, "boxes_xyxy")
    x1 = np.minimum(boxes[..., 0], boxes[..., 2])
    x2 = np.maximum(boxes[..., 0], boxes[..., 2])
    y1 = np.minimum(boxes[..., 1], boxes[..., 3])
    y2 = np.maximum(boxes[..., 1], boxes[..., 3])
    return np.stack([x1, y1, x2, y2], axis=-1)


def clip_xyxy(box, image_wh: tuple[float, float]):
    """Clip boxes to an image of ``image_wh = (width, height)`` pixels.

    ``box`` is a Box (the result is a Box with the same label) or an
    array-like of shape (4,) or (N, 4) in ``xyxy`` order (the result is
    float64 of the same shape). Each coordinate is limited to
    ``0..width`` or ``0..height``. A box entirely outside the image ends
    up with zero width or height, so its area and every IoU with it are 0.
    Raises ValueError when the width or height is not positive.

    >>> clip_xyxy([780, 500, 880, 600], (800, 533)).tolist()
    [780.0, 500.0, 800.0, 533.0]
    >>> clip_xyxy([900, 600, 950, 650], (800, 533)).tolist()
    [800.0, 533.0, 800.0, 533.0]
    """
    width, height = (float(value) for value in image_wh)
    if not (width > 0 and height > 0):
        raise ValueError(
            f"image_wh must be (width, height) with both positive, in pixels; got {tuple(image_wh)!r}"
        )

    if isinstance(box, Box):
        x1, y1, x2, y2 = clip_xyxy(np.asarray(box.xyxy), (width, height)).tolist()
        return Box(x1, y1, x2, y2, box.label)

    boxes = _as_box_array(box, "box")
    upper = np.array([width, height, width, height])
    return np.clip(boxes, 0.0, upper)


def box_iou_xyxy(a, b) -> float:
    """Return the intersection over union of two ``xyxy`` boxes.

    ``a`` and ``b`` are Box objects or array-likes of shape (4,), in pixels.
    Coordinates are continuous: a box's width is ``x2 - x1`` with no
    ``+ 1``. The intersection is clamped at 0, so touching or disjoint
    boxes give 0.0. A box with ``x2 < x1`` or ``y2 < y1`` counts as empty,
    and two empty boxes (zero-area union) give 0.0, not NaN. The result is
    always in [0, 1].

    >>> round(box_iou_xyxy([0, 0, 2, 2], [1, 1, 3, 3]), 6)
    0.142857
    >>> box_iou_xyxy([0, 0, 10, 10], [0, 10, 20, 20])
    0.0
    """
    ax1, ay1, ax2, ay2 = _as_box_array(a, "a").reshape(4).tolist()
    bx1, by1, bx2, by2 = _as_box_array(b, "b").reshape(4).tolist()

    inter_w = max(0.0, min(ax2, bx2) - max(ax1, bx1))
    inter_h = max(0.0, min(ay2, by2) - max(ay1, by1))
    intersection = inter_w * inter_h

    area_a = max(0.0, ax2 - ax1) * max(0.0, ay2 - ay1)
    area_b = max(0.0, bx2 - bx1) * max(0.0, by2 - by1)
    union = area_a + area_b - intersection
    if union <= 0.0:
        return 0.0
    # min() guards against rounding that could push identical boxes past 1.
    return min(1.0, intersection / union)


def pairwise_iou_xyxy(a, b) -> np.ndarray:
    """Return the IoU of every box in ``a`` with every box in ``b``.

    ``a`` has shape (N, 4) and ``b`` shape (M, 4), ``xyxy`` in pixels
    (array-likes or lists of Box; a single (4,) box counts as N = 1). The
    result is float64 of shape (N, M), where ``[i, j]`` is the IoU of
    ``a[i]`` and ``b[j]``. The rules are those of ``box_iou_xyxy``: no
    ``+ 1``, inverted boxes are empty, and a zero-area union gives 0.0.
    Every value is in [0, 1]. Empty inputs give an empty (N, 0) or (0, M)
    matrix. Memory is a few (N, M) float64 temporaries, never (N, M, 4).

    >>> pairwise_iou_xyxy([[0, 0, 10, 10]], [[0, 5, 10, 10], [0, 10, 20, 20]]).tolist()
    [[0.5, 0.0]]
    """
    boxes_a = _as_box_matrix(a, "a")
    boxes_b = _as_box_matrix(b, "b")

    # Columns as (N, 1) and rows as (1, M) so that numpy broadcasts to (N, M).
    ax1, ay1, ax2, ay2 = (boxes_a[:, k:k + 1] for k in range(4))
    bx1, by1, bx2, by2 = (boxes_b[:, k] for k in range(4))

    inter_w = np.minimum(ax2, bx2) - np.maximum(ax1, bx1)
    np.maximum(inter_w, 0.0, out=inter_w)
    inter_h = np.minimum(ay2, by2) - np.maximum(ay1, by1)
    np.maximum(inter_h, 0.0, out=inter_h)
    intersection = inter_w * inter_h

    area_a = np.clip(ax2 - ax1, 0.0, None) * np.clip(ay2 - ay1, 0.0, None)
    area_b = np.clip(bx2 - bx1, 0.0, None) * np.clip(by2 - by1, 0.0, None)
    union = area_a + area_b - intersection

    iou = np.zeros_like(intersection)
    np.divide(intersection, union, out=iou, where=union > 0.0)
    np.clip(iou, 0.0, 1.0, out=iou)
    return iou


def _check_threshold(iou_threshold: float) -> float:
    threshold = float(iou_threshold)
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"iou_threshold must be between 0 and 1; got {iou_threshold!r}")
    return threshold


def match_iou_matrix(iou, iou_threshold: float = 0.5) -> list[Match]:
    """Pair rows with columns one-to-one, greedily by descending IoU.

    ``iou`` has shape (N, M): predictions by truths, as returned by
    ``pairwise_iou_xyxy``. The rule: take all pairs with
    ``iou >= iou_threshold`` and ``iou > 0`` and sort them by IoU from
    high to low. Ties go to the lower prediction index, then the lower
    truth index. Then accept each pair whose prediction and truth are both
    still free. A pair below the threshold never matches, and neither does a
    pair that does not overlap, even at threshold 0. Greedy matching can
    pair fewer boxes than an optimal assignment, for example when one
    prediction overlaps two truths above the threshold.

    Returns the accepted matches in the order they were accepted.
    Raises ValueError when the threshold is outside [0, 1].
    """
    threshold = _check_threshold(iou_threshold)
    matrix = np.asarray(iou, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"iou must be a 2-D (N, M) matrix; got shape {matrix.shape}")

    rows, cols = np.nonzero((matrix >= threshold) & (matrix > 0.0))
    # lexsort sorts by the last key first: descending IoU, then row, then column.
    order = np.lexsort((cols, rows, -matrix[rows, cols]))

    matches: list[Match] = []
    used_rows: set[int] = set()
    used_cols: set[int] = set()
    for k in order:
        row, col = int(rows[k]), int(cols[k])
        if row in used_rows or col in used_cols:
            continue
        used_rows.add(row)
        used_cols.add(col)
        matches.append(Match(row, col, float(matrix[row, col])))
    return matches


def match_boxes(pred_xyxy, truth_xyxy, iou_threshold: float = 0.5) -> list[Match]:
    """Match predicted boxes to truth boxes one-to-one, greedily by descending IoU.

    ``pred_xyxy`` has shape (N, 4) and ``truth_xyxy`` shape (M, 4), ``xyxy``
    in pixels (array-likes or lists of Box). Each box is used at most once.
    See ``match_iou_matrix`` for the rule: pairs below ``iou_threshold`` or
    without overlap never match, and ties go to the lower indices. Returns
    ``Match(pred_index, truth_index, iou)`` tuples in order of descending
    IoU. Unmatched predictions are spurious boxes and unmatched truths are
    missed objects. Labels are ignored here; ``metrics.score_boxes``
    matches labelled boxes only within a label.

    >>> match_boxes([[0, 0, 10, 10], [50, 50, 60, 60]], [[1, 1, 11, 11]])
    [Match(pred_index=0, truth_index=0, iou=0.680672268907563)]
    """
    return match_iou_matrix(pairwise_iou_xyxy(pred_xyxy, truth_xyxy), iou_threshold)
