"""The budget ledger of a scheme for a financial year: allocation to date, spend by the month a run
pays (and imported paid claims by their week), in-year spend to date, profiled spend to end of
year and the training planning figure — to the penny, in a constant number of queries.

Every test runs on 15 January 2026 (financial year 2025/26: ten whole weeks are left after it).
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring.models import TrainingKind, TrainingStatus
from reimbursement import claims, ledger, runs
from reimbursement.models import BudgetAllocation, Claim, ClaimStatus
from schemes.models import ClaimKind, EnrolmentStatus, Rate, RateCard
from tests.factories import PersonFactory, TrainingRecordFactory
from tests.reimbursement.scene import ClaimScene
from tests.reimbursement.test_exports import approved_weeks, mentor_with_mentee
from tests.schemes.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory, SchemeFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 1, 15)
YEAR = datetime.date(2025, 4, 1)
NOVEMBER, DECEMBER = datetime.date(2025, 11, 1), datetime.date(2025, 12, 1)
D = Decimal


@pytest.fixture(autouse=True)
def on_15_january_2026():
    with time_machine.travel(datetime.datetime(2026, 1, 15, 12, 0), tick=False):
        yield


@pytest.fixture
def scene():
    return ClaimScene()


def allocate(scene, quarter_start: datetime.date, amount: str):
    return BudgetAllocation.objects.create(
        scheme=scene.scheme, quarter_start=quarter_start, amount=D(amount)
    )


def pay(scene, period: datetime.date):
    return runs.approve_run(
        run=runs.build_run(organisation=scene.icb, period=period).run, by=scene.finance
    )


def imported_paid(scene, day: datetime.date, amount="289.00") -> Claim:
    """A claim an earlier system paid, brought in by ``import_claims`` (no payment item)."""
    return Claim.objects.create(
        person=scene.mona.person,
        scheme=scene.scheme,
        enrolment=scene.mona,
        kind=ClaimKind.MENTORING,
        unit="week",
        claimed_date=day,
        period_start=claims.week_of(day),
        status=ClaimStatus.PAID,
        amount=D(amount),
        submitted_at=timezone.now(),
        imported=True,
    )


def training_claim(scene, day: datetime.date):
    return claims.approve_claim(
        claim=scene.claim(day, kind=ClaimKind.TRAINING), by=scene.coordinator
    )


@pytest.fixture
def year(scene):
    """2025/26 of the scene's scheme:

    * allocations: £10,000 from 1 April 2025, £5,000 more from 1 October 2025 (and one of the
      year before and one of the year after, which do not count);
    * June 2025: a week imported as paid (£289);
    * November's run: three weeks (£867) less a £50 adjustment;
    * December's run: a week and a training session (£578);
    * a week of January approved, not yet paid (£289); a week submitted, not decided;
    * mentors: Mona (active; one training session claimed, ILM7 planned: 3 sessions to come),
      Olga (active; training planned: 4 sessions to come), Pat (paused) and Lee (left) with
      training planned too, who do not count.
    """
    allocate(scene, datetime.date(2025, 1, 1), "999.00")
    allocate(scene, datetime.date(2025, 4, 1), "10000.00")
    allocate(scene, datetime.date(2025, 10, 1), "5000.00")
    allocate(scene, datetime.date(2026, 4, 1), "7777.00")
    imported_paid(scene, datetime.date(2025, 6, 2))
    approved_weeks(
        scene,
        scene.mona,
        [datetime.date(2025, 11, 3), datetime.date(2025, 11, 10), datetime.date(2025, 11, 17)],
    )
    runs.add_adjustment(
        person=scene.mona.person,
        scheme=scene.scheme,
        amount=D("-50.00"),
        reason="Overpaid for October.",
        by=scene.finance,
    )
    pay(scene, NOVEMBER)
    approved_weeks(scene, scene.mona, [datetime.date(2025, 12, 1)])
    training_claim(scene, datetime.date(2025, 12, 10))
    pay(scene, DECEMBER)
    approved_weeks(scene, scene.mona, [datetime.date(2026, 1, 5)])
    scene.claim(datetime.date(2026, 1, 12))
    TrainingRecordFactory(
        person=scene.mona.person,
        kind=TrainingKind.ILM7,
        status=TrainingStatus.PLANNED,
        date=datetime.date(2026, 2, 20),
    )
    olga = mentor_with_mentee(scene, "Olga Other")
    pat = scene.mentor("Pat Paused")
    pat.status, pat.paused_on = EnrolmentStatus.PAUSED, datetime.date(2025, 12, 1)
    pat.save()
    lee = scene.mentor("Lee Left")
    lee.status, lee.left_on = EnrolmentStatus.LEFT, datetime.date(2025, 12, 1)
    lee.save()
    for enrolment in (olga, pat, lee):
        TrainingRecordFactory(
            person=enrolment.person, status=TrainingStatus.PLANNED, date=datetime.date(2026, 3, 1)
        )
    return ledger.ledger_for(scene.scheme, year_start=YEAR)


def second_scheme(scene):
    """Another scheme the ICB pays at the same rates, with Mona as a mentor (and a mentee)."""
    scheme = SchemeFactory(owner=scene.icb, mentor_capacity_min=1)
    card = RateCard.objects.create(scheme=scheme, training_cap=4)
    Rate.objects.create(
        rate_card=card, kind=ClaimKind.MENTORING, amount=D("289.00"),
        effective_from=datetime.date(2021, 4, 1),
    )  # fmt: skip
    mona = MentorEnrolmentFactory(
        scheme=scheme, person=scene.mona.person, joined_on=datetime.date(2024, 4, 1)
    )
    mentee = MenteeEnrolmentFactory(scheme=scheme, person=PersonFactory())
    scene.pair(mona, mentee)
    return mona


def month(year_ledger: ledger.Ledger, day: datetime.date) -> ledger.LedgerMonth:
    return next(m for m in year_ledger.months if m.month == day)


# the financial year -------------------------------------------------------------------------------
def test_a_financial_year_runs_from_april_to_march():
    assert ledger.financial_year_of(datetime.date(2026, 3, 31)) == datetime.date(2025, 4, 1)
    assert ledger.financial_year_of(datetime.date(2026, 4, 1)) == datetime.date(2026, 4, 1)
    assert ledger.months_of(YEAR)[0] == datetime.date(2025, 4, 1)
    assert ledger.months_of(YEAR)[-1] == datetime.date(2026, 3, 1)


def test_whole_weeks_left_count_seven_days_after_today_up_to_31_march():
    assert ledger.whole_weeks_left(TODAY, YEAR) == 10
    assert ledger.whole_weeks_left(datetime.date(2026, 3, 24), YEAR) == 1
    assert ledger.whole_weeks_left(datetime.date(2026, 3, 25), YEAR) == 0
    assert ledger.whole_weeks_left(datetime.date(2025, 1, 1), YEAR) == 52
    assert ledger.whole_weeks_left(datetime.date(2026, 6, 1), YEAR) == 0


# allocation ---------------------------------------------------------------------------------------
def test_allocation_to_date_adds_the_years_quarters_started_by_the_month(year):
    assert month(year, datetime.date(2025, 4, 1)).allocation_to_date == D("10000.00")
    assert month(year, datetime.date(2025, 9, 1)).allocation_to_date == D("10000.00")
    assert month(year, datetime.date(2025, 10, 1)).allocation_to_date == D("15000.00")
    assert month(year, datetime.date(2026, 3, 1)).allocation_to_date == D("15000.00")
    assert year.allocation == D("15000.00")


# spend --------------------------------------------------------------------------------------------
def test_spend_is_counted_in_the_month_the_run_pays_with_its_adjustments(year):
    assert month(year, NOVEMBER).spend_in_month == D("817.00")
    assert month(year, DECEMBER).spend_in_month == D("578.00")


def test_an_imported_paid_claim_is_spend_in_the_month_of_its_week(year):
    assert month(year, datetime.date(2025, 6, 1)).spend_in_month == D("289.00")
    assert month(year, datetime.date(2025, 5, 1)).spend_in_month == D("0.00")


def test_in_year_spend_to_date_adds_up_the_months(year):
    assert [m.spend_to_date for m in year.months] == [D(x) for x in (
        "0.00", "0.00", "289.00", "289.00", "289.00", "289.00", "289.00", "1106.00",
        "1684.00", "1684.00", "1684.00", "1684.00",
    )]  # fmt: skip
    assert year.spend_to_date == D("1684.00")


def test_approved_claims_not_yet_paid_and_draft_runs_are_not_spend(scene, year):
    runs.build_run(organisation=scene.icb, period=datetime.date(2025, 12, 1))
    approved_weeks(scene, scene.mona, [datetime.date(2025, 12, 8)])
    runs.build_run(organisation=scene.icb, period=datetime.date(2025, 12, 1))

    again = ledger.ledger_for(scene.scheme, year_start=YEAR)

    assert again.spend_to_date == D("1684.00")
    assert again.profile.approved_unpaid == D("578.00")


def test_another_schemes_spend_and_allocation_are_not_counted(scene, year):
    mona_there = second_scheme(scene)
    BudgetAllocation.objects.create(
        scheme=mona_there.scheme, quarter_start=YEAR, amount=D("123.00")
    )
    approved_weeks(scene, mona_there, [datetime.date(2025, 10, 20)])
    runs.add_adjustment(
        person=scene.mona.person, scheme=mona_there.scheme, amount=D("10.00"),
        reason="Late claim.", by=scene.finance,
    )  # fmt: skip
    october = pay(scene, datetime.date(2025, 10, 1))

    again = ledger.ledger_for(year.scheme, year_start=YEAR)

    assert october.total_amount == D("299.00")
    assert month(again, datetime.date(2025, 10, 1)).spend_in_month == D("0.00")
    assert again.spend_to_date == D("1684.00")
    assert again.allocation == D("15000.00")


def test_months_not_begun_are_marked_so(year):
    assert month(year, datetime.date(2026, 1, 1)).started
    assert not month(year, datetime.date(2026, 2, 1)).started


# the profile --------------------------------------------------------------------------------------
def test_approved_claims_not_yet_paid_are_profiled(year):
    assert year.profile.approved_unpaid == D("289.00")


def test_each_active_mentor_is_profiled_a_weeks_rate_for_each_whole_week_left(year):
    assert year.profile.active_mentors == 2
    assert year.profile.weeks_left == 10
    assert year.profile.mentoring_rate == D("289.00")
    assert year.profile.mentoring_to_come == D("5780.00")


def test_planned_training_is_profiled_up_to_the_cap_less_sessions_claimed(year):
    assert year.profile.training_sessions_to_come == 3 + 4
    assert year.profile.training_to_come == D("2023.00")


def test_profiled_spend_to_end_of_year_adds_spend_to_date_and_whats_to_come(year):
    assert year.profiled_spend == D("1684.00") + D("289.00") + D("5780.00") + D("2023.00")
    assert year.profiled_spend == D("9776.00")


def test_a_scheme_paying_per_meeting_profiles_no_weeks(scene, year):
    scene.card.claim_unit = "meeting"
    scene.card.save()

    again = ledger.ledger_for(scene.scheme, year_start=YEAR)

    assert again.profile.mentoring_to_come == D("0.00")
    assert again.profiled_spend == D("1684.00") + D("289.00") + D("2023.00")


def test_a_year_that_is_over_profiles_its_spend_and_nothing_more(scene, year):
    last_year = ledger.ledger_for(scene.scheme, year_start=datetime.date(2024, 4, 1))

    assert last_year.spend_to_date == D("0.00")
    assert last_year.profiled_spend == D("0.00")
    assert last_year.allocation == D("999.00")


def test_the_training_planning_figure_is_the_unit_cost_for_each_active_mentor(year):
    assert year.training_unit_cost == D("2500.00")
    assert year.training_planning_figure == D("5000.00")


# the CSV ------------------------------------------------------------------------------------------
def test_the_ledger_csv_has_a_row_a_month_then_the_year(year):
    rows = list(ledger.ledger_rows(year))

    assert len(rows) == 13
    assert rows[7] == [
        year.scheme.slug, "2025/26", "2025-11", D("15000.00"), D("817.00"), D("1106.00"),
        None, None,
    ]  # fmt: skip
    assert rows[-1] == [
        year.scheme.slug, "2025/26", "YEAR", D("15000.00"), D("1684.00"), D("1684.00"),
        D("9776.00"), D("5000.00"),
    ]  # fmt: skip


# queries ------------------------------------------------------------------------------------------
def queries_for(schemes) -> int:
    with CaptureQueriesContext(connection) as captured:
        ledger.ledgers_for(schemes, year_start=YEAR)
    return len(captured)


def test_the_ledger_reads_a_constant_number_of_queries(scene, year, django_assert_max_num_queries):
    few = queries_for([scene.scheme])
    for n in range(6):
        mentor = mentor_with_mentee(scene, f"Many{n} Mentor")
        approved_weeks(scene, mentor, [datetime.date(2025, 10, 13)])
        TrainingRecordFactory(
            person=mentor.person, status=TrainingStatus.PLANNED, date=datetime.date(2026, 2, 1)
        )
    pay(scene, datetime.date(2025, 10, 1))
    other = second_scheme(scene).scheme

    with django_assert_max_num_queries(8):
        many = ledger.ledgers_for([scene.scheme, other], year_start=YEAR)

    assert queries_for([scene.scheme, other]) == few
    assert many[0].spend_to_date == D("1684.00") + 6 * D("289.00")
