"""Production-mode balance: approvals and bonuses charged with MTurk's fees, computed here by hand.

Fees: 20 % of the reward or bonus, at least $0.01, plus 20 % more on the reward
when the HIT has 10 or more assignments, rounded half up to the cent.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import WorkerSite, html_question, make_client, start_server, stop_server, worker_id


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
