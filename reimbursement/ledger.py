"""The budget ledger of a scheme for a financial year (1 April to 31 March): the monthly
financial ledger the guidance asks for — "In-year spend to date" and "Profiled spend to end of
year" — against the quarterly allocations (initial fair shares, adjusted later).

Money counts as spent when it is paid: in an approved payment run, in the month the run pays
(its ``period``), or — for claims an earlier system paid, imported as ``paid`` — in the month of
the week or day claimed. A draft run spends nothing yet.

``ledgers_for`` reads any number of schemes in a constant number of queries (sums grouped by
scheme and month in the database) and returns plain dataclasses; the arithmetic is here, in one
place, so the page, the CSV and the tests agree to the penny.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.http import StreamingHttpResponse
from django.utils import timezone

from mentoring import exports
from mentoring.models import TrainingRecord, TrainingStatus
from reimbursement.models import (
    Adjustment,
    BudgetAllocation,
    Claim,
    ClaimStatus,
    PaymentItem,
    RunStatus,
)
from schemes.models import ClaimKind, Enrolment, EnrolmentStatus, ParticipantRole, RateCard, Scheme
from schemes.models import ClaimUnit as SchemeUnit
from schemes.presets import financial_year_start

ZERO = Decimal("0.00")
YEAR_STARTS_IN = 4  # April


# the financial year -------------------------------------------------------------------------------
financial_year_of = financial_year_start  # 1 April of the financial year a day falls in


def year_end_of(year_start: datetime.date) -> datetime.date:
    return datetime.date(year_start.year + 1, YEAR_STARTS_IN, 1) - datetime.timedelta(days=1)


def months_of(year_start: datetime.date) -> list[datetime.date]:
    return [
        datetime.date(year_start.year + (m - 1) // 12, (m - 1) % 12 + 1, 1)
        for m in range(YEAR_STARTS_IN, YEAR_STARTS_IN + 12)
    ]


def whole_weeks_left(today: datetime.date, year_start: datetime.date) -> int:
    """Whole weeks (7 days) after ``today`` up to 31 March: 52 for a year not begun, 0 for one
    over. 24 March leaves 1 (25–31 March); 25 March leaves none."""
    year_end = year_end_of(year_start)
    if today >= year_end:
        return 0
    since = max(today, year_start - datetime.timedelta(days=1))
    return (year_end - since).days // 7


# the figures --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgerMonth:
    """One month of the year.

    * ``allocation_to_date``: the sum of the year's quarterly allocations whose quarter starts
      on or before the first of this month;
    * ``spend_in_month``: money paid in the month — payment items and adjustments of approved
      runs paying this month, plus claims imported as paid (no payment item) for a week or day in
      this month;
    * ``spend_to_date``: in-year spend to date, the sum of ``spend_in_month`` from April to this
      month;
    * ``started``: the month has begun (its figures are not yet all in if it has not ended).
    """

    month: datetime.date
    allocation_to_date: Decimal
    spend_in_month: Decimal
    spend_to_date: Decimal
    started: bool

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def over_allocation(self) -> bool:
        return self.spend_to_date > self.allocation_to_date


@dataclass(frozen=True)
class Profile:
    """What is still to be paid in the year, as known on ``today``.

    * ``approved_unpaid``: approved claims no approved run has paid yet (a draft run's claims
      included), for weeks or days up to 31 March — counted only while the year is running
      (before it, they will be paid before it starts; after it, the year is closed);
    * ``mentoring_to_come``: for a scheme that pays per week, ``active_mentors`` × ``weeks_left``
      × the mentoring rate in force today; nothing for a scheme paying per meeting or not at all
      (how many meetings will be held is not known);
    * ``training_to_come``: for each active mentor with a training record of status "planned"
      dated by 31 March, the training sessions left under the rate card's ``training_cap`` (the
      cap less their claims for training not rejected) × the training rate in force today;
      nothing once the year is over.

    ``active_mentors`` are mentor enrolments that are active (not paused, not left).
    """

    approved_unpaid: Decimal
    active_mentors: int
    weeks_left: int
    mentoring_rate: Decimal | None
    mentoring_to_come: Decimal
    training_sessions_to_come: int
    training_rate: Decimal | None
    training_to_come: Decimal

    @property
    def still_to_spend(self) -> Decimal:
        return self.approved_unpaid + self.mentoring_to_come + self.training_to_come


@dataclass(frozen=True)
class Ledger:
    """A scheme's year.

    * ``allocation``: the sum of the year's quarterly allocations;
    * ``spend_to_date``: in-year spend to date (see ``LedgerMonth``), as on ``today``;
    * ``profiled_spend``: profiled spend to end of year = ``spend_to_date`` +
      ``profile.approved_unpaid`` + ``profile.mentoring_to_come`` + ``profile.training_to_come``;
    * ``training_planning_figure``: for planning only, the rate card's training unit cost (£2,500
      a GP mentor a year in the GP scheme's guidance) × active mentors; None without a unit cost.
    """

    scheme: Scheme
    year_start: datetime.date
    today: datetime.date
    months: list[LedgerMonth]
    allocation: Decimal
    spend_to_date: Decimal
    profile: Profile
    training_unit_cost: Decimal | None

    @property
    def year_end(self) -> datetime.date:
        return year_end_of(self.year_start)

    @property
    def year_label(self) -> str:
        return f"{self.year_start.year}/{(self.year_start.year + 1) % 100:02d}"

    @property
    def profiled_spend(self) -> Decimal:
        return self.spend_to_date + self.profile.still_to_spend

    @property
    def training_planning_figure(self) -> Decimal | None:
        if self.training_unit_cost is None:
            return None
        return self.training_unit_cost * self.profile.active_mentors

    @property
    def left_to_allocate(self) -> Decimal:
        """Allocation less profiled spend: negative when the profile overspends."""
        return self.allocation - self.profiled_spend


# reading ------------------------------------------------------------------------------------------
def _sums(rows: Iterable[tuple[int, datetime.date, Decimal]], into: dict) -> None:
    for scheme_id, month, amount in rows:
        into[scheme_id, month] += amount or ZERO


def _spend_by_month(scheme_ids: list[int], first: datetime.date, last: datetime.date) -> dict:
    spend: dict[tuple[int, datetime.date], Decimal] = defaultdict(lambda: ZERO)
    paid_runs = {"run__status": RunStatus.APPROVED, "run__period__range": (first, last)}
    _sums(
        PaymentItem.objects.filter(claim__scheme_id__in=scheme_ids, **paid_runs)
        .values_list("claim__scheme_id", "run__period")
        .annotate(total=Sum("amount"))
        .order_by(),
        spend,
    )
    _sums(
        Adjustment.objects.filter(scheme_id__in=scheme_ids, **paid_runs)
        .values_list("scheme_id", "run__period")
        .annotate(total=Sum("amount"))
        .order_by(),
        spend,
    )
    _sums(
        Claim.objects.filter(
            scheme_id__in=scheme_ids,
            status=ClaimStatus.PAID,
            payment__isnull=True,
            period_start__range=(first, last),
        )
        .annotate(month=TruncMonth("period_start"))
        .values_list("scheme_id", "month")
        .annotate(total=Sum("amount"))
        .order_by(),
        spend,
    )
    return spend


def _mentors(scheme_ids: list[int], year_end: datetime.date) -> dict[int, tuple[int, int]]:
    """Per scheme: (active mentors, training sessions still to come for those with training
    planned) — one query, summed in the database."""
    taken = (
        Claim.objects.filter(
            person=OuterRef("person"), scheme=OuterRef("scheme"), kind=ClaimKind.TRAINING
        )
        .exclude(status=ClaimStatus.REJECTED)
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    planned = TrainingRecord.objects.filter(
        person=OuterRef("person"), status=TrainingStatus.PLANNED, date__lte=year_end
    )
    sessions_left = Greatest(
        Coalesce(F("scheme__rate_card__training_cap"), Value(0))
        - Coalesce(Subquery(taken, output_field=IntegerField()), Value(0)),
        Value(0),
    )
    rows = (
        Enrolment.objects.filter(
            scheme_id__in=scheme_ids,
            role=ParticipantRole.MENTOR,
            status=EnrolmentStatus.ACTIVE,
            left_on__isnull=True,
        )
        .values("scheme_id")
        .annotate(
            mentors=Count("pk"),
            sessions=Sum(
                Case(
                    When(Exists(planned), then=sessions_left),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
        )
        .order_by()
    )
    return {row["scheme_id"]: (row["mentors"], row["sessions"] or 0) for row in rows}


def ledgers_for(
    schemes: Iterable[Scheme],
    *,
    year_start: datetime.date | None = None,
    today: datetime.date | None = None,
) -> list[Ledger]:
    """The ledger of each scheme for the financial year starting ``year_start`` (default: the
    year of ``today``), in a constant number of queries."""
    schemes = list(schemes)
    today = today or timezone.localdate()
    year_start = financial_year_of(year_start or today)
    year_end = year_end_of(year_start)
    months = months_of(year_start)
    ids = [scheme.pk for scheme in schemes]
    if not ids:
        return []
    cards = {
        card.scheme_id: card
        for card in RateCard.objects.filter(scheme_id__in=ids).prefetch_related("rates")
    }
    allocations: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for scheme_id, quarter_start, amount in BudgetAllocation.objects.filter(
        scheme_id__in=ids, quarter_start__range=(year_start, year_end)
    ).values_list("scheme_id", "quarter_start", "amount"):
        allocations[scheme_id].append((quarter_start, amount))
    spend = _spend_by_month(ids, year_start, year_end)
    running = year_start <= today <= year_end
    unpaid = dict(
        Claim.objects.filter(
            scheme_id__in=ids if running else [],
            status=ClaimStatus.APPROVED,
            period_start__lte=year_end,
        )
        .values_list("scheme_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    mentors = _mentors(ids, year_end)
    weeks_left = whole_weeks_left(today, year_start)
    return [
        _ledger(
            scheme,
            card=cards.get(scheme.pk),
            year_start=year_start,
            today=today,
            months=months,
            allocations=allocations[scheme.pk],
            spend=spend,
            approved_unpaid=unpaid.get(scheme.pk) or ZERO,
            mentors=mentors.get(scheme.pk, (0, 0)),
            weeks_left=weeks_left,
        )
        for scheme in schemes
    ]


def _ledger(
    scheme: Scheme,
    *,
    card,
    year_start,
    today,
    months,
    allocations,
    spend,
    approved_unpaid,
    mentors,
    weeks_left,
) -> Ledger:
    rows, to_date = [], ZERO
    for month in months:
        to_date += spend[scheme.pk, month]
        rows.append(
            LedgerMonth(
                month=month,
                allocation_to_date=sum((a for q, a in allocations if q <= month), ZERO),
                spend_in_month=spend[scheme.pk, month],
                spend_to_date=to_date,
                started=month <= today,
            )
        )
    active, sessions = mentors
    mentoring_rate = training_rate = None
    if card is not None:
        if card.claim_unit == SchemeUnit.WEEK:
            rate = card.rate_on(ClaimKind.MENTORING, today)
            mentoring_rate = rate.amount if rate else None
        if card.training_cap:
            rate = card.rate_on(ClaimKind.TRAINING, today)
            training_rate = rate.amount if rate else None
    if today > year_end_of(year_start) or training_rate is None:
        sessions = 0
    profile = Profile(
        approved_unpaid=approved_unpaid,
        active_mentors=active,
        weeks_left=weeks_left,
        mentoring_rate=mentoring_rate,
        mentoring_to_come=(mentoring_rate or ZERO) * active * weeks_left,
        training_sessions_to_come=sessions,
        training_rate=training_rate,
        training_to_come=(training_rate or ZERO) * sessions,
    )
    return Ledger(
        scheme=scheme,
        year_start=year_start,
        today=today,
        months=rows,
        allocation=sum((amount for _, amount in allocations), ZERO),
        spend_to_date=to_date,
        profile=profile,
        training_unit_cost=card.training_unit_cost if card else None,
    )


def ledger_for(
    scheme: Scheme, *, year_start: datetime.date | None = None, today: datetime.date | None = None
) -> Ledger:
    return ledgers_for([scheme], year_start=year_start, today=today)[0]


# the CSV ------------------------------------------------------------------------------------------
LEDGER_COLUMNS = [
    "scheme",
    "financial_year",
    "month",
    "allocation_to_date",
    "spend_in_month",
    "in_year_spend_to_date",
    "profiled_spend_to_end_of_year",
    "training_planning_figure",
]
YEAR_ROW = "YEAR"


def ledger_rows(ledger: Ledger) -> Iterator[list]:
    """A row per month (the last two columns blank), then the YEAR row as on ``today``: the
    year's allocation, spend to date (twice), profiled spend and the training planning figure."""
    for month in ledger.months:
        yield [
            ledger.scheme.slug,
            ledger.year_label,
            month.label,
            month.allocation_to_date,
            month.spend_in_month,
            month.spend_to_date,
            None,
            None,
        ]
    yield [
        ledger.scheme.slug,
        ledger.year_label,
        YEAR_ROW,
        ledger.allocation,
        ledger.spend_to_date,
        ledger.spend_to_date,
        ledger.profiled_spend,
        ledger.training_planning_figure,
    ]


def csv_response(ledger: Ledger) -> StreamingHttpResponse:
    filename = f"ledger-{ledger.scheme.slug}-{ledger.year_start.year}.csv"
    return exports.csv_response(filename, LEDGER_COLUMNS, ledger_rows(ledger))
