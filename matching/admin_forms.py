"""The forms of the coordinators' matching admin. They validate what a person typed and say what
is wrong in plain words; whether a pair may be matched is decided by ``matching.services`` and
``matching.rounds``, and their refusals are put on the field they concern."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from matching import loading
from matching.errors import MatchingError
from matching.models import (
    EndReason,
    MatchingPolicy,
    MentorshipKind,
)
from matching.scoring import CONFLICTS, CRITERIA
from schemes.models import Enrolment, ParticipantRole

WEIGHT_FIELDS = [f"weight_{name}" for name in CRITERIA]


def add_refusal(form: forms.Form, refusal: MatchingError, field: str | None) -> None:
    """Put each reason of a service's refusal on the field it concerns (the refusal's own field
    when it names one the form has, else ``field``, else the top of the form)."""
    if refusal.field in form.fields:
        field = refusal.field
    for reason in refusal.reasons or [refusal.message]:
        form.add_error(field, reason)


def _range(field: forms.Field, low: int, high: int) -> None:
    message = f"Enter a whole number from {low} to {high}."
    field.validators = [MinValueValidator(low, message), MaxValueValidator(high, message)]
    field.error_messages["invalid"] = message
    field.widget.attrs.update(min=low, max=high)


class MatchingPolicyForm(forms.ModelForm):
    """A scheme's matching policy, with what each setting does and its limits in plain words."""

    class Meta:
        model = MatchingPolicy
        fields = (
            "scheme",
            "mode",
            "shortlist_size",
            *WEIGHT_FIELDS,
            *CONFLICTS,
            "conflict_penalty",
            "spread_load",
            "spread_step",
        )
        help_texts = {
            "scheme": "Each scheme has one matching policy.",
            "mode": "Either coordinators run matching rounds and publish the pairs, or each "
            "mentee chooses a mentor from a shortlist and the mentor accepts or declines.",
            "shortlist_size": "Where mentees choose: how many of the best suited mentors they "
            "see, from 1 to 20.",
            "weight_same_sector": "How much it counts that mentor and mentee work in the same "
            "sector (0 to 100; 0 ignores it).",
            "weight_same_scope": "How much a shared scope of practice counts (0 to 100).",
            "weight_same_region": "How much working in the same region counts, so the pair can "
            "meet easily (0 to 100).",
            "weight_focus_overlap": "How much it counts that the mentor offers the focus areas "
            "the mentee wants, in proportion to how many (0 to 100).",
            "weight_different_organisation": "How much it counts that they work for different "
            "organisations, for an outside view (0 to 100).",
            "weight_cohort_priority": "How much a mentee's cohort priority counts, so that "
            "priority cohorts such as GP fellows are matched first (0 to 100).",
            "weight_mentee_ranking": "How much the mentee's own ranking of a mentor counts "
            "(0 to 100).",
            "same_organisation": "Working relationships — line manager, clinical, educational or "
            "designated supervisor, DPP — are always hard conflicts and cannot be changed here.",
            "same_department": "Off, a penalty that lowers the score, or hard: never matched.",
            "supervisor_of_supervisor": "Two levels apart in a reporting or supervision line, "
            "either way.",
            "shared_line_manager": "Peers with the same line manager. Leave it off where the "
            "scheme runs peer or group mentoring within a team.",
            "conflict_penalty": "Points taken off a pair's score for each conflict set to "
            "penalty (0 to 100).",
            "spread_load": "Each extra mentee given to the same mentor costs a little, so a few "
            "popular mentors do not take everyone while others wait.",
            "spread_step": "Points each extra mentee of the same mentor costs (0 to 100).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in [*WEIGHT_FIELDS, "conflict_penalty", "spread_step"]:
            if name in self.fields:
                _range(self.fields[name], 0, 100)
        if "shortlist_size" in self.fields:
            _range(self.fields["shortlist_size"], 1, 20)


class RunRoundForm(forms.Form):
    scheme = forms.ModelChoiceField(
        queryset=None,
        label="Scheme",
        empty_label="Choose a scheme",
        error_messages={"required": "Choose the scheme to match."},
        help_text="Every active mentee of the scheme who has no proposed or active mentor is "
        "matched with the eligible mentors who have room. Nothing is sent to anyone until you "
        "publish the round.",
    )

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes


class MentorChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, loads=None, **kwargs):
        self.loads = loads or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, enrolment):
        person = enrolment.person
        capacity = enrolment.capacity or enrolment.scheme.mentor_capacity_max
        load = self.loads.get(enrolment.pk, 0)
        return f"{person.full_name} — {person.organisation} ({load} of {capacity} mentees)"


class SwapMentorForm(forms.Form):
    """Another mentor of the scheme for one proposal's mentee."""

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        mentors = (
            Enrolment.objects.filter(
                scheme_id=proposal.round.scheme_id,
                role=ParticipantRole.MENTOR,
                left_on__isnull=True,
            )
            .exclude(pk=proposal.mentor_id)
            .exclude(person_id=proposal.mentee.person_id)
            .select_related("person__user", "person__organisation", "scheme")
            .order_by("person__user__last_name", "person__user__first_name", "pk")
        )
        ids = list(mentors.values_list("pk", flat=True))
        loads = loading.mentor_loads(ids)
        for mentor_id in proposal.round.proposals.exclude(status="rejected").values_list(
            "mentor_id", flat=True
        ):
            loads[mentor_id] = loads.get(mentor_id, 0) + 1
        self.fields["mentor"] = MentorChoiceField(
            queryset=mentors,
            loads=loads,
            label="New mentor",
            empty_label="Choose a mentor",
            help_text="Mentees counted include those this round already gives them. The pair "
            "is checked for conflicts like any other.",
            error_messages={"required": "Choose the new mentor."},
        )


class EnrolmentChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, enrolment):
        person = enrolment.person
        return f"{person.full_name} — {person.organisation}, {enrolment.scheme}"


class PairByHandForm(forms.Form):
    """A coordinator's own pairing: a scheme, a kind of mentorship, its mentors and mentees."""

    scheme = forms.ModelChoiceField(
        queryset=None,
        label="Scheme",
        empty_label="Choose a scheme",
        error_messages={"required": "Choose the scheme."},
    )
    kind = forms.ChoiceField(
        label="Kind of mentorship",
        choices=MentorshipKind.choices,
        initial=MentorshipKind.ONE_TO_ONE,
        help_text="One to one, peer and reverse: one mentor and one mentee. A group: one or two "
        "mentors and at least two mentees.",
    )

    def __init__(self, *args, schemes, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes
        if scheme is not None:
            self.fields["scheme"].initial = scheme.pk
        current = Enrolment.objects.filter(scheme__in=schemes, left_on__isnull=True)
        if scheme is not None:
            current = current.filter(scheme=scheme)
        current = current.select_related("person__user", "person__organisation", "scheme").order_by(
            "scheme__name", "person__user__last_name", "person__user__first_name", "pk"
        )
        self.fields["mentors"] = EnrolmentChoices(
            queryset=current.filter(role=ParticipantRole.MENTOR),
            label="Mentor (or the two mentors of a group)",
            error_messages={"required": "Choose the mentor."},
            widget=forms.SelectMultiple(attrs={"size": 8}),
        )
        self.fields["mentees"] = EnrolmentChoices(
            queryset=current.filter(role=ParticipantRole.MENTEE).exclude(memberships__is_open=True),
            label="Mentee (or the mentees of a group)",
            help_text="Mentees who already have a proposed or active mentor are not listed.",
            error_messages={"required": "Choose the mentee."},
            widget=forms.SelectMultiple(attrs={"size": 8}),
        )

    def clean(self):
        data = super().clean()
        scheme, kind = data.get("scheme"), data.get("kind")
        mentors, mentees = data.get("mentors"), data.get("mentees")
        if scheme is None:
            return data
        for name, chosen in (("mentors", mentors), ("mentees", mentees)):
            for enrolment in chosen or []:
                if enrolment.scheme_id != scheme.pk:
                    self.add_error(
                        name,
                        f"{enrolment.person.full_name} is not on {scheme}: choose people "
                        "enrolled on the scheme.",
                    )
        if mentors is not None and mentees is not None and kind:
            if kind == MentorshipKind.GROUP:
                if not 1 <= len(mentors) <= 2:
                    self.add_error("mentors", "A group has one or two mentors.")
                if len(mentees) < 2:
                    self.add_error("mentees", "A group has at least two mentees.")
            else:
                if len(mentors) != 1:
                    self.add_error("mentors", "Choose one mentor, or make it a group.")
                if len(mentees) != 1:
                    self.add_error("mentees", "Choose one mentee, or make it a group.")
        return data


class EndMentorshipForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why it ends",
        choices=[("", "Choose a reason")]
        + [(value, label) for value, label in EndReason.choices if value != "rematch_requested"],
        error_messages={"required": "Choose why the mentorship ends."},
    )
    note = forms.CharField(
        label="Note (seen by coordinators only)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    offer_next = forms.BooleanField(
        label="Offer each mentee the next best mentor",
        required=False,
        initial=True,
        help_text="Untick when the mentoring is complete or the mentee is leaving.",
    )


class FirstMeetingForm(forms.Form):
    held_on = forms.DateField(
        label="Date of the meeting",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date the meeting was held.",
            "invalid": "Enter the date as a real date, for example 2026-01-31.",
        },
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        several = len({m.mentorship_id for m in members}) > 1
        self.fields["attended"] = forms.MultipleChoiceField(
            label="Who attended",
            choices=[
                (
                    str(m.pk),
                    f"{m.enrolment.person.full_name} ({m.get_role_display().lower()}"
                    + (f", mentorship {m.mentorship_id})" if several else ")"),
                )
                for m in members
            ],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Choose who attended the meeting."},
            help_text="The meeting counts only when a mentor and a mentee both attended it.",
        )

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("A meeting cannot be recorded before it is held.")
        return held_on

    def attended_in(self, mentorship_id: int) -> list[Enrolment]:
        """The enrolments ticked as present in one of the mentorships."""
        return [
            self.members[key].enrolment
            for key in self.cleaned_data["attended"]
            if self.members[key].mentorship_id == mentorship_id
        ]


class ResolveFlagForm(forms.Form):
    """The coordinator's note; whether the flag may be resolved that way, and whether a note is
    needed, is ``services.resolve_flag``'s to say."""

    note = forms.CharField(
        label="Why (a sentence or two, kept with the flag)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
