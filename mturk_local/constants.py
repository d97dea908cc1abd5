"""Limits, identifiers and defaults of the MTurk requester API (2017-01-17).

Numbers the botocore model does not state come from the legacy API reference
and from client libraries that enforce them (MTurkR), as noted per group.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = [
    "API_VERSION", "TARGET_PREFIX", "JSON_CONTENT_TYPE",
    "MIN_LIFETIME_SECONDS", "MAX_LIFETIME_SECONDS",
    "MIN_ASSIGNMENT_DURATION_SECONDS", "MAX_ASSIGNMENT_DURATION_SECONDS",
    "MIN_AUTO_APPROVAL_DELAY_SECONDS", "MAX_AUTO_APPROVAL_DELAY_SECONDS", "DEFAULT_AUTO_APPROVAL_DELAY_SECONDS",
    "MIN_MAX_ASSIGNMENTS", "MAX_MAX_ASSIGNMENTS", "DEFAULT_MAX_ASSIGNMENTS",
    "MAX_TITLE_LENGTH_CHARS", "MAX_DESCRIPTION_LENGTH_CHARS", "MAX_KEYWORDS_LENGTH_CHARS",
    "MAX_REQUESTER_ANNOTATION_LENGTH_CHARS", "MAX_REQUESTER_FEEDBACK_LENGTH_CHARS",
    "MAX_QUESTION_SIZE_BYTES", "MAX_QUALIFICATION_REQUIREMENTS", "MAX_INTEGER_VALUES", "MAX_LOCALE_VALUES",
    "MIN_EXPIRATION_INCREMENT_SECONDS", "MAX_EXPIRATION_INCREMENT_SECONDS",
    "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE",
    "IDEMPOTENCY_TOKEN_LIFETIME_SECONDS", "OVERRIDE_REJECTION_WINDOW_SECONDS",
    "MIN_REWARD_DOLLARS", "MIN_BONUS_DOLLARS", "SANDBOX_BALANCE_DOLLARS",
    "BASE_FEE_RATE", "MANY_ASSIGNMENTS_FEE_RATE", "MANY_ASSIGNMENTS_THRESHOLD", "MASTERS_FEE_RATE",
    "MIN_FEE_DOLLARS",
    "ID_LENGTH_CHARS", "ID_ALPHABET",
    "HTML_QUESTION_NAMESPACE", "EXTERNAL_QUESTION_NAMESPACE", "QUESTION_FORM_NAMESPACES",
    "LOCALE_QUALIFICATION_ID", "APPROVAL_RATE_QUALIFICATION_ID", "APPROVED_COUNT_QUALIFICATION_ID",
    "ADULT_QUALIFICATION_ID", "MASTERS_QUALIFICATION_IDS", "SYSTEM_QUALIFICATION_IDS",
    "PREVIEW_ASSIGNMENT_ID", "DEFAULT_WORKER_ID",
    "SYSTEM_QUALIFICATION_NAMES", "MAX_QUALIFICATION_TEXT_BYTES", "DEFAULT_AUTO_GRANTED_VALUE",
    "ANSWER_KEY_NAMESPACE", "QUESTION_FORM_ANSWERS_NAMESPACE",
    "MAX_NOTIFY_SUBJECT_CHARS", "MAX_NOTIFY_MESSAGE_CHARS", "MAX_NOTIFY_WORKER_IDS", "MAX_WORKER_BLOCKS",
    "NOTIFICATION_VERSION", "NOTIFICATION_EVENT_TYPES", "FILE_UPLOAD_URL_LIFETIME_SECONDS",
    "SCORE_MY_KNOWN_ANSWERS_POLICY", "SIMPLE_PLURALITY_POLICY",
]

API_VERSION = "2017-01-17"
TARGET_PREFIX = "MTurkRequesterServiceV20170117"
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"

# HIT timing, legacy CreateHIT / RegisterHITType reference and MTurkR checks.
MIN_LIFETIME_SECONDS = 30
MAX_LIFETIME_SECONDS = 31_536_000  # 365 days
MIN_ASSIGNMENT_DURATION_SECONDS = 30
MAX_ASSIGNMENT_DURATION_SECONDS = 31_536_000
MIN_AUTO_APPROVAL_DELAY_SECONDS = 0
MAX_AUTO_APPROVAL_DELAY_SECONDS = 2_592_000  # 30 days
DEFAULT_AUTO_APPROVAL_DELAY_SECONDS = 2_592_000
MIN_MAX_ASSIGNMENTS = 1
MAX_MAX_ASSIGNMENTS = 1_000_000_000
DEFAULT_MAX_ASSIGNMENTS = 1

# Text sizes, MTurkR checks and the botocore documentation of Question.
MAX_TITLE_LENGTH_CHARS = 128
MAX_DESCRIPTION_LENGTH_CHARS = 2000
MAX_KEYWORDS_LENGTH_CHARS = 1000
MAX_REQUESTER_ANNOTATION_LENGTH_CHARS = 255
# NOTE: 1024 is recalled from the legacy reference, not confirmed for the 2017 API.
MAX_REQUESTER_FEEDBACK_LENGTH_CHARS = 1024
MAX_QUESTION_SIZE_BYTES = 65_535

# QualificationRequirement rules from the botocore documentation of the structure.
MAX_QUALIFICATION_REQUIREMENTS = 10
MAX_INTEGER_VALUES = 15
MAX_LOCALE_VALUES = 30

# UpdateExpirationForHIT: a later ExpireAt must extend the HIT by this much.
MIN_EXPIRATION_INCREMENT_SECONDS = 60
MAX_EXPIRATION_INCREMENT_SECONDS = 31_536_000

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100

IDEMPOTENCY_TOKEN_LIFETIME_SECONDS = 24 * 3600
OVERRIDE_REJECTION_WINDOW_SECONDS = 30 * 24 * 3600

# Money, in US dollars, with the fee rules of MTurk's July 2015 pricing. The fee
# is 20 % of a reward or bonus, at least $0.01. HITs with 10 or more assignments
# pay 20 % more on the reward, and Masters 5 % more. Fees round half up to the cent.
MIN_REWARD_DOLLARS = Decimal("0.01")
MIN_BONUS_DOLLARS = Decimal("0.01")
SANDBOX_BALANCE_DOLLARS = Decimal("10000.00")
BASE_FEE_RATE = Decimal("0.20")
MANY_ASSIGNMENTS_FEE_RATE = Decimal("0.20")
MANY_ASSIGNMENTS_THRESHOLD = 10
MASTERS_FEE_RATE = Decimal("0.05")
MIN_FEE_DOLLARS = Decimal("0.01")

# Generated ids look like the real ones: 30 characters of [0-9A-Z].
ID_LENGTH_CHARS = 30
ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_SCHEMA_BASE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
HTML_QUESTION_NAMESPACE = _SCHEMA_BASE + "2011-11-11/HTMLQuestion.xsd"
EXTERNAL_QUESTION_NAMESPACE = _SCHEMA_BASE + "2006-07-14/ExternalQuestion.xsd"
QUESTION_FORM_NAMESPACES = (
    _SCHEMA_BASE + "2005-10-01/QuestionForm.xsd",
    _SCHEMA_BASE + "2017-11-06/QuestionForm.xsd",
)

# System qualification types (same ids in the sandbox and production except Masters).
LOCALE_QUALIFICATION_ID = "00000000000000000071"
APPROVAL_RATE_QUALIFICATION_ID = "000000000000000000L0"
APPROVED_COUNT_QUALIFICATION_ID = "00000000000000000040"
ADULT_QUALIFICATION_ID = "00000000000000000060"
MASTERS_QUALIFICATION_IDS = ("2F1QJWKUDD8XADTFD2Q0G6UTO95ALH", "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6")
SYSTEM_QUALIFICATION_IDS = (
    LOCALE_QUALIFICATION_ID, APPROVAL_RATE_QUALIFICATION_ID, APPROVED_COUNT_QUALIFICATION_ID,
    ADULT_QUALIFICATION_ID, *MASTERS_QUALIFICATION_IDS,
)

# Worker pages.
PREVIEW_ASSIGNMENT_ID = "ASSIGNMENT_ID_NOT_AVAILABLE"
DEFAULT_WORKER_ID = "ALOCALSTUDENT01"

# The service disposes of every HIT this long after it was created (DeleteHIT's
# documentation in the 2017-01-17 API reference: "automatically disposed of after 120 days").
AUTO_DISPOSE_AFTER_SECONDS = 120 * 24 * 3600

# A ledger of created HITs that the helpers package keeps in the state folder.
# Reset removes it with the database, because it names HITs that reset deletes.
LEDGER_FILE_NAME = "ledger.json"

# Names of the system qualification types as ListQualificationTypes shows them.
# NOTE: the names and descriptions are inferred from the documentation's tables,
# not copied from a real ListQualificationTypes reply.
SYSTEM_QUALIFICATION_NAMES = {
    MASTERS_QUALIFICATION_IDS[0]: ("Masters", "Workers who have shown high accuracy on many HITs (production)."),
    MASTERS_QUALIFICATION_IDS[1]: ("Masters", "Workers who have shown high accuracy on many HITs (sandbox)."),
    APPROVED_COUNT_QUALIFICATION_ID: ("Worker_NumberHITsApproved",
                                      "The number of HITs of this worker that requesters approved."),
    LOCALE_QUALIFICATION_ID: ("Worker_Locale", "The country, and optionally the subdivision, of the worker."),
    ADULT_QUALIFICATION_ID: ("Worker_Adult", "1 when the worker agreed to see adult content."),
    APPROVAL_RATE_QUALIFICATION_ID: ("Worker_PercentAssignmentsApproved",
                                     "The percentage of this worker's assignments that requesters approved."),
}

# Qualification types, from the botocore documentation of CreateQualificationType.
MAX_QUALIFICATION_TEXT_BYTES = 65_535  # Test and AnswerKey
DEFAULT_AUTO_GRANTED_VALUE = 1
ANSWER_KEY_NAMESPACE = _SCHEMA_BASE + "2005-10-01/AnswerKey.xsd"
QUESTION_FORM_ANSWERS_NAMESPACE = _SCHEMA_BASE + "2005-10-01/QuestionFormAnswers.xsd"

# NotifyWorkers and CreateWorkerBlock limits from the botocore documentation.
MAX_NOTIFY_SUBJECT_CHARS = 200
MAX_NOTIFY_MESSAGE_CHARS = 4096
MAX_NOTIFY_WORKER_IDS = 100
MAX_WORKER_BLOCKS = 100_000

# Notifications: the only NotificationSpecification version of the 2017 API.
NOTIFICATION_VERSION = "2006-05-05"
NOTIFICATION_EVENT_TYPES = (
    "AssignmentAccepted", "AssignmentAbandoned", "AssignmentReturned", "AssignmentSubmitted",
    "AssignmentRejected", "AssignmentApproved", "HITCreated", "HITExpired", "HITReviewable", "HITExtended",
    "HITDisposed", "Ping",
)

# GetFileUploadURL: the URL is valid for 60 seconds.
FILE_UPLOAD_URL_LIFETIME_SECONDS = 60

# The two review policies MTurk offers.
SCORE_MY_KNOWN_ANSWERS_POLICY = "ScoreMyKnownAnswers/2011-09-01"
SIMPLE_PLURALITY_POLICY = "SimplePlurality/2011-09-01"
