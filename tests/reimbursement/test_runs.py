"""Monthly payment runs: what a build takes, idempotence, approval, immutability, adjustments."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from reimbursement import claims, runs
from reimbursement.errors import ReimbursementError, RunRefusal
from reimbursement.models import (
    Claim,
    ClaimStatus,
    PaymentItem,
    PaymentLine,
    PaymentRun,
    RunStatus,
)
from tests.factories import OrganisationFactory, coordinator_of, finance_of
from tests.reimbursement.scene import ClaimScene

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 6, 15, 12)
MAY = datetime.date(2026, 5, 1)
APRIL = datetime.date(2026, 4, 1)


@pytest.fixture
def scene():
    with time_machine.travel(TODAY, tick=False):
        yield ClaimScene()


def week(day: int, month: int = 5) -> datetime.date:
    return claims.week_of(datetime.date(2026, month, day))


def refused(call) -> list:
    with pytest.raises(ReimbursementError) as caught:
        call()
    return caught.value.codes


def test_a_build_takes_approved_unpaid_claims_up_to_the_months_last_day(scene):
    april = scene.approved(week(20, 4))
    may = scene.approved(week(25))  # Monday 25 May: May's
    june = scene.approved(datetime.date(2026, 6, 1))  # Monday 1 June waits for June's run
    scene.claim(week(11))  # submitted, not approved: waits

    outcome = scene.build(MAY)

    paid = set(outcome.run.items.values_list("claim_id", flat=True))
    assert paid == {april.pk, may.pk}
    assert june.pk not in paid
    assert outcome.created and outcome.run.status == RunStatus.DRAFT
    assert outcome.run.total_amount == Decimal("578.00") and outcome.run.claim_count == 2
    assert outcome.run.reference == f"PR-{scene.icb.code}-2026-05"


def test_a_week_starting_in_a_month_belongs_to_it_even_if_it_ends_in_the_next(scene):
    scene.approved(datetime.date(2026, 5, 31))  # Sunday: its Monday is 25 May

    assert scene.build(MAY).run.claim_count == 1


def test_rebuilding_a_draft_adds_claims_approved_since_and_never_one_twice(scene):
    first = scene.approved(week(4))
    scene.build(MAY)
    second = scene.approved(week(11))

    outcome = scene.build(MAY)

    assert not outcome.created and outcome.changed
    assert sorted(outcome.run.items.values_list("claim_id", flat=True)) == [first.pk, second.pk]
    line = PaymentLine.objects.get(run=outcome.run)
    assert (line.claim_count, line.mentoring_amount) == (2, Decimal("578.00"))


def test_rebuilding_with_nothing_new_changes_nothing(scene):
    scene.approved(week(4))
    first = scene.build(MAY).run
    lines = list(PaymentLine.objects.values())

    outcome = scene.build(MAY)

    assert not outcome.created and not outcome.changed
    assert list(PaymentLine.objects.values()) == lines
    again = PaymentRun.objects.get()
    assert (again.built_at, again.total_amount) == (first.built_at, first.total_amount)


def test_an_approved_run_never_changes_and_late_claims_roll_into_the_next(scene):
    scene.approved(week(4))
    run = runs.approve_run(run=scene.build(APRIL.replace(month=5)).run, by=scene.finance)
    late = scene.approved(week(11))

    again = scene.build(MAY)
    with time_machine.travel(datetime.datetime(2026, 7, 2, 9), tick=False):
        june = scene.build(datetime.date(2026, 6, 1)).run

    assert not again.created and not again.changed
    assert again.run.items.count() == 1 and again.run.total_amount == run.total_amount
    assert list(june.items.values_list("claim_id", flat=True)) == [late.pk]


def test_approving_marks_the_claims_paid(scene):
    claim = scene.approved(week(4))

    runs.approve_run(run=scene.build(MAY).run, by=scene.finance)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID


def test_only_finance_staff_of_the_payer_approve_a_run(scene):
    scene.approved(week(4))
    run = scene.build(MAY).run

    assert refused(lambda: runs.approve_run(run=run, by=scene.coordinator)) == [
        RunRefusal.NOT_FINANCE
    ]
    assert refused(lambda: runs.approve_run(run=run, by=finance_of(OrganisationFactory()))) == [
        RunRefusal.NOT_FINANCE
    ]


def test_a_run_that_pays_nothing_cannot_be_approved(scene):
    run = scene.build(MAY).run

    assert refused(lambda: runs.approve_run(run=run, by=scene.finance)) == [RunRefusal.EMPTY]


def test_finance_staff_paid_in_a_run_cannot_approve_it(scene):
    scene.approved(week(4))
    run = scene.build(MAY).run
    from mentoring.models import Role
    from mentoring.roles import grant_role

    grant_role(user=scene.mentor_user, role=Role.FINANCE, organisation=scene.icb)

    assert refused(lambda: runs.approve_run(run=run, by=scene.mentor_user)) == [
        RunRefusal.OWN_PAYMENT
    ]


def test_an_approved_run_cannot_be_approved_again(scene):
    scene.approved(week(4))
    run = runs.approve_run(run=scene.build(MAY).run, by=scene.finance)

    assert refused(lambda: runs.approve_run(run=run, by=scene.finance)) == [RunRefusal.NOT_DRAFT]


def test_a_month_that_is_not_over_cannot_be_built(scene):
    with time_machine.travel(TODAY, tick=False):
        assert refused(lambda: scene.build(datetime.date(2026, 6, 1))) == [
            RunRefusal.MONTH_NOT_OVER
        ]


def test_the_database_refuses_to_pay_a_claim_twice(scene):
    claim = scene.approved(week(4))
    run = scene.build(MAY).run
    other = PaymentRun.objects.create(
        organisation=scene.icb, period=APRIL, reference="PR-OTHER-2026-04"
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentItem.objects.create(claim=claim, run=other, amount=claim.amount)
    assert run.items.count() == 1


def test_claims_an_earlier_system_paid_are_never_paid_again(scene):
    claim = scene.approved(week(4))
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PAID, imported=True)

    assert scene.build(MAY).run.claim_count == 0


def test_an_adjustment_is_paid_in_the_next_run_built_positive_or_negative(scene):
    scene.approved(week(4))
    runs.approve_run(run=scene.build(APRIL.replace(month=5)).run, by=scene.finance)
    runs.add_adjustment(
        person=scene.mona.person,
        scheme=scene.scheme,
        amount=Decimal("-289.00"),
        reason="Week of 4 May was paid twice by the old system.",
        by=scene.finance,
    )
    scene.approved(week(11))

    with time_machine.travel(datetime.datetime(2026, 7, 2, 9), tick=False):
        june = scene.build(datetime.date(2026, 6, 1)).run

    line = june.lines.get()
    assert (line.mentoring_amount, line.adjustment_amount, line.total_amount) == (
        Decimal("289.00"),
        Decimal("-289.00"),
        Decimal("0.00"),
    )


def test_an_adjustment_needs_an_amount_a_reason_and_finance_of_the_payer(scene):
    def adjust(amount, reason, by):
        return runs.add_adjustment(
            person=scene.mona.person, scheme=scene.scheme, amount=amount, reason=reason, by=by
        )

    assert refused(lambda: adjust(Decimal("0"), "", scene.finance)) == [
        RunRefusal.ADJUSTMENT_ZERO,
        RunRefusal.ADJUSTMENT_REASON,
    ]
    assert refused(lambda: adjust(Decimal("10"), "Travel.", scene.coordinator)) == [
        RunRefusal.NOT_PAID_BY
    ]


def test_the_run_belongs_to_the_organisation_that_pays_not_the_owner(scene):
    ccg = OrganisationFactory(name="Lead CCG")
    scene.card.paid_by = ccg
    scene.card.save()
    scene.approved(week(4))

    with time_machine.travel(TODAY, tick=False):
        owner_run = runs.build_run(organisation=scene.icb, period=MAY).run
        payer_run = runs.build_run(organisation=ccg, period=MAY).run

    assert owner_run.claim_count == 0 and payer_run.claim_count == 1
    assert list(runs.paying_organisations()) == [ccg]


def test_the_build_takes_the_same_number_of_queries_for_one_mentor_or_many(scene):
    scene.approved(week(20, 4))
    for n in range(5):
        other = scene.mentor(f"Mentor{n} Other", capacity=1)
        claims.approve_claim(
            claim=claims.submit_claim(
                person=other.person,
                scheme=scene.scheme,
                kind="mentoring",
                claimed_date=week(4),
                by=other.person.user,
                activity="Prepared.",
            ),
            by=scene.coordinator,
        )

    with CaptureQueriesContext(connection) as one:
        april = scene.build(APRIL)
    with CaptureQueriesContext(connection) as six:
        may = scene.build(MAY)

    assert (april.run.lines.count(), may.run.lines.count()) == (1, 5)
    assert len(one) == len(six) <= 15


# the command ------------------------------------------------------------------------------------
def run_command(*args) -> str:
    out = StringIO()
    call_command("build_payment_run", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_run_as_json(scene):
    scene.approved(week(4))
    scene.approved(week(11))

    with time_machine.travel(TODAY, tick=False):
        first = json.loads(
            run_command("--month", "2026-05", "--organisation", scene.icb.code, "--format", "json")
        )
        second = json.loads(
            run_command("--month", "2026-05", "--organisation", scene.icb.code, "--format", "json")
        )

    assert first == {
        "run": f"PR-{scene.icb.code}-2026-05",
        "organisation": scene.icb.code,
        "period": "2026-05",
        "status": "draft",
        "created": True,
        "total_amount": "578.00",
        "lines": [
            {
                "mentor": "mona@example.nhs.uk",
                "scheme": scene.scheme.slug,
                "claim_count": 2,
                "mentoring_amount": "578.00",
                "training_amount": "0.00",
                "adjustment_amount": "0.00",
                "total_amount": "578.00",
            }
        ],
    }
    assert second == {**first, "created": False}


def test_the_command_without_an_organisation_builds_every_payer_and_prints_a_list(scene):
    scene.approved(week(4))

    with time_machine.travel(TODAY, tick=False):
        printed = json.loads(run_command("--month", "2026-05", "--format", "json"))

    assert [entry["organisation"] for entry in printed] == [scene.icb.code]


def test_the_command_refuses_a_bad_month_and_an_unknown_organisation(scene):
    with pytest.raises(CommandError, match="YYYY-MM"):
        run_command("--month", "May 2026")
    with pytest.raises(CommandError, match="No organisation"):
        run_command("--month", "2026-05", "--organisation", "NOPE")


def test_the_scheduled_job_builds_last_months_runs(scene, settings):
    from mentoring import beat
    from reimbursement import tasks

    scene.approved(week(4))
    assert beat.JOBS["build-payment-runs"][0] == "reimbursement.tasks.build_payment_runs"

    with time_machine.travel(datetime.datetime(2026, 6, 1, 6), tick=False):
        done = tasks.build_payment_runs()
        again = tasks.build_payment_runs()

    assert [(d["run"], d["created"]) for d in done] == [(f"PR-{scene.icb.code}-2026-05", True)]
    assert [(d["created"], d["changed"]) for d in again] == [(False, False)]


def test_a_coordinator_is_not_finance(scene):
    assert not runs.is_finance_for(coordinator_of(scene.icb), scene.icb)


def test_approving_a_run_tells_each_mentor_paid_once(scene, django_capture_on_commit_callbacks):
    from mentoring.models import Notification
    from reimbursement import tasks

    scene.approved(week(4))
    scene.approved(week(11))
    run = scene.build(MAY).run

    with django_capture_on_commit_callbacks(execute=True):
        runs.approve_run(run=run, by=scene.finance)
    tasks.tell_payees(run.pk)  # a redelivered task tells nobody twice

    told = Notification.objects.filter(kind="remittance_ready")
    assert [(n.recipient, n.subject) for n in told] == [
        (scene.mentor_user, "Your mentoring payment for May 2026: £578.00")
    ]
    assert tasks.tell_payees(run.pk) == 0
