"""HIT types and HITs through the real boto3 client: create, read, list, expire, delete."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import html_question, mturk_message, worker_id

ID_PATTERN = re.compile(r"^[0-9A-Z]{30}$")


def error_of(excinfo) -> dict:
    return excinfo.value.response["Error"]


def test_account_balance_is_sandbox_amount(mturk_client):
    assert mturk_client.get_account_balance()["AvailableBalance"] == "10000.00"


def test_create_hit_type_is_idempotent(mturk_client):
    properties = {"AssignmentDurationInSeconds": 600, "Reward": "0.05", "Title": "Box the cups",
                  "Description": "Draw a box around every cup.", "Keywords": "image, boxes"}
    first = mturk_client.create_hit_type(**properties)["HITTypeId"]
    second = mturk_client.create_hit_type(**properties)["HITTypeId"]
    other = mturk_client.create_hit_type(**{**properties, "Reward": "0.06"})["HITTypeId"]

    assert ID_PATTERN.match(first)
    assert first == second
    assert other != first


def test_create_hit_returns_full_hit(make_hit):
    hit = make_hit(RequesterAnnotation="batch-1", Keywords="cats")

    assert ID_PATTERN.match(hit["HITId"])
    assert ID_PATTERN.match(hit["HITTypeId"])
    assert ID_PATTERN.match(hit["HITGroupId"])
    assert hit["HITGroupId"] != hit["HITTypeId"]
    assert hit["HITStatus"] == "Assignable"
    assert hit["HITReviewStatus"] == "NotReviewed"
    assert hit["MaxAssignments"] == 3
    assert hit["Reward"] == "0.05"
    assert hit["RequesterAnnotation"] == "batch-1"
    assert hit["Keywords"] == "cats"
    assert hit["NumberOfAssignmentsAvailable"] == 3
    assert hit["NumberOfAssignmentsPending"] == 0
    assert hit["NumberOfAssignmentsCompleted"] == 0
    assert hit["Expiration"] - hit["CreationTime"] == dt.timedelta(seconds=3600)
    assert "HITLayoutId" not in hit


def test_create_hit_defaults(mturk_client):
    hit = mturk_client.create_hit(LifetimeInSeconds=600, AssignmentDurationInSeconds=300, Reward="0.01",
                                  Title="T", Description="D", Question=html_question())["HIT"]

    assert hit["MaxAssignments"] == 1
    assert hit["AutoApprovalDelayInSeconds"] == 2592000
    assert hit["QualificationRequirements"] == []
    assert "Keywords" not in hit
    assert "RequesterAnnotation" not in hit


def test_qualification_requirements_echoed_with_defaults(make_hit):
    requirement = {"QualificationTypeId": "00000000000000000071", "Comparator": "EqualTo",
                   "LocaleValues": [{"Country": "US"}]}
    hit = make_hit(QualificationRequirements=[requirement])

    assert hit["QualificationRequirements"] == [{**requirement, "ActionsGuarded": "Accept",
                                                 "RequiredToPreview": False}]


def test_hits_of_one_type_share_group_id(mturk_client):
    hit_type_id = mturk_client.create_hit_type(AssignmentDurationInSeconds=600, Reward="0.05", Title="T",
                                               Description="D")["HITTypeId"]
    hits = [mturk_client.create_hit_with_hit_type(HITTypeId=hit_type_id, LifetimeInSeconds=600,
                                                  Question=html_question())["HIT"] for _ in range(2)]

    assert hits[0]["HITTypeId"] == hits[1]["HITTypeId"] == hit_type_id
    assert hits[0]["HITGroupId"] == hits[1]["HITGroupId"]
    assert hits[0]["HITId"] != hits[1]["HITId"]


def test_create_hit_with_unknown_hit_type(mturk_client):
    with pytest.raises(ClientError) as excinfo:
        mturk_client.create_hit_with_hit_type(HITTypeId="3NOSUCHTYPE", LifetimeInSeconds=600,
                                              Question=html_question())

    assert error_of(excinfo)["Code"] == "RequestError"
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITTypeDoesNotExist"


def test_create_hit_with_layout(mturk_server, mturk_client):
    layout_html = ('<!DOCTYPE html><html><body><img src="${image_url}" alt="photo">'
                   "<p>Find: ${objects_to_find}</p></body></html>")
    layout_id = mturk_server.admin("layouts", {"name": "boxes", "html": layout_html})["HITLayoutId"]
    hit_type_id = mturk_client.create_hit_type(AssignmentDurationInSeconds=600, Reward="0.05", Title="T",
                                               Description="D")["HITTypeId"]

    hit = mturk_client.create_hit_with_hit_type(
        HITTypeId=hit_type_id, LifetimeInSeconds=600, HITLayoutId=layout_id,
        HITLayoutParameters=[{"Name": "image_url", "Value": "https://example.org/a.jpg?x=1&y=2"},
                             {"Name": "objects_to_find", "Value": "cup, <spoon>"}])["HIT"]

    assert hit["HITLayoutId"] == layout_id
    assert hit["Question"].startswith("<HTMLQuestion")
    assert 'src="https://example.org/a.jpg?x=1&amp;y=2"' in hit["Question"]
    assert "Find: cup, &lt;spoon&gt;" in hit["Question"]


def test_same_layout_twice_gets_one_id(mturk_server, mturk_client):
    html = "<p>${image_url}</p>"
    first = mturk_server.admin("layouts", {"name": "boxes", "html": html})["HITLayoutId"]
    second = mturk_server.admin("layouts", {"name": "boxes", "html": html})["HITLayoutId"]
    changed = mturk_server.admin("layouts", {"name": "boxes", "html": html + "<p>v2</p>"})["HITLayoutId"]

    assert second == first
    assert changed != first


def test_layout_placeholder_without_parameter(mturk_server, mturk_client):
    layout_id = mturk_server.admin("layouts", {"name": "x", "html": "<p>${image_url} ${labels}</p>"})["HITLayoutId"]
    hit_type_id = mturk_client.create_hit_type(AssignmentDurationInSeconds=600, Reward="0.05", Title="T",
                                               Description="D")["HITTypeId"]

    with pytest.raises(ClientError) as excinfo:
        mturk_client.create_hit_with_hit_type(HITTypeId=hit_type_id, LifetimeInSeconds=600, HITLayoutId=layout_id,
                                              HITLayoutParameters=[{"Name": "image_url", "Value": "u"}])

    assert error_of(excinfo)["Code"] == "ParameterValidationError"
    assert "labels" in error_of(excinfo)["Message"]


def test_get_hit_matches_create(mturk_client, make_hit):
    hit = make_hit()
    fetched = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]

    assert fetched == hit


def test_get_unknown_hit(mturk_client):
    with pytest.raises(ClientError) as excinfo:
        mturk_client.get_hit(HITId="3NOSUCHHIT")

    assert error_of(excinfo)["Code"] == "RequestError"
    assert re.match(mturk_message("Hit 3NOSUCHHIT does not exist."), error_of(excinfo)["Message"])
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITDoesNotExist"


def test_list_hits_newest_first(mturk_client, make_hit):
    created = [make_hit(Title=f"HIT {index}")["HITId"] for index in range(3)]
    page = mturk_client.list_hits()

    assert page["NumResults"] == 3
    assert [hit["HITId"] for hit in page["HITs"]] == created[::-1]
    assert "NextToken" in page
    last = mturk_client.list_hits(NextToken=page["NextToken"])
    assert last["NumResults"] == 0
    assert last["HITs"] == []
    assert "NextToken" not in last


def test_list_hits_default_page_is_ten(mturk_client, make_hit):
    for index in range(12):
        make_hit(Title=f"HIT {index}")

    first = mturk_client.list_hits()
    second = mturk_client.list_hits(NextToken=first["NextToken"])

    assert first["NumResults"] == 10
    assert second["NumResults"] == 2


def test_expire_makes_hit_reviewable(mturk_client, make_hit):
    hit = make_hit()
    mturk_client.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=dt.datetime(2015, 1, 1))

    assert mturk_client.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"
    reviewable = mturk_client.list_reviewable_hits()
    assert reviewable["HITs"] == [{"HITId": hit["HITId"]}]


def test_expire_with_zero(mturk_client, make_hit):
    hit = make_hit()
    mturk_client.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)

    assert mturk_client.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"


def test_extend_expiration(mturk_client, make_hit):
    hit = make_hit()
    later = hit["Expiration"] + dt.timedelta(hours=2)
    mturk_client.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=later)

    assert mturk_client.get_hit(HITId=hit["HITId"])["HIT"]["Expiration"] == later


def test_extend_expiration_too_little(mturk_client, make_hit):
    hit = make_hit()
    with pytest.raises(ClientError) as excinfo:
        mturk_client.update_expiration_for_hit(HITId=hit["HITId"],
                                               ExpireAt=hit["Expiration"] - dt.timedelta(seconds=1200))

    assert error_of(excinfo)["Code"] == "ParameterValidationError"
    assert re.match(mturk_message("The value -1200 is invalid for ExpirationIncrementInSeconds. "
                                  "Valid values range from 60 to 31536000."), error_of(excinfo)["Message"])


def test_expired_hit_with_pending_work_is_unassignable(mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=2)
    worker.accept(hit["HITId"], worker_id(1))
    mturk_client.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)

    fetched = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]
    assert fetched["HITStatus"] == "Unassignable"
    assert fetched["NumberOfAssignmentsPending"] == 1


def test_hit_counters_follow_work(mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=2)
    first = worker.accept(hit["HITId"], worker_id(1))
    after_accept = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]
    worker.submit(first, [("answer", "yes")])
    after_submit = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]
    worker.work(hit["HITId"], worker_id(2))
    full = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]
    mturk_client.approve_assignment(AssignmentId=first)
    after_approve = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]

    assert (after_accept["NumberOfAssignmentsPending"], after_accept["NumberOfAssignmentsAvailable"]) == (1, 1)
    assert after_accept["HITStatus"] == "Assignable"
    assert (after_submit["NumberOfAssignmentsPending"], after_submit["NumberOfAssignmentsAvailable"]) == (0, 1)
    assert after_submit["NumberOfAssignmentsCompleted"] == 0
    assert full["HITStatus"] == "Reviewable"
    assert full["NumberOfAssignmentsAvailable"] == 0
    assert after_approve["NumberOfAssignmentsCompleted"] == 1


def test_full_hit_with_pending_work_is_unassignable(mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=1)
    worker.accept(hit["HITId"], worker_id(1))

    assert mturk_client.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Unassignable"


def test_abandoned_assignment_frees_its_slot(mturk_server, mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=1, AssignmentDurationInSeconds=60)
    worker.accept(hit["HITId"], worker_id(1))
    mturk_server.admin("clock/advance", {"seconds": 61})

    fetched = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]
    assert fetched["HITStatus"] == "Assignable"
    assert fetched["NumberOfAssignmentsPending"] == 0
    assert fetched["NumberOfAssignmentsAvailable"] == 1


def test_list_reviewable_hits_filters(mturk_client, make_hit):
    hit_type_id = mturk_client.create_hit_type(AssignmentDurationInSeconds=600, Reward="0.05", Title="Other",
                                               Description="D")["HITTypeId"]
    expired_a = make_hit()["HITId"]
    expired_b = mturk_client.create_hit_with_hit_type(HITTypeId=hit_type_id, LifetimeInSeconds=600,
                                                      Question=html_question())["HIT"]["HITId"]
    make_hit()
    for hit_id in (expired_a, expired_b):
        mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=0)

    everything = mturk_client.list_reviewable_hits()
    of_type = mturk_client.list_reviewable_hits(HITTypeId=hit_type_id)
    reviewing = mturk_client.list_reviewable_hits(Status="Reviewing")

    assert {hit["HITId"] for hit in everything["HITs"]} == {expired_a, expired_b}
    assert of_type["HITs"] == [{"HITId": expired_b}]
    assert reviewing["NumResults"] == 0


def test_delete_reviewable_hit(mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=1)
    assignment_id = worker.work(hit["HITId"], worker_id(1))
    mturk_client.approve_assignment(AssignmentId=assignment_id)
    mturk_client.delete_hit(HITId=hit["HITId"])

    with pytest.raises(ClientError) as excinfo:
        mturk_client.get_hit(HITId=hit["HITId"])
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITDoesNotExist"
    assert mturk_client.list_hits()["NumResults"] == 0


def test_delete_hit_with_submitted_work(mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=1)
    worker.work(hit["HITId"], worker_id(1))

    with pytest.raises(ClientError) as excinfo:
        mturk_client.delete_hit(HITId=hit["HITId"])

    assert error_of(excinfo)["Code"] == "RequestError"
    assert re.match(mturk_message("This HIT is currently in the state 'Reviewable'.  "
                                  "This operation can be called with a status of: Reviewing, Reviewable"),
                    error_of(excinfo)["Message"])


def test_delete_assignable_hit(mturk_client, make_hit):
    hit = make_hit()
    with pytest.raises(ClientError) as excinfo:
        mturk_client.delete_hit(HITId=hit["HITId"])

    assert re.match(mturk_message("This HIT is currently in the state 'Assignable'.  "
                                  "This operation can be called with a status of: Reviewing, Reviewable"),
                    error_of(excinfo)["Message"])


def test_delete_expired_hit_without_work(mturk_client, make_hit):
    hit = make_hit()
    mturk_client.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
    mturk_client.delete_hit(HITId=hit["HITId"])

    with pytest.raises(ClientError) as excinfo:
        mturk_client.delete_hit(HITId=hit["HITId"])
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITDoesNotExist"


def test_unique_request_token_on_create_hit(mturk_client, make_hit):
    hit = make_hit(UniqueRequestToken="image-0001")

    with pytest.raises(ClientError) as excinfo:
        make_hit(UniqueRequestToken="image-0001")

    assert error_of(excinfo)["Code"] == "RequestError"
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.HitAlreadyExists"
    assert re.match(mturk_message("There is already a HIT which exists with the same UniqueRequestToken. "
                                  f"HITId: {hit['HITId']}"), error_of(excinfo)["Message"])
    assert mturk_client.list_hits()["NumResults"] == 1


def test_unique_request_token_shared_by_create_calls(mturk_client, make_hit):
    hit = make_hit(UniqueRequestToken="shared")
    with pytest.raises(ClientError) as excinfo:
        mturk_client.create_hit_with_hit_type(HITTypeId=hit["HITTypeId"], LifetimeInSeconds=600,
                                              Question=html_question(), UniqueRequestToken="shared")

    assert hit["HITId"] in error_of(excinfo)["Message"]
