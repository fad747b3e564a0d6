from .eligibility import EligibilityCheck, EligibilityRule, Severity
from .enrolment import (
    Application,
    ApplicationStatus,
    Enrolment,
    EnrolmentStatus,
    LeaveKind,
    ParticipantRole,
)
from .rates import ClaimKind, ClaimUnit, Rate, RateCard
from .reminders import ReminderPlan, plan_for
from .scheme import Cohort, Intake, Scheme

__all__ = [
    "Application",
    "ApplicationStatus",
    "ClaimKind",
    "ClaimUnit",
    "Cohort",
    "EligibilityCheck",
    "EligibilityRule",
    "Enrolment",
    "EnrolmentStatus",
    "Intake",
    "LeaveKind",
    "ParticipantRole",
    "Rate",
    "RateCard",
    "ReminderPlan",
    "Scheme",
    "Severity",
    "plan_for",
]
