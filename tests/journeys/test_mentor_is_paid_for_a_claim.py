"""A mentor claims last month's week online (the session they held comes from the log), a
coordinator approves it in the admin, finance builds the month's run, approves it and downloads
the payment file — by keyboard and labels, every page clean under axe-core."""

import csv
import datetime
import io

import pytest
from playwright.sync_api import expect

from reimbursement import claims, runs
from reimbursement.models import Claim, PaymentRun
from tests.browser import assert_accessible, sign_in, type_into
from tests.reimbursement.scene import ClaimScene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentor_claims_a_coordinator_approves_and_finance_pays(live_server, page):
    scene = ClaimScene()
    period = runs.previous_month()
    monday = claims.week_of(period + datetime.timedelta(days=7))
    scene.held_on(monday + datetime.timedelta(days=1))
    scene.mona.person.payee_reference = "=SUPPLIER-0042"
    scene.mona.person.save()

    # The mentor claims the week: the session held that week is shown before sending.
    sign_in(page, live_server, "mona@example.nhs.uk")
    page.get_by_role("link", name="Claim your mentoring payments and see your remittances").click()
    expect(page.get_by_role("heading", name="Your claims")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Make a claim").click()
    expect(page.get_by_role("heading", name="Make a claim")).to_be_visible()
    type_into(page, page.get_by_label("Day"), str(monday.day))
    type_into(page, page.get_by_label("Month"), str(monday.month))
    type_into(page, page.get_by_label("Year"), str(monday.year))
    page.get_by_role("button", name="Show the sessions I held that week").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("60 minutes").first).to_be_visible()
    assert_accessible(page)
    type_into(
        page,
        page.get_by_label("What did you use the time for?"),
        "Prepared the session and wrote up the actions.",
    )
    page.get_by_role("button", name="Send the claim").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Submitted").first).to_be_visible()
    assert_accessible(page)
    claim = Claim.objects.get()
    assert (claim.period_start, claim.sessions.count()) == (monday, 1)

    # The coordinator approves it in the admin.
    sign_in(page, live_server, scene.coordinator.email)
    page.goto(live_server.url + "/admin/reimbursement/claim/")
    assert_accessible(page)
    page.locator("#result_list").get_by_role("checkbox").last.check()
    page.get_by_label("Action:").select_option(label="Approve selected claims")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("1 claim(s) approved.")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == "approved" and str(claim.amount) == "289.00"

    # Finance builds last month's run, approves it and downloads the payment file.
    sign_in(page, live_server, scene.finance.email)
    page.get_by_role("link", name="Finance", exact=True).click()
    expect(page.get_by_role("heading", name="Payments to mentors")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_label("Month to pay")).to_have_value(period.strftime("%Y-%m"))
    page.get_by_role("button", name="Build the run").focus()
    page.keyboard.press("Enter")
    reference = f"PR-{scene.icb.code}-{period:%Y-%m}"
    expect(page.get_by_text(f"{reference} is built: 1 claim, £289.00.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Payment run {reference}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=f"Approve {reference}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=f"Payment file for {reference} (CSV)")).to_be_visible()
    assert_accessible(page)
    assert PaymentRun.objects.get().status == "approved"

    with page.expect_download() as download:
        page.get_by_role("link", name=f"Payment file for {reference} (CSV)").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["run_reference", "period", "payee_reference"]
    assert rows[1][:4] == [reference, period.strftime("%Y-%m"), "'=SUPPLIER-0042", "Mona Mentor"]
    assert rows[1][-1] == "289.00"
    assert rows[2][2] == "TOTAL" and rows[2][-1] == "289.00"
