import datetime

from celery import shared_task

from mentoring.models import Organisation
from reimbursement import runs


@shared_task(acks_late=True)
def build_payment_runs(month: str | None = None) -> list[dict]:
    """Monthly (beat): a draft run of the previous month for every paying organisation.

    Idempotent: a second tick, or a retry after a worker was lost, finds the runs already built
    and adds only claims approved since.
    """
    period = runs.parse_month(month) if month else runs.previous_month()
    return [_summary(outcome) for outcome in runs.build_month(period=period)]


@shared_task(acks_late=True)
def build_payment_run(organisation_id: int, month: str) -> dict:
    organisation = Organisation.objects.get(pk=organisation_id)
    outcome = runs.build_run(organisation=organisation, period=runs.parse_month(month))
    return _summary(outcome)


def _summary(outcome: runs.BuildOutcome) -> dict:
    return {
        "run": outcome.run.reference,
        "created": outcome.created,
        "changed": outcome.changed,
        "built_on": datetime.date.today().isoformat(),
    }
