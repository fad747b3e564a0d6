from smtplib import SMTPException

from celery import shared_task

from mentoring import notifications

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
    ids = notifications.unsent_ids()
    for notification_id in ids:
        send_notification.delay(notification_id)
    return len(ids)


@shared_task
def ping() -> str:
    """Round trip for health and integration checks: proves a worker is consuming the queue."""
    return "pong"
