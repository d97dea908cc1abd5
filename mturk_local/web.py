"""Worker pages that mirror MTurk's URLs, so a person can do a HIT in a browser.

GET  /mturk/?workerId=...                     open HITs the worker may discover (default worker ALOCALSTUDENT01)
GET  /mturk/preview?groupId=...[&hitId=...][&workerId=...]   task in an iframe (preview mode) and an Accept form
POST /mturk/accept          (hitId, workerId)   303 to /mturk/work?assignmentId=...
GET  /mturk/messages?workerId=...             messages sent to the worker with NotifyWorkers
GET  /mturk/work?assignmentId=...             task in an iframe with the four MTurk query parameters
GET  /mturk/task?assignmentId=&hitId=&workerId=&turkSubmitTo=   the HIT's own page
POST /mturk/externalSubmit                     stores every posted field except assignmentId as the answer

Qualification requirements are checked as their ActionsGuarded value says:
Discover hides the HIT from the list, Preview refuses the preview (403), and
Accept refuses the accept. Blocked workers see no HITs and cannot accept.

Every value a worker or requester supplied is HTML-escaped on these pages,
except the HTMLQuestion content itself, which is the requester's task page.
"""

from __future__ import annotations

import html
import logging
import urllib.parse
import xml.etree.ElementTree as ElementTree

import tornado.web

from . import constants as c
from .backend import Backend
from .errors import AssignmentDoesNotExist, HITDoesNotExist, MTurkError

__all__ = ["worker_routes", "question_page"]

logger = logging.getLogger(__name__)

DEFAULT_FRAME_HEIGHT_PX = 700

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:1em 2em}} iframe{{width:100%;border:1px solid #999}}
.error{{color:#a00}} dt{{font-weight:bold}}</style></head>
<body><p><a href="/mturk/">mturk_local worker site</a></p>{body}</body></html>"""


def _page(title: str, body: str) -> str:
    return _PAGE.format(title=html.escape(title), body=body)


def question_page(question_xml: str) -> tuple[str, str]:
    """Return ("html", content) for an HTMLQuestion, ("external", url) for an ExternalQuestion, else ("other", "")."""
    root = ElementTree.fromstring(question_xml)
    local_name = root.tag.rpartition("}")[2]
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if local_name == "HTMLQuestion":
        return "html", root.findtext(f"{{{namespace}}}HTMLContent", "")
    if local_name == "ExternalQuestion":
        return "external", root.findtext(f"{{{namespace}}}ExternalURL", "").strip()
    return "other", ""


def _frame_height(question_xml: str) -> int:
    root = ElementTree.fromstring(question_xml)
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    text = (root.findtext(f"{{{namespace}}}FrameHeight") or "0").strip()
    height = int(text) if text.isdigit() else 0
    return height or DEFAULT_FRAME_HEIGHT_PX


def _describe_hit(hit: dict) -> str:
    rows = [("Title", hit["title"]), ("Description", hit["description"]), ("Reward", "$" + hit["reward"]),
            ("HIT", hit["hit_id"]), ("Status", hit["status"]),
            ("Assignments available", str(hit["available"]))]
    return "<dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows) + "</dl>"


class _WorkerPage(tornado.web.RequestHandler):
    def initialize(self, backend: Backend) -> None:
        self.backend = backend

    def show_error(self, status: int, error: MTurkError) -> None:
        logger.info("worker page %s %s failed: %s", self.request.method, self.request.uri, error.message)
        self.set_status(status)
        self.finish(_page("Error", f'<p class="error">{html.escape(error.message)}</p>'))

    def base_url(self) -> str:
        return f"{self.request.protocol}://{self.request.host}"


class IndexPage(_WorkerPage):
    def get(self) -> None:
        worker_id = self.get_query_argument("workerId", c.DEFAULT_WORKER_ID)
        with self.backend.request():
            hits = self.backend.list_hits(None, c.MAX_PAGE_SIZE).items
            blocked = self.backend.is_blocked(worker_id)
            visible = [hit for hit in hits if hit["status"] == "Assignable" and not blocked and
                       self.backend.worker_qualifies(hit["qualification_requirements"], worker_id, "Discover")]
        items = []
        for hit in visible:
            link = "/mturk/preview?" + urllib.parse.urlencode({"groupId": hit["hit_group_id"], "hitId": hit["hit_id"]})
            items.append(f'<li><a href="{html.escape(link)}">{html.escape(hit["title"])}</a> '
                         f'(${html.escape(hit["reward"])}, {hit["available"]} available)</li>')
        body = "<h1>HITs available</h1><ul>" + ("".join(items) or "<li>none right now</li>") + "</ul>"
        self.finish(_page("HITs available", body))


class PreviewPage(_WorkerPage):
    def get(self) -> None:
        group_id = self.get_query_argument("groupId", None)
        hit_id = self.get_query_argument("hitId", None)
        worker_id = self.get_query_argument("workerId", c.DEFAULT_WORKER_ID)
        try:
            with self.backend.request():
                hit = self.backend.find_hit_for_preview(group_id, hit_id)
                may_preview = (not self.backend.is_blocked(worker_id) and
                               self.backend.worker_qualifies(hit["qualification_requirements"], worker_id, "Preview"))
        except MTurkError as error:
            self.show_error(404, error)
            return
        if not may_preview:
            self.set_status(403)
            self.finish(_page("Not qualified", f"<p class=\"error\">Worker {html.escape(worker_id)} does not meet "
                                               "the qualification requirements to preview this HIT.</p>"))
            return
        task_url = "/mturk/task?" + urllib.parse.urlencode(
            {"assignmentId": c.PREVIEW_ASSIGNMENT_ID, "hitId": hit["hit_id"]})
        body = (f"<h1>{html.escape(hit['title'])}</h1>{_describe_hit(hit)}"
                '<form method="post" action="/mturk/accept">'
                f'<input type="hidden" name="hitId" value="{html.escape(hit["hit_id"])}">'
                '<label>Worker id <input name="workerId" '
                f'value="{html.escape(worker_id)}" pattern="A[A-Z0-9]+"></label> '
                '<button type="submit">Accept</button></form>'
                f'<iframe src="{html.escape(task_url)}" height="{_frame_height(hit["question"])}"></iframe>')
        self.finish(_page("Preview: " + hit["title"], body))


class AcceptAction(_WorkerPage):
    def post(self) -> None:
        hit_id = self.get_body_argument("hitId", "")
        worker_id = self.get_body_argument("workerId", c.DEFAULT_WORKER_ID).strip()
        try:
            with self.backend.request():
                assignment = self.backend.accept_hit(hit_id, worker_id)
        except (HITDoesNotExist, AssignmentDoesNotExist) as error:
            self.show_error(404, error)
            return
        except MTurkError as error:
            qualification_error = error.turk_error_code if hasattr(error, "turk_error_code") else ""
            refused = qualification_error in ("AWS.MechanicalTurk.QualificationRequirementsNotMet",
                                              "AWS.MechanicalTurk.WorkerBlocked")
            self.show_error(403 if refused else 409, error)
            return
        self.redirect("/mturk/work?" + urllib.parse.urlencode({"assignmentId": assignment["assignment_id"]}),
                      status=303)


class WorkPage(_WorkerPage):
    def get(self) -> None:
        assignment_id = self.get_query_argument("assignmentId", "")
        try:
            with self.backend.request():
                assignment, hit = self.backend.worker_assignment(assignment_id)
        except MTurkError as error:
            self.show_error(404, error)
            return
        if assignment["status"] != "Accepted":
            body = (f"<h1>{html.escape(hit['title'])}</h1><p>Assignment {html.escape(assignment_id)} is "
                    f"{html.escape(assignment['status'])}; there is nothing left to do on it.</p>")
            self.finish(_page(hit["title"], body))
            return
        task_url = "/mturk/task?" + urllib.parse.urlencode({
            "assignmentId": assignment_id, "hitId": hit["hit_id"], "workerId": assignment["worker_id"],
            "turkSubmitTo": self.base_url()})
        body = (f"<h1>{html.escape(hit['title'])}</h1>{_describe_hit(hit)}"
                f"<p>Worker {html.escape(assignment['worker_id'])}, assignment {html.escape(assignment_id)}.</p>"
                f'<iframe src="{html.escape(task_url)}" height="{_frame_height(hit["question"])}"></iframe>')
        self.finish(_page(hit["title"], body))


class TaskPage(_WorkerPage):
    def get(self) -> None:
        hit_id = self.get_query_argument("hitId", "")
        try:
            with self.backend.request():
                hit = self.backend.get_hit(hit_id)
        except MTurkError as error:
            self.show_error(404, error)
            return
        kind, content = question_page(hit["question"])
        if kind == "html":
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.finish(content)
        elif kind == "external":
            params = {name: self.get_query_argument(name, "")
                      for name in ("assignmentId", "hitId", "workerId", "turkSubmitTo")}
            params = {name: value for name, value in params.items() if value}
            separator = "&" if "?" in content else "?"
            self.redirect(content + separator + urllib.parse.urlencode(params), status=302)
        else:
            # NOTE: QuestionForm HITs are not rendered; they can still be answered by POSTing to externalSubmit.
            self.finish(_page(hit["title"], "<p>This HIT uses a QuestionForm, which mturk_local does not "
                                            "render. Post answers to /mturk/externalSubmit instead.</p>"))


class ExternalSubmitAction(_WorkerPage):
    def check_xsrf_cookie(self) -> None:
        """Task pages post here from their own origin, as on MTurk; no XSRF token is expected."""

    def posted_fields(self) -> list[tuple[str, str]]:
        """Return the form fields in posted order, then query-string fields not in the form."""
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/x-www-form-urlencoded") or not self.request.body_arguments:
            body_fields = urllib.parse.parse_qsl(self.request.body.decode("utf-8", "replace"), keep_blank_values=True)
        else:
            body_fields = [(name, value.decode("utf-8", "replace"))
                           for name, values in self.request.body_arguments.items() for value in values]
        query_fields = urllib.parse.parse_qsl(self.request.query, keep_blank_values=True)
        body_names = {name for name, _ in body_fields}
        return body_fields + [(name, value) for name, value in query_fields if name not in body_names]

    def post(self) -> None:
        merged: dict[str, list[str]] = {}
        for name, value in self.posted_fields():
            merged.setdefault(name, []).append(value)
        assignment_id = (merged.pop("assignmentId", [""]) or [""])[0]
        # NOTE: MTurk's handling of repeated field names is unconfirmed; values are joined with "|".
        fields = [(name, "|".join(values)) for name, values in merged.items()]
        if not assignment_id or assignment_id == c.PREVIEW_ASSIGNMENT_ID:
            self.show_error(400, AssignmentDoesNotExist(assignment_id or "(missing assignmentId)"))
            return
        try:
            with self.backend.request():
                self.backend.submit_assignment(assignment_id, fields)
        except AssignmentDoesNotExist as error:
            self.show_error(404, error)
            return
        except MTurkError as error:
            self.show_error(409, error)
            return
        self.finish(_page("Submitted", f"<h1>Thank you</h1><p>Assignment {html.escape(assignment_id)} "
                                       'was submitted.</p><p><a href="/mturk/">More HITs</a></p>'))


class MessagesPage(_WorkerPage):
    def get(self) -> None:
        worker_id = self.get_query_argument("workerId", c.DEFAULT_WORKER_ID)
        with self.backend.request():
            messages = self.backend.worker_messages(worker_id)
        items = "".join(f"<li><strong>{html.escape(message['subject'])}</strong>"
                        f"<p>{html.escape(message['message_text'])}</p></li>" for message in messages)
        body = f"<h1>Messages for {html.escape(worker_id)}</h1><ul>{items or '<li>no messages</li>'}</ul>"
        self.finish(_page("Messages", body))


def worker_routes(backend: Backend) -> list:
    """Return the tornado routes of the worker site."""
    args = {"backend": backend}
    return [
        (r"/mturk/messages", MessagesPage, args),
        (r"/mturk/?", IndexPage, args),
        (r"/mturk/preview", PreviewPage, args),
        (r"/mturk/accept", AcceptAction, args),
        (r"/mturk/work", WorkPage, args),
        (r"/mturk/task", TaskPage, args),
        (r"/mturk/externalSubmit", ExternalSubmitAction, args),
    ]
