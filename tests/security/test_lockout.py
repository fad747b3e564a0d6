"""Sign-in lockout (ASVS 2.2.1): too many failures lock the account, or the address they come
from, for a cool-off; the page says so plainly and the same for every address typed; a
superuser can unlock early, and nobody else can see the lockout pages."""

from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from mentoring.lockout import client_address
from tests.auth import sign_in
from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory, coordinator_of

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "not-the-password-at-all"
LOCKED_TEXT = "Try again in 15 minutes, or ask an administrator to unlock it."
ATTEMPTS_ADMIN = "admin:axes_accessattempt_changelist"
FAILURES_ADMIN = "admin:axes_accessfailurelog_changelist"


def attempt(email, password=WRONG_PASSWORD, address="192.0.2.10", client=None):
    """One sign-in from ``address``, in a fresh browser unless ``client`` is given."""
    client = client or Client()
    response = client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )
    response.signed_in = SESSION_KEY in client.session
    return response


def fail(email, times, address="192.0.2.10"):
    return [attempt(email, address=address) for _ in range(times)]


def is_lockout_page(response) -> bool:
    return response.status_code == 429 and LOCKED_TEXT in response.content.decode()


def test_the_limits_come_from_the_environment_with_five_and_fifteen_minutes_by_default():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == django_settings.AXES_COOLOFF_TIME
    assert django_settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_an_account_locks_at_the_limit_even_when_each_try_comes_from_another_address():
    user = UserFactory()
    before = [
        attempt(user.email, address=f"198.51.100.{n}")
        for n in range(django_settings.AXES_FAILURE_LIMIT - 1)
    ]
    last = attempt(user.email, address="198.51.100.99")

    assert [r.status_code for r in before] == [200] * (django_settings.AXES_FAILURE_LIMIT - 1)
    assert is_lockout_page(last)
    right = attempt(user.email, TEST_PASSWORD, address="203.0.113.7")
    assert is_lockout_page(right)
    assert right.signed_in is False


def test_the_account_count_ignores_how_the_address_is_capitalised():
    user = UserFactory(email="asha@example.nhs.uk")
    spellings = [
        "Asha@example.nhs.uk",
        "ASHA@EXAMPLE.NHS.UK",
        "asha@Example.nhs.uk",
        " asha@example.nhs.uk",
    ]
    for n, spelling in enumerate(spellings):
        attempt(spelling, address=f"198.51.100.{n}")

    assert is_lockout_page(attempt(user.email, address="198.51.100.50"))


def test_an_address_locks_at_its_own_limit_even_when_each_try_is_another_account():
    limit = django_settings.AXES_ADDRESS_FAILURE_LIMIT
    assert limit == 50
    user = UserFactory()
    responses = [attempt(f"guess{n}@example.nhs.uk", address="192.0.2.66") for n in range(limit)]

    assert [r.status_code for r in responses[:-1]] == [200] * (limit - 1)
    assert is_lockout_page(responses[-1])
    assert is_lockout_page(attempt(user.email, TEST_PASSWORD, address="192.0.2.66"))
    elsewhere = attempt(user.email, TEST_PASSWORD, address="192.0.2.67")
    assert elsewhere.status_code == 302
    assert elsewhere.signed_in is True


def test_a_sign_in_before_the_limit_clears_the_account_count():
    user = UserFactory()
    fail(user.email, django_settings.AXES_FAILURE_LIMIT - 1)

    assert attempt(user.email, TEST_PASSWORD).signed_in is True
    again = fail(user.email, django_settings.AXES_FAILURE_LIMIT - 1)
    assert [r.status_code for r in again] == [200] * (django_settings.AXES_FAILURE_LIMIT - 1)
    assert attempt(user.email, TEST_PASSWORD).signed_in is True


def test_a_sign_in_does_not_clear_the_failures_counted_against_its_address():
    user = UserFactory()
    fail("someone-else@example.nhs.uk", 3, address="192.0.2.80")

    attempt(user.email, TEST_PASSWORD, address="192.0.2.80")

    assert AccessAttempt.objects.get(ip_address="192.0.2.80").failures_since_start == 3


def test_the_cool_off_lets_the_right_password_in_again_and_tries_while_locked_do_not_extend_it():
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail(user.email, django_settings.AXES_FAILURE_LIMIT)
        clock.shift(timedelta(minutes=10))
        assert is_lockout_page(attempt(user.email, TEST_PASSWORD))
        clock.shift(timedelta(minutes=4, seconds=59))
        assert is_lockout_page(attempt(user.email, TEST_PASSWORD))
        clock.shift(timedelta(seconds=2))
        response = attempt(user.email, TEST_PASSWORD)

    assert response.status_code == 302
    assert response.signed_in is True


def test_the_lockout_page_reads_the_same_for_a_known_and_an_unknown_address():
    known = UserFactory(email="known@example.nhs.uk")
    known_pages = fail(known.email, django_settings.AXES_FAILURE_LIMIT, address="192.0.2.1")
    unknown_pages = fail(
        "unknown@example.nhs.uk", django_settings.AXES_FAILURE_LIMIT, address="192.0.2.2"
    )

    assert is_lockout_page(known_pages[-1])
    assert is_lockout_page(unknown_pages[-1])
    assert known_pages[-1].content == unknown_pages[-1].content
    assert "known@example.nhs.uk" not in known_pages[-1].content.decode()


def test_the_lockout_page_is_plain_english_and_never_cached():
    response = fail("anyone@example.nhs.uk", django_settings.AXES_FAILURE_LIMIT)[-1]

    html = response.content.decode()
    assert "<h1>Your account is locked</h1>" in html
    assert LOCKED_TEXT in html
    assert "locked" in html
    assert "no-store" in response["Cache-Control"]


def test_failures_are_kept_for_superusers_without_the_password():
    fail("typo@example.nhs.uk", 2)

    assert AccessFailureLog.objects.filter(username="typo@example.nhs.uk").count() == 2
    stored = AccessAttempt.objects.get(username="typo@example.nhs.uk")
    assert stored.failures_since_start == 2
    assert WRONG_PASSWORD not in stored.post_data


# Unlocking


def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def test_a_superuser_unlocks_an_account_and_the_right_password_works_at_once():
    user = UserFactory()
    fail(user.email, django_settings.AXES_FAILURE_LIMIT)
    admin = sign_in(Client(), superuser())
    locked = AccessAttempt.objects.filter(username=user.email)

    page = admin.get(reverse(ATTEMPTS_ADMIN))
    assert page.status_code == 200
    assert user.email in page.content.decode()
    unlocked = admin.post(
        reverse(ATTEMPTS_ADMIN),
        {"action": "unlock", "_selected_action": list(locked.values_list("pk", flat=True))},
        follow=True,
    )

    assert "Unlocked 1 account and address: 1 failed attempt cleared." in unlocked.content.decode()
    assert not AccessAttempt.objects.filter(username=user.email).exists()
    assert attempt(user.email, TEST_PASSWORD).signed_in is True


def test_an_unlock_is_recorded_in_the_audit_trail_with_who_did_it():
    user = UserFactory()
    fail(user.email, django_settings.AXES_FAILURE_LIMIT)
    pk = AccessAttempt.objects.get(username=user.email).pk
    unlocker = superuser()

    sign_in(Client(), unlocker).post(
        reverse(ATTEMPTS_ADMIN), {"action": "unlock", "_selected_action": [pk]}
    )

    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(AccessAttempt),
        action=LogEntry.Action.DELETE,
    )
    assert [(entry.actor_id, entry.object_pk) for entry in entries] == [(unlocker.pk, str(pk))]
    assert WRONG_PASSWORD not in str(entries[0].changes)


def test_an_unlock_also_frees_a_locked_address():
    limit = django_settings.AXES_ADDRESS_FAILURE_LIMIT
    for n in range(limit):
        attempt(f"guess{n}@example.nhs.uk", address="192.0.2.66")
    user = UserFactory()
    admin = sign_in(Client(), superuser())

    admin.post(
        reverse(ATTEMPTS_ADMIN),
        {
            "action": "unlock",
            "_selected_action": [AccessAttempt.objects.filter(ip_address="192.0.2.66").first().pk],
        },
    )

    assert not AccessAttempt.objects.filter(ip_address="192.0.2.66").exists()
    assert attempt(user.email, TEST_PASSWORD, address="192.0.2.66").signed_in is True


def test_the_attempts_page_says_who_is_locked_until_when():
    fail("locked@example.nhs.uk", django_settings.AXES_FAILURE_LIMIT)
    fail("nearly@example.nhs.uk", 2, address="192.0.2.99")
    admin = sign_in(Client(), superuser())

    html = admin.get(reverse(ATTEMPTS_ADMIN)).content.decode()

    until = timezone.localtime(
        AccessAttempt.objects.get(username="locked@example.nhs.uk").attempt_time
    )
    until += django_settings.AXES_COOLOFF_TIME
    assert until.strftime("%-d %B %Y %H:%M") in html
    assert html.count("Not locked") == 1


@pytest.mark.parametrize("url_name", [ATTEMPTS_ADMIN, FAILURES_ADMIN])
def test_a_coordinator_cannot_see_the_lockout_pages(url_name):
    fail("someone@example.nhs.uk", 1)
    coordinator = sign_in(Client(), coordinator_of(OrganisationFactory()))

    assert coordinator.get(reverse(url_name)).status_code == 403
    assert "Access attempts" not in coordinator.get(reverse("admin:index")).content.decode()


def test_a_coordinator_cannot_unlock():
    user = UserFactory()
    fail(user.email, django_settings.AXES_FAILURE_LIMIT)
    coordinator = sign_in(Client(), coordinator_of(OrganisationFactory()))

    response = coordinator.post(
        reverse(ATTEMPTS_ADMIN),
        {"action": "unlock", "_selected_action": [AccessAttempt.objects.get().pk]},
    )

    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username=user.email).exists()


def test_nobody_changes_or_deletes_an_attempt_by_hand():
    fail("someone@example.nhs.uk", 1)
    pk = AccessAttempt.objects.get().pk
    admin = sign_in(Client(), superuser())

    assert (
        admin.post(
            reverse("admin:axes_accessattempt_delete", args=[pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    change = admin.get(reverse("admin:axes_accessattempt_change", args=[pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert AccessAttempt.objects.filter(pk=pk).exists()


# Where a request comes from


def request_from(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=remote, **extra)


def test_without_a_proxy_a_forwarded_for_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(request_from("192.0.2.5", "203.0.113.9")) == "192.0.2.5"


def test_behind_the_proxy_the_address_it_appended_is_used_not_what_the_client_claimed(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_address(request_from("10.0.0.2", "203.0.113.9")) == "203.0.113.9"
    assert client_address(request_from("10.0.0.2", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_address(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_address(request_from("10.0.0.2")) == "10.0.0.2"


def test_behind_the_proxy_each_client_is_counted_by_its_own_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    Client().post(
        reverse("login"),
        {"username": "guess@example.nhs.uk", "password": WRONG_PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]
