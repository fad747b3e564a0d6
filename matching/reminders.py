"""The matching reminders (scheduled jobs, see ``mentoring.reminders``): proposals nobody
answered, and new pairs who have not met.

* ``remind-unanswered-proposals`` — "requests must not slip through the cracks" (issue 8), and
  "all schemes say they allow both participants to decline the other" (seeds/002): whoever has
  not accepted or declined is reminded; a mentor who still has not answered by the deadline has
  in effect declined, so the match ends and the mentee is offered the next choice.
* ``remind-new-mentorships`` — "It is the mentor's responsibility to contact the mentee and plan
  for ongoing mentorship" (seeds/000), and "a doctor having a mentor only 'on paper' and never
  meeting is unlikely to be useful" (seeds/002): the mentor is reminded to make contact, then,
  with no first meeting after the set days, reminded again and the coordinators told.

Every reminder is about the mentorship with an empty period: each goes once per mentorship.
Days count from the local date the mentorship was proposed (``created_at``), per the scheme's
``ReminderPlan``; a mentorship whose mentor left or was paused (``needs_rematch``) is left to the
coordinators, who were told at the time.
"""

import datetime
from collections.abc import Callable, Iterator

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from matching.models import EndReason, Mentorship, MentorshipMember, MentorshipStatus
from mentoring.reminders import Job, Reminder, Stale, register_job
from schemes.models import EnrolmentStatus, ReminderPlan, Scheme, plan_for
from schemes.reminders import Coordinators, schemes_at
from schemes.rules import long_date

PENDING = MentorshipMember.Response.PENDING
ACCEPTED = MentorshipMember.Response.ACCEPTED


# reading ----------------------------------------------------------------------------------------
def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day``, UK time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _never_met(
    schemes: list[Scheme],
    today: datetime.date,
    days: Callable[[ReminderPlan], int],
    having: Q,
) -> list[Mentorship]:
    """Proposed mentorships of ``schemes`` never met, proposed at least ``days(plan)`` days before
    ``today`` and matching ``having``; members (with person and user) loaded, each scheme the
    one given. Two queries, however many schemes and rows."""
    if not schemes:
        return []
    old_enough = Q()
    for scheme in schemes:
        since = today - datetime.timedelta(days=days(plan_for(scheme)) - 1)
        old_enough |= Q(scheme_id=scheme.pk, created_at__lt=_start_of(since))
    members = MentorshipMember.objects.select_related("enrolment__person__user").order_by(
        "role", "pk"
    )
    mentorships = list(
        Mentorship.objects.filter(
            old_enough,
            having,
            status=MentorshipStatus.PROPOSED,
            started_on__isnull=True,
            needs_rematch=False,
        )
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("pk")
    )
    by_id = {scheme.pk: scheme for scheme in schemes}
    for mentorship in mentorships:
        mentorship.scheme = by_id[mentorship.scheme_id]
    return mentorships


def _members(mentorship: Mentorship, role: str) -> list[MentorshipMember]:
    return [m for m in mentorship.members.all() if m.role == role]


def _names(members: list[MentorshipMember], most: int = 3) -> str:
    """The members' names, e.g. "Anna Mentor, Cara Mentee"; of a large group, the first few and
    how many more, so that a subject stays short."""
    names = [m.enrolment.person.full_name for m in members]
    if len(names) <= most:
        return ", ".join(names)
    return f"{', '.join(names[:most])} and {len(names) - most} others"


def _active(member: MentorshipMember) -> bool:
    return member.enrolment.status == EnrolmentStatus.ACTIVE


def _for_member(
    mentorship: Mentorship, member: MentorshipMember, kind: str, *, then=None, **context
) -> Reminder:
    return Reminder(
        kind=kind,
        recipient=member.enrolment.person.user,
        about=mentorship,
        context={"scheme": mentorship.scheme.name, "mentorship_id": mentorship.pk, **context},
        link=reverse("mentorship_detail", args=[mentorship.pk]),
        scheme=mentorship.scheme,
        then=then,
    )


def _for_coordinators(
    mentorship: Mentorship, coordinators: Coordinators, kind: str, **context
) -> Iterator[Reminder]:
    for coordinator in coordinators.of(mentorship.scheme):
        yield Reminder(
            kind=kind,
            recipient=coordinator,
            about=mentorship,
            context={"scheme": mentorship.scheme.name, "mentorship_id": mentorship.pk, **context},
            link=reverse("admin:matching_mentorship_change", args=[mentorship.pk]),
            scheme=mentorship.scheme,
        )


# remind-unanswered-proposals ---------------------------------------------------------------------
def find_unanswered_proposals(at: datetime.datetime, scheme: str | None) -> Iterator[Reminder]:
    """From ``answer_reminder_days`` after a proposal, each member who has not answered is
    reminded. From ``answer_deadline_days``: if no mentor has answered, each is told the match
    lapsed (its ``then`` ends it, which offers the mentee the next choice) and the coordinators
    are told; if only others (the mentee, a co-mentor) are still to answer, the coordinators are
    told and nothing ends — a mentee's silence is not the mentor's refusal. Nobody is asked to
    answer "by" a day already past (a run that was late by days)."""
    today = timezone.localdate(at)
    waiting = Exists(MentorshipMember.objects.filter(mentorship=OuterRef("pk"), response=PENDING))
    coordinators = Coordinators()
    for mentorship in _never_met(
        schemes_at(at, scheme), today, lambda plan: plan.answer_reminder_days, Q(waiting)
    ):
        plan = plan_for(mentorship.scheme)
        proposed = timezone.localdate(mentorship.created_at)
        deadline = proposed + datetime.timedelta(days=plan.answer_deadline_days)
        mentors, mentees = _members(mentorship, "mentor"), _members(mentorship, "mentee")
        silent = [m for m in mentorship.members.all() if m.response == PENDING]
        mentors_silent = bool(mentors) and all(m.response == PENDING for m in mentors)
        context = {
            "mentors": _names(mentors),
            "mentees": _names(mentees),
            "proposed_on": long_date(proposed),
            "days": plan.answer_deadline_days,
        }
        if today >= deadline and mentors_silent:
            ended = _lapse(mentorship.pk, on_date=today, days=plan.answer_deadline_days)
            for mentor in mentors:
                yield _for_member(mentorship, mentor, "proposal_lapsed", then=ended, **context)
            yield from _for_coordinators(
                mentorship, coordinators, "proposal_lapsed_coordinator", **context
            )
            continue
        if today >= deadline:
            yield from _for_coordinators(
                mentorship,
                coordinators,
                "proposal_unanswered_coordinator",
                waiting_on=_names(silent),
                **context,
            )
            continue
        for member in silent:
            if _active(member):
                others = [m for m in mentorship.members.all() if m.pk != member.pk]
                yield _for_member(
                    mentorship,
                    member,
                    "proposal_unanswered",
                    others=_names(others),
                    proposed_on=context["proposed_on"],
                    deadline=long_date(deadline),
                    lapses=member.role == "mentor" and mentors_silent,
                )


def _lapse(mentorship_id: int, *, on_date: datetime.date, days: int) -> Callable[[], None]:
    """What a lapse does, once: end the mentorship for want of an answer. ``end_mentorship``
    offers its mentees the next choice after commit, so nothing here offers it again."""

    def then() -> None:
        from matching.services import end_mentorship

        with transaction.atomic():
            mentorship = Mentorship.objects.select_for_update().get(pk=mentorship_id)
            if mentorship.end_reason == EndReason.NO_ANSWER:
                return  # ended by another silent mentor's reminder of the same group, just now
            mentors = mentorship.members.filter(role="mentor")
            if (
                mentorship.status != MentorshipStatus.PROPOSED
                or mentors.exclude(response=PENDING).exists()
            ):
                # Answered or ended since it was found: undo the lapse notice too.
                raise Stale("This mentorship was answered or ended before it could lapse.")
            end_mentorship(
                mentorship=mentorship,
                reason=EndReason.NO_ANSWER,
                by=None,
                on_date=on_date,
                note=f"The mentor did not accept or decline within {days} days.",
                # Each silent mentor has their own "your match has ended" (proposal_lapsed).
                told_already=mentors.values_list("enrolment__person__user_id", flat=True),
            )

    return then


# remind-new-mentorships -------------------------------------------------------------------------
def find_new_mentorships(at: datetime.datetime, scheme: str | None) -> Iterator[Reminder]:
    """A pair whose mentor accepted and who have not met: from ``contact_reminder_days`` the
    mentor is reminded to make contact; from ``first_meeting_days`` (instead, if both are due)
    the mentor is told again and the coordinators are told. A mentor who has not answered is
    the other job's business."""
    today = timezone.localdate(at)
    mentor_accepted = Exists(
        MentorshipMember.objects.filter(mentorship=OuterRef("pk"), role="mentor", response=ACCEPTED)
    )
    coordinators = Coordinators()
    for mentorship in _never_met(
        schemes_at(at, scheme),
        today,
        lambda plan: min(plan.contact_reminder_days, plan.first_meeting_days),
        Q(mentor_accepted),
    ):
        plan = plan_for(mentorship.scheme)
        proposed = timezone.localdate(mentorship.created_at)
        meet_by = proposed + datetime.timedelta(days=plan.first_meeting_days)
        mentors, mentees = _members(mentorship, "mentor"), _members(mentorship, "mentee")
        accepted = [m for m in mentors if m.response == ACCEPTED and _active(m)]
        context = {
            "mentors": _names(mentors),
            "mentees": _names(mentees),
            "proposed_on": long_date(proposed),
        }
        if today >= meet_by:
            for mentor in accepted:
                yield _for_member(mentorship, mentor, "no_first_meeting", **context)
            yield from _for_coordinators(
                mentorship,
                coordinators,
                "no_first_meeting_coordinator",
                days=plan.first_meeting_days,
                **context,
            )
            continue
        for mentor in accepted:
            yield _for_member(
                mentorship, mentor, "contact_your_mentee", meet_by=long_date(meet_by), **context
            )


register_job(
    Job(
        name="remind-unanswered-proposals",
        find=find_unanswered_proposals,
        kinds=(
            "proposal_unanswered",
            "proposal_lapsed",
            "proposal_lapsed_coordinator",
            "proposal_unanswered_coordinator",
        ),
    )
)
register_job(
    Job(
        name="remind-new-mentorships",
        find=find_new_mentorships,
        kinds=("contact_your_mentee", "no_first_meeting", "no_first_meeting_coordinator"),
    )
)
