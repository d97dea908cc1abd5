"""Exceptions that map to MTurk's error responses.

MTurkError                      base: HTTP status, `__type`, message
├── RequestError                business rule broken (HTTP 400, `TurkErrorCode`)
│   ├── HITDoesNotExist         unknown or deleted HIT
│   ├── HITTypeDoesNotExist     unknown HIT type
│   ├── AssignmentDoesNotExist  unknown assignment, or one not yet submitted
│   ├── InvalidAssignmentState  approve/reject/get in the wrong assignment status
│   ├── InvalidHITState         DeleteHIT on a HIT that is not done
│   ├── HitAlreadyExists        CreateHIT* repeated with a used UniqueRequestToken
│   ├── DuplicateRequest        SendBonus repeated with a used UniqueRequestToken
│   ├── InsufficientFunds       production-mode balance too low
│   ├── QualificationTypeDoesNotExist
│   ├── QualificationTypeAlreadyExists  CreateQualificationType with a name already used
│   ├── QualificationDoesNotExist       the worker never held the qualification
│   └── InvalidMaximumAssignmentsIncrease  CreateAdditionalAssignmentsForHIT crossing 10
├── ParameterValidationError    a value MTurk itself rejects (HTTP 400, may name `Parameter`)
├── ValidationException         model constraint (pattern, enum, length, range, required)
├── SerializationException      body is not JSON or a member has the wrong JSON type
├── UnknownOperationException   X-Amz-Target names no implemented operation
└── ServiceFault                unexpected failure inside the service (HTTP 500)

MTurk appends ` (<epoch milliseconds>)` to the messages it generates; `to_body`
adds it for RequestError, ParameterValidationError and ServiceFault.
"""

from __future__ import annotations

__all__ = [
    "MTurkError", "RequestError", "HITDoesNotExist", "HITTypeDoesNotExist", "AssignmentDoesNotExist",
    "InvalidAssignmentState", "InvalidHITState", "HitAlreadyExists", "DuplicateRequest",
    "InsufficientFunds", "QualificationTypeDoesNotExist", "QualificationTypeAlreadyExists",
    "QualificationDoesNotExist", "InvalidMaximumAssignmentsIncrease", "ParameterValidationError",
    "ValidationException", "SerializationException", "UnknownOperationException", "ServiceFault",
]


class MTurkError(Exception):
    """Base class: an error that becomes an AWS JSON 1.1 error body."""

    error_type = "MTurkError"
    http_status = 400
    adds_timestamp = True

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def to_body(self, now_ms: int) -> dict:
        """Build the JSON error body; `now_ms` is the service time in epoch milliseconds."""
        message = f"{self.message} ({now_ms})" if self.adds_timestamp else self.message
        return {"__type": self.error_type, "Message": message}


class RequestError(MTurkError):
    error_type = "RequestError"
    turk_error_code = "AWS.MechanicalTurk.RequestError"

    def __init__(self, message: str, turk_error_code: str | None = None):
        super().__init__(message)
        if turk_error_code is not None:
            self.turk_error_code = turk_error_code

    def to_body(self, now_ms: int) -> dict:
        body = super().to_body(now_ms)
        body["TurkErrorCode"] = self.turk_error_code
        return body


class HITDoesNotExist(RequestError):
    turk_error_code = "AWS.MechanicalTurk.HITDoesNotExist"

    def __init__(self, hit_id: str):
        super().__init__(f"Hit {hit_id} does not exist.")


class HITTypeDoesNotExist(RequestError):
    # NOTE: wording and code are modelled on HITDoesNotExist; the real text was not observed.
    turk_error_code = "AWS.MechanicalTurk.HITTypeDoesNotExist"

    def __init__(self, hit_type_id: str):
        super().__init__(f"HITType {hit_type_id} does not exist.")


class AssignmentDoesNotExist(RequestError):
    turk_error_code = "AWS.MechanicalTurk.AssignmentDoesNotExist"

    def __init__(self, assignment_id: str):
        super().__init__(f"Assignment {assignment_id} does not exist.")


class InvalidAssignmentState(RequestError):
    turk_error_code = "AWS.MechanicalTurk.InvalidAssignmentState"

    def __init__(self, allowed_statuses: str):
        super().__init__(f"This operation can be called with a status of: {allowed_statuses}")


class InvalidHITState(RequestError):
    turk_error_code = "AWS.MechanicalTurk.InvalidHITState"

    def __init__(self, hit_status: str, allowed_statuses: str = "Reviewing, Reviewable"):
        # The double space is in the real message.
        super().__init__(f"This HIT is currently in the state '{hit_status}'.  "
                         f"This operation can be called with a status of: {allowed_statuses}")


class HitAlreadyExists(RequestError):
    turk_error_code = "AWS.MechanicalTurk.HitAlreadyExists"

    def __init__(self, hit_id: str):
        super().__init__(f"There is already a HIT which exists with the same UniqueRequestToken. HITId: {hit_id}")


class DuplicateRequest(RequestError):
    # NOTE: the code is documented for a repeated token; the wording was never observed.
    turk_error_code = "AWS.MechanicalTurk.DuplicateRequest"

    def __init__(self, token: str, consequence: str):
        super().__init__(f'The idempotency token "{token}" has already been processed; {consequence}')


class InsufficientFunds(RequestError):
    turk_error_code = "AWS.MechanicalTurk.InsufficientFunds"

    def __init__(self):
        super().__init__("This Requester has insufficient funds in their account to complete this transaction.")


class QualificationTypeDoesNotExist(RequestError):
    # NOTE: inferred wording and code; the real text was not observed.
    turk_error_code = "AWS.MechanicalTurk.QualificationTypeDoesNotExist"

    def __init__(self, qualification_type_id: str):
        super().__init__(f"QualificationType {qualification_type_id} does not exist.")


class QualificationTypeAlreadyExists(RequestError):
    turk_error_code = "AWS.MechanicalTurk.QualificationTypeAlreadyExists"

    def __init__(self):
        super().__init__("You have already created a QualificationType with this name. A QualificationType's name "
                         "must be unique among all of the QualificationTypes created by the same user.")


class QualificationDoesNotExist(RequestError):
    turk_error_code = "AWS.MechanicalTurk.QualificationDoesNotExist"

    def __init__(self):
        super().__init__("You requested a Qualification that does not exist.")


class InvalidMaximumAssignmentsIncrease(RequestError):
    # NOTE: the code is documented; the wording was never observed.
    turk_error_code = "AWS.MechanicalTurk.InvalidMaximumAssignmentsIncrease"

    def __init__(self, hit_id: str, current: int, additional: int):
        super().__init__(f"HITs created with fewer than 10 assignments cannot be extended to have 10 or more "
                         f"assignments. HIT {hit_id} has {current}; adding {additional} would make "
                         f"{current + additional}.")


class ParameterValidationError(MTurkError):
    error_type = "ParameterValidationError"
    turk_error_code = "AWS.MechanicalTurk.InvalidParameterValue"

    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(message)
        self.parameter = parameter

    @classmethod
    def out_of_range(cls, parameter: str, value, low, high) -> "ParameterValidationError":
        """Build MTurk's range message, e.g. `The value 20 is invalid for LifetimeInSeconds. ...`."""
        return cls(f"The value {value} is invalid for {parameter}. Valid values range from {low} to {high}.",
                   parameter)

    @classmethod
    def invalid_value(cls, parameter: str, value: str, reason: str = "") -> "ParameterValidationError":
        """Build `The value "<v>" is not valid for the parameter <P>.` plus an optional reason."""
        message = f'The value "{value}" is not valid for the parameter {parameter}.'
        if reason:
            message += " " + reason
        return cls(message, parameter)

    def to_body(self, now_ms: int) -> dict:
        body = super().to_body(now_ms)
        if self.parameter is not None:
            body["Parameter"] = self.parameter
        body["TurkErrorCode"] = self.turk_error_code
        return body


class ValidationException(MTurkError):
    """Model constraint violations, worded like AWS's Coral validator (no timestamp suffix)."""

    error_type = "ValidationException"
    adds_timestamp = False

    def __init__(self, violations: list[str]):
        count = len(violations)
        noun = "error" if count == 1 else "errors"
        super().__init__(f"{count} validation {noun} detected: " + "; ".join(violations))
        self.violations = violations

    def to_body(self, now_ms: int) -> dict:
        return {"__type": self.error_type, "message": self.message}


class SerializationException(MTurkError):
    error_type = "SerializationException"
    adds_timestamp = False


class UnknownOperationException(MTurkError):
    error_type = "UnknownOperationException"
    adds_timestamp = False


class ServiceFault(MTurkError):
    error_type = "ServiceFault"
    http_status = 500
    turk_error_code = "AWS.MechanicalTurk.ServiceFault"

    def __init__(self, message: str = "Amazon Mechanical Turk is temporarily unable to process your request. "
                                      "Try your call again."):
        super().__init__(message)

    def to_body(self, now_ms: int) -> dict:
        body = super().to_body(now_ms)
        body["TurkErrorCode"] = self.turk_error_code
        return body
