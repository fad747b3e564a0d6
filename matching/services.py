"""Every write of the matching app: mentorships come into being only through
:func:`create_mentorship`, which refuses a conflicting pair whoever asks, and end only through
:func:`end_mentorship`. Each runs in one transaction; notifications go out after commit."""

import datetime
from collections.abc import Iterable

import numpy as np
from django.db import transaction
from django.utils import timezone

from matching import conflicts, loading
from matching.errors import MatchingError, MatchingRefusal
from matching.models import (
    OPEN_MENTORSHIP,
    ConflictFlag,
    EndReason,
    MatchingMode,
    MentorPreference,
    Mentorship,
    MentorshipKind,
    MentorshipMember,
    MentorshipStatus,
    RematchRequest,
    Source,
)
from matching.scoring import FORBIDDEN, UNIT, breakdown, score_rows
from mentoring.models import User
from mentoring.notifications import notify
from schemes.models import Enrolment, ParticipantRole
from schemes.selectors import coordinators_of

Response = MentorshipMember.Response


def _today(on_date=None) -> datetime.date:
    return on_date or timezone.localdate()


def _locked(enrolments) -> list[Enrolment]:
    """Lock the enrolments (in id order, so two requests never deadlock) and reload them."""
    ids = sorted(e.pk for e in enrolments)
    rows = {
        e.pk: e
        for e in Enrolment.objects.select_for_update(of=("self",))
        .select_related("person__user", "person__organisation", "scheme", "application")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    return [rows[e.pk] for e in enrolments]


# creating ---------------------------------------------------------------------------------------
def create_mentorship(
    *,
    mentors: list[Enrolment],
    mentees: list[Enrolment],
    source: str,
    by: User | None,
    kind: str = MentorshipKind.ONE_TO_ONE,
    proposal=None,
    on_date: datetime.date | None = None,
    mentee_accepted: bool = False,
) -> Mentorship:
    """A proposed mentorship, after checking every mentor–mentee pair in it.

    One-to-one, peer and reverse mentorships have one mentor and one mentee; a group has one or
    two mentors and at least two mentees. Each mentor must have room for all of its mentees."""
    on_date = _today(on_date)
    if kind == MentorshipKind.GROUP:
        shape_ok = 1 <= len(mentors) <= 2 and len(mentees) >= 2
        shape = "A group has one or two mentors and at least two mentees."
    else:
        shape_ok = len(mentors) == 1 and len(mentees) == 1
        shape = "This kind of mentorship has exactly one mentor and one mentee."
    if not shape_ok:
        raise MatchingError(MatchingRefusal.GROUP_SHAPE, shape)
    with transaction.atomic():
        locked = _locked([*mentors, *mentees])
        mentors, mentees = locked[: len(mentors)], locked[len(mentors) :]
        scheme = mentees[0].scheme
        problems = []
        for mentor in mentors:
            problems += conflicts.mentor_problems(mentor, on_date, extra=len(mentees) - 1)
            for mentee in mentees:
                problems += conflicts.pair_problems(
                    mentor, mentee, on_date=on_date, check_mentor=False
                )
        if problems:
            raise MatchingError(MatchingRefusal.CONFLICT, *dict.fromkeys(problems))
        score, explained = (
            _explain(mentors[0], mentees[0], on_date)
            if kind != "group"
            else (
                None,
                {},
            )
        )
        mentorship = Mentorship.objects.create(
            scheme=scheme,
            kind=kind,
            source=source,
            proposal=proposal,
            score=score,
            breakdown=explained,
            created_by=by,
        )
        MentorshipMember.objects.bulk_create(
            [MentorshipMember(mentorship=mentorship, enrolment=m, role="mentor") for m in mentors]
            + [
                MentorshipMember(
                    mentorship=mentorship,
                    enrolment=m,
                    role="mentee",
                    response=Response.ACCEPTED if mentee_accepted else Response.PENDING,
                    responded_at=timezone.now() if mentee_accepted else None,
                )
                for m in mentees
            ]
        )
        for member in [*mentors, *mentees]:
            notify(
                kind="mentorship_proposed",
                recipient=member.person.user,
                about=mentorship,
                context={
                    "scheme": scheme.name,
                    "mentorship_id": mentorship.pk,
                    "others": ", ".join(
                        o.person.full_name for o in [*mentors, *mentees] if o.pk != member.pk
                    ),
                    "awaiting_you": not (mentee_accepted and member in mentees),
                },
            )
    return mentorship


def create_proposed_mentorships(proposals, *, by: User | None) -> list[Mentorship]:
    """One-to-one mentorships for round proposals the caller has already checked, all together
    (``rounds.publish`` checks every pair at once first), each with its stored breakdown."""
    mentorships = Mentorship.objects.bulk_create(
        Mentorship(
            scheme=p.mentee.scheme,
            kind=MentorshipKind.ONE_TO_ONE,
            source=Source.ROUND,
            proposal=p,
            score=p.score,
            breakdown=p.breakdown,
            created_by=by,
        )
        for p in proposals
    )
    MentorshipMember.objects.bulk_create(
        member
        for mentorship, p in zip(mentorships, proposals, strict=True)
        for member in (
            MentorshipMember(mentorship=mentorship, enrolment=p.mentor, role="mentor"),
            MentorshipMember(mentorship=mentorship, enrolment=p.mentee, role="mentee"),
        )
    )
    for mentorship, p in zip(mentorships, proposals, strict=True):
        for member, other in ((p.mentor, p.mentee), (p.mentee, p.mentor)):
            notify(
                kind="mentorship_proposed",
                recipient=member.person.user,
                about=mentorship,
                context={
                    "scheme": mentorship.scheme.name,
                    "mentorship_id": mentorship.pk,
                    "others": other.person.full_name,
                    "awaiting_you": True,
                },
            )
    return mentorships


def _explain(mentor: Enrolment, mentee: Enrolment, on_date) -> tuple[float | None, dict]:
    policy = conflicts.policy_for(mentee.scheme).as_policy()
    explained = breakdown(loading.load_pair(mentor, mentee, on_date), policy, 0, 0)
    return explained["score"], explained


# answering a proposal ---------------------------------------------------------------------------
def _member(mentorship: Mentorship, user: User) -> MentorshipMember:
    member = (
        mentorship.members.select_related("enrolment__person__user")
        .filter(enrolment__person__user=user)
        .first()
    )
    if member is None:
        raise MatchingError(MatchingRefusal.NOT_A_MEMBER, "You are not part of this mentorship.")
    return member


def respond(*, mentorship: Mentorship, user: User, accept: bool, on_date=None) -> Mentorship:
    """A mentor or mentee accepts or declines a proposed mentorship. A decline ends it and the
    mentee is offered the next best mentor (or, where mentees choose, asked to choose again)."""
    with transaction.atomic():
        mentorship = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
        member = _member(mentorship, user)
        if mentorship.status != MentorshipStatus.PROPOSED:
            raise MatchingError(
                MatchingRefusal.NOT_PROPOSED, "This mentorship is no longer waiting for an answer."
            )
        if member.response != Response.PENDING:
            raise MatchingError(
                MatchingRefusal.ALREADY_ANSWERED,
                f"You have already {member.get_response_display().lower()} this mentorship.",
            )
        member.response = Response.ACCEPTED if accept else Response.DECLINED
        member.responded_at = timezone.now()
        member.save(update_fields=["response", "responded_at"])
        if not accept:
            reason = (
                EndReason.MENTOR_DECLINED if member.role == "mentor" else EndReason.MENTEE_DECLINED
            )
            end_mentorship(mentorship=mentorship, reason=reason, by=user, on_date=on_date)
    return mentorship


# meetings ---------------------------------------------------------------------------------------
def record_meeting(
    *, mentorship: Mentorship, held_on: datetime.date, attended: list[Enrolment], by: User | None
) -> Mentorship:
    """A formal meeting was held: everyone who attended counts from their first one, and the
    mentorship becomes *active* — a match — once a mentor and a mentee have attended one."""
    if held_on > timezone.localdate():
        raise MatchingError(
            MatchingRefusal.MEETING_IN_FUTURE, "A meeting cannot be recorded before it is held."
        )
    with transaction.atomic():
        mentorship = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
        if mentorship.status == MentorshipStatus.ENDED:
            raise MatchingError(MatchingRefusal.ALREADY_ENDED, "This mentorship has ended.")
        members = {m.enrolment_id: m for m in mentorship.members.all()}
        present = [members[e.pk] for e in attended if e.pk in members]
        roles = {m.role for m in present}
        if "mentee" not in roles or "mentor" not in roles:
            raise MatchingError(
                MatchingRefusal.NO_MENTEE_ATTENDED,
                "A meeting counts only when a mentor and a mentee both attended it.",
            )
        for member in present:
            if member.first_attended_on is None or held_on < member.first_attended_on:
                member.first_attended_on = held_on
                member.save(update_fields=["first_attended_on"])
        if mentorship.started_on is None or held_on < mentorship.started_on:
            mentorship.started_on = held_on
        mentorship.status = MentorshipStatus.ACTIVE
        mentorship.save(update_fields=["status", "started_on"])
    return mentorship


# ending -----------------------------------------------------------------------------------------
def end_mentorship(
    *,
    mentorship: Mentorship,
    reason: str,
    by: User | None,
    note: str = "",
    on_date=None,
    offer_next: bool = True,
    told_already: Iterable[int] = (),
) -> Mentorship:
    """End it with a reason; its mentees who are still on the scheme are offered another mentor.
    Mentors are told only that it ended — never why, if a mentee asked for someone else.
    ``told_already``: users (by id) who had their own message about it, e.g. a mentor whose
    proposal lapsed, and need no second."""
    on_date = _today(on_date)
    with transaction.atomic():
        mentorship = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
        if mentorship.status == MentorshipStatus.ENDED:
            raise MatchingError(MatchingRefusal.ALREADY_ENDED, "This mentorship has already ended.")
        mentorship.status = MentorshipStatus.ENDED
        mentorship.ended_on = on_date
        mentorship.end_reason = reason
        mentorship.end_note = note.strip()
        mentorship.needs_rematch = False
        mentorship.save()
        members = list(
            mentorship.members.select_related("enrolment__person__user", "enrolment__scheme")
        )
        mentorship.members.update(is_open=False)
        quiet = set(told_already) | ({by.pk} if by is not None else set())
        for member in members:
            if member.enrolment.person.user_id in quiet:
                continue
            notify(
                kind="mentorship_ended",
                recipient=member.enrolment.person.user,
                about=mentorship,
                context={"scheme": mentorship.scheme.name, "mentorship_id": mentorship.pk},
            )
        mentorship.conflict_flags.filter(resolution=ConflictFlag.Resolution.OPEN).update(
            resolution=ConflictFlag.Resolution.ENDED,
            resolved_at=timezone.now(),
            resolved_by=by,
        )
        if offer_next:
            for member in members:
                if member.role == "mentee" and member.enrolment.left_on is None:
                    transaction.on_commit(
                        lambda e=member.enrolment: offer_next_mentor(mentee=e, on_date=on_date)
                    )
    return mentorship


def not_continuing(*, mentorship: Mentorship, user: User, note: str = "") -> Mentorship:
    """After the first meeting either side may decide not to go on, without fault."""
    mentorship = Mentorship.objects.get(pk=mentorship.pk)
    _member(mentorship, user)
    if mentorship.status != MentorshipStatus.ACTIVE:
        raise MatchingError(
            MatchingRefusal.NOT_ACTIVE,
            "You can decide not to continue once the first meeting has been held.",
        )
    return end_mentorship(
        mentorship=mentorship, reason=EndReason.NOT_CONTINUING, by=user, note=note
    )


def request_rematch(*, mentorship: Mentorship, user: User, reason: str) -> RematchRequest:
    """A mentee asks, in confidence, for a different mentor. Coordinators see the request and its
    reason; the mentor is told only that the mentorship ended."""
    reason = reason.strip()
    if not reason:
        raise MatchingError(
            MatchingRefusal.REASON_REQUIRED,
            "Tell us why you would like a different mentor.",
            field="reason",
        )
    member = _member(mentorship, user)
    if member.role != "mentee":
        raise MatchingError(
            MatchingRefusal.NOT_A_MEMBER, "Only a mentee can ask for a different mentor."
        )
    with transaction.atomic():
        end_mentorship(mentorship=mentorship, reason=EndReason.REMATCH_REQUESTED, by=user)
        request = RematchRequest.objects.create(
            mentorship=mentorship, mentee=member.enrolment, reason=reason
        )
        for coordinator in coordinators_of(mentorship.scheme):
            notify(
                kind="rematch_requested",
                recipient=coordinator,
                about=request,
                context={
                    "scheme": mentorship.scheme.name,
                    "mentee": member.enrolment.person.full_name,
                    "request_id": request.pk,
                },
            )
    return request


# the next offer and the shortlist ---------------------------------------------------------------
def _previous_mentors(mentee: Enrolment) -> list[int]:
    return list(
        MentorshipMember.objects.filter(
            role="mentor",
            mentorship__members__enrolment=mentee,
            mentorship__members__role="mentee",
        ).values_list("enrolment_id", flat=True)
    )


def ranked_mentors(mentee: Enrolment, *, on_date=None, limit: int | None = None):
    """Available mentors with room, best first, as (enrolment id, score, breakdown) — excluding
    forbidden pairs and anyone this mentee has already been paired with on the scheme."""
    on_date = _today(on_date)
    scheme = mentee.scheme
    mentors = loading.mentor_candidates(scheme, on_date).exclude(pk__in=_previous_mentors(mentee))
    mentors = mentors.exclude(person_id=mentee.person_id)
    loaded = loading.load(
        scheme, on_date, mentees=Enrolment.objects.filter(pk=mentee.pk), mentors=mentors
    )
    if not loaded.mentors:
        return []
    policy = conflicts.policy_for(scheme).as_policy()
    scores = score_rows(loaded.features, policy, np.array([0]))[0]
    allowed = np.nonzero(scores != FORBIDDEN)[0]
    order = allowed[np.lexsort((allowed, -scores[allowed]))]
    if limit is not None:
        order = order[:limit]
    return [
        (loaded.mentors[m], scores[m] / UNIT, breakdown(loaded.features, policy, 0, int(m)))
        for m in order
    ]


def offer_next_mentor(*, mentee: Enrolment, on_date=None) -> Mentorship | None:
    """After a decline or an ending: in allocation schemes, propose the best mentor left; where
    mentees choose, ask them to choose again. Coordinators hear when no one is left."""
    mentee = Enrolment.objects.select_related("scheme", "person__user").get(pk=mentee.pk)
    if mentee.left_on or mentee.memberships.filter(is_open=True).exists():
        return None
    scheme = mentee.scheme
    policy = conflicts.policy_for(scheme)
    if policy.mode == MatchingMode.CHOICE:
        notify(
            kind="choose_again",
            recipient=mentee.person.user,
            about=f"choose-again:{mentee.pk}:{_previous_mentors(mentee)}",
            context={"scheme": scheme.name, "scheme_slug": scheme.slug},
        )
        return None
    for mentor_id, _score, _explained in ranked_mentors(mentee, on_date=on_date, limit=5):
        try:
            return create_mentorship(
                mentors=[Enrolment.objects.get(pk=mentor_id)],
                mentees=[mentee],
                source=Source.NEXT_OFFER,
                by=None,
                on_date=on_date,
            )
        except MatchingError:
            continue
    for coordinator in coordinators_of(scheme):
        notify(
            kind="no_mentor_available",
            recipient=coordinator,
            about=f"no-mentor:{mentee.pk}:{len(_previous_mentors(mentee))}",
            context={"scheme": scheme.name, "mentee": mentee.person.full_name},
        )
    return None


def shortlist(mentee: Enrolment, *, on_date=None):
    """The top mentors a mentee may choose from (the scheme's shortlist size)."""
    size = conflicts.policy_for(mentee.scheme).shortlist_size
    return ranked_mentors(mentee, on_date=on_date, limit=size)


def choose_mentor(*, mentee: Enrolment, mentor: Enrolment, user: User, on_date=None) -> Mentorship:
    """A mentee picks a mentor from their shortlist; the mentor then accepts or declines."""
    if mentee.person.user_id != user.pk:
        raise MatchingError(MatchingRefusal.NOT_A_MEMBER, "You can only choose your own mentor.")
    if conflicts.policy_for(mentee.scheme).mode != MatchingMode.CHOICE:
        raise MatchingError(
            MatchingRefusal.WRONG_MODE, "On this scheme the coordinators match mentors and mentees."
        )
    offered = {mentor_id for mentor_id, _, _ in shortlist(mentee, on_date=on_date)}
    if mentor.pk not in offered:
        problems = conflicts.pair_problems(mentor, mentee, on_date=_today(on_date))
        raise MatchingError(
            MatchingRefusal.NOT_ON_SHORTLIST,
            *(problems or [f"{mentor.person.full_name} is not on your shortlist."]),
        )
    return create_mentorship(
        mentors=[mentor],
        mentees=[mentee],
        source=Source.CHOICE,
        by=user,
        on_date=on_date,
        mentee_accepted=True,
    )


def set_preferences(*, mentee: Enrolment, mentors: list[Enrolment], user: User) -> None:
    """A mentee's ranking of mentors, first choice first (replaces any earlier ranking)."""
    if mentee.person.user_id != user.pk:
        raise MatchingError(MatchingRefusal.NOT_A_MEMBER, "You can only rank your own mentors.")
    if len({m.pk for m in mentors}) != len(mentors):
        raise MatchingError(
            MatchingRefusal.PREFERENCES, "Choose each mentor once.", field="mentors"
        )
    if any(m.scheme_id != mentee.scheme_id or m.role != ParticipantRole.MENTOR for m in mentors):
        raise MatchingError(
            MatchingRefusal.PREFERENCES, "Choose mentors on your own scheme.", field="mentors"
        )
    with transaction.atomic():
        MentorPreference.objects.filter(mentee=mentee).delete()
        MentorPreference.objects.bulk_create(
            MentorPreference(mentee=mentee, mentor=m, rank=n) for n, m in enumerate(mentors, 1)
        )


# availability -----------------------------------------------------------------------------------
def update_availability(
    *, enrolment: Enrolment, capacity: int, not_taking_until: datetime.date | None, user: User
) -> Enrolment:
    """A mentor lowers (or raises, within the scheme's range) how many mentees they take, or
    stops taking new ones until a date. Mentees they already have carry on."""
    scheme = enrolment.scheme
    if enrolment.person.user_id != user.pk and not user.is_superuser:
        raise MatchingError(MatchingRefusal.NOT_A_MEMBER, "You can only change your own capacity.")
    if not 1 <= capacity <= scheme.mentor_capacity_max:
        raise MatchingError(
            MatchingRefusal.CAPACITY,
            f"Enter a number from 1 to {scheme.mentor_capacity_max}.",
            field="capacity",
        )
    if not_taking_until and not_taking_until <= timezone.localdate():
        raise MatchingError(
            MatchingRefusal.CAPACITY,
            "The date you take new mentees again must be in the future.",
            field="not_taking_until",
        )
    enrolment.capacity = capacity
    enrolment.not_taking_mentees_until = not_taking_until
    enrolment.save(update_fields=["capacity", "not_taking_mentees_until", "updated_at"])
    return enrolment


# mentors who leave or are paused ----------------------------------------------------------------
def flag_for_rematch(*, enrolment: Enrolment, on_date, by=None, **_) -> int:
    """A mentor left or was paused: mark their open mentorships for rematching and tell the
    coordinators. Returns how many were flagged."""
    if enrolment.role != ParticipantRole.MENTOR:
        if enrolment.left_on:
            for mentorship in Mentorship.objects.filter(
                members__enrolment=enrolment, status__in=OPEN_MENTORSHIP
            ):
                end_mentorship(
                    mentorship=mentorship,
                    reason=EndReason.MENTEE_LEFT,
                    by=by,
                    on_date=on_date,
                    offer_next=False,
                )
        return 0
    flagged = Mentorship.objects.filter(
        members__enrolment=enrolment, members__role="mentor", status__in=OPEN_MENTORSHIP
    )
    count = flagged.update(needs_rematch=True)
    if count:
        for coordinator in coordinators_of(enrolment.scheme):
            notify(
                kind="mentees_need_rematch",
                recipient=coordinator,
                about=enrolment,
                period=on_date.isoformat(),
                context={
                    "scheme": enrolment.scheme.name,
                    "mentor": enrolment.person.full_name,
                    "count": count,
                },
            )
    return count


# conflicts that come to light later -------------------------------------------------------------
def flag_conflicts(*, people: set[int], on_date=None) -> list[ConflictFlag]:
    """Check every open mentorship involving ``people`` (e.g. both ends of a relationship just
    recorded) and flag each pair that now conflicts; coordinators are told at once."""
    on_date = _today(on_date)
    mentorships = (
        Mentorship.objects.filter(status__in=OPEN_MENTORSHIP, members__enrolment__person__in=people)
        .distinct()
        .prefetch_related("members__enrolment__person__user", "members__enrolment__scheme")
        .select_related("scheme")
    )
    flags = []
    for mentorship in mentorships:
        members = list(mentorship.members.all())
        for mentor in (m for m in members if m.role == "mentor"):
            for mentee in (m for m in members if m.role == "mentee"):
                flags += _flag_pair(mentorship, mentor.enrolment, mentee.enrolment, on_date)
    return flags


def _flag_pair(mentorship, mentor, mentee, on_date) -> list[ConflictFlag]:
    policy = conflicts.policy_for(mentorship.scheme)
    found = []
    for sentence in conflicts.relationship_sentences(mentor.person_id, mentee.person_id, on_date):
        found.append(("relationship", True, sentence))
    for name, hard, sentence in conflicts.setting_conflicts(mentor, mentee, on_date, policy):
        found.append((name, hard, sentence))
    flags = []
    for name, hard, sentence in found:
        flag, created = ConflictFlag.objects.get_or_create(
            mentorship=mentorship,
            conflict=name,
            resolution=ConflictFlag.Resolution.OPEN,
            defaults={"hard": hard, "reason": sentence},
        )
        already_allowed = ConflictFlag.objects.filter(
            mentorship=mentorship, conflict=name, resolution=ConflictFlag.Resolution.ALLOWED
        ).exists()
        if created and already_allowed and not hard:
            flag.delete()
            continue
        if created:
            flags.append(flag)
            for coordinator in coordinators_of(mentorship.scheme):
                notify(
                    kind="conflict_flagged",
                    recipient=coordinator,
                    about=flag,
                    context={
                        "scheme": mentorship.scheme.name,
                        "reason": sentence,
                        "mentorship_id": mentorship.pk,
                    },
                )
    return flags


def resolve_flag(*, flag: ConflictFlag, end: bool, note: str, by: User) -> ConflictFlag:
    """End the mentorship, or record why it may stand — never for a hard conflict."""
    note = note.strip()
    if flag.resolution != ConflictFlag.Resolution.OPEN:
        raise MatchingError(MatchingRefusal.FLAG_RESOLVED, "This flag has already been resolved.")
    if not end and flag.hard:
        raise MatchingError(
            MatchingRefusal.HARD_CONFLICT_CANNOT_STAND,
            "This conflict is never allowed: the mentorship must end.",
        )
    if not note:
        raise MatchingError(
            MatchingRefusal.REASON_REQUIRED, "Record why, in a sentence or two.", field="note"
        )
    with transaction.atomic():
        if end:
            end_mentorship(mentorship=flag.mentorship, reason=EndReason.CONFLICT, by=by, note=note)
            flag.refresh_from_db()
            flag.resolution_note = note
            flag.save(update_fields=["resolution_note"])
        else:
            flag.resolution = ConflictFlag.Resolution.ALLOWED
            flag.resolution_note = note
            flag.resolved_at = timezone.now()
            flag.resolved_by = by
            flag.save()
    return flag
