"""HTTP layer of the local service: the MTurk API at `POST /`, admin routes, images and worker pages.

The API speaks AWS JSON 1.1: the operation comes from `X-Amz-Target:
MTurkRequesterServiceV20170117.<Operation>`, the body is a JSON object, and
every reply carries `x-amzn-RequestId`. SigV4 signatures are not checked.
Tornado sends each reply's headers and body in one write, so keep-alive
clients do not wait on Nagle's algorithm.
"""

from __future__ import annotations

import json
import logging
import time
import uuid

import tornado.web

from . import constants as c
from .backend import Backend
from .errors import MTurkError, SerializationException, ServiceFault, UnknownOperationException
from .responses import MTurkResponses
from .admin import admin_routes
from .web import worker_routes

__all__ = ["make_app"]

logger = logging.getLogger(__name__)


class ApiHandler(tornado.web.RequestHandler):
    """`POST /`: one MTurk API call."""

    def initialize(self, responses: MTurkResponses, backend: Backend) -> None:
        self.responses = responses
        self.backend = backend

    def check_xsrf_cookie(self) -> None:
        """API calls carry no XSRF token."""

    def get(self) -> None:
        """Redirect a browser that opens the endpoint to the worker site."""
        self.redirect("/mturk/")

    def post(self) -> None:
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        target = self.request.headers.get("X-Amz-Target", "")
        prefix, _, operation = target.partition(".")
        try:
            if prefix != c.TARGET_PREFIX or not operation:
                raise UnknownOperationException(
                    f"X-Amz-Target must be '{c.TARGET_PREFIX}.<Operation>'; got {target!r}.")
            body = self._decode_body()
            status, reply = 200, self.responses.dispatch(operation, body)
        except MTurkError as error:
            logger.info("%s failed (request %s): %s %s", operation or target, request_id, error.error_type,
                        error.message)
            status, reply = error.http_status, error.to_body(self.backend.clock.now_ms())
        except Exception:
            logger.exception("%s failed with an unexpected error (request %s)", operation or target, request_id)
            error = ServiceFault()
            status, reply = error.http_status, error.to_body(self.backend.clock.now_ms())
        logger.debug("%s -> %d in %.1f ms (request %s)", operation, status,
                     (time.perf_counter() - started) * 1000, request_id)
        self.set_status(status)
        self.set_header("Content-Type", c.JSON_CONTENT_TYPE)
        self.set_header("x-amzn-RequestId", request_id)
        self.finish(json.dumps(reply, separators=(",", ":")))

    def _decode_body(self) -> dict:
        raw = self.request.body or b"{}"
        try:
            body = json.loads(raw)
        except ValueError as error:
            raise SerializationException(f"The request body is not valid JSON: {error}") from None
        if not isinstance(body, dict):
            raise SerializationException("The request body must be a JSON object.")
        return body


def make_app(backend: Backend, images_dir: str) -> tornado.web.Application:
    """Build the tornado application for one backend; `images_dir` is served under /images/."""
    responses = MTurkResponses(backend)
    routes = [
        (r"/", ApiHandler, {"responses": responses, "backend": backend}),
        *admin_routes(backend),
        (r"/images/(.*)", tornado.web.StaticFileHandler, {"path": images_dir}),
        *worker_routes(backend),
    ]
    return tornado.web.Application(routes, log_function=_log_request)


def _log_request(handler: tornado.web.RequestHandler) -> None:
    status = handler.get_status()
    level = logging.WARNING if status >= 500 else logging.DEBUG
    logger.log(level, "%d %s %s %.1f ms", status, handler.request.method, handler.request.uri,
               handler.request.request_time() * 1000)
