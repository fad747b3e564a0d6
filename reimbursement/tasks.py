import datetime

from celery import shared_task

from mentoring.models import Organisation
from mentoring.reminders import recorded, run_job
from reimbursement import runs


@shared_task(acks_late=True)
def build_payment_runs(month: str | None = None) -> list[dict]:
    """Monthly (beat): a draft run of the previous month for every paying organisation.

    Idempotent: a second tick, or a retry after a worker was lost, finds the runs already built
    and adds only claims approved since.
    """
    period = runs.parse_month(month) if month else runs.previous_month()
    with recorded("build-payment-runs") as run:
        outcomes = [_summary(outcome) for outcome in runs.build_month(period=period)]
        run.found = len(outcomes)
        run.sent = sum(1 for o in outcomes if o["created"] or o["changed"])
        run.summary = {"runs": outcomes}
    # Finance hears of the new drafts now, not at the next hourly tick (each version once).
    run_job("tell-finance-runs-built")
    return outcomes


@shared_task(acks_late=True)
def build_payment_run(organisation_id: int, month: str) -> dict:
    organisation = Organisation.objects.get(pk=organisation_id)
    outcome = runs.build_run(organisation=organisation, period=runs.parse_month(month))
    return _summary(outcome)


@shared_task(acks_late=True)
def tell_payees(run_id: int) -> int:
    """After a run is approved: each mentor it pays is told their remittance is ready (once)."""
    from reimbursement.models import PaymentRun

    run = PaymentRun.objects.select_related("organisation").get(pk=run_id)
    return runs.tell_payees(run) if run.is_approved else 0


def _summary(outcome: runs.BuildOutcome) -> dict:
    return {
        "run": outcome.run.reference,
        "created": outcome.created,
        "changed": outcome.changed,
        "built_on": datetime.date.today().isoformat(),
    }
