"""Getting into the service: sign in, register, confirm an e-mail address, accept an invitation,
reset a password. Links are single-use and expire, pages never reveal who has an account, and no
e-mail ever carries a password."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring import invitations
from mentoring.models import Invitation, Notification, User
from tests.auth import sign_in
from tests.factories import TEST_PASSWORD, PersonFactory, UserFactory, coordinator_of

pytestmark = pytest.mark.django_db

CHOSEN_PASSWORD = "Lantern-orchard-57-quietly"


@pytest.fixture
def send_mail(django_capture_on_commit_callbacks):
    """Run a block and deliver the notifications it queued (they are sent after commit)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def link_path(message, starts_with="/") -> str:
    """The path of the first link in a text e-mail that starts with ``starts_with``."""
    site = re.escape(django_settings.SITE_URL.rstrip("/"))
    for match in re.finditer(site + r"(/\S*)", message.body):
        if match.group(1).startswith(starts_with):
            return match.group(1)
    raise AssertionError(f"no link starting {starts_with} in:\n{message.body}")


def all_email_text() -> list[str]:
    texts = []
    for message in mail.outbox:
        texts.append(message.subject)
        texts.append(message.body)
        texts.extend(str(content) for content, _mimetype in message.alternatives)
    return texts


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def invited_person(**user_fields):
    """Someone a coordinator added to the register, who has not chosen a password yet."""
    person = PersonFactory(**{f"user__{k}": v for k, v in user_fields.items()})
    person.user.set_unusable_password()
    person.user.save()
    return person


def invite(person, send_mail):
    with send_mail():
        invitations.invite_people(people=[person], invited_by=None)
    return mail.outbox[-1]


def register(client, send_mail, email, **overrides):
    data = {
        "email": email,
        "first_name": "Priya",
        "last_name": "Natarajan",
        "password1": CHOSEN_PASSWORD,
        "password2": CHOSEN_PASSWORD,
        **overrides,
    }
    with send_mail():
        return client.post(reverse("register"), data)


# Signing in


def test_login_form_asks_for_email_and_password_with_autocomplete_hints(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="email"' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="current-password"' in html
    assert '<label class="nhsuk-label" for="id_username">' in html
    assert '<label class="nhsuk-label" for="id_password">' in html


def test_a_wrong_password_and_an_unknown_address_get_the_same_message(client):
    user = UserFactory()

    wrong_password = client.post(
        reverse("login"), {"username": user.email, "password": "not-the-password"}
    )
    unknown_address = client.post(
        reverse("login"), {"username": "nobody@example.nhs.uk", "password": TEST_PASSWORD}
    )

    for response in (wrong_password, unknown_address):
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            "Enter a correct email address and password"
        ]
        assert signed_in_user_id(client) is None


def test_signing_in_with_the_right_details_goes_home(client):
    user = UserFactory(email="asha@example.nhs.uk")

    response = client.post(
        reverse("login"), {"username": "Asha@Example.NHS.uk", "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(user.pk)


def test_a_signed_in_user_is_sent_home_from_the_login_page(client):
    sign_in(client, UserFactory())

    response = client.get(reverse("login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_signing_out_needs_a_post(client):
    sign_in(client, UserFactory())

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert signed_in_user_id(client) is None


# Registration and e-mail verification


def test_registering_a_new_address_sends_a_verification_email(client, send_mail):
    response = register(client, send_mail, "new.person@example.nhs.uk")

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.nhs.uk")
    assert not user.is_active
    assert user.first_name == "Priya"
    assert [m.to for m in mail.outbox] == [["new.person@example.nhs.uk"]]
    assert Notification.objects.get(recipient=user).kind == "verify_email"
    assert link_path(mail.outbox[0]).startswith("/accounts/verify/")


def test_registering_a_registered_address_tells_its_owner_and_changes_nothing(client, send_mail):
    owner = UserFactory(email="taken@example.nhs.uk")

    register(client, send_mail, "taken@example.nhs.uk", first_name="Someone")

    owner.refresh_from_db()
    assert owner.check_password(TEST_PASSWORD)
    assert owner.first_name != "Someone"
    assert User.objects.filter(email="taken@example.nhs.uk").count() == 1
    assert [m.to for m in mail.outbox] == [["taken@example.nhs.uk"]]
    assert Notification.objects.get(recipient=owner).kind == "account_exists"
    assert link_path(mail.outbox[0], "/accounts/reset/")


def test_registration_looks_identical_for_a_new_and_a_registered_address(client, send_mail):
    UserFactory(email="taken@example.nhs.uk")
    taken_client = Client()

    new = register(client, send_mail, "fresh@example.nhs.uk")
    taken = register(taken_client, send_mail, "taken@example.nhs.uk")

    assert new.status_code == taken.status_code == 302
    assert new["Location"] == taken["Location"] == reverse("register") + "?sent"
    new_page = client.get(new["Location"]).content.decode()
    taken_page = taken_client.get(taken["Location"]).content.decode()
    assert "Check your email" in new_page
    assert new_page.replace("fresh@example.nhs.uk", "ADDRESS") == taken_page.replace(
        "taken@example.nhs.uk", "ADDRESS"
    )


def test_registration_errors_sit_by_their_fields_and_in_the_summary(client, send_mail):
    response = register(
        client,
        send_mail,
        "short@example.nhs.uk",
        first_name="",
        password1="short",
        password2="different",
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["first_name"] == ["Enter your first name"]
    assert any("too short" in error for error in form.errors["password1"])
    assert form.errors["password2"] == ["The passwords do not match"]
    html = response.content.decode()
    assert '<a href="#id_first_name">Enter your first name</a>' in html
    assert 'id="id_password1_error"' in html
    assert html.startswith("<!DOCTYPE html>") and "<title>Error: " in html
    assert not User.objects.filter(email="short@example.nhs.uk").exists()
    assert mail.outbox == []


def test_signing_in_fails_before_the_address_is_confirmed_and_works_after(client, send_mail):
    register(client, send_mail, "confirm.me@example.nhs.uk")
    credentials = {"username": "confirm.me@example.nhs.uk", "password": CHOSEN_PASSWORD}

    before = client.post(reverse("login"), credentials)
    assert before.status_code == 200
    assert "Enter a correct email address and password" in before.content.decode()
    assert signed_in_user_id(client) is None

    confirmed = client.get(link_path(mail.outbox[0]))
    assert "Your email address is confirmed" in confirmed.content.decode()

    after = client.post(reverse("login"), credentials)
    assert after.status_code == 302
    assert signed_in_user_id(client) == str(User.objects.get(email=credentials["username"]).pk)


def test_registering_again_before_confirming_sends_a_fresh_link_for_the_new_details(
    client, send_mail
):
    register(client, send_mail, "twice@example.nhs.uk")
    first_link = link_path(mail.outbox[0])
    register(
        client,
        send_mail,
        "twice@example.nhs.uk",
        password1="Second-choice-91-maple",
        password2="Second-choice-91-maple",
        first_name="Pree",
    )

    assert User.objects.filter(email="twice@example.nhs.uk").count() == 1
    assert [n.kind for n in Notification.objects.order_by("pk")] == ["verify_email", "verify_email"]
    assert "expired or has already been used" in client.get(first_link).content.decode()
    assert (
        "Your email address is confirmed" in client.get(link_path(mail.outbox[1])).content.decode()
    )
    user = User.objects.get(email="twice@example.nhs.uk")
    assert user.is_active and user.first_name == "Pree"
    assert user.check_password("Second-choice-91-maple")


def test_a_deactivated_account_is_not_reopened_by_registering(client, send_mail):
    owner = UserFactory(email="left@example.nhs.uk", is_active=False, last_login=timezone.now())

    register(client, send_mail, "left@example.nhs.uk")

    owner.refresh_from_db()
    assert not owner.is_active
    assert owner.check_password(TEST_PASSWORD)
    assert Notification.objects.get(recipient=owner).kind == "account_exists"


def test_an_invitation_says_how_long_its_link_lasts(send_mail, settings):
    settings.INVITATION_TIMEOUT_DAYS = 5
    message = invite(invited_person(), send_mail)
    assert "expires after 5 days" in message.body


def test_a_verification_link_works_only_once(client, send_mail):
    register(client, send_mail, "once@example.nhs.uk")
    path = link_path(mail.outbox[0])

    client.get(path)
    second = client.get(path)

    assert second.status_code == 200
    assert "This link has expired or has already been used" in second.content.decode()


def test_a_broken_verification_link_shows_a_clear_page(client):
    response = client.get(reverse("verify_email", args=["not-a-real-token"]))

    assert response.status_code == 200
    assert "This link has expired or has already been used" in response.content.decode()


# Invitations


def test_accepting_an_invitation_sets_the_password_and_signs_in(client, send_mail):
    person = invited_person()
    message = invite(person, send_mail)

    page = client.get(link_path(message, "/invitation/"))
    assert page.status_code == 200
    assert person.user.email in page.content.decode()

    response = client.post(
        link_path(message, "/invitation/"),
        {"new_password1": CHOSEN_PASSWORD, "new_password2": CHOSEN_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Your password is set and you are signed in." in response.content.decode()
    assert signed_in_user_id(client) == str(person.user.pk)
    person.user.refresh_from_db()
    assert person.user.check_password(CHOSEN_PASSWORD)
    assert Invitation.objects.get(user=person.user).accepted_at is not None


def test_an_invitation_link_works_only_once(client, send_mail):
    person = invited_person()
    path = link_path(invite(person, send_mail), "/invitation/")
    client.post(path, {"new_password1": CHOSEN_PASSWORD, "new_password2": CHOSEN_PASSWORD})
    client.logout()

    second = client.post(
        path, {"new_password1": "Another-good-phrase-93", "new_password2": "Another-good-phrase-93"}
    )

    assert second.status_code == 200
    html = second.content.decode()
    assert "This invitation link has expired or has already been used" in html
    assert "ask your scheme coordinator" in html.lower()
    assert "<form" not in html.split('id="maincontent"')[1]
    person.user.refresh_from_db()
    assert person.user.check_password(CHOSEN_PASSWORD)


def test_an_invitation_link_expires(client, send_mail, settings):
    person = invited_person()
    path = link_path(invite(person, send_mail), "/invitation/")
    days = settings.INVITATION_TIMEOUT_DAYS

    with time_machine.travel(timezone.now() + timedelta(days=days, hours=-1), tick=False):
        assert "Choose a password" in client.get(path).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=days, hours=1), tick=False):
        response = client.post(
            path, {"new_password1": CHOSEN_PASSWORD, "new_password2": CHOSEN_PASSWORD}
        )

    assert "This invitation link has expired" in response.content.decode()
    person.user.refresh_from_db()
    assert not person.user.has_usable_password()


def test_a_resend_retires_the_previous_invitation_link(client, send_mail):
    person = invited_person()
    first = link_path(invite(person, send_mail), "/invitation/")
    second = link_path(invite(person, send_mail), "/invitation/")

    assert first != second
    assert "This invitation link has expired" in client.get(first).content.decode()
    assert "Choose a password" in client.get(second).content.decode()


def test_an_invitation_password_must_pass_the_validators(client, send_mail):
    person = invited_person(first_name="Oluwaseun")
    path = link_path(invite(person, send_mail), "/invitation/")

    response = client.post(path, {"new_password1": "12345678", "new_password2": "12345678"})

    assert response.status_code == 200
    errors = response.context["form"].errors["new_password1"]
    assert any("too short" in error for error in errors)
    assert any("numeric" in error for error in errors)
    assert '<a href="#id_new_password1">' in response.content.decode()
    person.user.refresh_from_db()
    assert not person.user.has_usable_password()


# Password reset


def test_password_reset_is_sent_as_a_notification_and_its_link_works_once(client, send_mail):
    user = UserFactory(email="forgetful@example.nhs.uk")

    with send_mail():
        response = client.post(reverse("password_reset"), {"email": "Forgetful@example.nhs.uk"})

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    notification = Notification.objects.get(kind="password_reset", recipient=user)
    assert notification.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [["forgetful@example.nhs.uk"]]
    assert "24 hours" in mail.outbox[0].body

    path = link_path(mail.outbox[0], "/accounts/reset/")
    form_page = client.get(path, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": CHOSEN_PASSWORD, "new_password2": CHOSEN_PASSWORD}
    )

    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(CHOSEN_PASSWORD)
    again = client.get(path, follow=True)
    assert "This link has expired or has already been used" in again.content.decode()


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, send_mail):
    with send_mail():
        response = client.post(reverse("password_reset"), {"email": "nobody@example.nhs.uk"})

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_an_invited_person_can_use_password_reset_and_it_accepts_the_invitation(client, send_mail):
    person = invited_person()
    invite(person, send_mail)

    with send_mail():
        client.post(reverse("password_reset"), {"email": person.user.email})
    form_page = client.get(link_path(mail.outbox[-1], "/accounts/reset/"), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": CHOSEN_PASSWORD, "new_password2": CHOSEN_PASSWORD},
    )

    assert Invitation.objects.get(user=person.user).accepted_at is not None


# Never a password in an e-mail


def test_no_email_ever_contains_a_password(client, send_mail):
    coordinator_of()  # a staff user exists, as in real life
    UserFactory(email="existing@example.nhs.uk")
    register(client, send_mail, "newcomer@example.nhs.uk")
    register(Client(), send_mail, "existing@example.nhs.uk")
    person = invited_person()
    invite(person, send_mail)
    invite(person, send_mail)
    with send_mail():
        client.post(reverse("password_reset"), {"email": "existing@example.nhs.uk"})

    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {"verify_email", "account_exists", "invitation", "password_reset"}
    assert len(mail.outbox) == 5
    for text in all_email_text():
        assert CHOSEN_PASSWORD not in text
        assert TEST_PASSWORD not in text
        assert "password:" not in text.lower()
