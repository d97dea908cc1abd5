"""Loading and validating the COCO known-answers file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mturk_local.known_answers import KnownImage, KnownObject, load_known_answers

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_KNOWN_ANSWERS = REPO_ROOT / "images" / "known_answers.json"


def small_coco() -> dict:
    return {
        "info": {"description": "test"},
        "licenses": [],
        "images": [
            {"id": 1, "file_name": "kitchen.jpg", "width": 640, "height": 480, "license": 0},
            {"id": 2, "file_name": "empty.jpg", "width": 320, "height": 240, "license": 0},
        ],
        "categories": [
            {"id": 1, "name": "cup", "supercategory": "kitchenware"},
            {"id": 2, "name": "spoon", "supercategory": "kitchenware"},
        ],
        "annotations": [
            {"id": 10, "image_id": 1, "category_id": 1, "bbox": [10, 20, 100, 80], "area": 8000, "iscrowd": 0},
            {"id": 11, "image_id": 1, "category_id": 2, "bbox": [540, 400, 100, 80], "area": 8000, "iscrowd": 0},
        ],
    }


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "known_answers.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_load_small_file(tmp_path):
    known = load_known_answers(write(tmp_path, small_coco()))

    assert set(known) == {"kitchen.jpg", "empty.jpg"}
    assert known["kitchen.jpg"] == KnownImage(
        file_name="kitchen.jpg",
        width=640,
        height=480,
        objects=(
            KnownObject("cup", (10.0, 20.0, 100.0, 80.0)),
            KnownObject("spoon", (540.0, 400.0, 100.0, 80.0)),
        ),
    )


def test_image_without_annotations_has_no_objects(tmp_path):
    known = load_known_answers(write(tmp_path, small_coco()))

    assert known["empty.jpg"].objects == ()


def test_accepts_str_path(tmp_path):
    known = load_known_answers(str(write(tmp_path, small_coco())))

    assert "kitchen.jpg" in known


def test_crowd_regions_skipped(tmp_path):
    document = small_coco()
    document["annotations"][1]["iscrowd"] = 1

    known = load_known_answers(write(tmp_path, document))

    assert [known_object.label for known_object in known["kitchen.jpg"].objects] == ["cup"]


def test_missing_file(tmp_path):
    path = tmp_path / "absent.json"

    with pytest.raises(FileNotFoundError) as error:
        load_known_answers(path)

    assert str(path) in str(error.value)


def test_invalid_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"images": [', encoding="utf-8")

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    assert str(error.value).startswith(f"{path}: invalid JSON at line 1")


def test_missing_section(tmp_path):
    document = small_coco()
    del document["categories"]
    path = write(tmp_path, document)

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    assert str(error.value) == f"{path}: missing or invalid 'categories': expected a JSON list"


def test_unknown_image_id(tmp_path):
    document = small_coco()
    document["annotations"][1]["image_id"] = 99
    path = write(tmp_path, document)

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    assert str(error.value) == (
        f"{path}: annotations[1] (id 11): unknown image_id 99; it must match the id of an entry in 'images'"
    )


def test_unknown_category_id(tmp_path):
    document = small_coco()
    document["annotations"][0]["category_id"] = 7
    path = write(tmp_path, document)

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    assert str(error.value) == (
        f"{path}: annotations[0] (id 10): unknown category_id 7; "
        "it must match the id of an entry in 'categories'"
    )


@pytest.mark.parametrize(
    "bbox",
    [
        # past the right edge
        [600, 20, 41, 80],
        # past the bottom edge
        [10, 401, 100, 80],
        # negative left
        [-1, 20, 100, 80],
        # negative top
        [10, -5, 100, 80],
    ],
)
def test_bbox_outside_image(tmp_path, bbox):
    document = small_coco()
    document["annotations"][0]["bbox"] = bbox
    path = write(tmp_path, document)

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    message = str(error.value)
    assert message.startswith(f"{path}: annotations[0] (id 10): bbox {bbox!r} lies outside image 'kitchen.jpg'")
    assert "(640 x 480 pixels)" in message


@pytest.mark.parametrize(
    "bbox",
    [
        # zero width
        [10, 20, 0, 80],
        # negative height
        [10, 20, 100, -3],
    ],
)
def test_bbox_non_positive_size(tmp_path, bbox):
    document = small_coco()
    document["annotations"][0]["bbox"] = bbox
    path = write(tmp_path, document)

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    assert str(error.value) == (
        f"{path}: annotations[0] (id 10): bbox {bbox!r} has a non-positive size; "
        "width and height must be > 0 pixels"
    )


@pytest.mark.parametrize(
    "bbox",
    [
        # three numbers
        [10, 20, 30],
        # a string inside
        [10, "20", 30, 40],
        # not a list
        "10,20,30,40",
        # booleans are not numbers
        [True, 20, 30, 40],
    ],
)
def test_bbox_wrong_shape(tmp_path, bbox):
    document = small_coco()
    document["annotations"][0]["bbox"] = bbox
    path = write(tmp_path, document)

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    assert str(error.value) == (
        f"{path}: annotations[0] (id 10): invalid bbox {bbox!r}: "
        "expected [x, y, width, height], four finite numbers"
    )


def test_image_size_must_be_positive(tmp_path):
    document = small_coco()
    document["images"][1]["height"] = 0
    path = write(tmp_path, document)

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    assert str(error.value) == (
        f"{path}: images[1] (id 2): invalid 'height' 0: expected a positive integer number of pixels"
    )


def test_duplicate_file_name(tmp_path):
    document = small_coco()
    document["images"][1]["file_name"] = "kitchen.jpg"
    path = write(tmp_path, document)

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    assert str(error.value) == (
        f"{path}: images[1] (id 2): duplicate file_name 'kitchen.jpg'; each image file may appear once"
    )


def test_file_name_with_folder(tmp_path):
    document = small_coco()
    document["images"][0]["file_name"] = "photos/kitchen.jpg"
    path = write(tmp_path, document)

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    assert "file_name 'photos/kitchen.jpg' contains a folder" in str(error.value)


def test_duplicate_annotation_id(tmp_path):
    document = small_coco()
    document["annotations"][1]["id"] = 10
    path = write(tmp_path, document)

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    assert str(error.value) == (
        f"{path}: annotations[1] (id 10): duplicate annotation id 10; annotation ids must be unique"
    )


def test_top_level_not_object(tmp_path):
    path = write(tmp_path, [1, 2])

    with pytest.raises(ValueError) as error:
        load_known_answers(path)

    assert str(error.value) == f"{path}: expected a COCO JSON object at the top level; got list"


@pytest.mark.skipif(not REAL_KNOWN_ANSWERS.exists(), reason="images/known_answers.json is not in the repository yet")
def test_real_known_answers_file():
    known = load_known_answers(REAL_KNOWN_ANSWERS)

    assert known, "the known-answers file lists no images"
    for file_name, image in known.items():
        assert image.file_name == file_name
        assert (REPO_ROOT / "images" / file_name).exists(), f"{file_name} is listed but not in images/"
        for known_object in image.objects:
            x, y, width, height = known_object.bbox_xywh
            assert width > 0
            assert height > 0
            assert x + width <= image.width
            assert y + height <= image.height
