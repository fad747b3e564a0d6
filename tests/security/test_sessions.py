"""Sessions (ASVS 3.2.1, 3.3.1, 3.3.2, 3.4): a new key at sign-in, gone at sign-out and when the
password changes elsewhere; staff signed out after 30 minutes idle or 12 hours in all, everyone
else after 8 hours idle; cookies Secure, HttpOnly and SameSite=Lax in production."""

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.auth import sign_in
from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory, coordinator_of

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent
NEW_PASSWORD = "Lantern-orchard-57-quietly"
IDLE_MESSAGE = "You were signed out because you had not used the service for {}."


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def follow_home(client):
    return client.get(reverse("home"), follow=True)


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def coordinator():
    return coordinator_of(OrganisationFactory())


# Staff: idle and absolute limits


def test_a_staff_session_lasts_29_idle_minutes(clock):
    client = sign_in(Client(), coordinator())

    clock.shift(timedelta(minutes=29, seconds=59))
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert signed_in(client)


def test_a_staff_session_ends_after_30_idle_minutes_and_says_why(clock):
    client = sign_in(Client(), coordinator())
    old_key = client.session.session_key

    clock.shift(timedelta(minutes=30))
    response = client.get(reverse("notifications") + "?page=2")

    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/notifications/%3Fpage%3D2"
    assert not signed_in(client)
    assert not Session.objects.filter(session_key=old_key).exists()
    page = client.get(response["Location"])
    assert IDLE_MESSAGE.format("30 minutes") in page.content.decode()


def test_each_request_restarts_the_idle_clock(clock):
    client = sign_in(Client(), coordinator())
    for _ in range(4):
        clock.shift(timedelta(minutes=25))
        assert client.get(reverse("home")).status_code == 200

    assert signed_in(client)


def test_a_staff_session_ends_12_hours_after_signing_in_however_busy(clock):
    client = sign_in(Client(), coordinator())
    for _ in range(11 * 3 + 2):  # a request every 20 minutes up to 11 h 40 min
        clock.shift(timedelta(minutes=20))
        assert client.get(reverse("home")).status_code == 200
    clock.shift(timedelta(minutes=19, seconds=59))
    assert client.get(reverse("home")).status_code == 200

    clock.shift(timedelta(seconds=1))
    response = follow_home(client)

    assert not signed_in(client)
    assert response.redirect_chain[0] == (reverse("login") + "?next=/", 302)
    assert (
        "You were signed out because you had been signed in for 12 hours."
        in response.content.decode()
    )


def test_signing_in_again_starts_the_12_hours_again(clock):
    user = coordinator()
    client = sign_in(Client(), user)
    clock.shift(timedelta(hours=11, minutes=50))
    client.logout()
    sign_in(client, user)

    clock.shift(timedelta(minutes=20))
    assert client.get(reverse("home")).status_code == 200


def test_a_superuser_has_the_staff_limits(clock):
    client = sign_in(Client(), UserFactory(is_staff=True, is_superuser=True))

    clock.shift(timedelta(minutes=30))

    assert client.get(reverse("home")).status_code == 302
    assert not signed_in(client)


# Everyone else


def test_a_mentor_is_not_signed_out_after_30_idle_minutes_but_is_after_8_hours(clock):
    client = sign_in(Client(), UserFactory())

    clock.shift(timedelta(minutes=45))
    assert client.get(reverse("home")).status_code == 200
    clock.shift(timedelta(hours=7, minutes=59))
    assert client.get(reverse("home")).status_code == 200
    clock.shift(timedelta(hours=8))
    response = follow_home(client)

    assert not signed_in(client)
    assert IDLE_MESSAGE.format("8 hours") in response.content.decode()


def test_a_mentor_who_keeps_using_the_service_is_asked_to_sign_in_again_after_a_week(clock):
    client = sign_in(Client(), UserFactory())
    for _ in range(7 * 4 - 1):
        clock.shift(timedelta(hours=6))
        assert client.get(reverse("home")).status_code == 200

    clock.shift(timedelta(hours=6))

    assert client.get(reverse("home")).status_code == 302
    assert not signed_in(client)


def test_the_session_cookie_outlives_the_idle_limit_so_the_reason_can_be_given(settings):
    assert settings.SESSION_COOKIE_AGE == 9 * 60 * 60


def test_signing_out_after_the_limit_lands_on_the_sign_in_page_without_a_next(clock):
    client = sign_in(Client(), coordinator())
    clock.shift(timedelta(hours=1))

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")
    assert not signed_in(client)


# Keys: rotated at sign-in, gone at sign-out and when the password changes


def password_sign_in(client, user, password=TEST_PASSWORD):
    response = client.post(reverse("login"), {"username": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()
    return client


def test_signing_in_gives_a_new_session_key_and_drops_the_old_one():
    user = UserFactory()
    client = Client()
    anonymous = client.session
    anonymous["seen_cookie_banner"] = True
    anonymous.save()
    before = anonymous.session_key

    password_sign_in(client, user)

    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session[SESSION_KEY] == str(user.pk)


def test_signing_out_deletes_the_session():
    client = password_sign_in(Client(), UserFactory())
    key = client.session.session_key

    client.post(reverse("logout"))

    assert not Session.objects.filter(session_key=key).exists()
    assert not signed_in(client)


def test_a_password_reset_signs_the_person_out_everywhere():
    user = UserFactory()
    laptop = password_sign_in(Client(), user)
    phone = password_sign_in(Client(), user)
    user.refresh_from_db()  # the token covers last_login, which signing in just set
    stranger = Client()
    link = reverse(
        "password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    form = stranger.get(link, follow=True)
    stranger.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    for client in (laptop, phone):
        client.get(reverse("home"))
        assert not signed_in(client)


def test_changing_your_own_password_keeps_this_session_and_ends_the_others():
    user = coordinator()
    here = sign_in(Client(), user)
    elsewhere = sign_in(Client(), user)

    response = here.post(
        reverse("admin:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert here.get(reverse("home")).status_code == 200
    assert signed_in(here)
    elsewhere.get(reverse("home"))
    assert not signed_in(elsewhere)


def test_a_password_set_by_someone_else_ends_all_the_persons_sessions():
    user = UserFactory()
    client = password_sign_in(Client(), user)

    user.set_password(NEW_PASSWORD)
    user.save()
    client.get(reverse("home"))

    assert not signed_in(client)


# Cookies in production


NOT_INHERITED = {"SECRET_KEY", "DEBUG", "HTTPS", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}

COOKIES_SCRIPT = """
import json
import django
django.setup()
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory, override_settings

def view(request):
    request.session["signed_in_at"] = 1
    get_token(request)
    return HttpResponse()

def csrf_then_view(request):
    CsrfViewMiddleware(view).process_view(request, view, (), {})
    return CsrfViewMiddleware(view)(request)

with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"):
    request = RequestFactory().get("/", secure=True, HTTP_HOST=settings.ALLOWED_HOSTS[0])
    response = SessionMiddleware(csrf_then_view)(request)
print(json.dumps({
    name: {flag: str(response.cookies[name][flag]) for flag in ("secure", "httponly", "samesite")}
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
} | {"proxies": settings.TRUSTED_PROXY_COUNT}))
"""


def cookie_flags(env: dict, tmp_path) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    result = subprocess.run(
        [sys.executable, "-c", COOKIES_SCRIPT],
        cwd=BASE_DIR,
        env={
            **clean,
            **env,
            "DJANGO_SETTINGS_MODULE": "mentoring.settings",
            "VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_in_production_the_cookies_are_secure_httponly_and_lax(tmp_path):
    production = {
        "HTTPS": "true",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "mentoring.example.nhs.uk",
        "SECRET_KEY": secrets.token_urlsafe(48),
    }

    flags = cookie_flags(production, tmp_path)

    assert flags["sessionid"] == {"secure": "True", "httponly": "True", "samesite": "Lax"}
    assert flags["csrftoken"]["secure"] == "True"
    assert flags["csrftoken"]["samesite"] == "Lax"
    assert flags["proxies"] == 1


def test_the_embedded_mode_over_plain_http_still_sets_httponly_and_lax(tmp_path):
    flags = cookie_flags({}, tmp_path)

    assert flags["sessionid"] == {"secure": "", "httponly": "True", "samesite": "Lax"}
    assert flags["proxies"] == 0
