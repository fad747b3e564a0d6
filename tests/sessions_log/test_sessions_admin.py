"""The coordinators' admin for sessions: date, status, mode and lock; whether the session record
was completed and when — never what it says, never a mentor's private notes; scoped to the
coordinator's schemes; locking through the services; the line managers' confirmations."""

import pytest
from django.urls import NoReverseMatch, reverse

from sessions_log import services
from sessions_log.models import EmployerConfirmation
from tests.auth import sign_in
from tests.factories import IcbFactory, WorkingRelationshipFactory, coordinator_of
from tests.sessions_log.sessions_scene import SessionScene, days_ago

pytestmark = pytest.mark.django_db

AGENDA = "My confidence in telephone consultations"
NOTE = "Seemed anxious about her supervisor"
CHANGELIST = "admin:sessions_log_mentoringsession_changelist"


@pytest.fixture
def scene():
    return SessionScene()


@pytest.fixture
def recorded(scene):
    """A held session with a completed record, an action and the mentor's private note."""
    mona, enid = scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee")
    pair = scene.pair(mona, enid)
    session = scene.held(pair, mona, starts_at=days_ago(3))
    services.save_session_record(
        session=session, by=enid.person.user, answers={"planned_agenda": AGENDA}, submit=True
    )
    services.add_action(
        session=session,
        by=mona.person.user,
        text="Shadow a telephone clinic",
        owner=pair.members.get(role="mentee"),
    )
    services.save_private_note(session=session, by=mona.person.user, text=NOTE)
    return session


def test_the_coordinator_sees_that_the_record_was_completed_and_when_never_what_it_says(
    client, scene, recorded
):
    sign_in(client, scene.coordinator)

    listing = client.get(reverse(CHANGELIST))
    page = client.get(reverse("admin:sessions_log_mentoringsession_change", args=[recorded.pk]))

    record = recorded.form_responses.get()
    completed_on = record.submitted_at.strftime("%-d %B %Y")
    for response in (listing, page):
        assert response.status_code == 200
        assert completed_on in response.text
        assert AGENDA not in response.text
        assert NOTE not in response.text
        assert "Shadow a telephone clinic" not in response.text
    assert "Enid Mentee" in listing.text and "Held" in listing.text


def test_private_notes_have_no_admin_at_all():
    with pytest.raises(NoReverseMatch):
        reverse("admin:sessions_log_privatenote_changelist")


def test_a_coordinator_of_another_ics_does_not_find_the_session(client, recorded):
    elsewhere = coordinator_of(IcbFactory(name="NHS Elsewhere ICB"))
    sign_in(client, elsewhere)

    listing = client.get(reverse(CHANGELIST))
    page = client.get(reverse("admin:sessions_log_mentoringsession_change", args=[recorded.pk]))

    assert "Enid Mentee" not in listing.text
    assert page.status_code == 404


def test_finance_has_no_sessions_admin(client, scene, recorded):
    sign_in(client, scene.finance)

    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_sessions_are_not_added_changed_or_deleted_in_the_admin(client, scene, recorded):
    sign_in(client, scene.coordinator)

    page = client.get(reverse("admin:sessions_log_mentoringsession_change", args=[recorded.pk]))

    assert 'name="duration_minutes"' not in page.text
    assert client.get(reverse("admin:sessions_log_mentoringsession_add")).status_code == 403
    delete = reverse("admin:sessions_log_mentoringsession_delete", args=[recorded.pk])
    assert client.get(delete).status_code == 403


def test_the_coordinator_locks_and_unlocks_held_sessions_from_the_list(client, scene, recorded):
    sign_in(client, scene.coordinator)

    client.post(
        reverse(CHANGELIST),
        {"action": "lock_selected", "_selected_action": [recorded.pk]},
    )
    recorded.refresh_from_db()
    assert recorded.is_locked and recorded.locked_reason == services.COORDINATOR_LOCK

    client.post(
        reverse(CHANGELIST),
        {"action": "unlock_selected", "_selected_action": [recorded.pk]},
    )
    recorded.refresh_from_db()
    assert not recorded.is_locked


def test_a_planned_session_is_not_locked_and_the_coordinator_is_told_why(client, scene):
    mona, enid = scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee")
    session = scene.plan(scene.pair(mona, enid), mona)
    sign_in(client, scene.coordinator)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "lock_selected", "_selected_action": [session.pk]},
        follow=True,
    )

    assert "Only a held session can be locked." in response.text
    session.refresh_from_db()
    assert not session.is_locked


def test_the_sessions_list_takes_a_fixed_number_of_queries(
    client, scene, django_assert_max_num_queries
):
    def add_pairs(count, start):
        for n in range(start, start + count):
            mentor = scene.mentor(f"Mentor{n} Smith")
            mentee = scene.mentee(f"Mentee{n} Jones")
            session = scene.held(scene.pair(mentor, mentee), mentor, starts_at=days_ago(n + 1))
            services.save_session_record(
                session=session, by=mentor.person.user, answers={"planned_agenda": "x"}, submit=True
            )

    add_pairs(2, 0)
    sign_in(client, scene.coordinator)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse(CHANGELIST))
    add_pairs(8, 2)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(CHANGELIST))

    assert response.text.count("Mentee9 Jones") == 1


def test_the_line_managers_confirmations_are_listed_with_dates_only(client):
    scene = SessionScene(employer_confirms_contact=True)
    mona, enid = scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee")
    WorkingRelationshipFactory(supervisee=enid.person, supervisor__user__last_name="Manager")
    pair = scene.pair(mona, enid)
    services.request_employer_confirmation(mentorship=pair)
    sign_in(client, scene.coordinator)

    listing = client.get(reverse("admin:sessions_log_employerconfirmation_changelist"))

    assert listing.status_code == 200
    assert "Enid Mentee" in listing.text
    assert EmployerConfirmation.objects.count() == 1
