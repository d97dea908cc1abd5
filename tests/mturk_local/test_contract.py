"""Contract of every operation in botocore's MTurk model: valid inputs parse, invalid ones get MTurk errors.

Cases come from `contract_cases`, which walks the service model. Operations the
server does not implement yet are skipped case by case, and
`test_every_operation_implemented` fails while any of them is missing.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from botocore.exceptions import ClientError
from contract_cases import (  # noqa: F401  (implemented_operations is a fixture)
    ALL_INVALID_CASES, OPERATIONS, SERVICE_MODEL, Api, apply_case, build_input, call,
    implemented_operations, make_unchecked_client, operations_needed, require_implemented, setup_context,
    valid_variants,
)
from mturk_test_support import TIMESTAMP_SUFFIX

VALID_CASES = [(operation, variant) for operation in OPERATIONS for variant in valid_variants(operation)]
VALIDATION_MESSAGE = re.compile(r"^\d+ validation errors? detected: ")


@pytest.fixture
def api(mturk_server, mturk_client):
    session = Api(mturk_server, mturk_client)
    yield session
    session.close()


# Output shape checks ----------------------------------------------------------------------------------------

def shape_problems(shape, value, path: str, raw: bool) -> list[str]:
    """Return how `value` breaks `shape`: unknown or missing members, wrong types, enum and length.

    `raw` values come from the JSON body, where timestamps are epoch numbers;
    parsed values come from botocore, where they are datetimes.
    """
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {value!r}"]
        problems = [f"{path}.{name}: not a member of {shape.name}" for name in value if name not in shape.members]
        problems += [f"{path}.{name}: required member is missing" for name in shape.required_members
                     if name not in value]
        for name, member_value in value.items():
            if name in shape.members:
                problems += shape_problems(shape.members[name], member_value, f"{path}.{name}", raw)
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r}"]
        problems = []
        for index, item in enumerate(value):
            problems += shape_problems(shape.member, item, f"{path}[{index}]", raw)
        return problems
    if kind == "timestamp":
        expected = (int, float) if raw else (datetime.datetime,)
        if isinstance(value, bool) or not isinstance(value, expected):
            return [f"{path}: expected a timestamp as {expected[0].__name__}, got {value!r}"]
        return []
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean, got {value!r}"]
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{path}: expected an integer, got {value!r}"]
        return []
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return [f"{path}: expected a number, got {value!r}"]
        return []
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        metadata = shape.metadata
        problems = []
        if "enum" in metadata and value not in metadata["enum"]:
            problems.append(f"{path}: {value!r} is not one of {metadata['enum']}")
        # NOTE: output patterns are not checked, because the model gives ReviewResultDetail.QuestionId
        # the id pattern ^[A-Z0-9]+$ while question identifiers are chosen by the requester.
        if not metadata.get("min", 0) <= len(value) <= metadata.get("max", len(value)):
            problems.append(f"{path}: length {len(value)} is outside {metadata.get('min', 0)}..{metadata.get('max')}")
        return problems
    return [f"{path}: no check for shape type {kind}"]


def record_raw_bodies(client) -> list[dict]:
    """Return a list that receives the decoded JSON body of every later reply to `client`."""
    bodies: list[dict] = []

    def keep(http_response, **kwargs) -> None:
        bodies.append(json.loads(http_response.content or b"{}"))

    client.meta.events.register("after-call.mturk", keep)
    return bodies


# Tests --------------------------------------------------------------------------------------------------------

def test_every_operation_implemented(implemented_operations):
    missing = sorted(set(OPERATIONS) - implemented_operations)

    assert not missing, (f"{len(missing)} of {len(OPERATIONS)} operations answer UnknownOperationException: "
                         + ", ".join(missing))


def test_unknown_operation_rejected(mturk_server):
    client = make_unchecked_client(mturk_server.endpoint_url)
    client.meta.events.register(
        "before-sign.mturk.GetAccountBalance",
        lambda request, **kwargs: request.headers.replace_header(
            "X-Amz-Target", "MTurkRequesterServiceV20170117.DoesNotExist"))

    with pytest.raises(ClientError) as excinfo:
        client.get_account_balance()

    assert excinfo.value.response["Error"]["Code"] == "UnknownOperationException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("operation, variant", VALID_CASES,
                         ids=[f"{operation}-{variant}" for operation, variant in VALID_CASES])
def test_valid_input_matches_output_shape(api, implemented_operations, operation, variant):
    require_implemented(operations_needed(operation))
    context = setup_context(api, operation, variant)
    params = build_input(operation, context, variant)
    output_shape = SERVICE_MODEL.operation_model(operation).output_shape
    raw_bodies = record_raw_bodies(api.client)

    reply = call(api.client, operation, params)
    reply.pop("ResponseMetadata")

    assert len(raw_bodies) == 1
    assert shape_problems(output_shape, raw_bodies[0], operation, raw=True) == []
    assert shape_problems(output_shape, reply, operation, raw=False) == []
    if output_shape.members:
        assert set(reply) & set(output_shape.members), f"{operation} returned none of its output members"
    if "NumResults" in output_shape.members:
        listed = next(value for value in reply.values() if isinstance(value, list))
        assert reply["NumResults"] == len(listed)


@pytest.mark.parametrize("case", ALL_INVALID_CASES, ids=[case.case_id for case in ALL_INVALID_CASES])
def test_invalid_input_rejected(api, implemented_operations, case):
    require_implemented(operations_needed(case.operation))
    context = setup_context(api, case.operation, case.base_variant)
    params = apply_case(build_input(case.operation, context, case.base_variant), case)

    with pytest.raises(ClientError) as excinfo:
        call(api.unchecked, case.operation, params)
    error = excinfo.value.response["Error"]
    message = error["Message"]

    assert error["Code"] == case.error_code
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # AWS's validator writes member paths in camelCase (`bonusAmount`), MTurk's own messages
    # use the member name, so a case-insensitive match covers both.
    assert case.parameter.lower() in message.lower(), f"the message does not name {case.parameter}: {message}"
    if case.error_code == "ValidationException":
        assert VALIDATION_MESSAGE.match(message), message
    else:
        assert re.search(TIMESTAMP_SUFFIX + "$", message), message
