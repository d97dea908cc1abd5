"""Qualification types, workers' qualifications and qualification requests of the local MTurk service.

`QualificationsMixin` is part of `Backend` (see backend.py) and uses its store,
clock, ids and page tokens. It has no HTTP code.

A simulated worker answers a qualification test with a probability of picking
the best-scored option that depends on its kind (`CORRECT_ANSWER_PROBABILITY`),
drawn from a random stream seeded by the service seed, the test and the worker
id, so the same seed always gives the same answers and scores.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from . import constants as c
from .errors import (
    ParameterValidationError, QualificationDoesNotExist, QualificationTypeAlreadyExists,
    QualificationTypeDoesNotExist, RequestError,
)
from .paging import Page

__all__ = ["QualificationsMixin", "ParsedTest", "ParsedAnswerKey", "parse_test", "parse_answer_key",
           "score_answers", "CORRECT_ANSWER_PROBABILITY", "requirement_guards"]

logger = logging.getLogger(__name__)

# Probability that a simulated worker of each kind picks the best-scored option
# of a multiple-choice test question. These are assumptions of the simulator.
CORRECT_ANSWER_PROBABILITY = {"careful": 0.95, "typical": 0.85, "sloppy": 0.6, "spammer": 0.1, "automated": 0.3}
FREE_TEXT_TEST_ANSWER = "I am not sure."

# Actions that each ActionsGuarded value guards.
_GUARDED_ACTIONS = {
    "Accept": ("Accept",),
    "PreviewAndAccept": ("Preview", "Accept"),
    "DiscoverPreviewAndAccept": ("Discover", "Preview", "Accept"),
}


def requirement_guards(requirement: dict, action: str) -> bool:
    """Return True when `requirement` must be met for `action` (Discover, Preview or Accept)."""
    return action in _GUARDED_ACTIONS.get(requirement.get("ActionsGuarded", "Accept"), ("Accept",))


# Test and AnswerKey documents ----------------------------------------------------------------

@dataclass
class ParsedTest:
    """The questions of a QuestionForm test: identifier -> selection identifiers (empty for free text)."""

    questions: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ParsedAnswerKey:
    """Scores of an AnswerKey and how the summed score maps to the qualification value."""

    # question -> list of (selection identifiers of the option, score)
    options: dict[str, list[tuple[frozenset, int]]] = field(default_factory=dict)
    default_scores: dict[str, int] = field(default_factory=dict)
    maximum_summed_score: int | None = None  # PercentageMapping
    multiplier: int | None = None  # ScaleMapping
    ranges: list[tuple[int, int, int]] = field(default_factory=list)  # RangeMapping (low, high, value)
    out_of_range_value: int | None = None


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local_name = tag[1:].partition("}")
        return namespace, local_name
    return "", tag


def _children(element, name: str) -> list:
    return [child for child in element if _split_tag(child.tag)[1] == name]


def _child_text(element, name: str) -> str | None:
    found = _children(element, name)
    return None if not found else (found[0].text or "").strip()


def _descendants(element, name: str) -> list:
    return [node for node in element.iter() if _split_tag(node.tag)[1] == name]


def _parse_xml(parameter: str, text: str):
    def invalid(reason: str) -> ParameterValidationError:
        shown = text if len(text) <= 1000 else text[:1000] + "..."
        return ParameterValidationError.invalid_value(parameter, shown, reason)

    size_bytes = len(text.encode("utf-8"))
    if size_bytes > c.MAX_QUALIFICATION_TEXT_BYTES:
        raise invalid(f"{parameter} must be at most {c.MAX_QUALIFICATION_TEXT_BYTES} bytes; this one has "
                      f"{size_bytes}.")
    try:
        return ElementTree.fromstring(text), invalid
    except ElementTree.ParseError as error:
        raise invalid(f"It is not well-formed XML: {error}.") from None


def parse_test(text: str) -> ParsedTest:
    """Check a Test (QuestionForm XML) and return its questions; raise ParameterValidationError on Test."""
    root, invalid = _parse_xml("Test", text)
    namespace, local_name = _split_tag(root.tag)
    if local_name != "QuestionForm" or namespace not in c.QUESTION_FORM_NAMESPACES:
        raise invalid(f"A Test must be a QuestionForm in the namespace {c.QUESTION_FORM_NAMESPACES[0]}; "
                      f"got {local_name} in '{namespace}'.")
    parsed = ParsedTest()
    for question in _children(root, "Question"):
        identifier = _child_text(question, "QuestionIdentifier")
        if not identifier:
            raise invalid("Every Question needs a non-empty QuestionIdentifier.")
        if identifier in parsed.questions:
            raise invalid(f"The QuestionIdentifier {identifier!r} is used twice.")
        specification = _children(question, "AnswerSpecification")
        if not specification:
            raise invalid(f"Question {identifier!r} has no AnswerSpecification.")
        selections = [(_child_text(node, "SelectionIdentifier") or "")
                      for node in _descendants(specification[0], "Selection")]
        if _descendants(specification[0], "SelectionAnswer") and not all(selections):
            raise invalid(f"Question {identifier!r} has a Selection without a SelectionIdentifier.")
        if not selections and not _descendants(specification[0], "FreeTextAnswer"):
            raise invalid(f"Question {identifier!r} needs a SelectionAnswer or a FreeTextAnswer.")
        parsed.questions[identifier] = selections
    if not parsed.questions:
        raise invalid("A Test needs at least one Question.")
    return parsed


def _int_text(element, name: str, invalid) -> int:
    text = _child_text(element, name)
    if text is None or not re.fullmatch(r"-?\d+", text):
        raise invalid(f"{name} must be a whole number; got {text!r}.")
    return int(text)


def parse_answer_key(text: str, test: ParsedTest) -> ParsedAnswerKey:
    """Check an AnswerKey against its test and return the scores; raise ParameterValidationError on AnswerKey."""
    root, invalid = _parse_xml("AnswerKey", text)
    namespace, local_name = _split_tag(root.tag)
    if local_name != "AnswerKey" or namespace != c.ANSWER_KEY_NAMESPACE:
        raise invalid(f"An AnswerKey must be an AnswerKey element in the namespace {c.ANSWER_KEY_NAMESPACE}; "
                      f"got {local_name} in '{namespace}'.")
    parsed = ParsedAnswerKey()
    for question in _children(root, "Question"):
        identifier = _child_text(question, "QuestionIdentifier")
        if identifier not in test.questions:
            raise invalid(f"The AnswerKey scores question {identifier!r}, which the Test does not contain.")
        options = []
        for option in _children(question, "AnswerOption"):
            selections = frozenset((node.text or "").strip() for node in _children(option, "SelectionIdentifier"))
            unknown = sorted(selections - set(test.questions[identifier]))
            if not selections or unknown:
                raise invalid(f"An AnswerOption of question {identifier!r} names selections the Test does not "
                              f"offer: {unknown or 'none given'}.")
            options.append((selections, _int_text(option, "AnswerScore", invalid)))
        parsed.options[identifier] = options
        if _children(question, "DefaultScore"):
            parsed.default_scores[identifier] = _int_text(question, "DefaultScore", invalid)
    if not parsed.options:
        raise invalid("An AnswerKey needs at least one Question.")
    for mapping in _children(root, "QualificationValueMapping"):
        for percentage in _children(mapping, "PercentageMapping"):
            parsed.maximum_summed_score = _int_text(percentage, "MaximumSummedScore", invalid)
            if parsed.maximum_summed_score <= 0:
                raise invalid("MaximumSummedScore must be greater than 0.")
        for scale in _children(mapping, "ScaleMapping"):
            parsed.multiplier = _int_text(scale, "SummedScoreMultiplier", invalid)
        for ranges in _children(mapping, "RangeMapping"):
            for summed in _children(ranges, "SummedScoreRange"):
                parsed.ranges.append((_int_text(summed, "InclusiveLowerBound", invalid),
                                      _int_text(summed, "InclusiveUpperBound", invalid),
                                      _int_text(summed, "QualificationValue", invalid)))
            parsed.out_of_range_value = _int_text(ranges, "OutOfRangeQualificationValue", invalid)
    return parsed


def score_answers(answer_key: ParsedAnswerKey, chosen: dict[str, set]) -> int:
    """Return the qualification value for the chosen selections (question -> set of selection identifiers)."""
    summed = 0
    for identifier, options in answer_key.options.items():
        picked = frozenset(chosen.get(identifier, ()))
        scores = [score for selections, score in options if selections == picked]
        summed += scores[0] if scores else answer_key.default_scores.get(identifier, 0)
    if answer_key.maximum_summed_score is not None:
        percent = Decimal(summed * 100) / Decimal(answer_key.maximum_summed_score)
        return int(percent.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if answer_key.multiplier is not None:
        return summed * answer_key.multiplier
    if answer_key.ranges:
        for low, high, value in answer_key.ranges:
            if low <= summed <= high:
                return value
        return answer_key.out_of_range_value
    return summed


def _answers_xml(test: ParsedTest, chosen: dict[str, set]) -> str:
    parts = [f'<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="{c.QUESTION_FORM_ANSWERS_NAMESPACE}">']
    for identifier, selections in test.questions.items():
        parts.append(f"<Answer><QuestionIdentifier>{escape(identifier)}</QuestionIdentifier>")
        if selections:
            parts.extend(f"<SelectionIdentifier>{escape(value)}</SelectionIdentifier>"
                         for value in sorted(chosen.get(identifier, ())))
        else:
            parts.append(f"<FreeText>{escape(FREE_TEXT_TEST_ANSWER)}</FreeText>")
        parts.append("</Answer>")
    parts.append("</QuestionFormAnswers>")
    return "".join(parts)


def _chosen_from_answer(answer_xml: str) -> dict[str, set]:
    root = ElementTree.fromstring(answer_xml)
    chosen: dict[str, set] = {}
    for answer in _descendants(root, "Answer"):
        identifier = _child_text(answer, "QuestionIdentifier") or ""
        chosen[identifier] = {(node.text or "").strip() for node in _children(answer, "SelectionIdentifier")}
    return chosen


# The mixin ------------------------------------------------------------------------------------

class QualificationsMixin:
    """Qualification operations of `Backend`."""

    # Qualification types ---------------------------------------------------------------------

    def _system_qualification_type(self, type_id: str) -> dict:
        name, description = c.SYSTEM_QUALIFICATION_NAMES[type_id]
        return {"qualification_type_id": type_id, "name": name, "description": description, "keywords": None,
                "status": "Active", "test": None, "answer_key": None, "test_duration": None, "retry_delay": None,
                "auto_granted": 0, "auto_granted_value": None, "creation_time": 0.0, "is_requestable": False}

    def _listed_system_types(self) -> list[dict]:
        masters = c.MASTERS_QUALIFICATION_IDS[0 if self.config.balance_mode == "production" else 1]
        ids = [masters] + [type_id for type_id in c.SYSTEM_QUALIFICATION_IDS if type_id not in c.MASTERS_QUALIFICATION_IDS]
        return [self._system_qualification_type(type_id) for type_id in ids]

    def _custom_type_row(self, type_id: str) -> dict:
        row = self.store.one("SELECT * FROM qualification_types WHERE qualification_type_id = ? AND disposed = 0",
                             (type_id,))
        if row is None:
            raise QualificationTypeDoesNotExist(type_id)
        return {**row, "is_requestable": True}

    def get_qualification_type(self, type_id: str) -> dict:
        """Return a custom or system qualification type as a row dict with `is_requestable`."""
        if type_id in c.SYSTEM_QUALIFICATION_IDS:
            return self._system_qualification_type(type_id)
        return self._custom_type_row(type_id)

    def _check_test_settings(self, test: str | None, answer_key: str | None, test_duration: int | None,
                             auto_granted: bool) -> None:
        if test is None:
            if answer_key is not None:
                raise ParameterValidationError("AnswerKey can only be given together with Test.", "AnswerKey")
            if test_duration is not None:
                raise ParameterValidationError("TestDurationInSeconds can only be given together with Test.",
                                               "TestDurationInSeconds")
            return
        if auto_granted:
            raise ParameterValidationError("A QualificationType with a Test cannot be AutoGranted; set AutoGranted "
                                           "to false or remove the Test.", "AutoGranted")
        if test_duration is None:
            raise ParameterValidationError("TestDurationInSeconds is required when a Test is given.",
                                           "TestDurationInSeconds")
        if test_duration <= 0:
            raise ParameterValidationError.invalid_value(
                "TestDurationInSeconds", str(test_duration), "It must be a positive number of seconds.")
        parsed = parse_test(test)
        if answer_key is not None:
            parse_answer_key(answer_key, parsed)

    def create_qualification_type(self, *, name: str, description: str, status: str, keywords: str | None = None,
                                  retry_delay: int | None = None, test: str | None = None,
                                  answer_key: str | None = None, test_duration: int | None = None,
                                  auto_granted: bool = False, auto_granted_value: int | None = None) -> dict:
        """Create a custom qualification type whose name no other live type of this requester uses."""
        if self.store.one("SELECT 1 FROM qualification_types WHERE name = ? AND disposed = 0", (name,)):
            raise QualificationTypeAlreadyExists()
        if retry_delay is not None and retry_delay < 0:
            raise ParameterValidationError.invalid_value("RetryDelayInSeconds", str(retry_delay),
                                                         "It must be 0 or a positive number of seconds.")
        self._check_test_settings(test, answer_key, test_duration, auto_granted)
        if auto_granted_value is not None and not auto_granted:
            raise ParameterValidationError("AutoGrantedValue can only be given with AutoGranted set to true.",
                                           "AutoGrantedValue")
        type_id = self._new_id("qualification_type")
        self.store.insert("qualification_types", {
            "qualification_type_id": type_id, "name": name, "description": description, "keywords": keywords,
            "status": status, "test": test, "answer_key": answer_key, "test_duration": test_duration,
            "retry_delay": retry_delay, "auto_granted": int(bool(auto_granted)),
            "auto_granted_value": (c.DEFAULT_AUTO_GRANTED_VALUE if auto_granted_value is None else auto_granted_value)
            if auto_granted else None,
            "creation_time": self.now()})
        logger.info("created qualification type %s (%r)", type_id, name)
        return self._custom_type_row(type_id)

    def list_qualification_types(self, query: str | None, must_be_requestable: bool, must_be_owned: bool,
                                 next_token: str | None, max_results: int | None) -> Page:
        """List qualification types: the caller's, then (unless `must_be_owned`) the system types."""
        rows = [{**row, "is_requestable": True} for row in
                self.store.all("SELECT * FROM qualification_types WHERE disposed = 0 ORDER BY seq")]
        if not must_be_owned:
            rows += self._listed_system_types()
        if must_be_requestable:
            rows = [row for row in rows if row["is_requestable"] and row["status"] == "Active"]
        if query:
            terms = query.casefold().split()
            rows = [row for row in rows
                    if all(term in " ".join(filter(None, (row["name"], row["description"], row["keywords"]))).casefold()
                           for term in terms)]
        scope = f"ListQualificationTypes:{query}:{bool(must_be_requestable)}:{bool(must_be_owned)}"
        offset = self._decode_token(scope, next_token, 0)
        items = rows[offset:offset + (max_results or c.DEFAULT_PAGE_SIZE)]
        return Page(items, self._encode_token(scope, offset + len(items)) if items else None)

    def update_qualification_type(self, type_id: str, changes: dict) -> dict:
        """Change the description, status, test, retry delay or auto-grant settings of a custom type.

        `changes` maps column names to new values; Name and Keywords cannot change.
        """
        if type_id in c.SYSTEM_QUALIFICATION_IDS:
            raise RequestError(f"QualificationType {type_id} is a system type; only its owner, MTurk, can change it.",
                               "AWS.MechanicalTurk.PermissionDenied")
        row = self._custom_type_row(type_id)
        merged = {**row, **changes}
        if "retry_delay" in changes and changes["retry_delay"] is not None and changes["retry_delay"] < 0:
            raise ParameterValidationError.invalid_value("RetryDelayInSeconds", str(changes["retry_delay"]),
                                                         "It must be 0 or a positive number of seconds.")
        if "test" in changes or "answer_key" in changes or "auto_granted" in changes or "test_duration" in changes:
            self._check_test_settings(merged["test"], merged["answer_key"], merged["test_duration"],
                                      bool(merged["auto_granted"]))
        if "auto_granted" in changes:
            changes["auto_granted"] = int(bool(changes["auto_granted"]))
            if changes["auto_granted"] and merged.get("auto_granted_value") is None:
                changes["auto_granted_value"] = c.DEFAULT_AUTO_GRANTED_VALUE
        if changes:
            self.store.update("qualification_types", "qualification_type_id", type_id, changes)
        logger.info("updated qualification type %s: %s", type_id, ", ".join(sorted(changes)) or "nothing")
        return self._custom_type_row(type_id)

    def delete_qualification_type(self, type_id: str) -> None:
        """Dispose of a custom type and reject its pending requests; granted qualifications stay."""
        row = self.store.one("SELECT * FROM qualification_types WHERE qualification_type_id = ?", (type_id,))
        if row is None or type_id in c.SYSTEM_QUALIFICATION_IDS:
            raise QualificationTypeDoesNotExist(type_id)
        if row["disposed"]:
            raise RequestError("This operation can be called with a status of: Active,Inactive",
                               "AWS.MechanicalTurk.InvalidQualificationTypeState")
        self.store.update("qualification_types", "qualification_type_id", type_id, {"disposed": 1})
        self.store.execute("UPDATE qualification_requests SET status = 'Rejected', reason = ? "
                           "WHERE qualification_type_id = ? AND status = 'Pending'",
                           ("The Qualification type was deleted.", type_id))
        logger.info("deleted qualification type %s", type_id)

    # Workers' qualifications -------------------------------------------------------------------

    def _grant(self, type_id: str, worker_id: str, value: int) -> None:
        self.store.execute(
            "INSERT INTO qualifications (qualification_type_id, worker_id, integer_value, status, grant_time) "
            "VALUES (?, ?, ?, 'Granted', ?) ON CONFLICT(qualification_type_id, worker_id) DO UPDATE SET "
            "integer_value = excluded.integer_value, status = 'Granted', grant_time = excluded.grant_time, "
            "reason = NULL", (type_id, worker_id, value, self.now()))
        logger.info("qualification %s granted to %s with value %d", type_id, worker_id, value)

    def associate_qualification(self, type_id: str, worker_id: str, value: int | None) -> None:
        """Grant (or re-grant) a custom qualification with `value` (default 1)."""
        self._custom_type_row(type_id)
        self._grant(type_id, worker_id, 1 if value is None else value)

    def disassociate_qualification(self, worker_id: str, type_id: str, reason: str | None) -> None:
        """Revoke a qualification the worker holds; the row stays with status Revoked."""
        self._custom_type_row(type_id)
        row = self.store.one("SELECT * FROM qualifications WHERE qualification_type_id = ? AND worker_id = ?",
                             (type_id, worker_id))
        if row is None:
            raise QualificationDoesNotExist()
        self.store.execute("UPDATE qualifications SET status = 'Revoked', reason = ? WHERE seq = ?",
                           (reason, row["seq"]))
        logger.info("qualification %s revoked from %s", type_id, worker_id)

    def get_qualification_score(self, type_id: str, worker_id: str) -> dict:
        """Return the worker's Granted qualification row."""
        row = self.store.one(
            "SELECT q.* FROM qualifications q JOIN qualification_types t USING (qualification_type_id) "
            "WHERE q.qualification_type_id = ? AND q.worker_id = ? AND t.disposed = 0", (type_id, worker_id))
        if row is None:
            raise QualificationDoesNotExist()
        if row["status"] != "Granted":
            raise RequestError("This operation can be called with a status of: Granted",
                               "AWS.MechanicalTurk.InvalidQualificationState")
        return row

    def list_workers_with_qualification(self, type_id: str, status: str | None, next_token: str | None,
                                        max_results: int | None) -> Page:
        """List the workers who hold (or held) a custom qualification, in grant order."""
        self._custom_type_row(type_id)
        scope = f"ListWorkersWithQualificationType:{type_id}:{status}"
        after = self._decode_token(scope, next_token, 0)
        sql = "SELECT * FROM qualifications WHERE qualification_type_id = ? AND seq > ?"
        args: list = [type_id, after]
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        rows = self.store.all(sql + " ORDER BY seq LIMIT ?", (*args, max_results or c.DEFAULT_PAGE_SIZE))
        return Page(rows, self._encode_token(scope, rows[-1]["seq"]) if rows else None)

    def list_hits_for_qualification_type(self, type_id: str, next_token: str | None,
                                         max_results: int | None) -> Page:
        """List the HITs (newest first) whose requirements name the qualification type."""
        self.get_qualification_type(type_id)
        scope = f"ListHITsForQualificationType:{type_id}"
        after = self._decode_token(scope, next_token, None)
        limit = max_results or c.DEFAULT_PAGE_SIZE
        found = []
        rows = self.store.all(
            "SELECT h.* FROM hits h JOIN hit_types t USING (hit_type_id) WHERE h.disposed = 0 "
            "AND t.qualification_requirements LIKE ? ORDER BY h.seq DESC", (f"%{type_id}%",))
        for row in rows:
            if after is not None and row["seq"] >= after:
                continue
            requirements = json.loads(self._hit_type(row["hit_type_id"])["qualification_requirements"])
            if any(requirement["QualificationTypeId"] == type_id for requirement in requirements):
                found.append(row)
                if len(found) == limit:
                    break
        token = self._encode_token(scope, found[-1]["seq"]) if found else None
        return Page([self._hit_view(row) for row in found], token)

    def custom_qualification_values(self, worker_id: str) -> dict[str, int]:
        """Return the worker's Granted custom qualifications: type id -> IntegerValue."""
        rows = self.store.all("SELECT qualification_type_id, integer_value FROM qualifications "
                              "WHERE worker_id = ? AND status = 'Granted'", (worker_id,))
        return {row["qualification_type_id"]: row["integer_value"] for row in rows}

    # Qualification requests ---------------------------------------------------------------------

    def request_qualification(self, type_id: str, worker_id: str, answer: str | None = None) -> dict:
        """Record a worker's request for a custom qualification and grant it when the type allows.

        A Test with an AnswerKey is scored at once and granted with the score.
        An AutoGranted type is granted its AutoGrantedValue. Any other request
        waits for AcceptQualificationRequest or RejectQualificationRequest. A
        simulated worker fills in the Test itself when `answer` is None.
        """
        if not re.fullmatch(r"A[A-Z0-9]{1,63}", worker_id or ""):
            raise ParameterValidationError.invalid_value(
                "WorkerId", worker_id, "A worker id is 'A' followed by capital letters and digits.")
        row = self._custom_type_row(type_id)
        if row["status"] != "Active":
            raise RequestError(f"QualificationType {type_id} is Inactive, so workers cannot request it.",
                               "AWS.MechanicalTurk.InvalidQualificationTypeState")
        previous = self.store.one("SELECT * FROM qualification_requests WHERE qualification_type_id = ? "
                                  "AND worker_id = ? ORDER BY seq DESC LIMIT 1", (type_id, worker_id))
        now = self.now()
        if previous is not None:
            if previous["status"] == "Pending":
                raise RequestError(f"Worker {worker_id} already has a pending request "
                                   f"{previous['qualification_request_id']} for QualificationType {type_id}.",
                                   "AWS.MechanicalTurk.QualificationRequestAlreadyPending")
            if row["retry_delay"] is None:
                raise RequestError(f"QualificationType {type_id} has no RetryDelayInSeconds, so worker {worker_id} "
                                   "can request it only once.", "AWS.MechanicalTurk.QualificationRetryNotAllowed")
            retry_time = previous["submit_time"] + row["retry_delay"]
            if now < retry_time:
                raise RequestError(f"Worker {worker_id} can request QualificationType {type_id} again in "
                                   f"{retry_time - now:.0f} seconds.", "AWS.MechanicalTurk.QualificationRetryTooSoon")
        parsed_test = parse_test(row["test"]) if row["test"] else None
        if parsed_test is not None and answer is None:
            answer = self._simulated_test_answer(row, parsed_test, worker_id, previous)
        request = {"qualification_request_id": self._new_id("qualification_request"),
                   "qualification_type_id": type_id, "worker_id": worker_id, "test": row["test"],
                   "answer": answer, "submit_time": now, "status": "Pending"}
        if parsed_test is not None and row["answer_key"]:
            chosen = _chosen_from_answer(answer)
            request.update(status="Granted", integer_value=score_answers(parse_answer_key(row["answer_key"],
                                                                                           parsed_test), chosen))
        elif row["auto_granted"]:
            request.update(status="Granted", integer_value=row["auto_granted_value"])
        self.store.insert("qualification_requests", request)
        if request["status"] == "Granted":
            self._grant(type_id, worker_id, request["integer_value"])
        logger.info("worker %s requested qualification %s: %s", worker_id, type_id, request["status"])
        return request

    def _simulated_test_answer(self, row: dict, test: ParsedTest, worker_id: str, previous: dict | None) -> str:
        # A person outside the simulated crowd is simulated as a typical worker.
        kind = getattr(self.worker_profile(worker_id), "kind", "typical")
        probability = CORRECT_ANSWER_PROBABILITY[kind]
        attempt = 0 if previous is None else previous["seq"]
        digest = hashlib.sha256(json.dumps(["qualification-test", self.config.seed, row["test"], worker_id,
                                            attempt]).encode()).digest()
        rng = random.Random(int.from_bytes(digest[:16], "big"))
        key = parse_answer_key(row["answer_key"], test) if row["answer_key"] else None
        chosen: dict[str, set] = {}
        for identifier, selections in test.questions.items():
            if not selections:
                continue
            scored = {next(iter(option)): score for option, score in (key.options.get(identifier, []) if key else [])
                      if len(option) == 1}
            best = max(selections, key=lambda selection: scored.get(selection, 0))
            others = [selection for selection in selections if selection != best]
            pick = best if rng.random() < probability or not others else rng.choice(others)
            chosen[identifier] = {pick}
        return _answers_xml(test, chosen)

    def request_qualification_by_crowd(self, type_id: str, count: int) -> list[dict]:
        """Have up to `count` simulated workers request the type; return one outcome per worker tried."""
        if self.crowd is None:
            raise RequestError("There is no simulated crowd (no known answers were loaded), so no simulated "
                               "worker can request a qualification.", "AWS.MechanicalTurk.NoSimulatedCrowd")
        self._custom_type_row(type_id)

        def rank(worker) -> bytes:
            return hashlib.sha256(f"{self.config.seed}:{type_id}:{worker.worker_id}".encode()).digest()

        outcomes = []
        for worker in sorted(self.crowd.workers, key=rank)[:count]:
            try:
                with self.store.savepoint("qualification_request"):
                    request = self.request_qualification(type_id, worker.worker_id)
                outcomes.append({"WorkerId": worker.worker_id, "Status": request["status"],
                                 "QualificationRequestId": request["qualification_request_id"],
                                 "IntegerValue": request.get("integer_value")})
            except RequestError as error:
                outcomes.append({"WorkerId": worker.worker_id, "Status": "NotRequested", "Reason": error.message})
        return outcomes

    def list_qualification_requests(self, type_id: str | None, next_token: str | None,
                                    max_results: int | None) -> Page:
        """List pending requests, oldest first, optionally of one type."""
        if type_id is not None:
            self._custom_type_row(type_id)
        scope = f"ListQualificationRequests:{type_id}"
        after = self._decode_token(scope, next_token, 0)
        sql = "SELECT * FROM qualification_requests WHERE status = 'Pending' AND seq > ?"
        args: list = [after]
        if type_id is not None:
            sql += " AND qualification_type_id = ?"
            args.append(type_id)
        rows = self.store.all(sql + " ORDER BY seq LIMIT ?", (*args, max_results or c.DEFAULT_PAGE_SIZE))
        return Page(rows, self._encode_token(scope, rows[-1]["seq"]) if rows else None)

    def _pending_request(self, request_id: str) -> dict:
        row = self.store.one("SELECT * FROM qualification_requests WHERE qualification_request_id = ?", (request_id,))
        if row is None:
            # NOTE: inferred wording and code; the real text was not observed.
            raise RequestError(f"QualificationRequest {request_id} does not exist.",
                               "AWS.MechanicalTurk.QualificationRequestDoesNotExist")
        if row["status"] != "Pending":
            raise RequestError("This operation can be called with a status of: Pending",
                               "AWS.MechanicalTurk.InvalidQualificationRequestState")
        return row

    def accept_qualification_request(self, request_id: str, value: int | None) -> None:
        """Grant the requested qualification with `value` (default 1)."""
        row = self._pending_request(request_id)
        granted = 1 if value is None else value
        self.store.execute("UPDATE qualification_requests SET status = 'Granted', integer_value = ? WHERE seq = ?",
                           (granted, row["seq"]))
        self._grant(row["qualification_type_id"], row["worker_id"], granted)

    def reject_qualification_request(self, request_id: str, reason: str | None) -> None:
        """Reject a pending request; the worker may request again after the retry delay."""
        row = self._pending_request(request_id)
        self.store.execute("UPDATE qualification_requests SET status = 'Rejected', reason = ? WHERE seq = ?",
                           (reason, row["seq"]))
        logger.info("qualification request %s rejected", request_id)
