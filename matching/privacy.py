"""The matching app's part of data rights (``mentoring.privacy``).

A person's download holds their own rankings of mentors, the proposals published to them, their
mentorships (who with, when, how they ended) and their *own* requests for a different mentor.
Never another's confidential words or choices: a mentor does not get the reason a mentee gave
for asking for someone else — nor even that they asked (the mentor is told only that the
mentorship ended, so that is all the download says) — nor how mentees ranked them. A
mentorship's end note is left out too: it may be the other member's words, and the row does not
say whose. Proposals a coordinator suggested but never published are their working papers.
"""

from django.db.models import Q

from matching.models import (
    ConflictFlag,
    EndReason,
    MatchingRound,
    MentorPreference,
    Mentorship,
    MentorshipMember,
    Proposal,
    RematchRequest,
)
from mentoring.models import Person, User
from mentoring.privacy import Erasure, Section, display, names_q, register_part, row, scrub
from schemes.models import Enrolment

ENDED_QUIETLY = "Ended"


def _name(enrolment: Enrolment) -> str:
    return enrolment.person.user.get_full_name()


def sections(user: User, person: Person | None) -> list[Section]:
    if person is None:
        return []
    preferences = [
        row(scheme=p.mentee.scheme.name, rank=p.rank, mentor=_name(p.mentor))
        for p in MentorPreference.objects.filter(mentee__person=person)
        .select_related("mentee__scheme", "mentor__person__user")
        .order_by("mentee__scheme__name", "rank")
    ]
    proposals = [
        row(
            scheme=p.round.scheme.name,
            round_made_on=p.round.created_at,
            your_role="Mentor" if p.mentor.person_id == person.pk else "Mentee",
            mentor=_name(p.mentor),
            mentee=_name(p.mentee),
            score=p.score,
            status=display(p, "status"),
        )
        for p in Proposal.objects.filter(
            Q(mentor__person=person) | Q(mentee__person=person), status=Proposal.Status.PUBLISHED
        )
        .select_related("round__scheme", "mentor__person__user", "mentee__person__user")
        .order_by("pk")
    ]
    memberships = list(
        MentorshipMember.objects.filter(enrolment__person=person)
        .select_related("mentorship__scheme", "mentorship__rematch_request")
        .order_by("mentorship__created_at", "pk")
    )
    others = {}
    for member in (
        MentorshipMember.objects.filter(mentorship__in=[m.mentorship_id for m in memberships])
        .exclude(enrolment__person=person)
        .select_related("enrolment__person__user")
        .order_by("role", "pk")
    ):
        others.setdefault(member.mentorship_id, []).append(
            {"name": _name(member.enrolment), "role": member.get_role_display()}
        )
    mentorships = []
    for member in memberships:
        mentorship = member.mentorship
        mentorships.append(
            row(
                scheme=mentorship.scheme.name,
                kind=display(mentorship, "kind"),
                your_role=member.get_role_display(),
                **{"with": others.get(mentorship.pk, [])},
                status=display(mentorship, "status"),
                how_it_came_about=display(mentorship, "source"),
                proposed_at=mentorship.created_at,
                your_answer=member.get_response_display(),
                answered_at=member.responded_at,
                first_attended_on=member.first_attended_on,
                started_on=mentorship.started_on,
                ended_on=mentorship.ended_on,
                how_it_ended=_end_reason_for(mentorship, member),
            )
        )
    requests = [
        row(
            scheme=r.mentorship.scheme.name,
            asked_at=r.created_at,
            your_reason=r.reason,
            handled_at=r.handled_at,
        )
        for r in RematchRequest.objects.filter(mentee__person=person)
        .select_related("mentorship__scheme")
        .order_by("created_at", "pk")
    ]
    return [
        Section("mentor_preferences", "Your rankings of mentors", preferences),
        Section("proposals", "Matches proposed to you", proposals),
        Section("mentorships", "Your mentorships", mentorships),
        Section("rematch_requests", "Your requests for a different mentor", requests),
    ]


def _end_reason_for(mentorship: Mentorship, member: MentorshipMember) -> str:
    """Why it ended, as this member may know it: only the mentee who asked for a different
    mentor learns that from their own download."""
    if not mentorship.end_reason:
        return ""
    if mentorship.end_reason == EndReason.REMATCH_REQUESTED:
        request = getattr(mentorship, "rematch_request", None)
        if request is None or request.mentee_id != member.enrolment_id:
            return ENDED_QUIETLY
    return mentorship.get_end_reason_display()


def still_open(person: Person) -> list[str]:
    return [
        f"a {m.mentorship.get_status_display().lower()} mentorship on {m.mentorship.scheme.name}"
        for m in MentorshipMember.objects.filter(
            enrolment__person=person, is_open=True
        ).select_related("mentorship__scheme")
    ]


def erase(person: Person, erasure: Erasure) -> dict[str, int]:
    mentorship_ids = list(
        MentorshipMember.objects.filter(enrolment__person=person).values_list(
            "mentorship_id", flat=True
        )
    )
    flags = ConflictFlag.objects.filter(mentorship__in=mentorship_ids).filter(
        names_q("reason", erasure) | names_q("resolution_note", erasure)
    )
    flags_changed = 0
    for flag in flags:
        ConflictFlag.objects.filter(pk=flag.pk).update(
            reason=scrub(flag.reason, erasure), resolution_note=scrub(flag.resolution_note, erasure)
        )
        flags_changed += 1
    rounds_changed = 0
    schemes = Enrolment.objects.filter(person=person).values("scheme")
    for matching_round in MatchingRound.objects.filter(scheme__in=schemes).only("unmatched"):
        if erasure.person.user.email in (matching_round.unmatched or []):
            MatchingRound.objects.filter(pk=matching_round.pk).update(
                unmatched=[
                    erasure.email if e == erasure.person.user.email else e
                    for e in matching_round.unmatched
                ]
            )
            rounds_changed += 1
    return {
        "rematch_requests": RematchRequest.objects.filter(mentee__person=person).update(reason=""),
        "mentorship_end_notes": Mentorship.objects.filter(pk__in=mentorship_ids)
        .exclude(end_note="")
        .update(end_note=""),
        "conflict_flags": flags_changed,
        "matching_rounds": rounds_changed,
    }


register_part("matching", order=2, sections=sections, still_open=still_open, erase=erase)
