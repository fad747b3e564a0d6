"""The employer's confirmation (PA preceptorship: "The Employer should ensure this contact has
taken place" and agree protected time): the mentee's line manager on record is asked when a
mentorship is proposed, or at its first planned session; only they may confirm; their page shows
names, the scheme and dates — never anything said in mentoring."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Notification
from sessions_log import services
from sessions_log.models import EmployerConfirmation
from tests.auth import sign_in
from tests.factories import PersonFactory, WorkingRelationshipFactory
from tests.sessions_log.sessions_scene import SessionScene, days_ago

pytestmark = pytest.mark.django_db

AGENDA = "Feeling out of my depth with the duty doctor rota"
NOTE = "Thinks her manager does not support her"
ACTION = "Raise rota concerns with the partners"
LOCATION = "The Lantern Café, Thameside"


@pytest.fixture
def scene():
    return SessionScene(employer_confirms_contact=True)


@pytest.fixture
def manager():
    return PersonFactory(
        user__email="lena@example.nhs.uk", user__first_name="Lena", user__last_name="Manager"
    )


@pytest.fixture
def mona(scene):
    return scene.mentor("Mona Mentor")


@pytest.fixture
def enid(scene, manager):
    mentee = scene.mentee("Enid Mentee")
    WorkingRelationshipFactory(supervisor=manager, supervisee=mentee.person)
    return mentee


@pytest.fixture
def pair(scene, mona, enid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return scene.pair(mona, enid)


# when the line manager is asked -----------------------------------------------------------------
def test_the_line_manager_is_asked_when_the_mentorship_is_proposed(pair, manager):
    confirmation = EmployerConfirmation.objects.get(mentorship=pair)

    assert confirmation.line_manager == manager
    asked = Notification.objects.get(kind="employer_confirmation_requested")
    assert asked.recipient == manager.user
    assert "Enid Mentee" in asked.subject


def test_the_email_names_the_pair_and_scheme_and_links_to_the_page(
    scene, mona, enid, manager, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pair = scene.pair(mona, enid)

    [email] = [m for m in mail.outbox if m.to == [manager.user.email]]
    confirmation = EmployerConfirmation.objects.get(mentorship=pair)
    assert reverse("employer_confirmation", args=[confirmation.pk]) in email.body
    assert "Mona Mentor" in email.body and scene.scheme.name in email.body


def test_nobody_is_asked_where_the_scheme_does_not_ask(
    mona, enid, scene, django_capture_on_commit_callbacks
):
    scene.scheme.employer_confirms_contact = False
    scene.scheme.save()
    with django_capture_on_commit_callbacks(execute=True):
        pair = scene.pair(mona, enid)
    scene.plan(pair, mona)

    assert not EmployerConfirmation.objects.exists()


def test_nobody_is_asked_without_a_current_line_manager_on_record(
    scene, mona, django_capture_on_commit_callbacks
):
    mentee = scene.mentee("Nell Mentee")
    WorkingRelationshipFactory(
        supervisee=mentee.person,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        pair = scene.pair(mona, mentee)

    assert services.request_employer_confirmation(mentorship=pair) is None
    assert not EmployerConfirmation.objects.exists()


def test_a_line_manager_recorded_later_is_asked_at_the_first_planned_session(
    scene, mona, manager, django_capture_on_commit_callbacks
):
    mentee = scene.mentee("Nell Mentee")
    with django_capture_on_commit_callbacks(execute=True):
        pair = scene.pair(mona, mentee)
    assert not EmployerConfirmation.objects.exists()
    WorkingRelationshipFactory(supervisor=manager, supervisee=mentee.person)

    scene.plan(pair, mona)
    scene.plan(pair, mona)

    assert EmployerConfirmation.objects.get(mentorship=pair).line_manager == manager
    assert Notification.objects.filter(kind="employer_confirmation_requested").count() == 1


# the page ---------------------------------------------------------------------------------------
@pytest.fixture
def written(scene, mona, enid, pair):
    """A held session with a completed record, an action and a private note, at a place."""
    session = scene.held(pair, mona, starts_at=days_ago(5), location=LOCATION)
    services.save_session_record(
        session=session, by=enid.person.user, answers={"planned_agenda": AGENDA}, submit=True
    )
    services.add_action(
        session=session, by=mona.person.user, text=ACTION, owner=pair.members.get(role="mentee")
    )
    services.save_private_note(session=session, by=mona.person.user, text=NOTE)
    return EmployerConfirmation.objects.get(mentorship=pair)


def test_the_page_shows_names_the_scheme_and_dates_and_never_any_content(
    client, scene, manager, written
):
    sign_in(client, manager.user)

    page = client.get(reverse("employer_confirmation", args=[written.pk]))

    assert page.status_code == 200
    for shown in ("Enid Mentee", "Mona Mentor", scene.scheme.name):
        assert shown in page.text
    first = timezone.localdate(days_ago(5))
    assert f"{first.day} {first:%B %Y}" in page.text
    for secret in (AGENDA, NOTE, ACTION, LOCATION, "Video call", "60 minutes"):
        assert secret.replace("'", "&#x27;") not in page.text


@pytest.fixture
def users(scene, mona, enid):
    return {
        "anonymous": None,
        "member_mentor": mona.person.user,
        "member_mentee": enid.person.user,
        "other_mentor": scene.mentor("Olga Other").person.user,
        "coordinator": scene.coordinator,
        "finance": scene.finance,
    }


@pytest.mark.parametrize(
    ("who", "get_status", "post_status"),
    [
        ("anonymous", 302, 302),
        ("member_mentor", 404, 403),
        ("member_mentee", 404, 403),
        ("other_mentor", 404, 403),
        ("coordinator", 404, 403),
        ("finance", 404, 403),
    ],
)
def test_only_the_line_manager_may_open_or_confirm(
    client, written, users, who, get_status, post_status
):
    if users[who] is not None:
        sign_in(client, users[who])
    url = reverse("employer_confirmation", args=[written.pk])

    assert client.get(url).status_code == get_status
    response = client.post(url, {"contact_confirmed": "on", "protected_time_agreed": "on"})

    assert response.status_code == post_status
    written.refresh_from_db()
    assert written.contact_confirmed_at is None and written.protected_time_agreed_at is None


def test_the_line_manager_confirms_contact_then_protected_time(client, manager, written):
    sign_in(client, manager.user)
    url = reverse("employer_confirmation", args=[written.pk])

    client.post(url, {"contact_confirmed": "on"})
    written.refresh_from_db()
    contact_at = written.contact_confirmed_at
    assert contact_at is not None and written.protected_time_agreed_at is None

    page = client.post(url, {"protected_time_agreed": "on"}, follow=True)

    written.refresh_from_db()
    assert written.contact_confirmed_at == contact_at
    assert written.protected_time_agreed_at is not None
    assert "You have confirmed both. Thank you." in page.text


def test_confirming_nothing_says_to_tick_something(client, manager, written):
    sign_in(client, manager.user)

    response = client.post(reverse("employer_confirmation", args=[written.pk]), {})

    assert response.context["form"].errors["contact_confirmed"] == ["Tick what you can confirm."]


def test_the_service_refuses_anyone_but_the_line_manager(written, mona):
    from sessions_log.errors_sessions import SessionError, SessionRefusal

    with pytest.raises(SessionError) as refused:
        services.confirm_employer(
            confirmation=written, by=mona.person.user, contact=True, protected_time=True
        )

    assert refused.value.code == SessionRefusal.NOT_LINE_MANAGER
