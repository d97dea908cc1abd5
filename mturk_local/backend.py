"""State machine of the local MTurk service: HIT types, HITs, assignments, bonuses, money and events.

Knows nothing about HTTP. Every public method runs inside `request()`, which
opens one store transaction and first applies every scheduled event that is due
(crowd accepts and submits, assignment deadlines, auto-approvals). It then runs
the operation in a savepoint, so an MTurk error undoes only the operation.

Times are epoch seconds of the simulated clock; money is `Decimal` US dollars.
Internal assignment statuses: Accepted, Submitted, Approved, Rejected, Returned,
Abandoned; the API shows only the last three of the first four.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import logging
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator, Sequence

from . import constants as c
from .clock import SimulatedClock
from .errors import (
    AssignmentDoesNotExist, DuplicateRequest, HITDoesNotExist, HITTypeDoesNotExist, HitAlreadyExists,
    InsufficientFunds, InvalidAssignmentState, InvalidHITState, MTurkError, ParameterValidationError, RequestError,
)
from .hit_updates import HITUpdatesMixin
from .notifications import NotificationsMixin
from .paging import Page
from .qualifications import QualificationsMixin, requirement_guards
from .review_policies import ReviewPoliciesMixin
from .store import Store
from .workers import WorkersMixin

__all__ = ["Backend", "BackendConfig", "Page", "assignment_cost", "bonus_cost", "load_crowd"]

logger = logging.getLogger(__name__)

VISIBLE_ASSIGNMENT_STATUSES = ("Submitted", "Approved", "Rejected")

# System qualification values of a person on the worker pages, who has no MTurk
# history: an experienced US adult without Masters, so a student can do HITs
# that ask for a high approval rate or many approved HITs.
PERSON_PROFILE = SimpleNamespace(locale_country="US", locale_subdivision="", approval_rate_percent=100,
                                 approved_hit_count=5000, masters=False, adult=True)
LAYOUT_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
CENT = Decimal("0.01")


@dataclass
class BackendConfig:
    """Settings of one service instance."""

    seed: int = 2017
    instant: bool = False
    balance_mode: str = "sandbox"  # "sandbox": fixed $10,000.00; "production": charged balance
    initial_balance_dollars: Decimal = c.SANDBOX_BALANCE_DOLLARS
    # NOTE: whether the real 2017 API accepts a $0.00 reward is unknown; $0.01 is the default minimum.
    min_reward_dollars: Decimal = c.MIN_REWARD_DOLLARS


# Money -----------------------------------------------------------------------------------

def _fee(amount: Decimal, rate: Decimal) -> Decimal:
    if amount <= 0:
        return Decimal("0.00")
    return max(c.MIN_FEE_DOLLARS, (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP))


def assignment_cost(reward: Decimal, max_assignments: int, masters: bool) -> Decimal:
    """Return reward + MTurk fee for one approved assignment, in dollars."""
    rate = c.BASE_FEE_RATE
    if max_assignments >= c.MANY_ASSIGNMENTS_THRESHOLD:
        rate += c.MANY_ASSIGNMENTS_FEE_RATE
    if masters:
        rate += c.MASTERS_FEE_RATE
    return reward + _fee(reward, rate)


def bonus_cost(amount: Decimal) -> Decimal:
    """Return bonus + MTurk fee (20 %, at least $0.01), in dollars."""
    return amount + _fee(amount, c.BASE_FEE_RATE)


# Crowd -----------------------------------------------------------------------------------

def load_crowd(seed: int, known_answers_path: Path | None):
    """Build the simulated crowd, or return None (logged) when crowd.py or the known answers are missing."""
    try:
        from . import crowd, known_answers
    except ImportError as error:
        logger.warning("no simulated crowd: mturk_local.crowd could not be imported (%s)", error)
        return None
    if known_answers_path is None or not Path(known_answers_path).exists():
        logger.warning("no simulated crowd: known answers file %s not found", known_answers_path)
        return None
    images = known_answers.load_known_answers(known_answers_path)
    logger.info("simulated crowd loaded with %d known images from %s", len(images), known_answers_path)
    return crowd.Crowd(seed, images)


def _answer_xml(fields: Sequence[tuple[str, str]]) -> str:
    from .forms import question_form_answers_xml
    return question_form_answers_xml(list(fields))


def _profile_value(profile, *names, default=None):
    for name in names:
        if hasattr(profile, name):
            return getattr(profile, name)
    return default


def _requirement_met(requirement: dict, profile, custom_values: dict[str, int] | None = None) -> bool:
    """Check one QualificationRequirement against a worker.

    System types are read from the worker `profile` (a simulated worker's
    WorkerProfile, or PERSON_PROFILE); custom types from `custom_values`, the
    worker's Granted qualifications.
    """
    type_id = requirement["QualificationTypeId"]
    comparator = requirement["Comparator"]
    if type_id == c.LOCALE_QUALIFICATION_ID:
        return _locale_met(requirement, profile)
    elif type_id in c.MASTERS_QUALIFICATION_IDS:
        worker_value = 1 if _profile_value(profile, "masters", "is_masters", default=False) else None
        values = requirement.get("IntegerValues", [])
    elif type_id == c.ADULT_QUALIFICATION_ID:
        worker_value = 1 if _profile_value(profile, "adult", "is_adult", default=True) else 0
        values = requirement.get("IntegerValues", [])
    elif type_id == c.APPROVAL_RATE_QUALIFICATION_ID:
        worker_value = _profile_value(profile, "approval_rate_percent", "approval_rate", default=100)
        values = requirement.get("IntegerValues", [])
    elif type_id == c.APPROVED_COUNT_QUALIFICATION_ID:
        worker_value = _profile_value(profile, "approved_hit_count", "approved_count", default=0)
        values = requirement.get("IntegerValues", [])
    else:
        worker_value = (custom_values or {}).get(type_id)
        values = requirement.get("IntegerValues", [])
    return _compare(worker_value, comparator, values)


def _locale_met(requirement: dict, profile) -> bool:
    country = _profile_value(profile, "locale_country", default="US")
    subdivision = _profile_value(profile, "locale_subdivision", default="")
    matches = [locale["Country"] == country and locale.get("Subdivision", subdivision) == subdivision
               for locale in requirement.get("LocaleValues", [])]
    comparator = requirement["Comparator"]
    if comparator in ("EqualTo", "In"):
        return any(matches)
    if comparator in ("NotEqualTo", "NotIn"):
        return not any(matches)
    return comparator == "Exists"


def _compare(worker_value, comparator: str, values: list) -> bool:
    if comparator == "Exists":
        return worker_value is not None
    if comparator == "DoesNotExist":
        return worker_value is None
    if worker_value is None:
        return False
    if comparator == "In":
        return worker_value in values
    if comparator == "NotIn":
        return worker_value not in values
    target = values[0]
    return {
        "LessThan": worker_value < target, "LessThanOrEqualTo": worker_value <= target,
        "GreaterThan": worker_value > target, "GreaterThanOrEqualTo": worker_value >= target,
        "EqualTo": worker_value == target, "NotEqualTo": worker_value != target,
    }[comparator]


def normalise_requirements(requirements: list[dict] | None) -> list[dict]:
    """Fill `ActionsGuarded` and `RequiredToPreview` as the real service echoes them."""
    result = []
    for requirement in requirements or []:
        filled = dict(requirement)
        if "ActionsGuarded" not in filled:
            filled["ActionsGuarded"] = "PreviewAndAccept" if filled.get("RequiredToPreview") else "Accept"
        if "RequiredToPreview" not in filled:
            filled["RequiredToPreview"] = filled["ActionsGuarded"] != "Accept"
        result.append(filled)
    return result


# Backend ---------------------------------------------------------------------------------

class Backend(QualificationsMixin, WorkersMixin, NotificationsMixin, HITUpdatesMixin, ReviewPoliciesMixin):
    """All state of one local MTurk account.

    The mixins add qualifications, worker blocks and messages, notifications,
    HIT updates and review policies; they share this class's store and helpers.
    """

    def __init__(self, store: Store, clock: SimulatedClock, config: BackendConfig, crowd=None):
        self.store = store
        self.clock = clock
        self.config = config
        self.crowd = crowd
        with store.transaction():
            if store.get_meta("balance") is None:
                store.set_meta("balance", str(config.initial_balance_dollars))
            saved_now = float(store.get_meta("clock_now", "0"))
        # The simulated clock never runs backwards across restarts.
        clock.jump_to(saved_now)

    # Request scope ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        """Open the request's transaction, apply due events, and run the block in a savepoint.

        An MTurkError raised by the block undoes only the block; the events stay
        applied and the transaction commits before the error propagates.
        """
        operation_error: MTurkError | None = None
        with self.store.transaction():
            self.process_due_events()
            try:
                with self.store.savepoint():
                    yield
            except MTurkError as error:
                operation_error = error
            self.store.set_meta("clock_now", repr(self.clock.now()))
        if operation_error is not None:
            raise operation_error

    def now(self) -> float:
        return self.clock.now()

    def reset(self) -> None:
        """Delete every HIT, assignment, bonus, layout, event and token; restore the starting balance.

        The helpers' ledger file in the state folder is removed too, because it
        names HITs that no longer exist.
        """
        self.store.clear()
        (self.store.path.parent / c.LEDGER_FILE_NAME).unlink(missing_ok=True)
        self.store.set_meta("balance", str(self.config.initial_balance_dollars))
        logger.info("state reset")

    def advance_clock(self, seconds: float) -> float:
        """Move the simulated clock forward, apply the events that became due, return the new time."""
        now = self.clock.advance(seconds)
        self.process_due_events()
        return now

    # Ids and tokens -------------------------------------------------------------------------

    def _new_id(self, kind: str) -> str:
        number = self.store.next_counter(kind)
        return self._derived_id(kind, str(number))

    def _derived_id(self, kind: str, source: str) -> str:
        digest = int.from_bytes(hashlib.sha256(f"{self.config.seed}:{kind}:{source}".encode()).digest(), "big")
        characters = []
        for _ in range(c.ID_LENGTH_CHARS - 1):
            digest, index = divmod(digest, len(c.ID_ALPHABET))
            characters.append(c.ID_ALPHABET[index])
        return "3" + "".join(characters)

    def _used_token(self, operation: str, token: str | None) -> dict | None:
        if token is None:
            return None
        row = self.store.one("SELECT * FROM request_tokens WHERE operation = ? AND token = ?", (operation, token))
        if row is None:
            return None
        if self.now() - row["created_time"] > c.IDEMPOTENCY_TOKEN_LIFETIME_SECONDS:
            self.store.execute("DELETE FROM request_tokens WHERE operation = ? AND token = ?", (operation, token))
            return None
        return json.loads(row["result"])

    def _remember_token(self, operation: str, token: str | None, result: dict) -> None:
        if token is not None:
            self.store.insert("request_tokens", {"operation": operation, "token": token,
                                                 "created_time": self.now(), "result": json.dumps(result)})

    @staticmethod
    def _encode_token(scope: str, key: Any) -> str:
        raw = json.dumps([scope, key]).encode()
        return "p1:" + base64.urlsafe_b64encode(raw).decode()

    @staticmethod
    def _decode_token(scope: str, token: str | None, default: Any) -> Any:
        if token is None:
            return default
        try:
            found_scope, key = json.loads(base64.urlsafe_b64decode(token.removeprefix("p1:").encode()))
        except (ValueError, TypeError):
            found_scope, key = None, None
        if found_scope != scope:
            raise ParameterValidationError.invalid_value(
                "NextToken", token, "Pass the NextToken of the previous page of the same call unchanged.")
        return key

    # Money --------------------------------------------------------------------------------------

    def balance(self) -> Decimal:
        if self.config.balance_mode != "production":
            return c.SANDBOX_BALANCE_DOLLARS
        return Decimal(self.store.get_meta("balance"))

    def _charge(self, amount: Decimal, description: str, allow_negative: bool = False) -> None:
        if self.config.balance_mode != "production":
            return
        balance = Decimal(self.store.get_meta("balance"))
        if amount > balance and not allow_negative:
            logger.info("insufficient funds for %s: needed $%s, available $%s", description, amount, balance)
            raise InsufficientFunds()
        self.store.set_meta("balance", str(balance - amount))
        logger.info("charged $%s for %s; balance $%s", amount, description, balance - amount)

    # HIT types ----------------------------------------------------------------------------------

    def create_hit_type(self, *, title: str, description: str, reward: str, assignment_duration: int,
                        auto_approval_delay: int | None = None, keywords: str | None = None,
                        qualification_requirements: list[dict] | None = None) -> str:
        """Return the id of the HIT type with these properties, creating it when none matches."""
        requirements = normalise_requirements(qualification_requirements)
        for requirement in requirements:
            self._check_qualification_type(requirement["QualificationTypeId"])
        if auto_approval_delay is None:
            auto_approval_delay = c.DEFAULT_AUTO_APPROVAL_DELAY_SECONDS
        properties = {"title": title, "description": description, "reward": reward, "keywords": keywords,
                      "assignment_duration": assignment_duration, "auto_approval_delay": auto_approval_delay,
                      "qualification_requirements": json.dumps(requirements, sort_keys=True)}
        properties_key = json.dumps(properties, sort_keys=True)
        existing = self.store.one("SELECT hit_type_id FROM hit_types WHERE properties_key = ?", (properties_key,))
        if existing is not None:
            return existing["hit_type_id"]
        hit_type_id = self._new_id("hit_type")
        self.store.insert("hit_types", {**properties, "hit_type_id": hit_type_id,
                                        "hit_group_id": self._derived_id("hit_group", hit_type_id),
                                        "properties_key": properties_key, "creation_time": self.now()})
        logger.info("created HIT type %s (%r, reward $%s)", hit_type_id, title, reward)
        return hit_type_id

    def _check_qualification_type(self, type_id: str) -> None:
        if type_id not in c.SYSTEM_QUALIFICATION_IDS:
            self._custom_type_row(type_id)

    def _hit_type(self, hit_type_id: str) -> dict:
        row = self.store.one("SELECT * FROM hit_types WHERE hit_type_id = ?", (hit_type_id,))
        if row is None:
            raise HITTypeDoesNotExist(hit_type_id)
        return row

    # Layouts ------------------------------------------------------------------------------------

    def create_layout(self, name: str, html_text: str) -> str:
        """Store a HIT layout (HTML with `${Name}` placeholders) and return its HITLayoutId.

        A layout with the same name and HTML as an existing one gets that
        layout's id, as CreateHITType does for identical properties, so a
        notebook that registers its template on every run creates it once.
        """
        existing = self.store.one("SELECT hit_layout_id FROM layouts WHERE name = ? AND html = ?", (name, html_text))
        if existing is not None:
            return existing["hit_layout_id"]
        layout_id = self._new_id("layout")
        self.store.insert("layouts", {"hit_layout_id": layout_id, "name": name, "html": html_text,
                                      "creation_time": self.now()})
        logger.info("created HIT layout %s (%r)", layout_id, name)
        return layout_id

    def _render_layout(self, layout_id: str, parameters: list[dict]) -> str:
        row = self.store.one("SELECT html FROM layouts WHERE hit_layout_id = ?", (layout_id,))
        if row is None:
            raise ParameterValidationError.invalid_value(
                "HITLayoutId", layout_id, "No layout with this id exists; create one with POST /_local/layouts.")
        values = {parameter["Name"]: parameter["Value"] for parameter in parameters}
        missing = sorted({name for name in LAYOUT_PLACEHOLDER.findall(row["html"]) if name not in values})
        if missing:
            raise ParameterValidationError(
                f"HITLayoutParameters has no value for the layout placeholder(s) {', '.join(missing)} "
                f"of layout {layout_id}; add a {{'Name': ..., 'Value': ...}} entry for each.", "HITLayoutParameters")
        rendered = LAYOUT_PLACEHOLDER.sub(lambda match: html.escape(values[match.group(1)], quote=True), row["html"])
        content = rendered.replace("]]>", "]]]]><![CDATA[>")
        return (f'<HTMLQuestion xmlns="{c.HTML_QUESTION_NAMESPACE}"><HTMLContent><![CDATA[{content}]]>'
                "</HTMLContent><FrameHeight>0</FrameHeight></HTMLQuestion>")

    # HITs -----------------------------------------------------------------------------------------

    def create_hit(self, *, hit_type_id: str, lifetime: int, max_assignments: int | None = None,
                   question: str | None = None, hit_layout_id: str | None = None,
                   hit_layout_parameters: list[dict] | None = None, requester_annotation: str | None = None,
                   unique_request_token: str | None = None, assignment_review_policy: dict | None = None,
                   hit_review_policy: dict | None = None) -> dict:
        """Create a HIT of an existing HIT type and schedule the simulated crowd's work on it.

        The review policies run as described in review_policies.py.
        """
        used = self._used_token("CreateHIT", unique_request_token)
        if used is not None:
            raise HitAlreadyExists(used["HITId"])
        hit_type = self._hit_type(hit_type_id)
        if hit_layout_id is not None:
            question = self._render_layout(hit_layout_id, hit_layout_parameters or [])
            from .validation import check_question
            check_question(question, "HITLayoutParameters")
        now = self.now()
        hit_id = self._new_id("hit")
        self.store.insert("hits", {
            "hit_id": hit_id, "hit_type_id": hit_type_id, "hit_group_id": hit_type["hit_group_id"],
            "hit_layout_id": hit_layout_id, "creation_time": now, "question": question,
            "max_assignments": max_assignments or c.DEFAULT_MAX_ASSIGNMENTS, "expiration": now + lifetime,
            "requester_annotation": requester_annotation,
            "assignment_review_policy": json.dumps(assignment_review_policy) if assignment_review_policy else None,
            "hit_review_policy": json.dumps(hit_review_policy) if hit_review_policy else None,
        })
        self._remember_token("CreateHIT", unique_request_token, {"HITId": hit_id})
        logger.info("created HIT %s of type %s (%d assignments, lifetime %d s)",
                    hit_id, hit_type_id, max_assignments or 1, lifetime)
        self._schedule(now + lifetime, "hit_expire", False, hit_id, None, {})
        self._schedule(now + c.AUTO_DISPOSE_AFTER_SECONDS, "hit_dispose", False, hit_id, None, {})
        self._notify("HITCreated", self._hit_row(hit_id))
        self._schedule_crowd(hit_id, question, hit_type, max_assignments or c.DEFAULT_MAX_ASSIGNMENTS, now)
        return self.get_hit(hit_id)

    def _schedule_crowd(self, hit_id: str, question: str, hit_type: dict, slots: int, now: float) -> None:
        if self.crowd is None:
            return
        try:
            task = self.crowd.recognise(question)
        except Exception:
            logger.exception("crowd.recognise failed on HIT %s; no simulated workers will take it", hit_id)
            return
        if task is None:
            logger.info("HIT %s: the simulated crowd does not recognise this task; it waits for a person", hit_id)
            return
        requirements = json.loads(hit_type["qualification_requirements"])
        already_working = {row["worker_id"] for row in
                           self.store.all("SELECT worker_id FROM assignments WHERE hit_id = ?", (hit_id,))}

        def eligible(profile) -> bool:
            if profile.worker_id in already_working or self.is_blocked(profile.worker_id):
                return False
            return self.worker_qualifies(requirements, profile.worker_id, "Accept", profile)

        plans = self.crowd.plan(task, slots, eligible=eligible)
        for plan in plans:
            self._schedule(now + plan.accept_delay_seconds, "crowd_accept", True, hit_id, None, {
                "worker_id": plan.worker_id, "work_seconds": plan.work_seconds,
                "fields": [list(pair) for pair in plan.fields]})
        logger.info("HIT %s: %d simulated workers planned for task %s", hit_id, len(plans), task)

    def _hit_row(self, hit_id: str) -> dict:
        row = self.store.one("SELECT * FROM hits WHERE hit_id = ? AND disposed = 0", (hit_id,))
        if row is None:
            raise HITDoesNotExist(hit_id)
        return row

    def _counts(self, hit_id: str) -> dict[str, int]:
        counts = dict.fromkeys(("Accepted", "Submitted", "Approved", "Rejected"), 0)
        for row in self.store.all("SELECT status, COUNT(*) AS n FROM assignments WHERE hit_id = ? GROUP BY status",
                                  (hit_id,)):
            counts[row["status"]] = row["n"]
        return counts

    def _hit_status(self, row: dict, counts: dict[str, int], at: float) -> tuple[str, int]:
        """Return (HITStatus, NumberOfAssignmentsAvailable) of a HIT at time `at`."""
        used = counts["Accepted"] + counts["Submitted"] + counts["Approved"] + counts["Rejected"]
        available = max(0, row["max_assignments"] - used)
        if row["disposed"]:
            return "Disposed", available
        if row["review_status"] == "Reviewing":
            return "Reviewing", available
        if at < row["expiration"] and available > 0:
            return "Assignable", available
        if counts["Accepted"] > 0:
            return "Unassignable", available
        return "Reviewable", available

    def _hit_view(self, row: dict) -> dict:
        hit_type = self._hit_type(row["hit_type_id"])
        counts = self._counts(row["hit_id"])
        status, available = self._hit_status(row, counts, self.now())
        return {
            "hit_id": row["hit_id"], "hit_type_id": row["hit_type_id"], "hit_group_id": row["hit_group_id"],
            "hit_layout_id": row["hit_layout_id"], "creation_time": row["creation_time"],
            "title": hit_type["title"], "description": hit_type["description"], "question": row["question"],
            "keywords": hit_type["keywords"], "status": status, "max_assignments": row["max_assignments"],
            "reward": hit_type["reward"], "auto_approval_delay": hit_type["auto_approval_delay"],
            "expiration": row["expiration"], "assignment_duration": hit_type["assignment_duration"],
            "requester_annotation": row["requester_annotation"],
            "qualification_requirements": json.loads(hit_type["qualification_requirements"]),
            "hit_review_status": row["hit_review_status"], "pending": counts["Accepted"], "available": available,
            "completed": counts["Approved"] + counts["Rejected"],
        }

    def get_hit(self, hit_id: str) -> dict:
        """Return the HIT as a dict of snake_case fields (see `_hit_view`)."""
        return self._hit_view(self._hit_row(hit_id))

    def list_hits(self, next_token: str | None, max_results: int | None) -> Page:
        """List HITs that are not deleted, newest first."""
        after = self._decode_token("ListHITs", next_token, None)
        limit = max_results or c.DEFAULT_PAGE_SIZE
        if after is None:
            rows = self.store.all("SELECT * FROM hits WHERE disposed = 0 ORDER BY seq DESC LIMIT ?", (limit,))
        else:
            rows = self.store.all("SELECT * FROM hits WHERE disposed = 0 AND seq < ? ORDER BY seq DESC LIMIT ?",
                                  (after, limit))
        token = self._encode_token("ListHITs", rows[-1]["seq"]) if rows else None
        return Page([self._hit_view(row) for row in rows], token)

    def list_reviewable_hits(self, hit_type_id: str | None, status: str | None, next_token: str | None,
                             max_results: int | None) -> Page:
        """List the ids of HITs in `status` (default Reviewable), newest first, optionally of one HIT type."""
        status_filter = status or "Reviewable"
        after = self._decode_token("ListReviewableHITs", next_token, None)
        limit = max_results or c.DEFAULT_PAGE_SIZE
        sql = "SELECT * FROM hits WHERE disposed = 0"
        args: list = []
        if hit_type_id is not None:
            sql += " AND hit_type_id = ?"
            args.append(hit_type_id)
        if after is not None:
            sql += " AND seq < ?"
            args.append(after)
        found = []
        for row in self.store.all(sql + " ORDER BY seq DESC", tuple(args)):
            hit_status, _ = self._hit_status(row, self._counts(row["hit_id"]), self.now())
            if hit_status == status_filter:
                found.append(row)
                if len(found) == limit:
                    break
        token = self._encode_token("ListReviewableHITs", found[-1]["seq"]) if found else None
        return Page([row["hit_id"] for row in found], token)

    def update_expiration(self, hit_id: str, expire_at: float) -> None:
        """Expire the HIT now (ExpireAt in the past or 0) or extend it to `expire_at`."""
        row = self._hit_row(hit_id)
        now = self.now()
        if expire_at <= now:
            self.store.update("hits", "hit_id", hit_id, {"expiration": min(row["expiration"], now)})
            logger.info("HIT %s expired by the requester", hit_id)
            if row["expiration"] > now:
                self._notify("HITExpired", row)
            self._check_reviewable(hit_id)
            return
        increment = int(round(expire_at - row["expiration"]))
        if not c.MIN_EXPIRATION_INCREMENT_SECONDS <= increment <= c.MAX_EXPIRATION_INCREMENT_SECONDS:
            raise ParameterValidationError.out_of_range(
                "ExpirationIncrementInSeconds", increment, c.MIN_EXPIRATION_INCREMENT_SECONDS,
                c.MAX_EXPIRATION_INCREMENT_SECONDS)
        # Extending makes a Reviewing HIT Assignable again.
        self.store.update("hits", "hit_id", hit_id, {"expiration": expire_at, "review_status": None,
                                                     "reviewable_notified": 0})
        self._schedule(expire_at, "hit_expire", False, hit_id, None, {})
        logger.info("HIT %s extended by %d s", hit_id, increment)
        self._notify("HITExtended", row)

    def delete_hit(self, hit_id: str) -> None:
        """Dispose of a Reviewable or Reviewing HIT whose submitted work is all approved or rejected."""
        row = self._hit_row(hit_id)
        counts = self._counts(hit_id)
        status, _ = self._hit_status(row, counts, self.now())
        if status not in ("Reviewable", "Reviewing") or counts["Submitted"] > 0:
            raise InvalidHITState(status)
        self.store.update("hits", "hit_id", hit_id, {"disposed": 1})
        self.store.execute("DELETE FROM events WHERE hit_id = ?", (hit_id,))
        logger.info("HIT %s deleted", hit_id)
        self._notify("HITDisposed", row)

    # Assignments -------------------------------------------------------------------------------------

    def _assignment_row(self, assignment_id: str) -> dict:
        row = self.store.one(
            "SELECT a.* FROM assignments a JOIN hits h ON h.hit_id = a.hit_id "
            "WHERE a.assignment_id = ? AND h.disposed = 0", (assignment_id,))
        if row is None:
            raise AssignmentDoesNotExist(assignment_id)
        return row

    def _reviewable_assignment(self, assignment_id: str) -> dict:
        row = self._assignment_row(assignment_id)
        if row["status"] not in VISIBLE_ASSIGNMENT_STATUSES:
            raise AssignmentDoesNotExist(assignment_id)
        return row

    def get_assignment(self, assignment_id: str) -> tuple[dict, dict]:
        """Return (assignment row, HIT view) of a submitted, approved or rejected assignment."""
        row = self._assignment_row(assignment_id)
        if row["status"] == "Accepted":
            raise InvalidAssignmentState("Reviewable,Approved,Rejected")
        if row["status"] not in VISIBLE_ASSIGNMENT_STATUSES:
            raise AssignmentDoesNotExist(assignment_id)
        return row, self.get_hit(row["hit_id"])

    def list_assignments(self, hit_id: str, statuses: list[str] | None, next_token: str | None,
                         max_results: int | None) -> Page:
        """List a HIT's assignments in the order they were submitted, filtered by status (default all)."""
        self._hit_row(hit_id)
        status_filter = list(statuses) if statuses else list(VISIBLE_ASSIGNMENT_STATUSES)
        after = self._decode_token("ListAssignmentsForHIT:" + hit_id, next_token, 0)
        limit = max_results or c.DEFAULT_PAGE_SIZE
        marks = ", ".join("?" for _ in status_filter)
        rows = self.store.all(
            f"SELECT * FROM assignments WHERE hit_id = ? AND status IN ({marks}) AND submit_seq > ? "
            "ORDER BY submit_seq LIMIT ?", (hit_id, *status_filter, after, limit))
        token = self._encode_token("ListAssignmentsForHIT:" + hit_id, rows[-1]["submit_seq"]) if rows else None
        return Page(rows, token)

    def approve_assignment(self, assignment_id: str, feedback: str | None, override_rejection: bool) -> None:
        """Approve a Submitted assignment (or a Rejected one with `override_rejection`) and pay for it."""
        row = self._reviewable_assignment(assignment_id)
        now = self.now()
        overriding = (row["status"] == "Rejected" and override_rejection
                      and now - row["submit_time"] <= c.OVERRIDE_REJECTION_WINDOW_SECONDS)
        if row["status"] != "Submitted" and not overriding:
            raise InvalidAssignmentState("Submitted")
        self._approve(row, now, feedback)

    def _approve(self, row: dict, at: float, feedback: str | None, automatic: bool = False) -> None:
        hit_row = self.store.one("SELECT * FROM hits WHERE hit_id = ?", (row["hit_id"],))
        hit_type = self._hit_type(hit_row["hit_type_id"])
        requirements = json.loads(hit_type["qualification_requirements"])
        masters = any(r["QualificationTypeId"] in c.MASTERS_QUALIFICATION_IDS for r in requirements)
        cost = assignment_cost(Decimal(hit_type["reward"]), hit_row["max_assignments"], masters)
        self._charge(cost, f"assignment {row['assignment_id']}", allow_negative=automatic)
        changes: dict = {"status": "Approved", "approval_time": at, "rejection_time": None}
        if feedback is not None:
            changes["requester_feedback"] = feedback
        self.store.update("assignments", "assignment_id", row["assignment_id"], changes)
        logger.info("assignment %s approved%s", row["assignment_id"], " automatically" if automatic else "")
        self._notify("AssignmentApproved", hit_row, row["assignment_id"], row["worker_id"])

    def reject_assignment(self, assignment_id: str, feedback: str) -> None:
        """Reject a Submitted assignment; the worker is not paid."""
        row = self._reviewable_assignment(assignment_id)
        if row["status"] != "Submitted":
            raise InvalidAssignmentState("Submitted")
        self.store.update("assignments", "assignment_id", assignment_id,
                          {"status": "Rejected", "rejection_time": self.now(), "requester_feedback": feedback})
        logger.info("assignment %s rejected", assignment_id)
        self._notify("AssignmentRejected", self._hit_row(row["hit_id"]), assignment_id, row["worker_id"])

    # Bonuses ---------------------------------------------------------------------------------------

    def send_bonus(self, *, worker_id: str, bonus_amount: str, assignment_id: str, reason: str,
                   unique_request_token: str | None = None) -> None:
        """Pay a bonus to the worker of a submitted, approved or rejected assignment."""
        from .validation import check_money
        if self._used_token("SendBonus", unique_request_token) is not None:
            raise DuplicateRequest(unique_request_token, f"the bonus for assignment {assignment_id} was not paid again.")
        row = self._reviewable_assignment(assignment_id)
        if row["worker_id"] != worker_id:
            raise ParameterValidationError.invalid_value(
                "WorkerId", worker_id, f"Assignment {assignment_id} was done by a different worker.")
        amount = check_money("BonusAmount", bonus_amount, c.MIN_BONUS_DOLLARS)
        self._charge(bonus_cost(amount), f"bonus on assignment {assignment_id}")
        self.store.insert("bonuses", {"worker_id": worker_id, "assignment_id": assignment_id,
                                      "hit_id": row["hit_id"], "bonus_amount": bonus_amount, "reason": reason,
                                      "grant_time": self.now()})
        self._remember_token("SendBonus", unique_request_token, {"AssignmentId": assignment_id})
        logger.info("bonus $%s sent to %s for assignment %s", bonus_amount, worker_id, assignment_id)

    def list_bonus_payments(self, hit_id: str | None, assignment_id: str | None, next_token: str | None,
                            max_results: int | None) -> Page:
        """List bonuses of a HIT or of an assignment, oldest first."""
        if hit_id is None and assignment_id is None:
            raise ParameterValidationError("ListBonusPayments needs HITId or AssignmentId; neither was given.",
                                           "HITId")
        sql = "SELECT * FROM bonuses WHERE 1 = 1"
        args: list = []
        if hit_id is not None:
            self._hit_row(hit_id)
            sql += " AND hit_id = ?"
            args.append(hit_id)
        if assignment_id is not None:
            self._assignment_row(assignment_id)
            sql += " AND assignment_id = ?"
            args.append(assignment_id)
        scope = f"ListBonusPayments:{hit_id}:{assignment_id}"
        after = self._decode_token(scope, next_token, 0)
        rows = self.store.all(sql + " AND seq > ? ORDER BY seq LIMIT ?",
                              (*args, after, max_results or c.DEFAULT_PAGE_SIZE))
        return Page(rows, self._encode_token(scope, rows[-1]["seq"]) if rows else None)

    # Worker actions (web pages and the simulated crowd) -------------------------------------------------

    def find_hit_for_preview(self, group_id: str | None, hit_id: str | None) -> dict:
        """Return the HIT to preview: `hit_id`, or the oldest Assignable HIT of a HITGroupId or HITTypeId."""
        if hit_id:
            return self.get_hit(hit_id)
        rows = self.store.all("SELECT * FROM hits WHERE disposed = 0 AND (hit_group_id = ? OR hit_type_id = ?) "
                              "ORDER BY seq", (group_id, group_id))
        for row in rows:
            view = self._hit_view(row)
            if view["status"] == "Assignable":
                return view
        raise RequestError(f"No HIT of group {group_id} is available to work on right now.",
                           "AWS.MechanicalTurk.HITNotAvailable")

    def accept_hit(self, hit_id: str, worker_id: str, origin: str = "web", at: float | None = None) -> dict:
        """Give `worker_id` an assignment on the HIT and return the assignment row."""
        at = self.now() if at is None else at
        row = self._hit_row(hit_id)
        if not re.fullmatch(r"A[A-Z0-9]{1,63}", worker_id):
            raise ParameterValidationError.invalid_value(
                "WorkerId", worker_id, "A worker id is 'A' followed by capital letters and digits.")
        status, _ = self._hit_status(row, self._counts(hit_id), at)
        if status != "Assignable":
            raise RequestError(f"HIT {hit_id} cannot be accepted: it is {status}.", "AWS.MechanicalTurk.HITNotAvailable")
        if self.is_blocked(worker_id):
            # NOTE: inferred wording and code, because MTurk does not show the HIT to a blocked worker at all.
            raise RequestError(f"Worker {worker_id} is blocked by this requester and cannot accept HIT {hit_id}.",
                               "AWS.MechanicalTurk.WorkerBlocked")

        requirements = json.loads(self._hit_type(row["hit_type_id"])["qualification_requirements"])
        if not self.worker_qualifies(requirements, worker_id, "Accept"):
            # NOTE: inferred wording and code.
            raise RequestError(f"Worker {worker_id} does not meet the qualification requirements of HIT {hit_id}.",
                               "AWS.MechanicalTurk.QualificationRequirementsNotMet")

        existing = self.store.one("SELECT assignment_id FROM assignments WHERE hit_id = ? AND worker_id = ?",
                                  (hit_id, worker_id))
        if existing is not None:
            raise RequestError(f"Worker {worker_id} already has assignment {existing['assignment_id']} on HIT {hit_id}; "
                               "a worker can do each HIT once.",
                               "AWS.MechanicalTurk.WorkerAlreadyAccepted")
        duration = self._hit_type(row["hit_type_id"])["assignment_duration"]
        assignment_id = self._new_id("assignment")
        self.store.insert("assignments", {"assignment_id": assignment_id, "hit_id": hit_id, "worker_id": worker_id,
                                          "status": "Accepted", "accept_time": at, "deadline": at + duration,
                                          "origin": origin})
        logger.info("worker %s accepted HIT %s as assignment %s", worker_id, hit_id, assignment_id)
        self._notify("AssignmentAccepted", row, assignment_id, worker_id)
        if origin != "crowd":
            # Simulated workers schedule their own submit or abandonment in `_crowd_accept`.
            self._schedule(at + duration, "deadline", False, hit_id, assignment_id, {})
        return self.store.one("SELECT * FROM assignments WHERE assignment_id = ?", (assignment_id,))

    def worker_assignment(self, assignment_id: str) -> tuple[dict, dict]:
        """Return (assignment row, HIT view) in any status, for the worker pages."""
        row = self._assignment_row(assignment_id)
        return row, self.get_hit(row["hit_id"])

    def submit_assignment(self, assignment_id: str, fields: Sequence[tuple[str, str]], at: float | None = None) -> dict:
        """Submit the answer fields of an Accepted assignment that is within its deadline."""
        row = self._assignment_row(assignment_id)
        if row["status"] != "Accepted":
            raise InvalidAssignmentState("Accepted")
        at = self.now() if at is None else at
        hit_row = self._hit_row(row["hit_id"])
        delay = self._hit_type(hit_row["hit_type_id"])["auto_approval_delay"]
        changes = {"status": "Submitted", "submit_time": at, "submit_seq": self.store.next_counter("submit"),
                   "auto_approval_time": at + delay, "answer": _answer_xml(fields)}
        self.store.update("assignments", "assignment_id", assignment_id, changes)
        logger.info("assignment %s submitted by %s", assignment_id, row["worker_id"])
        self._notify("AssignmentSubmitted", hit_row, assignment_id, row["worker_id"])
        if delay == 0:
            self._approve({**row, **changes}, at, None, automatic=True)
        else:
            self._schedule(at + delay, "auto_approve", False, row["hit_id"], assignment_id, {})
            self.run_assignment_review_policy(hit_row, {**row, **changes})
        self._check_reviewable(row["hit_id"])
        return {**row, **changes}

    # Events -----------------------------------------------------------------------------------------

    def _schedule(self, due_time: float, kind: str, is_crowd: bool, hit_id: str | None,
                  assignment_id: str | None, payload: dict) -> None:
        self.store.insert("events", {"due_time": due_time, "kind": kind, "is_crowd": int(is_crowd),
                                     "hit_id": hit_id, "assignment_id": assignment_id,
                                     "payload": json.dumps(payload)})

    def process_due_events(self) -> int:
        """Apply every event due by now, in (due time, creation) order; return how many were applied.

        In instant mode the clock first jumps to each pending crowd event, so the
        simulated crowd finishes its work within this call while every timestamp
        stays in order.
        """
        applied = 0
        while True:
            event = self.store.one("SELECT * FROM events ORDER BY due_time, seq LIMIT 1")
            if event is None:
                break
            horizon = self.now()
            if self.config.instant:
                next_crowd = self.store.one("SELECT MIN(due_time) AS due FROM events WHERE is_crowd = 1")
                if next_crowd["due"] is not None:
                    horizon = max(horizon, next_crowd["due"])
            if event["due_time"] > horizon:
                break
            self.clock.jump_to(event["due_time"])
            self.store.execute("DELETE FROM events WHERE seq = ?", (event["seq"],))
            self._apply_event(event)
            applied += 1
        return applied

    def _apply_event(self, event: dict) -> None:
        payload = json.loads(event["payload"])
        handler: Callable = {
            "crowd_accept": self._crowd_accept, "crowd_submit": self._crowd_submit,
            "crowd_abandon": self._abandon, "deadline": self._abandon, "auto_approve": self._auto_approve,
            "hit_expire": self._expire_event, "hit_dispose": self._dispose_event,
        }[event["kind"]]
        try:
            with self.store.savepoint("event"):
                handler(event, payload)
        except MTurkError as error:
            logger.info("event %s for HIT %s skipped: %s", event["kind"], event["hit_id"], error.message)

    def _crowd_accept(self, event: dict, payload: dict) -> None:
        at = event["due_time"]
        assignment = self.accept_hit(event["hit_id"], payload["worker_id"], origin="crowd", at=at)
        submit_at = at + payload["work_seconds"]
        if submit_at <= assignment["deadline"]:
            self._schedule(submit_at, "crowd_submit", True, event["hit_id"], assignment["assignment_id"],
                           {"fields": payload["fields"]})
        else:
            self._schedule(assignment["deadline"], "crowd_abandon", True, event["hit_id"],
                           assignment["assignment_id"], {})

    def _crowd_submit(self, event: dict, payload: dict) -> None:
        fields = [tuple(pair) for pair in payload["fields"]]
        self.submit_assignment(event["assignment_id"], fields, at=event["due_time"])

    def _abandon(self, event: dict, payload: dict) -> None:
        row = self.store.one("SELECT * FROM assignments WHERE assignment_id = ?", (event["assignment_id"],))
        if row is not None and row["status"] == "Accepted":
            self.store.update("assignments", "assignment_id", row["assignment_id"], {"status": "Abandoned"})
            logger.info("assignment %s abandoned at its deadline", row["assignment_id"])
            hit_row = self.store.one("SELECT * FROM hits WHERE hit_id = ?", (row["hit_id"],))
            self._notify("AssignmentAbandoned", hit_row, row["assignment_id"], row["worker_id"])
            self._check_reviewable(row["hit_id"])

    def _auto_approve(self, event: dict, payload: dict) -> None:
        row = self.store.one("SELECT * FROM assignments WHERE assignment_id = ?", (event["assignment_id"],))
        if row is not None and row["status"] == "Submitted":
            self._approve(row, row["auto_approval_time"], None, automatic=True)

    def _expire_event(self, event: dict, payload: dict) -> None:
        row = self.store.one("SELECT * FROM hits WHERE hit_id = ? AND disposed = 0", (event["hit_id"],))
        # An extension schedules another event, so only the one at the current expiration counts.
        if row is not None and abs(row["expiration"] - event["due_time"]) < 1e-6:
            logger.info("HIT %s expired", row["hit_id"])
            self._notify("HITExpired", row)
            self._check_reviewable(row["hit_id"])

    def _dispose_event(self, event: dict, payload: dict) -> None:
        """Dispose of a HIT 120 days after its creation, whatever its state, as MTurk does."""
        row = self.store.one("SELECT * FROM hits WHERE hit_id = ? AND disposed = 0", (event["hit_id"],))
        if row is None:
            return
        self.store.update("hits", "hit_id", row["hit_id"], {"disposed": 1})
        self.store.execute("DELETE FROM events WHERE hit_id = ? AND kind != 'hit_dispose'", (row["hit_id"],))
        logger.info("HIT %s disposed of automatically, %d days after its creation",
                    row["hit_id"], c.AUTO_DISPOSE_AFTER_SECONDS // 86400)
        self._notify("HITDisposed", row)

    def _check_reviewable(self, hit_id: str) -> None:
        """Send HITReviewable and run the HIT review policy the first time a HIT becomes Reviewable."""
        row = self.store.one("SELECT * FROM hits WHERE hit_id = ?", (hit_id,))
        if row is None or row["reviewable_notified"]:
            return
        status, _ = self._hit_status(row, self._counts(hit_id), self.now())
        if status != "Reviewable":
            return
        self.store.update("hits", "hit_id", hit_id, {"reviewable_notified": 1})
        self._notify("HITReviewable", row)
        self.run_hit_review_policy(row)

    def endpoint_url(self) -> str:
        """Return this server's base URL from server.json in the state folder (or http://127.0.0.1)."""
        from .process import read_server_info
        info = read_server_info(self.store.path.parent)
        return info.endpoint_url.rstrip("/") if info is not None else "http://127.0.0.1"

    # Qualification checks -------------------------------------------------------------------------

    def worker_profile(self, worker_id: str):
        """Return the simulated worker's profile, or PERSON_PROFILE for anyone outside the simulated crowd."""
        if self.crowd is None:
            return PERSON_PROFILE
        try:
            return self.crowd.worker(worker_id)
        except KeyError:
            return PERSON_PROFILE

    def worker_qualifies(self, requirements: list[dict], worker_id: str, action: str, profile=None) -> bool:
        """Return True when the worker meets every requirement that guards `action` (Discover, Preview, Accept)."""
        guarding = [requirement for requirement in requirements if requirement_guards(requirement, action)]
        if not guarding:
            return True
        profile = profile if profile is not None else self.worker_profile(worker_id)
        custom_values = self.custom_qualification_values(worker_id)
        return all(_requirement_met(requirement, profile, custom_values) for requirement in guarding)
