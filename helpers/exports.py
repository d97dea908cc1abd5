"""Write boxes out as a COCO object-detection dataset.

COCO stores each box as ``bbox: [x, y, width, height]`` in pixels from the
image's top-left corner, the same order as MTurk's ``left, top, width,
height``. Each annotation also carries its ``area`` in square pixels and
``iscrowd`` (0 for a single object).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Mapping, Sequence

from .geometry import Box

__all__ = ["boxes_from_coco", "to_coco", "write_coco"]

logger = logging.getLogger(__name__)

DEFAULT_INFO = {"description": "Bounding boxes collected with the helpers toolkit"}
REQUIRED_IMAGE_KEYS = ("file_name", "width", "height")


def _image_entries(images: Sequence[Mapping]) -> list[dict]:
    """Build COCO image records with ids 1..N in input order, keeping extra keys."""
    entries: list[dict] = []
    seen: set[str] = set()
    for position, image in enumerate(images, start=1):
        missing = [key for key in REQUIRED_IMAGE_KEYS if key not in image]
        if missing:
            raise ValueError(
                f"image {position} is missing {', '.join(missing)}. Each image needs "
                f"file_name, width and height; got {dict(image)!r}"
            )
        file_name = image["file_name"]
        if file_name in seen:
            raise ValueError(f"image file_name {file_name!r} appears more than once; list each image once")
        seen.add(file_name)

        entry = {"id": position, "file_name": file_name,
                 "width": int(image["width"]), "height": int(image["height"])}
        for key, value in image.items():
            if key not in entry:
                entry[key] = value
        entries.append(entry)
    return entries


def _category_entries(categories, boxes_by_image: Mapping[str, Sequence[Box]]) -> list[dict]:
    """Build COCO category records from names, from records, or from the boxes' labels."""
    if categories is None:
        labels = {box.label for boxes in boxes_by_image.values() for box in boxes if box.label}
        categories = sorted(labels)

    entries: list[dict] = []
    for position, category in enumerate(categories, start=1):
        if isinstance(category, str):
            entries.append({"id": position, "name": category, "supercategory": ""})
        elif isinstance(category, Mapping) and "id" in category and "name" in category:
            entries.append(dict(category))
        else:
            raise ValueError(
                "categories must be label names or dicts with 'id' and 'name'; "
                f"got {category!r} at position {position}"
            )

    names = [entry["name"] for entry in entries]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ValueError(f"category names must be unique; {duplicated!r} appear more than once")
    return entries


def to_coco(images: Sequence[Mapping], boxes_by_image: Mapping[str, Sequence[Box]],
            categories: Sequence[str | Mapping] | None = None, *,
            info: Mapping | None = None) -> dict:
    """Build a COCO detection dataset from boxes grouped by image file name.

    ``images`` lists dicts with ``file_name``, ``width`` and ``height`` (in
    pixels); other keys, such as ``license``, are kept. Image ids are
    assigned 1..N in list order, replacing any ``id`` given.
    ``boxes_by_image`` maps a ``file_name`` to its ``xyxy`` boxes; every key
    must name one of ``images``. ``categories`` is a list of label names
    (ids 1..K in that order), a list of COCO category dicts (used as
    given), or None to use every label found, sorted by name.

    Each box becomes an annotation with ``bbox`` ``[x, y, width, height]``,
    ``area`` (width times height, in square pixels) and ``iscrowd`` 0.
    Annotation ids run 1..K in image order, then box order. Boxes with zero
    area are left out and logged, because COCO tools reject them. Raises
    ValueError for a box without a label, a label that is not a category,
    an inverted box (``x2 < x1`` or ``y2 < y1``), or a file name that is
    not in ``images``.

    >>> coco = to_coco([{"file_name": "dog.jpg", "width": 800, "height": 533}],
    ...                {"dog.jpg": [Box.from_xywh(243, 117, 187, 401, "dog")]})
    >>> coco["annotations"]
    [{'id': 1, 'image_id': 1, 'category_id': 1, 'bbox': [243.0, 117.0, 187.0, 401.0], 'area': 74987.0, 'iscrowd': 0}]
    """
    image_entries = _image_entries(images)
    image_ids = {entry["file_name"]: entry["id"] for entry in image_entries}
    unknown = [name for name in boxes_by_image if name not in image_ids]
    if unknown:
        raise ValueError(
            f"boxes_by_image has file names that are not in images: {unknown!r}; "
            "add them to images with their width and height"
        )

    category_entries = _category_entries(categories, boxes_by_image)
    category_ids = {entry["name"]: entry["id"] for entry in category_entries}

    annotations: list[dict] = []
    for image in image_entries:
        skipped = 0
        for box in boxes_by_image.get(image["file_name"], ()):
            if box.x2 < box.x1 or box.y2 < box.y1:
                raise ValueError(
                    f"box {box!r} in {image['file_name']!r} is inverted; "
                    "normalise it with geometry.normalize_xyxy before export"
                )
            if box.area <= 0.0:
                skipped += 1
                continue
            if box.label is None:
                raise ValueError(
                    f"box {box!r} in {image['file_name']!r} has no label; "
                    "every COCO annotation needs a category, so label the box or drop it"
                )
            if box.label not in category_ids:
                raise ValueError(
                    f"box {box!r} in {image['file_name']!r} has label {box.label!r}, "
                    f"which is not a category; categories are {sorted(category_ids)!r}"
                )
            x, y, width, height = box.xywh
            annotations.append({
                "id": len(annotations) + 1,
                "image_id": image["id"],
                "category_id": category_ids[box.label],
                "bbox": [x, y, width, height],
                "area": box.area,
                "iscrowd": 0,
            })
        if skipped:
            logger.warning("left out %d boxes with zero area in %s", skipped, image["file_name"])

    return {
        "info": dict(info) if info is not None else dict(DEFAULT_INFO),
        "licenses": [],
        "images": image_entries,
        "categories": category_entries,
        "annotations": annotations,
    }


def write_coco(path: str | os.PathLike, coco: Mapping) -> Path:
    """Write a COCO dict as UTF-8 JSON, indented by 2, keys in insertion order, ending in a newline.

    NaN or infinite numbers raise ValueError instead of writing invalid
    JSON. Missing parent folders are created. Returns the path written.
    """
    path = Path(path)
    text = json.dumps(coco, indent=2, ensure_ascii=False, allow_nan=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    logger.info("wrote %d images and %d annotations to %s",
                len(coco.get("images", ())), len(coco.get("annotations", ())), path)
    return path


def boxes_from_coco(coco: Mapping) -> dict[str, list[Box]]:
    """Read a COCO detection dict back into ``file_name -> list[Box]``.

    Every image appears, with an empty list when it has no annotations.
    Boxes keep annotation order and take their category's name as label.
    """
    names = {image["id"]: image["file_name"] for image in coco["images"]}
    labels = {category["id"]: category["name"] for category in coco["categories"]}

    boxes: dict[str, list[Box]] = {name: [] for name in names.values()}
    for annotation in coco["annotations"]:
        x, y, width, height = annotation["bbox"]
        label = labels[annotation["category_id"]]
        boxes[names[annotation["image_id"]]].append(Box.from_xywh(x, y, width, height, label))
    return boxes
