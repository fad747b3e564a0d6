"""The session pages as mentors and mentees use them: planning with clear errors for bad input,
logging (never held in the future), the shared session record, actions carried forward, private
notes only their author sees, locked sessions refused with a message, the calendar download."""

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Mentorship
from sessions_log import services
from sessions_log.models import FormResponse, MentoringSession, SessionStatus
from tests.auth import sign_in
from tests.sessions_log.sessions_scene import SessionScene, days_ago, days_ahead

pytestmark = pytest.mark.django_db

NOTE = "Worried she is close to burnout; raise gently next time."


@pytest.fixture
def scene():
    return SessionScene()


@pytest.fixture
def mona(scene):
    return scene.mentor("Mona Mentor")


@pytest.fixture
def enid(scene):
    return scene.mentee("Enid Mentee")


@pytest.fixture
def pair(scene, mona, enid):
    return scene.pair(mona, enid)


def as_user(client, enrolment):
    sign_in(client, enrolment.person.user)
    return client


def session_data(when, **overrides):
    local = timezone.localtime(when)
    return {
        "date_day": str(local.day),
        "date_month": str(local.month),
        "date_year": str(local.year),
        "time": local.strftime("%H:%M"),
        "duration_minutes": "60",
        "mode": "video",
        "location": "https://meet.example.nhs.uk/mona",
        **overrides,
    }


# planning ---------------------------------------------------------------------------------------
def test_a_mentor_plans_a_session_from_the_page(client, mona, pair):
    when = days_ahead(5, 14)

    response = as_user(client, mona).post(
        reverse("session_plan", args=[pair.pk]), session_data(when), follow=True
    )

    session = MentoringSession.objects.get()
    assert session.starts_at == when and session.duration_minutes == 60
    assert response.redirect_chain[-1][0] == reverse("session_detail", args=[session.pk])
    assert "Session planned. We have emailed Enid Mentee with a calendar file." in response.text


@pytest.mark.parametrize("minutes", ["0", "481"])
def test_a_length_outside_1_to_480_minutes_is_refused_by_the_field(client, mona, pair, minutes):
    response = as_user(client, mona).post(
        reverse("session_plan", args=[pair.pk]),
        session_data(days_ahead(5), duration_minutes=minutes),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["duration_minutes"] == [
        "Enter a length from 1 to 480 minutes."
    ]
    assert 'href="#id_duration_minutes"' in response.text
    assert "<title>Error: " in response.text
    assert not MentoringSession.objects.exists()


def test_a_plan_with_no_date_or_time_says_what_is_missing(client, mona, pair):
    response = as_user(client, mona).post(
        reverse("session_plan", args=[pair.pk]), {"duration_minutes": "60"}
    )

    errors = response.context["form"].errors
    assert errors["date"] == ["Enter the date of the session"]
    assert errors["time"] == ["Enter the start time"]
    assert errors["mode"] == ["Choose how you will meet"]
    assert not MentoringSession.objects.exists()


def test_a_group_mentor_chooses_who_the_session_is_with(client, scene):
    mentor = scene.mentor("Gail Group", capacity=3)
    ann, ben = scene.mentee("Ann Mentee"), scene.mentee("Ben Mentee")
    group = scene.group(mentor, ann, ben)
    ben_member = group.members.get(enrolment=ben)

    as_user(client, mentor).post(
        reverse("session_plan", args=[group.pk]),
        session_data(days_ahead(3), with_whom=str(ben_member.pk)),
    )

    assert [a.member for a in MentoringSession.objects.get().attendance.all()] == [ben_member]


# logging ----------------------------------------------------------------------------------------
def test_logging_a_future_session_as_held_is_refused_with_a_message(client, scene, mona, pair):
    session = scene.plan(pair, mona, starts_at=days_ahead(2))

    response = as_user(client, mona).post(
        reverse("session_log", args=[session.pk]), {"outcome": "held"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["outcome"] == [
        "A session cannot be logged as held before it has started."
    ]
    session.refresh_from_db()
    pair.refresh_from_db()
    assert session.status == SessionStatus.PLANNED
    assert pair.status == Mentorship.Status.PROPOSED


def test_logging_a_session_as_held_activates_the_mentorship_and_opens_the_record(
    client, scene, mona, pair
):
    session = scene.plan(pair, mona, starts_at=days_ago(1))

    response = as_user(client, mona).post(
        reverse("session_log", args=[session.pk]), {"outcome": "held"}
    )

    assert response["Location"] == reverse("session_record", args=[session.pk])
    pair.refresh_from_db()
    assert pair.status == Mentorship.Status.ACTIVE


def test_group_attendance_is_logged_per_mentee(client, scene):
    mentor = scene.mentor("Gail Group", capacity=3)
    ann, ben = scene.mentee("Ann Mentee"), scene.mentee("Ben Mentee")
    group = scene.group(mentor, ann, ben)
    session = scene.plan(group, mentor, starts_at=days_ago(1))
    ann_member = group.members.get(enrolment=ann)

    as_user(client, mentor).post(
        reverse("session_log", args=[session.pk]),
        {"outcome": "held", "attended": [str(ann_member.pk)]},
    )

    assert dict(session.attendance.values_list("member__enrolment", "attended")) == {
        ann.pk: True,
        ben.pk: False,
    }


# the session record -----------------------------------------------------------------------------
def test_the_mentee_prepares_the_agenda_before_the_session(client, scene, mona, enid, pair):
    session = scene.plan(pair, mona, starts_at=days_ahead(2))
    client = as_user(client, enid)

    page = client.get(reverse("session_record", args=[session.pk]))
    assert "Save and mark as completed" not in page.text
    assert "Planned agenda" in page.text
    assert "Mentor&#x27;s reflection for the pair" not in page.text

    client.post(
        reverse("session_record", args=[session.pk]),
        {"planned_agenda": "Rota pressures; my first appraisal.", "draft": "1"},
    )

    record = FormResponse.objects.get(session=session)
    assert record.status == FormResponse.Status.DRAFT
    assert record.answers == {"planned_agenda": "Rota pressures; my first appraisal."}
    as_mentor = as_user(client, mona).get(reverse("session_detail", args=[session.pk]))
    assert "Rota pressures; my first appraisal." in as_mentor.text


def test_completing_the_record_needs_its_required_answers(client, scene, mona, pair):
    session = scene.held(pair, mona)

    response = as_user(client, mona).post(
        reverse("session_record", args=[session.pk]), {"since_last": "Settled in", "submit": "1"}
    )

    assert response.context["form"].errors["planned_agenda"] == ["Answer this question"]
    assert not FormResponse.objects.exists()

    as_user(client, mona).post(
        reverse("session_record", args=[session.pk]),
        {"planned_agenda": "Settling in", "since_last": "Settled in", "submit": "1"},
    )
    record = FormResponse.objects.get()
    assert record.status == FormResponse.Status.SUBMITTED
    assert record.last_edited_by == mona.person.user


# actions ----------------------------------------------------------------------------------------
def test_an_open_action_shows_on_the_next_session_until_marked_done(
    client, scene, mona, enid, pair
):
    first = scene.held(pair, mona, starts_at=days_ago(28))
    as_user(client, mona).post(
        reverse("session_action_new", args=[first.pk]),
        {
            "text": "Ask the practice manager about protected time",
            "owner": str(pair.members.get(role="mentee").pk),
        },
    )
    action = first.actions.get()
    second = scene.plan(pair, mona, starts_at=days_ahead(1))

    page = as_user(client, enid).get(reverse("session_detail", args=[second.pk]))
    assert "Open actions from earlier sessions" in page.text
    assert "Ask the practice manager about protected time" in page.text

    client.post(reverse("session_action_done", args=[action.pk]), {"back": str(second.pk)})

    page = client.get(reverse("session_detail", args=[second.pk]))
    assert "Ask the practice manager about protected time" not in page.text
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()


# private notes ----------------------------------------------------------------------------------
def test_private_notes_are_seen_by_their_author_only(client, scene, mona, enid, pair):
    session = scene.held(pair, mona)
    as_user(client, mona).post(reverse("session_private_note", args=[session.pk]), {"text": NOTE})

    as_mentor = client.get(reverse("session_detail", args=[session.pk]))
    as_mentee = as_user(client, enid).get(reverse("session_detail", args=[session.pk]))

    assert NOTE.replace("'", "&#x27;") in as_mentor.text
    assert "Your private notes" in as_mentor.text
    assert "burnout" not in as_mentee.text
    assert "private notes" not in as_mentee.text.lower()


# locking ----------------------------------------------------------------------------------------
@pytest.fixture
def locked(scene, mona, pair):
    session = scene.held(pair, mona, starts_at=days_ago(3))
    return services.lock_session(session=session, by=mona.person.user)


@pytest.mark.parametrize(
    "page",
    ["session_edit", "session_log", "session_record", "session_delete", "session_action_new"],
)
def test_a_locked_sessions_change_pages_send_the_mentor_back_saying_why(client, mona, locked, page):
    response = as_user(client, mona).get(reverse(page, args=[locked.pk]), follow=True)

    assert response.redirect_chain == [(reverse("session_detail", args=[locked.pk]), 302)]
    assert "This session is locked (locked by the mentor), so it cannot be changed" in (
        response.text
    )


def test_changing_a_locked_session_is_refused_and_nothing_changes(client, mona, locked):
    before = MentoringSession.objects.values().get(pk=locked.pk)

    response = as_user(client, mona).post(
        reverse("session_edit", args=[locked.pk]), session_data(days_ago(2), duration_minutes="90")
    )

    assert response.status_code == 200
    assert "cannot be changed or deleted" in response.text
    assert MentoringSession.objects.values().get(pk=locked.pk) == before


def test_deleting_a_locked_session_is_refused(client, mona, locked):
    response = as_user(client, mona).post(reverse("session_delete", args=[locked.pk]))

    assert "cannot be changed or deleted" in response.text
    assert MentoringSession.objects.filter(pk=locked.pk).exists()


def test_the_mentor_locks_and_unlocks_from_the_session_page(client, scene, mona, pair):
    session = scene.held(pair, mona)
    client = as_user(client, mona)

    client.post(reverse("session_lock", args=[session.pk]))
    session.refresh_from_db()
    assert session.is_locked
    assert "Unlock the session" in client.get(reverse("session_detail", args=[session.pk])).text

    client.post(reverse("session_unlock", args=[session.pk]))
    session.refresh_from_db()
    assert not session.is_locked


def test_a_planned_session_is_deleted_after_confirming(client, scene, mona, pair):
    session = scene.plan(pair, mona)
    client = as_user(client, mona)

    assert "Delete the session" in client.get(reverse("session_delete", args=[session.pk])).text
    response = client.post(reverse("session_delete", args=[session.pk]))

    assert response["Location"] == reverse("mentorship_sessions", args=[pair.pk])
    assert not MentoringSession.objects.exists()


# the calendar file and the sessions list --------------------------------------------------------
def test_a_member_downloads_the_calendar_file(client, scene, mona, enid, pair):
    session = scene.plan(pair, mona, starts_at=days_ahead(4, 9))

    response = as_user(client, enid).get(reverse("session_calendar", args=[session.pk]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mentoring-session-')
    assert b"BEGIN:VCALENDAR" in response.content


def test_the_mentorship_page_links_to_its_sessions(client, pair, mona):
    page = as_user(client, mona).get(reverse("mentorship_detail", args=[pair.pk]))

    assert reverse("mentorship_sessions", args=[pair.pk]) in page.text


def test_the_sessions_page_shows_what_is_due_and_lists_sessions_in_constant_queries(
    client, scene, mona, pair, django_assert_max_num_queries
):
    scene.held(pair, mona, starts_at=days_ago(40))
    client = as_user(client, mona)
    url = reverse("mentorship_sessions", args=[pair.pk])
    with django_assert_max_num_queries(30) as few:
        page = client.get(url)
    assert "A session was due by" in page.text
    for days in range(1, 12):
        scene.plan(pair, mona, starts_at=days_ahead(days))

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)

    assert page.text.count(reverse("session_detail", args=[0])[:-2]) >= 12


def test_a_group_session_with_one_mentee_is_not_seen_by_the_others(client, scene):
    mentor = scene.mentor("Gail Group", capacity=3)
    ann, ben = scene.mentee("Ann Mentee"), scene.mentee("Ben Mentee")
    group = scene.group(mentor, ann, ben)
    with_ben = scene.plan(group, mentor, mentees=[group.members.get(enrolment=ben)])
    everyone = scene.plan(group, mentor, starts_at=days_ahead(14))

    as_ann = as_user(client, ann)
    assert as_ann.get(reverse("session_detail", args=[with_ben.pk])).status_code == 404
    assert as_ann.get(reverse("session_detail", args=[everyone.pk])).status_code == 200
    listing = as_ann.get(reverse("mentorship_sessions", args=[group.pk]))
    assert reverse("session_detail", args=[with_ben.pk]) not in listing.text
    assert reverse("session_detail", args=[everyone.pk]) in listing.text
    response = as_ann.post(
        reverse("session_record", args=[with_ben.pk]), {"planned_agenda": "Mine", "draft": "1"}
    )
    assert response.status_code == 403
    assert (
        as_user(client, ben).get(reverse("session_detail", args=[with_ben.pk])).status_code == 200
    )
