"""The coordinators' weekly digest: on the scheme's weekday from its send hour, one summary per
coordinator of the scheme a week — pairs never met, overdue, the waiting list and mentors with
room — in a fixed number of queries however many rows."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching import services as matching
from matching.models import Mentorship
from mentoring.reminders import JOBS
from schemes.models import Enrolment, ReminderPlan
from sessions_log import weekly_digest
from tests.factories import IcbFactory, coordinator_of
from tests.reminders import london, run, sent
from tests.schemes.factories import MenteeEnrolmentFactory, SchemeFactory
from tests.sessions_log.sessions_scene import SessionScene, days_ago

pytestmark = pytest.mark.django_db

JOB = "coordinators-weekly-digest"
KIND = "coordinators_weekly"
# Monday 7 December 2026 (ISO week 2026-W50); the scheme's reminders go from 09:00.
MONDAY = "2026-12-07"
FOLLOW_UP = "admin:sessions_log_mentoringsession_follow_up"


@pytest.fixture(autouse=True)
def frozen():
    """The scene is built early on the Monday, London time; the job runs at the ``at`` given."""
    with time_machine.travel(london(f"{MONDAY}T07:00"), tick=False):
        yield


@pytest.fixture
def scene():
    scene = SessionScene()  # every 4 weeks; coordinator coord@example.nhs.uk of the ICB
    scene.second = coordinator_of(scene.icb, email="second@example.nhs.uk")
    scene.far_icb = IcbFactory(name="NHS Far ICB")
    scene.far_scheme = SchemeFactory(owner=scene.far_icb)
    scene.far_coordinator = coordinator_of(scene.far_icb, email="far@example.nhs.uk")
    return scene


def proposed_days_ago(mentorship, days):
    Mentorship.objects.filter(pk=mentorship.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )


def digest_day(scheme, weekday):
    ReminderPlan.objects.update_or_create(
        scheme=scheme, defaults={"weekly_digest_weekday": weekday}
    )


def mine(notifications):
    """(kind, e-mail, about) of each: which scheme each coordinator heard about."""
    return sorted((n.kind, n.recipient.email, n.about) for n in notifications)


def about(scheme):
    return f"schemes.scheme:{scheme.pk}"


# when -------------------------------------------------------------------------------------------
def test_nothing_goes_on_other_weekdays(scene):
    assert run(JOB, "2026-12-06T12:55") == []  # Sunday
    assert run(JOB, "2026-12-08T12:55") == []  # Tuesday


def test_nothing_goes_before_the_schemes_send_hour(scene):
    assert run(JOB, f"{MONDAY}T08:55") == []


def test_on_the_day_each_coordinator_of_the_scheme_gets_one_and_no_one_else(scene):
    digest_day(scene.far_scheme, 2)  # the far ICB's digest goes on Wednesdays

    got = run(JOB, f"{MONDAY}T09:55")

    assert mine(got) == [
        (KIND, "coord@example.nhs.uk", about(scene.scheme)),
        (KIND, "second@example.nhs.uk", about(scene.scheme)),
    ]
    assert {n.period for n in got} == {"2026-W50"}


def test_each_ics_coordinator_hears_only_about_their_own_scheme(scene):
    got = run(JOB, f"{MONDAY}T09:55")

    assert mine(got) == [
        (KIND, "coord@example.nhs.uk", about(scene.scheme)),
        (KIND, "far@example.nhs.uk", about(scene.far_scheme)),
        (KIND, "second@example.nhs.uk", about(scene.scheme)),
    ]


def test_the_digest_goes_on_the_weekday_the_scheme_chose(scene):
    digest_day(scene.scheme, 3)  # Thursday

    assert sent(run(JOB, f"{MONDAY}T09:55", scheme=scene.scheme.slug)) == []
    assert sent(run(JOB, "2026-12-10T09:55", scheme=scene.scheme.slug)) == [
        (KIND, "coord@example.nhs.uk"),
        (KIND, "second@example.nhs.uk"),
    ]


def test_it_is_not_sent_twice_in_a_week_and_goes_again_the_next(scene):
    assert len(run(JOB, f"{MONDAY}T09:55", scheme=scene.scheme.slug)) == 2

    assert run(JOB, f"{MONDAY}T09:55", scheme=scene.scheme.slug) == []
    assert run(JOB, f"{MONDAY}T16:55", scheme=scene.scheme.slug) == []
    digest_day(scene.scheme, 4)  # moved to Friday the same week: still once
    assert run(JOB, "2026-12-11T09:55", scheme=scene.scheme.slug) == []

    digest_day(scene.scheme, 0)
    again = run(JOB, "2026-12-14T09:55", scheme=scene.scheme.slug)
    assert sent(again) == [(KIND, "coord@example.nhs.uk"), (KIND, "second@example.nhs.uk")]
    assert {n.period for n in again} == {"2026-W51"}


def test_a_scheme_that_has_ended_gets_no_digest(scene):
    scene.scheme.ends_on = datetime.date(2026, 11, 30)
    scene.scheme.save()

    assert run(JOB, f"{MONDAY}T09:55", scheme=scene.scheme.slug) == []


# what it says -----------------------------------------------------------------------------------
@pytest.fixture
def figures(scene):
    """Never met (30 days), overdue (60 days since the last session), on track, ended 5 days
    ago; Wendy waiting 30 days, Pat paused; Rita with room for 3, Fay full, Paul paused."""
    nora, owen, tom, eric = (
        scene.mentor(n) for n in ("Nora Mentor", "Owen Mentor", "Tom Mentor", "Eric Mentor")
    )
    never = scene.pair(nora, scene.mentee("Nina Never"))
    proposed_days_ago(never, 30)
    overdue = scene.pair(owen, scene.mentee("Olive Overdue"))
    scene.held(overdue, owen, starts_at=days_ago(60))
    on_track = scene.pair(tom, scene.mentee("Tina Ontrack"))
    scene.held(on_track, tom, starts_at=days_ago(7))
    ended = scene.pair(eric, scene.mentee("Edna Ended"))
    matching.end_mentorship(
        mentorship=ended,
        reason="coordinator",
        by=None,
        on_date=timezone.localdate() - datetime.timedelta(days=5),
        offer_next=False,
    )
    wendy = scene.mentee("Wendy Waiting")
    Enrolment.objects.filter(pk=wendy.pk).update(joined_on=datetime.date(2026, 11, 7))
    pat = scene.mentee("Pat Paused")
    paul = scene.mentor("Paul Paused", capacity=3)
    Enrolment.objects.filter(pk__in=[pat.pk, paul.pk]).update(
        status="paused", paused_on=datetime.date(2026, 11, 1)
    )
    scene.mentor("Rita Room", capacity=3)
    fay = scene.mentor("Fay Full", capacity=1)
    scene.pair(fay, scene.mentee("Fred Full"))
    # Another ICS's pairs and mentees never show in this scheme's figures.
    MenteeEnrolmentFactory(scheme=scene.far_scheme, person__user__last_name="Faraway")
    return scene


def test_the_digest_counts_and_names_what_needs_following_up(figures):
    [notification, _] = run(JOB, f"{MONDAY}T09:55", scheme=figures.scheme.slug)

    context = notification.context
    assert context["scheme"] == figures.scheme.name
    assert context["week"] == "2026-W50" and context["week_of"] == "7 December 2026"
    assert context["never_met_count"] == 2  # Nina, and Fred (proposed just now)
    assert context["never_met"] == [
        "Nora Mentor with Nina Never: proposed 30 days ago",
        "Fay Full with Fred Full: proposed today",
    ]
    assert context["overdue_count"] == 1
    assert context["overdue"] == ["Owen Mentor with Olive Overdue: 32 days overdue"]
    assert context["waiting_count"] == 2
    assert context["waiting"] == ["Wendy Waiting: waiting 30 days", "Edna Ended: waiting 5 days"]
    assert context["with_room_count"] == 5
    assert context["with_room"] == [
        "Rita Room: room for 3",
        "Eric Mentor: room for 2",
        "Nora Mentor: room for 1",
        "Owen Mentor: room for 1",
        "Tom Mentor: room for 1",
    ]
    assert notification.summary == (
        "2 never met, 1 overdue, 2 waiting for a mentor, 5 mentors with room."
    )


def test_the_email_lists_the_figures_and_links_to_the_pairs_to_follow_up(
    figures, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        run(JOB, f"{MONDAY}T09:55", scheme=figures.scheme.slug)

    [email] = [m for m in mail.outbox if m.to == ["coord@example.nhs.uk"]]
    assert email.subject == f"{figures.scheme.name}: your weekly summary, week of 7 December 2026"
    assert f"{reverse(FOLLOW_UP)}?scheme={figures.scheme.pk}" in email.body
    html = email.alternatives[0][0]
    assert f"{reverse(FOLLOW_UP)}?scheme={figures.scheme.pk}" in html
    for text in (
        "Pairs who have never met: 2",
        "Nora Mentor with Nina Never: proposed 30 days ago",
        "Pairs overdue for a session: 1",
        "Owen Mentor with Olive Overdue: 32 days overdue",
        "Mentees waiting for a mentor: 2",
        "Wendy Waiting: waiting 30 days",
        "Mentors with room for more mentees: 5",
        "Rita Room: room for 3",
    ):
        assert text in email.body and text in html
    assert "Nothing needs following up" not in email.body
    assert "Faraway" not in email.body and "Tina Ontrack" not in email.body


def test_a_quiet_week_still_sends_the_digest_and_says_nothing_needs_following_up(
    scene, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        got = run(JOB, f"{MONDAY}T09:55", scheme=scene.scheme.slug)

    assert len(got) == 2
    assert got[0].context["never_met_count"] == got[0].context["waiting_count"] == 0
    [email] = [m for m in mail.outbox if m.to == ["coord@example.nhs.uk"]]
    assert "Nothing needs following up this week." in email.body
    assert "Nothing needs following up this week." in email.alternatives[0][0]


# queries ----------------------------------------------------------------------------------------
def _grow(scene, n, start):
    """``n`` more of each: pairs never met, overdue pairs, waiting mentees, mentors with room."""
    for i in range(start, start + n):
        never_mentor = scene.mentor(f"Nate{i} Mentor")
        scene.pair(never_mentor, scene.mentee(f"Nell{i} Never"))
        late_mentor = scene.mentor(f"Lou{i} Mentor")
        late = scene.pair(late_mentor, scene.mentee(f"Lara{i} Late"))
        scene.held(late, late_mentor, starts_at=days_ago(60))
        scene.mentee(f"Walt{i} Waiting")


def _queries(at):
    with CaptureQueriesContext(connection) as captured:
        found = list(JOBS[JOB].find(at, None))
    return len(captured), found


def test_the_finder_makes_the_same_few_queries_however_many_rows(
    scene, django_assert_max_num_queries
):
    at = london(f"{MONDAY}T09:55")
    _grow(scene, 2, 0)
    few, _ = _queries(at)
    _grow(scene, 4, 2)

    # schemes; then per scheme: coordinators, mentorships and members, the waiting list
    # (count, names), mentors with room (count, names).
    with django_assert_max_num_queries(1 + 2 * 7):
        found = list(JOBS[JOB].find(at, None))
    many, _ = _queries(at)

    assert many == few
    context = next(r.context for r in found if r.scheme == scene.scheme)
    assert context["never_met_count"] == context["overdue_count"] == 6
    assert context["waiting_count"] == 6
    assert len(context["overdue"]) == len(context["waiting"]) == 6


def test_the_email_says_how_many_more_there_are_beyond_the_ten_named(
    scene, django_capture_on_commit_callbacks
):
    for i in range(12):
        scene.mentee(f"Walt{i} Waiting")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        run(JOB, f"{MONDAY}T09:55", scheme=scene.scheme.slug)

    [email] = [m for m in mail.outbox if m.to == ["coord@example.nhs.uk"]]
    assert "Mentees waiting for a mentor: 12" in email.body
    assert email.body.count("Waiting: waiting") == weekly_digest.MOST_NAMES
    assert "and 2 more" in email.body
