"""A Celery worker killed (SIGKILL: no clean-up of any kind) half-way through building a payment
run leaves nothing behind — no run, no item, no line — and the next build makes the whole run.

The worker is this test's own, not the session's: it is started with the build's test-only pause
(``PAYMENT_RUN_BUILD_PAUSE_SECONDS``), so it is still inside the build's transaction when it is
killed, and it consumes a queue of its own. The task is ``acks_late``, so the broker keeps it as
unacknowledged and would hand it out again: on that queue only this worker could ever take it,
and the queue is purged when the test ends.
"""

import datetime
import os
import signal
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from mentoring.celery import app as celery_app
from mentoring.tasks import ping
from reimbursement import claims, runs
from reimbursement.models import Claim, ClaimStatus, PaymentItem, PaymentLine, PaymentRun
from reimbursement.tasks import build_payment_run
from schemes.models import ClaimKind
from tests.conftest import (
    WORKER_START_TIMEOUT_SECONDS,
    WorkerProcess,
    _stop,
    start_worker,
)
from tests.reimbursement.scene import ClaimScene

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

QUEUE = f"payment-run-killed-{os.getpid()}"
PAUSE_SECONDS = 5
TIMEOUT = 20


def purge(queue: str) -> None:
    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)


def wait_for(condition, what: str, worker: WorkerProcess, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker.process.poll() is not None:
            pytest.fail(
                f"The worker exited ({worker.process.returncode}) before {what}:\n"
                f"{worker.log_tail()}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"Not {what} within {timeout} s. The worker's log:\n{worker.log_tail()}")
        time.sleep(0.05)


@pytest.fixture
def killable_worker(django_db_setup, celery_broker, tmp_path):
    """A Celery worker of this test's own, consuming only ``QUEUE``, with the build's pause."""
    worker = start_worker(
        tmp_path,
        name="killed",
        env={"PAYMENT_RUN_BUILD_PAUSE_SECONDS": str(PAUSE_SECONDS)},
        args=[f"--queues={QUEUE}"],
    )
    try:
        answer = ping.apply_async(queue=QUEUE)
        wait_for(answer.ready, "answering a ping", worker, WORKER_START_TIMEOUT_SECONDS)
        assert answer.get(timeout=5) == "pong"
        yield worker
    finally:
        _stop(worker.process)
        purge(QUEUE)


def approved_weeks(scene: ClaimScene, month: datetime.date) -> list[Claim]:
    """Every week approved, from each mentor's joining to the end of ``month`` (a few hundred
    claims: Mona's since April 2024, two more mentors' since September 2025)."""
    rate = scene.card.rates.get(kind=ClaimKind.MENTORING)
    now = timezone.now()
    rows = []
    for enrolment in [scene.mona, scene.mentor("Ada Mentor"), scene.mentor("Bea Mentor")]:
        monday = claims.week_of(enrolment.joined_on)
        if monday < enrolment.joined_on:
            monday += datetime.timedelta(weeks=1)
        while monday <= runs.month_end(month):
            rows.append(
                Claim(
                    person=enrolment.person,
                    scheme=scene.scheme,
                    enrolment=enrolment,
                    kind=ClaimKind.MENTORING,
                    unit="week",
                    claimed_date=monday,
                    period_start=monday,
                    activity="Preparation.",
                    status=ClaimStatus.APPROVED,
                    rate=rate,
                    amount=rate.amount,
                    submitted_by=enrolment.person.user,
                    submitted_at=now,
                    decided_by=scene.coordinator,
                    decided_at=now,
                )
            )
            monday += datetime.timedelta(weeks=1)
    return Claim.objects.bulk_create(rows)


def no_other_transaction_open() -> bool:
    """The killed worker's database session is gone (PostgreSQL rolled its transaction back)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
            "AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0] == 0


def test_a_worker_killed_mid_build_leaves_nothing_and_the_next_build_pays_every_claim_once(
    killable_worker,
):
    scene = ClaimScene()
    month = runs.previous_month()
    approved = approved_weeks(scene, month)
    assert len(approved) > 200

    build_payment_run.apply_async(args=[scene.icb.pk, f"{month:%Y-%m}"], queue=QUEUE)
    wait_for(
        lambda: "Building payment run" in killable_worker.log_path.read_text(errors="replace"),
        "building the run",
        killable_worker,
    )
    killable_worker.process.send_signal(signal.SIGKILL)
    assert killable_worker.process.wait(timeout=10) == -signal.SIGKILL
    purge(QUEUE)
    assert "Built payment run" not in killable_worker.log_path.read_text(errors="replace")

    deadline = time.monotonic() + TIMEOUT
    while not no_other_transaction_open():
        assert time.monotonic() < deadline, "the killed worker's transaction is still open"
        time.sleep(0.05)
    assert not PaymentRun.objects.exists()
    assert not PaymentItem.objects.exists()
    assert not PaymentLine.objects.exists()

    outcome = runs.build_run(organisation=scene.icb, period=month)

    assert outcome.created
    run = PaymentRun.objects.get()
    paid = Counter(PaymentItem.objects.filter(run=run).values_list("claim_id", flat=True))
    assert sorted(paid) == sorted(claim.pk for claim in approved)
    assert set(paid.values()) == {1}
    expected = sum((claim.amount for claim in approved), Decimal("0"))
    assert (run.claim_count, run.total_amount) == (len(approved), expected)
    lines = PaymentLine.objects.filter(run=run)
    assert lines.count() == 3
    assert lines.aggregate(total=Sum("total_amount"))["total"] == expected
