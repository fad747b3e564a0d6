from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mentoring import notifications, reminders

TRANSIENT_SEND_ERRORS = (SMTPException, OSError, ConnectionError, TimeoutError)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_SEND_ERRORS,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=12,
)
def send_notification(notification_id: int) -> bool:
    return notifications.deliver(notification_id)


@shared_task
def retry_unsent_notifications() -> int:
    with reminders.recorded("retry-unsent-notifications") as run:
        ids = notifications.unsent_ids()
        for notification_id in ids:
            send_notification.delay(notification_id)
        run.found = run.sent = len(ids)
    return len(ids)


@shared_task(acks_late=True)
def send_daily_digests() -> int:
    """Daily (beat): one e-mail per person who chose a digest, with what was held for them."""
    with reminders.recorded("send-daily-digests") as run:
        run.sent = notifications.build_digests()
    return run.sent


@shared_task(acks_late=True)
def run_reminder_job(name: str, at: str | None = None, scheme: str | None = None) -> dict:
    """Hourly (beat), one per reminder job: record what is due, each reminder once by its key.

    ``at`` (ISO 8601) replays a moment, for support; a duplicate tick finds every key claimed.
    """
    moment = parse_datetime(at) if at else None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    run = reminders.run_job(name, at=moment, scheme=scheme)
    return {"job": name, "found": run.found, "sent": run.sent, "outcome": run.outcome}


@shared_task(acks_late=True)
def apply_retention() -> dict:
    """Daily (beat): remove what is past its retention period; the JobRun keeps the counts."""
    from mentoring.privacy import run_retention_job

    run, _ = run_retention_job()
    return {"removed": run.summary.get("removed", {}), "outcome": run.outcome}


@shared_task
def ping() -> str:
    """Round trip for health and integration checks: proves a worker is consuming the queue."""
    return "pong"
