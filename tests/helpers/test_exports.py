"""Tests for helpers.exports: COCO output and reading it back."""

from __future__ import annotations

import doctest
import json
import logging

import pytest

from helpers import exports
from helpers.exports import boxes_from_coco, to_coco, write_coco
from helpers.geometry import Box

IMAGES = [
    {"file_name": "dog.jpg", "width": 800, "height": 533, "license": 1},
    {"file_name": "kitchen.jpg", "width": 640, "height": 480},
    {"file_name": "empty.jpg", "width": 100, "height": 100},
]
BOXES = {
    "kitchen.jpg": [Box.from_xywh(10, 20, 30, 40, "spoon"), Box.from_xywh(100.5, 50, 20.25, 10, "cup")],
    "dog.jpg": [Box.from_xywh(243, 117, 187, 401, "dog")],
}


def test_doctest_examples_hold():
    result = doctest.testmod(exports)
    assert result.attempted > 0
    assert result.failed == 0


def test_to_coco_empty_dataset():
    coco = to_coco([], {})
    assert coco["images"] == []
    assert coco["annotations"] == []
    assert coco["categories"] == []


def test_to_coco_layout_and_ids():
    coco = to_coco(IMAGES, BOXES)

    assert list(coco) == ["info", "licenses", "images", "categories", "annotations"]
    assert [image["id"] for image in coco["images"]] == [1, 2, 3]
    assert coco["images"][0] == {"id": 1, "file_name": "dog.jpg", "width": 800, "height": 533, "license": 1}
    assert coco["categories"] == [
        {"id": 1, "name": "cup", "supercategory": ""},
        {"id": 2, "name": "dog", "supercategory": ""},
        {"id": 3, "name": "spoon", "supercategory": ""},
    ]
    # Annotations follow image order, then box order within an image.
    assert coco["annotations"] == [
        {"id": 1, "image_id": 1, "category_id": 2, "bbox": [243.0, 117.0, 187.0, 401.0],
         "area": 74987.0, "iscrowd": 0},
        {"id": 2, "image_id": 2, "category_id": 3, "bbox": [10.0, 20.0, 30.0, 40.0],
         "area": 1200.0, "iscrowd": 0},
        {"id": 3, "image_id": 2, "category_id": 1, "bbox": [100.5, 50.0, 20.25, 10.0],
         "area": 202.5, "iscrowd": 0},
    ]


def test_to_coco_is_deterministic():
    assert to_coco(IMAGES, BOXES) == to_coco(IMAGES, dict(reversed(list(BOXES.items()))))


def test_to_coco_category_names_keep_given_order():
    coco = to_coco(IMAGES, BOXES, categories=["spoon", "dog", "cup"])
    assert [(c["id"], c["name"]) for c in coco["categories"]] == [(1, "spoon"), (2, "dog"), (3, "cup")]
    assert coco["annotations"][0]["category_id"] == 2


def test_to_coco_category_dicts_used_as_given():
    categories = [{"id": 18, "name": "dog", "supercategory": "animal"}]
    coco = to_coco(IMAGES[:1], {"dog.jpg": BOXES["dog.jpg"]}, categories=categories)
    assert coco["categories"] == categories
    assert coco["annotations"][0]["category_id"] == 18


def test_to_coco_skips_zero_area_boxes(caplog):
    with caplog.at_level(logging.WARNING, logger="helpers.exports"):
        coco = to_coco(IMAGES[:1], {"dog.jpg": [Box(800, 533, 800, 533, "dog")]})
    assert coco["annotations"] == []
    assert "left out 1 boxes with zero area in dog.jpg" in caplog.text


@pytest.mark.parametrize(("images", "boxes", "categories", "message"), [
    ([{"file_name": "a.jpg", "width": 10}], {}, None, "image 1 is missing height"),
    (IMAGES + IMAGES[:1], {}, None, "'dog.jpg' appears more than once"),
    (IMAGES, {"cat.jpg": []}, None, r"not in images: \['cat.jpg'\]"),
    (IMAGES, {"dog.jpg": [Box(0, 0, 10, 10)]}, None, "has no label; every COCO annotation needs a category"),
    (IMAGES, {"dog.jpg": [Box(0, 0, 10, 10, "cat")]}, ["dog"], "label 'cat', which is not a category"),
    (IMAGES, {"dog.jpg": [Box(10, 0, 0, 10, "dog")]}, None, "is inverted"),
    (IMAGES, {}, ["dog", "dog"], r"\['dog'\] appear more than once"),
    (IMAGES, {}, [3], "categories must be label names or dicts"),
])
def test_to_coco_rejects_bad_input(images, boxes, categories, message):
    with pytest.raises(ValueError, match=message):
        to_coco(images, boxes, categories)


def test_write_coco_format(tmp_path):
    path = write_coco(tmp_path / "dataset.json", to_coco(IMAGES, BOXES))
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert text.startswith('{\n  "info": {')
    assert list(json.loads(text)) == ["info", "licenses", "images", "categories", "annotations"]


def test_write_coco_rejects_nan(tmp_path):
    coco = to_coco(IMAGES[:1], {})
    coco["info"]["score"] = float("nan")
    with pytest.raises(ValueError):
        write_coco(tmp_path / "bad.json", coco)


def test_coco_round_trip(tmp_path):
    path = write_coco(tmp_path / "dataset.json", to_coco(IMAGES, BOXES))
    loaded = json.loads(path.read_text(encoding="utf-8"))
    boxes = boxes_from_coco(loaded)
    assert boxes == {"dog.jpg": BOXES["dog.jpg"], "kitchen.jpg": BOXES["kitchen.jpg"], "empty.jpg": []}
    assert to_coco(IMAGES, boxes) == loaded
