"""MTurk's two review policies: ScoreMyKnownAnswers/2011-09-01 (assignments) and SimplePlurality/2011-09-01 (HITs).

`ReviewPoliciesMixin` is part of `Backend` (see backend.py) and has no HTTP
code. The assignment-level policy runs when an assignment is submitted,
the HIT-level policy when the HIT becomes Reviewable. Each run stores its
results (ReviewResultDetail) and actions (ReviewActionDetail).

ScoreMyKnownAnswers compares answers with `AnswerKey` (map QuestionId ->
expected values) and scores each assignment as the percentage of known
answers it got right. SimplePlurality finds, for each of `QuestionIds` (a
list, or comma-separated), the most common answer. As MTurk's policy
documentation describes, answers are compared after trimming whitespace,
answers longer than 256 characters are left out, and a question is agreed
when the most common answer's share is greater than
`QuestionAgreementThreshold` percent. A worker's agreement score is the
percentage of agreed questions where the worker gave that answer.

NOTE: the result keys (KnownAnswerScore, KnownAnswerCorrect, PluralityAnswer,
AgreementScore, QuestionAgreed, WorkerAgreementScore, HITAgreementScore) and
the action names are this service's choice; no real reply was available.
The Extend* parameters are accepted and ignored.
"""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ElementTree
from collections import Counter

from . import constants as c
from .errors import MTurkError, ParameterValidationError

__all__ = ["ReviewPoliciesMixin", "check_review_policy", "answer_fields"]

logger = logging.getLogger(__name__)

MAX_COMPARED_ANSWER_CHARS = 256  # longer answers take no part in SimplePlurality

_PERCENT_PARAMETERS = {
    c.SCORE_MY_KNOWN_ANSWERS_POLICY: ("ApproveIfKnownAnswerScoreIsAtLeast", "RejectIfKnownAnswerScoreIsLessThan",
                                      "ExtendIfKnownAnswerScoreIsLessThan"),
    c.SIMPLE_PLURALITY_POLICY: ("QuestionAgreementThreshold", "ApproveIfWorkerAgreementScoreIsAtLeast",
                                "RejectIfWorkerAgreementScoreIsLessThan", "ExtendIfHITAgreementScoreIsLessThan",
                                "DisregardAssignmentIfKnownAnswerScoreIsLessThan"),
}
_OTHER_PARAMETERS = {
    c.SCORE_MY_KNOWN_ANSWERS_POLICY: ("AnswerKey", "ApproveReason", "RejectReason", "ExtendMaximumAssignments",
                                      "ExtendMinimumTimeInSeconds"),
    c.SIMPLE_PLURALITY_POLICY: ("QuestionIds", "RejectReason", "ApproveReason", "DisregardAssignmentIfRejected",
                                "ExtendMaximumAssignments", "ExtendMinimumTimeInSeconds"),
}
_LEVEL_POLICY = {"AssignmentReviewPolicy": c.SCORE_MY_KNOWN_ANSWERS_POLICY,
                 "HITReviewPolicy": c.SIMPLE_PLURALITY_POLICY}


def check_review_policy(member: str, policy: dict) -> None:
    """Check the policy name for its level and each parameter's key and value; raise ParameterValidationError."""
    expected = _LEVEL_POLICY[member]
    name = policy["PolicyName"]
    if name != expected:
        raise ParameterValidationError.invalid_value(f"{member}.PolicyName", name,
                                                     f"The {member} must be {expected}.")
    known = _PERCENT_PARAMETERS[name] + _OTHER_PARAMETERS[name]
    for parameter in policy.get("Parameters", []):
        key = parameter.get("Key")
        if key not in known:
            raise ParameterValidationError.invalid_value(f"{member}.Parameters.Key", str(key),
                                                         f"{name} takes the parameters {', '.join(known)}.")
        values = parameter.get("Values") or []
        if key in _PERCENT_PARAMETERS[name]:
            if len(values) != 1 or not values[0].isdigit() or not 0 <= int(values[0]) <= 101:
                raise ParameterValidationError.invalid_value(
                    f"{member}.Parameters.{key}", ",".join(values), "It takes one whole number from 0 to 101.")
        if key == "AnswerKey" and not parameter.get("MapEntries"):
            raise ParameterValidationError(
                "AnswerKey needs MapEntries of QuestionId (Key) and expected answers (Values).",
                f"{member}.Parameters.AnswerKey")
        if key == "QuestionIds" and not values:
            raise ParameterValidationError("QuestionIds needs at least one question identifier in Values.",
                                           f"{member}.Parameters.QuestionIds")


def _parameters(policy: dict) -> dict:
    found = {}
    for parameter in policy.get("Parameters", []):
        if parameter.get("MapEntries"):
            found[parameter["Key"]] = {entry["Key"]: entry.get("Values", []) for entry in parameter["MapEntries"]}
        else:
            found[parameter["Key"]] = parameter.get("Values", [])
    return found


def answer_fields(answer_xml: str | None) -> dict[str, str]:
    """Return QuestionIdentifier -> answer text (FreeText, or selections joined with '|')."""
    if not answer_xml:
        return {}
    fields = {}
    for answer in ElementTree.fromstring(answer_xml):
        parts = {}
        selections = []
        for child in answer:
            local_name = child.tag.rpartition("}")[2]
            if local_name == "SelectionIdentifier":
                selections.append((child.text or "").strip())
            else:
                parts[local_name] = child.text or ""
        identifier = parts.get("QuestionIdentifier", "")
        fields[identifier] = "|".join(selections) if selections else parts.get("FreeText", "")
    return fields


def _int_parameter(parameters: dict, key: str) -> int | None:
    values = parameters.get(key)
    return int(values[0]) if values else None


class ReviewPoliciesMixin:
    """Review policy runs and ListReviewPolicyResultsForHIT of `Backend`."""

    def _record_review(self, hit_id: str, level: str, kind: str, detail: dict) -> None:
        self.store.insert("review_results", {"hit_id": hit_id, "policy_level": level, "kind": kind,
                                             "detail": json.dumps(detail)})

    def _review_action(self, hit_id: str, level: str, action_name: str, assignment: dict, run) -> None:
        detail = {"ActionId": self._new_id("review_action"), "ActionName": action_name,
                  "TargetId": assignment["assignment_id"], "TargetType": "Assignment", "CompleteTime": self.now()}
        try:
            with self.store.savepoint("review_action"):
                run()
            detail.update(Status="Succeeded", Result=f"Assignment {assignment['assignment_id']} {action_name}d.")
        except MTurkError as error:
            detail.update(Status="Failed", Result=error.message,
                          ErrorCode=getattr(error, "turk_error_code", error.error_type))
        self._record_review(hit_id, level, "action", detail)

    def run_assignment_review_policy(self, hit_row: dict, assignment: dict) -> None:
        """Score a submitted assignment with ScoreMyKnownAnswers and approve or reject it by the thresholds."""
        if not hit_row.get("assignment_review_policy"):
            return
        parameters = _parameters(json.loads(hit_row["assignment_review_policy"]))
        answer_key = parameters.get("AnswerKey", {})
        given = answer_fields(assignment["answer"])
        correct = 0
        action_id = self._new_id("review_action")
        for question_id, expected in answer_key.items():
            right = given.get(question_id, "").strip() in [value.strip() for value in expected]
            correct += right
            self._record_review(hit_row["hit_id"], "Assignment", "result", {
                "ActionId": action_id, "SubjectId": assignment["assignment_id"], "SubjectType": "Assignment",
                "QuestionId": question_id, "Key": "KnownAnswerCorrect", "Value": "true" if right else "false"})
        score = round(100 * correct / len(answer_key)) if answer_key else 0
        self._record_review(hit_row["hit_id"], "Assignment", "result", {
            "ActionId": action_id, "SubjectId": assignment["assignment_id"], "SubjectType": "Assignment",
            "Key": "KnownAnswerScore", "Value": str(score)})
        self._act_on_score(hit_row["hit_id"], "Assignment", assignment, score, parameters,
                           "ApproveIfKnownAnswerScoreIsAtLeast", "RejectIfKnownAnswerScoreIsLessThan")

    def _act_on_score(self, hit_id: str, level: str, assignment: dict, score: int, parameters: dict,
                      approve_key: str, reject_key: str) -> None:
        approve_at = _int_parameter(parameters, approve_key)
        reject_below = _int_parameter(parameters, reject_key)
        current = self.store.one("SELECT * FROM assignments WHERE assignment_id = ?", (assignment["assignment_id"],))
        if current["status"] != "Submitted":
            return
        if approve_at is not None and score >= approve_at:
            reason = (parameters.get("ApproveReason") or [None])[0]
            self._review_action(hit_id, level, "approve", current,
                                lambda: self._approve(current, self.now(), reason))
        elif reject_below is not None and score < reject_below:
            reason = (parameters.get("RejectReason") or ["Your answers did not match the expected answers."])[0]
            self._review_action(hit_id, level, "reject", current,
                                lambda: self.reject_assignment(current["assignment_id"], reason))

    def run_hit_review_policy(self, hit_row: dict) -> None:
        """Compute SimplePlurality agreement over the HIT's assignments and act on the worker thresholds."""
        if not hit_row.get("hit_review_policy"):
            return
        parameters = _parameters(json.loads(hit_row["hit_review_policy"]))
        threshold = _int_parameter(parameters, "QuestionAgreementThreshold")
        disregard_rejected = (parameters.get("DisregardAssignmentIfRejected") or ["false"])[0].lower() == "true"
        statuses = ("Submitted", "Approved") if disregard_rejected else ("Submitted", "Approved", "Rejected")
        assignments = [row for row in self.store.all("SELECT * FROM assignments WHERE hit_id = ? ORDER BY submit_seq",
                                                     (hit_row["hit_id"],)) if row["status"] in statuses]
        answers = {}
        for row in assignments:
            fields = {key: value.strip() for key, value in answer_fields(row["answer"]).items()}
            answers[row["assignment_id"]] = {key: value for key, value in fields.items()
                                             if len(value) <= MAX_COMPARED_ANSWER_CHARS}
        question_ids = [question_id.strip() for value in parameters.get("QuestionIds", [])
                        for question_id in value.split(",") if question_id.strip()]
        action_id = self._new_id("review_action")
        agreed_answers = {}
        for question_id in question_ids:
            counts = Counter(fields[question_id] for fields in answers.values() if question_id in fields)
            if not counts:
                continue
            plurality, support = counts.most_common(1)[0]
            agreement = round(100 * support / sum(counts.values()))
            agreed = threshold is None or agreement > threshold
            if agreed:
                agreed_answers[question_id] = plurality
            for key, value in (("PluralityAnswer", plurality), ("AgreementScore", str(agreement)),
                               ("QuestionAgreed", "true" if agreed else "false")):
                self._record_review(hit_row["hit_id"], "HIT", "result", {
                    "ActionId": action_id, "SubjectId": hit_row["hit_id"], "SubjectType": "HIT",
                    "QuestionId": question_id, "Key": key, "Value": value})
        question_count = len(question_ids)
        hit_score = round(100 * len(agreed_answers) / question_count) if question_count else 0
        self._record_review(hit_row["hit_id"], "HIT", "result", {
            "ActionId": action_id, "SubjectId": hit_row["hit_id"], "SubjectType": "HIT",
            "Key": "HITAgreementScore", "Value": str(hit_score)})
        for row in assignments:
            matching = sum(answers[row["assignment_id"]].get(question_id) == answer
                           for question_id, answer in agreed_answers.items())
            score = round(100 * matching / len(agreed_answers)) if agreed_answers else 0
            self._record_review(hit_row["hit_id"], "HIT", "result", {
                "ActionId": action_id, "SubjectId": row["assignment_id"], "SubjectType": "Assignment",
                "Key": "WorkerAgreementScore", "Value": str(score)})
            self._act_on_score(hit_row["hit_id"], "HIT", row, score, parameters,
                               "ApproveIfWorkerAgreementScoreIsAtLeast", "RejectIfWorkerAgreementScoreIsLessThan")

    def review_policy_results(self, hit_id: str, levels: list[str] | None) -> dict:
        """Return the HIT's policies and, per level, its stored results and actions."""
        row = self._hit_row(hit_id)
        report = {"hit_id": hit_id,
                  "assignment_policy": json.loads(row["assignment_review_policy"] or "null"),
                  "hit_policy": json.loads(row["hit_review_policy"] or "null")}
        for level in levels or ("Assignment", "HIT"):
            stored = self.store.all("SELECT * FROM review_results WHERE hit_id = ? AND policy_level = ? ORDER BY seq",
                                    (hit_id, level))
            report[level] = {
                "results": [json.loads(item["detail"]) for item in stored if item["kind"] == "result"],
                "actions": [json.loads(item["detail"]) for item in stored if item["kind"] == "action"]}
        return report
