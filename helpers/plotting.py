"""Draw boxes over images with matplotlib.

Every function takes an ``Axes``, draws on it and returns it, so a notebook
can lay out a grid of images itself. Nothing here calls ``plt.show()``.

Images are shown with ``imshow``'s default ``origin='upper'``: the y axis
points down, as in MTurk's ``left, top`` pixels. A box therefore becomes
``Rectangle((x1, y1), width, height)`` with no vertical flip. Computing
``image_height - top - height`` would mirror the box.
"""

from __future__ import annotations

import logging
from typing import Hashable, Iterable, Mapping

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from .geometry import Box

__all__ = ["WORKER_COLORS", "draw_boxes", "plot_worker_boxes"]

logger = logging.getLogger(__name__)

# matplotlib's "tab10" qualitative palette, as RGB tuples in [0, 1].
WORKER_COLORS: tuple[tuple[float, float, float], ...] = tuple(matplotlib.colormaps["tab10"].colors)

TRUTH_LABEL = "known answer"


def _add_rectangle(ax: Axes, box: Box, *, color, linewidth: float, linestyle: str = "-",
                   outline: str | None = None) -> Rectangle:
    """Add one unfilled rectangle; ``outline`` draws a wider solid line of that colour underneath."""
    rectangle = Rectangle((box.x1, box.y1), box.width, box.height, fill=False,
                          edgecolor=color, linewidth=linewidth, linestyle=linestyle)
    if outline is not None:
        rectangle.set_path_effects([patheffects.withStroke(linewidth=linewidth + 2, foreground=outline)])
    ax.add_patch(rectangle)
    return rectangle


def draw_boxes(ax: Axes, boxes: Iterable[Box], *, color="lime", linewidth: float = 2,
               show_labels: bool = True) -> Axes:
    """Draw ``xyxy`` boxes, in image pixels, as unfilled rectangles on ``ax``.

    Each box becomes ``Rectangle((x1, y1), x2 - x1, y2 - y1)``, which is
    right for an image drawn with ``imshow``'s default ``origin='upper'``.
    Boxes with zero area, which includes inverted ones and boxes clipped
    away entirely, are not drawn. With ``show_labels``, each box's label is
    written inside its top-left corner. ``color`` is any matplotlib colour
    and ``linewidth`` is in points.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = draw_boxes(ax, [Box.from_xywh(243, 117, 187, 401, "dog")])
    >>> ax.patches[0].get_xy(), ax.patches[0].get_width(), ax.patches[0].get_height()
    ((243.0, 117.0), 187.0, 401.0)
    """
    skipped = 0
    for box in boxes:
        if box.area <= 0.0:
            skipped += 1
            continue
        _add_rectangle(ax, box, color=color, linewidth=linewidth)
        if show_labels and box.label:
            ax.text(box.x1, box.y1, box.label, color="black", fontsize=8,
                    verticalalignment="top", horizontalalignment="left",
                    bbox={"facecolor": color, "edgecolor": "none", "alpha": 0.8, "pad": 1})

    if skipped:
        logger.debug("did not draw %d boxes with zero area", skipped)
    return ax


def plot_worker_boxes(ax: Axes, image, boxes_by_worker: Mapping[Hashable, Iterable[Box]],
                      truth: Iterable[Box] | None = None, title: str | None = None) -> Axes:
    """Show an image with each worker's boxes in its own colour, and the truth dashed.

    ``image`` is anything ``ax.imshow`` accepts (a numpy array of shape
    (height, width) or (height, width, channels), or a PIL image). It is
    drawn with ``extent=(0, width, height, 0)`` so that pixel ``i`` spans
    ``i..i+1``, matching the continuous box coordinates. Workers get
    colours from ``WORKER_COLORS`` in sorted order of their ids, so the
    same set of workers always gets the same colours. ``truth`` boxes are
    drawn dashed white on a black outline, visible on light and dark
    photos. Single-channel images are drawn in grey. The legend, to the
    right of the image, names each worker and the truth; the axis is
    turned off.
    """
    pixels = np.asarray(image)
    height, width = pixels.shape[:2]
    # A single-channel photo would otherwise be drawn in false colour (viridis).
    colormap = "gray" if pixels.ndim == 2 else None
    ax.imshow(image, extent=(0, width, height, 0), cmap=colormap)

    handles = []
    # NOTE: with more workers than colours, colours repeat; the legend still names every worker.
    for position, worker_id in enumerate(sorted(boxes_by_worker, key=str)):
        color = WORKER_COLORS[position % len(WORKER_COLORS)]
        draw_boxes(ax, boxes_by_worker[worker_id], color=color, linewidth=2, show_labels=False)
        handles.append(Line2D([], [], color=color, linewidth=2, label=str(worker_id)))

    if truth is not None:
        drawn = [box for box in truth if box.area > 0.0]
        for box in drawn:
            _add_rectangle(ax, box, color="white", linewidth=1.5, linestyle="--", outline="black")
        truth_handle = Line2D([], [], color="white", linewidth=1.5, linestyle="--", label=TRUTH_LABEL)
        truth_handle.set_path_effects([patheffects.withStroke(linewidth=3.5, foreground="black")])
        handles.append(truth_handle)

    if handles:
        # Outside the image, so that the legend hides no box.
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                  frameon=False)
    if title is not None:
        ax.set_title(title)
    ax.set_axis_off()
    return ax
