"""Consistency checks for images/: the COCO known answers, the files and CREDITS.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

IMAGES_DIR = Path(__file__).resolve().parent.parent / "images"
KNOWN_ANSWERS_PATH = IMAGES_DIR / "known_answers.json"
CREDITS_PATH = IMAGES_DIR / "CREDITS.md"

# Files in images/ that describe the photos and so need no credits row.
METADATA_FILES = {"known_answers.json", "CREDITS.md"}

COCO = json.loads(KNOWN_ANSWERS_PATH.read_text(encoding="utf-8"))
IMAGE_RECORDS = COCO["images"]
IMAGE_FILE_NAMES = [record["file_name"] for record in IMAGE_RECORDS]
ANNOTATIONS = COCO["annotations"]


def credited_file_names() -> set[str]:
    """Return the file names in the first column of the table in CREDITS.md.

    A table row starts with "| `name` |". The header and separator rows have no
    backquoted first cell, so they do not match.
    """
    row_pattern = re.compile(r"^\|\s*`([^`]+)`\s*\|")
    names = set()
    for line in CREDITS_PATH.read_text(encoding="utf-8").splitlines():
        match = row_pattern.match(line)
        if match:
            names.add(match.group(1))
    return names


def test_known_answers_top_level_keys():
    assert set(COCO) == {"info", "licenses", "images", "categories", "annotations"}
    assert COCO["info"]["date_created"] == "2026-12-04"
    assert COCO["info"]["description"]


def test_ids_count_from_one_in_order():
    for section in ("licenses", "images", "categories", "annotations"):
        ids = [entry["id"] for entry in COCO[section]]
        assert ids == list(range(1, len(ids) + 1)), f"{section} ids are {ids}"


def test_references_point_to_existing_ids():
    license_ids = {entry["id"] for entry in COCO["licenses"]}
    image_ids = {entry["id"] for entry in IMAGE_RECORDS}
    category_ids = {entry["id"] for entry in COCO["categories"]}
    for record in IMAGE_RECORDS:
        assert record["license"] in license_ids, record
    for annotation in ANNOTATIONS:
        assert annotation["image_id"] in image_ids, annotation
        assert annotation["category_id"] in category_ids, annotation


def test_category_names_unique_lowercase():
    names = [category["name"] for category in COCO["categories"]]
    assert len(names) == len(set(names)), names
    for name in names:
        assert name == name.lower(), name


def test_every_image_has_annotations():
    annotated_ids = {annotation["image_id"] for annotation in ANNOTATIONS}
    for record in IMAGE_RECORDS:
        assert record["id"] in annotated_ids, f"{record['file_name']} has no boxes"


@pytest.mark.parametrize("record", IMAGE_RECORDS, ids=IMAGE_FILE_NAMES)
def test_image_file_exists(record):
    path = IMAGES_DIR / record["file_name"]
    assert path.is_file(), f"{path} is listed in known_answers.json but missing"


@pytest.mark.parametrize("record", IMAGE_RECORDS, ids=IMAGE_FILE_NAMES)
def test_image_size_matches_file(record):
    with Image.open(IMAGES_DIR / record["file_name"]) as image:
        width_px, height_px = image.size
    assert record["width"] == width_px
    assert record["height"] == height_px


@pytest.mark.parametrize("record", IMAGE_RECORDS, ids=IMAGE_FILE_NAMES)
def test_boxes_inside_image(record):
    boxes = [annotation for annotation in ANNOTATIONS if annotation["image_id"] == record["id"]]
    for annotation in boxes:
        x, y, width, height = annotation["bbox"]
        label = f"annotation {annotation['id']} bbox {annotation['bbox']}"
        assert all(isinstance(value, int) for value in annotation["bbox"]), label
        assert width > 0, label
        assert height > 0, label
        assert x >= 0, label
        assert y >= 0, label
        assert x + width <= record["width"], label
        assert y + height <= record["height"], label


def test_area_equals_box_area():
    for annotation in ANNOTATIONS:
        _, _, width, height = annotation["bbox"]
        label = f"annotation {annotation['id']} bbox {annotation['bbox']}"
        assert annotation["area"] == width * height, label
        assert annotation["iscrowd"] == 0, label


@pytest.mark.parametrize("record", IMAGE_RECORDS, ids=IMAGE_FILE_NAMES)
def test_image_listed_in_credits(record):
    assert record["file_name"] in credited_file_names()


def test_every_file_has_credits():
    files = {path.name for path in IMAGES_DIR.iterdir() if path.is_file()}
    uncredited = sorted(files - METADATA_FILES - credited_file_names())
    assert uncredited == [], f"add a row to CREDITS.md for {uncredited}"


def test_credits_list_only_existing_files():
    missing = sorted(name for name in credited_file_names() if not (IMAGES_DIR / name).is_file())
    assert missing == [], f"CREDITS.md lists files that are not in images/: {missing}"
