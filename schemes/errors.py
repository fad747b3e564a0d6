"""Every refusal of the schemes app: a stable code and a plain-English message, in one place."""

from enum import StrEnum


class SchemeRefusal(StrEnum):
    INTAKE_CLOSED = "intake_closed"
    ALREADY_APPLIED = "already_applied"
    ALREADY_ENROLLED = "already_enrolled"
    NOT_ELIGIBLE = "not_eligible"
    NOT_SUBMITTED = "not_submitted"
    NOT_ON_WAITING_LIST = "not_on_waiting_list"
    FEEDBACK_REQUIRED = "feedback_required"
    NOT_PAUSED = "not_paused"
    NOT_ACTIVE = "not_active"
    ALREADY_LEFT = "already_left"
    LEAVE_BEFORE_JOINING = "leave_before_joining"
    LEAVE_IN_FUTURE = "leave_in_future"
    CAPACITY_OUT_OF_RANGE = "capacity_out_of_range"
    COHORT_REQUIRED = "cohort_required"
    COHORT_OF_ANOTHER_SCHEME = "cohort_of_another_scheme"
    SCHEME_FULL = "scheme_full"


MESSAGES = {
    SchemeRefusal.INTAKE_CLOSED: "Applications to {scheme} as a {role} are not open at the moment.",
    SchemeRefusal.ALREADY_APPLIED: "There is already an application to {scheme} as a {role} waiting for a decision.",
    SchemeRefusal.ALREADY_ENROLLED: "{person} is already enrolled on {scheme} as a {role}.",
    SchemeRefusal.NOT_ELIGIBLE: "{person} does not meet the scheme's rules: {reasons}",
    SchemeRefusal.NOT_SUBMITTED: "This application has already been decided ({status}).",
    SchemeRefusal.NOT_ON_WAITING_LIST: "This application is not on the waiting list.",
    SchemeRefusal.FEEDBACK_REQUIRED: "Give the applicant feedback on the decision and how to reapply.",
    SchemeRefusal.NOT_PAUSED: "Only a paused enrolment can be resumed.",
    SchemeRefusal.NOT_ACTIVE: "Only an active enrolment can be paused.",
    SchemeRefusal.ALREADY_LEFT: "{person} has already left {scheme}.",
    SchemeRefusal.LEAVE_BEFORE_JOINING: "The leaving date cannot be before they joined ({joined}).",
    SchemeRefusal.LEAVE_IN_FUTURE: "The leaving date cannot be in the future.",
    SchemeRefusal.CAPACITY_OUT_OF_RANGE: "A mentor on {scheme} takes between {low} and {high} mentees.",
    SchemeRefusal.COHORT_REQUIRED: "Choose the mentee's cohort.",
    SchemeRefusal.COHORT_OF_ANOTHER_SCHEME: "That cohort belongs to another scheme.",
    SchemeRefusal.SCHEME_FULL: "{scheme} has reached its cap of {cap} mentors.",
}


class SchemeError(Exception):
    """A refusal with its code, message and (optionally) the form field it belongs to."""

    def __init__(self, code: SchemeRefusal, *, field: str | None = None, **values):
        self.code = code
        self.field = field
        self.message = MESSAGES[code].format(**values)
        super().__init__(self.message)


class EnrolmentImportRefusal(StrEnum):
    """Refusals of ``import_enrolments`` rows (file and cell problems use the register's codes)."""

    UNKNOWN_SCHEME = "unknown_scheme"
    SCHEME_OUT_OF_SCOPE = "scheme_out_of_scope"
    UNKNOWN_COHORT = "unknown_cohort"
    NO_COHORT_FOR_MENTORS = "no_cohort_for_mentors"
    NO_CAPACITY_FOR_MENTEES = "no_capacity_for_mentees"
    CAPACITY_OUT_OF_RANGE = "capacity_out_of_range"
    LEFT_BEFORE_JOINING = "left_before_joining"
    JOINED_IN_FUTURE = "joined_in_future"
    ALREADY_ENROLLED = "already_enrolled"
    NOT_ELIGIBLE = "not_eligible"


IMPORT_MESSAGES = {
    EnrolmentImportRefusal.UNKNOWN_SCHEME: "no scheme has the slug “{slug}”.",
    EnrolmentImportRefusal.SCHEME_OUT_OF_SCOPE: "“{slug}” is not one of the schemes you coordinate.",
    EnrolmentImportRefusal.UNKNOWN_COHORT: "“{cohort}” is not a cohort of {scheme} (its cohorts are: {cohorts}).",
    EnrolmentImportRefusal.NO_COHORT_FOR_MENTORS: "only mentees belong to a cohort: leave it blank for a mentor.",
    EnrolmentImportRefusal.NO_CAPACITY_FOR_MENTEES: "only mentors have a capacity: leave it blank for a mentee.",
    EnrolmentImportRefusal.CAPACITY_OUT_OF_RANGE: "a mentor on {scheme} takes between {low} and {high} mentees.",
    EnrolmentImportRefusal.LEFT_BEFORE_JOINING: "this is before the date they joined.",
    EnrolmentImportRefusal.JOINED_IN_FUTURE: "this date is in the future.",
    EnrolmentImportRefusal.ALREADY_ENROLLED: "already enrolled on {scheme} as a {role} since {joined}.",
    EnrolmentImportRefusal.NOT_ELIGIBLE: "does not meet the scheme's rules for mentors: {reasons}",
}
