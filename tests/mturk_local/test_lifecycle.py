"""HIT and assignment lifecycle on the simulated clock: expiry, auto-approval, abandonment, DeleteHIT.

The clock moves only through `POST /_local/clock/advance`, so every check is on
simulated time and none depends on how fast the machine is.
"""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import html_question, mturk_message, worker_id

AUTO_APPROVAL_DELAY_SECONDS = 86_400


def advance_clock(server, seconds: float) -> float:
    return server.admin("clock/advance", {"seconds": seconds})["now"]


def counters(client, hit_id: str) -> tuple[str, int, int, int]:
    """Return (HITStatus, pending, available, completed) of the HIT."""
    hit = client.get_hit(HITId=hit_id)["HIT"]
    return (hit["HITStatus"], hit["NumberOfAssignmentsPending"], hit["NumberOfAssignmentsAvailable"],
            hit["NumberOfAssignmentsCompleted"])


def test_hit_expires_to_reviewable(mturk_client, mturk_server, make_hit):
    hit = make_hit(LifetimeInSeconds=3600)
    assert counters(mturk_client, hit["HITId"])[0] == "Assignable"

    advance_clock(mturk_server, 3599)
    assert counters(mturk_client, hit["HITId"])[0] == "Assignable"

    advance_clock(mturk_server, 2)
    reviewable = mturk_client.list_reviewable_hits()["HITs"]
    assert counters(mturk_client, hit["HITId"])[0] == "Reviewable"
    assert [listed["HITId"] for listed in reviewable] == [hit["HITId"]]


def test_assignment_auto_approved_after_delay(mturk_client, mturk_server, make_hit, worker):
    hit = make_hit(AutoApprovalDelayInSeconds=AUTO_APPROVAL_DELAY_SECONDS)
    assignment_id = worker.work(hit["HITId"], worker_id(1))
    submitted = mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]
    delay = submitted["AutoApprovalTime"].timestamp() - submitted["SubmitTime"].timestamp()

    assert submitted["AssignmentStatus"] == "Submitted"
    assert delay == pytest.approx(AUTO_APPROVAL_DELAY_SECONDS, abs=0.001)
    assert "ApprovalTime" not in submitted

    advance_clock(mturk_server, AUTO_APPROVAL_DELAY_SECONDS - 1)
    assert mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]["AssignmentStatus"] == "Submitted"

    advance_clock(mturk_server, 2)
    approved = mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]
    assert approved["AssignmentStatus"] == "Approved"
    assert approved["ApprovalTime"] == approved["AutoApprovalTime"]
    assert approved["AutoApprovalTime"] == submitted["AutoApprovalTime"]
    assert counters(mturk_client, hit["HITId"])[3] == 1


def test_abandoned_assignment_frees_slot(mturk_client, mturk_server, make_hit, worker):
    hit = make_hit(MaxAssignments=1, AssignmentDurationInSeconds=600, LifetimeInSeconds=7200)
    worker.accept(hit["HITId"], worker_id(1))
    assert counters(mturk_client, hit["HITId"]) == ("Unassignable", 1, 0, 0)

    advance_clock(mturk_server, 599)
    assert counters(mturk_client, hit["HITId"]) == ("Unassignable", 1, 0, 0)

    advance_clock(mturk_server, 2)
    assert counters(mturk_client, hit["HITId"]) == ("Assignable", 0, 1, 0)
    assert mturk_client.list_assignments_for_hit(HITId=hit["HITId"])["NumResults"] == 0

    second = worker.work(hit["HITId"], worker_id(2))
    listed = mturk_client.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    assert [assignment["AssignmentId"] for assignment in listed] == [second]


def test_counters_at_each_step(mturk_client, make_hit, worker):
    hit_id = make_hit(MaxAssignments=2)["HITId"]
    assert counters(mturk_client, hit_id) == ("Assignable", 0, 2, 0)

    first = worker.accept(hit_id, worker_id(1))
    assert counters(mturk_client, hit_id) == ("Assignable", 1, 1, 0)

    assert worker.submit(first, [("answer", "yes")]) == 200
    assert counters(mturk_client, hit_id) == ("Assignable", 0, 1, 0)

    second = worker.accept(hit_id, worker_id(2))
    assert counters(mturk_client, hit_id) == ("Unassignable", 1, 0, 0)

    assert worker.submit(second, [("answer", "no")]) == 200
    assert counters(mturk_client, hit_id) == ("Reviewable", 0, 0, 0)

    mturk_client.approve_assignment(AssignmentId=first)
    assert counters(mturk_client, hit_id) == ("Reviewable", 0, 0, 1)

    mturk_client.reject_assignment(AssignmentId=second, RequesterFeedback="The picture has no cat.")
    assert counters(mturk_client, hit_id) == ("Reviewable", 0, 0, 2)


def test_delete_hit_needs_reviewed_work(mturk_client, make_hit, worker):
    hit_id = make_hit(MaxAssignments=1)["HITId"]
    assignment_id = worker.work(hit_id, worker_id(1))

    with pytest.raises(ClientError) as excinfo:
        mturk_client.delete_hit(HITId=hit_id)
    error = excinfo.value.response["Error"]
    assert error["Code"] == "RequestError"
    assert re.match(mturk_message("This HIT is currently in the state 'Reviewable'.  "
                                  "This operation can be called with a status of: Reviewing, Reviewable"),
                    error["Message"]), error["Message"]

    mturk_client.approve_assignment(AssignmentId=assignment_id)
    mturk_client.delete_hit(HITId=hit_id)

    with pytest.raises(ClientError) as excinfo:
        mturk_client.get_hit(HITId=hit_id)
    assert excinfo.value.response["Error"]["Code"] == "RequestError"
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITDoesNotExist"
    assert re.match(mturk_message(f"Hit {hit_id} does not exist."), excinfo.value.response["Error"]["Message"])
    assert hit_id not in [hit["HITId"] for hit in mturk_client.list_hits()["HITs"]]


def test_approving_twice_fails(mturk_client, make_hit, worker):
    assignment_id = worker.work(make_hit()["HITId"], worker_id(1))
    mturk_client.approve_assignment(AssignmentId=assignment_id)

    with pytest.raises(ClientError) as excinfo:
        mturk_client.approve_assignment(AssignmentId=assignment_id)

    assert excinfo.value.response["Error"]["Code"] == "RequestError"
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.InvalidAssignmentState"
    assert re.match(mturk_message("This operation can be called with a status of: Submitted"),
                    excinfo.value.response["Error"]["Message"])


@pytest.mark.parametrize("count, page_sizes", [(0, [0]), (100, [100, 0]), (261, [100, 100, 61, 0])],
                         ids=["0-assignments", "100-assignments", "261-assignments"])
def test_assignment_pages_of_100(mturk_client, make_hit, worker, count, page_sizes):
    hit_id = make_hit(MaxAssignments=max(count, 1))["HITId"]
    submitted = [worker.work(hit_id, worker_id(number)) for number in range(count)]

    sizes, collected = [], []
    reply = mturk_client.list_assignments_for_hit(HITId=hit_id, MaxResults=100)
    while True:
        sizes.append(reply["NumResults"])
        collected += [assignment["AssignmentId"] for assignment in reply["Assignments"]]
        if not reply["Assignments"]:
            assert "NextToken" not in reply
            break
        assert "NextToken" in reply
        reply = mturk_client.list_assignments_for_hit(HITId=hit_id, MaxResults=100, NextToken=reply["NextToken"])
    paginator = mturk_client.get_paginator("list_assignments_for_hit")
    paginated = [assignment["AssignmentId"]
                 for page in paginator.paginate(HITId=hit_id, PaginationConfig={"PageSize": 100})
                 for assignment in page["Assignments"]]

    assert sizes == page_sizes
    assert collected == submitted
    assert paginated == submitted


def test_hit_disposed_after_120_days(mturk_client, mturk_server):
    hit = mturk_client.create_hit(MaxAssignments=1, LifetimeInSeconds=3600, AssignmentDurationInSeconds=600,
                                  Reward="0.05", Title="T", Description="D", Question=html_question())["HIT"]

    mturk_server.admin("clock/advance", {"seconds": 119 * 24 * 3600})
    assert mturk_client.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"

    mturk_server.admin("clock/advance", {"seconds": 2 * 24 * 3600})
    with pytest.raises(ClientError) as excinfo:
        mturk_client.get_hit(HITId=hit["HITId"])
    listed = [item["HITId"] for item in mturk_client.list_hits()["HITs"]]

    assert excinfo.value.response["Error"]["Code"] == "RequestError"
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITDoesNotExist"
    assert hit["HITId"] not in listed
