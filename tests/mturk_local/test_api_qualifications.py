"""Qualification types, qualification tests scored from an answer key, worker qualifications and enforcement."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import mturk_message, worker_id

from mturk_local.crowd import Crowd
from mturk_local.known_answers import load_known_answers

TEST_SEED = 2017
KNOWN_ANSWERS = Path(__file__).resolve().parents[2] / "images" / "known_answers.json"

QUESTION_FORM_NAMESPACE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd"
ANSWER_KEY_NAMESPACE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/AnswerKey.xsd"
TEST_QUESTIONS = 5
PASSING_SCORE = 80


def qualification_test_form(questions: int = TEST_QUESTIONS) -> str:
    """Return a QuestionForm test with `questions` multiple-choice questions of options a, b, c."""
    parts = [f'<QuestionForm xmlns="{QUESTION_FORM_NAMESPACE}">']
    for number in range(1, questions + 1):
        parts.append(
            f"<Question><QuestionIdentifier>q{number}</QuestionIdentifier><QuestionContent><Text>Question {number}"
            "</Text></QuestionContent><AnswerSpecification><SelectionAnswer><Selections>"
            + "".join(f"<Selection><SelectionIdentifier>{option}</SelectionIdentifier><Text>{option}</Text>"
                      "</Selection>" for option in "abc")
            + "</Selections></SelectionAnswer></AnswerSpecification></Question>")
    parts.append("</QuestionForm>")
    return "".join(parts)


def answer_key(questions: int = TEST_QUESTIONS) -> str:
    """Return an AnswerKey where option a is right (1 point) and the value is the percentage of points."""
    parts = [f'<AnswerKey xmlns="{ANSWER_KEY_NAMESPACE}">']
    for number in range(1, questions + 1):
        parts.append(f"<Question><QuestionIdentifier>q{number}</QuestionIdentifier><AnswerOption>"
                     "<SelectionIdentifier>a</SelectionIdentifier><AnswerScore>1</AnswerScore></AnswerOption>"
                     "</Question>")
    parts.append(f"<QualificationValueMapping><PercentageMapping><MaximumSummedScore>{questions}"
                 "</MaximumSummedScore></PercentageMapping></QualificationValueMapping></AnswerKey>")
    return "".join(parts)


def bbox_question(image_file: str = "coffee.jpg", labels: str = "cup, spoon, saucer") -> str:
    """Return an HTMLQuestion with the bounding-box marker, which the simulated crowd works on."""
    page = ("<!DOCTYPE html><html><head><title>Draw boxes</title></head><body>"
            f'<div id="bbox-task" data-image-url="{html.escape("http://127.0.0.1/images/" + image_file)}" '
            f'data-labels="{html.escape(labels)}"><canvas></canvas></div></body></html>')
    return (f'<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/'
            f'HTMLQuestion.xsd"><HTMLContent><![CDATA[{page}]]></HTMLContent><FrameHeight>0</FrameHeight>'
            "</HTMLQuestion>")


def create_type(client, **overrides) -> dict:
    params = {"Name": "Box drawing skill", "Description": "Passed the box drawing test.",
              "QualificationTypeStatus": "Active"}
    params.update(overrides)
    return client.create_qualification_type(**params)["QualificationType"]


def error_of(excinfo) -> tuple[str, str, str]:
    response = excinfo.value.response
    return response["Error"]["Code"], response.get("TurkErrorCode", ""), response["Error"]["Message"]


def test_create_get_and_list(mturk_client):
    created = create_type(mturk_client, Keywords="boxes, drawing", RetryDelayInSeconds=3600)
    fetched = mturk_client.get_qualification_type(QualificationTypeId=created["QualificationTypeId"])
    owned = mturk_client.list_qualification_types(MustBeRequestable=False, MustBeOwnedByCaller=True)
    everything = mturk_client.list_qualification_types(MustBeRequestable=False, MaxResults=100)
    searched = mturk_client.list_qualification_types(MustBeRequestable=True, Query="drawing")

    assert fetched["QualificationType"] == created
    assert created["IsRequestable"] is True
    assert created["AutoGranted"] is False
    assert created["RetryDelayInSeconds"] == 3600
    assert [item["QualificationTypeId"] for item in owned["QualificationTypes"]] == [created["QualificationTypeId"]]
    assert "00000000000000000071" in {item["QualificationTypeId"] for item in everything["QualificationTypes"]}
    assert "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6" in {item["QualificationTypeId"] for item in everything["QualificationTypes"]}
    assert [item["Name"] for item in searched["QualificationTypes"]] == ["Box drawing skill"]


def test_duplicate_name_rejected(mturk_client):
    create_type(mturk_client)
    with pytest.raises(ClientError) as excinfo:
        create_type(mturk_client, Description="Another one.")

    code, turk_code, message = error_of(excinfo)
    assert code == "RequestError"
    assert turk_code == "AWS.MechanicalTurk.QualificationTypeAlreadyExists"
    assert re.match(mturk_message("You have already created a QualificationType with this name. A QualificationType's "
                                  "name must be unique among all of the QualificationTypes created by the same user."),
                    message)


@pytest.mark.parametrize("overrides, parameter", [
    ({"Test": qualification_test_form()}, "TestDurationInSeconds"),
    ({"Test": qualification_test_form(), "TestDurationInSeconds": 600, "AutoGranted": True}, "AutoGranted"),
    ({"Test": "<QuestionForm>", "TestDurationInSeconds": 600}, "Test"),
    ({"Test": qualification_test_form(), "TestDurationInSeconds": 600, "AnswerKey": answer_key(TEST_QUESTIONS + 1)}, "AnswerKey"),
    ({"AnswerKey": answer_key()}, "AnswerKey"),
])
def test_invalid_test_settings(mturk_client, overrides, parameter):
    with pytest.raises(ClientError) as excinfo:
        create_type(mturk_client, **overrides)

    assert excinfo.value.response["Error"]["Code"] == "ParameterValidationError"
    assert parameter in excinfo.value.response["Error"]["Message"]


def test_invalid_test_message(mturk_client):
    with pytest.raises(ClientError) as excinfo:
        create_type(mturk_client, Test="<QuestionForm>", TestDurationInSeconds=600)

    assert excinfo.value.response["Error"]["Message"].startswith(
        'The value "<QuestionForm>" is not valid for the parameter Test. It is not well-formed XML')


def test_update_and_delete(mturk_client):
    created = create_type(mturk_client, RetryDelayInSeconds=60)
    type_id = created["QualificationTypeId"]
    updated = mturk_client.update_qualification_type(QualificationTypeId=type_id, Description="New text.",
                                                      QualificationTypeStatus="Inactive", AutoGranted=True)
    mturk_client.delete_qualification_type(QualificationTypeId=type_id)

    assert updated["QualificationType"]["Description"] == "New text."
    assert updated["QualificationType"]["QualificationTypeStatus"] == "Inactive"
    assert updated["QualificationType"]["AutoGrantedValue"] == 1
    assert updated["QualificationType"]["Name"] == created["Name"]
    with pytest.raises(ClientError) as excinfo:
        mturk_client.get_qualification_type(QualificationTypeId=type_id)
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
    assert create_type(mturk_client)["Name"] == created["Name"]


def test_associate_revoke_and_score(mturk_client):
    type_id = create_type(mturk_client)["QualificationTypeId"]
    worker = worker_id(7)

    with pytest.raises(ClientError) as never_held:
        mturk_client.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker)
    mturk_client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker, IntegerValue=2)
    mturk_client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker, IntegerValue=3)
    score = mturk_client.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker)["Qualification"]
    mturk_client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=worker, Reason="Old.")
    with pytest.raises(ClientError) as revoked:
        mturk_client.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker)
    revoked_list = mturk_client.list_workers_with_qualification_type(QualificationTypeId=type_id, Status="Revoked")
    granted_list = mturk_client.list_workers_with_qualification_type(QualificationTypeId=type_id, Status="Granted")
    mturk_client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker, IntegerValue=4)
    regranted = mturk_client.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker)["Qualification"]

    assert error_of(never_held)[1] == "AWS.MechanicalTurk.QualificationDoesNotExist"
    assert re.match(mturk_message("You requested a Qualification that does not exist."), error_of(never_held)[2])
    assert (score["IntegerValue"], score["Status"], score["WorkerId"]) == (3, "Granted", worker)
    assert error_of(revoked)[0] == "RequestError"
    assert re.match(mturk_message("This operation can be called with a status of: Granted"), error_of(revoked)[2])
    assert [item["WorkerId"] for item in revoked_list["Qualifications"]] == [worker]
    assert granted_list["NumResults"] == 0
    assert (regranted["IntegerValue"], regranted["Status"]) == (4, "Granted")


def test_manual_requests_accept_reject_and_retry(mturk_client, mturk_server):
    type_id = create_type(mturk_client, RetryDelayInSeconds=600)["QualificationTypeId"]
    first = mturk_server.admin("qualification-requests", {"QualificationTypeId": type_id, "WorkerId": worker_id(1)})
    second = mturk_server.admin("qualification-requests", {"QualificationTypeId": type_id, "WorkerId": worker_id(2)})
    pending = mturk_client.list_qualification_requests(QualificationTypeId=type_id)["QualificationRequests"]
    mturk_client.accept_qualification_request(QualificationRequestId=pending[0]["QualificationRequestId"],
                                              IntegerValue=42)
    mturk_client.reject_qualification_request(QualificationRequestId=pending[1]["QualificationRequestId"],
                                              Reason="Not yet.")
    with pytest.raises(ClientError) as twice:
        mturk_client.accept_qualification_request(QualificationRequestId=pending[0]["QualificationRequestId"])
    too_soon = mturk_server.admin("qualification-requests", {"QualificationTypeId": type_id, "count": 1})
    mturk_server.admin("clock/advance", {"seconds": 601})
    again = mturk_server.admin("qualification-requests", {"QualificationTypeId": type_id, "WorkerId": worker_id(2)})

    assert first["QualificationRequests"][0]["Status"] == "Pending"
    assert second["QualificationRequests"][0]["Status"] == "Pending"
    assert [item["WorkerId"] for item in pending] == [worker_id(1), worker_id(2)]
    assert mturk_client.get_qualification_score(QualificationTypeId=type_id,
                                                WorkerId=worker_id(1))["Qualification"]["IntegerValue"] == 42
    assert re.match(mturk_message("This operation can be called with a status of: Pending"), error_of(twice)[2])
    assert too_soon["QualificationRequests"][0]["Status"] == "Pending"
    assert again["QualificationRequests"][0]["Status"] == "Pending"


def test_auto_granted_request(mturk_client, mturk_server):
    type_id = create_type(mturk_client, AutoGranted=True, AutoGrantedValue=5)["QualificationTypeId"]
    reply = mturk_server.admin("qualification-requests", {"QualificationTypeId": type_id, "WorkerId": worker_id(3)})

    assert reply["QualificationRequests"][0]["Status"] == "Granted"
    assert mturk_client.get_qualification_score(QualificationTypeId=type_id,
                                                WorkerId=worker_id(3))["Qualification"]["IntegerValue"] == 5
    assert mturk_client.list_qualification_requests(QualificationTypeId=type_id)["NumResults"] == 0


def test_scored_test_gates_simulated_workers(mturk_client, mturk_server):
    type_id = create_type(mturk_client, Test=qualification_test_form(), AnswerKey=answer_key(),
                          TestDurationInSeconds=600)["QualificationTypeId"]
    reply = mturk_server.admin("qualification-requests", {"QualificationTypeId": type_id, "count": 60})
    outcomes = reply["QualificationRequests"]
    scores = {item["WorkerId"]: item["IntegerValue"] for item in outcomes}
    passing = {worker for worker, value in scores.items() if value >= PASSING_SCORE}

    assert len(outcomes) == 60
    assert {item["Status"] for item in outcomes} == {"Granted"}
    assert set(scores.values()) <= {0, 20, 40, 60, 80, 100}
    assert 0 < len(passing) < 60

    requirement = {"QualificationTypeId": type_id, "Comparator": "GreaterThanOrEqualTo",
                   "IntegerValues": [PASSING_SCORE]}
    hit = mturk_client.create_hit(MaxAssignments=5, LifetimeInSeconds=3600, AssignmentDurationInSeconds=600,
                                  Reward="0.05", Title="Draw boxes", Description="Box the cups.",
                                  Question=bbox_question(), QualificationRequirements=[requirement])["HIT"]
    assignments = mturk_client.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    listed = mturk_client.list_hits_for_qualification_type(QualificationTypeId=type_id)["HITs"]

    assert len(assignments) == 5
    assert [item["HITId"] for item in listed] == [hit["HITId"]]
    for assignment in assignments:
        qualification = mturk_client.get_qualification_score(QualificationTypeId=type_id,
                                                             WorkerId=assignment["WorkerId"])["Qualification"]
        assert qualification["IntegerValue"] >= PASSING_SCORE, assignment["WorkerId"]
        assert qualification["Status"] == "Granted"


def test_test_without_retry_is_requested_once(mturk_client, mturk_server):
    type_id = create_type(mturk_client, Test=qualification_test_form(), AnswerKey=answer_key(),
                          TestDurationInSeconds=600)["QualificationTypeId"]
    first = mturk_server.admin("qualification-requests", {"QualificationTypeId": type_id, "count": 3})
    again = mturk_server.admin("qualification-requests", {"QualificationTypeId": type_id, "count": 3})

    assert {item["Status"] for item in first["QualificationRequests"]} == {"Granted"}
    assert {item["Status"] for item in again["QualificationRequests"]} == {"NotRequested"}


def test_person_needs_custom_qualification(mturk_client, make_hit, worker):
    type_id = create_type(mturk_client)["QualificationTypeId"]
    requirement = {"QualificationTypeId": type_id, "Comparator": "Exists", "ActionsGuarded": "PreviewAndAccept"}
    hit = make_hit(QualificationRequirements=[requirement])
    holder, stranger = worker_id(1), worker_id(2)
    mturk_client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=holder, IntegerValue=1)

    refused = worker.post("/mturk/accept", [("hitId", hit["HITId"]), ("workerId", stranger)])
    preview_status, _, _ = worker.get(f"/mturk/preview?hitId={hit['HITId']}&workerId={stranger}")
    holder_status, _, _ = worker.get(f"/mturk/preview?hitId={hit['HITId']}&workerId={holder}")

    assert refused.status == 403
    assert preview_status == 403
    assert holder_status == 200
    assert worker.accept(hit["HITId"], holder)


def test_discover_guard_hides_hit(mturk_client, make_hit, worker):
    type_id = create_type(mturk_client)["QualificationTypeId"]
    requirement = {"QualificationTypeId": type_id, "Comparator": "Exists", "ActionsGuarded": "DiscoverPreviewAndAccept"}
    hit = make_hit(QualificationRequirements=[requirement], Title="Hidden cat")
    mturk_client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker_id(1))

    _, stranger_page, _ = worker.get(f"/mturk/?workerId={worker_id(2)}")
    _, holder_page, _ = worker.get(f"/mturk/?workerId={worker_id(1)}")

    assert hit["HITId"] not in stranger_page
    assert hit["HITId"] in holder_page


def test_unknown_type_in_requirement(make_hit):
    with pytest.raises(ClientError) as excinfo:
        make_hit(QualificationRequirements=[{"QualificationTypeId": "3NOSUCHTYPE", "Comparator": "Exists"}])

    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
    assert re.match(mturk_message("QualificationType 3NOSUCHTYPE does not exist."),
                    excinfo.value.response["Error"]["Message"])


def test_masters_requirement_admits_only_masters(mturk_client):
    crowd = Crowd(TEST_SEED, load_known_answers(KNOWN_ANSWERS))
    requirement = {"QualificationTypeId": "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6", "Comparator": "Exists"}
    hit = mturk_client.create_hit(MaxAssignments=3, LifetimeInSeconds=3600, AssignmentDurationInSeconds=600,
                                  Reward="0.05", Title="Draw boxes", Description="Box the cups.",
                                  Question=bbox_question(), QualificationRequirements=[requirement])["HIT"]
    assignments = mturk_client.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]

    assert assignments
    for assignment in assignments:
        assert crowd.worker(assignment["WorkerId"]).masters, assignment["WorkerId"]


def test_person_meets_experience_but_not_masters(make_hit, worker):
    experienced = make_hit(QualificationRequirements=[
        {"QualificationTypeId": "00000000000000000040", "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [100]},
        {"QualificationTypeId": "000000000000000000L0", "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [95]}])
    masters = make_hit(QualificationRequirements=[
        {"QualificationTypeId": "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6", "Comparator": "Exists"}])

    refused = worker.post("/mturk/accept", [("hitId", masters["HITId"]), ("workerId", worker_id(1))])

    assert worker.accept(experienced["HITId"], worker_id(1))
    assert refused.status == 403
