"""Payment runs built at the same moment by two processes (a scheduled build racing a manual one):
one run, every claim paid exactly once, lines that add up — on the real PostgreSQL, with two
threads, each on its own database connection, released together by a barrier.

The build pauses half-way (``PAYMENT_RUN_BUILD_PAUSE_SECONDS``) with its items written, so the
second build always arrives while the first still holds its transaction: without the lock on the
paying organisation, the second build of another month would meet the first's uncommitted
items on ``PaymentItem.claim``'s unique key and fail.
"""

import datetime
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from reimbursement import claims, runs
from reimbursement.models import Claim, ClaimStatus, PaymentItem, PaymentLine, PaymentRun
from tests.reimbursement.scene import ClaimScene

pytestmark = pytest.mark.django_db(transaction=True)

PAUSE_SECONDS = 0.3
TIMEOUT = 30


@pytest.fixture
def scene(real_database, settings):
    settings.PAYMENT_RUN_BUILD_PAUSE_SECONDS = PAUSE_SECONDS
    return ClaimScene()


def mondays_of(month: datetime.date) -> list[datetime.date]:
    first = claims.week_of(month)
    if first < month:
        first += datetime.timedelta(weeks=1)
    return [
        first + datetime.timedelta(weeks=n)
        for n in range(6)
        if first + datetime.timedelta(weeks=n) <= runs.month_end(month)
    ]


def approve_weeks(scene: ClaimScene, months: list[datetime.date]) -> list[Claim]:
    """Every Monday of ``months`` claimed and approved for Mona and three more mentors."""
    enrolments = [scene.mona] + [scene.mentor(f"{name} Mentor") for name in ("Ada", "Bea", "Cy")]
    approved = []
    for enrolment in enrolments:
        person = enrolment.person
        for month in months:
            for monday in mondays_of(month):
                claim = claims.submit_claim(
                    person=person,
                    scheme=scene.scheme,
                    kind="mentoring",
                    claimed_date=monday,
                    by=person.user,
                    activity="Preparation.",
                )
                approved.append(claims.approve_claim(claim=claim, by=scene.coordinator))
    return approved


def build_at_once(organisation, *periods: datetime.date) -> tuple[list, list, list]:
    """``runs.build_run`` for each period, each in its own thread, all released at once: the
    outcomes (in the order of ``periods``), the exceptions that escaped, and each build's
    (start, end) times."""
    barrier = threading.Barrier(len(periods))
    outcomes: list = [None] * len(periods)
    errors: list[BaseException] = []
    spans: list = [None] * len(periods)

    def build(index: int, period: datetime.date) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            started = time.monotonic()
            outcomes[index] = runs.build_run(organisation=organisation, period=period)
            spans[index] = (started, time.monotonic())
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=build, args=(i, period), name=f"build-{period:%Y-%m}")
        for i, period in enumerate(periods)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a build never finished"
    return outcomes, errors, spans


def overlapped(spans) -> bool:
    """Each build started before the other had finished."""
    return max(start for start, _ in spans) < min(end for _, end in spans)


def assert_each_claim_paid_once(approved: list[Claim]) -> None:
    paid = Counter(PaymentItem.objects.values_list("claim_id", flat=True))
    assert sorted(paid) == sorted(claim.pk for claim in approved)
    assert set(paid.values()) == {1}


def assert_lines_add_up(run: PaymentRun) -> None:
    """Each line holds the sum of its mentor's items in the run; the run, the sum of its lines."""
    items: dict[tuple[int, int], list] = {}
    for person, scheme, amount in PaymentItem.objects.filter(run=run).values_list(
        "claim__person_id", "claim__scheme_id", "amount"
    ):
        items.setdefault((person, scheme), []).append(amount)
    lines = {(line.person_id, line.scheme_id): line for line in PaymentLine.objects.filter(run=run)}
    assert set(lines) == set(items)
    for key, line in lines.items():
        assert line.claim_count == len(items[key])
        assert line.mentoring_amount == sum(items[key], Decimal("0"))
        assert line.total_amount == line.mentoring_amount + line.training_amount
    run.refresh_from_db()
    total = PaymentItem.objects.filter(run=run).aggregate(total=Sum("amount"))["total"]
    assert run.total_amount == (total or Decimal("0"))
    assert run.claim_count == PaymentItem.objects.filter(run=run).count()


def test_two_builds_of_the_same_month_at_once_make_one_run_paying_each_claim_once(scene):
    month = runs.previous_month()
    approved = approve_weeks(scene, [month])

    outcomes, errors, spans = build_at_once(scene.icb, month, month)

    assert errors == []
    assert overlapped(spans)
    assert PaymentRun.objects.count() == 1
    run = PaymentRun.objects.get()
    assert [outcome.run.pk for outcome in outcomes] == [run.pk, run.pk]
    assert sorted(outcome.created for outcome in outcomes) == [False, True]
    assert_each_claim_paid_once(approved)
    assert_lines_add_up(run)
    assert run.total_amount == claims_total(approved) > 0


def test_builds_of_two_months_at_once_never_pay_a_claim_twice(scene):
    november = runs.previous_month()
    october = runs.previous_month(november)
    approved = approve_weeks(scene, [october, november])

    outcomes, errors, spans = build_at_once(scene.icb, october, november)

    assert errors == []
    assert overlapped(spans)
    earlier, later = (outcome.run for outcome in outcomes)
    assert PaymentRun.objects.count() == 2
    assert_each_claim_paid_once(approved)
    # whichever went first, October's run pays nothing from November
    assert not earlier.items.filter(claim__period_start__gt=runs.month_end(october)).exists()
    for run in (earlier, later):
        assert_lines_add_up(run)
    assert earlier.total_amount + later.total_amount == claims_total(approved)


def claims_total(approved: list[Claim]) -> Decimal:
    assert all(claim.status == ClaimStatus.APPROVED for claim in approved)
    return sum((claim.amount for claim in approved), Decimal("0"))
