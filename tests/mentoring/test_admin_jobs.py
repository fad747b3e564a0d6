"""Coordinators see the scheduled jobs, their last run and outcome, and the notifications sent for
their own schemes — nothing of another ICS's."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from mentoring.beat import JOBS
from mentoring.models import JobRun, Notification
from tests.auth import sign_in
from tests.factories import IcbFactory, UserFactory, coordinator_of, finance_of
from tests.schemes.factories import SchemeFactory

pytestmark = pytest.mark.django_db

JOBS_URL = reverse("admin:mentoring_scheduled_jobs")
NOTIFICATIONS_URL = reverse("admin:mentoring_notification_changelist")


@pytest.fixture
def world():
    icb_a, icb_b = IcbFactory(name="ICB A"), IcbFactory(name="ICB B")
    scheme_a = SchemeFactory(owner=icb_a, slug="scheme-a")
    scheme_b = SchemeFactory(owner=icb_b, slug="scheme-b")
    mentee = UserFactory(email="mentee@example.nhs.uk")
    mine = Notification.objects.create(
        kind="agenda_reminder",
        recipient=mentee,
        about="x:1",
        subject="Prepare for your session on scheme A",
        organisation=icb_a,
        scheme="scheme-a",
    )
    theirs = Notification.objects.create(
        kind="agenda_reminder",
        recipient=mentee,
        about="x:2",
        subject="Prepare for your session on scheme B",
        organisation=icb_b,
        scheme="scheme-b",
    )
    now = timezone.now()
    JobRun.objects.create(
        job="remind-pre-session-agenda",
        started_at=now - timezone.timedelta(hours=2),
        at=now,
        outcome="succeeded",
        sent=9,
        by_scheme={"scheme-a": 9},
    )
    last = JobRun.objects.create(
        job="remind-pre-session-agenda",
        started_at=now,
        finished_at=now,
        at=now,
        outcome="succeeded",
        found=7,
        sent=5,
        by_scheme={"scheme-a": 2, "scheme-b": 3},
    )
    failed = JobRun.objects.create(
        job="build-payment-runs",
        started_at=now,
        at=now,
        outcome="failed",
        error="OperationalError: the database went away",
    )
    return {
        "coordinator_a": coordinator_of(icb_a),
        "scheme_a": scheme_a,
        "scheme_b": scheme_b,
        "mine": mine,
        "theirs": theirs,
        "last": last,
        "failed": failed,
        "icb_a": icb_a,
    }


def row_of(html: str, job: str) -> str:
    start = html.index(f'<span class="job-name">{job}</span>')
    return html[start : html.index("</tr>", start)]


def test_a_coordinator_sees_every_job_with_its_last_run_and_outcome(client, world):
    sign_in(client, world["coordinator_a"])
    html = client.get(JOBS_URL).content.decode()

    for name, (_, _, description) in JOBS.items():
        assert name in html
        assert escape(description) in html
    agenda = row_of(html, "remind-pre-session-agenda")
    assert "Succeeded" in agenda
    assert "<td>2</td>" in agenda, "only the messages for the coordinator's own schemes"
    failed = row_of(html, "build-payment-runs")
    assert "Failed" in failed and "the database went away" in failed
    assert "Not run yet" in row_of(html, "send-daily-digests")
    assert "At 06:00, on day 1 of the month" in failed


def test_a_superuser_sees_the_whole_count(client, world):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    html = client.get(JOBS_URL).content.decode()
    assert "<td>5</td>" in row_of(html, "remind-pre-session-agenda")


@pytest.mark.parametrize("who", ["mentee", "finance"])
def test_people_who_are_not_coordinators_cannot_see_the_jobs(client, world, who):
    user = UserFactory() if who == "mentee" else finance_of(world["icb_a"], is_staff=True)
    sign_in(client, user)
    response = client.get(JOBS_URL)
    assert response.status_code in (302, 403)
    assert "remind-pre-session-agenda" not in response.content.decode()


def test_the_page_costs_the_same_however_many_runs(client, world, django_assert_max_num_queries):
    sign_in(client, world["coordinator_a"])
    client.get(JOBS_URL)
    now = timezone.now()
    JobRun.objects.bulk_create(
        JobRun(job=name, started_at=now, at=now, outcome="succeeded") for name in JOBS
    )
    with django_assert_max_num_queries(12):
        assert client.get(JOBS_URL).status_code == 200


def test_a_coordinator_lists_only_the_notifications_for_their_schemes(client, world):
    sign_in(client, world["coordinator_a"])
    html = client.get(NOTIFICATIONS_URL).content.decode()

    assert world["mine"].subject in html
    assert world["theirs"].subject not in html


def test_another_icss_notification_is_not_found(client, world):
    sign_in(client, world["coordinator_a"])
    url = reverse("admin:mentoring_notification_change", args=[world["theirs"].pk])
    assert client.get(url).status_code in (302, 404)
    mine = reverse("admin:mentoring_notification_change", args=[world["mine"].pk])
    assert client.get(mine).status_code == 200


def test_notifications_cannot_be_changed_or_deleted_in_the_admin(client, world):
    sign_in(client, world["coordinator_a"])
    url = reverse("admin:mentoring_notification_delete", args=[world["mine"].pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Notification.objects.filter(pk=world["mine"].pk).exists()


def test_a_coordinator_sees_runs_but_not_other_schemes_counts(client, world):
    sign_in(client, world["coordinator_a"])
    url = reverse("admin:mentoring_jobrun_change", args=[world["last"].pk])
    html = client.get(url).content.decode()
    assert "remind-pre-session-agenda" in html
    assert "scheme-b" not in html


def test_the_admin_home_links_to_the_jobs_and_notifications(client, world):
    sign_in(client, world["coordinator_a"])
    html = client.get(reverse("admin:index")).content.decode()
    assert JOBS_URL in html and NOTIFICATIONS_URL in html


def test_the_notification_list_costs_the_same_however_many(
    client, world, django_assert_max_num_queries
):
    sign_in(client, world["coordinator_a"])
    client.get(NOTIFICATIONS_URL)
    Notification.objects.bulk_create(
        Notification(
            kind="agenda_reminder",
            recipient=UserFactory(),
            about=f"x:{n}",
            subject=f"Reminder {n}",
            organisation=world["icb_a"],
            scheme="scheme-a",
        )
        for n in range(30)
    )
    with django_assert_max_num_queries(14):
        response = client.get(NOTIFICATIONS_URL)
    assert "Reminder 29" in response.content.decode()
