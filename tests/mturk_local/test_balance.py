"""Production-mode balance: approvals and bonuses charged with MTurk's fees, computed here by hand.

Fees: 20 % of the reward or bonus, at least $0.01, plus 20 % more on the reward
when the HIT has 10 or more assignments, rounded half up to the cent.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import (
    WorkerSite, html_question, make_client, mturk_message, start_server, stop_server, worker_id,
)
from test_api_qualifications import bbox_question


@pytest.fixture
def production(tmp_path):
    server = start_server(tmp_path / "production", "--instant", "--balance-mode", "production",
                          "--initial-balance", "100.00")
    site = WorkerSite(server.endpoint_url)
    yield server, make_client(server.endpoint_url), site
    site.connection.close()
    stop_server(server)


def balance(client) -> Decimal:
    return Decimal(client.get_account_balance()["AvailableBalance"])


def approve_all(client, site, reward: str, assignments: int) -> None:
    hit = client.create_hit(MaxAssignments=assignments, LifetimeInSeconds=3600, AssignmentDurationInSeconds=600,
                            Reward=reward, Title="T", Description="D", Question=html_question())["HIT"]
    for number in range(assignments):
        assignment_id = site.work(hit["HITId"], worker_id(number))
        client.approve_assignment(AssignmentId=assignment_id)


@pytest.mark.parametrize("reward, assignments, total", [
    ("0.05", 9, "0.54"),    # $0.05 + $0.01 fee, 9 times
    ("0.05", 10, "0.70"),   # 10+ assignments: 40 % fee, $0.02 each
    ("0.02", 1, "0.03"),    # the $0.01 minimum fee
    ("1.00", 10, "14.00"),  # $1.00 + $0.40, 10 times
])
def test_approval_charges_reward_and_fee(production, reward, assignments, total):
    _, client, site = production
    start = balance(client)
    approve_all(client, site, reward, assignments)

    assert start - balance(client) == Decimal(total)


def test_bonus_charges_bonus_and_fee(production):
    _, client, site = production
    hit = client.create_hit(MaxAssignments=1, LifetimeInSeconds=3600, AssignmentDurationInSeconds=600,
                            Reward="0.05", Title="T", Description="D", Question=html_question())["HIT"]
    assignment_id = site.work(hit["HITId"], worker_id(1))
    client.reject_assignment(AssignmentId=assignment_id, RequesterFeedback="Wrong image.")
    start = balance(client)
    client.send_bonus(WorkerId=worker_id(1), BonusAmount="0.50", AssignmentId=assignment_id, Reason="Extra effort.")

    assert start - balance(client) == Decimal("0.60")


def test_rejected_work_costs_nothing(production):
    _, client, site = production
    hit = client.create_hit(MaxAssignments=1, LifetimeInSeconds=3600, AssignmentDurationInSeconds=600,
                            Reward="0.05", Title="T", Description="D", Question=html_question())["HIT"]
    start = balance(client)
    assignment_id = site.work(hit["HITId"], worker_id(1))
    client.reject_assignment(AssignmentId=assignment_id, RequesterFeedback="Empty.")

    assert balance(client) == start


def test_insufficient_funds(production):
    _, client, site = production
    hit = client.create_hit(MaxAssignments=1, LifetimeInSeconds=3600, AssignmentDurationInSeconds=600,
                            Reward="0.05", Title="T", Description="D", Question=html_question())["HIT"]
    assignment_id = site.work(hit["HITId"], worker_id(1))

    with pytest.raises(ClientError) as excinfo:
        client.send_bonus(WorkerId=worker_id(1), BonusAmount="90.00", AssignmentId=assignment_id, Reason="Too much.")

    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.InsufficientFunds"
    assert balance(client) == Decimal("100.00")
    assert client.list_bonus_payments(AssignmentId=assignment_id)["NumResults"] == 0


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
