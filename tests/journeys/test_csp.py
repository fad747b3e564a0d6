"""Every part of the service works under its Content Security Policy (no inline script, no inline
style): a representative page of each app, opened in Chromium as the role that uses it — sign-in,
home, a scheme, a shortlist, a session form, finance, a report with its charts, and the admin's
index, a list and a change form — raises no "Refused to …" console message and no
``securitypolicyviolation`` event, and passes axe-core.

People are signed in with a session made by ``tests.auth.sign_in`` (staff with a verified second
factor), so this test is about the pages, not the sign-in journey.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from matching.models import MatchingPolicy
from reimbursement import claims, runs
from tests import auth
from tests.browser import assert_accessible, press
from tests.factories import UserFactory
from tests.reimbursement.scene import ClaimScene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in the page before its own scripts (through DevTools, so the policy does not apply to it).
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
        `at ${event.sourceFile}:${event.lineNumber}`
    );
});
"""


class PolicyWatch:
    """What the browser refused on the page under the service's policy."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.on("console", self._console)
        page.add_init_script(WATCH)

    def _console(self, message):
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            self.console.append(message.text)

    def refused(self) -> list[str]:
        return self.console + self.page.evaluate("window.__cspViolations || []")

    def assert_nothing_refused(self, where: str = "") -> None:
        refused = self.refused()
        assert refused == [], f"{where or self.page.url}:\n" + "\n".join(refused)

    def visit(self, url: str, heading: str | re.Pattern, *, axe: bool = True):
        """Open ``url``, wait for its heading and its scripts, and check the policy and axe."""
        self.console.clear()
        response = self.page.goto(url)
        assert response.status == 200, f"{url}: {response.status}"
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(self.page.get_by_role("heading", name=heading, level=1).first).to_be_visible()
        self.page.wait_for_load_state("networkidle")
        self.assert_nothing_refused(url)
        if axe:
            assert_accessible(self.page)
            self.forget()

    def forget(self) -> None:
        """Forget what was refused so far: axe-core adds a <style> element of its own while it
        checks, which the policy rightly refuses, and which is no fault of the page's."""
        self.console.clear()
        self.page.evaluate("window.__cspViolations = []")


def signed_in(page, live_server, user, *, verified: bool = True) -> None:
    """The browser carries a session of ``user`` made as the tests' client makes one."""
    client = auth.sign_in(Client(), user, verified=verified)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def scene():
    """A paid scheme where mentees choose: Mona mentors Enid, with a session held and a claim
    paid in an approved run; Nora is still choosing."""
    scene = ClaimScene()
    MatchingPolicy.objects.filter(scheme=scene.scheme).update(mode="choice", shortlist_size=3)
    scene.nora = scene.mentee("Nora Newcomer")
    period = runs.previous_month()
    day = claims.week_of(period + datetime.timedelta(days=7))
    scene.session = scene.held_on(day)
    scene.approved(day)
    scene.run = runs.approve_run(
        run=runs.build_run(organisation=scene.icb, period=period).run, by=scene.finance
    )
    return scene


def test_the_watch_sees_an_inline_style_the_policy_refuses(live_server, page):
    watch = PolicyWatch(page)
    page.goto(live_server.url + reverse("login"))

    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")

    page.wait_for_function("window.__cspViolations.length > 0")
    assert any("style-src" in refusal for refusal in watch.refused())


def test_the_public_and_members_pages_run_under_the_policy(live_server, page, scene):
    watch = PolicyWatch(page)
    url = live_server.url

    watch.visit(url + reverse("login"), "Sign in")

    signed_in(page, live_server, scene.nora.person.user)
    watch.visit(url + reverse("home"), re.compile(""))
    watch.visit(url + reverse("scheme_detail", args=[scene.scheme.slug]), scene.scheme.name)
    watch.visit(url + reverse("shortlist", args=[scene.scheme.slug]), "Choose a mentor")

    signed_in(page, live_server, scene.mentor_user)
    watch.visit(
        url + reverse("session_plan", args=[scene.pair_.pk]),
        re.compile("^Plan a session with"),
    )
    watch.visit(url + reverse("session_record", args=[scene.session.pk]), re.compile(""))
    watch.visit(url + reverse("my_claims"), "Your claims")


def test_the_two_factor_pages_run_under_the_policy(live_server, page, scene):
    """Setting up an authenticator app (with its QR code, an inline SVG) and entering a code."""
    watch = PolicyWatch(page)
    url = live_server.url

    signed_in(page, live_server, UserFactory(is_staff=True), verified=False)
    watch.visit(url + reverse("two_factor_setup"), "Set up two-factor authentication")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()

    auth.totp_device(scene.finance)
    signed_in(page, live_server, scene.finance, verified=False)
    watch.visit(url + reverse("two_factor_verify"), "Enter your security code")


def test_the_finance_and_report_pages_run_under_the_policy(live_server, page, scene):
    watch = PolicyWatch(page)
    url = live_server.url

    signed_in(page, live_server, scene.finance)
    watch.visit(url + reverse("finance_home"), "Payments to mentors")
    watch.visit(
        url + reverse("payment_run_detail", args=[scene.run.reference]),
        f"Payment run {scene.run.reference}",
    )

    signed_in(page, live_server, scene.coordinator)
    watch.visit(url + reverse("reports_home"), "Reports")
    watch.visit(
        url + reverse("scheme_report", args=[scene.scheme.slug]),
        f"{scene.scheme.name}: monitoring return",
    )


def test_the_admin_runs_under_the_policy(live_server, page, scene):
    """The person change form is checked for the policy only: axe finds faults in Django's own
    widgets there (a tabular inline's inputs have no labels; the filter_horizontal box's
    tooltips carry a prohibited aria-label), which are not this page's to fix. The training
    record form, with the admin's autocomplete, date pickers and file input, is checked for both."""
    watch = PolicyWatch(page)
    url = live_server.url

    signed_in(page, live_server, scene.coordinator)
    watch.visit(url + reverse("admin:index"), "Coordinators' admin")
    watch.visit(url + reverse("admin:mentoring_person_changelist"), re.compile("person"))
    watch.visit(
        url + reverse("admin:mentoring_person_change", args=[scene.mona.person.pk]),
        "Change person",
        axe=False,
    )
    press(page, page.get_by_role("button", name="Add another Training record"))
    expect(page.locator("#id_training_records-1-kind")).to_be_visible()
    watch.assert_nothing_refused()

    watch.visit(
        url + reverse("admin:mentoring_trainingrecord_change", args=[scene.training.pk]),
        "Change training record",
    )
    press(page, page.get_by_role("link", name="Choose a Date").first)
    expect(page.locator(".calendarbox").first).to_be_visible()
    page.keyboard.press("Escape")
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-search__field")).to_be_visible()
    watch.assert_nothing_refused()
    watch.visit(url + reverse("admin:mentoring_import"), "Import the register from a spreadsheet")
