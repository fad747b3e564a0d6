"""Forms for sessions: planning or changing one, logging what happened, actions, a mentor's
private notes, the session record's buttons, and the line manager's confirmation.

The rules stay in ``sessions_log.services``; each form hands its cleaned input to a service and
turns a refusal (``SessionError``) into an error by the field it is about, so nothing is saved.
"""

import datetime

from django import forms
from django.utils import timezone

from mentoring.forms import DateField, form_helper
from schemes.models import ParticipantRole
from sessions_log import services
from sessions_log.errors_sessions import SessionError
from sessions_log.models import MentoringSession, SessionMode, SessionStatus

WHOLE_GROUP = "all"


class ServiceForm(forms.Form):
    """A form whose ``save`` calls a service; a refusal becomes an error on the form."""

    def refused(self, refusal: SessionError, default_field: str | None = None) -> None:
        field = refusal.field if refusal.field in self.fields else default_field
        for reason in refusal.reasons or [refusal.message]:
            self.add_error(field, forms.ValidationError(reason, code=str(refusal.code)))

    def call(self, service, default_field=None, **kwargs):
        try:
            return service(**kwargs)
        except SessionError as refusal:
            self.refused(refusal, default_field)
            return None


def _name(member) -> str:
    return member.enrolment.person.full_name


class SessionForm(ServiceForm):
    """When, how long, how and where — and, in a group, with whom."""

    date = DateField(
        label="Date",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the session"},
    )
    time = forms.TimeField(
        label="Start time",
        help_text="Use the 24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the start time",
            "invalid": "Enter the start time like 14:30",
        },
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        help_text=f"From {services.DURATION_MIN} to {services.DURATION_MAX} minutes, for example "
        "60",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the length of the session in minutes",
            "invalid": "Enter the length as a whole number of minutes, like 60",
        },
    )
    mode = forms.ChoiceField(
        label="How will you meet?",
        choices=SessionMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you will meet"},
    )
    location = forms.CharField(
        label="Where",
        help_text="A room or an address, a video link or a phone number.",
        max_length=200,
        required=False,
        error_messages={"max_length": "Where must be 200 characters or fewer"},
    )

    def __init__(self, *args, mentorship, session: MentoringSession | None = None, **kwargs):
        self.mentorship = mentorship
        self.session = session
        self.mentees = [m for m in mentorship.members.all() if m.role == ParticipantRole.MENTEE]
        if session is not None:
            local = timezone.localtime(session.starts_at)
            invited = [a.member_id for a in session.attendance.all()]
            kwargs.setdefault(
                "initial",
                {
                    "date": local.date(),
                    "time": local.strftime("%H:%M"),
                    "duration_minutes": session.duration_minutes,
                    "mode": session.mode,
                    "location": session.location,
                    "with_whom": str(invited[0])
                    if len(invited) == 1 and len(self.mentees) > 1
                    else WHOLE_GROUP,
                },
            )
        else:
            scheme = mentorship.scheme
            kwargs.setdefault(
                "initial", {"duration_minutes": scheme.session_minutes or 60, "with_whom": "all"}
            )
        super().__init__(*args, **kwargs)
        if len(self.mentees) > 1 and (session is None or session.status == SessionStatus.PLANNED):
            self.fields["with_whom"] = forms.ChoiceField(
                label="Who is the session with?",
                choices=[(WHOLE_GROUP, "The whole group")]
                + [(str(m.pk), _name(m)) for m in self.mentees],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose who the session is with"},
            )
        self.helper = form_helper("Save the session" if session else "Plan the session")

    def clean(self):
        cleaned = super().clean()
        date, time = cleaned.get("date"), cleaned.get("time")
        if date and time:
            cleaned["starts_at"] = timezone.make_aware(datetime.datetime.combine(date, time))
        return cleaned

    def chosen_mentees(self):
        choice = self.cleaned_data.get("with_whom", WHOLE_GROUP)
        if "with_whom" not in self.fields:
            return None
        if choice == WHOLE_GROUP:
            return list(self.mentees)
        return [m for m in self.mentees if str(m.pk) == choice]

    def save(self, *, user):
        details = {
            "by": user,
            "starts_at": self.cleaned_data["starts_at"],
            "duration_minutes": self.cleaned_data["duration_minutes"],
            "mode": self.cleaned_data["mode"],
            "location": self.cleaned_data["location"],
            "mentees": self.chosen_mentees(),
        }
        if self.session is None:
            return self.call(services.plan_session, "date", mentorship=self.mentorship, **details)
        return self.call(services.update_session, "date", session=self.session, **details)


class LogForm(ServiceForm):
    """What happened: held, cancelled or did not attend; in a group, who attended."""

    outcome = forms.ChoiceField(
        label="What happened?",
        choices=[
            (SessionStatus.HELD, "The session was held"),
            (SessionStatus.CANCELLED, "The session was cancelled"),
            (SessionStatus.DID_NOT_ATTEND, "The mentee did not attend"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened"},
    )

    def __init__(self, *args, session: MentoringSession, **kwargs):
        self.session = session
        self.invited = [a.member for a in session.attendance.all()]
        if session.status != SessionStatus.PLANNED:
            kwargs.setdefault(
                "initial",
                {
                    "outcome": session.status,
                    "attended": [str(a.member_id) for a in session.attendance.all() if a.attended],
                },
            )
        super().__init__(*args, **kwargs)
        if len(self.invited) > 1:
            self.fields["outcome"].choices = [
                *self.fields["outcome"].choices[:2],
                (SessionStatus.DID_NOT_ATTEND, "No mentee attended"),
            ]
            self.fields["attended"] = forms.MultipleChoiceField(
                label="Who attended?",
                help_text="Only for a session that was held.",
                choices=[(str(m.pk), _name(m)) for m in self.invited],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        self.helper = form_helper("Save what happened")

    def save(self, *, user):
        attended = None
        if "attended" in self.fields:
            chosen = set(self.cleaned_data.get("attended") or [])
            attended = [m for m in self.invited if str(m.pk) in chosen]
        return self.call(
            services.log_session,
            "outcome",
            session=self.session,
            by=user,
            outcome=self.cleaned_data["outcome"],
            attended=attended,
        )


class ActionForm(ServiceForm):
    text = forms.CharField(
        label="Action",
        help_text="What needs doing, in a sentence.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Enter the action",
            "max_length": "The action must be 2000 characters or fewer",
        },
    )
    due_on = DateField(label="Due by", required=False, help_text="Optional. For example, 27 4 2026")

    def __init__(self, *args, session: MentoringSession, **kwargs):
        self.session = session
        super().__init__(*args, **kwargs)
        self.members = list(session.mentorship.members.all())
        self.fields["owner"] = forms.ChoiceField(
            label="Who owns it?",
            choices=[
                (str(m.pk), f"{_name(m)} ({m.get_role_display().lower()})") for m in self.members
            ],
            widget=forms.RadioSelect,
            error_messages={"required": "Choose who owns the action"},
        )
        self.order_fields(["text", "owner", "due_on"])
        self.helper = form_helper("Add the action")

    def save(self, *, user):
        owner = next((m for m in self.members if str(m.pk) == self.cleaned_data["owner"]), None)
        return self.call(
            services.add_action,
            "text",
            session=self.session,
            by=user,
            text=self.cleaned_data["text"],
            owner=owner,
            due_on=self.cleaned_data["due_on"],
        )


class PrivateNoteForm(ServiceForm):
    text = forms.CharField(
        label="Your private notes",
        help_text="Only you can read these: not your mentee, not the coordinators. Leave it empty "
        "to delete them.",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        required=False,
        error_messages={"max_length": "Your notes must be 20000 characters or fewer"},
    )

    def __init__(self, *args, session: MentoringSession, **kwargs):
        self.session = session
        super().__init__(*args, **kwargs)
        self.helper = form_helper("Save my notes")

    def save(self, *, user) -> bool:
        try:
            services.save_private_note(
                session=self.session, by=user, text=self.cleaned_data["text"]
            )
        except SessionError as refusal:
            self.refused(refusal, "text")
            return False
        return True


class EmployerConfirmationForm(ServiceForm):
    contact_confirmed = forms.BooleanField(
        label="The mentor has contacted the mentee (first contact has taken place)",
        required=False,
    )
    protected_time_agreed = forms.BooleanField(
        label="Protected time for mentoring is agreed", required=False
    )

    def __init__(self, *args, confirmation, **kwargs):
        self.confirmation = confirmation
        kwargs.setdefault(
            "initial",
            {
                "contact_confirmed": confirmation.contact_confirmed_at is not None,
                "protected_time_agreed": confirmation.protected_time_agreed_at is not None,
            },
        )
        super().__init__(*args, **kwargs)
        if confirmation.contact_confirmed_at:
            self.fields["contact_confirmed"].disabled = True
        if confirmation.protected_time_agreed_at:
            self.fields["protected_time_agreed"].disabled = True
        self.helper = form_helper("Confirm")

    def save(self, *, user):
        return self.call(
            services.confirm_employer,
            "contact_confirmed",
            confirmation=self.confirmation,
            by=user,
            contact=self.cleaned_data["contact_confirmed"],
            protected_time=self.cleaned_data["protected_time_agreed"],
        )
