"""Contract cases generated from botocore's MTurk service model, plus the setup each operation needs.

For every operation this module builds valid inputs: minimal, with every
optional member, and with a HIT layout where the operation takes one. It also
builds invalid inputs: each required member missing, each model `min`/`max`,
`pattern` and `enum` broken, and each limit the real service adds to the
model. Valid inputs need real ids, so `setup_context` creates the HITs,
assignments, qualification types and blocks a call needs, through the API and
the worker pages.

`IMPLEMENTED` is filled by the `implemented_operations` fixture, which probes
the running server: an operation is implemented unless it answers
UnknownOperationException.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from mturk_test_support import WorkerSite, html_question, worker_id

SERVICE_MODEL = botocore.session.get_session().get_service_model("mturk")
OPERATIONS: list[str] = sorted(SERVICE_MODEL.operation_names)

# Operations the running server implements; filled once per session by `implemented_operations`.
IMPLEMENTED: set[str] = set()

ENTITY_PATTERN = "^[A-Z0-9]+$"
CUSTOMER_PATTERN = "^A[A-Z0-9]+$"
CURRENCY_PATTERN = r"^[0-9]+(\.)?[0-9]{0,2}$"

QUESTION_FORM_NAMESPACE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd"
ANSWER_KEY_NAMESPACE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/AnswerKey.xsd"
LOCALE_QUALIFICATION_ID = "00000000000000000071"
APPROVED_COUNT_QUALIFICATION_ID = "00000000000000000040"
MAX_XML_BYTES = 65_535

# Limits the real service enforces beyond the model, as (operations, member) -> limit.
# Sources: legacy CreateHIT/RegisterHITType reference and MTurkR's checks for the HIT
# properties, the botocore documentation for Question, Test, AnswerKey and NotifyWorkers.
# NOTE: RequesterFeedback's 1024 characters is recalled from the legacy reference, not confirmed.
HIT_TYPE_OPERATIONS = ("CreateHIT", "CreateHITType")
HIT_OPERATIONS = ("CreateHIT", "CreateHITWithHITType")
QUALIFICATION_TYPE_OPERATIONS = ("CreateQualificationType", "UpdateQualificationType")
NUMBER_RANGES = {
    (HIT_OPERATIONS, "LifetimeInSeconds"): (30, 31_536_000),
    (HIT_TYPE_OPERATIONS, "AssignmentDurationInSeconds"): (30, 31_536_000),
    (HIT_TYPE_OPERATIONS, "AutoApprovalDelayInSeconds"): (0, 2_592_000),
    (HIT_OPERATIONS, "MaxAssignments"): (1, 1_000_000_000),
}
TEXT_MAX_CHARS = {
    (HIT_TYPE_OPERATIONS, "Title"): 128,
    (HIT_TYPE_OPERATIONS, "Description"): 2000,
    (HIT_TYPE_OPERATIONS, "Keywords"): 1000,
    (HIT_OPERATIONS, "RequesterAnnotation"): 255,
    (("ApproveAssignment", "RejectAssignment"), "RequesterFeedback"): 1024,
    (("NotifyWorkers",), "Subject"): 200,
    (("NotifyWorkers",), "MessageText"): 4096,
}
XML_MAX_BYTES = {
    (HIT_OPERATIONS, "Question"): MAX_XML_BYTES,
    (QUALIFICATION_TYPE_OPERATIONS, "Test"): MAX_XML_BYTES,
    (QUALIFICATION_TYPE_OPERATIONS, "AnswerKey"): MAX_XML_BYTES,
}
LIST_MAX_ITEMS = {
    (HIT_TYPE_OPERATIONS, "QualificationRequirements"): 10,
    (("NotifyWorkers",), "WorkerIds"): 100,
}
MAX_INTEGER_VALUES = 15
MAX_LOCALE_VALUES = 30


def _limits_for(table: dict, operation: str) -> dict[str, Any]:
    return {member: limit for (operations, member), limit in table.items() if operation in operations}


# Valid values ---------------------------------------------------------------------------------------

def question_form() -> str:
    """Return a one-question QuestionForm, usable as a qualification Test."""
    return (f'<QuestionForm xmlns="{QUESTION_FORM_NAMESPACE}"><Question><QuestionIdentifier>q1</QuestionIdentifier>'
            "<QuestionContent><Text>Is a cat a mammal?</Text></QuestionContent><AnswerSpecification>"
            "<SelectionAnswer><Selections><Selection><SelectionIdentifier>yes</SelectionIdentifier>"
            "<Text>Yes</Text></Selection><Selection><SelectionIdentifier>no</SelectionIdentifier>"
            "<Text>No</Text></Selection></Selections></SelectionAnswer></AnswerSpecification></Question>"
            "</QuestionForm>")


def answer_key() -> str:
    return (f'<AnswerKey xmlns="{ANSWER_KEY_NAMESPACE}"><Question><QuestionIdentifier>q1</QuestionIdentifier>'
            "<AnswerOption><SelectionIdentifier>yes</SelectionIdentifier><AnswerScore>100</AnswerScore>"
            "</AnswerOption></Question></AnswerKey>")


def padded_question(size_bytes: int) -> str:
    """Return an HTMLQuestion of exactly `size_bytes` bytes."""
    base = html_question("<p></p>")
    return html_question("<p>" + "x" * (size_bytes - len(base.encode())) + "</p>")


def padded_question_form(size_bytes: int) -> str:
    base = question_form()
    return base.replace("<Text>Yes</Text>", "<Text>Yes" + "x" * (size_bytes - len(base.encode())) + "</Text>")


def padded_answer_key(size_bytes: int) -> str:
    base = answer_key()
    return base.replace("<AnswerKey ", "<AnswerKey " + " " * (size_bytes - len(base.encode())), 1)


QUALIFICATION_REQUIREMENTS = [
    {"QualificationTypeId": APPROVED_COUNT_QUALIFICATION_ID, "Comparator": "GreaterThanOrEqualTo",
     "IntegerValues": [0], "RequiredToPreview": False},
    {"QualificationTypeId": LOCALE_QUALIFICATION_ID, "Comparator": "In",
     "LocaleValues": [{"Country": "US", "Subdivision": "NY"}, {"Country": "CA"}], "ActionsGuarded": "Accept"},
]
NOTIFICATION = {"Destination": "arn:aws:sns:us-east-1:123456789012:mturk-events", "Transport": "SNS",
                "Version": "2006-05-05", "EventTypes": ["AssignmentSubmitted", "HITReviewable"]}
ASSIGNMENT_REVIEW_POLICY = {
    "PolicyName": "ScoreMyKnownAnswers/2011-09-01",
    "Parameters": [{"Key": "AnswerKey", "Values": [], "MapEntries": [{"Key": "answer", "Values": ["yes"]}]},
                   {"Key": "ApproveIfKnownAnswerScoreIsAtLeast", "Values": ["100"]}],
}
HIT_REVIEW_POLICY = {"PolicyName": "SimplePlurality/2011-09-01",
                     "Parameters": [{"Key": "QuestionIds", "Values": ["answer"]}]}


def _member_values(operation: str, context: dict) -> dict[str, Callable[[], Any]]:
    """Return the valid value of each member name, built lazily from the setup `context`."""
    expiration = context.get("expiration", 0)
    return {
        "HITId": lambda: context["hit_id"],
        "HITTypeId": lambda: context["hit_type_id"],
        "AssignmentId": lambda: context["assignment_id"],
        "WorkerId": lambda: context["worker_id"],
        "WorkerIds": lambda: [context["worker_id"]],
        "QualificationTypeId": lambda: context["qualification_type_id"],
        "QualificationRequestId": lambda: context["qualification_request_id"],
        "HITLayoutId": lambda: context["hit_layout_id"],
        "HITLayoutParameters": lambda: [{"Name": "animal", "Value": "cat"}],
        "Reward": lambda: "0.05",
        "BonusAmount": lambda: "0.25",
        "Title": lambda: "Find the cat",
        "Description": lambda: ("Say whether a cat is in the picture." if operation in HIT_TYPE_OPERATIONS
                                else "Workers who can tell cats from dogs."),
        "Keywords": lambda: "cat, image, yes or no",
        "Question": lambda: html_question(),
        "RequesterAnnotation": lambda: "batch 7",
        "RequesterFeedback": lambda: "Thank you.",
        "Reason": lambda: "Careful work",
        "Subject": lambda: "New cat pictures",
        "MessageText": lambda: "There are new HITs for you.",
        "UniqueRequestToken": lambda: "token-" + uuid.uuid4().hex,
        "LifetimeInSeconds": lambda: 3600,
        "AssignmentDurationInSeconds": lambda: 600,
        "AutoApprovalDelayInSeconds": lambda: 86400,
        "MaxAssignments": lambda: 3,
        "NumberOfAdditionalAssignments": lambda: 2,
        "ExpireAt": lambda: datetime.datetime.fromtimestamp(expiration + 3600, tz=datetime.timezone.utc),
        "QualificationRequirements": lambda: copy.deepcopy(QUALIFICATION_REQUIREMENTS),
        "AssignmentReviewPolicy": lambda: copy.deepcopy(ASSIGNMENT_REVIEW_POLICY),
        "HITReviewPolicy": lambda: copy.deepcopy(HIT_REVIEW_POLICY),
        "Name": lambda: "Cat spotter " + uuid.uuid4().hex[:8],
        "QualificationTypeStatus": lambda: "Active",
        "Test": question_form,
        "AnswerKey": answer_key,
        "TestDurationInSeconds": lambda: 300,
        "RetryDelayInSeconds": lambda: 600,
        # Test and AutoGranted=true exclude each other, so the full inputs grant nothing automatically.
        "AutoGranted": lambda: False,
        "AutoGrantedValue": lambda: 1,
        "IsRequestable": lambda: True,
        "IntegerValue": lambda: 80,
        "SendNotification": lambda: False,
        "MustBeRequestable": lambda: False,
        "MustBeOwnedByCaller": lambda: True,
        "Query": lambda: "Cat spotter",
        "Status": lambda: {"ListReviewableHITs": "Reviewable"}.get(operation, "Granted"),
        "AssignmentStatuses": lambda: ["Submitted", "Approved", "Rejected"],
        "PolicyLevels": lambda: ["Assignment", "HIT"],
        "RetrieveActions": lambda: True,
        "RetrieveResults": lambda: True,
        "Notification": lambda: copy.deepcopy(NOTIFICATION),
        "TestEventType": lambda: "Ping",
        "Active": lambda: True,
        "Revert": lambda: False,
        "OverrideRejection": lambda: False,
        "QuestionIdentifier": lambda: "answer",
        "MaxResults": lambda: 10,
        "NextToken": lambda: context["next_token"],
    }


# Members a "full" input leaves out because they exclude a member it already has.
FULL_INPUT_EXCLUSIONS = {
    "CreateHIT": {"HITLayoutId", "HITLayoutParameters"},
    "CreateHITWithHITType": {"HITLayoutId", "HITLayoutParameters"},
    # AutoGrantedValue needs AutoGranted=true, which excludes Test.
    "CreateQualificationType": {"AutoGrantedValue"},
    "UpdateQualificationType": {"AutoGrantedValue"},
    # The review report of one HIT comes in one page, so there is no NextToken to pass on.
    "ListReviewPolicyResultsForHIT": {"NextToken"},
}
LAYOUT_OPERATIONS = ("CreateHIT", "CreateHITWithHITType")


def input_members(operation: str) -> dict:
    shape = SERVICE_MODEL.operation_model(operation).input_shape
    return {} if shape is None else dict(shape.members)


def required_members(operation: str) -> list[str]:
    shape = SERVICE_MODEL.operation_model(operation).input_shape
    return [] if shape is None else list(shape.required_members)


def build_input(operation: str, context: dict, variant: str) -> dict:
    """Build a valid input: variant `minimal` (required members), `full` (every member) or `layout`."""
    values = _member_values(operation, context)
    members = input_members(operation)
    if variant == "minimal":
        names = required_members(operation)
        if operation in LAYOUT_OPERATIONS:
            names = [*names, "Question"]
        if operation == "UpdateNotificationSettings":
            names = [*names, "Active"]  # The service needs Notification or Active.
        if operation == "ListBonusPayments":
            names = ["HITId"]  # The service needs HITId or AssignmentId although the model requires neither.
    elif variant == "full":
        names = [name for name in members if name not in FULL_INPUT_EXCLUSIONS.get(operation, ())]
    elif variant == "layout":
        names = [*required_members(operation), "HITLayoutId", "HITLayoutParameters"]
    else:
        raise ValueError(f"unknown input variant {variant!r}; expected minimal, full or layout")
    missing = [name for name in names if name not in values]
    assert not missing, f"no valid value is defined for {operation} members {missing}"
    return {name: values[name]() for name in names}


def valid_variants(operation: str) -> list[str]:
    variants = ["minimal"]
    if set(input_members(operation)) - set(required_members(operation)):
        variants.append("full")
    if operation in LAYOUT_OPERATIONS:
        variants.append("layout")
    return variants


# Invalid inputs -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InvalidCase:
    """One broken input: `path` into the full valid input, and what to put there (or `MISSING`)."""

    operation: str
    label: str
    path: tuple
    value: Any
    parameter: str             # member name the error message must contain
    error_code: str            # ValidationException for model constraints, ParameterValidationError otherwise
    base_variant: str = "full"

    @property
    def case_id(self) -> str:
        return f"{self.operation}-{self.label}"


MISSING = object()


def _too_long_string(shape) -> str:
    """Return a string one character over the shape's max that still matches its pattern."""
    length = shape.metadata["max"] + 1
    if shape.metadata.get("pattern") in (ENTITY_PATTERN, CUSTOMER_PATTERN):
        return "A" * length
    return "p" * length


def _pattern_breaker(shape) -> str:
    pattern = shape.metadata["pattern"]
    return {ENTITY_PATTERN: "3abc-lower", CUSTOMER_PATTERN: "W1234567890", CURRENCY_PATTERN: "0.9752"}[pattern]


def _shape_cases(operation: str, shape, path: tuple, label: str, in_list: bool = False) -> list[InvalidCase]:
    """Return the model-constraint violations of one member shape (strings, numbers, lists)."""
    metadata = shape.metadata
    name = label.split(".")[-1]
    cases = []

    def add(suffix: str, value: Any) -> None:
        cases.append(InvalidCase(operation, f"{label}-{suffix}", path, [value] if in_list else value,
                                 name, "ValidationException"))

    if shape.type_name == "string":
        if "max" in metadata:
            add("too-long", _too_long_string(shape))
        if metadata.get("min", 0) >= 1:
            add("too-short", "U" if metadata["min"] == 2 else "")
        if "pattern" in metadata:
            add("pattern", _pattern_breaker(shape))
        if "enum" in metadata:
            add("enum", "Bogus")
    elif shape.type_name in ("integer", "long"):
        if "min" in metadata:
            add("below-min", metadata["min"] - 1)
        if "max" in metadata:
            add("above-max", metadata["max"] + 1)
    return cases


def _walk_member(operation: str, shape, path: tuple, label: str) -> list[InvalidCase]:
    cases: list[InvalidCase] = []
    if shape.type_name == "structure":
        for name in shape.required_members:
            cases.append(InvalidCase(operation, f"{label}.{name}-missing", (*path, name), MISSING, name,
                                     "ValidationException"))
        for name, member in shape.members.items():
            cases.extend(_walk_member(operation, member, (*path, name), f"{label}.{name}"))
    elif shape.type_name == "list":
        member = shape.member
        if member.type_name == "structure":
            cases.extend(_walk_member(operation, member, (*path, 0), label))
        else:
            cases.extend(_shape_cases(operation, member, path, label, in_list=True))
        list_name = label.split(".")[-1]
        if "max" in shape.metadata:
            cases.append(InvalidCase(operation, f"{label}-too-many", path, ["x"] * (shape.metadata["max"] + 1),
                                     list_name, "ValidationException"))
    else:
        cases.extend(_shape_cases(operation, shape, path, label))
    return cases


def _service_limit_cases(operation: str) -> list[InvalidCase]:
    """Return the violations of limits the service adds to the model (ParameterValidationError)."""
    cases = []
    for name, (low, high) in _limits_for(NUMBER_RANGES, operation).items():
        cases.append(InvalidCase(operation, f"{name}-below-min", (name,), low - 1, name, "ParameterValidationError"))
        cases.append(InvalidCase(operation, f"{name}-above-max", (name,), high + 1, name, "ParameterValidationError"))
    for name, max_chars in _limits_for(TEXT_MAX_CHARS, operation).items():
        cases.append(InvalidCase(operation, f"{name}-too-long", (name,), "t" * (max_chars + 1), name,
                                 "ParameterValidationError"))
    padders = {"Question": padded_question, "Test": padded_question_form, "AnswerKey": padded_answer_key}
    for name, max_bytes in _limits_for(XML_MAX_BYTES, operation).items():
        cases.append(InvalidCase(operation, f"{name}-too-large", (name,), padders[name](max_bytes + 1), name,
                                 "ParameterValidationError"))
    for name, max_items in _limits_for(LIST_MAX_ITEMS, operation).items():
        if name == "QualificationRequirements":
            items = [{"QualificationTypeId": APPROVED_COUNT_QUALIFICATION_ID, "Comparator": "GreaterThan",
                      "IntegerValues": [number]} for number in range(max_items + 1)]
        else:
            items = [worker_id(number) for number in range(max_items + 1)]
        cases.append(InvalidCase(operation, f"{name}-too-many", (name,), items, name, "ParameterValidationError"))
    if operation in HIT_TYPE_OPERATIONS:
        cases.append(InvalidCase(
            operation, "QualificationRequirements.IntegerValues-too-many", ("QualificationRequirements",),
            [{"QualificationTypeId": APPROVED_COUNT_QUALIFICATION_ID, "Comparator": "In",
              "IntegerValues": list(range(MAX_INTEGER_VALUES + 1))}], "IntegerValues", "ParameterValidationError"))
        cases.append(InvalidCase(
            operation, "QualificationRequirements.LocaleValues-too-many", ("QualificationRequirements",),
            [{"QualificationTypeId": LOCALE_QUALIFICATION_ID, "Comparator": "NotIn",
              "LocaleValues": [{"Country": f"{chr(65 + n // 26)}{chr(65 + n % 26)}"}
                               for n in range(MAX_LOCALE_VALUES + 1)]}],
            "LocaleValues", "ParameterValidationError"))
    return cases


def invalid_cases(operation: str) -> list[InvalidCase]:
    """Return every invalid input of `operation` that the model and the service limits define."""
    shape = SERVICE_MODEL.operation_model(operation).input_shape
    if shape is None:
        return []
    cases = [InvalidCase(operation, f"{name}-missing", (name,), MISSING, name, "ValidationException",
                         base_variant="minimal")
             for name in shape.required_members]
    for name, member in shape.members.items():
        cases.extend(_walk_member(operation, member, (name,), name))
    cases.extend(_service_limit_cases(operation))
    if operation in LAYOUT_OPERATIONS:
        # The full input has a Question, so the layout members are broken inside the layout input.
        cases = [dataclasses.replace(case, base_variant="layout")
                 if case.path[0] in ("HITLayoutId", "HITLayoutParameters") else case for case in cases]
    return cases


def apply_case(params: dict, case: InvalidCase) -> dict:
    """Return a copy of `params` with the case's member replaced (or removed)."""
    broken = copy.deepcopy(params)
    target = broken
    for position, key in enumerate(case.path[:-1]):
        following = case.path[position + 1]
        if isinstance(key, int) and isinstance(following, str):
            # Take the first list item that has the next member, e.g. the requirement with LocaleValues.
            key = next(index for index, item in enumerate(target) if following in item)
        target = target[key]
    if case.value is MISSING:
        del target[case.path[-1]]
    else:
        target[case.path[-1]] = copy.deepcopy(case.value)
    return broken


ALL_INVALID_CASES: list[InvalidCase] = [case for operation in OPERATIONS for case in invalid_cases(operation)]


# Server access and setup -------------------------------------------------------------------------------

def make_unchecked_client(endpoint_url: str):
    """Return a boto3 MTurk client that sends parameters without botocore's client-side validation."""
    return boto3.client("mturk", endpoint_url=endpoint_url, region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local",
                        config=Config(parameter_validation=False, retries={"max_attempts": 1}))


def call(client, operation: str, params: dict) -> dict:
    """Call `operation` (model name, e.g. `CreateHIT`) through the boto3 client."""
    return getattr(client, botocore.xform_name(operation))(**params)


def probe_implemented(endpoint_url: str) -> set[str]:
    """Return the operations for which the server returns anything but UnknownOperationException.

    Each operation is called with an empty body, so the ones with required members
    fail validation, and the others only read.
    """
    client = make_unchecked_client(endpoint_url)
    found = set()
    for operation in OPERATIONS:
        try:
            call(client, operation, {})
        except ClientError as error:
            if error.response["Error"]["Code"] == "UnknownOperationException":
                continue
        found.add(operation)
    return found


@pytest.fixture(scope="session")
def implemented_operations(mturk_server) -> set[str]:
    """Probe the server once per session and fill `IMPLEMENTED`."""
    if not IMPLEMENTED:
        IMPLEMENTED.update(probe_implemented(mturk_server.endpoint_url))
        mturk_server.reset()
    return IMPLEMENTED


def require_implemented(operations) -> None:
    """Skip the calling test while the server lacks any of `operations`.

    The single test `test_every_operation_implemented` fails for as long as any
    operation is missing, so these skips do not hide a gap.
    """
    missing = sorted(set(operations) - IMPLEMENTED)
    if missing:
        pytest.skip("not implemented yet (counted by test_every_operation_implemented): " + ", ".join(missing))


class Api:
    """A requester client, an unchecked client and a worker site on one server."""

    def __init__(self, server, client):
        self.server = server
        self.client = client
        self.unchecked = make_unchecked_client(server.endpoint_url)
        self.site = WorkerSite(server.endpoint_url)
        self.worker_count = 0

    def close(self) -> None:
        self.site.connection.close()

    def next_worker(self) -> str:
        self.worker_count += 1
        return worker_id(self.worker_count)

    def new_hit(self, **overrides) -> dict:
        params = {"MaxAssignments": 3, "LifetimeInSeconds": 3600, "AssignmentDurationInSeconds": 600,
                  "AutoApprovalDelayInSeconds": 86400, "Reward": "0.05", "Title": "Find the cat",
                  "Description": "Say whether a cat is in the picture.", "Question": html_question()}
        params.update(overrides)
        return self.client.create_hit(**params)["HIT"]

    def submitted_assignment(self, hit: dict | None = None) -> tuple[dict, str, str]:
        """Return (HIT, AssignmentId, WorkerId) of a freshly submitted assignment."""
        hit = hit or self.new_hit()
        worker = self.next_worker()
        return hit, self.site.work(hit["HITId"], worker), worker

    def expire(self, hit_id: str) -> None:
        self.client.update_expiration_for_hit(HITId=hit_id, ExpireAt=datetime.datetime(2015, 1, 1))

    def qualification_type(self, **overrides) -> str:
        params = {"Name": "Cat spotter " + uuid.uuid4().hex[:8], "Description": "Workers who can tell cats.",
                  "QualificationTypeStatus": "Active"}
        params.update(overrides)
        return self.client.create_qualification_type(**params)["QualificationType"]["QualificationTypeId"]

    def qualification_request(self, type_id: str, worker: str) -> str:
        """Request a qualification as `worker` through the admin route and return the QualificationRequestId."""
        reply = self.server.admin("qualification-requests", {"QualificationTypeId": type_id, "WorkerId": worker})
        return reply["QualificationRequests"][0]["QualificationRequestId"]

    def layout(self) -> str:
        html_text = "<!DOCTYPE html><html><body><p>Is there a ${animal}?</p></body></html>"
        return self.server.admin("layouts", {"name": "contract-layout", "html": html_text})["HITLayoutId"]


def _hit_context(api: Api, hit: dict) -> dict:
    return {"hit_id": hit["HITId"], "hit_type_id": hit["HITTypeId"], "expiration": hit["Expiration"].timestamp()}


def _assignment_context(api: Api) -> dict:
    hit, assignment_id, worker = api.submitted_assignment()
    return {**_hit_context(api, hit), "assignment_id": assignment_id, "worker_id": worker}


def _reviewable_hit_context(api: Api) -> dict:
    hit = api.new_hit()
    api.expire(hit["HITId"])
    return _hit_context(api, hit)


def _granted_context(api: Api) -> dict:
    type_id = api.qualification_type()
    worker = api.next_worker()
    api.client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker, IntegerValue=90)
    return {"qualification_type_id": type_id, "worker_id": worker}


def _requested_context(api: Api) -> dict:
    type_id = api.qualification_type()
    worker = api.next_worker()
    return {"qualification_type_id": type_id, "worker_id": worker,
            "qualification_request_id": api.qualification_request(type_id, worker)}


def _qualified_hit_context(api: Api) -> dict:
    type_id = api.qualification_type()
    hit = api.new_hit(QualificationRequirements=[{"QualificationTypeId": type_id, "Comparator": "Exists"}])
    return {**_hit_context(api, hit), "qualification_type_id": type_id}


def _blocked_context(api: Api) -> dict:
    worker = api.next_worker()
    api.client.create_worker_block(WorkerId=worker, Reason="Copied answers")
    return {"worker_id": worker}


def _hit_with_policy_context(api: Api) -> dict:
    hit = api.new_hit(AssignmentReviewPolicy=copy.deepcopy(ASSIGNMENT_REVIEW_POLICY),
                      HITReviewPolicy=copy.deepcopy(HIT_REVIEW_POLICY))
    api.submitted_assignment(hit)
    return _hit_context(api, hit)


def _second_hit_type_context(api: Api) -> dict:
    context = _hit_context(api, api.new_hit())
    other = api.client.create_hit_type(AssignmentDurationInSeconds=900, Reward="0.10", Title="Find the dog",
                                       Description="Say whether a dog is in the picture.")
    # UpdateHITTypeOfHIT moves the HIT to the other type.
    return {**context, "hit_type_id": other["HITTypeId"]}


def _bonus_context(api: Api) -> dict:
    context = _assignment_context(api)
    for number in range(2):
        api.client.send_bonus(WorkerId=context["worker_id"], BonusAmount="0.10",
                              AssignmentId=context["assignment_id"], Reason=f"bonus {number}")
    return context


def _hit_type_context(api: Api) -> dict:
    hit_type_id = api.client.create_hit_type(AssignmentDurationInSeconds=600, Reward="0.05", Title="Find the cat",
                                             Description="Say whether a cat is in the picture.")["HITTypeId"]
    return {"hit_type_id": hit_type_id}


def _notification_context(api: Api) -> dict:
    context = _hit_type_context(api)
    # Active alone switches an existing specification, so the HIT type gets one first.
    api.client.update_notification_settings(HITTypeId=context["hit_type_id"], Notification=copy.deepcopy(NOTIFICATION))
    return context


def _notify_context(api: Api) -> dict:
    hit, assignment_id, worker = api.submitted_assignment()
    return {"worker_id": worker}


def _reviewable_hits_context(api: Api) -> dict:
    hits = [api.new_hit() for _ in range(2)]
    for hit in hits:
        api.expire(hit["HITId"])
    return {"hit_type_id": hits[0]["HITTypeId"]}


def _two_types_context(api: Api) -> dict:
    for _ in range(2):
        api.qualification_type()
    return {}


def _two_blocks_context(api: Api) -> dict:
    for _ in range(2):
        _blocked_context(api)
    return {}


def _two_granted_context(api: Api) -> dict:
    context = _granted_context(api)
    api.client.associate_qualification_with_worker(QualificationTypeId=context["qualification_type_id"],
                                                   WorkerId=api.next_worker(), IntegerValue=70)
    return context


def _two_requests_context(api: Api) -> dict:
    context = _requested_context(api)
    api.qualification_request(context["qualification_type_id"], api.next_worker())
    return context


def _two_assignments_context(api: Api) -> dict:
    context = _assignment_context(api)
    api.submitted_assignment(api.client.get_hit(HITId=context["hit_id"])["HIT"])
    return context


def _layout_context(api: Api) -> dict:
    return {**_hit_type_context(api), "hit_layout_id": api.layout()}


def _nothing(api: Api) -> dict:
    return {}


# Per operation: the setup that creates what a valid call needs, and the operations that setup uses.
SETUPS: dict[str, tuple[Callable[[Api], dict], tuple[str, ...]]] = {
    "AcceptQualificationRequest": (_requested_context, ("CreateQualificationType", "ListQualificationRequests")),
    "ApproveAssignment": (_assignment_context, ("CreateHIT",)),
    "AssociateQualificationWithWorker": (lambda api: {"qualification_type_id": api.qualification_type(),
                                                      "worker_id": api.next_worker()},
                                         ("CreateQualificationType",)),
    "CreateAdditionalAssignmentsForHIT": (lambda api: _hit_context(api, api.new_hit()), ("CreateHIT",)),
    "CreateHIT": (lambda api: {"hit_layout_id": api.layout()}, ()),
    "CreateHITType": (_nothing, ()),
    "CreateHITWithHITType": (_layout_context, ("CreateHITType",)),
    "CreateQualificationType": (_nothing, ()),
    "CreateWorkerBlock": (lambda api: {"worker_id": api.next_worker()}, ()),
    "DeleteHIT": (_reviewable_hit_context, ("CreateHIT", "UpdateExpirationForHIT")),
    "DeleteQualificationType": (lambda api: {"qualification_type_id": api.qualification_type()},
                                ("CreateQualificationType",)),
    "DeleteWorkerBlock": (_blocked_context, ("CreateWorkerBlock",)),
    "DisassociateQualificationFromWorker": (_granted_context,
                                            ("CreateQualificationType", "AssociateQualificationWithWorker")),
    "GetAccountBalance": (_nothing, ()),
    "GetAssignment": (_assignment_context, ("CreateHIT",)),
    "GetFileUploadURL": (_assignment_context, ("CreateHIT",)),
    "GetHIT": (lambda api: _hit_context(api, api.new_hit()), ("CreateHIT",)),
    "GetQualificationScore": (_granted_context, ("CreateQualificationType", "AssociateQualificationWithWorker")),
    "GetQualificationType": (lambda api: {"qualification_type_id": api.qualification_type()},
                             ("CreateQualificationType",)),
    "ListAssignmentsForHIT": (_two_assignments_context, ("CreateHIT", "GetHIT")),
    "ListBonusPayments": (_bonus_context, ("CreateHIT", "SendBonus")),
    "ListHITs": (lambda api: _hit_context(api, [api.new_hit(), api.new_hit()][0]), ("CreateHIT",)),
    "ListHITsForQualificationType": (lambda api: [_qualified_hit_context(api) for _ in range(2)][0],
                                     ("CreateQualificationType", "CreateHIT")),
    "ListQualificationRequests": (_two_requests_context, ("CreateQualificationType", "ListQualificationRequests")),
    "ListQualificationTypes": (_two_types_context, ("CreateQualificationType",)),
    "ListReviewPolicyResultsForHIT": (_hit_with_policy_context, ("CreateHIT",)),
    "ListReviewableHITs": (_reviewable_hits_context, ("CreateHIT", "UpdateExpirationForHIT")),
    "ListWorkerBlocks": (_two_blocks_context, ("CreateWorkerBlock",)),
    "ListWorkersWithQualificationType": (_two_granted_context,
                                         ("CreateQualificationType", "AssociateQualificationWithWorker")),
    "NotifyWorkers": (_notify_context, ("CreateHIT",)),
    "RejectAssignment": (_assignment_context, ("CreateHIT",)),
    "RejectQualificationRequest": (_requested_context, ("CreateQualificationType", "ListQualificationRequests")),
    "SendBonus": (_assignment_context, ("CreateHIT",)),
    "SendTestEventNotification": (_nothing, ()),
    "UpdateExpirationForHIT": (lambda api: _hit_context(api, api.new_hit()), ("CreateHIT",)),
    "UpdateHITReviewStatus": (_reviewable_hit_context, ("CreateHIT", "UpdateExpirationForHIT")),
    "UpdateHITTypeOfHIT": (_second_hit_type_context, ("CreateHIT", "CreateHITType")),
    "UpdateNotificationSettings": (_notification_context, ("CreateHITType",)),
    "UpdateQualificationType": (lambda api: {"qualification_type_id": api.qualification_type()},
                                ("CreateQualificationType",)),
}

# Paginated operations whose full input carries a NextToken taken from a first page of one item.
PAGINATED_WITH_TOKEN = {operation for operation in OPERATIONS if "NextToken" in input_members(operation)
                        and "NextToken" not in FULL_INPUT_EXCLUSIONS.get(operation, ())}


def operations_needed(operation: str) -> set[str]:
    """Return `operation` and the operations its setup calls."""
    return {operation, *SETUPS[operation][1]}


def setup_context(api: Api, operation: str, variant: str) -> dict:
    """Create what a valid `operation` call needs and return the ids as a context dict."""
    setup, _ = SETUPS[operation]
    context = setup(api)
    if variant == "full" and operation in PAGINATED_WITH_TOKEN:
        # A token belongs to its filters, so the first page uses the same members as the full call.
        first_page = build_input(operation, {**context, "next_token": None}, "full")
        del first_page["NextToken"]
        first_page["MaxResults"] = 1
        reply = call(api.client, operation, first_page)
        assert "NextToken" in reply, f"{operation} returned no NextToken on a first page of one item"
        context["next_token"] = reply["NextToken"]
    return context
