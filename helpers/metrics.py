"""Score one worker's boxes for one image against the known boxes.

A worker's answer can fail in two ways: it can miss an object, or it can
contain a box where there is no object. ``score_boxes`` reports both, so a
worker who draws one good box plus ten stray ones does not score like a
worker who draws only the good box.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Sequence

import numpy as np

from .geometry import Box, Match, boxes_to_xyxy, match_iou_matrix, normalize_label, pairwise_iou_xyxy

__all__ = ["BoxScore", "PrecisionRecall", "precision_recall_at", "score_boxes"]


@dataclass(frozen=True)
class BoxScore:
    """Match quality of one worker's boxes for an image against the truth boxes.

    ``mean_iou`` is averaged over the truth boxes, counting 0 for each
    missed one, so it falls when objects are missed but not when spurious
    boxes are added. ``precision`` (matched / worker boxes) is what falls
    for spurious boxes. ``matches`` contains indices into the two input lists.

    With no truth boxes, ``recall`` is 1.0 (nothing to find) and
    ``mean_iou`` is 1.0 when the worker drew nothing, else 0.0. With no
    worker boxes, ``precision`` is 1.0 (nothing wrong was drawn). None of
    the fields is ever NaN.
    """

    mean_iou: float
    matched: int
    missed: int
    spurious: int
    precision: float
    recall: float
    iou_threshold: float
    matches: list[Match] = field(default_factory=list)


class PrecisionRecall(NamedTuple):
    """Precision and recall at one IoU threshold."""

    precision: float
    recall: float


def _label_compatible(worker_boxes: Sequence[Box], truth_boxes: Sequence[Box]) -> np.ndarray:
    """Return an (N, M) mask that is False where both boxes have labels and the labels differ."""
    worker_keys = [normalize_label(box.label) for box in worker_boxes]
    truth_keys = [normalize_label(box.label) for box in truth_boxes]
    mask = np.ones((len(worker_keys), len(truth_keys)), dtype=bool)
    for i, worker_key in enumerate(worker_keys):
        for j, truth_key in enumerate(truth_keys):
            if worker_key is not None and truth_key is not None and worker_key != truth_key:
                mask[i, j] = False
    return mask


def score_boxes(worker_boxes: Sequence[Box], truth_boxes: Sequence[Box],
                iou_threshold: float = 0.5) -> BoxScore:
    """Match a worker's boxes to the truth boxes and summarise the result.

    Boxes are matched one-to-one, greedily by descending IoU, and a pair
    needs ``IoU >= iou_threshold`` (see ``geometry.match_iou_matrix``).
    When a worker box and a truth box both have labels, they can match only
    if the labels are equal after stripping and case-folding ("Dog" matches
    "dog"). A box without a label can match a box with any label.

    Raises ValueError when the threshold is outside [0, 1].

    >>> truth = [Box(0, 0, 10, 10, "cup")]
    >>> score = score_boxes([Box(1, 1, 11, 11, "Cup"), Box(50, 50, 60, 60, "cup")], truth)
    >>> round(score.mean_iou, 6), score.matched, score.missed, score.spurious, score.precision
    (0.680672, 1, 0, 1, 0.5)
    """
    worker_boxes = list(worker_boxes)
    truth_boxes = list(truth_boxes)

    iou = pairwise_iou_xyxy(boxes_to_xyxy(worker_boxes), boxes_to_xyxy(truth_boxes))
    iou = np.where(_label_compatible(worker_boxes, truth_boxes), iou, 0.0)
    matches = match_iou_matrix(iou, iou_threshold)

    matched = len(matches)
    missed = len(truth_boxes) - matched
    spurious = len(worker_boxes) - matched
    if truth_boxes:
        mean_iou = sum(match.iou for match in matches) / len(truth_boxes)
        recall = matched / len(truth_boxes)
    else:
        mean_iou = 1.0 if not worker_boxes else 0.0
        recall = 1.0
    precision = matched / len(worker_boxes) if worker_boxes else 1.0

    return BoxScore(
        mean_iou=mean_iou,
        matched=matched,
        missed=missed,
        spurious=spurious,
        precision=precision,
        recall=recall,
        iou_threshold=float(iou_threshold),
        matches=matches,
    )


def precision_recall_at(worker_boxes: Sequence[Box], truth_boxes: Sequence[Box],
                        thresholds: Sequence[float] = (0.5, 0.75)) -> dict[float, PrecisionRecall]:
    """Return precision and recall at each IoU threshold, keyed by threshold.

    Each threshold gets its own matching with ``score_boxes``, so a stricter
    threshold can only lower both numbers.

    >>> precision_recall_at([Box(1, 1, 11, 11)], [Box(0, 0, 10, 10)])
    {0.5: PrecisionRecall(precision=1.0, recall=1.0), 0.75: PrecisionRecall(precision=0.0, recall=0.0)}
    """
    results: dict[float, PrecisionRecall] = {}
    for threshold in thresholds:
        score = score_boxes(worker_boxes, truth_boxes, threshold)
        results[float(threshold)] = PrecisionRecall(score.precision, score.recall)
    return results
