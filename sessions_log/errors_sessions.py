"""Every refusal of the sessions part of sessions_log, with a stable code and its reasons in plain
words (forms show the message by the field it is about; tests assert the code)."""

from enum import StrEnum


class SessionRefusal(StrEnum):
    NOT_A_MEMBER = "not_a_member"
    MENTOR_ONLY = "mentor_only"
    MENTORSHIP_ENDED = "mentorship_ended"
    DURATION = "duration"
    HELD_IN_FUTURE = "held_in_future"
    NOBODY_ATTENDED = "nobody_attended"
    NOT_INVITED = "not_invited"
    LOCKED = "locked"
    NOT_HELD = "not_held"
    NOT_PLANNED = "not_planned"
    HAS_RESPONSES = "has_responses"
    NOT_LOCKED = "not_locked"
    LOCKED_BY_CLAIM = "locked_by_claim"
    OWNER = "owner"
    EMPTY = "empty"
    NO_TEMPLATE = "no_template"
    NOT_LINE_MANAGER = "not_line_manager"
    NOTHING_CONFIRMED = "nothing_confirmed"


class SessionError(Exception):
    """A refusal: its code and one or more reasons, each a full sentence for the person asking."""

    def __init__(self, code: SessionRefusal, *reasons: str, field: str | None = None):
        self.code = code
        self.reasons = list(reasons)
        self.field = field
        self.message = " ".join(reasons)
        super().__init__(self.message)
