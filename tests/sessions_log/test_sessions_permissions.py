"""Who may open and post to each session page: (who × page) → status, and nothing saved when
refused.

The members of a mentorship see its sessions; its mentor plans, changes, logs, deletes and locks
them, records actions and keeps private notes; either member writes the session record and
downloads the calendar file. Another mentor or mentee, a coordinator (who works in the admin) and
finance get a 404 for a page and a 403 for a post; anonymous visitors are sent to sign in.
"""

import pytest
from django.db import transaction
from django.urls import reverse

from sessions_log import services
from sessions_log.models import (
    Action,
    Attendance,
    FormResponse,
    MentoringSession,
    PrivateNote,
)
from tests.auth import sign_in
from tests.sessions_log.sessions_scene import SessionScene, days_ago

pytestmark = pytest.mark.django_db

WHO = (
    "anonymous",
    "member_mentor",
    "member_mentee",
    "other_mentor",
    "other_mentee",
    "coordinator",
    "finance",
)
OUTSIDERS = ("other_mentor", "other_mentee", "coordinator", "finance")

# page → expected GET status for each of WHO, in order
MEMBERS = (302, 200, 200, 404, 404, 404, 404)
MENTOR = (302, 200, 404, 404, 404, 404, 404)
GET_MATRIX = {
    "mentorship_sessions": MEMBERS,
    "session_plan": MENTOR,
    "session_detail": MEMBERS,
    "session_edit": MENTOR,
    "session_log": MENTOR,
    "session_record": MEMBERS,
    "session_action_new": MENTOR,
    "session_private_note": MENTOR,
    "session_delete": MENTOR,
    "session_calendar": MEMBERS,
}

# page → (the data posted, expected status for each of WHO); 302 for a member is success
MEMBERS_POST = (302, 302, 302, 403, 403, 403, 403)
MENTOR_POST = (302, 302, 403, 403, 403, 403, 403)
SESSION_DATA = {
    "date_day": "2",
    "date_month": "3",
    "date_year": "2025",
    "time": "14:00",
    "duration_minutes": "60",
    "mode": "phone",
    "location": "",
}
POST_MATRIX = {
    "session_plan": (SESSION_DATA, MENTOR_POST),
    "session_edit": (SESSION_DATA, MENTOR_POST),
    "session_log": ({"outcome": "held"}, MENTOR_POST),
    "session_record": ({"planned_agenda": "Changed agenda", "draft": "1"}, MEMBERS_POST),
    "session_action_new": ({"text": "Read the guidance", "owner": "mentee"}, MENTOR_POST),
    "session_private_note": ({"text": "Someone else's words"}, MENTOR_POST),
    "session_delete": ({}, MENTOR_POST),
    "session_lock": ({}, MENTOR_POST),
    "session_unlock": ({}, MENTOR_POST),
    "session_action_done": ({}, MEMBERS_POST),
}
POST_ONLY = ("session_lock", "session_unlock", "session_action_done")


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    """The cast, made once for the module's many tests; each test's changes are rolled back."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield make_cast()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def make_cast():
    """A one-to-one mentorship with a planned session from yesterday (to log, change or delete),
    a held one and a held, locked one with an action owned by the mentee; a mentor and a mentee of the same
    scheme outside it, the scheme's coordinator and finance."""
    scene = SessionScene()
    mentor, mentee = scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee")
    mentorship = scene.pair(mentor, mentee)
    held = scene.held(mentorship, mentor, starts_at=days_ago(14))
    action = services.add_action(
        session=held,
        by=mentor.person.user,
        text="Book the appraisal",
        owner=mentorship.members.get(role="mentee"),
    )
    services.lock_session(session=held, by=mentor.person.user)
    unlocked = scene.held(mentorship, mentor, starts_at=days_ago(7))
    planned = scene.plan(mentorship, mentor, starts_at=days_ago(1))
    return {
        "scene": scene,
        "mentorship": mentorship,
        "planned": planned,
        "held": held,
        "unlocked": unlocked,
        "action": action,
        "users": {
            "anonymous": None,
            "member_mentor": mentor.person.user,
            "member_mentee": mentee.person.user,
            "other_mentor": scene.mentor("Olga Other").person.user,
            "other_mentee": scene.mentee("Otto Other").person.user,
            "coordinator": scene.coordinator,
            "finance": scene.finance,
        },
    }


def url_of(page: str, cast) -> str:
    if page in ("mentorship_sessions", "session_plan"):
        return reverse(page, args=[cast["mentorship"].pk])
    if page == "session_action_done":
        return reverse(page, args=[cast["action"].pk])
    if page == "session_lock":
        return reverse(page, args=[cast["unlocked"].pk])
    if page == "session_unlock":
        return reverse(page, args=[cast["held"].pk])
    return reverse(page, args=[cast["planned"].pk])


def snapshot():
    return (
        list(MentoringSession.objects.order_by("pk").values()),
        list(Attendance.objects.order_by("pk").values()),
        list(Action.objects.order_by("pk").values()),
        list(PrivateNote.objects.order_by("pk").values()),
        list(FormResponse.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize(
    ("page", "who", "status"),
    [
        (page, who, status)
        for page, statuses in GET_MATRIX.items()
        for who, status in zip(WHO, statuses, strict=True)
    ],
)
def test_who_may_open_each_session_page(client, cast, page, who, status):
    user = cast["users"][who]
    if user is not None:
        sign_in(client, user)

    response = client.get(url_of(page, cast))

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize(
    ("page", "who", "status"),
    [
        (page, who, status)
        for page, (_, statuses) in POST_MATRIX.items()
        for who, status in zip(WHO, statuses, strict=True)
    ],
)
def test_who_may_post_to_each_session_page_and_a_refusal_saves_nothing(
    client, cast, page, who, status
):
    user = cast["users"][who]
    if user is not None:
        sign_in(client, user)
    data = dict(POST_MATRIX[page][0])
    if data.get("owner") == "mentee":
        data["owner"] = str(cast["mentorship"].members.get(role="mentee").pk)
    before = snapshot()

    response = client.post(url_of(page, cast), data)

    assert response.status_code == status, response.content[:500]
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if status != 302 or who == "anonymous":
        assert snapshot() == before
    else:
        assert snapshot() != before


@pytest.mark.parametrize("page", POST_ONLY)
def test_post_only_pages_refuse_a_get(client, cast, page):
    sign_in(client, cast["users"]["member_mentor"])

    assert client.get(url_of(page, cast)).status_code == 405
