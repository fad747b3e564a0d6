"""No user enumeration: signing in, asking for a password reset and registering answer the same
whether or not the address has an account; and nobody can make the service flood an inbox."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Notification
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

KNOWN = "known@example.nhs.uk"
UNKNOWN = "unknown@example.nhs.uk"
CHOSEN_PASSWORD = "Lantern-orchard-57-quietly"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def page_text(response, typed: str) -> str:
    """The page with what differs by nature taken out: the CSRF token and the address typed."""
    return CSRF.sub("", response.content.decode()).replace(typed, "ADDRESS")


@pytest.fixture
def send_mail(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def sign_in_page(email, password):
    return Client().post(reverse("login"), {"username": email, "password": password})


def test_a_wrong_password_and_an_unknown_address_get_the_same_page():
    UserFactory(email=KNOWN)

    known = sign_in_page(KNOWN, "not-the-password")
    unknown = sign_in_page(UNKNOWN, "not-the-password")

    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == [
        "Enter a correct email address and password"
    ]
    assert page_text(known, KNOWN) == page_text(unknown, UNKNOWN)


def test_a_deactivated_account_with_its_right_password_gets_the_same_page_as_a_wrong_one():
    UserFactory(email=KNOWN, is_active=False)

    inactive = sign_in_page(KNOWN, TEST_PASSWORD)
    unknown = sign_in_page(UNKNOWN, TEST_PASSWORD)

    assert inactive.status_code == unknown.status_code == 200
    assert page_text(inactive, KNOWN) == page_text(unknown, UNKNOWN)


def reset(email, send_mail):
    client = Client()
    with send_mail():
        asked = client.post(reverse("password_reset"), {"email": email})
    done = client.get(asked["Location"])
    return asked, done


def test_a_reset_for_a_known_and_an_unknown_address_looks_the_same_but_only_one_is_sent(
    send_mail,
):
    UserFactory(email=KNOWN)

    known_asked, known_done = reset(KNOWN, send_mail)
    sent_for_known = len(mail.outbox)
    unknown_asked, unknown_done = reset(UNKNOWN, send_mail)

    assert known_asked.status_code == unknown_asked.status_code == 302
    assert known_asked["Location"] == unknown_asked["Location"] == reverse("password_reset_done")
    assert known_done.status_code == unknown_done.status_code == 200
    assert known_done.content == unknown_done.content
    assert sent_for_known == 1
    assert [m.to for m in mail.outbox] == [[KNOWN]]


def test_resets_to_one_address_stop_after_three_an_hour_and_the_page_does_not_change(send_mail):
    UserFactory(email=KNOWN)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        answers = []
        for _ in range(4):
            answers.append(reset(KNOWN, send_mail))
            clock.shift(timedelta(seconds=1))
        assert len(mail.outbox) == 3
        clock.shift(timedelta(minutes=59, seconds=-4))
        reset(KNOWN, send_mail)
        assert len(mail.outbox) == 3
        clock.shift(timedelta(minutes=1, seconds=1))  # an hour and a second after the first
        reset(KNOWN, send_mail)

    assert len(mail.outbox) == 4
    assert {(asked["Location"], done.content) for asked, done in answers} == {
        (answers[0][0]["Location"], answers[0][1].content)
    }
    assert Notification.objects.filter(kind="password_reset").count() == 4


def test_the_reset_limit_is_per_address(send_mail):
    UserFactory(email=KNOWN)
    UserFactory(email="colleague@example.nhs.uk")
    for _ in range(3):
        reset(KNOWN, send_mail)

    reset("colleague@example.nhs.uk", send_mail)

    assert [m.to for m in mail.outbox][-1] == ["colleague@example.nhs.uk"]
    assert len(mail.outbox) == 4


def register(email, send_mail):
    client = Client()
    data = {
        "email": email,
        "first_name": "Priya",
        "last_name": "Natarajan",
        "password1": CHOSEN_PASSWORD,
        "password2": CHOSEN_PASSWORD,
    }
    with send_mail():
        asked = client.post(reverse("register"), data)
    return asked, client.get(asked["Location"])


def test_registering_one_address_again_and_again_sends_three_emails_an_hour_at_most(send_mail):
    UserFactory(email=KNOWN)

    answers = [register(KNOWN, send_mail) for _ in range(5)]

    assert len(mail.outbox) == 3
    assert Notification.objects.filter(kind="account_exists").count() == 3
    assert {asked.status_code for asked, _ in answers} == {302}
    assert len({page_text(done, KNOWN) for _, done in answers}) == 1


def test_a_new_address_registered_over_and_over_is_capped_the_same_way(send_mail):
    answers = [register(UNKNOWN, send_mail) for _ in range(5)]

    assert len(mail.outbox) == 3
    assert Notification.objects.filter(kind="verify_email").count() == 3
    assert len({page_text(done, UNKNOWN) for _, done in answers}) == 1


def test_reset_and_registration_e_mails_share_the_cap(send_mail):
    UserFactory(email=KNOWN)
    register(KNOWN, send_mail)
    reset(KNOWN, send_mail)
    register(KNOWN, send_mail)

    reset(KNOWN, send_mail)

    assert len(mail.outbox) == 3
    assert Notification.objects.filter(recipient__email=KNOWN).count() == 3
