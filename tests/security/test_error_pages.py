"""With DEBUG off, error pages are the service's own plain pages: no stack trace, settings, file
paths, SQL or exception text, whatever went wrong. A form sent without its CSRF token gets a plain
page too, without Django's technical reason."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.auth import sign_in
from tests.factories import UserFactory
from tests.security.urls_errors import SECRET

pytestmark = pytest.mark.django_db

NEVER_SHOWN = (
    SECRET,
    "leak",
    "leak_7d1f3_no_such_table",
    "secret_column",
    "SELECT",
    "Traceback",
    "RuntimeError",
    "ProgrammingError",
    "Http404",
    "PermissionDenied",
    "SuspiciousOperation",
    "SECRET_KEY",
    "DEBUG",
    "settings",
    ".py",
    "site-packages",
)


@pytest.fixture
def failing(client, settings):
    settings.ROOT_URLCONF = "tests.security.urls_errors"
    client.raise_request_exception = False
    return client


def assert_plain(page):
    assert page["Content-Type"] == "text/html; charset=utf-8"
    for text in NEVER_SHOWN:
        assert text not in page.text, f"{text!r} is on the error page"
    if page.status_code != 500:  # the 500 page needs no settings of the project
        assert page["Content-Security-Policy"]


def test_debug_is_off(settings):
    assert settings.DEBUG is False


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/errors/crash/", 500, "Sorry, there is a problem with the service"),
        ("/errors/sql/", 500, "Sorry, there is a problem with the service"),
        ("/errors/refuse/", 403, "You cannot see this page"),
        ("/errors/missing/", 404, "Page not found"),
        ("/errors/no-such-page/", 404, "Page not found"),
        ("/errors/suspicious/", 400, "Sorry, we could not accept what was sent"),
    ],
)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_an_error_page_shows_only_its_plain_message(failing, path, status, heading, signed_in):
    if signed_in:
        sign_in(failing, UserFactory(is_staff=True, is_superuser=True))

    page = failing.get(path)

    assert page.status_code == status
    assert f"<h1>{heading}</h1>" in page.text
    assert_plain(page)


def test_a_form_without_its_csrf_token_gets_a_plain_403():
    client = Client(enforce_csrf_checks=True)

    page = client.post(reverse("login"), {"username": "someone@example.nhs.uk", "password": "x"})

    assert page.status_code == 403
    assert "<h1>Sorry, your form could not be sent</h1>" in page.text
    for text in (
        "CSRF verification failed",
        "Reason given",
        "CSRF cookie",
        "CSRF token",
        "Referer",
    ):
        assert text not in page.text
    assert_plain(page)
