"""The batch that the tutorial series creates: one bounding-box HIT per image.

Notebook 02 builds this batch step by step. Notebooks 03 and 04 call
``ensure_batch``, which creates the same HITs when 02 has not run and finds
them when it has. Every HIT is created with a ``UniqueRequestToken`` made from
the batch name and the image's file name, so no call here creates a duplicate.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .geometry import Box

__all__ = [
    "ASSIGNMENTS_PER_IMAGE", "BATCH_NAME", "KNOWN_ANSWERS_PATH", "REWARD", "KnownAnswers",
    "default_ledger", "ensure_batch", "ensure_hit_type", "ensure_layout", "hit_type_properties", "layout_items",
    "load_known_answers",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
KNOWN_ANSWERS_PATH = REPO_ROOT / "images" / "known_answers.json"

BATCH_NAME = "bbox-series-v1"
LAYOUT_NAME = "Bounding boxes (tutorial series)"
REWARD = "0.25"
ASSIGNMENTS_PER_IMAGE = 5
HIT_LIFETIME_SECONDS = 3 * 24 * 3600
ASSIGNMENT_DURATION_SECONDS = 15 * 60
AUTO_APPROVAL_DELAY_SECONDS = 3 * 24 * 3600

# System qualification type ids, the same in the sandbox and in production.
PERCENT_ASSIGNMENTS_APPROVED = "000000000000000000L0"
NUMBER_HITS_APPROVED = "00000000000000000040"

# Ledgers of the HITs created on the sandbox and in production, one file a target.
LEDGER_DIR = REPO_ROOT / "ledgers"

# Environment variable that contains the HITLayoutId of the bounding-box project
# created on the requester website, for the sandbox and production targets.
LAYOUT_ID_VARIABLE = "MTURK_BBOX_LAYOUT_ID"


@dataclass(frozen=True)
class KnownAnswers:
    """The images of the series and the true boxes in each, read from COCO JSON."""

    images: list[dict]
    boxes_by_file: dict[str, list[Box]]

    def labels(self, file_name: str) -> list[str]:
        """Return the categories boxed in ``file_name``, in first-seen order."""
        return list(dict.fromkeys(box.label for box in self.boxes_by_file[file_name]))


def load_known_answers(path: str | os.PathLike = KNOWN_ANSWERS_PATH) -> KnownAnswers:
    """Read a COCO detection file into image records and ``xyxy`` boxes per file name."""
    coco = json.loads(Path(path).read_text())
    category_names = {category["id"]: category["name"] for category in coco["categories"]}
    file_names = {image["id"]: image["file_name"] for image in coco["images"]}
    boxes_by_file: dict[str, list[Box]] = {image["file_name"]: [] for image in coco["images"]}
    for annotation in coco["annotations"]:
        left, top, width, height = annotation["bbox"]
        box = Box.from_xywh(left, top, width, height, category_names[annotation["category_id"]])
        boxes_by_file[file_names[annotation["image_id"]]].append(box)
    return KnownAnswers(images=list(coco["images"]), boxes_by_file=boxes_by_file)


def hit_type_properties() -> dict:
    """Return the CreateHITType arguments shared by every HIT of the batch."""
    return {
        "Title": "Draw a box around every object of the named kinds",
        "Description": "Look at one photo and draw a tight box around each object of the kinds we name.",
        "Keywords": "image, bounding box, annotation, drawing",
        "Reward": REWARD,
        "AssignmentDurationInSeconds": ASSIGNMENT_DURATION_SECONDS,
        "AutoApprovalDelayInSeconds": AUTO_APPROVAL_DELAY_SECONDS,
        "QualificationRequirements": [
            {"QualificationTypeId": PERCENT_ASSIGNMENTS_APPROVED, "Comparator": "GreaterThanOrEqualTo",
             "IntegerValues": [95], "ActionsGuarded": "Accept"},
            {"QualificationTypeId": NUMBER_HITS_APPROVED, "Comparator": "GreaterThanOrEqualTo",
             "IntegerValues": [100], "ActionsGuarded": "Accept"},
        ],
    }


def ensure_hit_type(client) -> str:
    """Return the HIT type id; CreateHITType returns the same id for the same properties."""
    return client.create_hit_type(**hit_type_properties())["HITTypeId"]


def ensure_layout(connection) -> str:
    """Return the HITLayoutId of the bounding-box template for this connection's target.

    Locally the template is registered on the local requester site. On the
    sandbox and in production, create a project from the same template on the
    requester website and put its layout id in ``MTURK_BBOX_LAYOUT_ID``.
    """
    if connection.target == "local":
        from .local import register_layout
        from .questions import load_template
        return register_layout(connection, LAYOUT_NAME, load_template("bounding_box"))
    layout_id = os.environ.get(LAYOUT_ID_VARIABLE)
    if not layout_id:
        raise RuntimeError(
            f"{LAYOUT_ID_VARIABLE} is not set: create a project on the {connection.target} requester website "
            "from helpers/templates/bounding_box.html and set the variable to its HITLayoutId")
    return layout_id


def layout_items(known: KnownAnswers, image_base_url: str) -> list[tuple[str, dict]]:
    """Return one ``(file_name, layout parameters)`` pair per image, in file order."""
    if not image_base_url:
        raise ValueError("image_base_url is empty: set MTURK_IMAGE_BASE_URL to the HTTPS folder that serves images/")
    items = []
    for image in known.images:
        file_name = image["file_name"]
        items.append((file_name, {
            "image_url": image_base_url.rstrip("/") + "/" + file_name,
            "objects_to_find": ", ".join(known.labels(file_name)),
        }))
    return items


def default_ledger(connection):
    """Return the ledger of this connection's HITs.

    MTurk keeps a ``UniqueRequestToken`` for only 24 hours, so the ledger is
    what keeps a later run from creating the batch again. A local service's
    ledger lives in its state folder and is emptied with it; the sandbox and
    production each have one file in ``ledgers/``.
    """
    from .batches import Ledger

    if connection.target == "local" and connection.state_dir is not None:
        # The local service removes this file when its state is reset.
        return Ledger(Path(connection.state_dir) / "ledger.json")
    if connection.target == "local":
        return None
    return Ledger(LEDGER_DIR / f"{connection.target}.json")


def ensure_batch(connection, known: KnownAnswers | None = None, ledger=None) -> list[dict]:
    """Create the series' HITs, or find them when they exist; return them in image order.

    ``ledger`` defaults to ``default_ledger(connection)``. Each returned HIT
    dict has an extra key ``ItemId``: the image's file name.
    """
    from .batches import create_batch

    known = known or load_known_answers()
    if ledger is None:
        ledger = default_ledger(connection)
    return create_batch(
        connection.client,
        hit_type_id=ensure_hit_type(connection.client),
        items=layout_items(known, connection.image_base_url),
        batch_name=BATCH_NAME,
        lifetime_seconds=HIT_LIFETIME_SECONDS,
        max_assignments=ASSIGNMENTS_PER_IMAGE,
        layout_id=ensure_layout(connection),
        ledger=ledger,
        budget=connection.budget,
        reward=REWARD,
    )
