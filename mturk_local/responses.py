"""One method per MTurk API operation: read the parameters, call the backend, build the reply.

`MTurkResponses.dispatch(operation, params)` validates the parameters against
the service model and the server-side rules, runs the operation inside one
backend request, and returns the response body as a dict ready for JSON.
Timestamps are epoch seconds; members without a value are left out.
"""

from __future__ import annotations

import logging
from typing import Callable

from botocore import xform_name

from . import validation
from .backend import Backend
from .errors import UnknownOperationException
from .review_policies import check_review_policy

__all__ = ["MTurkResponses", "hit_to_wire", "assignment_to_wire"]

logger = logging.getLogger(__name__)


def _without_none(fields: dict) -> dict:
    return {key: value for key, value in fields.items() if value is not None}


def hit_to_wire(hit: dict) -> dict:
    """Turn a backend HIT view into the HIT structure of the API."""
    return _without_none({
        "HITId": hit["hit_id"], "HITTypeId": hit["hit_type_id"], "HITGroupId": hit["hit_group_id"],
        "HITLayoutId": hit["hit_layout_id"], "CreationTime": hit["creation_time"], "Title": hit["title"],
        "Description": hit["description"], "Question": hit["question"], "Keywords": hit["keywords"],
        "HITStatus": hit["status"], "MaxAssignments": hit["max_assignments"], "Reward": hit["reward"],
        "AutoApprovalDelayInSeconds": hit["auto_approval_delay"], "Expiration": hit["expiration"],
        "AssignmentDurationInSeconds": hit["assignment_duration"],
        "RequesterAnnotation": hit["requester_annotation"],
        "QualificationRequirements": hit["qualification_requirements"],
        "HITReviewStatus": hit["hit_review_status"], "NumberOfAssignmentsPending": hit["pending"],
        "NumberOfAssignmentsAvailable": hit["available"], "NumberOfAssignmentsCompleted": hit["completed"],
    })


def assignment_to_wire(row: dict) -> dict:
    """Turn an assignment row into the Assignment structure (no Deadline, as the real service)."""
    return _without_none({
        "AssignmentId": row["assignment_id"], "WorkerId": row["worker_id"], "HITId": row["hit_id"],
        "AssignmentStatus": row["status"], "AutoApprovalTime": row["auto_approval_time"],
        "AcceptTime": row["accept_time"], "SubmitTime": row["submit_time"],
        "ApprovalTime": row["approval_time"], "RejectionTime": row["rejection_time"],
        "Answer": row["answer"], "RequesterFeedback": row["requester_feedback"],
    })


def _bonus_to_wire(row: dict) -> dict:
    return {"WorkerId": row["worker_id"], "BonusAmount": row["bonus_amount"], "AssignmentId": row["assignment_id"],
            "Reason": row["reason"], "GrantTime": row["grant_time"]}


def qualification_type_to_wire(row: dict) -> dict:
    """Turn a qualification type row into the QualificationType structure."""
    auto_granted = bool(row["auto_granted"])
    return _without_none({
        "QualificationTypeId": row["qualification_type_id"], "CreationTime": row["creation_time"],
        "Name": row["name"], "Description": row["description"], "Keywords": row["keywords"],
        "QualificationTypeStatus": row["status"], "Test": row["test"],
        "TestDurationInSeconds": row["test_duration"], "AnswerKey": row["answer_key"],
        "RetryDelayInSeconds": row["retry_delay"], "IsRequestable": row["is_requestable"],
        "AutoGranted": auto_granted, "AutoGrantedValue": row["auto_granted_value"] if auto_granted else None,
    })


def qualification_to_wire(row: dict) -> dict:
    return {"QualificationTypeId": row["qualification_type_id"], "WorkerId": row["worker_id"],
            "GrantTime": row["grant_time"], "IntegerValue": row["integer_value"], "Status": row["status"]}


def _qualification_request_to_wire(row: dict) -> dict:
    return _without_none({
        "QualificationRequestId": row["qualification_request_id"], "QualificationTypeId": row["qualification_type_id"],
        "WorkerId": row["worker_id"], "Test": row["test"], "Answer": row["answer"], "SubmitTime": row["submit_time"]})


def _worker_block_to_wire(row: dict) -> dict:
    return {"WorkerId": row["worker_id"], "Reason": row["reason"]}


def _review_report(level: dict | None, retrieve_results: bool, retrieve_actions: bool) -> dict | None:
    if level is None:
        return None
    report = {}
    if retrieve_results:
        report["ReviewResults"] = level["results"]
    if retrieve_actions:
        report["ReviewActions"] = level["actions"]
    return report


def _page(key: str, page, convert: Callable) -> dict:
    body = {"NumResults": len(page.items), key: [convert(item) for item in page.items]}
    if page.next_token is not None:
        body["NextToken"] = page.next_token
    return body


class MTurkResponses:
    """The API operations of this slice, named as botocore names them (`create_hit` for CreateHIT)."""

    def __init__(self, backend: Backend):
        self.backend = backend

    def dispatch(self, operation: str, params: dict) -> dict:
        """Validate `params` and run `operation`; raise an MTurkError for any error reply."""
        handler = getattr(self, xform_name(operation), None) if operation in validation.operation_names() else None
        if handler is None:
            raise UnknownOperationException(f"mturk_local does not implement the operation {operation!r}.")
        validation.validate_against_model(operation, params)
        with self.backend.request():
            return handler(params)

    # Account and HIT types -------------------------------------------------------------------

    def get_account_balance(self, params: dict) -> dict:
        return {"AvailableBalance": f"{self.backend.balance():.2f}"}

    def create_hit_type(self, params: dict) -> dict:
        validation.check_hit_type_properties(params, self.backend.config.min_reward_dollars)
        return {"HITTypeId": self.backend.create_hit_type(**self._hit_type_args(params))}

    @staticmethod
    def _hit_type_args(params: dict) -> dict:
        return {"title": params["Title"], "description": params["Description"], "reward": params["Reward"],
                "assignment_duration": params["AssignmentDurationInSeconds"],
                "auto_approval_delay": params.get("AutoApprovalDelayInSeconds"), "keywords": params.get("Keywords"),
                "qualification_requirements": params.get("QualificationRequirements")}

    # HITs --------------------------------------------------------------------------------------

    @staticmethod
    def _hit_args(params: dict) -> dict:
        return {"lifetime": params["LifetimeInSeconds"], "max_assignments": params.get("MaxAssignments"),
                "question": params.get("Question"), "hit_layout_id": params.get("HITLayoutId"),
                "hit_layout_parameters": params.get("HITLayoutParameters"),
                "requester_annotation": params.get("RequesterAnnotation"),
                "unique_request_token": params.get("UniqueRequestToken"),
                "assignment_review_policy": params.get("AssignmentReviewPolicy"),
                "hit_review_policy": params.get("HITReviewPolicy")}

    @staticmethod
    def _check_review_policies(params: dict) -> None:
        for member in ("AssignmentReviewPolicy", "HITReviewPolicy"):
            if params.get(member) is not None:
                check_review_policy(member, params[member])

    def create_hit(self, params: dict) -> dict:
        validation.check_hit_type_properties(params, self.backend.config.min_reward_dollars)
        validation.check_hit_properties(params)
        self._check_review_policies(params)
        hit_type_id = self.backend.create_hit_type(**self._hit_type_args(params))
        return {"HIT": hit_to_wire(self.backend.create_hit(hit_type_id=hit_type_id, **self._hit_args(params)))}

    def create_hit_with_hit_type(self, params: dict) -> dict:
        validation.check_hit_properties(params)
        self._check_review_policies(params)
        hit = self.backend.create_hit(hit_type_id=params["HITTypeId"], **self._hit_args(params))
        return {"HIT": hit_to_wire(hit)}

    def get_hit(self, params: dict) -> dict:
        return {"HIT": hit_to_wire(self.backend.get_hit(params["HITId"]))}

    def list_hits(self, params: dict) -> dict:
        page = self.backend.list_hits(params.get("NextToken"), params.get("MaxResults"))
        return _page("HITs", page, hit_to_wire)

    def list_reviewable_hits(self, params: dict) -> dict:
        page = self.backend.list_reviewable_hits(params.get("HITTypeId"), params.get("Status"),
                                                 params.get("NextToken"), params.get("MaxResults"))
        return _page("HITs", page, lambda hit_id: {"HITId": hit_id})

    def update_expiration_for_hit(self, params: dict) -> dict:
        self.backend.update_expiration(params["HITId"], params["ExpireAt"])
        return {}

    def delete_hit(self, params: dict) -> dict:
        self.backend.delete_hit(params["HITId"])
        return {}

    # Assignments -----------------------------------------------------------------------------------

    def list_assignments_for_hit(self, params: dict) -> dict:
        page = self.backend.list_assignments(params["HITId"], params.get("AssignmentStatuses"),
                                             params.get("NextToken"), params.get("MaxResults"))
        return _page("Assignments", page, assignment_to_wire)

    def get_assignment(self, params: dict) -> dict:
        assignment, hit = self.backend.get_assignment(params["AssignmentId"])
        return {"Assignment": assignment_to_wire(assignment), "HIT": hit_to_wire(hit)}

    def approve_assignment(self, params: dict) -> dict:
        validation.check_feedback(params)
        self.backend.approve_assignment(params["AssignmentId"], params.get("RequesterFeedback"),
                                        bool(params.get("OverrideRejection")))
        return {}

    def reject_assignment(self, params: dict) -> dict:
        validation.check_feedback(params)
        self.backend.reject_assignment(params["AssignmentId"], params["RequesterFeedback"])
        return {}

    # Bonuses -----------------------------------------------------------------------------------------

    def send_bonus(self, params: dict) -> dict:
        self.backend.send_bonus(worker_id=params["WorkerId"], bonus_amount=params["BonusAmount"],
                                assignment_id=params["AssignmentId"], reason=params["Reason"],
                                unique_request_token=params.get("UniqueRequestToken"))
        return {}

    def list_bonus_payments(self, params: dict) -> dict:
        page = self.backend.list_bonus_payments(params.get("HITId"), params.get("AssignmentId"),
                                                params.get("NextToken"), params.get("MaxResults"))
        return _page("BonusPayments", page, _bonus_to_wire)

    # HIT updates ------------------------------------------------------------------------------------

    def create_additional_assignments_for_hit(self, params: dict) -> dict:
        self.backend.create_additional_assignments(params["HITId"], params["NumberOfAdditionalAssignments"],
                                                   params.get("UniqueRequestToken"))
        return {}

    def update_hit_review_status(self, params: dict) -> dict:
        self.backend.update_hit_review_status(params["HITId"], bool(params.get("Revert")))
        return {}

    def update_hit_type_of_hit(self, params: dict) -> dict:
        self.backend.update_hit_type_of_hit(params["HITId"], params["HITTypeId"])
        return {}

    def get_file_upload_url(self, params: dict) -> dict:
        return {"FileUploadURL": self.backend.file_upload_url(params["AssignmentId"], params["QuestionIdentifier"],
                                                               self.backend.endpoint_url())}

    def list_review_policy_results_for_hit(self, params: dict) -> dict:
        report = self.backend.review_policy_results(params["HITId"], params.get("PolicyLevels"))
        # NOTE: omitted RetrieveResults/RetrieveActions count as true here; the real default is not documented.
        results = params.get("RetrieveResults", True)
        actions = params.get("RetrieveActions", True)
        return _without_none({
            "HITId": report["hit_id"], "AssignmentReviewPolicy": report["assignment_policy"],
            "HITReviewPolicy": report["hit_policy"],
            "AssignmentReviewReport": _review_report(report.get("Assignment"), results, actions),
            "HITReviewReport": _review_report(report.get("HIT"), results, actions)})

    # Qualification types ------------------------------------------------------------------------------

    def create_qualification_type(self, params: dict) -> dict:
        row = self.backend.create_qualification_type(
            name=params["Name"], description=params["Description"], status=params["QualificationTypeStatus"],
            keywords=params.get("Keywords"), retry_delay=params.get("RetryDelayInSeconds"), test=params.get("Test"),
            answer_key=params.get("AnswerKey"), test_duration=params.get("TestDurationInSeconds"),
            auto_granted=bool(params.get("AutoGranted")), auto_granted_value=params.get("AutoGrantedValue"))
        return {"QualificationType": qualification_type_to_wire(row)}

    def get_qualification_type(self, params: dict) -> dict:
        row = self.backend.get_qualification_type(params["QualificationTypeId"])
        return {"QualificationType": qualification_type_to_wire(row)}

    def list_qualification_types(self, params: dict) -> dict:
        page = self.backend.list_qualification_types(
            params.get("Query"), bool(params["MustBeRequestable"]), bool(params.get("MustBeOwnedByCaller")),
            params.get("NextToken"), params.get("MaxResults"))
        return _page("QualificationTypes", page, qualification_type_to_wire)

    _UPDATABLE_QUALIFICATION_MEMBERS = {
        "Description": "description", "QualificationTypeStatus": "status", "Test": "test",
        "AnswerKey": "answer_key", "TestDurationInSeconds": "test_duration", "RetryDelayInSeconds": "retry_delay",
        "AutoGranted": "auto_granted", "AutoGrantedValue": "auto_granted_value",
    }

    def update_qualification_type(self, params: dict) -> dict:
        changes = {column: params[member] for member, column in self._UPDATABLE_QUALIFICATION_MEMBERS.items()
                   if member in params}
        row = self.backend.update_qualification_type(params["QualificationTypeId"], changes)
        return {"QualificationType": qualification_type_to_wire(row)}

    def delete_qualification_type(self, params: dict) -> dict:
        self.backend.delete_qualification_type(params["QualificationTypeId"])
        return {}

    # Workers' qualifications and requests ---------------------------------------------------------------

    def associate_qualification_with_worker(self, params: dict) -> dict:
        self.backend.associate_qualification(params["QualificationTypeId"], params["WorkerId"],
                                             params.get("IntegerValue"))
        return {}

    def disassociate_qualification_from_worker(self, params: dict) -> dict:
        self.backend.disassociate_qualification(params["WorkerId"], params["QualificationTypeId"],
                                                params.get("Reason"))
        return {}

    def get_qualification_score(self, params: dict) -> dict:
        row = self.backend.get_qualification_score(params["QualificationTypeId"], params["WorkerId"])
        return {"Qualification": qualification_to_wire(row)}

    def list_workers_with_qualification_type(self, params: dict) -> dict:
        page = self.backend.list_workers_with_qualification(params["QualificationTypeId"], params.get("Status"),
                                                            params.get("NextToken"), params.get("MaxResults"))
        return _page("Qualifications", page, qualification_to_wire)

    def list_hits_for_qualification_type(self, params: dict) -> dict:
        page = self.backend.list_hits_for_qualification_type(params["QualificationTypeId"], params.get("NextToken"),
                                                             params.get("MaxResults"))
        return _page("HITs", page, hit_to_wire)

    def list_qualification_requests(self, params: dict) -> dict:
        page = self.backend.list_qualification_requests(params.get("QualificationTypeId"), params.get("NextToken"),
                                                        params.get("MaxResults"))
        return _page("QualificationRequests", page, _qualification_request_to_wire)

    def accept_qualification_request(self, params: dict) -> dict:
        self.backend.accept_qualification_request(params["QualificationRequestId"], params.get("IntegerValue"))
        return {}

    def reject_qualification_request(self, params: dict) -> dict:
        self.backend.reject_qualification_request(params["QualificationRequestId"], params.get("Reason"))
        return {}

    # Workers ------------------------------------------------------------------------------------------

    def create_worker_block(self, params: dict) -> dict:
        self.backend.create_worker_block(params["WorkerId"], params["Reason"])
        return {}

    def delete_worker_block(self, params: dict) -> dict:
        self.backend.delete_worker_block(params["WorkerId"])
        return {}

    def list_worker_blocks(self, params: dict) -> dict:
        page = self.backend.list_worker_blocks(params.get("NextToken"), params.get("MaxResults"))
        return _page("WorkerBlocks", page, _worker_block_to_wire)

    def notify_workers(self, params: dict) -> dict:
        failures = self.backend.notify_workers(params["Subject"], params["MessageText"], params["WorkerIds"])
        return {"NotifyWorkersFailureStatuses": failures}

    # Notifications ------------------------------------------------------------------------------------

    def update_notification_settings(self, params: dict) -> dict:
        self.backend.update_notification_settings(params["HITTypeId"], params.get("Notification"),
                                                  params.get("Active"))
        return {}

    def send_test_event_notification(self, params: dict) -> dict:
        self.backend.send_test_event_notification(params["Notification"], params["TestEventType"])
        return {}
