"""Assignments and bonuses through the real boto3 client, with work done on the worker pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import mturk_message, worker_id

ANSWER_NAMESPACE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd"


def error_of(excinfo) -> dict:
    return excinfo.value.response["Error"]


def test_submitted_assignment_fields(mturk_client, make_hit, worker):
    hit = make_hit(AutoApprovalDelayInSeconds=3 * 86400)
    assignment_id = worker.work(hit["HITId"], worker_id(1), [("answer", "yes & no"), ("comments", "")])

    assignment = mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]

    assert assignment["AssignmentStatus"] == "Submitted"
    assert assignment["WorkerId"] == worker_id(1)
    assert assignment["HITId"] == hit["HITId"]
    assert assignment["AutoApprovalTime"] - assignment["SubmitTime"] == dt.timedelta(days=3)
    assert assignment["AcceptTime"] <= assignment["SubmitTime"]
    assert assignment["Answer"] == (
        f'<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="{ANSWER_NAMESPACE}">'
        "<Answer><QuestionIdentifier>answer</QuestionIdentifier><FreeText>yes &amp; no</FreeText></Answer>"
        "<Answer><QuestionIdentifier>comments</QuestionIdentifier><FreeText></FreeText></Answer>"
        "</QuestionFormAnswers>")
    for absent in ("Deadline", "ApprovalTime", "RejectionTime", "RequesterFeedback"):
        assert absent not in assignment


def test_get_assignment_returns_hit(mturk_client, make_hit, worker):
    hit = make_hit()
    assignment_id = worker.work(hit["HITId"], worker_id(1))

    reply = mturk_client.get_assignment(AssignmentId=assignment_id)

    assert reply["HIT"]["HITId"] == hit["HITId"]
    assert reply["HIT"]["Title"] == hit["Title"]


def test_get_assignment_before_submit(mturk_client, make_hit, worker):
    hit = make_hit()
    assignment_id = worker.accept(hit["HITId"], worker_id(1))

    with pytest.raises(ClientError) as excinfo:
        mturk_client.get_assignment(AssignmentId=assignment_id)

    assert re.match(mturk_message("This operation can be called with a status of: Reviewable,Approved,Rejected"),
                    error_of(excinfo)["Message"])


def test_get_unknown_assignment(mturk_client):
    with pytest.raises(ClientError) as excinfo:
        mturk_client.get_assignment(AssignmentId="3NOSUCHASSIGNMENT")

    assert re.match(mturk_message("Assignment 3NOSUCHASSIGNMENT does not exist."), error_of(excinfo)["Message"])
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.AssignmentDoesNotExist"


def test_list_assignments_status_filter(mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=3)
    ids = [worker.work(hit["HITId"], worker_id(number)) for number in range(3)]
    mturk_client.approve_assignment(AssignmentId=ids[0])
    mturk_client.reject_assignment(AssignmentId=ids[1], RequesterFeedback="No answer given.")

    everything = mturk_client.list_assignments_for_hit(HITId=hit["HITId"])
    submitted = mturk_client.list_assignments_for_hit(HITId=hit["HITId"], AssignmentStatuses=["Submitted"])
    reviewed = mturk_client.list_assignments_for_hit(HITId=hit["HITId"],
                                                     AssignmentStatuses=["Approved", "Rejected"])

    assert [a["AssignmentId"] for a in everything["Assignments"]] == ids
    assert [a["AssignmentId"] for a in submitted["Assignments"]] == [ids[2]]
    assert {a["AssignmentId"]: a["AssignmentStatus"] for a in reviewed["Assignments"]} == {
        ids[0]: "Approved", ids[1]: "Rejected"}


def test_list_assignments_hides_unsubmitted(mturk_client, make_hit, worker):
    hit = make_hit()
    worker.accept(hit["HITId"], worker_id(1))

    assert mturk_client.list_assignments_for_hit(HITId=hit["HITId"])["NumResults"] == 0


def test_approve_with_feedback(mturk_client, make_hit, worker):
    hit = make_hit()
    assignment_id = worker.work(hit["HITId"], worker_id(1))
    mturk_client.approve_assignment(AssignmentId=assignment_id, RequesterFeedback="Thanks!")

    assignment = mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]
    assert assignment["AssignmentStatus"] == "Approved"
    assert assignment["RequesterFeedback"] == "Thanks!"
    assert "ApprovalTime" in assignment


def test_approve_twice(mturk_client, make_hit, worker):
    hit = make_hit()
    assignment_id = worker.work(hit["HITId"], worker_id(1))
    mturk_client.approve_assignment(AssignmentId=assignment_id)

    with pytest.raises(ClientError) as excinfo:
        mturk_client.approve_assignment(AssignmentId=assignment_id)

    assert error_of(excinfo)["Code"] == "RequestError"
    assert re.match(mturk_message("This operation can be called with a status of: Submitted"),
                    error_of(excinfo)["Message"])
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.InvalidAssignmentState"


def test_reject_then_override(mturk_client, make_hit, worker):
    hit = make_hit()
    assignment_id = worker.work(hit["HITId"], worker_id(1))
    mturk_client.reject_assignment(AssignmentId=assignment_id, RequesterFeedback="Empty answer.")
    rejected = mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]

    with pytest.raises(ClientError) as excinfo:
        mturk_client.approve_assignment(AssignmentId=assignment_id)
    mturk_client.approve_assignment(AssignmentId=assignment_id, OverrideRejection=True)
    approved = mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]

    assert rejected["AssignmentStatus"] == "Rejected"
    assert rejected["RequesterFeedback"] == "Empty answer."
    assert "RejectionTime" in rejected
    assert re.match(mturk_message("This operation can be called with a status of: Submitted"),
                    error_of(excinfo)["Message"])
    assert approved["AssignmentStatus"] == "Approved"


def test_reject_approved_assignment(mturk_client, make_hit, worker):
    hit = make_hit()
    assignment_id = worker.work(hit["HITId"], worker_id(1))
    mturk_client.approve_assignment(AssignmentId=assignment_id)

    with pytest.raises(ClientError) as excinfo:
        mturk_client.reject_assignment(AssignmentId=assignment_id, RequesterFeedback="Too late.")

    assert re.match(mturk_message("This operation can be called with a status of: Submitted"),
                    error_of(excinfo)["Message"])


def test_auto_approval_after_delay(mturk_server, mturk_client, make_hit, worker):
    hit = make_hit(AutoApprovalDelayInSeconds=3600)
    assignment_id = worker.work(hit["HITId"], worker_id(1))
    before = mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]

    mturk_server.admin("clock/advance", {"seconds": 3601})
    after = mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]

    assert before["AssignmentStatus"] == "Submitted"
    assert after["AssignmentStatus"] == "Approved"
    assert after["ApprovalTime"] == before["AutoApprovalTime"]


def test_zero_delay_approves_at_submit(mturk_client, make_hit, worker):
    hit = make_hit(AutoApprovalDelayInSeconds=0)
    assignment_id = worker.work(hit["HITId"], worker_id(1))

    assignment = mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]
    assert assignment["AssignmentStatus"] == "Approved"
    assert assignment["ApprovalTime"] == assignment["SubmitTime"]


def test_submit_after_deadline_is_refused(mturk_server, mturk_client, make_hit, worker):
    hit = make_hit(AssignmentDurationInSeconds=60)
    assignment_id = worker.accept(hit["HITId"], worker_id(1))
    mturk_server.admin("clock/advance", {"seconds": 61})

    assert worker.submit(assignment_id, [("answer", "late")]) == 409
    assert mturk_client.list_assignments_for_hit(HITId=hit["HITId"])["NumResults"] == 0


def test_same_worker_cannot_accept_twice(make_hit, worker):
    hit = make_hit()
    worker.accept(hit["HITId"], worker_id(1))
    response = worker.post("/mturk/accept", [("hitId", hit["HITId"]), ("workerId", worker_id(1))])

    assert response.status == 409


def test_send_bonus_and_list(mturk_client, make_hit, worker):
    hit = make_hit()
    assignment_id = worker.work(hit["HITId"], worker_id(1))
    mturk_client.approve_assignment(AssignmentId=assignment_id)
    mturk_client.send_bonus(WorkerId=worker_id(1), BonusAmount="0.50", AssignmentId=assignment_id,
                            Reason="Tight boxes.")

    by_hit = mturk_client.list_bonus_payments(HITId=hit["HITId"])
    by_assignment = mturk_client.list_bonus_payments(AssignmentId=assignment_id)

    assert by_hit["NumResults"] == 1
    payment = by_hit["BonusPayments"][0]
    assert payment["WorkerId"] == worker_id(1)
    assert payment["BonusAmount"] == "0.50"
    assert payment["AssignmentId"] == assignment_id
    assert payment["Reason"] == "Tight boxes."
    assert "GrantTime" in payment
    assert by_assignment["BonusPayments"] == by_hit["BonusPayments"]


def test_send_bonus_to_wrong_worker(mturk_client, make_hit, worker):
    hit = make_hit()
    assignment_id = worker.work(hit["HITId"], worker_id(1))

    with pytest.raises(ClientError) as excinfo:
        mturk_client.send_bonus(WorkerId=worker_id(2), BonusAmount="0.50", AssignmentId=assignment_id,
                                Reason="r")

    assert error_of(excinfo)["Code"] == "ParameterValidationError"
    assert error_of(excinfo)["Message"].startswith(
        f'The value "{worker_id(2)}" is not valid for the parameter WorkerId.')


def test_send_bonus_before_submit(mturk_client, make_hit, worker):
    hit = make_hit()
    assignment_id = worker.accept(hit["HITId"], worker_id(1))

    with pytest.raises(ClientError) as excinfo:
        mturk_client.send_bonus(WorkerId=worker_id(1), BonusAmount="0.50", AssignmentId=assignment_id,
                                Reason="r")

    assert re.match(mturk_message(f"Assignment {assignment_id} does not exist."), error_of(excinfo)["Message"])


def test_send_bonus_token_pays_once(mturk_client, make_hit, worker):
    hit = make_hit()
    assignment_id = worker.work(hit["HITId"], worker_id(1))
    bonus = {"WorkerId": worker_id(1), "BonusAmount": "0.50", "AssignmentId": assignment_id,
             "Reason": "Good work.", "UniqueRequestToken": f"bonus-{assignment_id}"}
    mturk_client.send_bonus(**bonus)

    with pytest.raises(ClientError) as excinfo:
        mturk_client.send_bonus(**bonus)

    assert error_of(excinfo)["Code"] == "RequestError"
    assert bonus["UniqueRequestToken"] in error_of(excinfo)["Message"]
    assert mturk_client.list_bonus_payments(AssignmentId=assignment_id)["NumResults"] == 1


def test_list_bonus_payments_needs_an_id(mturk_client):
    with pytest.raises(ClientError) as excinfo:
        mturk_client.list_bonus_payments()

    assert error_of(excinfo)["Code"] == "ParameterValidationError"
