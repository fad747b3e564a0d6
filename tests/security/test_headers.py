"""Every HTML page carries the security headers: a Content Security Policy without inline script
or style, nosniff, a referrer policy, frame denial and a cross-origin opener policy — public
pages, each role's pages, the admin and the error pages alike. With HTTPS=true (production,
settings loaded in a subprocess) it adds HSTS with subdomains and preload, redirects plain HTTP
to HTTPS and marks the session and CSRF cookies Secure."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.auth import sign_in
from tests.factories import IcbFactory, UserFactory, coordinator_of, finance_of
from tests.schemes.factories import MentorEnrolmentFactory, SchemeFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent
POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.fixture
def people():
    icb = IcbFactory()
    scheme = SchemeFactory(owner=icb)
    mentor = MentorEnrolmentFactory(scheme=scheme).person.user
    return {
        "anonymous": None,
        "mentor": mentor,
        "coordinator": coordinator_of(icb),
        "finance": finance_of(icb),
        "admin": UserFactory(is_staff=True, is_superuser=True),
        "scheme": scheme,
    }


PAGES = [
    ("anonymous", lambda p: reverse("login"), 200),
    ("anonymous", lambda p: reverse("password_reset"), 200),
    ("anonymous", lambda p: reverse("register"), 200),
    ("anonymous", lambda p: "/no-such-page/", 404),
    ("mentor", lambda p: reverse("home"), 200),
    ("mentor", lambda p: reverse("scheme_detail", args=[p["scheme"].slug]), 200),
    ("mentor", lambda p: reverse("mentorships"), 200),
    ("mentor", lambda p: reverse("my_claims"), 200),
    ("mentor", lambda p: reverse("finance_home"), 403),
    ("coordinator", lambda p: reverse("reports_home"), 200),
    ("coordinator", lambda p: reverse("admin:index"), 200),
    ("coordinator", lambda p: reverse("admin:mentoring_person_changelist"), 200),
    ("finance", lambda p: reverse("finance_home"), 200),
    ("admin", lambda p: reverse("admin:mentoring_person_add"), 200),
    ("admin", lambda p: reverse("admin:mentoring_import"), 200),
]


@pytest.mark.parametrize(
    ("who", "url", "status"),
    PAGES,
    ids=[f"{who}-{status}-{n}" for n, (who, _, status) in enumerate(PAGES)],
)
def test_a_page_has_the_security_headers(client, people, who, url, status):
    if people[who] is not None:
        sign_in(client, people[who])

    page = client.get(url(people))

    assert page.status_code == status
    assert page["Content-Type"] == "text/html; charset=utf-8"
    for name, value in HEADERS.items():
        assert page[name] == value, name
    policy = [part.strip() for part in page["Content-Security-Policy"].split(";")]
    assert set(POLICY) <= set(policy)
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert "unsafe-eval" not in page["Content-Security-Policy"]


def test_the_bad_request_page_has_the_security_headers(client, settings):
    body = b"email=" + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    page = client.generic(
        "POST", reverse("login"), body, content_type="application/x-www-form-urlencoded"
    )

    assert page.status_code == 400
    for name, value in HEADERS.items():
        assert page[name] == value, name
    assert "script-src 'self'" in page["Content-Security-Policy"]


# production ---------------------------------------------------------------------------------------
HOST = "mentoring.example.nhs.uk"
PRODUCTION = {"HTTPS": "true", "DEBUG": "false", "ALLOWED_HOSTS": HOST}
# The test process's own settings (and its PostgreSQL, whose tables only the test database has)
# stay out: the subprocess keeps its sessions in a SQLite file of its own.
NOT_INHERITED = {
    "SECRET_KEY",
    "DEBUG",
    "HTTPS",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
PROBE = """
import json
import django
django.setup()
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory

with connection.schema_editor() as editor:
    editor.create_model(Session)
client = Client(HTTP_HOST="%(host)s")
plain = client.get("/accounts/login/")
secure = client.get("/accounts/login/", secure=True)

def start_session(request):
    request.session["seen"] = True
    return HttpResponse("ok")

request = RequestFactory(HTTP_HOST="%(host)s").get("/", secure=True)
session = SessionMiddleware(start_session)(request)

def flags(morsel):
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"]}

print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "secure": [secure.status_code, dict(secure.headers)],
    "csrf_cookie": flags(secure.cookies["csrftoken"]),
    "session_cookie": flags(session.cookies["sessionid"]),
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """What production settings answer: a plain-HTTP request, an HTTPS one, and the cookies."""
    var_dir = tmp_path_factory.mktemp("production")
    clean = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    result = subprocess.run(
        [sys.executable, "-c", PROBE % {"host": HOST}],
        cwd=BASE_DIR,
        env={
            **clean,
            **PRODUCTION,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "VAR_DIR": str(var_dir),
            "STATIC_ROOT": str(var_dir),
            # No collectstatic here: the pages name their files without the manifest's hashes.
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "DJANGO_SETTINGS_MODULE": "mentoring.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_plain_http_to_https(production):
    assert production["plain"] == [301, f"https://{HOST}/accounts/login/"]


def test_production_sends_hsts_with_subdomains_and_preload(production):
    status, headers = production["secure"]

    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    for name, value in HEADERS.items():
        assert headers[name] == value, name
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_production_cookies_are_secure(production):
    assert production["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert production["csrf_cookie"] == {"secure": True, "httponly": False, "samesite": "Lax"}
