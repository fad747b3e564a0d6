"""The page form for a FormResponse: the template version's questions for one role, and — for an
agenda or a reflection — which session of the mentorship it is about.

Built on ``sessions_log.questions.ResponseForm``, which holds the rules (types, choices,
required-on-submit, conditions); this only shapes it for the NHS.UK page: a required question
loses the "(optional)" of its label, a question shown only after an earlier answer says so in
its hint (the page works without JavaScript), and the browser never blocks saving a draft.
"""

from django import forms
from django.utils import timezone

from sessions_log.models import MentoringSession, SessionStatus
from sessions_log.questions import ResponseForm

SESSION_FIELD = "about-session"  # a name no question key can take (keys are identifiers)


def session_label(session: MentoringSession) -> str:
    starts = timezone.localtime(session.starts_at)
    return f"{starts:%-d %B %Y}, {starts:%H:%M} ({session.get_status_display().lower()})"


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return session_label(obj)


class QuestionsForm(ResponseForm):
    use_required_attribute = False

    def __init__(self, *args, template, role: str, submitting=False, sessions=None, **kwargs):
        super().__init__(
            *args, questions=template.questions, role=role, submitting=submitting, **kwargs
        )
        self.template = template
        texts = {q["key"]: q for q in template.questions}
        self.texts = {q["key"]: q["text"] for q in self.questions}
        self.required_keys = {q["key"] for q in self.questions if q.get("required")}
        for key in self.required_keys:
            self.fields[key].required = True
        for q in self.questions:
            condition = q.get("show_if")
            earlier = texts.get(condition["key"]) if condition else None
            if earlier:
                wanted = _answer_words(earlier, condition.get("equals"))
                note = f"Answer this only if your answer to “{earlier['text']}” was “{wanted}”."
                field = self.fields[q["key"]]
                field.help_text = f"{field.help_text} {note}".strip()
        if sessions is not None:
            self.fields[SESSION_FIELD] = SessionChoiceField(
                queryset=sessions,
                required=False,
                label="Which session is this about?",
                empty_label="Not about one session",
                help_text="Choose one of your sessions, or leave it for a general note.",
            )
            self.order_fields([SESSION_FIELD])

    def add_error(self, field, error):
        """Say which question wants an answer: the error summary lists them all, and "Answer
        this question" five times over tells a screen reader user nothing."""
        question = self.texts.get(field)
        # A field's own validators raise a list of errors, which has no single code.
        if question and getattr(error, "code", None) == "required":
            error = forms.ValidationError(f"Answer “{question}”", code="required")
        super().add_error(field, error)

    def full_clean(self):
        """Required questions are checked by ResponseForm.clean — on submit, and only when
        shown — so the fields themselves never insist."""
        for key in self.required_keys:
            self.fields[key].required = False
        try:
            super().full_clean()
        finally:
            for key in self.required_keys:
                self.fields[key].required = True

    @property
    def session(self) -> MentoringSession | None:
        return self.cleaned_data.get(SESSION_FIELD) if hasattr(self, "cleaned_data") else None


def _answer_words(question: dict, value) -> str:
    if question.get("type") == "yes_no":
        return {"yes": "Yes", "no": "No"}.get(value, str(value))
    return str(value)


def sessions_for(mentorship):
    """The sessions a form may be about: any of the mentorship's that was not cancelled."""
    return MentoringSession.objects.filter(mentorship=mentorship).exclude(
        status=SessionStatus.CANCELLED
    )
