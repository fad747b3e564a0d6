"""A mentor signs in, plans a session with their mentee (first making a mistake in its length),
logs it as held and fills in the session record, all by keyboard and by the labels on the page;
the mentorship becomes active. Every page passes axe-core's WCAG 2.2 AA checks."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matching import services as matching
from matching.models import Mentorship
from sessions_log.models import FormResponse, MentoringSession
from tests.browser import assert_accessible, press, sign_in, type_into
from tests.sessions_log.sessions_scene import SessionScene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentor_plans_a_session_logs_it_as_held_with_the_record_and_the_match_starts(
    live_server, page
):
    scene = SessionScene()
    mona, enid = scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee")
    mentorship = matching.create_mentorship(
        mentors=[mona], mentees=[enid], source="manual", by=None, mentee_accepted=True
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    # From My mentoring to the mentorship's sessions.
    sign_in(page, live_server, "mona@example.nhs.uk")
    page.get_by_role("link", name="Mentoring", exact=True).click()
    press(page, page.get_by_role("link", name="Enid Mentee (mentorship on"))
    press(page, page.get_by_role("link", name="Plan and log your sessions"))
    expect(page.get_by_role("heading", name="Sessions with Enid Mentee")).to_be_visible()
    expect(page.get_by_text("No sessions are planned.")).to_be_visible()
    assert_accessible(page)

    # Planning: a length of 0 minutes is refused, with the summary linking to the box.
    press(page, page.get_by_role("button", name="Plan a session"))
    expect(page.get_by_role("heading", name="Plan a session with Enid Mentee")).to_be_visible()
    assert_accessible(page)
    type_into(page, page.get_by_label("Day"), str(yesterday.day))
    type_into(page, page.get_by_label("Month"), str(yesterday.month))
    type_into(page, page.get_by_label("Year"), str(yesterday.year))
    type_into(page, page.get_by_label("Start time"), "10:00")
    type_into(page, page.get_by_label("Length in minutes"), "0")
    press(page, page.get_by_label("Video call"), "Space")
    type_into(page, page.get_by_label("Where (optional)"), "https://meet.example.nhs.uk/mona")
    press(page, page.get_by_role("button", name="Plan the session"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter a length from 1 to 480 minutes.").click()
    expect(page.get_by_label("Length in minutes")).to_be_focused()
    assert not MentoringSession.objects.exists()

    type_into(page, page.get_by_label("Length in minutes"), "60")
    press(page, page.get_by_role("button", name="Plan the session"))
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    expect(
        page.get_by_text("Session planned. We have emailed Enid Mentee with a calendar file.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Add to your calendar")).to_be_visible()
    assert_accessible(page)

    # Logging it as held.
    press(page, page.get_by_role("button", name="Log what happened"))
    expect(page.get_by_role("heading", name=re.compile("^Log the session on"))).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_label("The session was held"), "Space")
    press(page, page.get_by_role("button", name="Save what happened"))
    page.wait_for_url(re.compile(r"/sessions/\d+/record/$"))
    expect(page.get_by_text("The session is logged as held.")).to_be_visible()
    assert Mentorship.objects.get(pk=mentorship.pk).status == Mentorship.Status.ACTIVE

    # The session record: completing it without the required agenda says what is missing.
    expect(page.get_by_role("heading", name="Mentoring template document")).to_be_visible()
    assert_accessible(page)
    type_into(
        page,
        page.get_by_label("What has happened since the last session?"),
        "Started on the duty rota.",
    )
    press(page, page.get_by_role("button", name="Save and mark as completed"))
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.locator(".nhsuk-error-summary").get_by_role("link", name="Answer this question").click()
    expect(page.get_by_label("Planned agenda")).to_be_focused()
    page.keyboard.type("Settling in; the duty doctor rota.")
    type_into(
        page,
        page.get_by_label("What issues for action have been identified this session?"),
        "Ask for a named clinical supervisor on duty days.",
    )
    press(page, page.get_by_role("button", name="Save and mark as completed"))
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    expect(page.get_by_text("The session record is saved and completed.")).to_be_visible()
    expect(page.get_by_text("Settling in; the duty doctor rota.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Completed on "))).to_be_visible()
    assert_accessible(page)

    record = FormResponse.objects.get()
    assert record.status == FormResponse.Status.SUBMITTED
    assert record.answers["planned_agenda"] == "Settling in; the duty doctor rota."

    # The match has started.
    page.goto(live_server.url + f"/mentorships/{mentorship.pk}/")
    expect(
        page.get_by_text(
            f"Your mentorship started with your first meeting on {yesterday.day} {yesterday:%B %Y}."
        )
    ).to_be_visible()
    assert_accessible(page)
