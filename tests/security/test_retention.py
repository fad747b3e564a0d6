"""Retention (ASVS 8.3.8, UK GDPR storage limitation): the daily job removes exactly what is older
than its kind's period (``settings.RETENTION_DAYS``), keeps a JobRun with the counts, never
touches the audit or the money within the finance period; a dry run changes nothing."""

import datetime
from io import StringIO

import pytest
import time_machine
from auditlog.models import LogEntry
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from matching.models import Mentorship
from mentoring import privacy
from mentoring.models import AccessEvent, JobRun, Notification
from mentoring.tasks import apply_retention
from reimbursement import claims
from reimbursement.models import Claim
from schemes.models import Application
from sessions_log.models import FormKind, FormResponse, MentoringSession, PrivateNote, Readers
from tests.reimbursement.scene import ClaimScene
from tests.schemes.factories import ApplicationFactory
from tests.sessions_log.factories import FormTemplateFactory

pytestmark = pytest.mark.django_db

BUILT = datetime.datetime(2026, 6, 15, 12)
NOW = timezone.make_aware(datetime.datetime(2034, 1, 10, 12))


def ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def period(kind: str) -> int:
    return settings.RETENTION_DAYS[kind]


class World:
    """For each kind, one row a day past its period (``old``) and one a day inside it (``new``)."""

    def __init__(self):
        scene = ClaimScene()
        self.scene = scene
        mentor = scene.mona.person.user
        self.old = {}
        self.new = {}

        def notification(days, n, status=Notification.Status.SENT):
            made = Notification.objects.create(
                kind="test", recipient=mentor, period=str(n), subject=f"Message {n}", status=status
            )
            Notification.objects.filter(pk=made.pk).update(created_at=ago(days))
            return made.pk

        self.old["notifications"] = notification(period("notifications") + 1, 1)
        self.new["notifications"] = notification(period("notifications") - 1, 2)
        self.waiting_notification = notification(
            period("notifications") + 1, 3, Notification.Status.PENDING
        )

        def job_run(days):
            return JobRun.objects.create(
                job="send-daily-digests", started_at=ago(days), at=ago(days), outcome="succeeded"
            ).pk

        self.old["job_runs"] = job_run(period("job_runs") + 1)
        self.new["job_runs"] = job_run(period("job_runs") - 1)

        def application(days, **traits):
            made = ApplicationFactory(scheme=scene.scheme, **traits)
            Application.objects.filter(pk=made.pk).update(decided_at=ago(days))
            return made.pk

        self.old["rejected_applications"] = application(
            period("rejected_applications") + 1, rejected=True
        )
        self.new["rejected_applications"] = application(
            period("rejected_applications") - 1, rejected=True
        )
        self.old_but_waiting = application(period("rejected_applications") + 1, waiting=True)

        reflection = FormTemplateFactory(kind=FormKind.POST_SESSION, readers=Readers.AUTHOR)
        other = scene.pair(scene.mentor("Maud Mentor"), scene.mentee("Edna Mentee"))

        def ended(mentorship, days):
            Mentorship.objects.filter(pk=mentorship.pk).update(
                status="ended", ended_on=ago(days).date(), end_reason="completed"
            )
            session = MentoringSession.objects.create(
                mentorship=mentorship,
                starts_at=ago(days + 30),
                duration_minutes=60,
                mode="video",
                status="held",
            )
            member = mentorship.members.get(role="mentee")
            response = FormResponse.objects.create(
                template=reflection,
                author=member.enrolment.person,
                mentorship=mentorship,
                session=session,
                answers={"key_issues": f"Reflection {days}"},
                status="submitted",
                submitted_at=ago(days + 30),
            )
            mentor_member = mentorship.members.get(role="mentor")
            note = PrivateNote.objects.create(
                session=session, author=mentor_member.enrolment.person, text=f"Note {days}"
            )
            return response.pk, note.pk

        self.old["reflections"], self.old["private_notes"] = ended(
            scene.pair_, period("reflections") + 1
        )
        self.new["reflections"], self.new["private_notes"] = ended(other, period("reflections") - 1)

        def rejected_claim(day, days):
            claim = claims.reject_claim(
                claim=scene.claim(day), by=scene.coordinator, reason="Not a week of mentoring."
            )
            Claim.objects.filter(pk=claim.pk).update(decided_at=ago(days))
            return claim.pk

        self.old["rejected_claims"] = rejected_claim(
            datetime.date(2026, 5, 4), period("rejected_claims") + 1
        )
        self.new["rejected_claims"] = rejected_claim(
            datetime.date(2026, 5, 11), period("rejected_claims") - 1
        )
        self.approved_claim = claims.approve_claim(
            claim=scene.claim(datetime.date(2026, 5, 18)), by=scene.coordinator
        ).pk
        Claim.objects.filter(pk=self.approved_claim).update(
            decided_at=ago(period("rejected_claims") + 100)
        )
        self.audit_row = AccessEvent.objects.create(action="viewed", what="test", at=ago(5000)).pk


MODELS = {
    "notifications": Notification,
    "job_runs": JobRun,
    "rejected_applications": Application,
    "private_notes": PrivateNote,
    "rejected_claims": Claim,
}


@pytest.fixture
def world():
    with time_machine.travel(BUILT, tick=False):
        return World()


def still_there(kind, pk) -> bool:
    if kind == "reflections":
        return FormResponse.objects.get(pk=pk).answers != {}
    return MODELS[kind].objects.filter(pk=pk).exists()


def run_job():
    with time_machine.travel(NOW, tick=False):
        return privacy.run_retention_job()


def test_each_kind_loses_exactly_its_rows_past_their_period(world):
    run_job()

    for kind in world.old:
        assert not still_there(kind, world.old[kind]), kind
        assert still_there(kind, world.new[kind]), kind


def test_what_is_not_finished_stays_however_old(world):
    run_job()

    assert Notification.objects.filter(pk=world.waiting_notification).exists()
    assert Application.objects.filter(pk=world.old_but_waiting).exists()
    assert Claim.objects.filter(pk=world.approved_claim).exists()


def test_an_emptied_reflection_keeps_that_it_was_written(world):
    run_job()

    reflection = FormResponse.objects.get(pk=world.old["reflections"])
    assert (reflection.answers, reflection.status) == ({}, "submitted")


def test_the_job_run_keeps_the_counts_per_kind(world):
    run, _ = run_job()

    run.refresh_from_db()
    assert run.job == "apply-retention"
    assert run.outcome == JobRun.Outcome.SUCCEEDED
    assert run.summary["removed"] == {
        "notifications": 1,
        "job_runs": 1,
        "rejected_applications": 1,
        "reflections": 1,
        "private_notes": 1,
        "rejected_claims": 1,
    }
    assert (run.found, run.sent) == (6, 6)


def test_the_report_says_what_went_and_before_when(world):
    _, report = run_job()

    assert (
        "notifications: removed 1 — messages (in-app and e-mailed) sent, muted or given up on "
        f"before {timezone.localtime(ago(period('notifications'))):%-d %B %Y}"
    ) in report.lines()


def test_running_again_removes_nothing_more(world):
    run_job()

    second, _ = run_job()

    assert set(second.summary["removed"].values()) == {0}


def test_a_dry_run_changes_nothing_and_says_what_would_go(world):
    counts = {model: model.objects.count() for model in MODELS.values()}
    out = StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("apply_retention", "--dry-run", stdout=out)

    assert {model: model.objects.count() for model in MODELS.values()} == counts
    assert still_there("reflections", world.old["reflections"])
    lines = out.getvalue().splitlines()
    assert len(lines) == 6
    assert all(": would remove 1 — " in line for line in lines)
    assert not JobRun.objects.filter(job="apply-retention").exists()


def test_the_command_without_dry_run_applies_them(world):
    out = StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("apply_retention", stdout=out)

    assert not still_there("notifications", world.old["notifications"])
    assert "notifications: removed 1 — " in out.getvalue()


def test_audit_rows_are_never_removed(world):
    entries = LogEntry.objects.count()

    run_job()

    assert AccessEvent.objects.filter(pk=world.audit_row).exists()
    assert LogEntry.objects.count() >= entries


def test_rejected_claims_stay_for_the_finance_period_whatever_their_own_setting(world, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "rejected_claims": 30}

    run_job()

    assert still_there("rejected_claims", world.new["rejected_claims"])
    assert not still_there("rejected_claims", world.old["rejected_claims"])


def test_a_shorter_period_takes_more(world, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "notifications": 1}

    run_job()

    assert not still_there("notifications", world.new["notifications"])


def test_the_job_is_on_the_daily_beat_schedule_and_runs_as_a_task(world):
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == "mentoring.tasks.apply_retention"

    with time_machine.travel(NOW, tick=False):
        result = apply_retention.delay().get()

    assert result["outcome"] == "succeeded"
    assert result["removed"]["job_runs"] == 1
