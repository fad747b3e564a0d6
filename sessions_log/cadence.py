"""When each mentorship's next session is due, from its cadence — the cohort's where the cohort
sets one, else the scheme's — and the pairs a coordinator should follow up.

The cadence is read in the first way a scheme says it:

* every N weeks (the GP fellowship's "1 hour every 4 weeks");
* N sessions a year, at least (the PA preceptorship's "2–4 a year"): every 52/N weeks;
* at least N sessions in the programme (the pharmacist pilot): spread evenly over the scheme's
  planned mentorship length (12 months if it gives none), and nothing more is due once N are held.

The next session is due that long after the last one held — or after the mentorship was proposed,
if the pair have never met. Everything here reads rows already loaded: :func:`follow_up` makes a
fixed number of queries however many mentorships there are.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from matching.models import OPEN_MENTORSHIP, Mentorship, MentorshipMember
from schemes.models import ParticipantRole
from schemes.models.scheme import CadenceFields
from sessions_log.models import SessionStatus

WEEKS_A_YEAR = 52
DAYS_A_MONTH = 365.25 / 12
DEFAULT_PROGRAMME_MONTHS = 12


@dataclass(frozen=True)
class Rule:
    """A cadence as an interval between sessions, and (for "at least N in the programme") how
    many sessions satisfy it."""

    every_days: int
    sessions_needed: int | None
    description: str


def rule_for(cadence: CadenceFields, programme_months: int | None) -> Rule | None:
    described = cadence.cadence_description()
    if cadence.meet_every_weeks:
        return Rule(7 * cadence.meet_every_weeks, None, described)
    if cadence.sessions_per_year_min:
        days = round(WEEKS_A_YEAR * 7 / cadence.sessions_per_year_min)
        return Rule(days, None, described)
    if cadence.min_sessions_in_programme:
        months = programme_months or DEFAULT_PROGRAMME_MONTHS
        days = round(months * DAYS_A_MONTH / cadence.min_sessions_in_programme)
        return Rule(days, cadence.min_sessions_in_programme, described)
    return None


def cadence_of(mentorship: Mentorship) -> CadenceFields:
    """The first mentee's cohort's cadence where it sets one, else the scheme's. Uses the members
    as loaded (prefetched with their enrolment's cohort by :func:`with_cadence_facts`)."""
    for member in mentorship.members.all():
        cohort = member.enrolment.cohort if member.role == ParticipantRole.MENTEE else None
        if cohort is not None and cohort.has_cadence():
            return cohort
    return mentorship.scheme


@dataclass
class Due:
    mentorship: Mentorship
    rule: Rule | None
    last_met: datetime.date | None
    held: int
    next_planned: datetime.datetime | None
    next_due: datetime.date | None
    today: datetime.date

    @property
    def never_met(self) -> bool:
        return self.last_met is None

    @property
    def overdue(self) -> bool:
        return self.next_due is not None and self.next_due < self.today

    @property
    def days_overdue(self) -> int:
        return (self.today - self.next_due).days if self.overdue else 0

    @property
    def mentors(self) -> list[MentorshipMember]:
        return [m for m in self.mentorship.members.all() if m.role == ParticipantRole.MENTOR]

    @property
    def mentees(self) -> list[MentorshipMember]:
        return [m for m in self.mentorship.members.all() if m.role == ParticipantRole.MENTEE]


def with_cadence_facts(mentorships: QuerySet[Mentorship]) -> QuerySet[Mentorship]:
    """Each mentorship with its scheme, members (and their cohorts), last held session, number
    held and next planned session — two queries when evaluated."""
    held = Q(sessions__status=SessionStatus.HELD)
    members = MentorshipMember.objects.select_related(
        "enrolment__person__user", "enrolment__cohort"
    ).order_by("-role", "pk")
    return (
        mentorships.select_related("scheme")
        .prefetch_related(Prefetch("members", queryset=members))
        .annotate(
            last_held_at=Max("sessions__starts_at", filter=held),
            held_count=Count("sessions", filter=held),
            next_planned_at=Min(
                "sessions__starts_at",
                filter=Q(
                    sessions__status=SessionStatus.PLANNED,
                    sessions__starts_at__gte=timezone.now(),
                ),
            ),
        )
    )


def due_of(mentorship: Mentorship, today: datetime.date | None = None) -> Due:
    """The next session due for one mentorship annotated by :func:`with_cadence_facts`."""
    today = today or timezone.localdate()
    rule = rule_for(cadence_of(mentorship), mentorship.scheme.planned_mentorship_months)
    held_on = timezone.localdate(mentorship.last_held_at) if mentorship.last_held_at else None
    # A first meeting recorded by a coordinator (without a session) counts as meeting too.
    met = [d for d in (held_on, mentorship.started_on) if d is not None]
    last_met = max(met) if met else None
    held = mentorship.held_count
    next_due = None
    if rule is not None and not (rule.sessions_needed and held >= rule.sessions_needed):
        since = last_met or timezone.localdate(mentorship.created_at)
        next_due = since + datetime.timedelta(days=rule.every_days)
    return Due(
        mentorship=mentorship,
        rule=rule,
        last_met=last_met,
        held=held,
        next_planned=mentorship.next_planned_at,
        next_due=next_due,
        today=today,
    )


def next_due_for(mentorship: Mentorship, today: datetime.date | None = None) -> Due:
    loaded = with_cadence_facts(Mentorship.objects.filter(pk=mentorship.pk)).get()
    return due_of(loaded, today)


def follow_up(mentorships: QuerySet[Mentorship], today: datetime.date | None = None) -> list[Due]:
    """Open mentorships that have never met or whose next session is overdue: never met first
    (longest waiting first), then the most overdue."""
    today = today or timezone.localdate()
    open_ones = with_cadence_facts(mentorships.filter(status__in=OPEN_MENTORSHIP))
    dues = [due_of(m, today) for m in open_ones]
    wanted = [d for d in dues if d.never_met or d.overdue]
    return sorted(
        wanted,
        key=lambda d: (
            (0, d.mentorship.created_at.timestamp(), d.mentorship.pk)
            if d.never_met
            else (1, -d.days_overdue, d.mentorship.pk)
        ),
    )
