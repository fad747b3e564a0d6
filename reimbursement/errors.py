"""Every refusal of the reimbursement app: a stable code and a plain-English message, in one place.

Claim refusals are written to read after a field's label online and after ``line N: column:`` in
an import, so each message is a sentence in the lower case that both accept.
"""

from dataclasses import dataclass
from enum import StrEnum


class ClaimRefusal(StrEnum):
    NOT_A_MENTOR = "not_a_mentor"
    SCHEME_UNPAID = "scheme_unpaid"
    TRAINING_NOT_PAID = "training_not_paid"
    FUTURE_DATE = "future_date"
    BEFORE_ENROLMENT = "before_enrolment"
    AFTER_LEAVING = "after_leaving"
    WHILE_PAUSED = "while_paused"
    NOT_ELIGIBLE_ON_DATE = "not_eligible_on_date"
    NO_RATE_ON_DATE = "no_rate_on_date"
    DUPLICATE_WEEK = "duplicate_week"
    DUPLICATE_MEETING = "duplicate_meeting"
    DUPLICATE_TRAINING = "duplicate_training"
    OVER_TRAINING_CAP = "over_training_cap"
    NO_MENTORING_PLAN = "no_mentoring_plan"
    NO_ACTIVITY = "no_activity"
    SESSION_NOT_CLAIMABLE = "session_not_claimable"
    TRAINING_RECORD_REQUIRED = "training_record_required"
    AMOUNT_TYPED = "amount_typed"
    # deciding
    ALREADY_DECIDED = "already_decided"
    OWN_CLAIM = "own_claim"
    NOT_COORDINATOR = "not_coordinator"
    REASON_REQUIRED = "reason_required"


CLAIM_MESSAGES = {
    ClaimRefusal.NOT_A_MENTOR: "{person} is not a mentor on {scheme}.",
    ClaimRefusal.SCHEME_UNPAID: "{scheme} does not pay for mentoring.",
    ClaimRefusal.TRAINING_NOT_PAID: "{scheme} does not pay for mentorship training.",
    ClaimRefusal.FUTURE_DATE: "the date claimed cannot be in the future.",
    ClaimRefusal.BEFORE_ENROLMENT: "{date} is before {person} joined {scheme} as a mentor ({joined}).",
    ClaimRefusal.AFTER_LEAVING: "{date} is after {person} left {scheme} ({left}).",
    ClaimRefusal.WHILE_PAUSED: "{person} has been paused on {scheme} since {paused}, so {date} cannot be claimed.",
    ClaimRefusal.NOT_ELIGIBLE_ON_DATE: "{person} did not meet {scheme}'s rules for mentors after {until}, so {date} cannot be claimed.",
    ClaimRefusal.NO_RATE_ON_DATE: "{scheme} has no {kind} rate in force on {date}.",
    ClaimRefusal.DUPLICATE_WEEK: "there is already a claim for the week beginning {week}.",
    ClaimRefusal.DUPLICATE_MEETING: "there is already a claim for the meeting on {date}.",
    ClaimRefusal.DUPLICATE_TRAINING: "there is already a claim for training on {date}.",
    ClaimRefusal.OVER_TRAINING_CAP: "{scheme} pays for at most {cap} training sessions, and {claimed} have been claimed.",
    ClaimRefusal.NO_MENTORING_PLAN: "training is paid only once mentoring is arranged: {person} has no mentoring plan or mentee on {scheme} yet.",
    ClaimRefusal.NO_ACTIVITY: "no session is logged as held that week: say what mentoring activity the time was used for.",
    ClaimRefusal.SESSION_NOT_CLAIMABLE: "choose a meeting you held as this mentorship's mentor.",
    ClaimRefusal.TRAINING_RECORD_REQUIRED: "choose the training this session was part of.",
    ClaimRefusal.AMOUNT_TYPED: "the amount comes from the scheme's rate card and cannot be typed in.",
    ClaimRefusal.ALREADY_DECIDED: "this claim has already been decided ({status}).",
    ClaimRefusal.OWN_CLAIM: "nobody may decide their own claim.",
    ClaimRefusal.NOT_COORDINATOR: "only a coordinator of {scheme} may decide its claims.",
    ClaimRefusal.REASON_REQUIRED: "give the mentor the reason the claim is not accepted.",
}


class RunRefusal(StrEnum):
    NOT_DRAFT = "not_draft"
    NOT_APPROVED = "not_approved"
    EMPTY = "empty"
    NOT_FINANCE = "not_finance"
    OWN_PAYMENT = "own_payment"
    NOT_A_PAYER = "not_a_payer"
    BAD_MONTH = "bad_month"
    MONTH_NOT_OVER = "month_not_over"
    ADJUSTMENT_ZERO = "adjustment_zero"
    ADJUSTMENT_REASON = "adjustment_reason"
    NOT_PAID_BY = "not_paid_by"


RUN_MESSAGES = {
    RunRefusal.NOT_DRAFT: "{run} has been approved, so it can no longer change.",
    RunRefusal.NOT_APPROVED: "{run} is still a draft: only an approved run can be exported.",
    RunRefusal.EMPTY: "{run} pays nothing, so there is nothing to approve.",
    RunRefusal.NOT_FINANCE: "only finance staff of {organisation} may approve its payment runs.",
    RunRefusal.OWN_PAYMENT: "you are paid in {run}, so someone else must approve it.",
    RunRefusal.NOT_A_PAYER: "{organisation} pays no scheme's mentors.",
    RunRefusal.BAD_MONTH: "give the month as YYYY-MM, for example 2026-11.",
    RunRefusal.MONTH_NOT_OVER: "{month} has not ended yet: a run pays a month that is over.",
    RunRefusal.ADJUSTMENT_ZERO: "an adjustment is a positive or negative amount, not zero.",
    RunRefusal.ADJUSTMENT_REASON: "say why the adjustment is made.",
    RunRefusal.NOT_PAID_BY: "{scheme} is not paid by an organisation you are finance staff for.",
}


@dataclass(frozen=True)
class Problem:
    code: StrEnum
    field: str
    message: str


def capitalised(message: str) -> str:
    return message[:1].upper() + message[1:]


class ReimbursementError(Exception):
    """One or more refusals, each with its code, the field it belongs to and its message."""

    def __init__(self, *problems: Problem):
        self.problems = list(problems)
        self.code = problems[0].code
        self.codes = [p.code for p in problems]
        self.field = problems[0].field
        self.message = " ".join(capitalised(p.message) for p in problems)
        super().__init__(self.message)

    @classmethod
    def of(cls, code: StrEnum, field: str = "", **values) -> "ReimbursementError":
        return cls(problem(code, field, **values))


def problem(code: StrEnum, field: str = "", **values) -> Problem:
    messages = CLAIM_MESSAGES if isinstance(code, ClaimRefusal) else RUN_MESSAGES
    return Problem(code, field, messages[code].format(**values))
