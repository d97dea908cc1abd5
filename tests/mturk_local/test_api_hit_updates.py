"""CreateAdditionalAssignmentsForHIT, UpdateHITReviewStatus, UpdateHITTypeOfHIT, GetFileUploadURL, review policies."""

from __future__ import annotations

import re
import urllib.request

import pytest
from botocore.exceptions import ClientError
from mturk_test_support import html_question, mturk_message, worker_id


def test_additional_assignments_cannot_reach_ten(mturk_client, make_hit):
    hit = make_hit(MaxAssignments=9)
    with pytest.raises(ClientError) as excinfo:
        mturk_client.create_additional_assignments_for_hit(HITId=hit["HITId"], NumberOfAdditionalAssignments=1)

    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.InvalidMaximumAssignmentsIncrease"
    assert re.match(mturk_message(
        f"HITs created with fewer than 10 assignments cannot be extended to have 10 or more assignments. "
        f"HIT {hit['HITId']} has 9; adding 1 would make 10."), excinfo.value.response["Error"]["Message"])
    assert mturk_client.get_hit(HITId=hit["HITId"])["HIT"]["MaxAssignments"] == 9


def test_additional_assignments_above_ten(mturk_client, make_hit):
    hit = make_hit(MaxAssignments=10)
    mturk_client.create_additional_assignments_for_hit(HITId=hit["HITId"], NumberOfAdditionalAssignments=5)

    assert mturk_client.get_hit(HITId=hit["HITId"])["HIT"]["MaxAssignments"] == 15


def test_additional_assignments_token(mturk_client, make_hit):
    hit = make_hit(MaxAssignments=2)
    mturk_client.create_additional_assignments_for_hit(HITId=hit["HITId"], NumberOfAdditionalAssignments=3,
                                                       UniqueRequestToken="more-1")
    with pytest.raises(ClientError) as excinfo:
        mturk_client.create_additional_assignments_for_hit(HITId=hit["HITId"], NumberOfAdditionalAssignments=3,
                                                           UniqueRequestToken="more-1")

    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.DuplicateRequest"
    assert re.match(mturk_message('The idempotency token "more-1" has already been processed; no assignments were '
                                  "added again."), excinfo.value.response["Error"]["Message"])
    assert mturk_client.get_hit(HITId=hit["HITId"])["HIT"]["MaxAssignments"] == 5


def test_additional_assignments_reopen_reviewable_hit(mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=1)
    worker.work(hit["HITId"], worker_id(1))
    before = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]
    mturk_client.create_additional_assignments_for_hit(HITId=hit["HITId"], NumberOfAdditionalAssignments=1)
    after = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]

    assert before["HITStatus"] == "Reviewable"
    assert after["HITStatus"] == "Assignable"
    assert after["NumberOfAssignmentsAvailable"] == 1


def test_review_status_round_trip(mturk_client, make_hit):
    hit_id = make_hit()["HITId"]
    with pytest.raises(ClientError) as too_early:
        mturk_client.update_hit_review_status(HITId=hit_id)
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=0)
    mturk_client.update_hit_review_status(HITId=hit_id)
    reviewing = mturk_client.get_hit(HITId=hit_id)["HIT"]["HITStatus"]
    listed = mturk_client.list_reviewable_hits(Status="Reviewing")["HITs"]
    mturk_client.update_hit_review_status(HITId=hit_id, Revert=True)
    reverted = mturk_client.get_hit(HITId=hit_id)["HIT"]["HITStatus"]
    with pytest.raises(ClientError) as revert_again:
        mturk_client.update_hit_review_status(HITId=hit_id, Revert=True)

    assert re.match(mturk_message("This HIT is currently in the state 'Assignable'.  This operation can be called "
                                  "with a status of: Reviewable"), too_early.value.response["Error"]["Message"])
    assert reviewing == "Reviewing"
    assert listed == [{"HITId": hit_id}]
    assert reverted == "Reviewable"
    assert re.match(mturk_message("This HIT is currently in the state 'Reviewable'.  This operation can be called "
                                  "with a status of: Reviewing"), revert_again.value.response["Error"]["Message"])


def test_update_hit_type_of_hit(mturk_client, make_hit):
    hit = make_hit()
    new_type = mturk_client.create_hit_type(AssignmentDurationInSeconds=900, Reward="0.10", Title="Find the dog",
                                            Description="Say whether a dog is in the picture.")["HITTypeId"]
    mturk_client.update_hit_type_of_hit(HITId=hit["HITId"], HITTypeId=new_type)
    updated = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]
    with pytest.raises(ClientError) as excinfo:
        mturk_client.update_hit_type_of_hit(HITId=hit["HITId"], HITTypeId="3NOSUCHTYPE")

    assert (updated["HITTypeId"], updated["Title"], updated["Reward"]) == (new_type, "Find the dog", "0.10")
    assert updated["HITGroupId"] != hit["HITGroupId"]
    assert excinfo.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITTypeDoesNotExist"


def test_file_upload_url(mturk_client, make_hit, worker, mturk_server):
    hit = make_hit(MaxAssignments=1)
    assignment_id = worker.work(hit["HITId"], worker_id(1), fields=[("photo", "cat.jpg")])
    url = mturk_client.get_file_upload_url(AssignmentId=assignment_id, QuestionIdentifier="photo")["FileUploadURL"]
    with urllib.request.urlopen(url, timeout=10) as response:
        content = response.read().decode()
    mturk_server.admin("clock/advance", {"seconds": 61})
    with pytest.raises(urllib.error.HTTPError) as expired:
        urllib.request.urlopen(url, timeout=10)
    with pytest.raises(ClientError) as missing:
        mturk_client.get_file_upload_url(AssignmentId="3NOSUCHASSIGNMENT", QuestionIdentifier="photo")

    assert url.startswith(mturk_server.endpoint_url + "/_local/uploads?")
    assert content == "cat.jpg"
    assert expired.value.code == 403
    assert missing.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.AssignmentDoesNotExist"


KNOWN_ANSWER_POLICY = {"PolicyName": "ScoreMyKnownAnswers/2011-09-01", "Parameters": [
    {"Key": "AnswerKey", "MapEntries": [{"Key": "cat", "Values": ["yes"]}]},
    {"Key": "ApproveIfKnownAnswerScoreIsAtLeast", "Values": ["100"]},
    {"Key": "RejectIfKnownAnswerScoreIsLessThan", "Values": ["100"]},
    {"Key": "RejectReason", "Values": ["The known answer was wrong."]},
]}
PLURALITY_POLICY = {"PolicyName": "SimplePlurality/2011-09-01", "Parameters": [
    {"Key": "QuestionIds", "Values": ["animal"]},
    {"Key": "QuestionAgreementThreshold", "Values": ["60"]},
]}


def test_known_answer_policy_results(mturk_client, make_hit, worker):
    hit = make_hit(MaxAssignments=3, AssignmentReviewPolicy=KNOWN_ANSWER_POLICY, HITReviewPolicy=PLURALITY_POLICY)
    answers = [("yes", "cat"), ("no", "dog"), ("yes", "cat")]
    ids = [worker.work(hit["HITId"], worker_id(number), fields=[("cat", cat), ("animal", animal)])
           for number, (cat, animal) in enumerate(answers)]
    statuses = [mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]["AssignmentStatus"]
                for assignment_id in ids]
    report = mturk_client.list_review_policy_results_for_hit(HITId=hit["HITId"], RetrieveResults=True,
                                                             RetrieveActions=True)

    assert statuses == ["Approved", "Rejected", "Approved"]
    assert report["AssignmentReviewPolicy"]["PolicyName"] == "ScoreMyKnownAnswers/2011-09-01"
    assignment_results = report["AssignmentReviewReport"]["ReviewResults"]
    scores = {item["SubjectId"]: item["Value"] for item in assignment_results if item["Key"] == "KnownAnswerScore"}
    assert scores == {ids[0]: "100", ids[1]: "0", ids[2]: "100"}
    actions = report["AssignmentReviewReport"]["ReviewActions"]
    assert [(item["ActionName"], item["TargetId"], item["Status"]) for item in actions] == [
        ("approve", ids[0], "Succeeded"), ("reject", ids[1], "Succeeded"), ("approve", ids[2], "Succeeded")]
    hit_results = {(item["QuestionId"], item["Key"]): item["Value"]
                   for item in report["HITReviewReport"]["ReviewResults"] if item.get("QuestionId")}
    assert hit_results[("animal", "PluralityAnswer")] == "cat"
    assert hit_results[("animal", "AgreementScore")] == "67"
    assert hit_results[("animal", "QuestionAgreed")] == "true"


def test_review_policy_name_checked(make_hit):
    with pytest.raises(ClientError) as excinfo:
        make_hit(AssignmentReviewPolicy={"PolicyName": "SimplePlurality/2011-09-01"})

    assert re.match(mturk_message('The value "SimplePlurality/2011-09-01" is not valid for the parameter '
                                  "AssignmentReviewPolicy.PolicyName. The AssignmentReviewPolicy must be "
                                  "ScoreMyKnownAnswers/2011-09-01."), excinfo.value.response["Error"]["Message"])


def test_hit_without_policies_has_empty_report(mturk_client):
    hit = mturk_client.create_hit(MaxAssignments=1, LifetimeInSeconds=600, AssignmentDurationInSeconds=600,
                                  Reward="0.05", Title="T", Description="D", Question=html_question())["HIT"]
    report = mturk_client.list_review_policy_results_for_hit(HITId=hit["HITId"])

    assert report["HITId"] == hit["HITId"]
    assert "AssignmentReviewPolicy" not in report
    assert report["AssignmentReviewReport"] == {"ReviewResults": [], "ReviewActions": []}
