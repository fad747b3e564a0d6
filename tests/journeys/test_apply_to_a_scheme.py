"""A GP on the register signs in, finds the GP scheme, applies as a mentor through the web form
(by keyboard), is shown what is missing, and then sees the verdict with the failing rule's reason
in plain words. The form, the verdict and the other scheme pages pass axe-core's WCAG 2.2 AA
checks."""

import re

import pytest
from playwright.sync_api import expect

from mentoring.models import FocusArea
from schemes.models import Application
from tests.browser import assert_accessible, sign_in
from tests.schemes.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory
from tests.schemes.world import gp_mentor, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_gp_applies_as_a_mentor_and_sees_why_they_do_not_meet_the_rules(live_server, page):
    ics = world()
    FocusArea.objects.create(name="Leadership")
    gp = gp_mentor(ics["practice"], sessions="2", email="gill.gp@example.nhs.uk")

    sign_in(page, live_server, "gill.gp@example.nhs.uk")

    page.get_by_role("link", name="See your schemes and applications").click()
    page.get_by_role("link", name="GP Supporting Mentors Scheme", exact=True).click()
    expect(page.get_by_role("heading", name="GP Supporting Mentors Scheme")).to_be_visible()
    expect(page.get_by_text("At least 3 clinical sessions a week")).to_be_visible()
    page.get_by_role("link", name="Apply as a mentor").click()

    expect(page.get_by_role("heading", name="Apply as a mentor")).to_be_visible()
    assert_accessible(page)

    # Sending it half-filled: the summary at the top lists what is missing, by the field.
    page.get_by_label("Your statement of motivation").fill("I want to support new GPs.")
    page.get_by_label("How many clinical sessions do you work a week?").fill("-2")
    page.get_by_role("button", name="Submit application").focus()
    page.keyboard.press("Enter")

    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error: ")
    assert "The number of clinical sessions cannot be less than 0" in summary.inner_text()
    assert "Enter your mentoring plan" in summary.inner_text()
    expect(summary).to_be_focused()
    assert not Application.objects.exists()
    assert_accessible(page)

    summary.get_by_role("link", name="Enter your mentoring plan").click()
    expect(page.get_by_label("Your mentoring plan")).to_be_focused()

    # Now complete it, by keyboard: radios and checkboxes with Space, sending with Enter.
    page.get_by_label("How many clinical sessions do you work a week?").fill("2")
    page.get_by_label("Yes, I intend to do one additional weekly session of mentoring").focus()
    page.keyboard.press("Space")
    page.get_by_label("Leadership").focus()
    page.keyboard.press("Space")
    page.get_by_label("How many mentees would you like to take?").fill("5")
    page.get_by_label("Your mentoring plan").fill("An hour every four weeks with each fellow.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Submit application")).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    expect(page.get_by_text("has been sent to its coordinators")).to_be_visible()
    expect(
        page.get_by_role("heading", name="You do not meet all the scheme's rules yet")
    ).to_be_visible()
    expect(
        page.get_by_text("Works 2 clinical sessions a week (at least 3 needed).").first
    ).to_be_visible()
    expect(page.get_by_text("Not met", exact=True)).to_be_visible()
    assert_accessible(page)

    application = Application.objects.get(person=gp)
    assert application.preferred_mentees == 5
    assert [area.name for area in application.focus_areas.all()] == ["Leadership"]
    assert not application.eligibility_check.eligible


def test_the_scheme_pages_a_coordinator_and_a_mentee_use_pass_axe(live_server, page):
    ics = world()
    gp_scheme = ics["schemes"]["gp-supporting-mentors"]
    leadership = FocusArea.objects.create(name="Leadership")
    for n in range(3):
        mentor = gp_mentor(ics["practice"], email=f"mentor{n}@example.nhs.uk")
        mentor.profile = "I have mentored GP fellows for five years."
        mentor.save()
        mentor.focus_areas.set([leadership])
        MentorEnrolmentFactory(scheme=gp_scheme, person=mentor, capacity=4 + n)
    mentee = MenteeEnrolmentFactory(
        scheme=gp_scheme, person__user__email="fellow@example.nhs.uk"
    ).person

    sign_in(page, live_server, ics["coordinator"].email)
    page.goto(live_server.url + "/schemes/")
    assert_accessible(page)
    page.get_by_role("link", name="Mentor register for GP Supporting Mentors Scheme").click()
    expect(page.get_by_role("heading", name="Mentor register")).to_be_visible()
    assert_accessible(page)

    # Filtering by keyboard: type a capacity, then send the GET form with Enter.
    page.get_by_label("Takes at least this many mentees").fill("5")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"capacity=5"))
    expect(page.get_by_role("heading", name="2 mentors match your filters")).to_be_visible()
    assert page.title().startswith("Mentor register: 2 mentors")
    assert_accessible(page)
    page.get_by_label("Takes at least this many mentees").fill("many")
    page.keyboard.press("Enter")
    page.locator(".nhsuk-error-summary").wait_for()
    assert_accessible(page)

    page.goto(live_server.url + f"/schemes/{gp_scheme.slug}/")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, live_server, mentee.user.email)
    page.goto(live_server.url + "/schemes/")
    page.get_by_role("link", name="Read the mentors' profiles").click()
    expect(page.get_by_text("I have mentored GP fellows for five years.").first).to_be_visible()
    assert_accessible(page)
