"""Load the known answers (true boxes) that the simulated crowd draws from.

The file is COCO object-detection JSON::

    {"images": [{"id": 1, "file_name": "kitchen.jpg", "width": 640, "height": 480, ...}],
     "categories": [{"id": 1, "name": "cup", "supercategory": "kitchenware"}],
     "annotations": [{"id": 1, "image_id": 1, "category_id": 1,
                      "bbox": [12, 30, 100, 80], "area": 8000, "iscrowd": 0}]}

``bbox`` is COCO ``xywh``: left, top, width and height in image pixels, with
the origin at the top-left corner. ``info`` and ``licenses`` are optional and
not read. Annotations with ``iscrowd`` 1 mark a region of several objects, so
they are skipped: a worker boxes single objects.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from typing import Any

__all__ = ["KnownImage", "KnownObject", "load_known_answers"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnownObject:
    """One true object: its category name and COCO ``xywh`` box in pixels."""

    label: str
    bbox_xywh: tuple[float, float, float, float]


@dataclass(frozen=True)
class KnownImage:
    """An image with known answers: file name, natural size in pixels, objects."""

    file_name: str
    width: int
    height: int
    objects: tuple[KnownObject, ...]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_positive_int(value: Any) -> bool:
    return _is_integer(value) and value > 0


def _entry_name(section: str, index: int, entry: Any) -> str:
    """Name an entry for an error message, like ``annotations[3] (id 17)``."""
    if isinstance(entry, dict) and "id" in entry:
        return f"{section}[{index}] (id {entry['id']!r})"
    return f"{section}[{index}]"


def _read_json(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"known answers file not found: {path}; pass the path of a COCO JSON file"
        ) from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: the file is not UTF-8 text ({error})") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a COCO JSON object at the top level; got {type(document).__name__}")
    for section in ("images", "categories", "annotations"):
        if not isinstance(document.get(section), list):
            raise ValueError(f"{path}: missing or invalid '{section}': expected a JSON list")
    return document


def _read_images(path: str, entries: list[Any]) -> dict[int, dict[str, Any]]:
    """Validate ``images`` and return them keyed by image id."""
    images_by_id: dict[int, dict[str, Any]] = {}
    file_names: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"{path}: {_entry_name('images', index, entry)}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a JSON object; got {entry!r}")
        image_id = entry.get("id")
        if not _is_integer(image_id):
            raise ValueError(f"{where}: missing or invalid 'id': expected an integer; got {image_id!r}")
        if image_id in images_by_id:
            raise ValueError(f"{where}: duplicate image id {image_id!r}; image ids must be unique")
        file_name = entry.get("file_name")
        if not isinstance(file_name, str) or not file_name:
            raise ValueError(f"{where}: missing or invalid 'file_name': expected a non-empty string; got {file_name!r}")
        if "/" in file_name or "\\" in file_name:
            raise ValueError(
                f"{where}: file_name {file_name!r} contains a folder; use the bare file name, "
                "because tasks name an image by the last segment of its URL"
            )
        if file_name in file_names:
            raise ValueError(f"{where}: duplicate file_name {file_name!r}; each image file may appear once")
        for key in ("width", "height"):
            if not _is_positive_int(entry.get(key)):
                raise ValueError(
                    f"{where}: invalid '{key}' {entry.get(key)!r}: expected a positive integer number of pixels"
                )
        images_by_id[image_id] = entry
        file_names.add(file_name)
    return images_by_id


def _read_categories(path: str, entries: list[Any]) -> dict[int, str]:
    """Validate ``categories`` and return category names keyed by id."""
    names_by_id: dict[int, str] = {}
    for index, entry in enumerate(entries):
        where = f"{path}: {_entry_name('categories', index, entry)}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a JSON object; got {entry!r}")
        category_id = entry.get("id")
        if not _is_integer(category_id):
            raise ValueError(f"{where}: missing or invalid 'id': expected an integer; got {category_id!r}")
        if category_id in names_by_id:
            raise ValueError(f"{where}: duplicate category id {category_id!r}; category ids must be unique")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where}: missing or invalid 'name': expected a non-empty string; got {name!r}")
        names_by_id[category_id] = name.strip()
    return names_by_id


def _read_bbox(where: str, bbox: Any, image: dict[str, Any]) -> tuple[float, float, float, float]:
    """Validate one COCO ``bbox`` against its image and return it as floats."""
    if not isinstance(bbox, list) or len(bbox) != 4 or not all(_is_number(value) for value in bbox):
        raise ValueError(f"{where}: invalid bbox {bbox!r}: expected [x, y, width, height], four finite numbers")
    x, y, width, height = (float(value) for value in bbox)
    if width <= 0 or height <= 0:
        raise ValueError(f"{where}: bbox {bbox!r} has a non-positive size; width and height must be > 0 pixels")
    image_width, image_height = image["width"], image["height"]
    if x < 0 or y < 0 or x + width > image_width or y + height > image_height:
        raise ValueError(
            f"{where}: bbox {bbox!r} lies outside image {image['file_name']!r} "
            f"({image_width} x {image_height} pixels): need x >= 0, y >= 0, "
            f"x + width <= {image_width} and y + height <= {image_height}"
        )
    return (x, y, width, height)


def load_known_answers(path: str | os.PathLike[str]) -> dict[str, KnownImage]:
    """Load and validate a COCO known-answers file.

    Returns one ``KnownImage`` per entry of ``images``, keyed by
    ``file_name``, with its objects in the order of ``annotations``. An image
    without annotations has no objects.

    Raises ``FileNotFoundError`` for a missing file. Raises ``ValueError``,
    naming the file and the entry, for invalid JSON, a duplicate id or file
    name, an unknown ``image_id`` or ``category_id``, and a bbox with a
    non-positive size or outside its image.
    """
    path = os.fspath(path)
    document = _read_json(path)
    images_by_id = _read_images(path, document["images"])
    category_names = _read_categories(path, document["categories"])

    objects_by_image_id: dict[int, list[KnownObject]] = {image_id: [] for image_id in images_by_id}
    skipped_crowd_regions = 0
    annotation_ids: set[int] = set()
    for index, entry in enumerate(document["annotations"]):
        where = f"{path}: {_entry_name('annotations', index, entry)}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a JSON object; got {entry!r}")
        annotation_id = entry.get("id")
        if annotation_id is not None:
            if not _is_integer(annotation_id):
                raise ValueError(f"{where}: invalid 'id' {annotation_id!r}: expected an integer")
            if annotation_id in annotation_ids:
                raise ValueError(f"{where}: duplicate annotation id {annotation_id!r}; annotation ids must be unique")
            annotation_ids.add(annotation_id)
        image_id = entry.get("image_id")
        if not _is_integer(image_id) or image_id not in images_by_id:
            raise ValueError(f"{where}: unknown image_id {image_id!r}; it must match the id of an entry in 'images'")
        category_id = entry.get("category_id")
        if not _is_integer(category_id) or category_id not in category_names:
            raise ValueError(
                f"{where}: unknown category_id {category_id!r}; it must match the id of an entry in 'categories'"
            )
        bbox_xywh = _read_bbox(where, entry.get("bbox"), images_by_id[image_id])
        iscrowd = entry.get("iscrowd", 0)
        if iscrowd not in (0, 1) or isinstance(iscrowd, bool):
            raise ValueError(f"{where}: invalid iscrowd {iscrowd!r}: expected 0 or 1")
        if iscrowd == 1:
            skipped_crowd_regions += 1
            continue
        objects_by_image_id[image_id].append(KnownObject(category_names[category_id], bbox_xywh))

    known_images: dict[str, KnownImage] = {}
    for image_id, image in images_by_id.items():
        known_images[image["file_name"]] = KnownImage(
            file_name=image["file_name"],
            width=image["width"],
            height=image["height"],
            objects=tuple(objects_by_image_id[image_id]),
        )
    if skipped_crowd_regions:
        logger.info("skipped %d iscrowd=1 annotations in %s", skipped_crowd_regions, path)
    logger.debug("loaded known answers for %d images from %s", len(known_images), path)
    return known_images
