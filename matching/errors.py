"""Every refusal of the matching app, with a stable code and its reasons in plain words."""

from enum import StrEnum


class MatchingRefusal(StrEnum):
    CONFLICT = "conflict"
    NOT_A_MEMBER = "not_a_member"
    ALREADY_ANSWERED = "already_answered"
    NOT_PROPOSED = "not_proposed"
    NOT_ACTIVE = "not_active"
    ALREADY_ENDED = "already_ended"
    ROUND_NOT_READY = "round_not_ready"
    NOTHING_ACCEPTED = "nothing_accepted"
    WRONG_MODE = "wrong_mode"
    NOT_ON_SHORTLIST = "not_on_shortlist"
    GROUP_SHAPE = "group_shape"
    REASON_REQUIRED = "reason_required"
    HARD_CONFLICT_CANNOT_STAND = "hard_conflict_cannot_stand"
    FLAG_RESOLVED = "flag_resolved"
    CAPACITY = "capacity"
    MEETING_IN_FUTURE = "meeting_in_future"
    NO_MENTEE_ATTENDED = "no_mentee_attended"
    PREFERENCES = "preferences"
    NO_ENROLMENT = "no_enrolment"


class MatchingError(Exception):
    """A refusal: its code and one or more reasons, each a full sentence for the person asking."""

    def __init__(self, code: MatchingRefusal, *reasons: str, field: str | None = None):
        self.code = code
        self.reasons = list(reasons)
        self.field = field
        self.message = " ".join(reasons)
        super().__init__(self.message)
