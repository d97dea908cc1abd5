"""Worker blocks and NotifyWorkers."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import worker_id
from test_api_qualifications import bbox_question


def test_block_list_and_unblock(mturk_client):
    mturk_client.create_worker_block(WorkerId=worker_id(1), Reason="Random boxes.")
    mturk_client.create_worker_block(WorkerId=worker_id(2), Reason="Empty answers.")
    listed = mturk_client.list_worker_blocks()
    mturk_client.delete_worker_block(WorkerId=worker_id(1))
    mturk_client.delete_worker_block(WorkerId=worker_id(9), Reason="Never blocked.")
    after = mturk_client.list_worker_blocks()

    assert listed["WorkerBlocks"] == [{"WorkerId": worker_id(1), "Reason": "Random boxes."},
                                      {"WorkerId": worker_id(2), "Reason": "Empty answers."}]
    assert after["WorkerBlocks"] == [{"WorkerId": worker_id(2), "Reason": "Empty answers."}]


def test_blocked_person_cannot_accept(mturk_client, make_hit, worker):
    hit = make_hit()
    mturk_client.create_worker_block(WorkerId=worker_id(1), Reason="Random boxes.")

    refused = worker.post("/mturk/accept", [("hitId", hit["HITId"]), ("workerId", worker_id(1))])
    _, page, _ = worker.get(f"/mturk/?workerId={worker_id(1)}")

    assert refused.status == 403
    assert hit["HITId"] not in page
    assert worker.accept(hit["HITId"], worker_id(2))


def test_blocked_simulated_worker_gets_no_work(mturk_client):
    params = {"MaxAssignments": 5, "LifetimeInSeconds": 3600, "AssignmentDurationInSeconds": 600, "Reward": "0.05",
              "Title": "Draw boxes", "Description": "Box the cups."}
    first = mturk_client.create_hit(Question=bbox_question(), **params)["HIT"]
    workers = [item["WorkerId"] for item in mturk_client.list_assignments_for_hit(HITId=first["HITId"])["Assignments"]]
    for blocked in workers:
        mturk_client.create_worker_block(WorkerId=blocked, Reason="Testing blocks.")
    second = mturk_client.create_hit(Question=bbox_question(), **params)["HIT"]
    again = [item["WorkerId"] for item in mturk_client.list_assignments_for_hit(HITId=second["HITId"])["Assignments"]]

    assert len(workers) == 5
    assert len(again) == 5
    assert not set(again) & set(workers)


def test_notify_workers_reports_failures(mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=2)
    approved = worker.work(hit["HITId"], worker_id(1))
    worker.work(hit["HITId"], worker_id(2))
    mturk_client.approve_assignment(AssignmentId=approved)

    reply = mturk_client.notify_workers(Subject="New HITs", MessageText="More cats tomorrow.",
                                        WorkerIds=[worker_id(1), worker_id(2), worker_id(3)])
    status, page, _ = worker.get(f"/mturk/messages?workerId={worker_id(1)}")
    _, other_page, _ = worker.get(f"/mturk/messages?workerId={worker_id(2)}")

    failures = reply["NotifyWorkersFailureStatuses"]
    assert [item["WorkerId"] for item in failures] == [worker_id(2), worker_id(3)]
    assert {item["NotifyWorkersFailureCode"] for item in failures} == {"HardFailure"}
    assert failures[0]["NotifyWorkersFailureMessage"] == (
        f"Cannot send a message to worker {worker_id(2)}: you have not approved or rejected any work of this worker.")
    assert status == 200
    assert "More cats tomorrow." in page
    assert "More cats tomorrow." not in other_page


@pytest.mark.parametrize("overrides, parameter, limit", [
    ({"Subject": "s" * 201}, "Subject", "200"),
    ({"MessageText": "m" * 4097}, "MessageText", "4096"),
    ({"WorkerIds": [worker_id(n) for n in range(101)]}, "WorkerIds", "100"),
])
def test_notify_workers_limits(mturk_client, overrides, parameter, limit):
    params = {"Subject": "Hello", "MessageText": "Text.", "WorkerIds": [worker_id(1)]}
    params.update(overrides)
    with pytest.raises(ClientError) as excinfo:
        mturk_client.notify_workers(**params)

    message = excinfo.value.response["Error"]["Message"]
    assert excinfo.value.response["Error"]["Code"] == "ParameterValidationError"
    assert parameter in message
    assert limit in message
