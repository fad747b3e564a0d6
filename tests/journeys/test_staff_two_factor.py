"""A coordinator's first sign-in sets up an authenticator app (reading the key as text, as someone
who cannot scan a QR code would), saves backup codes, signs out, signs in with password and code,
reaches the admin — and later, after too many wrong passwords, is locked out. Keyboard only, and
every two-factor page clean under axe-core."""

from base64 import b32decode

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser import assert_accessible, press, type_into
from tests.factories import TEST_PASSWORD, IcbFactory, coordinator_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "clara.coordinator@example.nhs.uk"


def code_for(secret_text: str) -> str:
    """The code an authenticator app shows now for the key as the page printed it."""
    secret = secret_text.replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def sign_in_with_password(page, live_server, password: str = TEST_PASSWORD) -> None:
    page.goto(live_server.url + "/accounts/login/")
    type_into(page, page.get_by_label("Email address"), EMAIL)
    type_into(page, page.get_by_label("Password", exact=True), password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_out(page, live_server) -> None:
    page.goto(live_server.url + "/")
    press(page, page.get_by_role("button", name="Sign out"))
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_a_coordinator_sets_up_two_factor_signs_in_with_a_code_and_is_locked_out(live_server, page):
    coordinator_of(IcbFactory(), email=EMAIL)

    # First sign-in: sent to set up an app.
    sign_in_with_password(page, live_server)
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/setup/**")
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#secret-key").inner_text()

    # A wrong code first: the error is by the field.
    wrong = f"{(int(code_for(secret)) + 1) % 1_000_000:06d}"
    type_into(page, page.get_by_label("Code", exact=True), wrong)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#error-for-id_code, .nhsuk-error-message").first).to_contain_text(
        "The code is not right"
    )
    assert_accessible(page)

    # django-otp slows guessing after a wrong code: the next try waits out the 1 s throttle.
    page.wait_for_timeout(1100)
    type_into(page, page.get_by_label("Code", exact=True), code_for(secret))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/backup-codes/**")
    expect(page.get_by_role("heading", name="Backup codes")).to_be_visible()
    expect(
        page.get_by_role("list", name="Your backup codes").get_by_role("listitem")
    ).to_have_count(10)
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Continue"))
    page.wait_for_url(live_server.url + "/")

    # The "already set up" page, reached from My details.
    press(page, page.get_by_role("link", name="My details"))
    press(page, page.get_by_role("link", name="Set up or check two-factor authentication"))
    expect(page.get_by_role("heading", name="Two-factor authentication is set up")).to_be_visible()
    assert_accessible(page)
    sign_out(page, live_server)

    # Second sign-in: password, then a code. The app's next code would come with the next 30 s
    # step; rather than wait, let the device accept this step's code again.
    TOTPDevice.objects.filter(user__email=EMAIL).update(last_t=-1)
    sign_in_with_password(page, live_server)
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/?**")
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    assert_accessible(page)
    type_into(page, page.get_by_label("Code", exact=True), code_for(secret))
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    press(page, page.get_by_role("link", name="Admin", exact=True))
    page.wait_for_url(live_server.url + "/admin/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # The page that asks again before sensitive actions.
    page.goto(live_server.url + "/accounts/two-factor/confirm/?next=/admin/")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    assert_accessible(page)
    sign_out(page, live_server)

    # Too many wrong passwords: then even the right one is refused, and the page says why.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_with_password(page, live_server, password="not-the-password-at-all")
    sign_in_with_password(page, live_server)
    expect(page.locator("main")).to_contain_text("locked")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(page)
