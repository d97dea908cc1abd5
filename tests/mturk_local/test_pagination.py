"""Pagination of ListAssignmentsForHIT: a NextToken on every non-empty page, then an empty page."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import worker_id


def collect_pages(client, hit_id: str) -> list[list[str]]:
    """Return the AssignmentIds of every page, following NextToken until a page comes back empty."""
    pages = []
    reply = client.list_assignments_for_hit(HITId=hit_id, MaxResults=100)
    while True:
        pages.append([assignment["AssignmentId"] for assignment in reply["Assignments"]])
        assert reply["NumResults"] == len(reply["Assignments"])
        if not reply["Assignments"]:
            assert "NextToken" not in reply
            return pages
        assert "NextToken" in reply, "a non-empty page must carry a NextToken"
        reply = client.list_assignments_for_hit(HITId=hit_id, MaxResults=100, NextToken=reply["NextToken"])


@pytest.mark.parametrize("count, page_sizes", [
    (0, [0]),                 # no work: one empty page without a token
    (100, [100, 0]),          # exactly one full page
    (261, [100, 100, 61, 0]), # the case that lost assignments in real scripts
])
def test_assignment_pages(mturk_client, make_hit, worker, count, page_sizes):
    hit = make_hit(MaxAssignments=max(count, 1))
    submitted = {worker.work(hit["HITId"], worker_id(number)) for number in range(count)}

    pages = collect_pages(mturk_client, hit["HITId"])
    collected = [assignment_id for page in pages for assignment_id in page]

    assert [len(page) for page in pages] == page_sizes
    assert len(collected) == count
    assert set(collected) == submitted


def test_boto3_paginator_collects_all(mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=25)
    submitted = {worker.work(hit["HITId"], worker_id(number)) for number in range(25)}

    paginator = mturk_client.get_paginator("list_assignments_for_hit")
    collected = [a["AssignmentId"] for page in paginator.paginate(HITId=hit["HITId"],
                                                                    PaginationConfig={"PageSize": 10})
                 for a in page["Assignments"]]

    assert len(collected) == 25
    assert set(collected) == submitted


def test_default_page_size_is_ten(mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=12)
    for number in range(12):
        worker.work(hit["HITId"], worker_id(number))

    assert mturk_client.list_assignments_for_hit(HITId=hit["HITId"])["NumResults"] == 10


def test_max_results_above_100_rejected(mturk_client, make_hit):
    hit = make_hit()
    with pytest.raises(ClientError) as excinfo:
        mturk_client.list_assignments_for_hit(HITId=hit["HITId"], MaxResults=101)

    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    assert excinfo.value.response["Error"]["Message"] == (
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100")


def test_token_of_another_hit_rejected(mturk_client, make_hit, worker):
    first, second = make_hit(), make_hit()
    worker.work(first["HITId"], worker_id(1))
    token = mturk_client.list_assignments_for_hit(HITId=first["HITId"])["NextToken"]

    with pytest.raises(ClientError) as excinfo:
        mturk_client.list_assignments_for_hit(HITId=second["HITId"], NextToken=token)

    assert excinfo.value.response["Error"]["Code"] == "ParameterValidationError"
