"""Request validation: botocore's MTurk service model plus the rules the real service adds.

`validate_against_model` checks every member the model constrains (required,
JSON type, min/max length, pattern, enum, min/max value) recursively and raises
`SerializationException` for wrong JSON types or `ValidationException` worded
like AWS's validator. The `check_*` functions enforce limits the model does not
state and raise `ParameterValidationError` naming the parameter and the value.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ElementTree
from decimal import Decimal

import botocore.session

from . import constants as c
from .errors import ParameterValidationError, SerializationException, ValidationException

__all__ = [
    "service_model", "operation_names", "validate_against_model", "member_path_name",
    "check_hit_type_properties", "check_hit_properties", "check_question", "check_qualification_requirements",
    "check_money", "check_feedback", "check_service_limits",
]

MAX_VALUE_CHARS_IN_MESSAGE = 1000  # longer values are cut and end in '...'


@functools.lru_cache(maxsize=1)
def service_model():
    """Load the MTurk service model that ships with botocore (cached)."""
    return botocore.session.get_session().get_service_model("mturk")


def operation_names() -> list[str]:
    return list(service_model().operation_names)


def member_path_name(name: str) -> str:
    """Spell a member as AWS validation messages do: `BonusAmount` -> `bonusAmount`, `HITId` stays."""
    if len(name) > 1 and name[0].isupper() and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def _shown(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_JSON_TYPES = {
    "string": (str,), "integer": (int,), "long": (int,), "boolean": (bool,), "double": (int, float),
    "float": (int, float), "timestamp": (int, float), "list": (list,), "structure": (dict,), "map": (dict,),
}


def _check_type(shape, value, path: str) -> None:
    expected = _JSON_TYPES.get(shape.type_name)
    wrong_bool = isinstance(value, bool) and shape.type_name not in ("boolean",)
    if expected is not None and (not isinstance(value, expected) or wrong_bool):
        raise SerializationException(
            f"Member '{path}' must be a JSON {shape.type_name}; got {type(value).__name__} {value!r}")


def _scalar_violations(shape, value, path: str) -> list[str]:
    """Return the constraint messages `value` breaks, without the `Value ... at ...` prefix."""
    metadata = shape.metadata
    found = []
    if shape.type_name == "string":
        if "min" in metadata and len(value) < metadata["min"]:
            found.append(f"Member must have length greater than or equal to {metadata['min']}")
        if "max" in metadata and len(value) > metadata["max"]:
            found.append(f"Member must have length less than or equal to {metadata['max']}")
        if "pattern" in metadata and re.search(metadata["pattern"], value) is None:
            found.append(f"Member must satisfy regular expression pattern: {metadata['pattern']}")
        if "enum" in metadata and value not in metadata["enum"]:
            found.append("Member must satisfy enum value set: [" + ", ".join(metadata["enum"]) + "]")
    elif shape.type_name in ("integer", "long", "double", "float"):
        if "min" in metadata and value < metadata["min"]:
            found.append(f"Member must have value greater than or equal to {metadata['min']}")
        if "max" in metadata and value > metadata["max"]:
            found.append(f"Member must have value less than or equal to {metadata['max']}")
    elif shape.type_name == "list":
        if "min" in metadata and len(value) < metadata["min"]:
            found.append(f"Member must have length greater than or equal to {metadata['min']}")
        if "max" in metadata and len(value) > metadata["max"]:
            found.append(f"Member must have length less than or equal to {metadata['max']}")
    return found


def _collect(shape, value, path: str, violations: list[str]) -> None:
    _check_type(shape, value, path)
    for constraint in _scalar_violations(shape, value, path):
        violations.append(f"Value '{_shown(value)}' at '{path}' failed to satisfy constraint: {constraint}")

    if shape.type_name == "structure":
        for name in shape.required_members:
            if value.get(name) is None:
                # The real service ends this constraint with a period, unlike the pattern
                # one, in the ValidationException texts that boto3 users have quoted.
                violations.append(f"Value null at '{_join(path, name)}' failed to satisfy constraint: "
                                  "Member must not be null.")
        for name, member_value in value.items():
            member_shape = shape.members.get(name)
            if member_shape is not None and member_value is not None:
                _collect(member_shape, member_value, _join(path, name), violations)
    elif shape.type_name == "list":
        member_shape = shape.member
        if member_shape.type_name in ("string", "integer", "long"):
            # AWS reports a scalar list member's violation once, against the whole list.
            inner = []
            for item in value:
                _check_type(member_shape, item, path)
                inner.extend(_scalar_violations(member_shape, item, path))
            if inner:
                constraints = ", ".join(dict.fromkeys(inner))
                violations.append(f"Value '{_shown(value)}' at '{path}' failed to satisfy constraint: "
                                  f"Member must satisfy constraint: [{constraints}]")
        else:
            for index, item in enumerate(value, start=1):
                _collect(member_shape, item, f"{path}.{index}.member", violations)


def _join(path: str, name: str) -> str:
    return member_path_name(name) if not path else f"{path}.{member_path_name(name)}"


def validate_against_model(operation_name: str, params: dict) -> None:
    """Check `params` (the decoded JSON body) against the operation's input shape in the model.

    Raises SerializationException for a wrong JSON type and ValidationException
    listing every constraint violation. Members the model does not know are ignored.
    """
    if not isinstance(params, dict):
        raise SerializationException(f"The request body must be a JSON object; got {type(params).__name__}")
    input_shape = service_model().operation_model(operation_name).input_shape
    if input_shape is None:
        return
    violations: list[str] = []
    _collect(input_shape, params, "", violations)
    if violations:
        raise ValidationException(violations)
    check_service_limits(operation_name, params)


# Server-side rules the model does not state ------------------------------------------------

# Limits from the botocore documentation of the members (the model itself leaves them out).
# They apply to every operation that has the member, before the operation runs.
MAX_NOTIFY_SUBJECT_CHARS = 200
MAX_NOTIFY_MESSAGE_CHARS = 4096
MAX_NOTIFY_WORKER_IDS = 100
MAX_QUALIFICATION_XML_BYTES = 65_535
_SERVICE_MAX_CHARS = {
    ("NotifyWorkers", "Subject"): MAX_NOTIFY_SUBJECT_CHARS,
    ("NotifyWorkers", "MessageText"): MAX_NOTIFY_MESSAGE_CHARS,
}
_SERVICE_MAX_ITEMS = {("NotifyWorkers", "WorkerIds"): MAX_NOTIFY_WORKER_IDS}
_SERVICE_MAX_XML_BYTES = {
    ("CreateQualificationType", "Test"): MAX_QUALIFICATION_XML_BYTES,
    ("CreateQualificationType", "AnswerKey"): MAX_QUALIFICATION_XML_BYTES,
    ("UpdateQualificationType", "Test"): MAX_QUALIFICATION_XML_BYTES,
    ("UpdateQualificationType", "AnswerKey"): MAX_QUALIFICATION_XML_BYTES,
}


def check_service_limits(operation_name: str, params: dict) -> None:
    """Raise ParameterValidationError for a text, XML document or list over a documented service limit.

    Covers the operations without their own check_* function. The HIT limits are
    checked by `check_hit_type_properties` and `check_hit_properties`.
    """
    for (operation, name), max_chars in _SERVICE_MAX_CHARS.items():
        if operation == operation_name:
            _check_length(params, name, max_chars)
    for (operation, name), max_bytes in _SERVICE_MAX_XML_BYTES.items():
        value = params.get(name)
        if operation == operation_name and value is not None and len(value.encode("utf-8")) > max_bytes:
            size_bytes = len(value.encode("utf-8"))
            raise ParameterValidationError.invalid_value(
                name, _shorten(value), f"{name} must be at most {max_bytes} bytes; this one has {size_bytes}.")
    for (operation, name), max_items in _SERVICE_MAX_ITEMS.items():
        value = params.get(name)
        if operation == operation_name and value is not None and len(value) > max_items:
            raise ParameterValidationError(f"{name} can list at most {max_items} items; got {len(value)}.", name)

def _shorten(value: str) -> str:
    if len(value) <= MAX_VALUE_CHARS_IN_MESSAGE:
        return value
    return value[:MAX_VALUE_CHARS_IN_MESSAGE] + "..."


def _check_range(params: dict, name: str, low: int, high: int) -> None:
    value = params.get(name)
    if value is not None and not low <= value <= high:
        raise ParameterValidationError.out_of_range(name, value, low, high)


def _check_length(params: dict, name: str, max_chars: int) -> None:
    value = params.get(name)
    if value is not None and len(value) > max_chars:
        raise ParameterValidationError.invalid_value(
            name, _shorten(value), f"{name} must be at most {max_chars} characters long; this one has {len(value)}.")


def check_money(name: str, amount: str, minimum: Decimal) -> Decimal:
    """Return `amount` (already matching the model's currency pattern) as a Decimal of at least `minimum`."""
    value = Decimal(amount)
    if value < minimum:
        raise ParameterValidationError.invalid_value(
            name, amount, f"{name} must be at least {minimum} US dollars, written like '0.05'.")
    return value


def check_hit_type_properties(params: dict, min_reward: Decimal = c.MIN_REWARD_DOLLARS) -> None:
    """Check the properties shared by CreateHITType and CreateHIT; `min_reward` is in US dollars."""
    _check_range(params, "AssignmentDurationInSeconds", c.MIN_ASSIGNMENT_DURATION_SECONDS,
                 c.MAX_ASSIGNMENT_DURATION_SECONDS)
    _check_range(params, "AutoApprovalDelayInSeconds", c.MIN_AUTO_APPROVAL_DELAY_SECONDS,
                 c.MAX_AUTO_APPROVAL_DELAY_SECONDS)
    _check_length(params, "Title", c.MAX_TITLE_LENGTH_CHARS)
    _check_length(params, "Description", c.MAX_DESCRIPTION_LENGTH_CHARS)
    _check_length(params, "Keywords", c.MAX_KEYWORDS_LENGTH_CHARS)
    for name in ("Title", "Description"):
        if name in params and not params[name].strip():
            raise ParameterValidationError.invalid_value(name, params[name], f"{name} must not be empty.")
    if "Reward" in params:
        check_money("Reward", params["Reward"], min_reward)
    check_qualification_requirements(params.get("QualificationRequirements") or [])


def check_hit_properties(params: dict) -> None:
    """Check the per-HIT members of CreateHIT and CreateHITWithHITType."""
    _check_range(params, "LifetimeInSeconds", c.MIN_LIFETIME_SECONDS, c.MAX_LIFETIME_SECONDS)
    _check_range(params, "MaxAssignments", c.MIN_MAX_ASSIGNMENTS, c.MAX_MAX_ASSIGNMENTS)
    _check_length(params, "RequesterAnnotation", c.MAX_REQUESTER_ANNOTATION_LENGTH_CHARS)
    has_question = params.get("Question") is not None
    has_layout = params.get("HITLayoutId") is not None
    if has_question == has_layout:
        given = "both were given" if has_question else "neither was given"
        raise ParameterValidationError(
            f"Exactly one of Question and HITLayoutId must be provided; {given}.",
            "Question")
    if params.get("HITLayoutParameters") and not has_layout:
        raise ParameterValidationError(
            "HITLayoutParameters can only be used together with HITLayoutId.", "HITLayoutParameters")
    if has_question:
        check_question(params["Question"])


def check_feedback(params: dict) -> None:
    _check_length(params, "RequesterFeedback", c.MAX_REQUESTER_FEEDBACK_LENGTH_CHARS)


def check_question(question: str, parameter: str = "Question") -> str:
    """Check a Question XML document and return its kind: HTMLQuestion, ExternalQuestion or QuestionForm."""
    def invalid(reason: str) -> ParameterValidationError:
        return ParameterValidationError.invalid_value(parameter, _shorten(question), reason)

    size_bytes = len(question.encode("utf-8"))
    if size_bytes > c.MAX_QUESTION_SIZE_BYTES:
        raise invalid(f"{parameter} must be at most {c.MAX_QUESTION_SIZE_BYTES} bytes; this one has {size_bytes}.")
    try:
        root = ElementTree.fromstring(question)
    except ElementTree.ParseError as error:
        raise invalid(f"It is not well-formed XML: {error}.") from None

    namespace, _, local_name = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    expected = {
        "HTMLQuestion": (c.HTML_QUESTION_NAMESPACE,),
        "ExternalQuestion": (c.EXTERNAL_QUESTION_NAMESPACE,),
        "QuestionForm": c.QUESTION_FORM_NAMESPACES,
    }
    if local_name not in expected:
        raise invalid(f"The root element must be HTMLQuestion, ExternalQuestion or QuestionForm; got {local_name}.")
    if namespace not in expected[local_name]:
        raise invalid(f"{local_name} must use the namespace {expected[local_name][0]}; got '{namespace}'.")

    def child_text(name: str) -> str | None:
        element = root.find(f"{{{namespace}}}{name}")
        return None if element is None else (element.text or "").strip()

    if local_name in ("HTMLQuestion", "ExternalQuestion"):
        frame_height = child_text("FrameHeight")
        if frame_height is None or not frame_height.isdigit():
            raise invalid(f"{local_name} needs a FrameHeight element holding a whole number of pixels "
                          f"(0 resizes automatically); got {frame_height!r}.")
    if local_name == "HTMLQuestion" and not child_text("HTMLContent"):
        raise invalid("HTMLQuestion needs a non-empty HTMLContent element (HTML inside <![CDATA[ ... ]]>).")
    if local_name == "ExternalQuestion":
        url = child_text("ExternalURL")
        if not url or not url.startswith("https://"):
            raise invalid(f"ExternalURL must be an https:// URL; got {url!r}.")
    return local_name


def check_qualification_requirements(requirements: list[dict]) -> None:
    """Check the QualificationRequirement rules of the MTurk documentation."""
    if len(requirements) > c.MAX_QUALIFICATION_REQUIREMENTS:
        raise ParameterValidationError(
            f"A HIT can have at most {c.MAX_QUALIFICATION_REQUIREMENTS} QualificationRequirements; "
            f"got {len(requirements)}.", "QualificationRequirements")
    for requirement in requirements:
        _check_one_requirement(requirement)


def _check_one_requirement(requirement: dict) -> None:
    type_id = requirement["QualificationTypeId"]
    comparator = requirement["Comparator"]
    integers = requirement.get("IntegerValues") or []
    locales = requirement.get("LocaleValues") or []

    def invalid(reason: str) -> ParameterValidationError:
        return ParameterValidationError(f"The QualificationRequirement for {type_id} with Comparator "
                                        f"{comparator} is not valid: {reason}", "QualificationRequirements")

    if integers and locales:
        raise invalid("give IntegerValues or LocaleValues, not both.")
    if locales and type_id != c.LOCALE_QUALIFICATION_ID:
        raise invalid(f"LocaleValues can only be used with the Locale qualification {c.LOCALE_QUALIFICATION_ID}.")
    if comparator in ("Exists", "DoesNotExist") and (integers or locales):
        raise invalid("Exists and DoesNotExist take no values.")
    if comparator in ("In", "NotIn"):
        if len(integers) > c.MAX_INTEGER_VALUES:
            raise invalid(f"at most {c.MAX_INTEGER_VALUES} IntegerValues are allowed; got {len(integers)}.")
        if len(locales) > c.MAX_LOCALE_VALUES:
            raise invalid(f"at most {c.MAX_LOCALE_VALUES} LocaleValues are allowed; got {len(locales)}.")
        if not integers and not locales:
            raise invalid("In and NotIn need at least one value.")
    elif comparator not in ("Exists", "DoesNotExist"):
        count = len(integers) + len(locales)
        if count != 1:
            raise invalid(f"{comparator} needs exactly one IntegerValue or LocaleValue; got {count}.")
