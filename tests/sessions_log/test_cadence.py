"""When the next session is due — every N weeks, N a year, at least N in the programme; the
cohort's cadence over the scheme's — and the coordinators' list of pairs overdue or that have
never met, in a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import services as matching
from matching.models import Mentorship
from schemes.models import Scheme
from sessions_log import cadence
from tests.auth import sign_in
from tests.factories import IcbFactory, coordinator_of
from tests.schemes.factories import (
    CohortFactory,
    MenteeEnrolmentFactory,
    MentorEnrolmentFactory,
    SchemeFactory,
)
from tests.sessions_log.sessions_scene import SessionScene, days_ago

pytestmark = pytest.mark.django_db

FOLLOW_UP = "admin:sessions_log_mentoringsession_follow_up"
NO_CADENCE = {
    "meet_every_weeks": None,
    "session_minutes": None,
    "sessions_per_year_min": None,
    "sessions_per_year_max": None,
    "min_sessions_in_programme": None,
}


def today():
    return timezone.localdate()


def proposed_days_ago(mentorship, days):
    Mentorship.objects.filter(pk=mentorship.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )


# the rules --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "months", "days", "needed"),
    [
        ({"meet_every_weeks": 4}, None, 28, None),
        ({"sessions_per_year_min": 2, "sessions_per_year_max": 4}, 12, 182, None),
        ({"sessions_per_year_min": 4}, None, 91, None),
        ({"min_sessions_in_programme": 2}, 3, 46, 2),
        ({"min_sessions_in_programme": 3}, None, 122, 3),
        ({}, 12, None, None),
    ],
)
def test_each_way_of_saying_a_cadence_gives_the_interval_between_sessions(
    fields, months, days, needed
):
    rule = cadence.rule_for(Scheme(**{**NO_CADENCE, **fields}), months)

    if days is None:
        assert rule is None
    else:
        assert (rule.every_days, rule.sessions_needed) == (days, needed)


# one mentorship ---------------------------------------------------------------------------------
@pytest.fixture
def scene():
    return SessionScene()  # every 4 weeks, 60 minutes


def test_the_next_session_is_due_n_weeks_after_the_last_one_held(scene):
    mona = scene.mentor("Mona Mentor")
    pair = scene.pair(mona, scene.mentee("Enid Mentee"))
    scene.held(pair, mona, starts_at=days_ago(40))
    last = scene.held(pair, mona, starts_at=days_ago(10))
    scene.plan(pair, mona, starts_at=days_ago(2))  # planned, not held: does not count

    due = cadence.next_due_for(pair)

    assert due.last_met == timezone.localdate(last.starts_at)
    assert due.next_due == due.last_met + datetime.timedelta(weeks=4)
    assert not due.overdue and not due.never_met and due.held == 2


def test_a_pair_that_never_met_is_due_n_weeks_after_it_was_proposed(scene):
    pair = scene.pair(scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee"))
    proposed_days_ago(pair, 30)

    due = cadence.next_due_for(pair)

    assert due.never_met and due.overdue
    assert due.next_due == today() - datetime.timedelta(days=2)
    assert due.days_overdue == 2


def test_the_cohorts_cadence_overrides_the_schemes(scene):
    fellows = CohortFactory(scheme=scene.scheme, meet_every_weeks=2)
    mona = scene.mentor("Mona Mentor")
    pair = scene.pair(mona, scene.mentee("Enid Mentee", cohort=fellows))
    scene.held(pair, mona, starts_at=days_ago(15))

    due = cadence.next_due_for(pair)

    assert due.rule.every_days == 14
    assert due.overdue


def test_once_the_programmes_sessions_are_held_nothing_more_is_due():
    scene = SessionScene(
        **{**NO_CADENCE, "min_sessions_in_programme": 2, "planned_mentorship_months": 3}
    )
    mona = scene.mentor("Mona Mentor")
    pair = scene.pair(mona, scene.mentee("Enid Mentee"))
    scene.held(pair, mona, starts_at=days_ago(200))
    assert cadence.next_due_for(pair).overdue

    scene.held(pair, mona, starts_at=days_ago(150))

    assert cadence.next_due_for(pair).next_due is None


def test_a_first_meeting_recorded_by_a_coordinator_counts_as_meeting(scene):
    mentor, mentee = scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee")
    pair = scene.pair(mentor, mentee)
    matching.record_meeting(
        mentorship=pair,
        held_on=today() - datetime.timedelta(days=3),
        attended=[mentor, mentee],
        by=None,
    )

    due = cadence.next_due_for(pair)

    assert not due.never_met and not due.overdue


# the coordinators' list -------------------------------------------------------------------------
NAMES = {
    "never": ("Nora Mentor", "Nina Never"),
    "overdue": ("Owen Mentor", "Olive Overdue"),
    "ontrack": ("Tom Mentor", "Tina Ontrack"),
    "ended": ("Eric Mentor", "Edna Ended"),
}


@pytest.fixture
def pairs(scene):
    """Four pairs — never met, overdue, on track, ended — and one on another ICS's scheme."""
    made = {}
    for name, (mentor_name, mentee_name) in NAMES.items():
        mentor = scene.mentor(mentor_name)
        made[name] = (scene.pair(mentor, scene.mentee(mentee_name)), mentor)
    proposed_days_ago(made["never"][0], 3)
    scene.held(made["overdue"][0], made["overdue"][1], starts_at=days_ago(60))
    scene.held(made["ontrack"][0], made["ontrack"][1], starts_at=days_ago(7))
    matching.end_mentorship(
        mentorship=made["ended"][0], reason="coordinator", by=None, offer_next=False
    )
    far_scheme = SchemeFactory(owner=IcbFactory(name="NHS Far ICB"))
    far = matching.create_mentorship(
        mentors=[MentorEnrolmentFactory(scheme=far_scheme, person__user__last_name="Faraway")],
        mentees=[MenteeEnrolmentFactory(scheme=far_scheme, person__user__last_name="Faraway")],
        source="manual",
        by=None,
    )
    return {name: m for name, (m, _) in made.items()} | {"elsewhere": far}


def test_the_follow_up_list_has_pairs_never_met_then_overdue(scene, pairs):
    rows = cadence.follow_up(Mentorship.objects.filter(scheme=scene.scheme))

    assert [r.mentorship for r in rows] == [pairs["never"], pairs["overdue"]]
    assert rows[0].never_met and not rows[0].overdue
    assert rows[1].overdue and rows[1].days_overdue == 60 - 28


def test_the_coordinator_sees_their_pairs_to_follow_up_in_the_admin(client, scene, pairs):
    sign_in(client, scene.coordinator)

    page = client.get(reverse(FOLLOW_UP))

    assert page.status_code == 200
    assert "Nina Never" in page.text and "Olive Overdue" in page.text
    assert "Tina Ontrack" not in page.text
    assert "Edna Ended" not in page.text
    assert "Faraway" not in page.text
    assert "every 4 weeks" in page.text


def test_a_coordinator_of_another_ics_sees_none_of_them(client, pairs):
    sign_in(client, coordinator_of(IcbFactory()))

    page = client.get(reverse(FOLLOW_UP))

    assert "Nina Never" not in page.text and "Olive Overdue" not in page.text


def test_finance_cannot_open_the_follow_up_list(client, scene):
    sign_in(client, scene.finance)

    assert client.get(reverse(FOLLOW_UP)).status_code == 403


def test_the_follow_up_list_takes_a_fixed_number_of_queries(
    client, scene, django_assert_max_num_queries
):
    def add(count, start):
        cohort = CohortFactory(scheme=scene.scheme, meet_every_weeks=2)
        for n in range(start, start + count):
            mentor = scene.mentor(f"Mentor{n} Smith")
            pair = scene.pair(mentor, scene.mentee(f"Mentee{n} Jones", cohort=cohort))
            if n % 2:
                scene.held(pair, mentor, starts_at=days_ago(60 + n))

    add(2, 0)
    sign_in(client, scene.coordinator)
    with django_assert_max_num_queries(25) as few:
        client.get(reverse(FOLLOW_UP))
    add(10, 2)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse(FOLLOW_UP))

    assert page.text.count("Jones") == 12
