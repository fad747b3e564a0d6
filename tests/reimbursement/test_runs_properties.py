"""Property-based tests of money (hypothesis): for random claim histories and random orders of
building, approving and adjusting, to the penny —

* a run's total is the sum of its claims and adjustments, and each line's total is its parts;
* no claim is ever in two runs, and none is lost: whatever was built and approved before, the
  next month's run takes every approved claim not yet paid;
* rebuilding changes nothing;
* a claim's amount is the rate in force on its week, whatever rates came before or after.

Each example runs in a savepoint that is rolled back, on one scene built per test.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reimbursement import claims, runs
from reimbursement.models import (
    Adjustment,
    Claim,
    ClaimStatus,
    PaymentItem,
    PaymentLine,
    PaymentRun,
    RunStatus,
)
from schemes.models import ClaimKind, Rate
from tests.reimbursement.scene import ClaimScene

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 10, 20, 12)
SEPTEMBER = datetime.date(2026, 9, 1)  # never built by the steps: the final catch-up run
FIRST_MONDAY = datetime.date(2026, 1, 5)
MONTHS = [datetime.date(2026, m, 1) for m in range(1, 9)]  # January to August: all over
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Rollback(Exception):
    pass


def rolled_back(body):
    try:
        with transaction.atomic():
            body()
            raise Rollback
    except Rollback:
        pass


@pytest.fixture
def scene():
    with time_machine.travel(TODAY, tick=False):
        scene = ClaimScene()
        scene.others = [scene.mentor(f"Mentor{n} Other", capacity=1) for n in range(2)]
        yield scene


pennies = st.integers(min_value=1, max_value=60_000).map(lambda p: Decimal(p) / 100)
claim_rows = st.lists(
    st.tuples(
        st.integers(0, 2),  # which mentor
        st.integers(0, 33),  # which week from 5 January
        st.sampled_from(["approved", "approved", "approved", "submitted", "rejected", "paid"]),
        pennies,
    ),
    max_size=20,
    unique_by=lambda row: (row[0], row[1]),
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("build"), st.sampled_from(MONTHS)),
        st.tuples(st.just("approve"), st.sampled_from(MONTHS)),
        st.tuples(st.just("adjust"), st.integers(0, 2), pennies, st.booleans()),
        st.tuples(st.just("approve_claims"), st.integers(0, 33)),
    ),
    min_size=1,
    max_size=8,
)


def make_claims(scene, rows) -> None:
    mentors = [scene.mona, *scene.others]
    now = datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)
    Claim.objects.bulk_create(
        Claim(
            person=mentors[who].person,
            scheme=scene.scheme,
            enrolment=mentors[who],
            kind=ClaimKind.MENTORING,
            unit="week",
            claimed_date=FIRST_MONDAY + datetime.timedelta(weeks=week),
            period_start=FIRST_MONDAY + datetime.timedelta(weeks=week),
            status=status,
            amount=amount if status in ("approved", "paid") else None,
            submitted_at=now,
            imported=status == "paid",
        )
        for who, week, status, amount in rows
    )


def play(scene, step) -> None:
    mentors = [scene.mona, *scene.others]
    if step[0] == "build":
        runs.build_run(organisation=scene.icb, period=step[1])
    elif step[0] == "approve":
        run = PaymentRun.objects.filter(period=step[1], status=RunStatus.DRAFT).first()
        if run and run.lines.exists():
            runs.approve_run(run=run, by=scene.finance)
    elif step[0] == "adjust":
        _, who, amount, negative = step
        runs.add_adjustment(
            person=mentors[who].person,
            scheme=scene.scheme,
            amount=-amount if negative else amount,
            reason="Correction.",
            by=scene.finance,
        )
    else:
        cutoff = FIRST_MONDAY + datetime.timedelta(weeks=step[1])
        for claim in Claim.objects.filter(status="submitted", period_start__lte=cutoff):
            claims.approve_claim(claim=claim, by=scene.coordinator)


def snapshot():
    return (
        list(PaymentRun.objects.order_by("pk").values()),
        list(PaymentLine.objects.order_by("pk").values()),
        list(PaymentItem.objects.order_by("pk").values()),
        list(Adjustment.objects.order_by("pk").values("pk", "run_id")),
    )


def check_money() -> None:
    for run in PaymentRun.objects.all():
        items = run.items.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        adjustments = run.adjustments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        assert run.total_amount == items + adjustments
        assert run.claim_count == run.items.count()
        lines = run.lines.aggregate(total=Sum("total_amount"))["total"] or Decimal("0")
        assert lines == run.total_amount
        for line in run.lines.all():
            assert line.total_amount == (
                line.mentoring_amount + line.training_amount + line.adjustment_amount
            )
    paid = list(PaymentItem.objects.values_list("claim_id", flat=True))
    assert len(paid) == len(set(paid))
    assert not PaymentItem.objects.exclude(claim__status__in=["approved", "paid"]).exists()
    assert not PaymentItem.objects.filter(claim__imported=True).exists()


@PROPERTY
@given(rows=claim_rows, steps=steps)
def test_runs_add_up_pay_each_claim_once_and_rebuild_to_the_same(scene, rows, steps):
    def body():
        make_claims(scene, rows)
        built = set()
        for step in steps:
            play(scene, step)
            if step[0] == "build":
                built.add(step[1])
                check_money()
        for period in built:  # takes adjustments made since: something new
            runs.build_run(organisation=scene.icb, period=period)
        check_money()
        before = snapshot()
        for period in built:
            runs.build_run(organisation=scene.icb, period=period)
        assert snapshot() == before
        runs.build_run(organisation=scene.icb, period=SEPTEMBER)
        check_money()
        unpaid = Claim.objects.filter(status="approved", payment__isnull=True)
        assert not unpaid.exists(), "an approved claim was left out of every run"

    with time_machine.travel(TODAY, tick=False):
        rolled_back(body)


@PROPERTY
@given(
    rates=st.dictionaries(st.integers(0, 30), pennies, min_size=1, max_size=5),
    week=st.integers(0, 33),
)
def test_a_claim_is_paid_at_the_rate_in_force_on_its_week(scene, rates, week):
    def body():
        Rate.objects.filter(rate_card=scene.card, kind="mentoring").delete()
        for offset, amount in rates.items():
            Rate.objects.create(
                rate_card=scene.card,
                kind="mentoring",
                amount=amount,
                effective_from=FIRST_MONDAY + datetime.timedelta(weeks=offset),
            )
        monday = FIRST_MONDAY + datetime.timedelta(weeks=week)
        in_force = [amount for offset, amount in rates.items() if offset <= week]
        try:
            claim = scene.approved(monday)
        except claims.ReimbursementError as refusal:
            assert not in_force and refusal.codes == ["no_rate_on_date"]
            return
        latest = max(offset for offset in rates if offset <= week)
        assert claim.amount == rates[latest]
        assert claim.status == ClaimStatus.APPROVED

    with time_machine.travel(TODAY, tick=False):
        rolled_back(body)
