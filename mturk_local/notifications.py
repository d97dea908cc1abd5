"""Notification settings of HIT types and the record of every notification the service delivers.

`NotificationsMixin` is part of `Backend` (see backend.py) and has no HTTP
code. Nothing leaves the machine: each delivery to an email address, SQS
queue or SNS topic is stored with the event document MTurk would send, and
`GET /_local/notifications` returns them.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone

from . import constants as c
from .errors import ParameterValidationError, RequestError

__all__ = ["NotificationsMixin", "check_notification_specification"]

logger = logging.getLogger(__name__)

_DESTINATION_PATTERNS = {
    "Email": (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), "an email address like requester@example.com"),
    "SQS": (re.compile(r"https://(sqs\.[a-z0-9-]+\.amazonaws\.com|queue\.amazonaws\.com)/\d{12}/[A-Za-z0-9_-]{1,80}"
                       r"(\.fifo)?"),
            "an SQS queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/my-queue"),
    "SNS": (re.compile(r"arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?"),
            "an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:my-topic"),
}


def check_notification_specification(specification: dict, allow_ping: bool) -> None:
    """Check Version, the destination for the transport, and the event types of a NotificationSpecification."""
    version = specification["Version"]
    if version != c.NOTIFICATION_VERSION:
        raise ParameterValidationError.invalid_value("Version", version,
                                                     f"The only supported version is {c.NOTIFICATION_VERSION}.")
    transport = specification["Transport"]
    pattern, example = _DESTINATION_PATTERNS[transport]
    if not pattern.fullmatch(specification["Destination"]):
        raise ParameterValidationError.invalid_value(
            "Destination", specification["Destination"], f"With Transport {transport} the Destination must be {example}.")
    event_types = specification["EventTypes"]
    if not event_types:
        raise ParameterValidationError("EventTypes must list at least one event type.", "EventTypes")
    if "Ping" in event_types and not allow_ping:
        raise ParameterValidationError.invalid_value(
            "EventTypes", "Ping", "Ping can only be used with SendTestEventNotification.")


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class NotificationsMixin:
    """Notification operations and delivery records of `Backend`."""

    def update_notification_settings(self, hit_type_id: str, specification: dict | None, active: bool | None) -> None:
        """Replace the HIT type's notification specification, or switch it on or off."""
        self._hit_type(hit_type_id)
        existing = self.store.one("SELECT * FROM notification_settings WHERE hit_type_id = ?", (hit_type_id,))
        if specification is None:
            if active is None:
                raise ParameterValidationError("Give a Notification, an Active value, or both.", "Notification")
            if existing is None:
                # NOTE: inferred wording and code; the real text was not observed.
                raise RequestError(f"HIT type {hit_type_id} has no notification specification to switch "
                                   "on or off; pass a Notification first.",
                                   "AWS.MechanicalTurk.NotificationSpecificationDoesNotExist")
            self.store.update("notification_settings", "hit_type_id", hit_type_id, {"active": int(active)})
            logger.info("notifications of HIT type %s %s", hit_type_id, "on" if active else "off")
            return
        check_notification_specification(specification, allow_ping=False)
        row = {"hit_type_id": hit_type_id, "specification": json.dumps(specification),
               "active": int(True if active is None else active)}
        self.store.execute("DELETE FROM notification_settings WHERE hit_type_id = ?", (hit_type_id,))
        self.store.insert("notification_settings", row)
        logger.info("notifications of HIT type %s set to %s %s for %s", hit_type_id, specification["Transport"],
                    specification["Destination"], ", ".join(specification["EventTypes"]))

    def send_test_event_notification(self, specification: dict, event_type: str) -> None:
        """Deliver one test event to the specification's destination at once."""
        check_notification_specification(specification, allow_ping=True)
        event = {"EventType": event_type, "EventTimestamp": _iso(self.now())}
        if event_type != "Ping":
            event.update(HITTypeId="TESTHITTYPEID", HITId="TESTHITID", HITGroupId="TESTHITGROUPID")
            if event_type.startswith("Assignment"):
                event.update(AssignmentId="TESTASSIGNMENTID", WorkerId="ATESTWORKERID")
        self._deliver(None, specification, event, is_test=True)

    def _notify(self, event_type: str, hit_row: dict, assignment_id: str | None = None,
                worker_id: str | None = None) -> None:
        """Deliver `event_type` for a HIT when its HIT type has an active specification that lists it."""
        setting = self.store.one("SELECT * FROM notification_settings WHERE hit_type_id = ? AND active = 1",
                                 (hit_row["hit_type_id"],))
        if setting is None:
            return
        specification = json.loads(setting["specification"])
        if event_type not in specification["EventTypes"]:
            return
        event = {"EventType": event_type, "EventTimestamp": _iso(self.now()), "HITTypeId": hit_row["hit_type_id"],
                 "HITId": hit_row["hit_id"], "HITGroupId": hit_row["hit_group_id"]}
        if assignment_id is not None:
            event["AssignmentId"] = assignment_id
        if worker_id is not None:
            event["WorkerId"] = worker_id
        self._deliver(hit_row["hit_type_id"], specification, event, is_test=False)

    def _deliver(self, hit_type_id: str | None, specification: dict, event: dict, is_test: bool) -> None:
        number = self.store.next_counter("notification")
        message = {"EventDocId": self._derived_id("event_doc", str(number)),
                   "EventDocVersion": c.NOTIFICATION_VERSION, "Events": [event]}
        self.store.insert("notifications", {
            "hit_type_id": hit_type_id, "event_type": event["EventType"], "is_test": int(is_test),
            "transport": specification["Transport"], "destination": specification["Destination"],
            "message": json.dumps(message), "delivery_time": self.now()})
        logger.info("%snotification %s sent by %s to %s", "test " if is_test else "", event["EventType"],
                    specification["Transport"], specification["Destination"])

    def delivered_notifications(self, hit_type_id: str | None = None) -> list[dict]:
        """Return every delivered notification, oldest first, optionally of one HIT type."""
        sql = "SELECT * FROM notifications"
        args: tuple = ()
        if hit_type_id is not None:
            sql += " WHERE hit_type_id = ?"
            args = (hit_type_id,)
        return [{"HITTypeId": row["hit_type_id"], "EventType": row["event_type"], "Test": bool(row["is_test"]),
                 "Transport": row["transport"], "Destination": row["destination"],
                 "DeliveryTime": row["delivery_time"], "Message": json.loads(row["message"])}
                for row in self.store.all(sql + " ORDER BY seq", args)]
