"""Worker blocks and messages to workers (CreateWorkerBlock, DeleteWorkerBlock, ListWorkerBlocks, NotifyWorkers).

`WorkersMixin` is part of `Backend` (see backend.py) and has no HTTP code.
"""

from __future__ import annotations

import logging

from . import constants as c
from .errors import ParameterValidationError, RequestError
from .paging import Page

__all__ = ["WorkersMixin"]

logger = logging.getLogger(__name__)


class WorkersMixin:
    """Worker block and message operations of `Backend`."""

    def is_blocked(self, worker_id: str) -> bool:
        return self.store.one("SELECT 1 FROM worker_blocks WHERE worker_id = ?", (worker_id,)) is not None

    def create_worker_block(self, worker_id: str, reason: str) -> None:
        """Block a worker from all of this requester's HITs; blocking again replaces the reason."""
        if not reason.strip():
            raise ParameterValidationError.invalid_value("Reason", reason, "Give the worker a reason for the block.")
        if self.is_blocked(worker_id):
            self.store.execute("UPDATE worker_blocks SET reason = ? WHERE worker_id = ?", (reason, worker_id))
            return
        count = self.store.one("SELECT COUNT(*) AS n FROM worker_blocks")["n"]
        if count >= c.MAX_WORKER_BLOCKS:
            # NOTE: inferred wording and code; the documentation only states the limit.
            raise RequestError(f"You can block at most {c.MAX_WORKER_BLOCKS} workers; delete a block first.",
                               "AWS.MechanicalTurk.WorkerBlockLimitExceeded")
        self.store.insert("worker_blocks", {"worker_id": worker_id, "reason": reason})
        logger.info("worker %s blocked: %s", worker_id, reason)

    def delete_worker_block(self, worker_id: str) -> None:
        """Unblock a worker; a worker who is not blocked is not an error."""
        self.store.execute("DELETE FROM worker_blocks WHERE worker_id = ?", (worker_id,))
        logger.info("worker %s unblocked", worker_id)

    def list_worker_blocks(self, next_token: str | None, max_results: int | None) -> Page:
        after = self._decode_token("ListWorkerBlocks", next_token, 0)
        rows = self.store.all("SELECT * FROM worker_blocks WHERE seq > ? ORDER BY seq LIMIT ?",
                              (after, max_results or c.DEFAULT_PAGE_SIZE))
        return Page(rows, self._encode_token("ListWorkerBlocks", rows[-1]["seq"]) if rows else None)

    def notify_workers(self, subject: str, message_text: str, worker_ids: list[str]) -> list[dict]:
        """Send a message to each worker whose work this requester approved or rejected.

        Returns one failure status per worker who gets nothing:
        {"NotifyWorkersFailureCode", "NotifyWorkersFailureMessage", "WorkerId"}.
        """
        for name, value, limit in (("Subject", subject, c.MAX_NOTIFY_SUBJECT_CHARS),
                                   ("MessageText", message_text, c.MAX_NOTIFY_MESSAGE_CHARS)):
            if not value.strip():
                raise ParameterValidationError.invalid_value(name, value, f"{name} must not be empty.")
            if len(value) > limit:
                raise ParameterValidationError.invalid_value(
                    name, value[:200] + "...", f"{name} must be at most {limit} characters long; this one has "
                                               f"{len(value)}.")
        if not worker_ids or len(worker_ids) > c.MAX_NOTIFY_WORKER_IDS:
            raise ParameterValidationError(
                f"WorkerIds must list 1 to {c.MAX_NOTIFY_WORKER_IDS} workers; got {len(worker_ids)}.", "WorkerIds")
        failures = []
        now = self.now()
        for worker_id in dict.fromkeys(worker_ids):
            worked = self.store.one("SELECT 1 FROM assignments WHERE worker_id = ? "
                                    "AND status IN ('Approved', 'Rejected') LIMIT 1", (worker_id,))
            if worked is None:
                # NOTE: inferred wording; the real failure message was not observed.
                failures.append({"NotifyWorkersFailureCode": "HardFailure", "WorkerId": worker_id,
                                 "NotifyWorkersFailureMessage":
                                     f"Cannot send a message to worker {worker_id}: you have not approved or "
                                     "rejected any work of this worker."})
                continue
            self.store.insert("worker_messages", {"worker_id": worker_id, "subject": subject,
                                                  "message_text": message_text, "send_time": now})
        logger.info("message %r sent to %d of %d workers", subject, len(worker_ids) - len(failures), len(worker_ids))
        return failures

    def worker_messages(self, worker_id: str) -> list[dict]:
        """Return the messages sent to a worker, newest first."""
        return self.store.all("SELECT * FROM worker_messages WHERE worker_id = ? ORDER BY seq DESC", (worker_id,))
