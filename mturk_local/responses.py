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
        validation.check_hit_type_properties(params)
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
                "unique_request_token": params.get("UniqueRequestToken")}

    def create_hit(self, params: dict) -> dict:
        validation.check_hit_type_properties(params)
        validation.check_hit_properties(params)
        hit_type_id = self.backend.create_hit_type(**self._hit_type_args(params))
        return {"HIT": hit_to_wire(self.backend.create_hit(hit_type_id=hit_type_id, **self._hit_args(params)))}

    def create_hit_with_hit_type(self, params: dict) -> dict:
        validation.check_hit_properties(params)
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
