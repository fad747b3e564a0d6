from datetime import timedelta
from pathlib import Path
from smtplib import SMTPException

import pytest
from django.core import mail
from django.utils import timezone

from mentoring import notifications, tasks
from mentoring.celery import app as celery_app
from mentoring.models import Notification
from mentoring.notifications import NotificationKind, notify, register_kind
from tests.factories import UserFactory
from tests.mentoring import flaky_mail

pytestmark = pytest.mark.django_db

register_kind(
    NotificationKind(code="test_notice", subject="Notice {number}", summary="Notice {number}")
)


@pytest.fixture(autouse=True)
def test_templates(settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parents[1] / "templates"],
        }
    ]


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.mentoring.flaky_mail.FlakyBackend"
    yield flaky_mail.failures_left
    flaky_mail.failures_left["count"] = 0


def test_a_notification_is_sent_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory(first_name="Asha")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(kind="test_notice", recipient=user, about=user, context={"number": 7})
        assert mail.outbox == []

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Notice 7"
    assert mail.outbox[0].to == [user.email]
    assert "Hello Asha, this is notice 7." in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1


def test_the_same_key_is_claimed_once(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(
            kind="test_notice", recipient=user, about=user, period="2026-11", context={"number": 1}
        )
        second = notify(
            kind="test_notice", recipient=user, about=user, period="2026-11", context={"number": 1}
        )

    assert first is not None
    assert second is None
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_another_period_is_another_message(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind="test_notice", recipient=user, about=user, period="2026-11", context={"number": 1}
        )
        notify(
            kind="test_notice", recipient=user, about=user, period="2026-12", context={"number": 2}
        )
    assert len(mail.outbox) == 2


def test_delivering_twice_sends_once():
    user = UserFactory()
    notification = notify(kind="test_notice", recipient=user, about=user, context={"number": 3})

    assert notifications.deliver(notification.pk) is True
    assert notifications.deliver(notification.pk) is False
    tasks.send_notification.apply(args=[notification.pk])

    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_a_message_being_sent_by_another_worker_is_left_alone():
    user = UserFactory()
    notification = notify(kind="test_notice", recipient=user, about=user, context={"number": 4})
    Notification.objects.filter(pk=notification.pk).update(
        status="sending", claimed_at=timezone.now()
    )

    assert notifications.deliver(notification.pk) is False
    assert mail.outbox == []


def test_a_message_abandoned_by_a_dead_worker_is_sent_after_its_lease(settings):
    user = UserFactory()
    notification = notify(kind="test_notice", recipient=user, about=user, context={"number": 5})
    stale = timezone.now() - timedelta(seconds=settings.NOTIFICATION_SEND_LEASE_SECONDS + 1)
    Notification.objects.filter(pk=notification.pk).update(status="sending", claimed_at=stale)

    assert notification.pk in notifications.unsent_ids()
    assert notifications.deliver(notification.pk) is True
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_and_a_later_attempt_sends_it(flaky):
    user = UserFactory()
    notification = notify(kind="test_notice", recipient=user, about=user, context={"number": 6})
    flaky["count"] = 1

    with pytest.raises(SMTPException):
        notifications.deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert "SMTPServerDisconnected" in notification.last_error

    assert notifications.deliver(notification.pk) is True
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 2
    assert len(mail.outbox) == 1


@pytest.fixture
def eager_without_propagation():
    """Eager Celery runs a retry at once in-process; it must not re-raise each attempt's error."""
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = previous


def test_the_task_retries_a_mail_server_failure_until_it_goes(flaky, eager_without_propagation):
    user = UserFactory()
    notification = notify(kind="test_notice", recipient=user, about=user, context={"number": 8})
    flaky["count"] = 2

    tasks.send_notification.apply(args=[notification.pk])

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 3
    assert len(mail.outbox) == 1


def test_the_beat_job_sends_what_was_lost_from_the_queue():
    user = UserFactory()
    lost = notify(kind="test_notice", recipient=user, about=user, context={"number": 9})
    Notification.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    fresh = notify(kind="test_notice", recipient=user, about="fresh", context={"number": 10})

    assert tasks.retry_unsent_notifications.apply().get() == 1
    assert [m.subject for m in mail.outbox] == ["Notice 9"]
    fresh.refresh_from_db()
    assert fresh.status == Notification.Status.PENDING


def test_marking_read_touches_only_the_users_own():
    mine, theirs = UserFactory(), UserFactory()
    own = notify(kind="test_notice", recipient=mine, about="a", context={"number": 1})
    other = notify(kind="test_notice", recipient=theirs, about="a", context={"number": 1})

    assert notifications.mark_read(user=mine, notification_ids=[own.pk, other.pk]) == 1
    other.refresh_from_db()
    assert other.read_at is None
