"""Read worker answers: QuestionFormAnswers XML to fields, fields to boxes.

Everything in an answer is untrusted, because a worker can post any form
fields to the submit URL. So this module parses JSON with ``json.loads`` only,
never ``eval`` or ``ast.literal_eval``, checks every number, and reports a bad
answer on that assignment instead of raising, so that one bad answer never
stops a batch.

Two answer shapes carry boxes, both as MTurk's ``left, top, width, height`` in
image pixels:

* The project's own template (and the classic MTurk bounding-box layout) posts a
  field ``annotation_data`` holding a flat JSON list of
  ``{"left", "top", "width", "height", "label"}`` objects, plus the image's
  natural size in ``image_width`` and ``image_height``.
* A ``<crowd-form>`` with a ``<crowd-bounding-box name="NAME">`` element posts
  one field ``taskAnswers`` holding a JSON array with one object keyed by
  element name:
  ``[{"NAME": {"boundingBoxes": [...], "inputImageProperties": {"width", "height"}}}]``.
  With ``answer-format="flatten-objects"`` the same data comes as fields
  ``NAME.boundingBoxes``, ``NAME.inputImageProperties.width`` and
  ``NAME.inputImageProperties.height``.

Both shapes become :class:`helpers.geometry.Box` objects (``xyxy`` floats).
"""

from __future__ import annotations

import json
import logging
import math
from xml.parsers.expat import ExpatError
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import xmltodict

from helpers.geometry import Box

__all__ = [
    "AnswerFormatError",
    "AssignmentAnswer",
    "ParsedBoxes",
    "BOX_STATUSES",
    "parse_answer_xml",
    "parse_boxes",
    "clean_boxes",
    "scale_boxes",
    "parse_assignment",
]

logger = logging.getLogger(__name__)

QUESTION_FORM_ANSWERS_TAG = "QuestionFormAnswers"

# Field names of the project's bounding-box template.
ANNOTATION_FIELD = "annotation_data"
IMAGE_WIDTH_FIELD = "image_width"
IMAGE_HEIGHT_FIELD = "image_height"

# The single field that a <crowd-form> submits.
CROWD_FORM_FIELD = "taskAnswers"
BOUNDING_BOXES_KEY = "boundingBoxes"
IMAGE_PROPERTIES_KEY = "inputImageProperties"

BOX_NUMBER_KEYS = ("left", "top", "width", "height")

BOX_STATUSES = ("ok", "no_boxes", "empty_field", "unparseable", "unknown_shape")
"""Values of ``ParsedBoxes.status`` and ``AssignmentAnswer.box_status``."""

DEFAULT_MIN_SIZE_PX = 2


class AnswerFormatError(ValueError):
    """The Answer string is not a QuestionFormAnswers XML document."""


@dataclass
class ParsedBoxes:
    """Boxes read from one assignment's fields, before cleaning.

    ``status`` is one of :data:`BOX_STATUSES`:

    * ``"ok"``: at least one box was read.
    * ``"no_boxes"``: the box field is a valid, empty list.
    * ``"empty_field"``: the box field is present but empty or blank.
    * ``"unparseable"``: the box field is not valid JSON (kept in ``raw_text``).
    * ``"unknown_shape"``: no box field was found, or its JSON has another
      shape, or none of its entries is a valid box.

    ``image_size`` is the image's ``(width, height)`` in pixels as the answer
    states it, or None when the answer does not state it. ``raw_text`` is the
    box field exactly as the worker sent it ("" when there is none).
    """

    boxes: list[Box] = field(default_factory=list)
    image_size: tuple[float, float] | None = None
    status: str = "unknown_shape"
    problems: list[str] = field(default_factory=list)
    raw_text: str = ""


@dataclass
class AssignmentAnswer:
    """One assignment's answer, parsed and cleaned, ready for scoring.

    ``status`` is the assignment's ``AssignmentStatus`` (Submitted, Approved or
    Rejected). ``boxes`` are cleaned ``xyxy`` boxes in the image's file pixels.
    ``image_size`` is the ``(width, height)`` the boxes refer to, or None when
    neither the caller nor the answer gave one. ``needs_review`` is True when
    ``box_status`` is not ``"ok"`` or ``problems`` is not empty. ``raw_text``
    is the box field as the worker sent it or, when the Answer XML itself is
    invalid, the whole Answer string. ``box_status`` is one of
    :data:`BOX_STATUSES`, and is ``"no_boxes"`` also when cleaning dropped
    every box.
    """

    assignment_id: str
    worker_id: str
    hit_id: str
    status: str
    fields: dict[str, str]
    boxes: list[Box]
    image_size: tuple[float, float] | None
    needs_review: bool
    problems: list[str]
    raw_text: str
    box_status: str = "ok"


# ---------------------------------------------------------------------------
# QuestionFormAnswers XML -> fields


def parse_answer_xml(xml: str | None) -> dict[str, str]:
    """Parse a QuestionFormAnswers document into ``{QuestionIdentifier: value}``.

    Works for zero, one or many ``<Answer>`` elements. The value is the
    ``FreeText`` exactly as sent, so an empty ``<FreeText/>`` gives "". For
    QuestionForm HITs, the ``SelectionIdentifier`` values of one answer are
    joined with ``"|"`` in document order (with any ``OtherSelectionText`` as
    the last item), and an ``UploadedFileKey`` is returned as the value.
    A missing or blank Answer (None or "") gives ``{}``.

    When a QuestionIdentifier appears more than once, the first value is kept
    and a warning is logged; :func:`parse_assignment` also reports it.

    Raises:
        AnswerFormatError: the text is not well-formed XML, its root is not
            ``QuestionFormAnswers``, or an ``Answer`` has no identifier.
        TypeError: ``xml`` is neither a str nor None.
    """
    fields, duplicates = _read_answer_xml(xml)
    if duplicates:
        logger.warning("Answer repeats QuestionIdentifier %s; kept the first value of each",
                       ", ".join(repr(name) for name in duplicates))
    return fields


def _read_answer_xml(xml: str | None) -> tuple[dict[str, str], list[str]]:
    """Return the fields and the QuestionIdentifiers that occur more than once."""
    if xml is None:
        return {}, []
    if not isinstance(xml, str):
        raise TypeError(f"Answer must be a str of QuestionFormAnswers XML or None, "
                        f"got {type(xml).__name__}")
    if not xml.strip():
        return {}, []

    try:
        # strip_whitespace=False keeps FreeText exactly as the worker typed it.
        # xmltodict 1.0 rejects entity declarations by default (no entity expansion).
        document = xmltodict.parse(xml, force_list=("Answer", "SelectionIdentifier"),
                                   strip_whitespace=False)
    except (ExpatError, ValueError) as error:
        # expat raises ExpatError for text that is not well-formed XML, and
        # xmltodict raises ValueError for an entity declaration.
        shown = xml if len(xml) <= 80 else xml[:80] + "..."
        raise AnswerFormatError(f"Answer is not well-formed XML ({error}): {shown!r}") from error

    root_name, root = next(iter(document.items()))
    if _local_name(root_name) != QUESTION_FORM_ANSWERS_TAG:
        raise AnswerFormatError(f"Answer XML must have the root element "
                                f"{QUESTION_FORM_ANSWERS_TAG}, got {root_name!r}")
    if not isinstance(root, dict):
        return {}, []

    fields: dict[str, str] = {}
    duplicates: list[str] = []
    for position, answer in enumerate(_children(root, "Answer"), start=1):
        name, value = _read_one_answer(answer, position)
        if name in fields:
            if name not in duplicates:
                duplicates.append(name)
            continue
        fields[name] = value
    return fields, duplicates


def _local_name(tag: str) -> str:
    return tag.rsplit(":", 1)[-1]


def _children(node: dict, tag: str) -> list[Any]:
    """Return the child elements named ``tag``, with or without a namespace prefix."""
    found: list[Any] = []
    for key, value in node.items():
        if key.startswith(("@", "#")) or _local_name(key) != tag:
            continue
        found.extend(value if isinstance(value, list) else [value])
    return found


def _element_text(node: Any, what: str) -> str:
    """Return the text of a leaf element as xmltodict gives it (None, str or dict)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        if any(not key.startswith(("@", "#")) for key in node):
            raise AnswerFormatError(f"{what} must contain only text, not child elements")
        return node.get("#text") or ""
    raise AnswerFormatError(f"{what} occurs more than once in one Answer")


def _read_one_answer(answer: Any, position: int) -> tuple[str, str]:
    if not isinstance(answer, dict):
        raise AnswerFormatError(f"Answer {position} has no QuestionIdentifier element")
    identifiers = _children(answer, "QuestionIdentifier")
    if len(identifiers) != 1:
        raise AnswerFormatError(f"Answer {position} must have exactly one QuestionIdentifier, "
                                f"found {len(identifiers)}")
    name = _element_text(identifiers[0], f"QuestionIdentifier of Answer {position}").strip()
    if not name:
        raise AnswerFormatError(f"Answer {position} has an empty QuestionIdentifier")

    free_texts = _children(answer, "FreeText")
    if free_texts:
        if len(free_texts) > 1:
            raise AnswerFormatError(f"FreeText occurs more than once in the Answer for {name!r}")
        return name, _element_text(free_texts[0], f"FreeText of {name!r}")

    choices = [_element_text(node, f"SelectionIdentifier of {name!r}")
               for node in _children(answer, "SelectionIdentifier")]
    choices += [_element_text(node, f"OtherSelectionText of {name!r}")
                for node in _children(answer, "OtherSelectionText")]
    if choices:
        return name, "|".join(choices)

    uploads = _children(answer, "UploadedFileKey")
    if uploads:
        return name, _element_text(uploads[0], f"UploadedFileKey of {name!r}")
    return name, ""


# ---------------------------------------------------------------------------
# fields -> boxes


class _BadValue(Exception):
    """A worker-supplied value failed validation. The message gives the reason."""


def parse_boxes(fields: Mapping[str, str | None]) -> ParsedBoxes:
    """Read boxes from an assignment's fields, in whichever shape they come.

    Looks for, in this order: ``annotation_data`` (flat list), ``taskAnswers``
    (crowd-form), then the first field whose name ends in ``.boundingBoxes``
    (flattened crowd-form). Entries that are not valid boxes are skipped with a
    problem each. Numbers must be finite real JSON numbers: strings, booleans,
    NaN and infinities are rejected. Negative sizes are kept as given here;
    :func:`clean_boxes` normalises them.

    Never raises for any str values in ``fields``. :class:`ParsedBoxes`
    lists the statuses.
    """
    if ANNOTATION_FIELD in fields:
        return _parse_flat_list(fields)
    if CROWD_FORM_FIELD in fields:
        return _parse_crowd_form(fields[CROWD_FORM_FIELD] or "")
    for name in fields:
        if name.endswith("." + BOUNDING_BOXES_KEY):
            return _parse_flattened_crowd_form(fields, name)

    names = ", ".join(repr(name) for name in fields) or "none"
    return ParsedBoxes(status="unknown_shape", problems=[
        f"no box field found (expected {ANNOTATION_FIELD!r}, {CROWD_FORM_FIELD!r} "
        f"or '<name>.{BOUNDING_BOXES_KEY}'); fields present: {names}"])


def _parse_flat_list(fields: Mapping[str, str | None]) -> ParsedBoxes:
    raw_text = fields[ANNOTATION_FIELD] or ""
    problems: list[str] = []
    image_size = _read_size_fields(fields, IMAGE_WIDTH_FIELD, IMAGE_HEIGHT_FIELD, problems)
    parsed = _parse_box_list_text(raw_text, ANNOTATION_FIELD)
    parsed.image_size = image_size
    parsed.problems[:0] = problems
    return parsed


def _parse_flattened_crowd_form(fields: Mapping[str, str | None], box_field: str) -> ParsedBoxes:
    prefix = box_field[: -len(BOUNDING_BOXES_KEY)] + IMAGE_PROPERTIES_KEY
    problems: list[str] = []
    image_size = _read_size_fields(fields, prefix + ".width", prefix + ".height", problems)
    parsed = _parse_box_list_text(fields[box_field] or "", box_field)
    parsed.image_size = image_size
    parsed.problems[:0] = problems
    return parsed


def _load_field_json(raw_text: str, field_name: str) -> tuple[Any, ParsedBoxes | None]:
    """Return ``(data, None)`` for valid JSON, or ``(None, record)`` for an empty or invalid field."""
    if not raw_text.strip():
        return None, ParsedBoxes(status="empty_field", raw_text=raw_text,
                                 problems=[f"{field_name} is empty, so the worker drew no boxes"])
    try:
        return _load_json(raw_text), None
    except _BadValue as error:
        return None, ParsedBoxes(status="unparseable", raw_text=raw_text,
                                 problems=[f"{field_name} is not valid JSON: {error}"])


def _parse_box_list_text(raw_text: str, field_name: str) -> ParsedBoxes:
    """Parse a field whose JSON is a flat list of box objects."""
    data, failure = _load_field_json(raw_text, field_name)
    if failure is not None:
        return failure
    if not isinstance(data, list):
        return ParsedBoxes(status="unknown_shape", raw_text=raw_text, problems=[
            f"{field_name} must be a JSON list of boxes, got a JSON {_json_type(data)}"])
    return _boxes_from_entries(data, field_name, raw_text)


def _parse_crowd_form(raw_text: str) -> ParsedBoxes:
    data, failure = _load_field_json(raw_text, CROWD_FORM_FIELD)
    if failure is not None:
        return failure

    def unknown(problem: str) -> ParsedBoxes:
        return ParsedBoxes(status="unknown_shape", raw_text=raw_text, problems=[problem])

    if not isinstance(data, list) or len(data) != 1 or not isinstance(data[0], dict):
        return unknown(f"{CROWD_FORM_FIELD} must be a JSON array holding one object, "
                       f"got {_describe_json(data)}")
    elements = {name: value for name, value in data[0].items()
                if isinstance(value, dict) and BOUNDING_BOXES_KEY in value}
    if len(elements) != 1:
        found = ", ".join(repr(name) for name in elements) or "none"
        return unknown(f"{CROWD_FORM_FIELD} must hold exactly one element with "
                       f"{BOUNDING_BOXES_KEY!r}, found {found}")

    name, element = next(iter(elements.items()))
    where = f"{CROWD_FORM_FIELD} element {name!r}"
    entries = element[BOUNDING_BOXES_KEY]
    if not isinstance(entries, list):
        return unknown(f"{where}: {BOUNDING_BOXES_KEY} must be a JSON list, "
                       f"got a JSON {_json_type(entries)}")

    problems: list[str] = []
    image_size = _read_image_properties(element.get(IMAGE_PROPERTIES_KEY), where, problems)
    parsed = _boxes_from_entries(entries, where, raw_text)
    parsed.image_size = image_size
    parsed.problems[:0] = problems
    return parsed


def _boxes_from_entries(entries: list, where: str, raw_text: str) -> ParsedBoxes:
    if not entries:
        return ParsedBoxes(status="no_boxes", raw_text=raw_text,
                           problems=[f"{where} holds an empty list, so the worker drew no boxes"])
    boxes: list[Box] = []
    problems: list[str] = []
    for index, entry in enumerate(entries):
        try:
            boxes.append(_box_from_entry(entry))
        except _BadValue as error:
            problems.append(f"{where} box {index} skipped: {error}")
    status = "ok" if boxes else "unknown_shape"
    return ParsedBoxes(boxes=boxes, status=status, problems=problems, raw_text=raw_text)


def _box_from_entry(entry: Any) -> Box:
    if not isinstance(entry, dict):
        raise _BadValue(f"expected a JSON object with {', '.join(BOX_NUMBER_KEYS)}, "
                        f"got a JSON {_json_type(entry)}")
    missing = [key for key in BOX_NUMBER_KEYS if key not in entry]
    if missing:
        raise _BadValue(f"missing {', '.join(missing)}")
    left, top, width, height = (_finite_number(entry[key], key) for key in BOX_NUMBER_KEYS)

    label = entry.get("label")
    if label is not None and not isinstance(label, str):
        raise _BadValue(f"label must be a JSON string, got a JSON {_json_type(label)}")
    return Box.from_xywh(left, top, width, height, label)


def _finite_number(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is a finite JSON number, else raise _BadValue."""
    # bool is a subclass of int, so check it first.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _BadValue(f"{name} must be a finite number, got {_short_repr(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise _BadValue(f"{name} must be a finite number, got a {len(str(value))}-digit integer") from None
    if not math.isfinite(number):
        raise _BadValue(f"{name} must be a finite number, got {value!r}")
    return number


def _read_size_fields(fields: Mapping[str, str | None], width_field: str, height_field: str,
                      problems: list[str]) -> tuple[float, float] | None:
    """Read an image size stated in two text fields, or None with a problem when invalid."""
    if width_field not in fields and height_field not in fields:
        return None
    try:
        width = _size_from_text(fields.get(width_field), width_field)
        height = _size_from_text(fields.get(height_field), height_field)
    except _BadValue as error:
        problems.append(f"image size ignored: {error}")
        return None
    return (width, height)


def _size_from_text(text: str | None, name: str) -> float:
    if text is None or not text.strip():
        raise _BadValue(f"{name} is missing or empty")
    try:
        value = _load_json(text)
    except _BadValue:
        raise _BadValue(f"{name} must be a number of pixels, got {_short_repr(text)}") from None
    return _positive_size(value, name)


def _read_image_properties(properties: Any, where: str,
                           problems: list[str]) -> tuple[float, float] | None:
    if properties is None:
        return None
    try:
        if not isinstance(properties, dict):
            raise _BadValue(f"{IMAGE_PROPERTIES_KEY} must be a JSON object, "
                            f"got a JSON {_json_type(properties)}")
        width = _positive_size(properties.get("width"), f"{IMAGE_PROPERTIES_KEY}.width")
        height = _positive_size(properties.get("height"), f"{IMAGE_PROPERTIES_KEY}.height")
    except _BadValue as error:
        problems.append(f"{where}: image size ignored: {error}")
        return None
    return (width, height)


def _positive_size(value: Any, name: str) -> float:
    number = _finite_number(value, name)
    if number <= 0:
        raise _BadValue(f"{name} must be greater than 0, got {value!r}")
    return _plain_number(number)


def _plain_number(number: float) -> float:
    """Return an integral float as int, so sizes print as 800x533, not 800.0x533.0."""
    return int(number) if number.is_integer() else number


def _load_json(text: str) -> Any:
    """Parse worker JSON. NaN and Infinity parse as floats so the number check rejects them."""
    try:
        return json.loads(text, parse_constant=float)
    except (ValueError, RecursionError) as error:
        # json.JSONDecodeError is a ValueError; so is an integer with too many digits.
        # RecursionError comes from deeply nested arrays.
        raise _BadValue(str(error) or type(error).__name__) from None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _describe_json(value: Any) -> str:
    if isinstance(value, list):
        return f"a JSON array of {len(value)} item(s)"
    return f"a JSON {_json_type(value)}"


def _short_repr(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


# ---------------------------------------------------------------------------
# cleaning and scaling


def clean_boxes(boxes: Iterable[Box], image_wh: tuple[float, float] | None,
                min_size_px: float = DEFAULT_MIN_SIZE_PX) -> tuple[list[Box], list[str]]:
    """Normalise, clip and filter boxes, returning ``(kept_boxes, problems)``.

    For each box, in order:

    1. A negative width or height is flipped, so ``{left 200, width -80}``
       becomes ``x1=120, x2=200``. Each flip adds a problem.
    2. The box is clipped to ``[0, width] x [0, height]`` of ``image_wh``
       (skipped when ``image_wh`` is None). Clipping alone adds no problem.
    3. A box with no area after clipping (outside the image, or zero width or
       height) is dropped with a problem.
    4. A box narrower or shorter than ``min_size_px`` pixels, such as the 1x1
       box from a click without a drag, is dropped with a problem.

    So each dropped box adds exactly one problem. ``min_size_px=0`` keeps every
    box that has some area.

    Raises:
        ValueError: ``image_wh`` is not two positive numbers, or
            ``min_size_px`` is negative or not finite.
    """
    if image_wh is not None:
        image_width, image_height = _check_size_pair(image_wh, "image_wh")
    _check_min_size(min_size_px)

    kept: list[Box] = []
    problems: list[str] = []
    for index, box in enumerate(boxes):
        name = _box_name(index, box)
        if box.x2 < box.x1 or box.y2 < box.y1:
            flipped = Box(min(box.x1, box.x2), min(box.y1, box.y2),
                          max(box.x1, box.x2), max(box.y1, box.y2), box.label)
            problems.append(f"{name} had a negative width or height; normalised "
                            f"{_xywh_text(box)} to {_xyxy_text(flipped)}")
            box = flipped

        clipped = box
        if image_wh is not None:
            clipped = Box(_clamp(box.x1, image_width), _clamp(box.y1, image_height),
                          _clamp(box.x2, image_width), _clamp(box.y2, image_height), box.label)
            if clipped != box:
                logger.debug("clipped %s from %s to %s", name, _xyxy_text(box), _xyxy_text(clipped))

        if clipped.width <= 0 or clipped.height <= 0:
            if box.width > 0 and box.height > 0:
                reason = (f"lies outside the {_number_text(image_width)}x"
                          f"{_number_text(image_height)} image")
            else:
                reason = "has zero width or height"
            problems.append(f"{name} dropped: {_xyxy_text(box)} {reason}")
            continue
        if clipped.width < min_size_px or clipped.height < min_size_px:
            problems.append(f"{name} dropped: {_xyxy_text(clipped)} is smaller than "
                            f"min_size_px={_number_text(min_size_px)}")
            continue
        kept.append(clipped)
    return kept, problems


def scale_boxes(boxes: Iterable[Box], from_wh: tuple[float, float],
                to_wh: tuple[float, float]) -> list[Box]:
    """Rescale boxes drawn on an image of size ``from_wh`` to one of size ``to_wh``.

    Each axis is scaled separately (x by ``to_w / from_w``, y by
    ``to_h / from_h``), so ``{left 17, top 215, width 1903, height 697}``
    stated for 1920x1080 becomes ``{11.333, 143.333, 1268.667, 464.667}`` on
    a 1280x720 file. Logs a warning when the sizes differ, because a
    difference usually means the HIT page reported display pixels instead of
    the image's natural pixels. Returns a new list.

    Raises:
        ValueError: either size is not two positive numbers.
    """
    from_width, from_height = _check_size_pair(from_wh, "from_wh")
    to_width, to_height = _check_size_pair(to_wh, "to_wh")
    boxes = list(boxes)
    if (from_width, from_height) == (to_width, to_height):
        return boxes

    scale_x = to_width / from_width
    scale_y = to_height / from_height
    logger.warning("scaling %d box(es) from a %sx%s image to %sx%s (x by %.4g, y by %.4g); "
                   "the answer's coordinates were not in the file's pixels",
                   len(boxes), _number_text(from_width), _number_text(from_height),
                   _number_text(to_width), _number_text(to_height), scale_x, scale_y)
    return [Box(box.x1 * scale_x, box.y1 * scale_y, box.x2 * scale_x, box.y2 * scale_y, box.label)
            for box in boxes]


def _check_min_size(min_size_px: Any) -> None:
    if isinstance(min_size_px, bool) or not isinstance(min_size_px, (int, float)) \
            or not math.isfinite(min_size_px) or min_size_px < 0:
        raise ValueError(f"min_size_px must be a finite number of pixels >= 0, got {min_size_px!r}")


def _check_size_pair(size: Any, name: str) -> tuple[float, float]:
    try:
        width, height = size
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be (width, height) in pixels, got {size!r}") from None
    for value in (width, height):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be two positive finite numbers of pixels "
                             f"(width, height), got {size!r}")
    return float(width), float(height)


def _clamp(value: float, upper: float) -> float:
    return min(max(value, 0.0), upper)


def _box_name(index: int, box: Box) -> str:
    return f"box {index}" + (f" ({_short_repr(box.label)})" if box.label is not None else "")


def _number_text(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.3f}".rstrip("0")


def _xyxy_text(box: Box) -> str:
    return "[" + ", ".join(_number_text(value) for value in box.xyxy) + "]"


def _xywh_text(box: Box) -> str:
    left, top, width, height = box.xywh
    return (f"{{left {_number_text(left)}, top {_number_text(top)}, "
            f"width {_number_text(width)}, height {_number_text(height)}}}")


# ---------------------------------------------------------------------------
# one assignment, end to end


def parse_assignment(assignment: Mapping[str, Any], image_wh: tuple[float, float] | None = None,
                     min_size_px: float = DEFAULT_MIN_SIZE_PX) -> AssignmentAnswer:
    """Parse, scale and clean one assignment as returned by ``list_assignments_for_hit``.

    ``image_wh`` is the image file's ``(width, height)`` in pixels when the
    caller knows it. When the answer states a different size, the boxes are
    rescaled to ``image_wh`` with :func:`scale_boxes` and a problem is added.
    Boxes are then cleaned with :func:`clean_boxes` against ``image_wh``, or
    against the answer's own size when ``image_wh`` is None.

    Never raises for anything a worker can put in ``Answer``: invalid XML,
    invalid JSON, unknown shapes and bad numbers become problems on the
    returned record, with ``needs_review=True``, so the rest of a batch goes
    on. Logs one warning for each assignment that needs review.

    Raises:
        TypeError: ``assignment`` is not a mapping.
        ValueError: ``image_wh`` or ``min_size_px`` is invalid (see
            :func:`clean_boxes`).
    """
    if not isinstance(assignment, Mapping):
        raise TypeError(f"assignment must be a dict as returned by boto3, "
                        f"got {type(assignment).__name__}")
    if image_wh is not None:
        _check_size_pair(image_wh, "image_wh")
    _check_min_size(min_size_px)

    assignment_id = str(assignment.get("AssignmentId", ""))
    worker_id = str(assignment.get("WorkerId", ""))
    answer_text = assignment.get("Answer")

    def record(**values: Any) -> AssignmentAnswer:
        result = AssignmentAnswer(
            assignment_id=assignment_id, worker_id=worker_id,
            hit_id=str(assignment.get("HITId", "")),
            status=str(assignment.get("AssignmentStatus", "")), **values)
        if result.needs_review:
            logger.warning("assignment %s from worker %s needs review (%s): %s",
                           assignment_id, worker_id, result.box_status,
                           "; ".join(result.problems) or "no problems recorded")
        return result

    if answer_text is not None and not isinstance(answer_text, str):
        return record(fields={}, boxes=[], image_size=None, needs_review=True,
                      problems=[f"Answer must be a str of XML, got {type(answer_text).__name__}"],
                      raw_text=repr(answer_text), box_status="unparseable")
    try:
        fields, duplicates = _read_answer_xml(answer_text)
    except AnswerFormatError as error:
        return record(fields={}, boxes=[], image_size=None, needs_review=True,
                      problems=[str(error)], raw_text=str(answer_text), box_status="unparseable")

    parsed = parse_boxes(fields)
    problems = [f"QuestionIdentifier {name!r} occurs more than once; kept the first value"
                for name in duplicates]
    problems += parsed.problems

    boxes = parsed.boxes
    target_wh = parsed.image_size
    if image_wh is not None:
        if parsed.image_size is not None and _check_size_pair(parsed.image_size, "answer size") \
                != _check_size_pair(image_wh, "image_wh"):
            boxes = scale_boxes(boxes, parsed.image_size, image_wh)
            problems.append(
                f"answer states image size {_size_text(parsed.image_size)} but the file is "
                f"{_size_text(image_wh)}; rescaled {len(boxes)} box(es) to the file's pixels")
        target_wh = image_wh

    cleaned, cleaning_problems = clean_boxes(boxes, target_wh, min_size_px)
    problems += cleaning_problems

    box_status = parsed.status
    if box_status == "ok" and not cleaned:
        box_status = "no_boxes"
    return record(fields=fields, boxes=cleaned,
                  image_size=None if target_wh is None else tuple(target_wh),
                  needs_review=box_status != "ok" or bool(problems),
                  problems=problems, raw_text=parsed.raw_text, box_status=box_status)


def _size_text(size: tuple[float, float]) -> str:
    return f"{_number_text(size[0])}x{_number_text(size[1])}"
