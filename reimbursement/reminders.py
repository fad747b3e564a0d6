"""The reimbursement reminders (scheduled jobs): see mentoring.reminders.

* ``remind-unclaimed-weeks``: a mentor on a scheme paid per week who held a session in a past
  week and has not claimed it ("one session every week to the value of £289", GP scheme guidance);
* ``remind-claims-cut-off``: near the month's end, a mentor on a paid scheme with mentoring held
  this month and not claimed ("reimburse GP mentors directly on a monthly basis");
* ``tell-finance-runs-built``: finance staff, when a draft payment run is built or changes.

What a mentor "could still claim" is decided by ``claims.check_claim`` itself, over contexts
loaded for every mentor at once (``claims.contexts_for``): the reminder never asks for a claim the
claim form would refuse (before joining, after leaving, while paused, past their eligibility, a
date with no rate, a week already claimed).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Person, Role, RoleAssignment
from mentoring.reminders import Job, Reminder, register_job
from reimbursement import claims
from reimbursement.models import PaymentRun, RunStatus
from reimbursement.runs import month_end, month_start
from schemes.models import ClaimKind, ParticipantRole, Scheme, plan_for
from schemes.models import ClaimUnit as SchemeUnit
from schemes.reminders import schemes_at
from sessions_log.models import MentoringSession, SessionStatus

WEEK = datetime.timedelta(days=7)
# A mentor is reminded of at most the 12 latest weeks that are due (about a quarter). Older weeks
# are not forgotten by the claim form — they may still be claimed — but a nudge about them is
# the coordinator's call, not a machine's: schemes are funded in quarterly allocations, and a
# reminder listing half a year of weeks every week would be noise. It also bounds what is read.
MAX_WEEKS = 12


def _label(day: datetime.date) -> str:
    return day.strftime("%-d %B %Y")


def _how_many(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _midnight(day: datetime.date) -> datetime.datetime:
    """The start of ``day`` in UK time, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class _Held:
    """What one mentor held on one scheme in a stretch of time: (day, session id) each."""

    person_id: int
    scheme: Scheme
    sessions: list[tuple[datetime.date, int]] = field(default_factory=list)


def _held_sessions(
    schemes: list[Scheme], units: list[str], start: datetime.date, end: datetime.date
) -> dict[tuple[int, int], _Held]:
    """Held sessions on ``schemes`` (paid by one of ``units``) from ``start`` to before ``end``,
    per (mentor's person, scheme): one query. A group's mentors each count the session."""
    by_pk = {scheme.pk: scheme for scheme in schemes}
    rows = (
        MentoringSession.objects.filter(
            status=SessionStatus.HELD,
            mentorship__scheme__in=list(by_pk),
            mentorship__scheme__rate_card__claim_unit__in=units,
            starts_at__gte=_midnight(start),
            starts_at__lt=_midnight(end),
            mentorship__members__role=ParticipantRole.MENTOR,
        )
        .values_list(
            "pk", "starts_at", "mentorship__scheme_id", "mentorship__members__enrolment__person_id"
        )
        .order_by("starts_at", "pk")
        .distinct()
    )
    found: dict[tuple[int, int], _Held] = {}
    for session_id, starts_at, scheme_id, person_id in rows:
        held = found.setdefault(
            (person_id, scheme_id), _Held(person_id=person_id, scheme=by_pk[scheme_id])
        )
        held.sessions.append((timezone.localtime(starts_at).date(), session_id))
    return found


def _contexts(found: dict[tuple[int, int], _Held], today: datetime.date):
    """People (with their users) and claim contexts for every mentor found, in a constant number
    of queries. Each context judges as of ``today`` — the moment the job runs for, not the clock."""
    people = {
        person.pk: person
        for person in Person.objects.filter(
            pk__in={person_id for person_id, _ in found}, user__is_active=True
        ).select_related("user")
    }
    contexts = claims.contexts_for(
        (people[held.person_id], held.scheme) for held in found.values() if held.person_id in people
    )
    for ctx in contexts.values():
        ctx.today = today
    return contexts


def _claimable(ctx: claims.ClaimContext, day: datetime.date, session_id: int | None) -> bool:
    return not claims.check_claim(
        ctx, kind=ClaimKind.MENTORING, claimed_date=day, session_id=session_id
    )


# remind-unclaimed-weeks -----------------------------------------------------------------------
def latest_due_week(today: datetime.date, days: int) -> datetime.date:
    """The Monday of the latest week (Monday to Sunday) that ended at least ``days`` ago: the
    week ends at the next Monday's midnight, so its Monday is ``days`` + 7 days or more ago."""
    return claims.week_of(today - datetime.timedelta(days=days) - WEEK)


def find_unclaimed_weeks(at: datetime.datetime, scheme_slug: str | None) -> Iterator[Reminder]:
    """Mentors with a held session in a week that ended ``unclaimed_week_days`` ago or more and
    no claim for it (a rejected claim does not count: the mentor may claim again), on schemes
    paid per week: one message listing those weeks, keyed by the latest of them — so the next
    unclaimed week makes a new reminder and nothing is said twice about the same latest week.

    At most the 12 latest due weeks (see ``MAX_WEEKS``); only weeks the claim form would accept.
    """
    today = timezone.localdate(at)
    schemes = schemes_at(at, scheme_slug)
    if not schemes:
        return
    latest = {s.pk: latest_due_week(today, plan_for(s).unclaimed_week_days) for s in schemes}
    first = {pk: monday - (MAX_WEEKS - 1) * WEEK for pk, monday in latest.items()}
    found = _held_sessions(
        schemes, [SchemeUnit.WEEK], min(first.values()), max(latest.values()) + WEEK
    )
    contexts = _contexts(found, today)
    link = reverse("claim_new")
    for key, held in found.items():
        ctx = contexts.get(key)
        if ctx is None:
            continue
        scheme = held.scheme
        weeks: dict[datetime.date, list[datetime.date]] = defaultdict(list)
        for day, _ in held.sessions:
            monday = claims.week_of(day)
            if first[scheme.pk] <= monday <= latest[scheme.pk]:
                weeks[monday].append(day)
        # Each week the claim form would take, with a day it would take it for.
        claimable = {
            monday: next((d for d in days if _claimable(ctx, d, None)), None)
            for monday, days in weeks.items()
        }
        unclaimed = sorted(monday for monday, d in claimable.items() if d is not None)
        if not unclaimed:
            continue
        newest = unclaimed[-1]
        enrolment = claims.covering_enrolment(ctx, claimable[newest])
        yield Reminder(
            kind="week_unclaimed",
            recipient=ctx.person.user,
            about=enrolment,
            period=newest.isoformat(),
            context={
                "scheme": scheme.name,
                "count": len(unclaimed),
                "how_many": _how_many(len(unclaimed), "week"),
                "latest": _label(newest),
                "weeks": [
                    {"monday": monday.isoformat(), "label": _label(monday)} for monday in unclaimed
                ],
            },
            link=link,
            scheme=scheme,
        )


# remind-claims-cut-off ------------------------------------------------------------------------
def in_cut_off(today: datetime.date, days_before: int) -> bool:
    """From the month's last day less ``days_before`` to the month's last day, inclusive."""
    return month_end(today) - datetime.timedelta(days=days_before) <= today


def find_claims_cut_off(at: datetime.datetime, scheme_slug: str | None) -> Iterator[Reminder]:
    """In the last ``claims_cutoff_days_before`` days of a month, mentors on a paid scheme (per
    week or per meeting) with mentoring held this month that they have not claimed and could: one
    message a month (period ``YYYY-MM``) listing the weeks or meetings.

    Payment runs are monthly (GP scheme guidance: "reimburse GP mentors directly on a monthly
    basis"), built on the 1st from the claims approved by then — hence the nudge before the end.
    """
    today = timezone.localdate(at)
    schemes = [
        s
        for s in schemes_at(at, scheme_slug)
        if in_cut_off(today, plan_for(s).claims_cutoff_days_before)
    ]
    if not schemes:
        return
    found = _held_sessions(
        schemes,
        [SchemeUnit.WEEK, SchemeUnit.MEETING],
        month_start(today),
        today + datetime.timedelta(days=1),
    )
    contexts = _contexts(found, today)
    link = reverse("claim_new")
    for key, held in found.items():
        ctx = contexts.get(key)
        if ctx is None or ctx.rate_card is None:
            continue
        weekly = ctx.rate_card.claim_unit == SchemeUnit.WEEK
        items: list[tuple[datetime.date, str]] = []
        weeks: set[datetime.date] = set()
        for day, session_id in held.sessions:
            if weekly:
                monday = claims.week_of(day)
                if monday not in weeks and _claimable(ctx, day, None):
                    weeks.add(monday)
                    items.append((day, f"the week beginning {_label(monday)}"))
            elif _claimable(ctx, day, session_id):
                items.append((day, f"the meeting on {_label(day)}"))
        if not items:
            continue
        last_day = items[-1][0]
        enrolment = claims.covering_enrolment(ctx, last_day)
        yield Reminder(
            kind="claims_cut_off",
            recipient=ctx.person.user,
            about=enrolment,
            period=f"{today:%Y-%m}",
            context={
                "scheme": held.scheme.name,
                "month": f"{today:%B %Y}",
                "closes": _label(month_end(today)),
                "count": len(items),
                "how_many": _how_many(len(items), "week" if weekly else "meeting"),
                "items": [label for _, label in items],
            },
            link=link,
            scheme=held.scheme,
        )


# tell-finance-runs-built ----------------------------------------------------------------------
def run_version(run: PaymentRun) -> str:
    """What a draft run pays, as a short key: a rebuild that adds a claim, a mentor or an
    adjustment changes it (and finance is told again); a rebuild that adds nothing does not."""
    pence = int(run.total_amount * 100)
    return f"{pence}p-{run.claim_count}c-{run.line_total}l"


def find_runs_built(at: datetime.datetime, scheme_slug: str | None) -> Iterator[Reminder]:
    """Each draft run with something to pay → each finance user whose scope includes the paying
    organisation (a finance role on it or above it), once per version of the run.

    Not gated by any scheme's hour: finance should hear as soon as a run is built (the monthly
    build also runs this job at once). With ``scheme_slug``, only the runs of that scheme's payer.
    """
    runs = PaymentRun.objects.filter(status=RunStatus.DRAFT).select_related("organisation")
    if scheme_slug is not None:
        payer = (
            Scheme.objects.filter(slug=scheme_slug, rate_card__isnull=False)
            .values_list("rate_card__paid_by", "owner")
            .first()
        )
        if payer is None:
            return
        runs = runs.filter(organisation_id=payer[0] or payer[1])
    runs = list(runs.annotate(line_total=Count("lines")).filter(line_total__gt=0).order_by("pk"))
    if not runs:
        return
    assignments = list(
        RoleAssignment.objects.filter(role=Role.FINANCE, user__is_active=True)
        .select_related("user", "organisation")
        .order_by("user_id", "pk")
    )
    for run in runs:
        told: set[int] = set()
        for assignment in assignments:
            if assignment.user_id in told or not run.organisation.is_within(
                assignment.organisation
            ):
                continue
            told.add(assignment.user_id)
            yield Reminder(
                kind="payment_run_built",
                recipient=assignment.user,
                about=run,
                period=run_version(run),
                context={
                    "reference": run.reference,
                    "month": f"{run.period:%B %Y}",
                    "organisation": run.organisation.name,
                    "amount": f"{run.total_amount:,.2f}",
                    "lines": run.line_total,
                    "payments": _how_many(run.line_total, "payment"),
                    "claims": run.claim_count,
                },
                link=reverse("payment_run_detail", args=[run.reference]),
                scheme=None,
            )


register_job(
    Job(name="remind-unclaimed-weeks", find=find_unclaimed_weeks, kinds=("week_unclaimed",))
)
register_job(Job(name="remind-claims-cut-off", find=find_claims_cut_off, kinds=("claims_cut_off",)))
register_job(
    Job(name="tell-finance-runs-built", find=find_runs_built, kinds=("payment_run_built",))
)
