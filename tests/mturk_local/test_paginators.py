"""Pagination of the nine list operations that botocore ships paginators for.

Each operation gets 25 items (two full pages and a partial one at page size 10)
and 20 items (an exactly full last page). The botocore paginator must return
every item once, and a manual loop must see a NextToken on every non-empty
page, then an empty page without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest
from botocore import xform_name
from contract_cases import OPERATIONS, Api, implemented_operations, require_implemented  # noqa: F401  (fixture)

PAGE_SIZE = 10


@pytest.fixture
def api(mturk_server, mturk_client):
    session = Api(mturk_server, mturk_client)
    yield session
    session.close()


@dataclass(frozen=True)
class Listing:
    """How to fill one list operation with items and how to tell its items apart."""

    operation: str
    result_key: str
    item_key: str
    create: Callable[[Api, int], tuple[dict, set]]   # returns (call parameters, keys of the created items)
    setup_operations: tuple[str, ...]


def _hits(api: Api, count: int) -> tuple[dict, set]:
    return {}, {api.new_hit()["HITId"] for _ in range(count)}


def _reviewable_hits(api: Api, count: int) -> tuple[dict, set]:
    hit_ids = set()
    for _ in range(count):
        hit_id = api.new_hit()["HITId"]
        api.expire(hit_id)
        hit_ids.add(hit_id)
    return {}, hit_ids


def _assignments(api: Api, count: int) -> tuple[dict, set]:
    hit = api.new_hit(MaxAssignments=count)
    return {"HITId": hit["HITId"]}, {api.submitted_assignment(hit)[1] for _ in range(count)}


def _bonuses(api: Api, count: int) -> tuple[dict, set]:
    _, assignment_id, worker = api.submitted_assignment()
    reasons = {f"bonus {number}" for number in range(count)}
    for reason in sorted(reasons):
        api.client.send_bonus(WorkerId=worker, BonusAmount="0.10", AssignmentId=assignment_id, Reason=reason)
    return {"AssignmentId": assignment_id}, reasons


def _qualified_hits(api: Api, count: int) -> tuple[dict, set]:
    type_id = api.qualification_type()
    requirement = [{"QualificationTypeId": type_id, "Comparator": "Exists"}]
    hit_ids = {api.new_hit(QualificationRequirements=requirement)["HITId"] for _ in range(count)}
    return {"QualificationTypeId": type_id}, hit_ids


def _qualification_requests(api: Api, count: int) -> tuple[dict, set]:
    type_id = api.qualification_type()
    request_ids = {api.qualification_request(type_id, api.next_worker()) for _ in range(count)}
    return {"QualificationTypeId": type_id}, request_ids


def _qualification_types(api: Api, count: int) -> tuple[dict, set]:
    type_ids = {api.qualification_type() for _ in range(count)}
    return {"MustBeRequestable": False, "MustBeOwnedByCaller": True}, type_ids


def _worker_blocks(api: Api, count: int) -> tuple[dict, set]:
    workers = {api.next_worker() for _ in range(count)}
    for worker in workers:
        api.client.create_worker_block(WorkerId=worker, Reason="Copied answers")
    return {}, workers


def _qualified_workers(api: Api, count: int) -> tuple[dict, set]:
    type_id = api.qualification_type()
    workers = {api.next_worker() for _ in range(count)}
    for worker in workers:
        api.client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker, IntegerValue=1)
    return {"QualificationTypeId": type_id}, workers


LISTINGS = [
    Listing("ListAssignmentsForHIT", "Assignments", "AssignmentId", _assignments, ("CreateHIT",)),
    Listing("ListBonusPayments", "BonusPayments", "Reason", _bonuses, ("CreateHIT", "SendBonus")),
    Listing("ListHITs", "HITs", "HITId", _hits, ("CreateHIT",)),
    Listing("ListHITsForQualificationType", "HITs", "HITId", _qualified_hits,
            ("CreateQualificationType", "CreateHIT")),
    Listing("ListQualificationRequests", "QualificationRequests", "QualificationRequestId",
            _qualification_requests, ("CreateQualificationType",)),
    Listing("ListQualificationTypes", "QualificationTypes", "QualificationTypeId", _qualification_types,
            ("CreateQualificationType",)),
    Listing("ListReviewableHITs", "HITs", "HITId", _reviewable_hits, ("CreateHIT", "UpdateExpirationForHIT")),
    Listing("ListWorkerBlocks", "WorkerBlocks", "WorkerId", _worker_blocks, ("CreateWorkerBlock",)),
    Listing("ListWorkersWithQualificationType", "Qualifications", "WorkerId", _qualified_workers,
            ("CreateQualificationType", "AssociateQualificationWithWorker")),
]
CASES = [(listing, count) for listing in LISTINGS for count in (25, 20)]
CASE_IDS = [f"{listing.operation}-{count}-items" for listing, count in CASES]
# Page sizes a manual loop with MaxResults=10 receives, the final empty page included.
EXPECTED_PAGE_SIZES = {25: [10, 10, 5, 0], 20: [10, 10, 0]}


def test_listings_cover_every_paginator(mturk_client):
    paginated = [operation for operation in OPERATIONS if mturk_client.can_paginate(xform_name(operation))]

    assert sorted(paginated) == sorted(listing.operation for listing in LISTINGS)


@pytest.mark.parametrize("listing, count", CASES, ids=CASE_IDS)
def test_paginator_returns_every_item(api, implemented_operations, listing, count):
    require_implemented({listing.operation, *listing.setup_operations})
    params, created = listing.create(api, count)

    paginator = api.client.get_paginator(xform_name(listing.operation))
    pages = list(paginator.paginate(**params, PaginationConfig={"PageSize": PAGE_SIZE}))
    keys = [item[listing.item_key] for page in pages for item in page[listing.result_key]]

    assert len(keys) == count
    assert len(set(keys)) == len(keys), "an item came back on two pages"
    assert set(keys) == created


@pytest.mark.parametrize("listing, count", CASES, ids=CASE_IDS)
def test_manual_loop_ends_on_empty_page(api, implemented_operations, listing, count):
    require_implemented({listing.operation, *listing.setup_operations})
    params, created = listing.create(api, count)
    method = getattr(api.client, xform_name(listing.operation))

    page_sizes, keys = [], []
    reply = method(**params, MaxResults=PAGE_SIZE)
    while True:
        items = reply[listing.result_key]
        page_sizes.append(len(items))
        keys += [item[listing.item_key] for item in items]
        assert reply["NumResults"] == len(items)
        if not items:
            assert "NextToken" not in reply, "an empty page must not carry a NextToken"
            break
        assert "NextToken" in reply, f"page {len(page_sizes)} has items but no NextToken"
        assert len(page_sizes) <= count + 1, "the pages do not end"
        reply = method(**params, MaxResults=PAGE_SIZE, NextToken=reply["NextToken"])

    assert page_sizes == EXPECTED_PAGE_SIZES[count]
    assert sorted(keys) == sorted(created)
