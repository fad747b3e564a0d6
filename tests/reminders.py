"""Time travel for the scheduled reminders: run a job as if it were a given moment, UK time."""

import datetime
from zoneinfo import ZoneInfo

from mentoring.models import JobRun, Notification
from mentoring.reminders import due, run_job

LONDON = ZoneInfo("Europe/London")


def london(text: str) -> datetime.datetime:
    """``"2026-12-07T09:10"`` as an aware datetime in Europe/London."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def run(job: str, at: str, scheme: str | None = None) -> list[Notification]:
    """Run ``job`` at the London moment ``at``; the notifications it recorded, oldest first."""
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    outcome = run_job(job, at=london(at), scheme=scheme)
    assert outcome.outcome == JobRun.Outcome.SUCCEEDED, outcome.error
    return list(
        Notification.objects.filter(pk__gt=before)
        .exclude(kind="digest")
        .select_related("recipient")
        .order_by("pk")
    )


def sent(notifications: list[Notification]) -> list[tuple[str, str]]:
    """(kind, recipient e-mail) of each, sorted: what a test usually compares."""
    return sorted((n.kind, n.recipient.email) for n in notifications)


def due_at(job: str, at: str, scheme: str | None = None) -> list[tuple[str, str]]:
    """(kind, recipient e-mail) of what ``due_reminders`` would list for this job at ``at``."""
    return sorted((r.kind, r.recipient.email) for r in due(london(at), scheme=scheme, jobs=[job]))
