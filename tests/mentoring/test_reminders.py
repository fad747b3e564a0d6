"""The reminders infrastructure: opt-outs, the daily digest, run_job's bookkeeping (once, then
once, failures counted and left for the next run), the dry run and the due_reminders command."""

import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from mentoring import notifications, reminders, tasks
from mentoring.beat import JOBS as BEAT_JOBS
from mentoring.beat import REMINDER_TASK
from mentoring.models import JobRun, Notification, NotificationPreference
from mentoring.notifications import NotificationKind, notify, register_kind
from mentoring.reminders import Job, Reminder, register_job
from tests.factories import UserFactory
from tests.reminders import london
from tests.schemes.factories import SchemeFactory

pytestmark = pytest.mark.django_db

register_kind(
    NotificationKind(
        code="test_nudge",
        subject="Nudge {number}",
        summary="Nudge {number}",
        essential=False,
        label="Test nudges",
    )
)
register_kind(
    NotificationKind(
        code="test_alert",
        subject="Alert {number}",
        summary="Alert {number}",
        digestible=True,
    )
)
register_kind(NotificationKind(code="test_notice", subject="Notice {number}"))

# What the test job finds: tests fill it in.
DUE: list[Reminder] = []
register_job(Job(name="test-job", find=lambda at, scheme: list(DUE), kinds=("test_nudge",)))


@pytest.fixture(autouse=True)
def test_templates(settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parents[1] / "templates"],
        }
    ]
    DUE.clear()
    yield
    DUE.clear()


def prefer(user, *, delivery="each", muted=()):
    NotificationPreference.objects.create(user=user, delivery=delivery, muted=list(muted))


def reminder(user, about, **fields):
    return Reminder(kind="test_nudge", recipient=user, about=about, context={"number": 0}, **fields)


def nudge(user, number=1, **fields):
    return notify(
        kind="test_nudge", recipient=user, about=f"thing:{number}", context={"number": number}
    )


# opt-outs ---------------------------------------------------------------------------------------
def test_a_kind_turned_off_is_listed_but_never_e_mailed(django_capture_on_commit_callbacks):
    user = UserFactory()
    prefer(user, muted=["test_nudge"])

    with django_capture_on_commit_callbacks(execute=True):
        notification = nudge(user)

    assert notification.status == Notification.Status.MUTED
    assert mail.outbox == []
    assert notification in Notification.objects.filter(recipient=user)
    # Muted is final: the beat job that re-sends lost messages leaves it alone.
    assert notification.pk not in notifications.unsent_ids(older_than=timezone.timedelta(0))


def test_turning_off_one_kind_leaves_the_others(django_capture_on_commit_callbacks):
    user = UserFactory()
    prefer(user, muted=["test_nudge"])

    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="test_alert", recipient=user, about="a", context={"number": 2})

    assert [m.subject for m in mail.outbox] == ["Alert 2"]


def test_an_essential_kind_cannot_be_turned_off(django_capture_on_commit_callbacks):
    user = UserFactory()
    prefer(user, muted=["test_alert", "test_notice"])

    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="test_alert", recipient=user, about="a", context={"number": 3})
        notify(kind="test_notice", recipient=user, about="b", context={"number": 4})

    assert sorted(m.subject for m in mail.outbox) == ["Alert 3", "Notice 4"]


def test_optional_messages_say_where_to_choose_and_essential_ones_do_not(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        nudge(user)
        notify(kind="test_notice", recipient=user, about="b", context={"number": 4})

    by_subject = {m.subject: m for m in mail.outbox}
    assert "/notifications/settings/" in by_subject["Nudge 1"].body
    assert "/notifications/settings/" in by_subject["Nudge 1"].alternatives[0][0]
    assert "/notifications/settings/" not in by_subject["Notice 4"].body


# the daily digest -------------------------------------------------------------------------------
def test_a_digest_replaces_single_e_mails(django_capture_on_commit_callbacks):
    user = UserFactory(first_name="Asha")
    prefer(user, delivery="daily")

    with django_capture_on_commit_callbacks(execute=True):
        first = nudge(user, 1)
        second = notify(kind="test_alert", recipient=user, about="a", context={"number": 2})
        account = notify(kind="test_notice", recipient=user, about="b", context={"number": 3})

    # The account message goes at once; the two reminders wait for the digest.
    assert [m.subject for m in mail.outbox] == ["Notice 3"]
    assert {first.status, second.status} == {Notification.Status.HELD}
    assert account.status == Notification.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        made = notifications.build_digests(on_date=timezone.localdate())

    assert made == 1
    digest = mail.outbox[-1]
    assert digest.subject.startswith("Your reminders from")
    assert digest.subject.endswith("(2)")
    assert "Nudge 1" in digest.body and "Alert 2" in digest.body
    assert "Nudge 1" in digest.alternatives[0][0]
    first.refresh_from_db()
    assert first.status == Notification.Status.IN_DIGEST
    assert first.digest.kind == "digest"


def test_one_digest_a_day_and_later_reminders_wait_for_the_next(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    prefer(user, delivery="daily")
    today = timezone.localdate()
    nudge(user, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.build_digests(on_date=today) == 1
        late = nudge(user, 2)
        assert notifications.build_digests(on_date=today) == 0

    assert len(mail.outbox) == 1
    late.refresh_from_db()
    assert late.status == Notification.Status.HELD

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.build_digests(on_date=today + timezone.timedelta(days=1)) == 1
    assert "Nudge 2" in mail.outbox[-1].body


def test_the_digest_task_is_recorded_as_a_job_run():
    user = UserFactory()
    prefer(user, delivery="daily")
    nudge(user)

    assert tasks.send_daily_digests.apply().get() == 1

    run = JobRun.objects.get(job="send-daily-digests")
    assert run.outcome == JobRun.Outcome.SUCCEEDED
    assert run.sent == 1


# run_job ----------------------------------------------------------------------------------------
def test_a_run_records_each_reminder_once_and_keeps_a_job_run(django_capture_on_commit_callbacks):
    scheme = SchemeFactory(slug="gp-north")
    users = [UserFactory(), UserFactory()]
    DUE.extend(
        Reminder(
            kind="test_nudge",
            recipient=user,
            about=f"thing:{n}",
            period="2026-12",
            context={"number": n},
            scheme=scheme,
        )
        for n, user in enumerate(users)
    )

    with django_capture_on_commit_callbacks(execute=True):
        run = reminders.run_job("test-job", at=london("2026-12-07T09:10"))
        again = reminders.run_job("test-job", at=london("2026-12-07T10:10"))

    assert (run.outcome, run.found, run.sent, run.by_scheme) == ("succeeded", 2, 2, {"gp-north": 2})
    assert (again.found, again.sent) == (2, 0)
    assert len(mail.outbox) == 2
    recorded = Notification.objects.filter(kind="test_nudge")
    assert {n.scheme for n in recorded} == {"gp-north"}
    assert {n.organisation_id for n in recorded} == {scheme.owner_id}
    assert run.at == london("2026-12-07T09:10")
    assert run.finished_at >= run.started_at


def test_then_runs_once_with_the_claim():
    user = UserFactory()
    done = []
    DUE.append(reminder(user, "x", then=lambda: done.append(1)))

    reminders.run_job("test-job")
    reminders.run_job("test-job")

    assert done == [1]


def test_a_failing_reminder_is_counted_and_left_for_the_next_run_and_the_others_go():
    users = [UserFactory(), UserFactory()]

    def fail():
        raise RuntimeError("the mentorship changed")

    DUE.append(reminder(users[0], "bad", then=fail))
    DUE.append(reminder(users[1], "good"))

    run = reminders.run_job("test-job")

    assert run.outcome == JobRun.Outcome.FAILED
    assert "the mentorship changed" in run.error
    assert (run.found, run.sent, run.summary) == (2, 1, {"failed": 1, "stale": 0})
    # The failed one's claim was rolled back with it: the next run tries it again.
    assert not Notification.objects.filter(about="bad").exists()
    DUE[0] = reminder(users[0], "bad")
    assert reminders.run_job("test-job").sent == 1


def test_a_job_that_breaks_is_recorded_as_failed():
    def broken(at, scheme):
        raise ValueError("no database")

    register_job(Job(name="broken-job", find=broken))
    try:
        with pytest.raises(ValueError):
            reminders.run_job("broken-job")
    finally:
        del reminders.JOBS["broken-job"]

    run = JobRun.objects.get(job="broken-job")
    assert run.outcome == JobRun.Outcome.FAILED
    assert run.error == "ValueError: no database"


def test_the_task_replays_a_moment_given_in_iso_form():
    DUE.append(reminder(UserFactory(), "x"))

    outcome = tasks.run_reminder_job.apply(args=["test-job", "2026-07-01T09:30:00+01:00"]).get()

    assert outcome == {"job": "test-job", "found": 1, "sent": 1, "outcome": "succeeded"}
    assert JobRun.objects.get(job="test-job").at == london("2026-07-01T09:30")


# the dry run ------------------------------------------------------------------------------------
def test_due_lists_what_would_go_without_recording_or_doing_anything():
    sent_before, muted, fresh = UserFactory(), UserFactory(), UserFactory()
    prefer(muted, muted=["test_nudge"])
    nudge(sent_before, 1)
    done = []
    DUE.extend(
        [
            reminder(sent_before, "thing:1"),
            reminder(muted, "thing:2"),
            reminder(fresh, "thing:3", then=lambda: done.append(1)),
        ]
    )
    count = Notification.objects.count()

    listed = reminders.due(jobs=["test-job"])

    assert [(r.recipient, r.about) for r in listed] == [(fresh, "thing:3")]
    assert Notification.objects.count() == count
    assert done == []
    assert not JobRun.objects.exists()


def test_the_command_lists_due_reminders_as_json(capsys):
    user = UserFactory(email="fellow@example.nhs.uk")
    DUE.append(reminder(user, "thing:7", period="2026-W50"))

    call_command("due_reminders", "--at", "2026-12-07T09:30", "--format", "json")

    listed = json.loads(capsys.readouterr().out)
    assert {
        "kind": "test_nudge",
        "recipient": "fellow@example.nhs.uk",
        "about": "thing:7",
        "key": f"test_nudge|{user.pk}|thing:7|2026-W50",
    } in listed
    assert not Notification.objects.exists()


def test_the_command_reads_at_as_uk_local_time_in_summer_too():
    from schemes.management.commands.due_reminders import parse_moment

    assert parse_moment("2026-07-01T09:30").utcoffset().total_seconds() == 3600
    assert parse_moment("2026-12-01T09:30").utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--at", "7 December"], "give it as YYYY-MM-DDTHH:MM"),
        (["--at", "2026-13-01T09:00"], "give it as YYYY-MM-DDTHH:MM"),
        (["--scheme", "no-such-scheme"], "No scheme has the short name 'no-such-scheme'"),
    ],
)
def test_the_command_refuses_bad_input_plainly(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("due_reminders", *arguments, "--format", "json")


# the schedule -----------------------------------------------------------------------------------
def test_every_reminder_job_in_the_beat_schedule_has_a_finder_and_a_task():
    from mentoring.celery import app

    scheduled = {name for name, (task, _, _) in BEAT_JOBS.items() if task == REMINDER_TASK}
    assert scheduled <= set(reminders.JOBS)
    app.loader.import_default_modules()
    for name, (task, _cron, description) in BEAT_JOBS.items():
        assert task in app.tasks, name
        assert description.endswith(".")


def test_a_deployment_moves_a_job_with_its_setting(monkeypatch):
    from mentoring.beat import beat_schedule

    times = {name: job[1] for name, job in BEAT_JOBS.items()}
    times["remind-overdue-sessions"] = "0 8 * * 1"
    schedule = beat_schedule(times)

    entry = schedule["remind-overdue-sessions"]
    assert entry["args"] == ("remind-overdue-sessions",)
    assert entry["schedule"].hour == {8} and entry["schedule"].day_of_week == {1}
    assert "args" not in schedule["build-payment-runs"]


# a mail server that is down ----------------------------------------------------------------------
@pytest.fixture
def flaky(settings):
    from tests.mentoring import flaky_mail

    settings.EMAIL_BACKEND = "tests.mentoring.flaky_mail.FlakyBackend"
    yield flaky_mail.failures_left
    flaky_mail.failures_left["count"] = 0


@pytest.fixture
def eager_without_propagation():
    from mentoring.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def test_a_reminder_the_mail_server_refuses_is_retried_until_it_goes(
    flaky, eager_without_propagation, django_capture_on_commit_callbacks
):
    user = UserFactory()
    DUE.append(reminder(user, "thing:1"))
    flaky["count"] = 2

    with django_capture_on_commit_callbacks(execute=True):
        run = reminders.run_job("test-job")

    assert run.sent == 1
    notification = Notification.objects.get(kind="test_nudge", recipient=user)
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 3
    assert len(mail.outbox) == 1


def test_a_reminder_whose_world_changed_is_undone_and_skipped_not_failed():
    user = UserFactory()

    def changed():
        raise reminders.Stale("answered meanwhile")

    DUE.append(reminder(user, "thing:1", then=changed))

    run = reminders.run_job("test-job")

    assert run.outcome == JobRun.Outcome.SUCCEEDED
    assert (run.sent, run.summary) == (0, {"failed": 0, "stale": 1})
    assert not Notification.objects.filter(recipient=user).exists()
