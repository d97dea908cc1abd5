"""Tests for helpers.plotting: boxes drawn where they are, with no vertical flip."""

from __future__ import annotations

import doctest

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from helpers import plotting  # noqa: E402
from helpers.geometry import Box  # noqa: E402
from helpers.plotting import WORKER_COLORS, draw_boxes, plot_worker_boxes  # noqa: E402

IMAGE_WH = (800, 533)


@pytest.fixture
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


@pytest.fixture
def image():
    width, height = IMAGE_WH
    return np.zeros((height, width, 3), dtype=np.uint8)


def rectangles(ax):
    return [patch for patch in ax.patches if isinstance(patch, Rectangle)]


def test_doctest_examples_hold():
    result = doctest.testmod(plotting)
    plt.close("all")
    assert result.attempted > 0
    assert result.failed == 0


def test_draw_boxes_returns_same_ax(ax):
    assert draw_boxes(ax, []) is ax
    assert rectangles(ax) == []


@pytest.mark.parametrize("box", [
    Box(5, 5, 5, 5),                      # zero area
    Box(10, 10, 0, 0),                    # inverted
    Box(800, 533, 800, 533),              # clipped away entirely
])
def test_draw_boxes_skips_empty_boxes(ax, box):
    draw_boxes(ax, [box])
    assert rectangles(ax) == []
    assert len(ax.texts) == 0


def test_draw_boxes_not_flipped(ax, image):
    ax.imshow(image)
    draw_boxes(ax, [Box.from_xywh(243, 117, 187, 401, "Dog")])

    (patch,) = rectangles(ax)
    assert patch.get_x() == 243
    assert patch.get_y() == 117
    assert patch.get_width() == 187
    assert patch.get_height() == 401
    assert patch.get_y() != IMAGE_WH[1] - 117 - 401  # the mirrored "fix" would give 15
    assert ax.yaxis_inverted()  # imshow's origin='upper': y grows downwards


def test_draw_boxes_covers_box_pixels(ax, image):
    ax.imshow(image)
    draw_boxes(ax, [Box.from_xywh(243, 117, 187, 401)])
    (patch,) = rectangles(ax)
    corners = patch.get_patch_transform().transform([(0, 0), (1, 1)])
    np.testing.assert_allclose(corners, [(243, 117), (430, 518)])


def test_draw_boxes_label_and_style(ax):
    draw_boxes(ax, [Box(10, 20, 30, 40, "cup"), Box(50, 50, 60, 60)], color="red", linewidth=3)
    patches = rectangles(ax)
    assert len(patches) == 2
    assert all(p.get_edgecolor() == to_rgba("red") for p in patches)
    assert all(p.get_linewidth() == 3 for p in patches)
    assert all(not p.get_fill() for p in patches)
    assert [t.get_text() for t in ax.texts] == ["cup"]
    assert ax.texts[0].get_position() == (10, 20)


def test_draw_boxes_without_labels(ax):
    draw_boxes(ax, [Box(10, 20, 30, 40, "cup")], show_labels=False)
    assert len(ax.texts) == 0


def test_plot_worker_boxes_colours_legend_and_truth(ax, image):
    boxes_by_worker = {
        "WORKER_B": [Box(20, 20, 60, 60, "cup")],
        "WORKER_A": [Box(10, 10, 50, 50, "cup"), Box(100, 100, 120, 120, "cup")],
    }
    truth = [Box(12, 12, 52, 52, "cup")]
    result = plot_worker_boxes(ax, image, boxes_by_worker, truth=truth, title="img1")

    assert result is ax
    patches = rectangles(ax)
    assert len(patches) == 4
    # Workers are coloured in sorted order of their ids, whatever the dict order.
    colour_a, colour_b = to_rgba(WORKER_COLORS[0]), to_rgba(WORKER_COLORS[1])
    assert [p.get_edgecolor() for p in patches[:3]] == [colour_a, colour_a, colour_b]
    truth_patch = patches[3]
    assert truth_patch.get_edgecolor() == to_rgba("white")
    assert truth_patch.get_linestyle() == "--"

    legend_names = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend_names == ["WORKER_A", "WORKER_B", plotting.TRUTH_LABEL]
    assert ax.get_title() == "img1"
    assert not ax.axison


def test_plot_worker_boxes_image_extent_is_pixel_edges(ax, image):
    plot_worker_boxes(ax, image, {})
    (shown,) = ax.images
    assert shown.get_extent() == [0, 800, 533, 0]
    assert ax.yaxis_inverted()
    assert ax.get_legend() is None


def test_plot_worker_boxes_not_flipped(ax, image):
    plot_worker_boxes(ax, image, {"W1": [Box.from_xywh(243, 117, 187, 401, "Dog")]})
    (patch,) = rectangles(ax)
    assert (patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()) == (243, 117, 187, 401)


def test_plot_worker_boxes_many_workers_reuse_colours(ax, image):
    boxes_by_worker = {f"W{i:02d}": [Box(i, i, i + 10, i + 10)] for i in range(len(WORKER_COLORS) + 2)}
    plot_worker_boxes(ax, image, boxes_by_worker)
    assert len(ax.get_legend().get_texts()) == len(WORKER_COLORS) + 2
    patches = rectangles(ax)
    assert patches[len(WORKER_COLORS)].get_edgecolor() == patches[0].get_edgecolor()


def test_plotting_never_shows(ax, image, monkeypatch):
    calls = []
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: calls.append(args))
    draw_boxes(ax, [Box(0, 0, 1, 1)])
    plot_worker_boxes(ax, image, {"W1": [Box(0, 0, 10, 10)]})
    assert calls == []
