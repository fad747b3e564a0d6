"""Reads for the person-facing matching pages: a person's mentorships, one mentorship as a member
sees it, the mentors on a shortlist — each in a constant number of queries."""

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from matching.models import (
    OPEN_MENTORSHIP,
    MatchingMode,
    MatchingPolicy,
    Mentorship,
    MentorshipMember,
)
from schemes.models import Enrolment, EnrolmentStatus, ParticipantRole, Scheme


def _members_qs() -> QuerySet[MentorshipMember]:
    return MentorshipMember.objects.select_related(
        "enrolment__person__user", "enrolment__person__organisation"
    ).order_by("-role", "enrolment__person__user__last_name", "pk")


def memberships_of(user) -> QuerySet[MentorshipMember]:
    """The user's places in mentorships on every scheme, open ones first, newest first, each with
    its mentorship, scheme and everyone in it."""
    return (
        MentorshipMember.objects.filter(enrolment__person__user=user)
        .select_related("mentorship__scheme", "enrolment")
        .prefetch_related(Prefetch("mentorship__members", queryset=_members_qs()))
        .annotate(
            open_first=Case(
                When(mentorship__status__in=OPEN_MENTORSHIP, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "-mentorship__created_at", "-pk")
    )


def mentorship_seen_by(pk: int, user) -> tuple[Mentorship, MentorshipMember] | None:
    """The mentorship and the user's own place in it — None unless the user is a member."""
    mentorship = (
        Mentorship.objects.select_related("scheme")
        .prefetch_related(Prefetch("members", queryset=_members_qs()))
        .filter(pk=pk, members__enrolment__person__user=user)
        .first()
    )
    if mentorship is None:
        return None
    own = next(m for m in mentorship.members.all() if m.enrolment.person.user_id == user.pk)
    return mentorship, own


def current_enrolment(user, scheme: Scheme, role: str) -> Enrolment | None:
    """The user's enrolment on the scheme in that role, unless they have left it."""
    return (
        Enrolment.objects.select_related("person__user", "scheme")
        .filter(person__user=user, scheme=scheme, role=role, left_on__isnull=True)
        .first()
    )


def active_mentee(user, scheme: Scheme) -> Enrolment | None:
    enrolment = current_enrolment(user, scheme, ParticipantRole.MENTEE)
    if enrolment is None or enrolment.status != EnrolmentStatus.ACTIVE:
        return None
    return enrolment


def open_mentorship_of(enrolment: Enrolment) -> Mentorship | None:
    return (
        Mentorship.objects.filter(
            members__enrolment=enrolment, members__is_open=True, status__in=OPEN_MENTORSHIP
        )
        .prefetch_related(Prefetch("members", queryset=_members_qs()))
        .first()
    )


def matching_mode(scheme: Scheme) -> str:
    """The scheme's mode without creating its policy (a scheme with none allocates)."""
    mode = MatchingPolicy.objects.filter(scheme=scheme).values_list("mode", flat=True).first()
    return mode or MatchingMode.ALLOCATION


def enrolments_of(user) -> list[Enrolment]:
    """The user's current enrolments with their scheme's matching mode (``mode``), for the
    links on My mentoring: availability for mentors, the shortlist for mentees."""
    enrolments = list(
        Enrolment.objects.filter(person__user=user, left_on__isnull=True)
        .select_related("scheme__matching_policy")
        .order_by("scheme__name", "role")
    )
    for enrolment in enrolments:
        policy = getattr(enrolment.scheme, "matching_policy", None)
        enrolment.mode = policy.mode if policy else MatchingMode.ALLOCATION
    return enrolments


def profiles_in_order(enrolment_ids: list[int]) -> list[Enrolment]:
    """Mentors' enrolments with what their public profile shows, in the order given."""
    rows = (
        Enrolment.objects.filter(pk__in=enrolment_ids)
        .select_related("person__user")
        .prefetch_related("person__sectors", "person__focus_areas")
    )
    by_id = {e.pk: e for e in rows}
    return [by_id[pk] for pk in enrolment_ids if pk in by_id]
