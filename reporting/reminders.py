"""The scheduled returns (job ``send-scheme-returns``): see mentoring.reminders.

Every scheme must report: the GP scheme's systems "will be asked to share information against
these metrics with NHS England and NHS Improvement" (``seeds/001…``), and at a host organisation
"a report on the outputs of the mentoring group is required to be presented to the PCN board
every six months" (``seeds/004…``). So on each scheme's ``monthly_return_day`` (UK date) from its
send hour, each coordinator of the scheme is told that the previous month's monitoring return is
ready, with its headline figures and a link to the return for that month. Where the scheme's plan
asks for ``six_monthly_reports``, on that same day in April and October they are also told of the
report of the previous six months (October to March, April to September).

The figures are :func:`reporting.monitoring.monitoring_returns` — the ones the return page, the
CSV, the XLSX and the PDF show — worked out when the message is recorded, so the e-mail says what
the page said that day.

The key is (kind, coordinator, scheme, period): ``2027-03`` for March's return, ``2026-10..2027-03``
for the six months: one each, whichever hour or tick it goes at, even if the day is changed after
it went. A scheme that ended during the month still gets that month's return (its last); one that
had not started by the end of it gets none.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mentoring.reminders import Job, Reminder, register_job
from reporting import monitoring, periods
from reporting.figures import AT_END, Figure, Period, Section
from schemes.models import Scheme, plan_for
from schemes.reminders import Coordinators, with_plans
from schemes.rules import add_months, long_date

JOB = "send-scheme-returns"
MONTHLY = "monthly_return_ready"
SIX_MONTHLY = "six_monthly_report_ready"
# The six-monthly report goes with the monthly return in these months, covering the six before.
SIX_MONTHLY_IN = (4, 10)
# The return's figures the e-mail shows, in this order (every return has them).
HEADLINE = ("mentors_active", "mentees_waiting", "matches_made", "sessions_held")

DAY = datetime.timedelta(days=1)


def previous_six_months(today: datetime.date) -> Period:
    """The six whole months before ``today``'s month: in April, October to March; in October,
    April to September."""
    first = today.replace(day=1)
    start, end = add_months(first, -6), first - DAY
    return Period(start, end, f"{start:%B %Y} to {end:%B %Y}")


def period_key(period: Period) -> str:
    """A month as ``"2027-03"``, several as ``"2026-10..2027-03"``: the message's period."""
    first, last = f"{period.start:%Y-%m}", f"{period.end:%Y-%m}"
    return first if first == last else f"{first}..{last}"


def return_path(scheme_slug: str, period: Period) -> str:
    """The scheme's return page for ``period``."""
    query = urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})
    return f"{reverse('scheme_report', args=[scheme_slug])}?{query}"


def _value(value) -> str:
    if value is None:
        return "nothing to report"
    return str(value)


def headline(sections: list[Section], period: Period) -> list[dict]:
    """The return's figures the e-mail shows (:data:`HEADLINE`), JSON-safe, in that order: each
    its label, value and when ("in March 2027", "on 31 March 2027")."""
    figures: dict[str, Figure] = {f.code: f for s in sections for f in s.figures}
    chosen = []
    for code in HEADLINE:
        figure = figures.get(code)
        if figure is None:
            continue
        chosen.append(
            {
                "code": code,
                "label": figure.label,
                "value": _value(figure.value),
                "when": (
                    f"on {long_date(period.end)}" if figure.kind == AT_END else f"in {period.label}"
                ),
            }
        )
    return chosen


def _context(scheme: Scheme, period: Period, sections: list[Section]) -> dict:
    figures = headline(sections, period)
    return {
        "scheme": scheme.name,
        "scheme_slug": scheme.slug,
        "period": period.label,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "figures": figures,
        "headline": "; ".join(f"{f['label']}: {f['value']}" for f in figures),
    }


def schemes_due(at: datetime.datetime, slug: str | None = None) -> list[Scheme]:
    """The schemes whose return day ``at`` is (UK date), from their send hour, that ran on at least
    one day of the previous month (or, where a six-monthly report is due, of the six months);
    each with its owner and plan loaded. One query."""
    local = timezone.localtime(at)
    today = local.date()
    first = today.replace(day=1)
    earliest = add_months(first, -6 if today.month in SIX_MONTHLY_IN else -1)
    schemes = (
        Scheme.objects.filter(starts_on__lt=first)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=earliest))
        .select_related("owner", "reminder_plan")
        .order_by("pk")
    )
    if slug is not None:
        schemes = schemes.filter(slug=slug)
    return [
        scheme
        for scheme in with_plans(schemes)
        if local.hour >= plan_for(scheme).send_from_hour
        and today.day == plan_for(scheme).monthly_return_day
    ]


def _ran_during(scheme: Scheme, period: Period) -> bool:
    return scheme.starts_on <= period.end and (
        scheme.ends_on is None or scheme.ends_on >= period.start
    )


def _reminders(kind: str, period: Period, due: list[tuple[Scheme, list]]):
    """The ``kind`` message about ``period`` to each coordinator of each scheme in ``due`` (pairs
    of a scheme and its coordinators) that ran during it; the figures of all of them at once."""
    chosen = [(scheme, people) for scheme, people in due if _ran_during(scheme, period)]
    if not chosen:
        return
    returns = monitoring.monitoring_returns([scheme for scheme, _ in chosen], period)
    for scheme, people in chosen:
        context = _context(scheme, period, returns[scheme.pk])
        for coordinator in people:
            yield Reminder(
                kind=kind,
                recipient=coordinator,
                about=scheme,
                period=period_key(period),
                context=context,
                link=return_path(scheme.slug, period),
                scheme=scheme,
            )


def find(at: datetime.datetime, scheme_slug: str | None):
    """Each coordinator of each scheme whose return day ``at`` is: the previous month's return
    and, in April and October where the scheme asks for it, the six-monthly report."""
    today = timezone.localtime(at).date()
    coordinators = Coordinators()
    due = [
        (scheme, people)
        for scheme in schemes_due(at, scheme_slug)
        if (people := coordinators.of(scheme))
    ]
    yield from _reminders(MONTHLY, periods.previous_month(today), due)
    if today.month in SIX_MONTHLY_IN:
        asked = [(scheme, people) for scheme, people in due if plan_for(scheme).six_monthly_reports]
        yield from _reminders(SIX_MONTHLY, previous_six_months(today), asked)


register_job(Job(name=JOB, find=find, kinds=(MONTHLY, SIX_MONTHLY)))
