"""Worker blocks, NotifyWorkers, and what approvals and bonuses cost in production mode."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import (
    WorkerSite, html_question, make_client, mturk_message, start_server, stop_server, worker_id,
)
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


@pytest.fixture
def production(tmp_path):
    server = start_server(tmp_path / "production", "--instant", "--balance-mode", "production",
                          "--initial-balance", "100.00")
    site = WorkerSite(server.endpoint_url)
    yield server, make_client(server.endpoint_url), site
    site.connection.close()
    stop_server(server)


def test_production_balance_matches_hand_computation(production):
    _, client, site = production
    base = {"LifetimeInSeconds": 3600, "AssignmentDurationInSeconds": 600, "Title": "T", "Description": "D"}
    ten = client.create_hit(MaxAssignments=10, Reward="0.05", Question=html_question(), **base)["HIT"]
    three = client.create_hit(MaxAssignments=3, Reward="0.25", Question=html_question(), **base)["HIT"]
    large = client.create_hit(MaxAssignments=10, Reward="1.33", Question=html_question(), **base)["HIT"]
    masters = client.create_hit(MaxAssignments=2, Reward="0.10", Question=bbox_question(), **base,
                                QualificationRequirements=[{"QualificationTypeId": "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH",
                                                            "Comparator": "Exists"}])["HIT"]
    ten_ids = [site.work(ten["HITId"], worker_id(number)) for number in range(10)]
    three_ids = [site.work(three["HITId"], worker_id(number)) for number in range(3)]
    large_ids = [site.work(large["HITId"], worker_id(number)) for number in range(10)]
    masters_ids = [item["AssignmentId"] for item in
                   client.list_assignments_for_hit(HITId=masters["HITId"])["Assignments"]]

    for assignment_id in ten_ids[:8] + three_ids + large_ids + masters_ids:
        client.approve_assignment(AssignmentId=assignment_id)
    for assignment_id in ten_ids[8:]:
        client.reject_assignment(AssignmentId=assignment_id, RequesterFeedback="Wrong.")
    client.send_bonus(WorkerId=worker_id(0), AssignmentId=three_ids[0], BonusAmount="0.50", Reason="Great.")
    client.send_bonus(WorkerId=worker_id(1), AssignmentId=three_ids[1], BonusAmount="0.03", Reason="Thanks.")
    client.send_bonus(WorkerId=worker_id(9), AssignmentId=ten_ids[9], BonusAmount="0.27", Reason="Sorry.")

    # Approved assignments: reward plus 20 % (40 % with 10+ assignments, 25 % with Masters), at least
    # $0.01, rounded half up. Bonuses: plus 20 %, at least $0.01. Rejected work costs nothing.
    expected_spend = (
        8 * (Decimal("0.05") + Decimal("0.02"))       # 0.05 * 40 % = 0.020
        + 3 * (Decimal("0.25") + Decimal("0.05"))     # 0.25 * 20 % = 0.050
        + 10 * (Decimal("1.33") + Decimal("0.53"))    # 1.33 * 40 % = 0.532
        + len(masters_ids) * (Decimal("0.10") + Decimal("0.03"))  # 0.10 * 25 % = 0.025, half up
        + Decimal("0.50") + Decimal("0.10")           # 0.50 * 20 % = 0.100
        + Decimal("0.03") + Decimal("0.01")           # 0.03 * 20 % = 0.006, minimum fee
        + Decimal("0.27") + Decimal("0.05")           # 0.27 * 20 % = 0.054
    )
    balance = Decimal(client.get_account_balance()["AvailableBalance"])

    assert len(masters_ids) == 2
    assert balance == Decimal("100.00") - expected_spend


def test_insufficient_funds_message(tmp_path):
    server = start_server(tmp_path / "poor", "--instant", "--balance-mode", "production", "--initial-balance", "1.00")
    site = WorkerSite(server.endpoint_url)
    try:
        client = make_client(server.endpoint_url)
        hit = client.create_hit(MaxAssignments=1, LifetimeInSeconds=3600, AssignmentDurationInSeconds=600,
                                Reward="5.00", Title="T", Description="D", Question=html_question())["HIT"]
        assignment_id = site.work(hit["HITId"], worker_id(1))
        with pytest.raises(ClientError) as excinfo:
            client.approve_assignment(AssignmentId=assignment_id)
        status = client.get_assignment(AssignmentId=assignment_id)["Assignment"]["AssignmentStatus"]
    finally:
        site.connection.close()
        stop_server(server)

    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.InsufficientFunds"
    assert re.match(mturk_message("This Requester has insufficient funds in their account to complete this "
                                  "transaction."), excinfo.value.response["Error"]["Message"])
    assert status == "Submitted"
