"""Create, wait for, review, pay and clean up batches of HITs, safely to re-run.

Every operation here is written so that running a notebook cell twice does no
harm:

- ``create_batch`` sends a ``UniqueRequestToken`` derived from the batch name
  and item id, so the service refuses a second copy of a HIT, and records each
  HIT in a ``Ledger`` file as soon as it exists.
- ``approve_assignment`` and ``reject_assignment`` read the assignment's status
  first, because MTurk rejects a second approval with an error.
- ``send_bonus_once`` checks ``ListBonusPayments`` and sends a token derived
  from the assignment, so a bonus is never paid twice.
- ``cleanup_hit`` expires a HIT and deletes it only when no assignment is left
  waiting for review.

All calls take a boto3 ``mturk`` client. The module logs through ``logging``
and never prints.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from botocore.exceptions import ClientError

from .costs import estimate_cost, money_string, to_money
from .progress import Progress
from .questions import layout_parameters

__all__ = [
    "ASSIGNMENT_STATUSES",
    "BudgetExceededError",
    "CleanupReport",
    "Ledger",
    "WaitResult",
    "approve_assignment",
    "cleanup_hit",
    "cleanup_hits",
    "create_batch",
    "list_all_assignments",
    "reject_assignment",
    "send_bonus_once",
    "unique_request_token",
    "wait_for_assignments",
]

logger = logging.getLogger(__name__)

ASSIGNMENT_STATUSES = ("Submitted", "Approved", "Rejected")
MAX_RESULTS_PER_PAGE = 100          # the service rejects MaxResults above 100
MAX_REQUEST_TOKEN_CHARS = 64        # UniqueRequestToken length limit
MAX_REQUESTER_ANNOTATION_CHARS = 255

# Back-off for throttling errors that outlast the client's own retries:
# attempt n waits a random time in [0, min(cap, base * 2**n)] seconds.
THROTTLE_MAX_RETRIES = 6
THROTTLE_BASE_SECONDS = 1.0
THROTTLE_CAP_SECONDS = 30.0
THROTTLING_ERROR_CODES = frozenset({
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
})

HIT_ALREADY_EXISTS = "AWS.MechanicalTurk.HitAlreadyExists"
FINISHED_HIT_STATUSES = frozenset({"Reviewable", "Reviewing", "Disposed"})
LIVE_HIT_STATUSES = frozenset({"Assignable", "Unassignable"})

# MTurk ids (HITId, AssignmentId, ...) are upper-case letters and digits.
_ENTITY_ID_PATTERN = re.compile(r"\b[A-Z0-9]{12,64}\b")


class BudgetExceededError(ValueError):
    """The estimated cost of a batch is more than the budget allows."""


# ---------------------------------------------------------------------------
# Small shared pieces: tokens, error inspection, throttling back-off
# ---------------------------------------------------------------------------

def unique_request_token(*parts: Any) -> str:
    """Build a stable ``UniqueRequestToken`` (at most 64 characters) from ``parts``.

    The parts are joined with ``:``. A result longer than 64 characters, or
    with non-ASCII characters, is replaced by its SHA-256 hex digest (64
    characters, no ``:``), so with two or more parts a hashed token never
    equals a joined one.
    """
    joined = ":".join(str(part) for part in parts)
    if len(joined) <= MAX_REQUEST_TOKEN_CHARS and joined.isascii():
        return joined
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def _error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _error_message(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Message", "")


def _turk_error_code(error: ClientError) -> str:
    # botocore copies modeled error members such as TurkErrorCode to the top level.
    return error.response.get("TurkErrorCode") or error.response.get("Error", {}).get("TurkErrorCode", "")


def _is_throttling(error: ClientError) -> bool:
    return _error_code(error) in THROTTLING_ERROR_CODES


def _is_invalid_assignment_state(error: ClientError) -> bool:
    return (_turk_error_code(error) == "AWS.MechanicalTurk.InvalidAssignmentState"
            or "can be called with a status of" in _error_message(error))


def _is_not_found(error: ClientError) -> bool:
    return _turk_error_code(error).endswith("DoesNotExist") or "does not exist" in _error_message(error)


def _call_with_backoff(
    call: Callable[[], Any],
    *,
    description: str,
    rng: random.Random,
    sleep: Callable[[float], None],
    max_retries: int = THROTTLE_MAX_RETRIES,
) -> Any:
    """Run ``call()``, retrying throttling errors with exponential back-off and jitter.

    Other errors, and a throttling error after ``max_retries`` retries, are
    raised. Retrying is safe only for calls that carry a UniqueRequestToken or
    that do not change anything.
    """
    for attempt in range(max_retries + 1):
        try:
            return call()
        except ClientError as error:
            if not _is_throttling(error) or attempt == max_retries:
                raise
            delay = rng.uniform(0, min(THROTTLE_CAP_SECONDS, THROTTLE_BASE_SECONDS * 2 ** attempt))
            logger.warning("%s was throttled (%s); retry %d of %d in %.2f s",
                           description, _error_message(error) or _error_code(error),
                           attempt + 1, max_retries, delay)
            sleep(delay)
    raise AssertionError("unreachable")  # the loop either returns or raises


def _hit_ids(hits: Iterable[str | Mapping[str, Any]]) -> list[str]:
    """Accept HIT ids or HIT dicts (as returned by ``create_batch``) and return the ids."""
    if isinstance(hits, (str, Mapping)):
        raise TypeError(f"expected a list of HIT ids or HIT dicts, got a single {type(hits).__name__}: {hits!r}; "
                        "wrap one HIT in a list")
    ids = []
    for hit in hits:
        ids.append(hit if isinstance(hit, str) else hit["HITId"])
    return ids


# ---------------------------------------------------------------------------
# Ledger
# ---------------------------------------------------------------------------

class Ledger:
    """A JSON file mapping batch name -> item id -> HITId.

    The file is rewritten atomically (temporary file, then rename) after
    every recorded HIT, so it survives a crash in the middle of a batch.
    Layout: ``{"format": 1, "batches": {"<batch>": {"<item id>": "<HITId>"}}}``.
    Item ids are stored as strings.
    """

    FORMAT_VERSION = 1

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._batches: dict[str, dict[str, str]] = self._load()

    def _load(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            batches = data["batches"]
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"ledger file {self.path} is not a valid ledger ({error}); "
                "move it away or pass another path"
            ) from None
        return {str(name): {str(k): str(v) for k, v in items.items()} for name, items in batches.items()}

    @property
    def batch_names(self) -> list[str]:
        return sorted(self._batches)

    def hit_ids(self, batch_name: str) -> dict[str, str]:
        """Return a copy of ``{item id: HITId}`` for ``batch_name`` (empty if unknown)."""
        return dict(self._batches.get(batch_name, {}))

    def get(self, batch_name: str, item_id: Any) -> str | None:
        return self._batches.get(batch_name, {}).get(str(item_id))

    def record(self, batch_name: str, item_id: Any, hit_id: str) -> None:
        """Store ``hit_id`` for the item and write the file."""
        items = self._batches.setdefault(batch_name, {})
        previous = items.get(str(item_id))
        if previous is not None and previous != hit_id:
            logger.warning("ledger %s: item %r of batch %r moves from HIT %s to HIT %s",
                           self.path, item_id, batch_name, previous, hit_id)
        items[str(item_id)] = hit_id
        self._write()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        content = json.dumps({"format": self.FORMAT_VERSION, "batches": self._batches},
                             indent=2, sort_keys=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(content + "\n")
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


# ---------------------------------------------------------------------------
# Creating a batch
# ---------------------------------------------------------------------------

def create_batch(
    client: Any,
    *,
    hit_type_id: str,
    items: Sequence[tuple[Any, Mapping[str, Any]]],
    batch_name: str,
    lifetime_seconds: int,
    max_assignments: int,
    question_for: Callable[[Mapping[str, Any]], str] | None = None,
    layout_id: str | None = None,
    annotation: str | None = None,
    ledger: Ledger | None = None,
    budget: str | Decimal | None = None,
    reward: str | Decimal | None = None,
    masters: bool = False,
    rng: random.Random | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict]:
    """Create one HIT per item with CreateHITWithHITType and return the HIT dicts.

    ``items`` is a list of ``(item_id, params)``. Each HIT's content is either
    ``question_for(params)`` (Question XML) or the HIT layout ``layout_id``
    with ``params`` as its layout parameters (each value a string). Exactly one
    of the two must be given. ``annotation`` is stored as RequesterAnnotation
    (default: ``batch_name``). ``lifetime_seconds`` is how long the HITs stay
    on the marketplace.

    Re-running is safe. The batch name identifies the batch: calling again with
    the same ``batch_name`` returns the HITs made before, even if other
    arguments changed, so start a new batch under a new name. An item already
    in ``ledger`` is fetched, not created.
    Otherwise the HIT is created with ``UniqueRequestToken`` =
    ``unique_request_token(batch_name, item_id)``, and if the service reports
    that this token already made a HIT (``AWS.MechanicalTurk.HitAlreadyExists``;
    tokens are remembered for 24 hours on MTurk) that HIT is fetched instead.
    Each HIT is written to ``ledger`` as soon as it exists. Throttling errors
    are retried with exponential back-off and jitter drawn from ``rng``
    (default ``random.Random(0)``), waiting with ``sleep``.

    With ``budget`` (dollars), ``reward`` (the HIT type's reward in dollars)
    is required. Before anything is created, ``helpers.costs.estimate_cost``
    estimates the cost of the HITs this call still has to create, fees
    included (``masters=True`` adds the Masters fee). ``BudgetExceededError``
    is raised when the estimate exceeds the budget. HITs found in the ledger
    were counted by the call that created them and are not counted again.

    Returns the HIT dicts in the order of ``items``, each with an extra key
    ``ItemId`` holding its item id.
    """
    if (question_for is None) == (layout_id is None):
        raise ValueError("create_batch needs exactly one of question_for (a function returning "
                         "Question XML) or layout_id (a HITLayoutId)")
    if not batch_name:
        raise ValueError("batch_name must be a non-empty string that names this batch, like 'cups-2026-12-04'")
    requester_annotation = batch_name if annotation is None else annotation
    if len(requester_annotation) > MAX_REQUESTER_ANNOTATION_CHARS:
        raise ValueError(f"annotation must be at most {MAX_REQUESTER_ANNOTATION_CHARS} characters; "
                         f"got {len(requester_annotation)} (pass a shorter annotation=)")
    item_ids = [str(item_id) for item_id, _ in items]
    duplicates = sorted({item_id for item_id in item_ids if item_ids.count(item_id) > 1})
    if duplicates:
        raise ValueError(f"item ids must be unique within a batch; repeated: {duplicates}")

    rng = rng if rng is not None else random.Random(0)
    known = ledger.hit_ids(batch_name) if ledger is not None else {}
    to_create = [item_id for item_id in item_ids if item_id not in known]
    if budget is not None:
        _check_budget(budget, reward, max_assignments, len(to_create), masters, batch_name)

    hits = []
    for item_id, params in items:
        item_key = str(item_id)
        if item_key in known:
            hit = _get_hit_from_ledger(client, known[item_key], item_key, batch_name, ledger, rng, sleep)
            logger.info("batch %r item %r: HIT %s is in the ledger", batch_name, item_key, hit["HITId"])
        else:
            request = {
                "HITTypeId": hit_type_id,
                "MaxAssignments": max_assignments,
                "LifetimeInSeconds": lifetime_seconds,
                "RequesterAnnotation": requester_annotation,
                "UniqueRequestToken": unique_request_token(batch_name, item_key),
            }
            if question_for is not None:
                request["Question"] = question_for(params)
            else:
                request["HITLayoutId"] = layout_id
                request["HITLayoutParameters"] = layout_parameters(params)
            hit = _create_hit_once(client, request, item_key, batch_name, rng, sleep)
            if ledger is not None:
                ledger.record(batch_name, item_key, hit["HITId"])
        hit["ItemId"] = item_id
        hits.append(hit)
    return hits


def _check_budget(budget, reward, max_assignments, hit_count, masters, batch_name) -> None:
    if reward is None:
        raise ValueError("create_batch with a budget also needs reward= (the HIT type's reward in "
                         "dollars, like '0.05') to estimate the cost")
    budget_amount = to_money(budget, "budget")
    reward_amount = to_money(reward, "reward")
    if hit_count == 0:
        logger.info("batch %r: every HIT is already in the ledger, so nothing new is spent", batch_name)
        return
    estimate = estimate_cost(reward, max_assignments, hits=hit_count, masters=masters)
    total = estimate.total
    logger.info("batch %r: %d HITs x %d assignments at $%s cost about $%s (budget $%s)",
                batch_name, hit_count, max_assignments, money_string(reward_amount),
                money_string(total), money_string(budget_amount))
    if total > budget_amount:
        raise BudgetExceededError(
            f"batch {batch_name!r} would cost ${money_string(total)} ({hit_count} HITs x "
            f"{max_assignments} assignments at ${money_string(reward_amount)}, fees included), "
            f"more than the budget ${money_string(budget_amount)}; raise the budget or create fewer HITs"
        )


def _create_hit_once(client, request: dict, item_id: str, batch_name: str, rng, sleep) -> dict:
    description = f"CreateHITWithHITType for batch {batch_name!r} item {item_id!r}"
    try:
        hit = _call_with_backoff(lambda: client.create_hit_with_hit_type(**request)["HIT"],
                                 description=description, rng=rng, sleep=sleep)
    except ClientError as error:
        if _turk_error_code(error) != HIT_ALREADY_EXISTS:
            raise
        hit = _hit_named_in_error(client, error, request["UniqueRequestToken"], rng, sleep)
        logger.info("batch %r item %r: HIT %s already exists for token %r",
                    batch_name, item_id, hit["HITId"], request["UniqueRequestToken"])
        return hit
    logger.info("batch %r item %r: created HIT %s", batch_name, item_id, hit["HITId"])
    return hit


def _hit_named_in_error(client, error: ClientError, token: str, rng, sleep) -> dict:
    """Fetch the HIT whose id the HitAlreadyExists message contains."""
    message = _error_message(error)
    for candidate in _ENTITY_ID_PATTERN.findall(message):
        if candidate == token:
            continue
        try:
            return _call_with_backoff(lambda: client.get_hit(HITId=candidate)["HIT"],
                                      description=f"GetHIT {candidate}", rng=rng, sleep=sleep)
        except ClientError as lookup_error:
            if not _is_not_found(lookup_error):
                raise
    raise RuntimeError(f"the service reports a HIT for request token {token!r} already exists, but its "
                       f"message names no HIT that GetHIT finds: {message!r}")


def _get_hit_from_ledger(client, hit_id, item_id, batch_name, ledger, rng, sleep) -> dict:
    try:
        return _call_with_backoff(lambda: client.get_hit(HITId=hit_id)["HIT"],
                                  description=f"GetHIT {hit_id}", rng=rng, sleep=sleep)
    except ClientError as error:
        if _is_not_found(error):
            raise RuntimeError(
                f"ledger {ledger.path} maps batch {batch_name!r} item {item_id!r} to HIT {hit_id}, "
                "which no longer exists; use a new batch_name to create the batch again"
            ) from error
        raise


# ---------------------------------------------------------------------------
# Reading assignments and waiting for them
# ---------------------------------------------------------------------------

def list_all_assignments(
    client: Any,
    hit_id: str,
    statuses: Sequence[str] | str | None = None,
) -> list[dict]:
    """Return every assignment of ``hit_id`` with one of ``statuses``, across all pages.

    ``statuses`` defaults to all of Submitted, Approved and Rejected, because
    analysis must also read work that was already approved. Only a review
    step needs ``["Submitted"]``. Pages are requested with MaxResults=100. Collection
    stops at a page without ``NextToken`` or at an empty page (MTurk sends a
    token on every non-empty page, then an empty page). Assignments are
    deduplicated by AssignmentId, keeping the first copy.
    """
    if statuses is None:
        statuses = list(ASSIGNMENT_STATUSES)
    elif isinstance(statuses, str):
        statuses = [statuses]
    unknown = [status for status in statuses if status not in ASSIGNMENT_STATUSES]
    if unknown or not statuses:
        raise ValueError(f"statuses must be a non-empty list of {list(ASSIGNMENT_STATUSES)}; got {list(statuses)}")

    assignments: dict[str, dict] = {}
    seen_tokens: set[str] = set()
    request = {"HITId": hit_id, "MaxResults": MAX_RESULTS_PER_PAGE, "AssignmentStatuses": list(statuses)}
    while True:
        page = client.list_assignments_for_hit(**request)
        batch = page.get("Assignments", [])
        for assignment in batch:
            assignments.setdefault(assignment["AssignmentId"], assignment)
        token = page.get("NextToken")
        if not batch or not token:
            break
        if token in seen_tokens:
            raise RuntimeError(f"ListAssignmentsForHIT for HIT {hit_id} returned the same NextToken twice; "
                               "the service is paging in a loop")
        seen_tokens.add(token)
        request["NextToken"] = token
    logger.debug("HIT %s: %d assignments with status %s", hit_id, len(assignments), "/".join(statuses))
    return list(assignments.values())


@dataclass
class WaitResult:
    """Counts from the last poll of ``wait_for_assignments``.

    Per HIT: ``submitted_by_hit`` counts submitted assignments, reviewed or
    not; ``expected_by_hit`` is MaxAssignments; ``status_by_hit`` is
    HITStatus. ``finished_hit_ids`` lists HITs that need no more waiting (all
    assignments submitted, or Reviewable/Reviewing, which includes expired).
    """

    submitted_by_hit: dict[str, int]
    expected_by_hit: dict[str, int]
    status_by_hit: dict[str, str]
    finished_hit_ids: list[str]
    timed_out: bool
    timeout_seconds: float
    polls: int

    @property
    def submitted(self) -> int:
        return sum(self.submitted_by_hit.values())

    @property
    def expected(self) -> int:
        return sum(self.expected_by_hit.values())

    @property
    def unfinished_hit_ids(self) -> list[str]:
        finished = set(self.finished_hit_ids)
        return [hit_id for hit_id in self.submitted_by_hit if hit_id not in finished]

    @property
    def complete(self) -> bool:
        """True when every HIT received all of its assignments."""
        return all(self.submitted_by_hit[hit_id] >= self.expected_by_hit[hit_id] for hit_id in self.submitted_by_hit)

    def __str__(self) -> str:
        text = (f"{self.submitted} of {self.expected} assignments submitted; "
                f"{len(self.finished_hit_ids)} of {len(self.submitted_by_hit)} HITs finished")
        if self.timed_out:
            text += f"; timed out after {self.timeout_seconds:g} s"
        return text


def _submitted_count(hit: Mapping[str, Any]) -> int:
    # A submitted but unreviewed assignment is in none of MTurk's counters:
    # Available = Max - (Pending + Submitted + Approved + Rejected) and
    # Completed = Approved + Rejected, so everything submitted is Max - Available - Pending.
    return max(0, hit["MaxAssignments"] - hit["NumberOfAssignmentsAvailable"] - hit["NumberOfAssignmentsPending"])


def wait_for_assignments(
    client: Any,
    hit_ids: Iterable[str | Mapping[str, Any]],
    *,
    timeout_seconds: float = 600,
    poll_seconds: float = 2,
    progress: Any = None,
    sleep: Callable[[float], None] = time.sleep,
) -> WaitResult:
    """Poll GetHIT until every HIT is finished or ``timeout_seconds`` pass.

    ``hit_ids`` are HIT ids or HIT dicts. A HIT is finished when all its
    MaxAssignments are submitted or its status is Reviewable or Reviewing.
    MTurk makes an expired HIT Reviewable once no accepted assignment is
    pending. Between polls this waits ``poll_seconds`` with ``sleep``, and the
    timeout counts both real time and the time passed to ``sleep``.

    ``progress`` is an object with ``update(done)`` (such as
    ``helpers.progress.Progress``) that receives the number of submitted
    assignments, or ``True`` to create a ``Progress`` bar. The result reports
    the counts seen, including on timeout; it does not raise on timeout.
    """
    ids = list(dict.fromkeys(_hit_ids(hit_ids)))
    started = time.monotonic()
    slept = 0.0
    polls = 0
    while True:
        polls += 1
        hits = {hit_id: client.get_hit(HITId=hit_id)["HIT"] for hit_id in ids}
        submitted = {hit_id: _submitted_count(hit) for hit_id, hit in hits.items()}
        expected = {hit_id: hit["MaxAssignments"] for hit_id, hit in hits.items()}
        statuses = {hit_id: hit["HITStatus"] for hit_id, hit in hits.items()}
        finished = [hit_id for hit_id in ids
                    if submitted[hit_id] >= expected[hit_id] or statuses[hit_id] in FINISHED_HIT_STATUSES]

        if progress is True:
            progress = Progress(sum(expected.values()), "assignments submitted")
        if progress is not None and progress is not False:
            progress.update(sum(submitted.values()))

        all_finished = len(finished) == len(ids)
        out_of_time = max(slept, time.monotonic() - started) >= timeout_seconds
        if all_finished or out_of_time:
            if hasattr(progress, "finish"):
                progress.finish()
            result = WaitResult(submitted, expected, statuses, finished,
                                timed_out=not all_finished, timeout_seconds=timeout_seconds, polls=polls)
            log = logger.warning if result.timed_out else logger.info
            log("waited for %d HITs: %s", len(ids), result)
            return result
        sleep(poll_seconds)
        slept += poll_seconds


# ---------------------------------------------------------------------------
# Reviewing and paying
# ---------------------------------------------------------------------------

def _assignment_status(client: Any, assignment_id: str) -> str:
    return client.get_assignment(AssignmentId=assignment_id)["Assignment"]["AssignmentStatus"]


def approve_assignment(
    client: Any,
    assignment_id: str,
    feedback: str | None = None,
    override_rejection: bool = False,
) -> str:
    """Approve a submitted assignment, checking its status first.

    Returns what happened:

    - ``"approved"``: it was Submitted and is now Approved.
    - ``"already approved"``: it was Approved (by you or automatically); no call made.
    - ``"rejected"``: it was Rejected and stays so, because ``override_rejection`` is False.
    - ``"approved (rejection overridden)"``: it was Rejected and is now Approved.

    ``feedback`` is sent as RequesterFeedback, which the worker can read.
    """
    status = _assignment_status(client, assignment_id)
    if status == "Approved":
        logger.info("assignment %s is already approved", assignment_id)
        return "already approved"
    if status == "Rejected" and not override_rejection:
        logger.info("assignment %s is rejected; pass override_rejection=True to approve it", assignment_id)
        return "rejected"

    request: dict[str, Any] = {"AssignmentId": assignment_id}
    if feedback:
        request["RequesterFeedback"] = feedback
    if status == "Rejected":
        request["OverrideRejection"] = True
    try:
        client.approve_assignment(**request)
    except ClientError as error:
        # Auto-approval can happen between the status check and the call.
        if _is_invalid_assignment_state(error) and _assignment_status(client, assignment_id) == "Approved":
            logger.info("assignment %s was approved meanwhile", assignment_id)
            return "already approved"
        raise
    if status == "Rejected":
        logger.info("assignment %s approved, overriding its rejection", assignment_id)
        return "approved (rejection overridden)"
    logger.info("assignment %s approved", assignment_id)
    return "approved"


def reject_assignment(client: Any, assignment_id: str, feedback: str) -> str:
    """Reject a submitted assignment, checking its status first.

    ``feedback`` is required because the worker is shown why. Returns ``"rejected"``
    or ``"already rejected"``. Raises ``ValueError`` when the assignment is
    already Approved, because MTurk cannot reject approved work.
    """
    if not feedback or not feedback.strip():
        raise ValueError(f"reject_assignment needs feedback telling the worker why assignment "
                         f"{assignment_id} is rejected; got {feedback!r}")
    status = _assignment_status(client, assignment_id)
    if status == "Rejected":
        logger.info("assignment %s is already rejected", assignment_id)
        return "already rejected"
    if status == "Approved":
        raise ValueError(f"assignment {assignment_id} is already Approved and cannot be rejected; "
                         "the worker has been paid")
    client.reject_assignment(AssignmentId=assignment_id, RequesterFeedback=feedback)
    logger.info("assignment %s rejected", assignment_id)
    return "rejected"


def _bonus_payments(client: Any, assignment_id: str) -> list[dict]:
    payments: list[dict] = []
    request: dict[str, Any] = {"AssignmentId": assignment_id, "MaxResults": MAX_RESULTS_PER_PAGE}
    while True:
        page = client.list_bonus_payments(**request)
        batch = page.get("BonusPayments", [])
        payments.extend(batch)
        token = page.get("NextToken")
        if not batch or not token:
            return payments
        request["NextToken"] = token


def _is_duplicate_request(error: ClientError) -> bool:
    message = _error_message(error).lower()
    return (_error_code(error) == "RequestError"
            and (_turk_error_code(error).endswith(("AlreadyExists", "DuplicateRequest"))
                 or "idempotency token" in message
                 or "already been processed" in message))


def send_bonus_once(
    client: Any,
    *,
    worker_id: str,
    assignment_id: str,
    amount: str | Decimal | int,
    reason: str,
) -> str:
    """Pay a bonus for an assignment unless one was already paid for it.

    ``amount`` is in dollars and goes through ``helpers.costs.to_money``
    (``"0.50"``, ``Decimal("0.5")``). ``reason`` is required and is shown
    to the worker. Returns ``"already paid"`` when ListBonusPayments
    shows any bonus for this assignment, or when the service reports that the
    request token ``unique_request_token("bonus", assignment_id)`` was already
    used. Returns ``"sent"`` after a successful SendBonus.
    """
    money = to_money(amount, "bonus amount")
    if not reason or not reason.strip():
        raise ValueError(f"send_bonus_once needs a reason the worker will read for assignment {assignment_id}; "
                         f"got {reason!r}")

    existing = _bonus_payments(client, assignment_id)
    if existing:
        paid = ", ".join(f"${payment['BonusAmount']} to {payment['WorkerId']}" for payment in existing)
        logger.info("assignment %s already has a bonus (%s); not paying again", assignment_id, paid)
        return "already paid"

    try:
        client.send_bonus(
            WorkerId=worker_id,
            BonusAmount=money_string(money),
            AssignmentId=assignment_id,
            Reason=reason,
            UniqueRequestToken=unique_request_token("bonus", assignment_id),
        )
    except ClientError as error:
        if _is_duplicate_request(error):
            logger.info("bonus for assignment %s was already sent (duplicate request token)", assignment_id)
            return "already paid"
        raise
    logger.info("sent a $%s bonus to worker %s for assignment %s", money_string(money), worker_id, assignment_id)
    return "sent"


# ---------------------------------------------------------------------------
# Cleaning up
# ---------------------------------------------------------------------------

@dataclass
class CleanupReport:
    """Outcome of ``cleanup_hit`` for one HIT; ``str(report)`` is ``message``.

    ``status_before`` is ``None`` when the HIT was not found.
    ``submitted_assignment_ids`` lists work still waiting for review, which
    blocks deletion.
    """

    hit_id: str
    status_before: str | None
    expired: bool
    deleted: bool
    submitted_assignment_ids: list[str] = field(default_factory=list)
    message: str = ""

    def __str__(self) -> str:
        return self.message


def _count_assignments(count: int) -> str:
    return f"{count} assignment" if count == 1 else f"{count} assignments"


def cleanup_hit(client: Any, hit_id: str) -> CleanupReport:
    """Expire ``hit_id`` and delete it if no submitted work is waiting for review.

    A HIT still on the marketplace (Assignable or Unassignable) is expired
    first with ``UpdateExpirationForHIT(ExpireAt=0)``. If Submitted
    assignments remain, the HIT is not deleted and the report lists them
    ("1 assignment still Submitted: <id>"), so you can approve or reject them
    and clean up again. Nothing is approved or rejected here. A HIT that does
    not exist is reported, not raised.
    """
    try:
        hit = client.get_hit(HITId=hit_id)["HIT"]
    except ClientError as error:
        if not _is_not_found(error):
            raise
        return CleanupReport(hit_id, None, expired=False, deleted=False,
                             message=f"HIT {hit_id} does not exist (already deleted?)")
    status = hit["HITStatus"]
    if status == "Disposed":
        return CleanupReport(hit_id, status, expired=False, deleted=False,
                             message=f"HIT {hit_id} is already deleted")

    expired = False
    if status in LIVE_HIT_STATUSES:
        client.update_expiration_for_hit(HITId=hit_id, ExpireAt=0)
        expired = True
        logger.info("HIT %s expired", hit_id)

    submitted = [assignment["AssignmentId"] for assignment in list_all_assignments(client, hit_id, ["Submitted"])]
    if submitted:
        message = (f"HIT {hit_id} not deleted: {_count_assignments(len(submitted))} still Submitted: "
                   f"{', '.join(submitted)}; "
                   "approve or reject them, then clean up again")
        logger.info("%s", message)
        return CleanupReport(hit_id, status, expired, deleted=False,
                             submitted_assignment_ids=submitted, message=message)

    try:
        client.delete_hit(HITId=hit_id)
    except ClientError as error:
        if _error_code(error) != "RequestError":
            raise
        current = client.get_hit(HITId=hit_id)["HIT"]
        pending = _count_assignments(current["NumberOfAssignmentsPending"])
        message = (f"HIT {hit_id} not deleted: it is {current['HITStatus']} with {pending} accepted "
                   "but not yet submitted; clean up "
                   f"again after their deadline (service message: {_error_message(error)})")
        logger.warning("%s", message)
        return CleanupReport(hit_id, status, expired, deleted=False, message=message)

    message = f"HIT {hit_id} {'expired and ' if expired else ''}deleted"
    logger.info("%s", message)
    return CleanupReport(hit_id, status, expired, deleted=True, message=message)


def cleanup_hits(client: Any, hit_ids: Iterable[str | Mapping[str, Any]]) -> list[CleanupReport]:
    """Run ``cleanup_hit`` on each HIT (ids or HIT dicts) and return the reports in order."""
    return [cleanup_hit(client, hit_id) for hit_id in _hit_ids(hit_ids)]
