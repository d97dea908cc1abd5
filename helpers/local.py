"""Local-service extras: doing a HIT as a worker, and adding HIT layouts.

On the real MTurk a person does the work on the worker website, and a HIT
layout (a "project") is made on the requester website. The local service has a
worker website, which ``submit_as_worker`` uses over HTTP the way a browser
would, and an admin route for layouts, which ``register_layout`` calls. So a
notebook can run the whole loop without anybody clicking.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence

__all__ = ["LocalOnlyError", "register_layout", "submit_as_worker"]

logger = logging.getLogger(__name__)

DEFAULT_WORKER_ID = "ALOCALSTUDENT01"
HTTP_TIMEOUT_SECONDS = 10


class LocalOnlyError(RuntimeError):
    """Raised when a local-only function is called on a sandbox or production connection."""


def _require_local(connection) -> str:
    if connection.target != "local":
        raise LocalOnlyError(
            f"this only works against the local service, but the connection targets {connection.target!r}; "
            "on the real MTurk, do the work on the worker website or create the layout on the requester website")
    return connection.endpoint_url.rstrip("/")


def _post_form(url: str, fields: Sequence[tuple[str, str]]) -> tuple[str, bytes]:
    body = urllib.parse.urlencode(list(fields)).encode("ascii")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
        return response.geturl(), response.read()


def submit_as_worker(connection, hit_id: str, fields: Mapping[str, str] | Sequence[tuple[str, str]],
                     worker_id: str = DEFAULT_WORKER_ID) -> str:
    """Accept ``hit_id`` as ``worker_id`` and post ``fields`` as the worker's answer.

    This is what a browser does: accept on the worker site, then submit the
    HIT's form to ``/mturk/externalSubmit``. ``fields`` are the form's fields in
    order; each becomes one ``<Answer>`` of the assignment. Returns the
    assignment id.
    """
    endpoint = _require_local(connection)
    final_url, _ = _post_form(endpoint + "/mturk/accept", [("hitId", hit_id), ("workerId", worker_id)])
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(final_url).query)
    if "assignmentId" not in query:
        raise RuntimeError(f"accepting HIT {hit_id} as {worker_id} did not lead to an assignment (ended at {final_url})")
    assignment_id = query["assignmentId"][0]

    pairs = list(fields.items()) if isinstance(fields, Mapping) else list(fields)
    _post_form(endpoint + "/mturk/externalSubmit", [("assignmentId", assignment_id), *pairs])
    logger.info("worker %s submitted assignment %s of HIT %s", worker_id, assignment_id, hit_id)
    return assignment_id


def register_layout(connection, name: str, html: str) -> str:
    """Create a HIT layout from ``html`` with ``${name}`` placeholders; return its HITLayoutId.

    The real MTurk has no API call for this: there you create a project on the
    requester website and copy its layout id.
    """
    endpoint = _require_local(connection)
    request = urllib.request.Request(endpoint + "/_local/layouts", method="POST",
                                     data=json.dumps({"name": name, "html": html}).encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
        return json.loads(response.read())["HITLayoutId"]
