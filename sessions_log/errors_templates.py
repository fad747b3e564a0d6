"""Every refusal of the form-templates part of sessions_log, with a stable code and its reasons
in plain words (the admin shows them by the field they are about; tests assert the code)."""

from enum import StrEnum


class TemplateRefusal(StrEnum):
    INVALID_QUESTIONS = "invalid_questions"
    NOT_CURRENT = "not_current"
    ALREADY_CUSTOMISED = "already_customised"
    NOT_A_DEFAULT = "not_a_default"


class TemplateError(Exception):
    """A refusal: its code and one or more reasons, each a full sentence for the person asking."""

    def __init__(self, code: TemplateRefusal, *reasons: str, field: str | None = None):
        self.code = code
        self.reasons = list(reasons)
        self.field = field
        self.message = " ".join(reasons)
        super().__init__(self.message)
