"""A beat tick delivered twice — by a broker redelivery, two beat processes, a retried task — to a
real Celery worker through Redis records each reminder once and sends one e-mail."""

import datetime
import time

import pytest
from django.utils import timezone

from mentoring.models import JobRun, Notification
from mentoring.tasks import run_reminder_job
from tests.schemes.factories import MentorEnrolmentFactory, SchemeFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60


def wait_for(condition, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_the_same_beat_tick_delivered_twice_sends_one_e_mail(celery_worker):
    today = timezone.localdate()
    scheme = SchemeFactory(starts_on=today - datetime.timedelta(days=400))
    enrolment = MentorEnrolmentFactory(
        scheme=scheme,
        eligible_until=today + datetime.timedelta(days=10),
        person__user__email="twice-ticked@example.nhs.uk",
    )
    tick = timezone.localtime().replace(hour=10, minute=45, second=0, microsecond=0).isoformat()

    first = run_reminder_job.apply_async(args=["warn-eligibility-ending", tick])
    second = run_reminder_job.apply_async(args=["warn-eligibility-ending", tick])
    outcomes = [first.get(timeout=TIMEOUT), second.get(timeout=TIMEOUT)]

    assert sorted(o["sent"] for o in outcomes) == [0, 1], outcomes
    assert {o["outcome"] for o in outcomes} == {"succeeded"}
    assert JobRun.objects.filter(job="warn-eligibility-ending").count() == 2
    mine = Notification.objects.get(recipient=enrolment.person.user)

    def sent():
        mine.refresh_from_db()
        return mine.status == Notification.Status.SENT

    assert wait_for(sent), f"never sent: {mine.status} {mine.last_error}"
    emails = celery_worker.emails(containing="To: twice-ticked@example.nhs.uk")
    assert len(emails) == 1, [path.read_text()[:300] for path in emails]
    assert mine.attempts == 1
