"""A mentee on a scheme where mentees choose signs in, opens their shortlist and chooses a mentor
(by keyboard); the mentor signs in, sees the request with the mentee's contact details and
declines; the mentee is asked to choose again and chooses from a shortlist without that mentor.
The shortlist and mentorship pages pass axe-core's WCAG 2.2 AA checks."""

import re

import pytest
from playwright.sync_api import expect

from matching.models import MatchingPolicy, Mentorship
from tests.browser import assert_accessible, press, sign_in
from tests.factories import IcbFactory, OrganisationFactory, PersonFactory
from tests.schemes.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory, SchemeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def person(first, last, practice, **fields):
    return PersonFactory(
        user__email=f"{first.lower()}@example.nhs.uk",
        user__first_name=first,
        user__last_name=last,
        organisation=practice,
        **fields,
    )


def test_a_mentee_chooses_a_mentor_who_declines_and_chooses_again(live_server, page):
    icb = IcbFactory(name="NHS Choice ICB")
    practices = [OrganisationFactory(parent=icb, name=f"Practice {n}") for n in range(3)]
    scheme = SchemeFactory(owner=icb, name="Pharmacist mentoring")
    MatchingPolicy.objects.create(scheme=scheme, mode="choice", shortlist_size=3)
    for first, practice in (("Mona", 0), ("Nina", 2)):
        mentor = person(
            first,
            "Mentor",
            practices[practice],
            profile=f"{first}: ten years in community pharmacy, happy to help.",
            work_email=f"{first.lower()}.work@nhs.net",
            work_phone="020 7946 0000",
        )
        MentorEnrolmentFactory(scheme=scheme, person=mentor, capacity=2)
    enid = person(
        "Enid", "Mentee", practices[1], work_email="enid.work@nhs.net", work_phone="07700 900123"
    )
    MenteeEnrolmentFactory(scheme=scheme, person=enid)

    # The mentee finds her shortlist from the menu.
    sign_in(page, live_server, "enid@example.nhs.uk")
    page.get_by_role("link", name="Mentoring", exact=True).click()
    expect(page.get_by_role("heading", name="My mentoring")).to_be_visible()
    page.get_by_role("link", name="Choose a mentor on Pharmacist mentoring").click()
    expect(page.get_by_role("heading", name="Choose a mentor", exact=True)).to_be_visible()
    expect(page.get_by_text("Mona: ten years in community pharmacy")).to_be_visible()
    expect(page.get_by_text("mona.work@nhs.net")).to_have_count(0)
    assert_accessible(page)

    # Sending without a choice: the summary says what is missing and links to the radios.
    press(page, page.get_by_role("button", name="Choose this mentor"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    summary.get_by_role("link", name="Select the mentor you would like").click()
    expect(page.get_by_label("Mona Mentor")).to_be_focused()

    # Choosing by keyboard: Space on the radio, Enter on the button.
    press(page, page.get_by_label("Mona Mentor"), "Space")
    expect(page.get_by_label("Mona Mentor")).to_be_checked()
    press(page, page.get_by_role("button", name="Choose this mentor"))
    page.wait_for_url(re.compile(r"/mentorships/\d+/$"))
    expect(page.get_by_text("You chose Mona Mentor.")).to_be_visible()
    expect(page.get_by_role("heading", name="Your mentor: Mona Mentor")).to_be_visible()
    expect(page.get_by_role("link", name="mona.work@nhs.net")).to_be_visible()
    assert_accessible(page)

    # The mentor sees the request with the mentee's contact details, and declines.
    sign_in(page, live_server, "mona@example.nhs.uk")
    page.get_by_role("link", name="Mentoring", exact=True).click()
    expect(page.get_by_text("Waiting for your answer")).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Enid Mentee (mentorship on Pharmacist mentoring)"))
    expect(page.get_by_role("heading", name="Your mentee: Enid Mentee")).to_be_visible()
    expect(page.get_by_role("link", name="enid.work@nhs.net")).to_be_visible()
    expect(page.get_by_text("07700 900123")).to_be_visible()
    expect(page.get_by_role("link", name="Ask for a different mentor")).to_have_count(0)
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Decline the match"))
    page.wait_for_url(live_server.url + "/mentorships/")
    expect(page.get_by_text("You declined the match.")).to_be_visible()
    assert Mentorship.objects.get().status == "ended"

    # The mentee is asked to choose again; Mona is no longer offered.
    sign_in(page, live_server, "enid@example.nhs.uk")
    page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(page.get_by_text("Choose a mentor from your shortlist")).to_be_visible()
    page.get_by_role("link", name="Mentoring", exact=True).click()
    expect(page.get_by_text("Mentorships that have ended")).to_be_visible()
    page.get_by_role("link", name="Choose a mentor on Pharmacist mentoring").click()
    expect(page.get_by_role("heading", name="Choose a mentor", exact=True)).to_be_visible()
    expect(page.get_by_label("Mona Mentor")).to_have_count(0)
    assert_accessible(page)
    press(page, page.get_by_label("Nina Mentor"), "Space")
    press(page, page.get_by_role("button", name="Choose this mentor"))
    page.wait_for_url(re.compile(r"/mentorships/\d+/$"))
    expect(page.get_by_role("heading", name="Your mentor: Nina Mentor")).to_be_visible()
    expect(page.get_by_text("We are waiting for Nina Mentor to answer.")).to_be_visible()
    assert_accessible(page)
    assert Mentorship.objects.filter(status="proposed").count() == 1
