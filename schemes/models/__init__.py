from .eligibility import EligibilityCheck, EligibilityRule, Severity
from .enrolment import (
    Application,
    ApplicationStatus,
    Enrolment,
    EnrolmentStatus,
    LeaveKind,
    ParticipantRole,
)
from .scheme import Cohort, Intake, Scheme

__all__ = [
    "Application",
    "ApplicationStatus",
    "Cohort",
    "EligibilityCheck",
    "EligibilityRule",
    "Enrolment",
    "EnrolmentStatus",
    "Intake",
    "LeaveKind",
    "ParticipantRole",
    "Scheme",
    "Severity",
]
