"""Admin routes outside the MTurk API, for tests, notebooks and scripts on this machine.

All take and return JSON and live under one prefix:

GET  /_local/health                          {"status": "ok", "seed", "now", "instant"}
POST /_local/reset                           empty every table (and the helpers' ledger file)
GET  /_local/clock                           {"now": epoch seconds}
POST /_local/clock/advance                   {"seconds": N}: move the simulated clock forward
POST /_local/layouts                         {"name", "html"} -> {"HITLayoutId"}; same name and HTML, same id
POST /_local/qualification-requests          {"QualificationTypeId", "WorkerId"} or {"QualificationTypeId", "count": N}
GET  /_local/notifications[?hitTypeId=...]   every notification the service delivered, oldest first
GET  /_local/uploads?...                     the target of GetFileUploadURL (valid for 60 s)
"""

from __future__ import annotations

import json
import logging

import tornado.web

from .backend import Backend
from .errors import MTurkError

__all__ = ["admin_routes"]

logger = logging.getLogger(__name__)


class _AdminHandler(tornado.web.RequestHandler):
    def initialize(self, backend: Backend) -> None:
        self.backend = backend

    def check_xsrf_cookie(self) -> None:
        """Admin routes are for scripts on this machine; no XSRF token is expected."""

    def json_body(self) -> dict:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError as error:
            raise tornado.web.HTTPError(400, reason=f"request body is not valid JSON: {error}") from None
        if not isinstance(body, dict):
            raise tornado.web.HTTPError(400, reason="request body must be a JSON object")
        return body

    def reply(self, body: dict, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def write_error(self, status_code: int, **kwargs) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": self._reason}))


class HealthHandler(_AdminHandler):
    def get(self) -> None:
        with self.backend.request():
            now = self.backend.now()
        self.reply({"status": "ok", "seed": self.backend.config.seed, "now": now,
                    "instant": self.backend.config.instant})


class ResetHandler(_AdminHandler):
    def post(self) -> None:
        with self.backend.request():
            self.backend.reset()
        self.reply({"status": "reset"})


class ClockHandler(_AdminHandler):
    def get(self) -> None:
        with self.backend.request():
            now = self.backend.now()
        self.reply({"now": now})


class ClockAdvanceHandler(_AdminHandler):
    def post(self) -> None:
        seconds = self.json_body().get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise tornado.web.HTTPError(
                400, reason=f'body must be {{"seconds": N}} with N a number >= 0; got {seconds!r}')
        with self.backend.request():
            now = self.backend.advance_clock(seconds)
        logger.info("clock advanced by %s s", seconds)
        self.reply({"now": now})


class LayoutsHandler(_AdminHandler):
    def post(self) -> None:
        body = self.json_body()
        name, html_text = body.get("name"), body.get("html")
        if not isinstance(name, str) or not isinstance(html_text, str) or not html_text.strip():
            raise tornado.web.HTTPError(
                400, reason='body must be {"name": "...", "html": "..."} with non-empty HTML text')
        with self.backend.request():
            layout_id = self.backend.create_layout(name, html_text)
        self.reply({"HITLayoutId": layout_id})


class QualificationRequestsAdmin(_AdminHandler):
    """`POST /_local/qualification-requests`: a simulated or named worker requests a qualification."""

    def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError as error:
            self.reply(status=400, body={"error": f"request body is not valid JSON: {error}"})
            return
        type_id = body.get("QualificationTypeId") if isinstance(body, dict) else None
        count = body.get("count") if isinstance(body, dict) else None
        worker_id = body.get("WorkerId") if isinstance(body, dict) else None
        valid_count = isinstance(count, int) and not isinstance(count, bool) and count >= 1
        if not isinstance(type_id, str) or (worker_id is None) == (count is None) or \
                (count is not None and not valid_count) or (worker_id is not None and not isinstance(worker_id, str)):
            self.reply(status=400, body={"error": 'body must be {"QualificationTypeId": "...", "WorkerId": "A..."} or '
                                      '{"QualificationTypeId": "...", "count": N} with N >= 1'})
            return
        try:
            with self.backend.request():
                if worker_id is not None:
                    request = self.backend.request_qualification(type_id, worker_id)
                    outcomes = [{"WorkerId": worker_id, "Status": request["status"],
                                 "QualificationRequestId": request["qualification_request_id"],
                                 "IntegerValue": request.get("integer_value")}]
                else:
                    outcomes = self.backend.request_qualification_by_crowd(type_id, count)
        except MTurkError as error:
            logger.info("qualification request for %s failed: %s", type_id, error.message)
            self.reply(status=409, body={"error": error.message})
            return
        self.reply(status=200, body={"QualificationRequests": outcomes})


class NotificationsAdmin(_AdminHandler):
    """`GET /_local/notifications[?hitTypeId=...]`: every delivered notification, oldest first."""

    def get(self) -> None:
        with self.backend.request():
            delivered = self.backend.delivered_notifications(self.get_query_argument("hitTypeId", None))
        self.reply(status=200, body={"Notifications": delivered})


class UploadsAdmin(_AdminHandler):
    """`GET /_local/uploads?...`: the answer behind a GetFileUploadURL link, while the link is valid."""

    def get(self) -> None:
        expires = self.get_query_argument("expires", "")
        with self.backend.request():
            content = self.backend.uploaded_file(
                self.get_query_argument("assignmentId", ""), self.get_query_argument("questionId", ""),
                int(expires) if expires.isdigit() else 0, self.get_query_argument("signature", ""))
        if content is None:
            self.reply(status=403, body={"error": "the upload URL is invalid or expired (it is valid for 60 s); "
                                      "call GetFileUploadURL again"})
            return
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish(content)


def admin_routes(backend: Backend) -> list:
    """Return the tornado routes under /_local/."""
    args = {"backend": backend}
    return [
        (r"/_local/health", HealthHandler, args),
        (r"/_local/reset", ResetHandler, args),
        (r"/_local/clock", ClockHandler, args),
        (r"/_local/clock/advance", ClockAdvanceHandler, args),
        (r"/_local/layouts", LayoutsHandler, args),
        (r"/_local/qualification-requests", QualificationRequestsAdmin, args),
        (r"/_local/notifications", NotificationsAdmin, args),
        (r"/_local/uploads", UploadsAdmin, args),
    ]
