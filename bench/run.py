"""Benchmarks that print speed ratios against reference code.

    python bench/run.py

Each benchmark times the project's function and a plain reference doing the
same work on the same seeded input, checks that both give the same values,
and prints the best of several repeats and the ratio. Nothing here asserts a
time: the numbers depend on the machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.geometry import pairwise_iou_xyxy  # noqa: E402

REPEATS = 5
BOX_COUNT = 2000


def random_boxes_xyxy(rng: np.random.Generator, count: int) -> np.ndarray:
    corners = rng.uniform(0, 1000, size=(count, 2))
    sizes = rng.uniform(1, 200, size=(count, 2))
    return np.hstack([corners, corners + sizes])


def reference_pairwise_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Plain broadcasting over an (N, M, 4) intermediate, as tutorials usually write it."""
    a4 = a[:, None, :]
    b4 = b[None, :, :]
    width = np.clip(np.minimum(a4[..., 2], b4[..., 2]) - np.maximum(a4[..., 0], b4[..., 0]), 0, None)
    height = np.clip(np.minimum(a4[..., 3], b4[..., 3]) - np.maximum(a4[..., 1], b4[..., 1]), 0, None)
    shared = width * height
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return shared / (area_a[:, None] + area_b[None, :] - shared)


def best_seconds(function, *arguments) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = function(*arguments)
        best = min(best, time.perf_counter() - started)
    return best, result


def bench_pairwise_iou() -> None:
    rng = np.random.default_rng(2017)
    a, b = random_boxes_xyxy(rng, BOX_COUNT), random_boxes_xyxy(rng, BOX_COUNT)
    ours_seconds, ours = best_seconds(pairwise_iou_xyxy, a, b)
    reference_seconds, reference = best_seconds(reference_pairwise_iou, a, b)
    if not np.allclose(ours, reference, atol=1e-12):
        raise SystemExit("pairwise_iou_xyxy and the reference disagree; the timing is meaningless")
    print(f"pairwise IoU {BOX_COUNT} x {BOX_COUNT}: helpers {ours_seconds * 1000:.0f} ms, "
          f"reference {reference_seconds * 1000:.0f} ms, ratio {reference_seconds / ours_seconds:.2f}x "
          f"(best of {REPEATS})")


if __name__ == "__main__":
    bench_pairwise_iou()
