"""The session services: planning, logging (activation on the first held session), the bad
inputs, group attendance, actions carried forward, the shared session record, private notes,
locking and deleting — each refusal with its code, and nothing saved."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from matching.models import Mentorship
from mentoring.models import Notification
from mentoring.notifications import render
from sessions_log import services
from sessions_log.errors_sessions import SessionError, SessionRefusal
from sessions_log.models import (
    Action,
    Attendance,
    FormResponse,
    MentoringSession,
    PrivateNote,
    SessionStatus,
)
from tests.sessions_log.sessions_scene import SessionScene, days_ago, days_ahead

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return SessionScene()


@pytest.fixture
def mona(scene):
    return scene.mentor("Mona Mentor", capacity=3)


@pytest.fixture
def enid(scene):
    return scene.mentee("Enid Mentee")


@pytest.fixture
def pair(scene, mona, enid):
    return scene.pair(mona, enid)


def refused(code, call, **kwargs):
    with pytest.raises(SessionError) as caught:
        call(**kwargs)
    assert caught.value.code == code
    return caught.value


def snapshot():
    return (
        list(MentoringSession.objects.order_by("pk").values()),
        list(Attendance.objects.order_by("pk").values()),
        list(Action.objects.order_by("pk").values()),
        list(PrivateNote.objects.order_by("pk").values()),
        list(FormResponse.objects.order_by("pk").values()),
        list(Mentorship.objects.order_by("pk").values("status", "started_on")),
    )


# planning ---------------------------------------------------------------------------------------
def test_a_mentor_plans_a_session_with_their_mentee_who_is_emailed_a_calendar_file(
    scene, mona, enid, pair, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session = scene.plan(pair, mona, starts_at=days_ahead(3, 14), minutes=60)

    assert session.status == SessionStatus.PLANNED
    assert [a.member.enrolment for a in session.attendance.all()] == [enid]
    assert not session.attendance.get().attended
    [email] = [m for m in mail.outbox if enid.person.user.email in m.to]
    assert email.subject.startswith("Mentoring session on ")
    [(filename, content, mimetype)] = email.attachments
    assert filename.endswith(".ics") and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content
    assert not [m for m in mail.outbox if mona.person.user.email in m.to]


@pytest.mark.parametrize("minutes", [1, 480])
def test_a_session_may_last_from_one_to_480_minutes(scene, mona, pair, minutes):
    assert scene.plan(pair, mona, minutes=minutes).duration_minutes == minutes


@pytest.mark.parametrize("minutes", [0, 481, -5])
def test_a_session_of_0_or_481_minutes_is_refused_and_nothing_saved(scene, mona, pair, minutes):
    before = snapshot()

    error = refused(
        SessionRefusal.DURATION, scene.plan, mentorship=pair, mentor=mona, minutes=minutes
    )

    assert error.field == "duration_minutes"
    assert snapshot() == before


def test_a_mentee_cannot_plan_a_session(scene, enid, pair):
    before = snapshot()

    refused(SessionRefusal.MENTOR_ONLY, scene.plan, mentorship=pair, mentor=enid)

    assert snapshot() == before


def test_someone_outside_the_mentorship_cannot_plan_a_session(scene, pair):
    outsider = scene.mentor("Olga Other")
    before = snapshot()

    refused(SessionRefusal.NOT_A_MEMBER, scene.plan, mentorship=pair, mentor=outsider)

    assert snapshot() == before


def test_an_ended_mentorship_takes_no_new_sessions(scene, mona, pair):
    from matching import services as matching

    matching.end_mentorship(mentorship=pair, reason="coordinator", by=None, offer_next=False)

    refused(SessionRefusal.MENTORSHIP_ENDED, scene.plan, mentorship=pair, mentor=mona)


# logging and activation -------------------------------------------------------------------------
def test_the_first_held_session_activates_the_mentorship_and_asks_both_for_the_agreement(
    scene, mona, enid, pair
):
    session = scene.plan(pair, mona, starts_at=days_ago(2))

    services.log_session(session=session, by=mona.person.user, outcome="held")

    pair.refresh_from_db()
    assert pair.status == Mentorship.Status.ACTIVE
    assert pair.started_on == timezone.localdate(session.starts_at)
    assert set(pair.members.values_list("first_attended_on", flat=True)) == {pair.started_on}
    assert session.attendance.get().attended
    asked = Notification.objects.filter(kind="session_first_held").values_list(
        "recipient", flat=True
    )
    assert sorted(asked) == sorted([mona.person.user_id, enid.person.user_id])
    email = render(Notification.objects.filter(kind="session_first_held").first())
    assert reverse("form_response_new", args=[pair.pk, "agreement"]) in email.body


def test_a_later_held_session_does_not_ask_for_the_agreement_again(scene, mona, pair):
    scene.held(pair, mona, starts_at=days_ago(30))
    scene.held(pair, mona, starts_at=days_ago(2))

    assert Notification.objects.filter(kind="session_first_held").count() == 2
    pair.refresh_from_db()
    assert pair.started_on == timezone.localdate(days_ago(30))


def test_a_session_cannot_be_logged_as_held_before_it_starts(scene, mona, pair):
    session = scene.plan(pair, mona, starts_at=days_ahead(1))
    before = snapshot()

    error = refused(
        SessionRefusal.HELD_IN_FUTURE,
        services.log_session,
        session=session,
        by=mona.person.user,
        outcome="held",
    )

    assert "before it has started" in error.message
    assert snapshot() == before


def test_a_missed_or_cancelled_session_does_not_activate_the_mentorship(scene, mona, pair):
    for outcome in ("did_not_attend", "cancelled"):
        session = scene.plan(pair, mona, starts_at=days_ago(3))
        services.log_session(session=session, by=mona.person.user, outcome=outcome)
        assert not session.attendance.get().attended

    pair.refresh_from_db()
    assert pair.status == Mentorship.Status.PROPOSED
    assert not Notification.objects.filter(kind="session_first_held").exists()


def test_a_mentee_cannot_log_a_session(scene, mona, enid, pair):
    session = scene.plan(pair, mona, starts_at=days_ago(1))
    before = snapshot()

    refused(
        SessionRefusal.MENTOR_ONLY,
        services.log_session,
        session=session,
        by=enid.person.user,
        outcome="held",
    )

    assert snapshot() == before


def test_another_mentor_cannot_log_a_session_and_nothing_is_saved(scene, mona, pair):
    session = scene.plan(pair, mona, starts_at=days_ago(1))
    other = scene.mentor("Olga Other")
    before = snapshot()

    refused(
        SessionRefusal.NOT_A_MEMBER,
        services.log_session,
        session=session,
        by=other.person.user,
        outcome="held",
    )

    assert snapshot() == before


# groups -----------------------------------------------------------------------------------------
def test_a_group_session_records_who_attended(scene, mona):
    mentees = [scene.mentee(f"{name} Mentee") for name in ("Ann", "Ben", "Cat")]
    group = scene.group(mona, *mentees)
    session = scene.plan(group, mona, starts_at=days_ago(1))
    members = {a.member.enrolment_id: a.member for a in session.attendance.all()}
    assert set(members) == {m.pk for m in mentees}

    services.log_session(
        session=session,
        by=mona.person.user,
        outcome="held",
        attended=[members[mentees[0].pk], members[mentees[2].pk]],
    )

    attended = dict(session.attendance.values_list("member__enrolment_id", "attended"))
    assert attended == {mentees[0].pk: True, mentees[1].pk: False, mentees[2].pk: True}
    group.refresh_from_db()
    assert group.status == Mentorship.Status.ACTIVE
    first = dict(group.members.values_list("enrolment_id", "first_attended_on"))
    assert first[mentees[1].pk] is None and first[mentees[0].pk] == group.started_on


def test_a_group_session_may_be_with_one_mentee(scene, mona):
    mentees = [scene.mentee(f"{name} Mentee") for name in ("Ann", "Ben")]
    group = scene.group(mona, *mentees)
    ben = group.members.get(enrolment=mentees[1])

    session = scene.plan(group, mona, mentees=[ben])

    assert [a.member for a in session.attendance.all()] == [ben]


def test_a_held_group_session_needs_someone_to_have_attended(scene, mona):
    mentees = [scene.mentee(f"{name} Mentee") for name in ("Ann", "Ben")]
    group = scene.group(mona, *mentees)
    session = scene.plan(group, mona, starts_at=days_ago(1))
    before = snapshot()

    refused(
        SessionRefusal.NOBODY_ATTENDED,
        services.log_session,
        session=session,
        by=mona.person.user,
        outcome="held",
        attended=[],
    )

    assert snapshot() == before


# actions ----------------------------------------------------------------------------------------
def test_open_actions_carry_into_the_next_session_until_done(scene, mona, enid, pair):
    first = scene.held(pair, mona, starts_at=days_ago(30))
    enid_member = pair.members.get(role="mentee")
    action = services.add_action(
        session=first,
        by=mona.person.user,
        text="Book a day with the practice manager",
        owner=enid_member,
        due_on=timezone.localdate(),
    )
    second = scene.plan(pair, mona, starts_at=days_ahead(1))

    def carried_into(session):
        return list(
            Action.objects.filter(
                session__mentorship=session.mentorship,
                session__starts_at__lt=session.starts_at,
                done_on__isnull=True,
            )
        )

    assert carried_into(second) == [action]

    services.complete_action(action=action, by=enid.person.user)

    assert carried_into(second) == []
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()


def test_only_the_owner_or_the_mentor_marks_an_action_done(scene, mona, enid, pair):
    session = scene.held(pair, mona)
    mine = services.add_action(
        session=session,
        by=mona.person.user,
        text="Send the appraisal guidance",
        owner=pair.members.get(role="mentor"),
    )

    refused(SessionRefusal.OWNER, services.complete_action, action=mine, by=enid.person.user)
    services.complete_action(action=mine, by=mona.person.user)


def test_an_action_needs_an_owner_in_the_mentorship(scene, mona, pair):
    session = scene.held(pair, mona)
    stranger = scene.pair(scene.mentor("Olga Other"), scene.mentee("Otto Other"))

    refused(
        SessionRefusal.OWNER,
        services.add_action,
        session=session,
        by=mona.person.user,
        text="Something",
        owner=stranger.members.get(role="mentee"),
    )
    assert not Action.objects.exists()


# the session record -----------------------------------------------------------------------------
def test_both_members_write_the_one_shared_session_record(scene, mona, enid, pair):
    session = scene.plan(pair, mona, starts_at=days_ago(1))

    services.save_session_record(
        session=session, by=enid.person.user, answers={"planned_agenda": "My first month."}
    )
    services.log_session(session=session, by=mona.person.user, outcome="held")
    record = services.save_session_record(
        session=session,
        by=mona.person.user,
        answers={"planned_agenda": "My first month.", "mentor_reflection": "Good start."},
        submit=True,
    )

    assert FormResponse.objects.filter(session=session).count() == 1
    assert record.author == enid.person
    assert record.last_edited_by == mona.person.user
    assert record.status == FormResponse.Status.SUBMITTED and record.submitted_at
    assert record.template == scene.record_template


def test_a_mentees_edit_keeps_the_answers_to_the_mentors_questions(scene, mona, enid, pair):
    session = scene.held(pair, mona)
    services.save_session_record(
        session=session,
        by=mona.person.user,
        answers={"planned_agenda": "Agenda", "mentor_reflection": "For us both."},
    )

    record = services.save_session_record(
        session=session, by=enid.person.user, answers={"planned_agenda": "Agenda, revised"}
    )

    assert record.answers == {
        "planned_agenda": "Agenda, revised",
        "mentor_reflection": "For us both.",
    }


def test_the_record_is_completed_only_once_the_session_is_held(scene, mona, enid, pair):
    session = scene.plan(pair, mona)

    refused(
        SessionRefusal.NOT_HELD,
        services.save_session_record,
        session=session,
        by=enid.person.user,
        answers={"planned_agenda": "x"},
        submit=True,
    )
    assert not FormResponse.objects.exists()


def test_an_outsider_cannot_write_the_session_record(scene, mona, pair):
    session = scene.plan(pair, mona)
    other = scene.mentee("Otto Other")

    refused(
        SessionRefusal.NOT_A_MEMBER,
        services.save_session_record,
        session=session,
        by=other.person.user,
        answers={"planned_agenda": "x"},
    )
    assert not FormResponse.objects.exists()


# private notes ----------------------------------------------------------------------------------
def test_a_mentor_keeps_private_notes_and_an_empty_note_deletes_them(scene, mona, pair):
    session = scene.held(pair, mona)

    note = services.save_private_note(session=session, by=mona.person.user, text="Seems tired.")
    assert note.author == mona.person and note.text == "Seems tired."

    assert services.save_private_note(session=session, by=mona.person.user, text="  ") is None
    assert not PrivateNote.objects.exists()


def test_a_mentee_cannot_keep_private_notes_on_a_session(scene, mona, enid, pair):
    session = scene.held(pair, mona)

    refused(
        SessionRefusal.MENTOR_ONLY,
        services.save_private_note,
        session=session,
        by=enid.person.user,
        text="x",
    )


# locking and deleting ---------------------------------------------------------------------------
@pytest.fixture
def locked(scene, mona, pair):
    session = scene.held(pair, mona)
    return services.lock_session(session=session, by=mona.person.user)


def test_a_mentor_locks_a_held_session(locked):
    assert locked.is_locked and locked.locked_reason == services.MENTOR_LOCK


def test_only_a_held_session_can_be_locked(scene, mona, pair):
    session = scene.plan(pair, mona)

    refused(SessionRefusal.NOT_HELD, services.lock_session, session=session, by=mona.person.user)


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        (
            services.update_session,
            {
                "starts_at": days_ago(3),
                "duration_minutes": 90,
                "mode": "phone",
                "location": "",
            },
        ),
        (services.log_session, {"outcome": "cancelled"}),
        (services.delete_session, {}),
        (services.save_session_record, {"answers": {"planned_agenda": "Changed"}}),
        (services.add_action, {"text": "New", "owner": None}),
    ],
    ids=["change", "log", "delete", "record", "action"],
)
def test_a_locked_session_cannot_be_changed_or_deleted(locked, mona, call, kwargs):
    before = snapshot()

    error = refused(SessionRefusal.LOCKED, call, session=locked, by=mona.person.user, **kwargs)

    assert "locked" in error.message and "cannot be changed or deleted" in error.message
    assert snapshot() == before


def test_the_mentor_unlocks_their_own_lock(locked, mona):
    assert not services.unlock_session(session=locked, by=mona.person.user).is_locked


def test_a_mentor_cannot_lift_a_lock_set_for_a_claim(scene, mona, pair):
    session = scene.held(pair, mona)
    services.lock_session(session=session, by=None, reason="A claim rests on it")

    refused(
        SessionRefusal.LOCKED_BY_CLAIM,
        services.unlock_session,
        session=session,
        by=mona.person.user,
    )
    session.refresh_from_db()
    assert session.is_locked
    assert not services.unlock_session(session=session, by=None).is_locked


def test_a_coordinator_of_the_scheme_locks_and_unlocks(scene, mona, pair):
    session = scene.held(pair, mona)

    session = services.lock_session(session=session, by=scene.coordinator)
    assert session.locked_reason == services.COORDINATOR_LOCK
    assert not services.unlock_session(session=session, by=scene.coordinator).is_locked


def test_a_mentee_cannot_lock_a_session(scene, mona, enid, pair):
    session = scene.held(pair, mona)

    refused(SessionRefusal.MENTOR_ONLY, services.lock_session, session=session, by=enid.person.user)


def test_a_planned_session_can_be_deleted_by_its_mentor(scene, mona, pair):
    session = scene.plan(pair, mona)

    services.delete_session(session=session, by=mona.person.user)

    assert not MentoringSession.objects.exists() and not Attendance.objects.exists()


def test_a_held_session_cannot_be_deleted(scene, mona, pair):
    session = scene.held(pair, mona)

    refused(
        SessionRefusal.NOT_PLANNED, services.delete_session, session=session, by=mona.person.user
    )
    assert MentoringSession.objects.filter(pk=session.pk).exists()


def test_a_planned_session_with_an_agenda_written_is_not_deleted(scene, mona, enid, pair):
    session = scene.plan(pair, mona)
    services.save_session_record(
        session=session, by=enid.person.user, answers={"planned_agenda": "Mine"}
    )

    refused(
        SessionRefusal.HAS_RESPONSES, services.delete_session, session=session, by=mona.person.user
    )


def test_a_held_session_cannot_be_moved_into_the_future(scene, mona, pair):
    session = scene.held(pair, mona)
    before = snapshot()

    refused(
        SessionRefusal.HELD_IN_FUTURE,
        services.update_session,
        session=session,
        by=mona.person.user,
        starts_at=days_ahead(2),
        duration_minutes=60,
        mode="video",
    )
    assert snapshot() == before


def test_changing_a_planned_session_tells_the_mentee(scene, mona, enid, pair):
    session = scene.plan(pair, mona)

    services.update_session(
        session=session,
        by=mona.person.user,
        starts_at=days_ahead(9, 15),
        duration_minutes=45,
        mode="in_person",
        location="Room 2, Riverside Practice",
    )

    changed = Notification.objects.get(kind="session_changed")
    assert changed.recipient == enid.person.user
    assert "15:00" in changed.subject


def test_a_group_mentee_cannot_write_the_record_of_a_session_they_were_not_in(scene, mona):
    ann, ben = scene.mentee("Ann Mentee"), scene.mentee("Ben Mentee")
    group = scene.group(mona, ann, ben)
    session = scene.plan(group, mona, mentees=[group.members.get(enrolment=ben)])

    refused(
        SessionRefusal.NOT_A_MEMBER,
        services.save_session_record,
        session=session,
        by=ann.person.user,
        answers={"planned_agenda": "x"},
    )
    assert not FormResponse.objects.exists()
