"""The coordinators' weekly digest per scheme (job ``coordinators-weekly-digest``): see
mentoring.reminders.

Systems must "monitor and evaluate the local scheme in an ongoing way ... number of mentor-mentee
matches" and fellows "should expect to receive one hour of mentorship every four weeks"
(``seeds/001…``); a host organisation "contacts us monthly to remind us to have the monthly
meeting" (``seeds/004…``). So once a week, on the scheme's ``weekly_digest_weekday`` from its
send hour (UK time), each coordinator of the scheme gets one summary of what to follow up:

* pairs never met — open mentorships with no first meeting, with the days since proposed;
* pairs overdue — open mentorships whose next session is overdue by the cadence;
* the waiting list — current, active mentees with no open mentorship, longest waiting first;
* mentors with room — mentors a matching round could pair today, with capacity left.

The definitions are the ones the coordinators already see: never met and overdue are
:func:`sessions_log.cadence.follow_up` (the admin's "Pairs to follow up" page, the e-mail's link);
the waiting list and the mentors with room are who :mod:`matching.loading` would put in a round
(paused, left, not taking mentees or no longer eligible are left out).

The key is (kind, coordinator, scheme, ISO week, e.g. ``2026-W50``): one a week, whichever hour
or tick it goes at, even if the weekday is changed mid-week. It is sent when everything is zero
too, and says so: a coordinator can tell "nothing to do" from "the e-mail never came".
"""

import datetime

from django.db.models import F, Max, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from matching.loading import mentor_candidates, unmatched_mentees
from matching.models import Mentorship
from mentoring.notifications import NotificationKind, register_kind
from mentoring.reminders import Job, Reminder, register_job
from schemes.models import Enrolment, ParticipantRole, Scheme, plan_for
from schemes.reminders import schemes_at
from schemes.selectors import coordinators_of, with_capacity_left
from sessions_log import cadence

JOB = "coordinators-weekly-digest"
KIND = "coordinators_weekly"
# Names listed per section; the counts are always complete.
MOST_NAMES = 10
FOLLOW_UP_URL = "admin:sessions_log_mentoringsession_follow_up"
ENROLMENTS_URL = "admin:schemes_enrolment_changelist"


def iso_week(day: datetime.date) -> str:
    """The ISO week of ``day``, e.g. ``"2026-W50"``: the digest's period."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _ago(today: datetime.date, when: datetime.datetime) -> str:
    days = (today - timezone.localdate(when)).days
    return "today" if days == 0 else f"{_days(days)} ago"


def _names(members) -> str:
    return ", ".join(m.enrolment.person.full_name for m in members)


def _pair(due: cadence.Due) -> str:
    return f"{_names(due.mentors)} with {_names(due.mentees)}"


def waiting_list(scheme: Scheme) -> QuerySet[Enrolment]:
    """Active mentees with no open mentorship, each with ``waiting_since``: the later of joining
    and their last mentorship ending; longest waiting first."""
    last_ended = Max("memberships__mentorship__ended_on")
    return (
        unmatched_mentees(scheme)
        .annotate(waiting_since=Greatest(F("joined_on"), Coalesce(last_ended, F("joined_on"))))
        .select_related("person__user")
        .order_by("waiting_since", "pk")
    )


def mentors_with_room(scheme: Scheme, today: datetime.date) -> QuerySet[Enrolment]:
    """Mentors a round could pair today with ``capacity_left`` above 0; most room first."""
    return (
        with_capacity_left(mentor_candidates(scheme, today), scheme)
        .filter(capacity_left__gt=0)
        .select_related("person__user")
        .order_by("-capacity_left", "person__user__last_name", "person__user__first_name", "pk")
    )


def summary_of(scheme: Scheme, today: datetime.date) -> dict:
    """The digest's context for one scheme on ``today``: counts and up to ten short lines each,
    JSON-safe. Six queries, however many pairs and people."""
    dues = cadence.follow_up(Mentorship.objects.filter(scheme=scheme), today)
    never_met = [d for d in dues if d.never_met]
    overdue = [d for d in dues if not d.never_met]

    waiting = waiting_list(scheme)
    waiting_count = waiting.count()
    with_room = mentors_with_room(scheme, today)
    with_room_count = with_room.count()

    monday = today - datetime.timedelta(days=today.weekday())
    return {
        "scheme": scheme.name,
        "scheme_id": scheme.pk,
        "week": iso_week(today),
        "week_of": f"{monday.day} {monday:%B %Y}",
        "never_met_count": len(never_met),
        "never_met": [
            f"{_pair(d)}: proposed {_ago(today, d.mentorship.created_at)}"
            for d in never_met[:MOST_NAMES]
        ],
        "overdue_count": len(overdue),
        "overdue": [f"{_pair(d)}: {_days(d.days_overdue)} overdue" for d in overdue[:MOST_NAMES]],
        "waiting_count": waiting_count,
        "waiting": [
            f"{e.person.full_name}: waiting {_days((today - e.waiting_since).days)}"
            for e in waiting[:MOST_NAMES]
        ],
        "with_room_count": with_room_count,
        "with_room": [
            f"{e.person.full_name}: room for {e.capacity_left}" for e in with_room[:MOST_NAMES]
        ],
    }


def follow_up_path(scheme_id: int) -> str:
    return f"{reverse(FOLLOW_UP_URL)}?scheme={scheme_id}"


def find(at: datetime.datetime, scheme_slug: str | None):
    """Each coordinator of each scheme whose digest day ``at`` is (UK date), from its send hour."""
    today = timezone.localdate(at)
    for scheme in schemes_at(at, scheme_slug):
        if plan_for(scheme).weekly_digest_weekday != today.weekday():
            continue
        coordinators = list(coordinators_of(scheme).order_by("pk"))
        if not coordinators:
            continue
        context = summary_of(scheme, today)
        for coordinator in coordinators:
            yield Reminder(
                kind=KIND,
                recipient=coordinator,
                about=scheme,
                period=context["week"],
                context=context,
                link=follow_up_path(scheme.pk),
                scheme=scheme,
            )


SECTIONS = (
    (
        "never_met",
        "Pairs who have never met",
        "Proposed, with no first meeting yet. Check the mentor has been in touch.",
    ),
    (
        "overdue",
        "Pairs overdue for a session",
        "Their next session is overdue by the scheme's cadence. Ask them to book one.",
    ),
    (
        "waiting",
        "Mentees waiting for a mentor",
        "Longest waiting first. Run a matching round or pair them yourself.",
    ),
    ("with_room", "Mentors with room for more mentees", "Most room first."),
)


def _email_context(notification) -> dict:
    """The sections with their counts, names and how many more, and the admin links."""
    context = notification.context
    scheme_id = context["scheme_id"]
    enrolments = f"{reverse(ENROLMENTS_URL)}?scheme__id__exact={scheme_id}&status__exact=active"
    sections = []
    for key, title, hint in SECTIONS:
        names = context.get(key, [])
        count = context.get(f"{key}_count", 0)
        sections.append(
            {
                "key": key,
                "title": title,
                "hint": hint,
                "count": count,
                "names": names,
                "more": max(count - len(names), 0),
            }
        )
    return {
        "sections": sections,
        "nothing_to_follow_up": not any(
            context.get(f"{key}_count") for key in ("never_met", "overdue", "waiting")
        ),
        "link_path": follow_up_path(scheme_id),
        "waiting_path": f"{enrolments}&role__exact={ParticipantRole.MENTEE}",
        "mentors_path": f"{enrolments}&role__exact={ParticipantRole.MENTOR}",
    }


register_kind(
    NotificationKind(
        code=KIND,
        subject="{scheme}: your weekly summary, week of {week_of}",
        summary=(
            "{never_met_count} never met, {overdue_count} overdue, {waiting_count} waiting for "
            "a mentor, {with_room_count} mentors with room."
        ),
        essential=False,
        digestible=True,
        label="A weekly summary of each scheme you coordinate",
        build_context=_email_context,
    )
)
register_job(Job(name=JOB, find=find, kinds=(KIND,)))
