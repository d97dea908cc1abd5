"""UpdateNotificationSettings, SendTestEventNotification and the record of delivered notifications."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import html_question, mturk_message, worker_id

QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/mturk-events"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:mturk-events"


def specification(**overrides) -> dict:
    spec = {"Destination": QUEUE_URL, "Transport": "SQS", "Version": "2006-05-05",
            "EventTypes": ["AssignmentAccepted", "AssignmentSubmitted", "AssignmentApproved", "HITReviewable"]}
    spec.update(overrides)
    return spec


def new_hit_type(client) -> str:
    return client.create_hit_type(AssignmentDurationInSeconds=600, Reward="0.05", Title="Find the cat",
                                  Description="Say whether a cat is in the picture.")["HITTypeId"]


@pytest.mark.parametrize("overrides, parameter", [
    ({"Transport": "Email", "Destination": QUEUE_URL}, "Destination"),
    ({"Transport": "SQS", "Destination": "requester@example.com"}, "Destination"),
    ({"Transport": "SNS", "Destination": QUEUE_URL}, "Destination"),
    ({"Version": "2014-08-15"}, "Version"),
    ({"EventTypes": ["Ping"]}, "EventTypes"),
    ({"EventTypes": []}, "EventTypes"),
])
def test_invalid_specification(mturk_client, overrides, parameter):
    hit_type_id = new_hit_type(mturk_client)
    with pytest.raises(ClientError) as excinfo:
        mturk_client.update_notification_settings(HITTypeId=hit_type_id, Notification=specification(**overrides))

    assert excinfo.value.response["Error"]["Code"] in ("ParameterValidationError", "ValidationException")
    assert parameter.lower() in excinfo.value.response["Error"]["Message"].lower()


def test_destination_message(mturk_client):
    hit_type_id = new_hit_type(mturk_client)
    with pytest.raises(ClientError) as excinfo:
        mturk_client.update_notification_settings(
            HITTypeId=hit_type_id, Notification=specification(Transport="SNS", Destination=QUEUE_URL))

    assert re.match(mturk_message(
        f'The value "{QUEUE_URL}" is not valid for the parameter Destination. With Transport SNS the Destination '
        "must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:my-topic."),
        excinfo.value.response["Error"]["Message"])


def test_unknown_hit_type(mturk_client):
    with pytest.raises(ClientError) as excinfo:
        mturk_client.update_notification_settings(HITTypeId="3NOSUCHHITTYPE", Notification=specification())

    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITTypeDoesNotExist"


def test_active_without_specification(mturk_client):
    hit_type_id = new_hit_type(mturk_client)
    with pytest.raises(ClientError) as excinfo:
        mturk_client.update_notification_settings(HITTypeId=hit_type_id, Active=False)

    assert excinfo.value.response["Error"]["Code"] == "RequestError"


def test_events_recorded_and_toggled(mturk_client, mturk_server, worker):
    hit_type_id = new_hit_type(mturk_client)
    mturk_client.update_notification_settings(HITTypeId=hit_type_id, Notification=specification())
    hit = mturk_client.create_hit_with_hit_type(HITTypeId=hit_type_id, LifetimeInSeconds=3600, MaxAssignments=1,
                                                Question=html_question())["HIT"]
    assignment_id = worker.work(hit["HITId"], worker_id(1))
    mturk_client.update_notification_settings(HITTypeId=hit_type_id, Active=False)
    mturk_client.approve_assignment(AssignmentId=assignment_id)

    delivered = mturk_server.admin(f"notifications?hitTypeId={hit_type_id}")["Notifications"]

    assert [item["EventType"] for item in delivered] == ["AssignmentAccepted", "AssignmentSubmitted", "HITReviewable"]
    assert {item["Destination"] for item in delivered} == {QUEUE_URL}
    first_event = delivered[0]["Message"]["Events"][0]
    assert first_event["HITId"] == hit["HITId"]
    assert first_event["AssignmentId"] == assignment_id
    assert first_event["WorkerId"] == worker_id(1)
    assert delivered[0]["Message"]["EventDocVersion"] == "2006-05-05"

    mturk_client.update_notification_settings(HITTypeId=hit_type_id, Active=True)
    second = mturk_client.create_hit_with_hit_type(HITTypeId=hit_type_id, LifetimeInSeconds=3600,
                                                   Question=html_question())["HIT"]
    second_id = worker.work(second["HITId"], worker_id(1))
    mturk_client.approve_assignment(AssignmentId=second_id)
    after = mturk_server.admin(f"notifications?hitTypeId={hit_type_id}")["Notifications"]

    assert [item["EventType"] for item in after[3:]] == ["AssignmentAccepted", "AssignmentSubmitted",
                                                         "HITReviewable", "AssignmentApproved"]


def test_expiry_and_disposal_events(mturk_client, mturk_server):
    hit_type_id = new_hit_type(mturk_client)
    mturk_client.update_notification_settings(HITTypeId=hit_type_id, Notification=specification(
        Transport="SNS", Destination=TOPIC_ARN, EventTypes=["HITCreated", "HITExtended", "HITExpired", "HITDisposed"]))
    hit = mturk_client.create_hit_with_hit_type(HITTypeId=hit_type_id, LifetimeInSeconds=600,
                                                Question=html_question())["HIT"]
    mturk_client.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=hit["Expiration"].timestamp() + 600)
    mturk_server.admin("clock/advance", {"seconds": 1300})
    mturk_client.delete_hit(HITId=hit["HITId"])

    delivered = mturk_server.admin(f"notifications?hitTypeId={hit_type_id}")["Notifications"]

    assert [item["EventType"] for item in delivered] == ["HITCreated", "HITExtended", "HITExpired", "HITDisposed"]


def test_send_test_event(mturk_client, mturk_server):
    mturk_client.send_test_event_notification(
        Notification=specification(Transport="Email", Destination="requester@example.com", EventTypes=["Ping"]),
        TestEventType="Ping")
    mturk_client.send_test_event_notification(Notification=specification(), TestEventType="AssignmentSubmitted")

    delivered = mturk_server.admin("notifications")["Notifications"]

    assert [(item["EventType"], item["Test"], item["Transport"]) for item in delivered] == [
        ("Ping", True, "Email"), ("AssignmentSubmitted", True, "SQS")]
    assert delivered[1]["Message"]["Events"][0]["AssignmentId"] == "TESTASSIGNMENTID"
