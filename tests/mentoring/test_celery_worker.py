"""The real thing: tasks travel through Redis to a Celery worker in another process."""

import time

import pytest
from celery.result import EagerResult
from django.db import transaction

from mentoring.models import Notification
from mentoring.notifications import notify
from mentoring.tasks import ping, send_notification
from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30


def wait_for(condition, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_task_makes_the_round_trip_through_the_worker(celery_worker):
    result = ping.delay()

    assert not isinstance(result, EagerResult)
    assert result.get(timeout=TIMEOUT) == "pong"


def test_a_notification_is_sent_once_even_when_its_task_is_delivered_twice(celery_worker):
    user = UserFactory(email="twice@example.nhs.uk")
    with transaction.atomic():
        notification = notify(kind="account_exists", recipient=user, about=user, period="twice")
    # notify() enqueued the delivery on commit; the same task now arrives twice more, as after a
    # broker redelivery or a beat retry.
    first = send_notification.delay(notification.pk)
    second = send_notification.apply_async(args=[notification.pk])

    outcomes = [first.get(timeout=TIMEOUT), second.get(timeout=TIMEOUT)]

    def sent():
        notification.refresh_from_db()
        return notification.status == Notification.Status.SENT

    assert wait_for(sent), f"never sent: {notification.status} {notification.last_error}"
    header = f"X-Mentoring-Notification: {notification.pk}"
    emails = celery_worker.emails(containing=header)
    assert len(emails) == 1, [path.read_text() for path in emails]
    assert "To: twice@example.nhs.uk" in emails[0].read_text()
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert outcomes.count(True) <= 1
