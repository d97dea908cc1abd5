"""Operations that change an existing HIT or read its files: more assignments, review status, HIT type, uploads.

`HITUpdatesMixin` is part of `Backend` (see backend.py) and has no HTTP code.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import urllib.parse
import xml.etree.ElementTree as ElementTree

from . import constants as c
from .errors import (
    DuplicateRequest, InvalidHITState, InvalidMaximumAssignmentsIncrease, ParameterValidationError,
)

__all__ = ["HITUpdatesMixin"]

logger = logging.getLogger(__name__)


class HITUpdatesMixin:
    """HIT update operations of `Backend`."""

    def create_additional_assignments(self, hit_id: str, additional: int, unique_request_token: str | None) -> None:
        """Raise MaxAssignments of a HIT; a Reviewable HIT that has not expired becomes Assignable again."""
        if self._used_token("CreateAdditionalAssignmentsForHIT", unique_request_token) is not None:
            raise DuplicateRequest(unique_request_token, "no assignments were added again.")
        row = self._hit_row(hit_id)
        if additional < 1:
            raise ParameterValidationError.out_of_range("NumberOfAdditionalAssignments", additional, 1,
                                                        c.MAX_MAX_ASSIGNMENTS - row["max_assignments"])
        current = row["max_assignments"]
        if current < c.MANY_ASSIGNMENTS_THRESHOLD <= current + additional:
            raise InvalidMaximumAssignmentsIncrease(hit_id, current, additional)
        if current + additional > c.MAX_MAX_ASSIGNMENTS:
            raise ParameterValidationError.out_of_range("NumberOfAdditionalAssignments", additional, 1,
                                                        c.MAX_MAX_ASSIGNMENTS - current)
        self.store.update("hits", "hit_id", hit_id, {"max_assignments": current + additional,
                                                     "review_status": None, "reviewable_notified": 0})
        self._remember_token("CreateAdditionalAssignmentsForHIT", unique_request_token, {"HITId": hit_id})
        logger.info("HIT %s extended by %d assignments to %d", hit_id, additional, current + additional)
        self._notify("HITExtended", self._hit_row(hit_id))
        hit_type = self._hit_type(row["hit_type_id"])
        self._schedule_crowd(hit_id, row["question"], hit_type, additional, self.now())

    def update_hit_review_status(self, hit_id: str, revert: bool) -> None:
        """Move a Reviewable HIT to Reviewing, or with `revert` a Reviewing HIT back to Reviewable."""
        row = self._hit_row(hit_id)
        status, _ = self._hit_status(row, self._counts(hit_id), self.now())
        expected = "Reviewing" if revert else "Reviewable"
        if status != expected:
            raise InvalidHITState(status, expected)
        self.store.update("hits", "hit_id", hit_id, {"review_status": None if revert else "Reviewing"})
        logger.info("HIT %s set to %s", hit_id, "Reviewable" if revert else "Reviewing")

    def update_hit_type_of_hit(self, hit_id: str, hit_type_id: str) -> None:
        """Give the HIT the properties of another HIT type."""
        row = self._hit_row(hit_id)
        hit_type = self._hit_type(hit_type_id)
        self.store.update("hits", "hit_id", hit_id, {"hit_type_id": hit_type_id,
                                                     "hit_group_id": hit_type["hit_group_id"]})
        logger.info("HIT %s moved from HIT type %s to %s", hit_id, row["hit_type_id"], hit_type_id)

    # File uploads ---------------------------------------------------------------------------

    def _upload_signature(self, assignment_id: str, question_id: str, expires: int) -> str:
        key = f"mturk_local:{self.config.seed}".encode()
        message = f"{assignment_id}\n{question_id}\n{expires}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]

    def file_upload_url(self, assignment_id: str, question_id: str, base_url: str) -> str:
        """Return a URL under `base_url` that serves the assignment's answer to `question_id` for 60 s."""
        self._reviewable_assignment(assignment_id)
        expires = int(self.now()) + c.FILE_UPLOAD_URL_LIFETIME_SECONDS
        query = urllib.parse.urlencode({"assignmentId": assignment_id, "questionId": question_id,
                                        "expires": expires,
                                        "signature": self._upload_signature(assignment_id, question_id, expires)})
        return f"{base_url}/_local/uploads?{query}"

    def uploaded_file(self, assignment_id: str, question_id: str, expires: int, signature: str) -> str | None:
        """Return the answer text behind a file upload URL, or None when the URL is invalid or expired."""
        expected = self._upload_signature(assignment_id, question_id, expires)
        if not hmac.compare_digest(expected, signature) or self.now() > expires:
            return None
        row = self.store.one("SELECT answer FROM assignments WHERE assignment_id = ?", (assignment_id,))
        if row is None or row["answer"] is None:
            return None
        root = ElementTree.fromstring(row["answer"])
        for answer in root:
            fields = {child.tag.rpartition("}")[2]: (child.text or "") for child in answer}
            if fields.get("QuestionIdentifier") == question_id:
                return fields.get("FreeText", "")
        return None
