"""Validation errors: the botocore model's constraints and the limits the real service adds."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import html_question, make_client, mturk_message, start_server, stop_server

EXTERNAL_NAMESPACE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd"


def error_of(excinfo) -> dict:
    return excinfo.value.response["Error"]


def test_bonus_amount_pattern(mturk_client):
    with pytest.raises(ClientError) as excinfo:
        mturk_client.send_bonus(WorkerId="AWORKER1", BonusAmount="0.9752", AssignmentId="3ABC", Reason="r")

    assert error_of(excinfo)["Code"] == "ValidationException"
    assert error_of(excinfo)["Message"] == (
        "1 validation error detected: Value '0.9752' at 'bonusAmount' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: ^[0-9]+(\.)?[0-9]{0,2}$")


def test_max_results_500(mturk_client):
    with pytest.raises(ClientError) as excinfo:
        mturk_client.list_hits(MaxResults=500)

    assert error_of(excinfo)["Code"] == "ValidationException"
    assert error_of(excinfo)["Message"] == (
        "1 validation error detected: Value '500' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100")


def test_enum_violation_in_list(mturk_client, make_hit):
    hit = make_hit()
    with pytest.raises(ClientError) as excinfo:
        mturk_client.list_assignments_for_hit(HITId=hit["HITId"], AssignmentStatuses=["Bogus"])

    assert error_of(excinfo)["Code"] == "ValidationException"
    assert error_of(excinfo)["Message"] == (
        "1 validation error detected: Value '[Bogus]' at 'assignmentStatuses' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must satisfy enum value set: [Submitted, Approved, Rejected]]")


def test_enum_violation_in_structure(mturk_client, make_hit):
    with pytest.raises(ClientError) as excinfo:
        make_hit(QualificationRequirements=[{"QualificationTypeId": "00000000000000000040",
                                             "Comparator": "AtLeast", "IntegerValues": [100]}])

    assert error_of(excinfo)["Message"] == (
        "1 validation error detected: Value 'AtLeast' at 'qualificationRequirements.1.member.comparator' "
        "failed to satisfy constraint: Member must satisfy enum value set: [LessThan, LessThanOrEqualTo, "
        "GreaterThan, GreaterThanOrEqualTo, EqualTo, NotEqualTo, Exists, DoesNotExist, In, NotIn]")


def test_two_violations_counted(mturk_client):
    with pytest.raises(ClientError) as excinfo:
        mturk_client.list_reviewable_hits(Status="Done", MaxResults=200)

    assert error_of(excinfo)["Message"].startswith("2 validation errors detected: ")


def test_lowercase_id_rejected(mturk_client):
    with pytest.raises(ClientError) as excinfo:
        mturk_client.get_hit(HITId="abc")

    assert error_of(excinfo)["Message"] == (
        "1 validation error detected: Value 'abc' at 'HITId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[A-Z0-9]+$")


def test_title_too_long(make_hit):
    title = "x" * 129
    with pytest.raises(ClientError) as excinfo:
        make_hit(Title=title)

    assert error_of(excinfo)["Code"] == "ParameterValidationError"
    assert re.match(mturk_message(f'The value "{title}" is not valid for the parameter Title. '
                                  "Title must be at most 128 characters long; this one has 129."),
                    error_of(excinfo)["Message"])


def test_http_external_url(make_hit):
    question = (f'<ExternalQuestion xmlns="{EXTERNAL_NAMESPACE}"><ExternalURL>http://example.org/task'
                "</ExternalURL><FrameHeight>600</FrameHeight></ExternalQuestion>")
    with pytest.raises(ClientError) as excinfo:
        make_hit(Question=question)

    assert error_of(excinfo)["Code"] == "ParameterValidationError"
    assert re.match(mturk_message(f'The value "{question}" is not valid for the parameter Question. '
                                  "ExternalURL must be an https:// URL; got 'http://example.org/task'."),
                    error_of(excinfo)["Message"])


def test_https_external_url_accepted(make_hit):
    question = (f'<ExternalQuestion xmlns="{EXTERNAL_NAMESPACE}"><ExternalURL>https://example.org/task?a=1&amp;b=2'
                "</ExternalURL><FrameHeight>600</FrameHeight></ExternalQuestion>")

    assert make_hit(Question=question)["Question"] == question


@pytest.mark.parametrize("question, reason", [
    ("<HTMLQuestion>", "It is not well-formed XML"),
    ("<Question/>", "The root element must be HTMLQuestion, ExternalQuestion or QuestionForm; got Question."),
    ('<HTMLQuestion xmlns="urn:wrong"><HTMLContent>x</HTMLContent><FrameHeight>0</FrameHeight></HTMLQuestion>',
     "HTMLQuestion must use the namespace"),
    (html_question().replace("<FrameHeight>0</FrameHeight>", ""), "needs a FrameHeight element"),
])
def test_bad_question_xml(make_hit, question, reason):
    with pytest.raises(ClientError) as excinfo:
        make_hit(Question=question)

    assert error_of(excinfo)["Code"] == "ParameterValidationError"
    assert reason in error_of(excinfo)["Message"]


def test_question_too_large(make_hit):
    with pytest.raises(ClientError) as excinfo:
        make_hit(Question=html_question("x" * 65_536))

    assert "must be at most 65535 bytes" in error_of(excinfo)["Message"]


@pytest.mark.parametrize("name, value, low, high", [
    ("LifetimeInSeconds", 29, 30, 31536000),
    ("AssignmentDurationInSeconds", 31536001, 30, 31536000),
    ("AutoApprovalDelayInSeconds", 2592001, 0, 2592000),
    ("MaxAssignments", 1000000001, 1, 1000000000),
])
def test_numeric_ranges(make_hit, name, value, low, high):
    with pytest.raises(ClientError) as excinfo:
        make_hit(**{name: value})

    assert error_of(excinfo)["Code"] == "ParameterValidationError"
    assert re.match(mturk_message(f"The value {value} is invalid for {name}. Valid values range from {low} to {high}."),
                    error_of(excinfo)["Message"])


@pytest.mark.parametrize("name, max_chars", [
    ("Description", 2000), ("Keywords", 1000), ("RequesterAnnotation", 255),
])
def test_text_lengths(make_hit, name, max_chars):
    with pytest.raises(ClientError) as excinfo:
        make_hit(**{name: "y" * (max_chars + 1)})

    assert f"{name} must be at most {max_chars} characters long" in error_of(excinfo)["Message"]


def test_question_and_layout_both_missing(mturk_client):
    hit_type_id = mturk_client.create_hit_type(AssignmentDurationInSeconds=600, Reward="0.05", Title="T",
                                               Description="D")["HITTypeId"]
    with pytest.raises(ClientError) as excinfo:
        mturk_client.create_hit_with_hit_type(HITTypeId=hit_type_id, LifetimeInSeconds=600)

    assert re.match(mturk_message("Exactly one of Question and HITLayoutId must be provided; neither was given."),
                    error_of(excinfo)["Message"])


def test_too_many_qualification_requirements(make_hit):
    requirement = {"QualificationTypeId": "00000000000000000040", "Comparator": "GreaterThan",
                   "IntegerValues": [10]}
    with pytest.raises(ClientError) as excinfo:
        make_hit(QualificationRequirements=[requirement] * 11)

    assert re.match(mturk_message("A HIT can have at most 10 QualificationRequirements; got 11."),
                    error_of(excinfo)["Message"])


def test_zero_reward_rejected(make_hit):
    with pytest.raises(ClientError) as excinfo:
        make_hit(Reward="0.00")

    assert error_of(excinfo)["Code"] == "ParameterValidationError"
    assert "Reward must be at least 0.01 US dollars" in error_of(excinfo)["Message"]


def raw_call(endpoint_url: str, target: str, body: bytes) -> tuple[int, dict, dict]:
    request = urllib.request.Request(endpoint_url + "/", data=body, method="POST", headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_unknown_operation(mturk_server):
    status, headers, body = raw_call(mturk_server.endpoint_url, "MTurkRequesterServiceV20170117.MakeCoffee", b"{}")

    assert status == 400
    assert body["__type"] == "UnknownOperationException"
    assert "x-amzn-requestid" in {name.lower() for name in headers}


def test_body_not_json(mturk_server):
    status, _, body = raw_call(mturk_server.endpoint_url, "MTurkRequesterServiceV20170117.ListHITs", b"{not json")

    assert status == 400
    assert body["__type"] == "SerializationException"


def test_wrong_json_type(mturk_server):
    status, _, body = raw_call(mturk_server.endpoint_url, "MTurkRequesterServiceV20170117.ListHITs",
                               b'{"MaxResults": "ten"}')

    assert status == 400
    assert body["__type"] == "SerializationException"


def test_missing_required_member(mturk_server):
    status, _, body = raw_call(mturk_server.endpoint_url, "MTurkRequesterServiceV20170117.SendBonus",
                               b'{"WorkerId": "AW1", "BonusAmount": "1.00", "AssignmentId": "3A"}')

    assert status == 400
    assert body == {"__type": "ValidationException", "message": (
        "1 validation error detected: Value null at 'reason' failed to satisfy constraint: "
        "Member must not be null.")}


def test_zero_reward_needs_option(mturk_client, tmp_path):
    arguments = {"AssignmentDurationInSeconds": 600, "Reward": "0.00", "Title": "T", "Description": "D"}
    with pytest.raises(ClientError) as excinfo:
        mturk_client.create_hit_type(**arguments)
    assert excinfo.value.response["Error"]["Code"] == "ParameterValidationError"
    assert "Reward must be at least 0.01 US dollars" in excinfo.value.response["Error"]["Message"]

    server = start_server(tmp_path / "free", "--instant", "--allow-zero-reward")
    try:
        hit_type_id = make_client(server.endpoint_url).create_hit_type(**arguments)["HITTypeId"]
    finally:
        stop_server(server)
    assert hit_type_id
