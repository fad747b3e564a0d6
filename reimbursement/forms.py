"""The mentor's claim form: what they claim for and when, never how much.

The rules stay in ``reimbursement.claims``: the form asks only for what the service needs, hands it
to ``submit_claim`` and shows each refusal by the field it is about, so nothing is saved and
nothing typed is lost. The amount comes from the scheme's rate card when the claim is approved,
so a form that sends one is refused outright.
"""

import datetime

from django import forms
from django.utils import timezone

from mentoring.forms import DateField
from mentoring.models import Person, TrainingRecord
from reimbursement import claims
from reimbursement.errors import (
    ClaimRefusal,
    Problem,
    ReimbursementError,
    capitalised,
    problem,
)
from reimbursement.models import Claim, ClaimUnit
from schemes.models import ClaimKind, Scheme
from schemes.models import ClaimUnit as SchemeUnit
from sessions_log.models import MentoringSession

# the fields a refusal may be about; any other (e.g. "email") is about the whole claim
FIELDS = ("claim_date", "kind", "activity", "session", "training_record")


def pays_mentoring(scheme: Scheme) -> bool:
    return scheme.rate_card.claim_unit != SchemeUnit.NONE


def pays_training(scheme: Scheme) -> bool:
    return scheme.rate_card.training_cap > 0


def schemes_to_claim_on(person: Person | None) -> list[Scheme]:
    """The paying schemes ``person`` is (or was) a mentor on that pay for something."""
    if person is None:
        return []
    return [s for s in claims.paid_schemes_of(person) if pays_mentoring(s) or pays_training(s)]


def refusal_message(code: ClaimRefusal, **values) -> str:
    return capitalised(problem(code, **values).message)


def meeting_label(session: MentoringSession, scheme: Scheme | None = None) -> str:
    local = timezone.localtime(session.starts_at)
    label = (
        f"{local:%A %-d %B %Y, %H:%M}: {session.get_mode_display().lower()}, "
        f"{session.duration_minutes} minutes"
    )
    return f"{label} ({scheme.name})" if scheme else label


class ClaimForm(forms.Form):
    """A claim for a week of mentoring activity, a meeting held, or a training session.

    ``schemes`` are those the mentor may claim on (``schemes_to_claim_on``); the scheme is asked
    for only when there is more than one. ``checking`` is the "show the sessions I held that week"
    step: only the scheme and date are needed, and the rules about that date are checked.
    """

    claim_date = DateField(
        label="Date",
        error_messages={"invalid": "Enter a real date, like 27 3 2026"},
    )
    activity = forms.CharField(
        label="What did you use the time for?",
        help_text="Preparation, follow-up, travel, other GP retention activities. Needed for a "
        "week with no session logged as held.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        required=False,
        error_messages={"max_length": "Say what you used the time for in 5000 characters or fewer"},
    )

    def __init__(
        self,
        data=None,
        *,
        person: Person,
        schemes: list[Scheme],
        checking: bool = False,
        **kwargs,
    ):
        self.person = person
        self.schemes = {str(s.pk): s for s in schemes}
        self.checking = checking
        self.claim: Claim | None = None
        self.day: datetime.date | None = None  # the date typed, once it is a real date
        if checking and data is not None and not data.get("kind"):
            data = data.copy()  # the week's sessions are about mentoring
            data["kind"] = ClaimKind.MENTORING
        super().__init__(data, **kwargs)
        many = len(schemes) > 1
        if many:
            self.fields["scheme"] = forms.ChoiceField(
                label="Which scheme are you claiming on?",
                choices=[(pk, s.name) for pk, s in self.schemes.items()],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose the scheme you are claiming on"},
            )
        kinds = []
        if any(pays_mentoring(s) for s in schemes):
            kinds.append((ClaimKind.MENTORING, "Mentoring"))
        if any(pays_training(s) for s in schemes):
            kinds.append((ClaimKind.TRAINING, "A mentorship training session"))
        self.kinds = [k for k, _ in kinds]
        if len(kinds) > 1:
            self.fields["kind"] = forms.ChoiceField(
                label="What are you claiming for?",
                choices=kinds,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose what you are claiming for"},
            )
        weekly = any(s.rate_card.claim_unit == SchemeUnit.WEEK for s in schemes)
        per_meeting = [s for s in schemes if s.rate_card.claim_unit == SchemeUnit.MEETING]
        hints = []
        if weekly:
            hints.append(
                "For mentoring, any day in the week you are claiming for: a claim is for the "
                "whole week, Monday to Sunday."
            )
        if ClaimKind.TRAINING in self.kinds:
            hints.append("For training, the day of the training session.")
        if per_meeting and ClaimKind.MENTORING in self.kinds:
            hints.append("For a meeting, leave it blank: the meeting's own date is used.")
        self.fields["claim_date"].help_text = " ".join([*hints, "For example, 27 3 2026"])
        if not weekly and self.kinds == [ClaimKind.MENTORING]:
            del self.fields["claim_date"]  # a meeting's date is the meeting's own
        self.meetings: dict[str, MentoringSession] = {}
        self.meeting_scheme: dict[str, Scheme] = {}
        self.records: dict[str, TrainingRecord] = {}
        if per_meeting and ClaimKind.MENTORING in self.kinds:
            for scheme in per_meeting:
                for session in claims.claimable_meetings(person, scheme):
                    self.meetings[str(session.pk)] = session
                    self.meeting_scheme[str(session.pk)] = scheme
            self.fields["session"] = forms.ChoiceField(
                label="Which meeting are you claiming for?",
                help_text="Meetings you held as a mentor and have not claimed yet."
                if self.meetings
                else "You have no held meetings left to claim. Log a meeting as held first.",
                choices=[
                    (pk, meeting_label(s, self.meeting_scheme[pk] if many else None))
                    for pk, s in self.meetings.items()
                ],
                widget=forms.RadioSelect,
                required=False,
            )
        if ClaimKind.TRAINING in self.kinds:
            self.records = {
                str(r.pk): r for r in TrainingRecord.objects.filter(person=person).order_by("date")
            }
            self.fields["training_record"] = forms.ChoiceField(
                label="Which training was the session part of?",
                help_text="For a training claim only."
                if self.records
                else "For a training claim only. You have no mentoring training on your record "
                "yet: add it to your details first.",
                choices=[
                    (pk, f"{r.get_kind_display()} ({r.get_status_display().lower()})")
                    for pk, r in self.records.items()
                ],
                widget=forms.RadioSelect,
                required=False,
            )
        self.order_fields(["scheme", "kind", "claim_date", "session", "training_record"])
        if "claim_date" in self.fields:
            unit = self._unit_asked_for() if self.is_bound else None
            self.fields["claim_date"].required = unit != ClaimUnit.MEETING
            self.fields["claim_date"].error_messages["required"] = self._date_missing(unit)

    @staticmethod
    def _date_missing(unit: str | None) -> str:
        if unit == ClaimUnit.TRAINING:
            return "Enter the date of the training session"
        return "Enter a date in the week you are claiming for"

    def _unit_asked_for(self) -> str | None:
        """What the data sent asks to claim (before cleaning): a meeting's date is its own."""
        if "scheme" in self.fields:
            scheme = self.schemes.get(self.data.get("scheme") or "")
        else:
            scheme = next(iter(self.schemes.values()))
        kind = self.data.get("kind") if "kind" in self.fields else self.kinds[0]
        if scheme is None or kind not in self.kinds:
            return None
        return claims.unit_for(kind, scheme.rate_card)

    # what was chosen ------------------------------------------------------------------------------
    def chosen_scheme(self) -> Scheme | None:
        if "scheme" not in self.fields:
            return next(iter(self.schemes.values()))
        return self.schemes.get(self.cleaned_data.get("scheme", ""))

    def chosen_kind(self) -> str:
        if "kind" not in self.fields:
            return self.kinds[0]
        return self.cleaned_data.get("kind") or ClaimKind.MENTORING

    def unit(self) -> str | None:
        scheme = self.chosen_scheme()
        return claims.unit_for(self.chosen_kind(), scheme.rate_card) if scheme else None

    def week_to_show(self) -> tuple[Scheme, datetime.date] | None:
        """The scheme and Monday of the week claimed, once they are known, for a week claim."""
        if self.day is None:
            return None
        scheme = self.chosen_scheme()
        if scheme is None or self.unit() != ClaimUnit.WEEK:
            return None
        return scheme, claims.week_of(self.day)

    # checking -------------------------------------------------------------------------------------
    def clean(self):
        cleaned = super().clean()
        if "amount" in self.data:
            raise forms.ValidationError(
                refusal_message(ClaimRefusal.AMOUNT_TYPED), code=ClaimRefusal.AMOUNT_TYPED
            )
        self.day = cleaned.get("claim_date")
        scheme = self.chosen_scheme()
        if scheme is None or self.has_error("kind"):
            return cleaned
        unit = self.unit()
        if unit is None or (unit == ClaimUnit.TRAINING and not pays_training(scheme)):
            # on a mentor's other scheme, what it does not pay for
            code = ClaimRefusal.SCHEME_UNPAID if unit is None else ClaimRefusal.TRAINING_NOT_PAID
            self.add_error(
                "kind", forms.ValidationError(refusal_message(code, scheme=scheme.name), code=code)
            )
            return cleaned
        if self.checking:
            if "claim_date" in self.fields and not self.has_error("claim_date"):
                if cleaned.get("claim_date") is None:
                    self.add_error("claim_date", self._date_missing(unit))
                else:
                    self._check_rules(cleaned["claim_date"])
            return cleaned
        if unit == ClaimUnit.MEETING:
            meeting = self.meetings.get(cleaned.get("session") or "")
            if meeting is None:
                self.add_error(
                    "session",
                    forms.ValidationError(
                        refusal_message(ClaimRefusal.SESSION_NOT_CLAIMABLE),
                        code=ClaimRefusal.SESSION_NOT_CLAIMABLE,
                    ),
                )
            cleaned["meeting"] = meeting
        elif not self.has_error("claim_date") and cleaned.get("claim_date") is None:
            self.add_error("claim_date", self._date_missing(unit))
        if unit == ClaimUnit.TRAINING:
            record = self.records.get(cleaned.get("training_record") or "")
            if record is None:
                self.add_error(
                    "training_record",
                    forms.ValidationError(
                        refusal_message(ClaimRefusal.TRAINING_RECORD_REQUIRED),
                        code=ClaimRefusal.TRAINING_RECORD_REQUIRED,
                    ),
                )
            cleaned["record"] = record
        return cleaned

    def _check_rules(self, day: datetime.date) -> None:
        """The refusals about the date, as the service would give them, without saving."""
        ctx = claims.context_for(self.person, self.chosen_scheme())
        self.refused(claims.check_claim(ctx, kind=self.chosen_kind(), claimed_date=day))

    def refused(self, problems: list[Problem]) -> None:
        meeting = self.unit() == ClaimUnit.MEETING
        for found in problems:
            field = found.field
            if field == "claim_date" and meeting:
                field = "session"  # a meeting's date is the meeting's own
            if field not in FIELDS or field not in self.fields:
                field = None
            self.add_error(
                field, forms.ValidationError(capitalised(found.message), code=str(found.code))
            )

    # saving ---------------------------------------------------------------------------------------
    def save(self, *, by) -> Claim | None:
        """Submit the claim; on a refusal, show every reason and return None."""
        data = self.cleaned_data
        meeting = data.get("meeting")
        day = data.get("claim_date")
        if meeting is not None:
            day = timezone.localtime(meeting.starts_at).date()
        try:
            self.claim = claims.submit_claim(
                person=self.person,
                scheme=self.chosen_scheme(),
                kind=self.chosen_kind(),
                claimed_date=day,
                by=by,
                activity=data.get("activity", ""),
                session=meeting,
                training_record=data.get("record"),
            )
        except ReimbursementError as refusal:
            self.refused(refusal.problems)
            return None
        return self.claim
