"""Helpers shared by the mturk_local tests: question XML, message patterns, a worker site client."""

from __future__ import annotations

import http.client
import importlib.util
import re
import sys
import urllib.parse
from pathlib import Path

HTML_QUESTION_NAMESPACE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
TIMESTAMP_SUFFIX = r" \(\d{13}\)"


def html_question(body: str = "<p>Is there a cat in the picture?</p>") -> str:
    """Return an HTMLQuestion the simulated crowd does not recognise, so only the tests work on it."""
    return (f'<HTMLQuestion xmlns="{HTML_QUESTION_NAMESPACE}"><HTMLContent><![CDATA[<!DOCTYPE html>'
            f"<html><body>{body}</body></html>]]></HTMLContent><FrameHeight>0</FrameHeight></HTMLQuestion>")


def mturk_message(text: str) -> str:
    """Return a regex matching MTurk's message `text` followed by ` (<epoch ms>)`."""
    return "^" + re.escape(text) + TIMESTAMP_SUFFIX + "$"


class WorkerSite:
    """Drive the worker pages over HTTP as a browser would (accept, then externalSubmit)."""

    def __init__(self, endpoint_url: str):
        parts = urllib.parse.urlsplit(endpoint_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)

    def post(self, path: str, fields: list[tuple[str, str]]) -> http.client.HTTPResponse:
        body = urllib.parse.urlencode(fields)
        self.connection.request("POST", path, body=body,
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = self.connection.getresponse()
        response.read()
        return response

    def get(self, path: str) -> tuple[int, str, dict]:
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        return response.status, response.read().decode(), dict(response.getheaders())

    def accept(self, hit_id: str, worker_id: str) -> str:
        """Accept the HIT as `worker_id` and return the new AssignmentId."""
        response = self.post("/mturk/accept", [("hitId", hit_id), ("workerId", worker_id)])
        assert response.status == 303, f"accept returned HTTP {response.status}"
        location = response.getheader("Location")
        return urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["assignmentId"][0]

    def submit(self, assignment_id: str, fields: list[tuple[str, str]]) -> int:
        """Post the answer fields to /mturk/externalSubmit and return the HTTP status."""
        return self.post("/mturk/externalSubmit", [("assignmentId", assignment_id), *fields]).status

    def work(self, hit_id: str, worker_id: str, fields=(("answer", "yes"),)) -> str:
        """Accept and submit in one go; return the AssignmentId."""
        assignment_id = self.accept(hit_id, worker_id)
        status = self.submit(assignment_id, list(fields))
        assert status == 200, f"externalSubmit returned HTTP {status}"
        return assignment_id



def worker_id(number: int) -> str:
    """Return a valid, distinct WorkerId like `ATEST000042`."""
    return f"ATEST{number:06d}"


def _load_root_conftest():
    # Both conftest.py files are imported under the name "conftest", so the shared one is loaded by path.
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    spec = importlib.util.spec_from_file_location("mturk_root_conftest", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_root_conftest = _load_root_conftest()
start_server = _root_conftest.start_server
stop_server = _root_conftest.stop_server
make_client = _root_conftest.make_client
