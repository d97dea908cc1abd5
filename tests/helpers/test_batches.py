"""Tests for helpers.batches against a real mturk_local server over HTTP.

HITs built from ``PERSON_QUESTION`` are not recognised by the simulated crowd,
so the tests do that work as a person would: accept on the worker site, then
post the form to ``/mturk/externalSubmit``. Bounding-box HITs made from the
project's template are done by the simulated crowd.
"""

from __future__ import annotations

import json
import random
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError

from helpers.batches import (
    BudgetExceededError,
    Ledger,
    approve_assignment,
    cleanup_hit,
    cleanup_hits,
    create_batch,
    list_all_assignments,
    reject_assignment,
    send_bonus_once,
    unique_request_token,
    wait_for_assignments,
)
from helpers.connection import connect
from helpers.geometry import Box

PERSON_QUESTION = (
    '<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/'
    'HTMLQuestion.xsd"><HTMLContent><![CDATA[<!DOCTYPE html><html><head><title>Note</title></head><body>'
    '<form method="post" action="/mturk/externalSubmit"><input type="hidden" name="assignmentId">'
    '<textarea name="note"></textarea><input type="submit"></form></body></html>]]></HTMLContent>'
    '<FrameHeight>0</FrameHeight></HTMLQuestion>'
)
AUTO_APPROVAL_DELAY_SECONDS = 3600
LIFETIME_SECONDS = 7 * 24 * 3600


def make_hit_type(client, reward="0.10", auto_approval_delay=AUTO_APPROVAL_DELAY_SECONDS) -> str:
    return client.create_hit_type(
        Title="Write a note",
        Description="Type one short note.",
        Reward=reward,
        AssignmentDurationInSeconds=3600,
        AutoApprovalDelayInSeconds=auto_approval_delay,
    )["HITTypeId"]


def make_person_hit(client, max_assignments=1, **hit_type_options) -> str:
    hit_type_id = make_hit_type(client, **hit_type_options)
    return client.create_hit_with_hit_type(
        HITTypeId=hit_type_id, MaxAssignments=max_assignments, LifetimeInSeconds=LIFETIME_SECONDS,
        Question=PERSON_QUESTION,
    )["HIT"]["HITId"]


@pytest.fixture
def connection(mturk_client, mturk_server):
    """A Connection to the fixture's server; the mturk_client fixture has reset its state."""
    return connect("local", endpoint_url=mturk_server.endpoint_url)


def submit(connection, hit_id, worker_id, fields=(("note", "done"),)) -> str:
    """Accept and submit ``hit_id`` as ``worker_id`` through the worker site; return the assignment id."""
    from helpers.local import submit_as_worker
    return submit_as_worker(connection, hit_id, list(fields), worker_id=worker_id)


def worker(n: int) -> str:
    return f"ATESTWORKER{n:04d}"


def assignment_status(client, assignment_id) -> str:
    return client.get_assignment(AssignmentId=assignment_id)["Assignment"]["AssignmentStatus"]


def all_hit_ids(client) -> list[str]:
    hit_ids = []
    request = {"MaxResults": 100}
    while True:
        page = client.list_hits(**request)
        hit_ids += [hit["HITId"] for hit in page["HITs"]]
        if not page["HITs"] or "NextToken" not in page:
            return hit_ids
        request["NextToken"] = page["NextToken"]


def record_page_sizes(client) -> list[int]:
    """Return a list that fills with NumResults of each ListAssignmentsForHIT page."""
    sizes: list[int] = []

    def on_page(parsed, **kwargs):
        sizes.append(parsed["NumResults"])

    client.meta.events.register("after-call.mturk.ListAssignmentsForHIT", on_page)
    return sizes


def count_calls(client, operation) -> list[int]:
    calls: list[int] = []
    client.meta.events.register(f"before-call.mturk.{operation}", lambda **kwargs: calls.append(1))
    return calls


# --- request tokens ---------------------------------------------------------

def test_token_short_parts_joined():
    assert unique_request_token("batch", "cat.jpg") == "batch:cat.jpg"


def test_token_long_parts_hashed():
    token = unique_request_token("b" * 60, "item")

    assert len(token) == 64
    assert ":" not in token
    assert token == unique_request_token("b" * 60, "item")
    assert token != unique_request_token("b" * 60, "other")


def test_token_non_ascii_hashed():
    token = unique_request_token("batch", "café.jpg")

    assert len(token) == 64
    assert token.isascii()


# --- C04: every page of assignments -----------------------------------------

@pytest.mark.parametrize("count, expected_pages", [
    (0, [0]),
    (100, [100]),
    (261, [100, 100, 61]),
])
def test_list_all_assignments_pages(connection, mturk_client, count, expected_pages):
    hit_id = make_person_hit(mturk_client, max_assignments=max(count, 1))
    submitted = {submit(connection, hit_id, worker(n)) for n in range(count)}
    page_sizes = record_page_sizes(mturk_client)

    assignments = list_all_assignments(mturk_client, hit_id)

    ids = [assignment["AssignmentId"] for assignment in assignments]
    assert len(ids) == count
    assert len(set(ids)) == count
    assert set(ids) == submitted
    # The service may end with one extra empty page; the first pages carry everything.
    assert page_sizes[:len(expected_pages)] == expected_pages
    assert all(size == 0 for size in page_sizes[len(expected_pages):])


def test_list_all_assignments_rejects_unknown_status(mturk_client):
    with pytest.raises(ValueError, match="Pending"):
        list_all_assignments(mturk_client, "3NOSUCHHIT", statuses=["Pending"])


# --- C05: approved work stays visible ---------------------------------------

def test_all_statuses_by_default(connection, mturk_client, mturk_server):
    hit_id = make_person_hit(mturk_client, max_assignments=3)
    auto_approved = submit(connection, hit_id, worker(1))
    mturk_server.admin("clock/advance", {"seconds": AUTO_APPROVAL_DELAY_SECONDS // 2})
    approved = submit(connection, hit_id, worker(2))
    waiting = submit(connection, hit_id, worker(3))
    assert approve_assignment(mturk_client, approved) == "approved"
    # Past the first submission's auto-approval time, before the other two's.
    mturk_server.admin("clock/advance", {"seconds": AUTO_APPROVAL_DELAY_SECONDS // 2 + 60})

    everything = list_all_assignments(mturk_client, hit_id)
    to_review = list_all_assignments(mturk_client, hit_id, statuses=["Submitted"])

    statuses = {assignment["AssignmentId"]: assignment["AssignmentStatus"] for assignment in everything}
    assert statuses == {auto_approved: "Approved", approved: "Approved", waiting: "Submitted"}
    assert [assignment["AssignmentId"] for assignment in to_review] == [waiting]


# --- C07: approve and reject check the status first -------------------------

def test_approve_twice(connection, mturk_client):
    hit_id = make_person_hit(mturk_client)
    assignment_id = submit(connection, hit_id, worker(1))
    approve_calls = count_calls(mturk_client, "ApproveAssignment")

    assert approve_assignment(mturk_client, assignment_id, feedback="Thanks") == "approved"
    assert approve_assignment(mturk_client, assignment_id) == "already approved"
    assert assignment_status(mturk_client, assignment_id) == "Approved"
    assert len(approve_calls) == 1


def test_rejected_stays_without_override(connection, mturk_client):
    hit_id = make_person_hit(mturk_client)
    assignment_id = submit(connection, hit_id, worker(1))

    assert reject_assignment(mturk_client, assignment_id, "No boxes drawn.") == "rejected"
    assert reject_assignment(mturk_client, assignment_id, "No boxes drawn.") == "already rejected"
    assert approve_assignment(mturk_client, assignment_id) == "rejected"
    assert assignment_status(mturk_client, assignment_id) == "Rejected"


def test_override_rejection_approves(connection, mturk_client):
    hit_id = make_person_hit(mturk_client)
    assignment_id = submit(connection, hit_id, worker(1))
    reject_assignment(mturk_client, assignment_id, "No boxes drawn.")

    result = approve_assignment(mturk_client, assignment_id, override_rejection=True)

    assert result == "approved (rejection overridden)"
    assert assignment_status(mturk_client, assignment_id) == "Approved"


def test_reject_approved_raises(connection, mturk_client):
    hit_id = make_person_hit(mturk_client)
    assignment_id = submit(connection, hit_id, worker(1))
    approve_assignment(mturk_client, assignment_id)

    with pytest.raises(ValueError, match=assignment_id):
        reject_assignment(mturk_client, assignment_id, "Too late.")
    assert assignment_status(mturk_client, assignment_id) == "Approved"


def test_reject_needs_feedback(mturk_client):
    with pytest.raises(ValueError, match="feedback"):
        reject_assignment(mturk_client, "3SOMEASSIGNMENT", "  ")


# --- C15: a bonus is paid once per assignment -------------------------------

TRUE_BOX = Box(100, 100, 200, 200, "cup")
BONUS = "0.50"
BONUS_MIN_IOU = 0.5


def annotation(box: Box) -> list[tuple[str, str]]:
    left, top, width, height = box.xywh
    boxes = [{"left": int(left), "top": int(top), "width": int(width), "height": int(height), "label": box.label}]
    return [("annotation_data", json.dumps(boxes)), ("image_width", "640"), ("image_height", "480"),
            ("comments", "")]


def pay_step(client, hit_id) -> list[str]:
    """Score each assignment against TRUE_BOX, approve it, and pay a bonus to good work."""
    from helpers.answers import parse_assignment
    from helpers.geometry import box_iou_xyxy

    results = []
    for assignment in list_all_assignments(client, hit_id):
        parsed = parse_assignment(assignment)
        iou = max((box_iou_xyxy(box.xyxy, TRUE_BOX.xyxy) for box in parsed.boxes), default=0.0)
        approve_assignment(client, parsed.assignment_id)
        if iou >= BONUS_MIN_IOU:
            results.append(send_bonus_once(client, worker_id=parsed.worker_id, assignment_id=parsed.assignment_id,
                                           amount=BONUS, reason=f"Accurate box (IoU {iou:.2f})"))
    return results


def test_bonus_paid_once(connection, mturk_client):
    hit_id = make_person_hit(mturk_client, max_assignments=2)
    good = submit(connection, hit_id, worker(1), annotation(Box(100, 100, 200, 190, "cup")))   # IoU 0.9
    submit(connection, hit_id, worker(2), annotation(Box(100, 100, 200, 110, "cup")))          # IoU 0.1

    send_calls = count_calls(mturk_client, "SendBonus")

    runs = [pay_step(mturk_client, hit_id) for _ in range(3)]

    assert runs == [["sent"], ["already paid"], ["already paid"]]
    assert len(send_calls) == 1
    payments = mturk_client.list_bonus_payments(HITId=hit_id)["BonusPayments"]
    assert len(payments) == 1
    assert payments[0]["WorkerId"] == worker(1)
    assert payments[0]["AssignmentId"] == good
    assert payments[0]["BonusAmount"] == BONUS


def test_bonus_duplicate_token_reports_paid(connection, mturk_client):
    hit_id = make_person_hit(mturk_client)
    assignment_id = submit(connection, hit_id, worker(1))
    approve_assignment(mturk_client, assignment_id)
    mturk_client.send_bonus(WorkerId=worker(1), BonusAmount=BONUS, AssignmentId=assignment_id,
                            Reason="Paid by another script", UniqueRequestToken=unique_request_token("bonus", assignment_id))

    result = send_bonus_once(mturk_client, worker_id=worker(1), assignment_id=assignment_id,
                             amount=BONUS, reason="Accurate box")

    assert result == "already paid"
    assert len(mturk_client.list_bonus_payments(AssignmentId=assignment_id)["BonusPayments"]) == 1


@pytest.mark.parametrize("amount", ["0", "-1.00", "0.00"])
def test_bonus_rejects_non_positive_amount(mturk_client, amount):
    with pytest.raises(ValueError):
        send_bonus_once(mturk_client, worker_id=worker(1), assignment_id="3SOMEASSIGNMENT",
                        amount=amount, reason="r")


def test_bonus_needs_reason(mturk_client):
    with pytest.raises(ValueError, match="reason"):
        send_bonus_once(mturk_client, worker_id=worker(1), assignment_id="3SOMEASSIGNMENT",
                        amount="0.50", reason="")


# --- C06: cleanup never deletes unreviewed work -----------------------------

def test_cleanup_keeps_hit_with_submitted_work(connection, mturk_client):
    hit_id = make_person_hit(mturk_client)
    assignment_id = submit(connection, hit_id, worker(1))
    assert mturk_client.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewable"

    report = cleanup_hit(mturk_client, hit_id)

    assert report.deleted is False
    assert report.submitted_assignment_ids == [assignment_id]
    assert f"1 assignment still Submitted: {assignment_id}" in str(report)
    assert hit_id in all_hit_ids(mturk_client)

    approve_assignment(mturk_client, assignment_id)
    report = cleanup_hit(mturk_client, hit_id)

    assert report.deleted is True
    assert hit_id not in all_hit_ids(mturk_client)


def test_cleanup_expires_assignable_hit(connection, mturk_client):
    hit_id = make_person_hit(mturk_client, max_assignments=3)
    first = submit(connection, hit_id, worker(1))
    second = submit(connection, hit_id, worker(2))

    report = cleanup_hit(mturk_client, hit_id)

    assert report.status_before == "Assignable"
    assert report.expired is True
    assert report.deleted is False
    assert sorted(report.submitted_assignment_ids) == sorted([first, second])
    assert "2 assignments still Submitted" in str(report)
    assert mturk_client.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewable"


def test_cleanup_waits_for_accepted_work(connection, mturk_client):
    hit_id = make_person_hit(mturk_client)
    accept = urllib.request.Request(connection.endpoint_url + "/mturk/accept", method="POST",
                                    data=urllib.parse.urlencode({"hitId": hit_id, "workerId": worker(1)}).encode())
    with urllib.request.urlopen(accept, timeout=10) as response:
        response.read()

    report = cleanup_hit(mturk_client, hit_id)

    assert report.expired is True
    assert report.deleted is False
    assert report.submitted_assignment_ids == []
    assert "with 1 assignment accepted but not yet submitted" in str(report)
    assert hit_id in all_hit_ids(mturk_client)


def test_cleanup_deletes_hit_without_work(mturk_client):
    hit_id = make_person_hit(mturk_client)

    reports = cleanup_hits(mturk_client, [hit_id])

    assert [report.deleted for report in reports] == [True]
    assert reports[0].expired is True
    assert hit_id not in all_hit_ids(mturk_client)


def test_cleanup_twice_reports_gone(mturk_client):
    hit_id = make_person_hit(mturk_client)
    cleanup_hit(mturk_client, hit_id)

    report = cleanup_hit(mturk_client, hit_id)

    assert report.deleted is False
    assert hit_id in str(report)


# --- create_batch: idempotent, ledger, budget -------------------------------

def person_items(count):
    return [(f"item-{n}", {"note": f"note {n}"}) for n in range(count)]


def create_person_batch(client, hit_type_id, **options):
    arguments = dict(hit_type_id=hit_type_id, items=person_items(3), batch_name="notes-1",
                     lifetime_seconds=LIFETIME_SECONDS, max_assignments=2,
                     question_for=lambda params: PERSON_QUESTION)
    arguments.update(options)
    return create_batch(client, **arguments)


def test_create_batch_twice_no_duplicates(mturk_client):
    hit_type_id = make_hit_type(mturk_client)

    first = create_person_batch(mturk_client, hit_type_id)
    second = create_person_batch(mturk_client, hit_type_id)

    first_ids = [hit["HITId"] for hit in first]
    assert [hit["HITId"] for hit in second] == first_ids
    assert len(set(first_ids)) == 3
    assert sorted(all_hit_ids(mturk_client)) == sorted(first_ids)
    assert [hit["ItemId"] for hit in first] == ["item-0", "item-1", "item-2"]
    assert all(hit["RequesterAnnotation"] == "notes-1" for hit in first)


def test_create_batch_with_ledger(mturk_client, tmp_path):
    hit_type_id = make_hit_type(mturk_client)
    ledger_path = tmp_path / "ledger.json"
    first = create_person_batch(mturk_client, hit_type_id, ledger=Ledger(ledger_path))
    create_calls = count_calls(mturk_client, "CreateHITWithHITType")

    second = create_person_batch(mturk_client, hit_type_id, ledger=Ledger(ledger_path))

    assert [hit["HITId"] for hit in second] == [hit["HITId"] for hit in first]
    assert create_calls == []
    stored = json.loads(ledger_path.read_text())["batches"]["notes-1"]
    assert stored == {hit["ItemId"]: hit["HITId"] for hit in first}


def test_create_batch_resumes_part_done(mturk_client, tmp_path):
    hit_type_id = make_hit_type(mturk_client)
    ledger = Ledger(tmp_path / "ledger.json")
    partial = create_person_batch(mturk_client, hit_type_id, items=person_items(2), ledger=ledger)

    full = create_person_batch(mturk_client, hit_type_id, items=person_items(4), ledger=ledger)

    assert [hit["HITId"] for hit in full[:2]] == [hit["HITId"] for hit in partial]
    assert len(set(hit["HITId"] for hit in full)) == 4
    assert len(all_hit_ids(mturk_client)) == 4
    assert len(Ledger(tmp_path / "ledger.json").hit_ids("notes-1")) == 4


def test_create_batch_over_budget(mturk_client):
    hit_type_id = make_hit_type(mturk_client, reward="1.00")

    with pytest.raises(BudgetExceededError, match=r"\$1\.00"):
        create_person_batch(mturk_client, hit_type_id, items=person_items(10), max_assignments=10,
                            budget="100.00", reward="1.00")
    assert all_hit_ids(mturk_client) == []


def test_create_batch_within_budget(mturk_client):
    hit_type_id = make_hit_type(mturk_client, reward="0.05")

    hits = create_person_batch(mturk_client, hit_type_id, items=person_items(1), max_assignments=9,
                               budget="0.54", reward="0.05")

    assert len(hits) == 1


def test_budget_counts_only_new_hits(mturk_client, tmp_path):
    hit_type_id = make_hit_type(mturk_client, reward="0.05")
    ledger = Ledger(tmp_path / "ledger.json")
    # One HIT of 9 assignments at $0.05 costs $0.54 with fees.
    options = dict(max_assignments=9, budget="0.54", reward="0.05", ledger=ledger)
    first = create_person_batch(mturk_client, hit_type_id, items=person_items(1), **options)

    second = create_person_batch(mturk_client, hit_type_id, items=person_items(2), **options)
    third = create_person_batch(mturk_client, hit_type_id, items=person_items(2), **options)

    assert second[0]["HITId"] == first[0]["HITId"]
    assert [hit["HITId"] for hit in third] == [hit["HITId"] for hit in second]
    assert len(all_hit_ids(mturk_client)) == 2


def test_create_batch_budget_needs_reward(mturk_client):
    hit_type_id = make_hit_type(mturk_client)

    with pytest.raises(ValueError, match="reward"):
        create_person_batch(mturk_client, hit_type_id, budget="10.00")


def test_create_batch_needs_one_content_source(mturk_client):
    with pytest.raises(ValueError, match="exactly one"):
        create_batch(mturk_client, hit_type_id="3TYPE", items=person_items(1), batch_name="b",
                     lifetime_seconds=600, max_assignments=1)


def test_create_batch_rejects_repeated_items(mturk_client):
    with pytest.raises(ValueError, match="item-0"):
        create_batch(mturk_client, hit_type_id="3TYPE", items=person_items(1) * 2, batch_name="b",
                     lifetime_seconds=600, max_assignments=1, question_for=lambda params: PERSON_QUESTION)


def test_create_batch_with_layout(connection, mturk_client):
    from helpers.local import register_layout
    layout_id = register_layout(connection, "note layout", PERSON_QUESTION_HTML_WITH_PLACEHOLDER)
    hit_type_id = make_hit_type(mturk_client)

    hits = create_batch(mturk_client, hit_type_id=hit_type_id, items=[("a", {"topic": "cups & spoons"})],
                        batch_name="layout-1", lifetime_seconds=LIFETIME_SECONDS, max_assignments=1,
                        layout_id=layout_id)

    assert hits[0]["HITLayoutId"] == layout_id
    assert "cups &amp; spoons" in hits[0]["Question"]


PERSON_QUESTION_HTML_WITH_PLACEHOLDER = (
    "<!DOCTYPE html><html><head><title>Note</title></head><body><p>Write about ${topic}</p>"
    '<form method="post" action="/mturk/externalSubmit"><input type="hidden" name="assignmentId">'
    '<textarea name="note"></textarea><input type="submit"></form></body></html>'
)


# --- waiting -----------------------------------------------------------------

def test_wait_times_out_with_counts(connection, mturk_client):
    hit_id = make_person_hit(mturk_client, max_assignments=2)
    submit(connection, hit_id, worker(1))
    sleeps: list[float] = []

    result = wait_for_assignments(mturk_client, [hit_id], timeout_seconds=10, poll_seconds=2, sleep=sleeps.append)

    assert result.timed_out is True
    assert result.submitted == 1
    assert result.expected == 2
    assert result.unfinished_hit_ids == [hit_id]
    assert sleeps == [2, 2, 2, 2, 2]
    assert str(result) == "1 of 2 assignments submitted; 0 of 1 HITs finished; timed out after 10 s"


def test_wait_counts_reviewed_work(connection, mturk_client):
    hit_id = make_person_hit(mturk_client, max_assignments=2)
    approve_assignment(mturk_client, submit(connection, hit_id, worker(1)))
    submit(connection, hit_id, worker(2))

    class Recorder:
        def __init__(self):
            self.values = []

        def update(self, done):
            self.values.append(done)

    progress = Recorder()
    result = wait_for_assignments(mturk_client, [hit_id], progress=progress, sleep=pytest.fail)

    assert result.timed_out is False
    assert result.complete is True
    assert result.submitted == 2
    assert progress.values == [2]


def test_wait_with_default_progress(connection, mturk_client):
    hit_id = make_person_hit(mturk_client)
    submit(connection, hit_id, worker(1))

    result = wait_for_assignments(mturk_client, [hit_id], progress=True, sleep=pytest.fail)

    assert result.complete is True


def test_progress_outside_jupyter_shows_nothing():
    from helpers.progress import Progress

    progress = Progress(4, "assignments submitted")
    progress.update(7)

    assert progress.displayed is False
    assert progress.done == 4
    assert progress.text == "assignments submitted: 4 of 4"


def test_wait_for_expired_hit(connection, mturk_client):
    hit_id = make_person_hit(mturk_client, max_assignments=3)
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=0)

    result = wait_for_assignments(mturk_client, [{"HITId": hit_id}], sleep=pytest.fail)

    assert result.timed_out is False
    assert result.complete is False
    assert result.finished_hit_ids == [hit_id]
    assert result.status_by_hit == {hit_id: "Reviewable"}


def test_crowd_batch_end_to_end(connection, mturk_client, tmp_path):
    from helpers.questions import bounding_box_question
    from helpers.series import load_known_answers

    known = load_known_answers()
    images = known.images[:2]
    hit_type_id = make_hit_type(mturk_client)
    items = [(image["file_name"], {"image_url": connection.image_base_url + image["file_name"],
                                   "labels": known.labels(image["file_name"])}) for image in images]

    hits = create_batch(mturk_client, hit_type_id=hit_type_id, items=items, batch_name="crowd-1",
                        lifetime_seconds=LIFETIME_SECONDS, max_assignments=3,
                        question_for=lambda params: bounding_box_question(params["image_url"], params["labels"]),
                        ledger=Ledger(tmp_path / "ledger.json"))
    result = wait_for_assignments(mturk_client, hits, timeout_seconds=60, poll_seconds=1)

    assert result.timed_out is False
    assert result.submitted == result.expected == 6
    for hit in hits:
        assignments = list_all_assignments(mturk_client, hit["HITId"])
        assert len(assignments) == 3
        for assignment in assignments:
            assert approve_assignment(mturk_client, assignment["AssignmentId"]) == "approved"
    reports = cleanup_hits(mturk_client, hits)
    assert [report.deleted for report in reports] == [True, True]


# --- C08: throttling ----------------------------------------------------------

class ThrottledClient:
    """A fake client whose create call is throttled twice, then succeeds.

    This is the one fake in the suite, used only to unit-test the back-off
    logic of create_batch; everything else runs against mturk_local.
    """

    def __init__(self, failures: int):
        self.failures = failures
        self.requests: list[dict] = []

    def create_hit_with_hit_type(self, **request):
        self.requests.append(request)
        if len(self.requests) <= self.failures:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
                              "CreateHITWithHITType")
        return {"HIT": {"HITId": "3CREATEDHIT", "HITTypeId": request["HITTypeId"]}}


def test_throttled_create_backs_off(tmp_path):
    client = ThrottledClient(failures=2)
    delays: list[float] = []
    ledger = Ledger(tmp_path / "ledger.json")

    hits = create_batch(client, hit_type_id="3TYPE", items=[("only", {})], batch_name="throttled",
                        lifetime_seconds=600, max_assignments=1, question_for=lambda params: PERSON_QUESTION,
                        ledger=ledger, rng=random.Random(7), sleep=delays.append)

    assert [hit["HITId"] for hit in hits] == ["3CREATEDHIT"]
    assert len(client.requests) == 3
    assert len({request["UniqueRequestToken"] for request in client.requests}) == 1
    assert len(delays) == 2
    assert 0 <= delays[0] <= 1.0
    assert 0 <= delays[1] <= 2.0
    assert ledger.get("throttled", "only") == "3CREATEDHIT"


def test_throttled_create_gives_up(tmp_path):
    client = ThrottledClient(failures=100)
    delays: list[float] = []

    with pytest.raises(ClientError, match="Rate exceeded"):
        create_batch(client, hit_type_id="3TYPE", items=[("only", {})], batch_name="throttled",
                     lifetime_seconds=600, max_assignments=1, question_for=lambda params: PERSON_QUESTION,
                     rng=random.Random(7), sleep=delays.append)
    assert len(delays) == len(client.requests) - 1
    assert all(delay <= 30.0 for delay in delays)
