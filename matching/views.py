"""Mentoring pages for mentors and mentees: their mentorships, one mentorship (answer it, ask for
a different mentor, decide not to continue), a mentor's availability, and the shortlist a mentee
chooses — or ranks — mentors from.

Who may see what: a mentorship only by its members; availability only by the scheme's current
mentors; the shortlist only by its current active mentees. Coordinators work in the admin, where
score breakdowns and confidential rematch requests are. Anyone else gets a 404, so a page does not
even say whether it exists. Contact details show only to the members of a proposed or active
mentorship — a mentorship exists only once a pair is proposed — and never after it ended.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from matching import loading, selectors, services
from matching.forms import (
    AvailabilityForm,
    ChooseMentorForm,
    NotContinuingForm,
    RankMentorsForm,
    RematchForm,
    RespondForm,
)
from matching.models import (
    OPEN_MENTORSHIP,
    MatchingMode,
    MentorPreference,
    Mentorship,
    MentorshipKind,
    MentorshipMember,
    MentorshipStatus,
    RematchRequest,
)
from schemes.models import EnrolmentStatus, ParticipantRole, Scheme

Response = MentorshipMember.Response

STATUS_TAGS = {
    MentorshipStatus.PROPOSED: "nhsuk-tag--blue",
    MentorshipStatus.ACTIVE: "nhsuk-tag--green",
    MentorshipStatus.ENDED: "nhsuk-tag--grey",
}


@dataclass
class Place:
    """One mentorship as a member sees it: their own place, the others, what they may do."""

    mentorship: Mentorship
    own: MentorshipMember
    others: list[MentorshipMember]

    @property
    def status(self) -> str:
        return self.mentorship.status

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MENTORSHIP

    @property
    def awaiting_answer(self) -> bool:
        return self.status == MentorshipStatus.PROPOSED and self.own.response == Response.PENDING

    @property
    def status_words(self) -> str:
        if self.awaiting_answer:
            return "Waiting for your answer"
        if self.status == MentorshipStatus.PROPOSED:
            return "Proposed"
        return self.mentorship.get_status_display()

    @property
    def tag_class(self) -> str:
        if self.awaiting_answer:
            return "nhsuk-tag--yellow"
        return STATUS_TAGS.get(self.status, "nhsuk-tag--grey")

    @property
    def show_contacts(self) -> bool:
        return self.is_open

    @property
    def other_names(self) -> str:
        names = [m.enrolment.person.full_name for m in self.others]
        return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)

    @property
    def waiting_for(self) -> list[MentorshipMember]:
        """Others who have not answered the proposal yet."""
        if self.status != MentorshipStatus.PROPOSED:
            return []
        return [m for m in self.others if m.response == Response.PENDING]

    @property
    def mentors(self) -> list[MentorshipMember]:
        return [m for m in self.others if m.role == ParticipantRole.MENTOR]

    @property
    def mentees(self) -> list[MentorshipMember]:
        return [m for m in self.others if m.role == ParticipantRole.MENTEE]

    @property
    def may_ask_for_another_mentor(self) -> bool:
        """A mentee of an open mentorship with one mentor; in a group, asking would end it for
        everyone, so group mentees talk to their coordinator instead."""
        return (
            self.is_open
            and self.own.role == ParticipantRole.MENTEE
            and self.mentorship.kind != MentorshipKind.GROUP
        )

    @property
    def may_end(self) -> bool:
        return self.status == MentorshipStatus.ACTIVE

    @classmethod
    def of(cls, mentorship: Mentorship, own: MentorshipMember) -> "Place":
        return cls(
            mentorship=mentorship,
            own=own,
            others=[m for m in mentorship.members.all() if m.pk != own.pk],
        )


def _place_or_404(request, pk) -> Place:
    found = selectors.mentorship_seen_by(pk, request.user)
    if found is None:
        raise Http404("No such mentorship for you.")
    return Place.of(*found)


# my mentoring -----------------------------------------------------------------------------------
@login_required
@require_GET
def my_mentoring(request):
    """Every mentorship of the user, open first; and, per scheme, what they can do next."""
    places = [Place.of(m.mentorship, m) for m in selectors.memberships_of(request.user)]
    with_open = {p.own.enrolment_id for p in places if p.is_open}
    enrolments = selectors.enrolments_of(request.user)
    return render(
        request,
        "matching/my_mentoring.html",
        {
            "open_places": [p for p in places if p.is_open],
            "ended_places": [p for p in places if not p.is_open],
            "mentor_enrolments": [e for e in enrolments if e.role == ParticipantRole.MENTOR],
            "mentees_to_match": [
                e
                for e in enrolments
                if e.role == ParticipantRole.MENTEE
                and e.status == EnrolmentStatus.ACTIVE
                and e.pk not in with_open
            ],
            "choice": MatchingMode.CHOICE,
            "enrolled": bool(enrolments),
            "today": timezone.localdate(),
        },
    )


# one mentorship ---------------------------------------------------------------------------------
def _render_mentorship(request, place: Place, respond_form=None):
    asked_for_another = (
        place.status == MentorshipStatus.ENDED
        and place.own.role == ParticipantRole.MENTEE
        and RematchRequest.objects.filter(
            mentorship=place.mentorship, mentee_id=place.own.enrolment_id
        ).exists()
    )
    return render(
        request,
        "matching/mentorship_detail.html",
        {
            "place": place,
            "mentorship": place.mentorship,
            "scheme": place.mentorship.scheme,
            "form": respond_form,
            "asked_for_another": asked_for_another,
            "choice": selectors.matching_mode(place.mentorship.scheme) == MatchingMode.CHOICE,
        },
    )


@login_required
@require_GET
def mentorship_detail(request, pk):
    return _render_mentorship(request, _place_or_404(request, pk))


@login_required
@require_POST
def respond(request, pk):
    place = _place_or_404(request, pk)
    form = RespondForm(request.POST)
    if form.is_valid() and form.save(mentorship=place.mentorship, user=request.user):
        if form.cleaned_data["answer"] == "accept":
            messages.success(request, "You accepted the match.")
            return redirect("mentorship_detail", pk=place.mentorship.pk)
        messages.success(request, "You declined the match. The mentorship has ended.")
        return redirect("mentorships")
    return _render_mentorship(request, _place_or_404(request, pk), respond_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def ask_for_another_mentor(request, pk):
    place = _place_or_404(request, pk)
    if not place.may_ask_for_another_mentor:
        raise Http404("Only the mentee of an open mentorship may ask.")
    form = RematchForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and form.save(mentorship=place.mentorship, user=request.user) is not None
    ):
        messages.success(
            request,
            "You asked for a different mentor. Only the scheme's coordinators will see your "
            "reason.",
        )
        return redirect("mentorships")
    return render(
        request,
        "matching/ask_for_another_mentor.html",
        {
            "place": place,
            "mentorship": place.mentorship,
            "form": form,
            "choice": selectors.matching_mode(place.mentorship.scheme) == MatchingMode.CHOICE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def not_continuing(request, pk):
    place = _place_or_404(request, pk)
    if not place.may_end:
        raise Http404("Only an active mentorship can be ended this way.")
    form = NotContinuingForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and form.save(mentorship=place.mentorship, user=request.user) is not None
    ):
        messages.success(request, "The mentorship has ended.")
        return redirect("mentorships")
    return render(
        request,
        "matching/not_continuing.html",
        {"place": place, "mentorship": place.mentorship, "form": form},
    )


# availability -----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def availability(request, slug):
    scheme = get_object_or_404(Scheme, slug=slug)
    enrolment = selectors.current_enrolment(request.user, scheme, ParticipantRole.MENTOR)
    if enrolment is None:
        raise Http404("Not a mentor on this scheme.")
    load = loading.mentor_loads([enrolment.pk]).get(enrolment.pk, 0)
    form = AvailabilityForm(
        request.POST if request.method == "POST" else None, enrolment=enrolment, load=load
    )
    if request.method == "POST" and form.is_valid() and form.save(user=request.user):
        messages.success(request, "Your availability has been saved.")
        return redirect("availability", slug=scheme.slug)
    return render(
        request,
        "matching/availability.html",
        {"scheme": scheme, "enrolment": enrolment, "form": form, "load": load},
    )


# the shortlist ----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def shortlist(request, slug):
    """Where mentees choose, the mentee picks a mentor and the mentor then answers; where
    coordinators match, the mentee ranks up to three mentors for the next matching round."""
    scheme = get_object_or_404(Scheme, slug=slug)
    mentee = selectors.active_mentee(request.user, scheme)
    if mentee is None:
        raise Http404("Not an active mentee on this scheme.")
    mode = selectors.matching_mode(scheme)
    context = {"scheme": scheme, "choice": mode == MatchingMode.CHOICE}
    current = selectors.open_mentorship_of(mentee)
    if current is not None:
        context["current"] = current
        return render(request, "matching/shortlist.html", context)

    offered = selectors.profiles_in_order([pk for pk, _, _ in services.shortlist(mentee)])
    data = request.POST if request.method == "POST" else None
    if mode == MatchingMode.CHOICE:
        form = ChooseMentorForm(data, mentee=mentee, shortlist=offered)
        if data is not None and form.is_valid():
            mentorship = form.save(user=request.user)
            if mentorship is not None:
                messages.success(
                    request,
                    f"You chose {form.cleaned_data['mentor'].person.full_name}. We have asked "
                    "them to accept; we will e-mail you when they answer.",
                )
                return redirect("mentorship_detail", pk=mentorship.pk)
    else:
        ranked = list(
            MentorPreference.objects.filter(mentee=mentee)
            .order_by("rank")
            .values_list("mentor_id", flat=True)
        )
        form = RankMentorsForm(data, mentee=mentee, shortlist=offered, current=ranked)
        if data is not None and form.is_valid() and form.save(user=request.user):
            messages.success(
                request,
                "Your choices have been saved. The coordinators' next matching round takes "
                "them into account.",
            )
            return redirect("shortlist", slug=scheme.slug)
    context.update({"mentors": offered, "form": form})
    return render(request, "matching/shortlist.html", context)
