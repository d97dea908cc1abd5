"""Merge several workers' boxes for the same image into one set of boxes."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Hashable, Iterable

import numpy as np

from .geometry import Box, box_iou_xyxy, normalize_label
from .metrics import BoxScore, score_boxes

__all__ = ["MedianBoxConsensus", "agreement_with_others"]

logger = logging.getLogger(__name__)


@dataclass
class _Cluster:
    """Boxes that several workers drew around what is taken to be one object."""

    workers: list[Hashable] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    median: Box | None = None

    def add(self, worker_id: Hashable, box: Box) -> None:
        self.workers.append(worker_id)
        self.boxes.append(box)
        coordinates = np.median(np.asarray([b.xyxy for b in self.boxes], dtype=np.float64), axis=0)
        x1, y1, x2, y2 = coordinates.tolist()
        self.median = Box(x1, y1, x2, y2, self.boxes[0].label)


class MedianBoxConsensus:
    """Merge workers' boxes by clustering them and taking each cluster's median.

    The method, for each image and each label separately:

    1. Take the boxes in input order. Compare each box with every existing
       cluster that has no box from the same worker yet, by IoU with the
       cluster's current median box. Add the box to the cluster with the
       highest IoU if that IoU is above 0 and at least ``iou_threshold``.
       Otherwise the box starts a new cluster.
    2. Keep the clusters that contain boxes from at least ``min_workers``
       distinct workers. Each worker contributes at most one box to a
       cluster, so this counts agreeing workers, not boxes.
    3. Output the coordinate-wise median of each kept cluster: the median
       ``x1``, ``y1``, ``x2`` and ``y2`` taken separately. With an even
       number of boxes, each median is the mean of the two middle values.

    The median ignores one wild coordinate where a mean would be pulled
    towards it, so a single careless worker moves the result little once
    three or more workers agree. Labels are compared after stripping and
    case-folding, and the output box takes the spelling of the cluster's
    first box. Boxes with zero area, inverted ones included, are skipped
    and counted in the log.
    The result depends on the order of the rows, because clustering is
    greedy. The method has no worker-quality model: every worker's box
    counts the same.

    Parameters
    ----------
    iou_threshold:
        Minimum IoU, in [0, 1], between a box and a cluster's median box
        for the box to join that cluster.
    min_workers:
        Minimum number of distinct workers behind a cluster for it to be
        output. Must be at least 1.

    Attributes set by ``fit``
    -------------------------
    consensus_:
        ``dict[image_id, list[Box]]``: the merged boxes of every image that
        appears in the rows, in order of first appearance. An image whose
        clusters all lack support maps to an empty list.
    supporters_:
        ``dict[image_id, list[tuple[worker_id, ...]]]``: for each merged
        box, the workers whose boxes formed it, in the same order as
        ``consensus_``.

    Example
    -------
    >>> rows = [("img1", "A", Box(10, 10, 50, 50, "cup")),
    ...         ("img1", "B", Box(12, 8, 52, 48, "cup")),
    ...         ("img1", "C", Box(11, 12, 49, 51, "cup")),
    ...         ("img1", "C", Box(200, 200, 210, 210, "cup"))]
    >>> MedianBoxConsensus(iou_threshold=0.5, min_workers=2).fit_predict(rows)
    {'img1': [Box(x1=11.0, y1=10.0, x2=50.0, y2=50.0, label='cup')]}
    """

    def __init__(self, iou_threshold: float = 0.5, min_workers: int = 2) -> None:
        if not 0.0 <= float(iou_threshold) <= 1.0:
            raise ValueError(f"iou_threshold must be between 0 and 1; got {iou_threshold!r}")
        if isinstance(min_workers, bool) or not isinstance(min_workers, int) or min_workers < 1:
            raise ValueError(f"min_workers must be a whole number of at least 1; got {min_workers!r}")
        self.iou_threshold = float(iou_threshold)
        self.min_workers = min_workers

    def __repr__(self) -> str:
        return f"MedianBoxConsensus(iou_threshold={self.iou_threshold}, min_workers={self.min_workers})"

    def fit(self, rows: Iterable[tuple[Hashable, Hashable, Box]]) -> "MedianBoxConsensus":
        """Cluster the boxes in ``rows`` and store the merged boxes in ``consensus_``.

        ``rows`` is long-form: one ``(image_id, worker_id, Box)`` tuple per
        box drawn. Boxes are ``xyxy`` in the image's pixels. Raises
        ValueError for a row of another shape, naming its position.
        Returns ``self``.
        """
        groups = self._group_rows(rows)

        clusters_by_image: dict[Hashable, list[_Cluster]] = {image_id: [] for image_id in groups}
        for image_id, by_label in groups.items():
            for boxes in by_label.values():
                clusters_by_image[image_id].extend(self._cluster(boxes))

        self.consensus_: dict[Hashable, list[Box]] = {}
        self.supporters_: dict[Hashable, list[tuple[Hashable, ...]]] = {}
        for image_id, clusters in clusters_by_image.items():
            supported = [c for c in clusters if len(set(c.workers)) >= self.min_workers]
            self.consensus_[image_id] = [c.median for c in supported]
            self.supporters_[image_id] = [tuple(c.workers) for c in supported]
        return self

    def fit_predict(self, rows: Iterable[tuple[Hashable, Hashable, Box]]) -> dict[Hashable, list[Box]]:
        """Run ``fit`` and return ``consensus_``: image_id -> list of merged Box."""
        return self.fit(rows).consensus_

    @staticmethod
    def _group_rows(rows) -> dict[Hashable, dict[str | None, list[tuple[Hashable, Box]]]]:
        """Split rows by image, then by label key, keeping input order."""
        groups: dict[Hashable, dict[str | None, list[tuple[Hashable, Box]]]] = {}
        skipped_empty = 0
        for position, row in enumerate(rows):
            try:
                image_id, worker_id, box = row
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"row {position} must be a tuple (image_id, worker_id, Box); got {row!r}"
                ) from error
            if not isinstance(box, Box):
                raise ValueError(
                    f"row {position} must have a Box as its third item; got {type(box).__name__}: {box!r}"
                )

            by_label = groups.setdefault(image_id, defaultdict(list))
            if box.area <= 0.0:
                skipped_empty += 1
                continue
            by_label[normalize_label(box.label)].append((worker_id, box))

        if skipped_empty:
            logger.info("skipped %d boxes with zero area before clustering", skipped_empty)
        return groups

    def _cluster(self, boxes: list[tuple[Hashable, Box]]) -> list[_Cluster]:
        """Cluster one image's boxes of one label, greedily by IoU to each cluster's median."""
        clusters: list[_Cluster] = []
        for worker_id, box in boxes:
            best: _Cluster | None = None
            best_iou = -1.0
            for cluster in clusters:
                if worker_id in cluster.workers:
                    continue
                iou = box_iou_xyxy(box, cluster.median)
                if iou >= self.iou_threshold and iou > 0.0 and iou > best_iou:
                    best, best_iou = cluster, iou

            if best is None:
                best = _Cluster()
                clusters.append(best)
            best.add(worker_id, box)
        return clusters


def agreement_with_others(rows: Iterable[tuple[Hashable, Hashable, Box]], iou_threshold: float = 0.5,
                          min_workers: int = 2) -> dict[tuple[Hashable, Hashable], BoxScore]:
    """Score each worker's boxes against the consensus of the other workers on the same image.

    This measures quality without known answers: for every ``(image_id,
    worker_id)`` in the long-form ``rows``, the other workers' boxes of that
    image are merged with ``MedianBoxConsensus(iou_threshold, min_workers)``,
    and the worker's own boxes are scored against the result with
    ``score_boxes``. A worker is never compared with their own boxes. A
    worker who drew no box appears only if they are in ``rows``, which holds
    boxes; score such answers separately. When the others agree on nothing,
    the consensus is empty and the score says so (``matched + missed == 0``).
    """
    boxes_by_image: dict[Hashable, dict[Hashable, list[Box]]] = {}
    for image_id, worker_id, box in rows:
        boxes_by_image.setdefault(image_id, {}).setdefault(worker_id, []).append(box)

    scores: dict[tuple[Hashable, Hashable], BoxScore] = {}
    for image_id, boxes_by_worker in boxes_by_image.items():
        for worker_id, own_boxes in boxes_by_worker.items():
            others = [(image_id, other_id, box) for other_id, boxes in boxes_by_worker.items()
                      if other_id != worker_id for box in boxes]
            merged = MedianBoxConsensus(iou_threshold, min_workers).fit_predict(others).get(image_id, [])
            scores[(image_id, worker_id)] = score_boxes(own_boxes, merged, iou_threshold=iou_threshold)
    return scores
