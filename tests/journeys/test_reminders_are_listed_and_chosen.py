"""A reminder reaches the notification list; its reader chooses, by keyboard, which reminders are
e-mailed and that they come once a day; the coordinator sees the job's last run and the message
among the notifications for their schemes. Every page clean under axe-core."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentoring.models import NotificationPreference
from mentoring.reminders import run_job
from tests.browser import assert_accessible, press, sign_in
from tests.factories import IcbFactory, coordinator_of
from tests.schemes.factories import MentorEnrolmentFactory, SchemeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reminder_is_listed_its_reader_chooses_and_the_coordinator_sees_the_job(
    live_server, page
):
    icb = IcbFactory(name="North Moor ICB")
    coordinator = coordinator_of(icb, is_staff=True, email="coordinator@example.nhs.uk")
    today = timezone.localdate()
    scheme = SchemeFactory(
        owner=icb, name="North Moor GP mentoring", starts_on=today - datetime.timedelta(days=90)
    )
    enrolment = MentorEnrolmentFactory(
        scheme=scheme,
        eligible_until=today + datetime.timedelta(days=12),
        person__user__email="mentor@example.nhs.uk",
    )
    moment = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    run = run_job("warn-eligibility-ending", at=moment)
    assert run.sent >= 2

    sign_in(page, live_server, enrolment.person.user.email)
    page.goto(live_server.url + "/notifications/")
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    reminder = page.locator(".app-notification").first
    expect(reminder).to_contain_text("North Moor GP mentoring")
    expect(reminder.get_by_text("Unread")).to_be_visible()
    assert_accessible(page)

    press(page, page.get_by_role("link", name="Choose which reminders we e-mail you"))
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()
    assert_accessible(page)
    choices = page.get_by_role("group", name="Which reminders should we e-mail you?")
    first_box = choices.get_by_role("checkbox").first
    expect(first_box).to_be_checked()
    first_label = first_box.evaluate("box => box.labels[0].innerText")
    press(page, first_box, " ")
    expect(first_box).not_to_be_checked()
    press(page, page.get_by_role("radio", name="Send one e-mail a day with all of them"), " ")
    press(page, page.get_by_role("button", name="Save settings"))
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name=first_label.strip())).not_to_be_checked()
    assert_accessible(page)
    preference = NotificationPreference.objects.get(user=enrolment.person.user)
    assert preference.delivery == "daily"
    assert len(preference.muted) == 1

    sign_in(page, live_server, coordinator.email)
    page.goto(live_server.url + "/admin/")
    press(page, page.get_by_role("link", name="Scheduled jobs, their last run and outcome"))
    table = page.get_by_role("table", name="Scheduled jobs and their last run")
    row = table.get_by_role("row").filter(has_text="warn-eligibility-ending")
    expect(row).to_contain_text("Succeeded")
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Notifications sent for your schemes").first)
    expect(page.locator("#result_list")).to_contain_text(scheme.slug)
    assert_accessible(page)
