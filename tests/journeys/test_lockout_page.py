"""Someone who keeps typing the wrong password, by keyboard, reaches the lockout page: it says
plainly what happened and what to do, and passes axe-core's WCAG 2.2 AA checks. A session that
ran out lands on the sign-in page with the reason, also accessible."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import assert_accessible, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lockout_page_is_plain_and_accessible(live_server, page):
    user = UserFactory()
    page.goto(live_server.url + "/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password", exact=True).fill("not-the-password-at-all")
        page.keyboard.press("Enter")
        page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is locked")
    expect(page.get_by_text("Try again in 15 minutes, or ask an administrator")).to_be_visible()
    assert_accessible(page)


def test_the_signed_out_message_on_the_sign_in_page_is_accessible(live_server, page):
    user = UserFactory()
    sign_in(page, live_server, user.email)

    with time_machine.travel(timezone.now() + timedelta(hours=8, minutes=1)):
        page.goto(live_server.url + "/")

    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(
        page.get_by_text("You were signed out because you had not used the service")
    ).to_be_visible()
    assert_accessible(page)
