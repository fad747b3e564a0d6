"""Forms for mentors and mentees: answering a proposal, asking for a different mentor, deciding
not to continue, availability, choosing or ranking mentors from a shortlist.

The rules stay in ``matching.services``; each form hands its cleaned input to a service and turns
a refusal (``MatchingError``) into an error by the field it is about, so nothing is saved.
"""

from django import forms

from matching import services
from matching.errors import MatchingError
from mentoring.forms import DateField, form_helper
from schemes.models import Enrolment, ParticipantRole


class ServiceForm(forms.Form):
    """A form whose ``save`` calls a service; a refusal becomes an error on the form."""

    def refused(self, refusal: MatchingError, default_field: str | None = None) -> None:
        field = refusal.field if refusal.field in self.fields else default_field
        for reason in refusal.reasons or [refusal.message]:
            self.add_error(field, forms.ValidationError(reason, code=str(refusal.code)))


class RespondForm(ServiceForm):
    """Accept or decline a proposed mentorship: the page's two buttons send ``answer``."""

    answer = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")],
        error_messages={
            "required": "Choose whether to accept or decline the match",
            "invalid_choice": "Choose whether to accept or decline the match",
        },
    )

    def save(self, *, mentorship, user):
        try:
            return services.respond(
                mentorship=mentorship, user=user, accept=self.cleaned_data["answer"] == "accept"
            )
        except MatchingError as refusal:
            self.refused(refusal)
            return None


class RematchForm(ServiceForm):
    reason = forms.CharField(
        label="Why would you like a different mentor?",
        help_text="Only the scheme's coordinators will read this. Your mentor is told only that "
        "the mentorship has ended — not that you asked, and not why.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={
            "required": "Enter why you would like a different mentor",
            "max_length": "Reason must be 2000 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("Ask for a different mentor")

    def save(self, *, mentorship, user):
        try:
            return services.request_rematch(
                mentorship=mentorship, user=user, reason=self.cleaned_data["reason"]
            )
        except MatchingError as refusal:
            self.refused(refusal, default_field="reason")
            return None


class NotContinuingForm(ServiceForm):
    note = forms.CharField(
        label="Anything the coordinators should know",
        help_text="Only the scheme's coordinators will read this. You do not have to give a "
        "reason.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        error_messages={"max_length": "Your note must be 2000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("End the mentorship")

    def save(self, *, mentorship, user):
        try:
            return services.not_continuing(
                mentorship=mentorship, user=user, note=self.cleaned_data["note"]
            )
        except MatchingError as refusal:
            self.refused(refusal)
            return None


class AvailabilityForm(ServiceForm):
    """How many mentees a mentor takes in all, and whether they take new ones for now."""

    capacity = forms.IntegerField(
        label="How many mentees can you take in all?",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
        error_messages={
            "required": "Enter how many mentees you can take",
            "invalid": "Enter the number of mentees as a whole number, like 4",
        },
    )
    not_taking_until = DateField(
        label="Not taking new mentees until",
        required=False,
    )

    def __init__(self, *args, enrolment: Enrolment, load: int, **kwargs):
        scheme = enrolment.scheme
        kwargs.setdefault(
            "initial",
            {
                "capacity": enrolment.capacity or scheme.mentor_capacity_max,
                "not_taking_until": enrolment.not_taking_mentees_until,
            },
        )
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        mentees = f"{load} mentee{'s' if load != 1 else ''}"
        self.fields["capacity"].help_text = (
            f"From 1 to {scheme.mentor_capacity_max} on this scheme. You have {mentees} now: "
            "they carry on with you whatever you choose."
        )
        self.fields["not_taking_until"].help_text = (
            "To pause new matches, for example while on leave, enter the date you can take new "
            "mentees again, like 1 9 2027. Leave it empty to take new mentees now."
        )
        self.helper = form_helper("Save availability")

    def save(self, *, user):
        try:
            return services.update_availability(
                enrolment=self.enrolment,
                capacity=self.cleaned_data["capacity"],
                not_taking_until=self.cleaned_data["not_taking_until"],
                user=user,
            )
        except MatchingError as refusal:
            self.refused(refusal, default_field="capacity")
            return None


def _mentors_of(scheme):
    return Enrolment.objects.filter(scheme=scheme, role=ParticipantRole.MENTOR).select_related(
        "person__user"
    )


class ChooseMentorForm(ServiceForm):
    """Where mentees choose: one mentor from the shortlist. Any mentor of the scheme is accepted
    as input so that the service, not the form, says why one who is not offered cannot be
    chosen (a working relationship, no room…)."""

    def __init__(self, *args, mentee: Enrolment, shortlist: list[Enrolment], **kwargs):
        super().__init__(*args, **kwargs)
        self.mentee = mentee
        self.fields["mentor"] = forms.ModelChoiceField(
            label="Which mentor would you like?",
            queryset=_mentors_of(mentee.scheme),
            widget=forms.RadioSelect,
            empty_label=None,
            error_messages={
                "required": "Select the mentor you would like",
                "invalid_choice": "Select a mentor from your shortlist",
            },
        )
        self.fields["mentor"].choices = [(e.pk, e.person.full_name) for e in shortlist]
        self.helper = form_helper("Choose this mentor")

    def save(self, *, user):
        try:
            return services.choose_mentor(
                mentee=self.mentee, mentor=self.cleaned_data["mentor"], user=user
            )
        except MatchingError as refusal:
            self.refused(refusal, default_field="mentor")
            return None


RANKS = (("first", "First choice"), ("second", "Second choice"), ("third", "Third choice"))


class RankMentorsForm(ServiceForm):
    """Where coordinators match: up to three mentors from the shortlist, in order, which the
    matching round weighs."""

    def __init__(
        self,
        *args,
        mentee: Enrolment,
        shortlist: list[Enrolment],
        current: list[int] | None = None,
        **kwargs,
    ):
        offered = {e.pk for e in shortlist}
        current = [pk for pk in current or [] if pk in offered]
        kwargs.setdefault("initial", dict(zip((n for n, _ in RANKS), current, strict=False)))
        super().__init__(*args, **kwargs)
        self.mentee = mentee
        queryset = _mentors_of(mentee.scheme).filter(pk__in=offered)
        for position, (name, label) in enumerate(RANKS[: len(shortlist)]):
            self.fields[name] = forms.ModelChoiceField(
                label=label,
                queryset=queryset,
                required=position == 0,
                empty_label="Choose a mentor" if position == 0 else "No preference",
                error_messages={
                    "required": "Select the mentor you would most like",
                    "invalid_choice": "Select a mentor from your shortlist",
                },
            )
            self.fields[name].choices = [("", self.fields[name].empty_label)] + [
                (e.pk, e.person.full_name) for e in shortlist
            ]
        self.helper = form_helper("Save my choices")

    def save(self, *, user) -> bool:
        chosen = [(n, self.cleaned_data.get(n)) for n, _ in RANKS if self.cleaned_data.get(n)]
        try:
            services.set_preferences(
                mentee=self.mentee, mentors=[mentor for _, mentor in chosen], user=user
            )
        except MatchingError as refusal:
            seen, field = set(), None
            for name, mentor in chosen:
                if mentor.pk in seen:
                    field = name
                    break
                seen.add(mentor.pk)
            self.refused(refusal, default_field=field)
            return False
        return True
