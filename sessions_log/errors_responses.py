"""Every refusal of the form-responses part of sessions_log, with a stable code and its message
in plain words (pages show it by the field or as a message; tests assert the code)."""

from django.db import models


class ResponseRefusal(models.TextChoices):
    NOT_A_MEMBER = "not_a_member", "Only the mentor and mentee of this mentorship can do that."
    WRONG_ROLE = "wrong_role", "This form is not one you fill in on this mentorship."
    NOT_USED = "not_used", "This scheme does not use this form."
    NOT_NOW = "not_now", "This form cannot be filled in at this stage of the mentorship."
    NO_TEMPLATE = "no_template", "This scheme has no such form yet."
    ALREADY_STARTED = "already_started", "This form has already been started."
    NOT_EDITABLE = "not_editable", "You cannot change this form."
    FIXED_ONCE_SUBMITTED = (
        "fixed_once_submitted",
        "This form was submitted and can no longer be changed.",
    )
    INVALID_ANSWERS = "invalid_answers", "Some answers need correcting."
    WRONG_SESSION = "wrong_session", "Choose a session of this mentorship."
    NOT_THE_AUTHOR = "not_the_author", "Only the person who wrote it can share it."
    NOT_SHAREABLE = "not_shareable", "Only a form private to you can be shared with your mentor."
    SUBMIT_FIRST = "submit_first", "Submit the form before you share it."
    NOT_YOUR_ENROLMENT = "not_your_enrolment", "This survey is for someone else."
    NOT_A_SURVEY = "not_a_survey", "That is not a survey."
    SURVEY_NOT_SENT = "survey_not_sent", "This survey has not been sent to you."


class ResponseError(Exception):
    """A refused write, with its code; ``errors`` holds the field errors of refused answers."""

    def __init__(self, code: ResponseRefusal, errors: dict | None = None, existing=None):
        self.code = code
        self.message = code.label
        self.errors = errors or {}
        self.existing = existing
        super().__init__(self.message)
