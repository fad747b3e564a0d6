"""The pages around a payment with data on them — the finance home's ledger and chart with
allocations and an approved run, the run itself, a mentor's remittances and claims — are clean
under axe-core and reachable by keyboard from the menu."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from reimbursement import claims, runs
from reimbursement.models import BudgetAllocation
from schemes.presets import financial_year_start
from tests.browser import assert_accessible, press, sign_in
from tests.reimbursement.scene import ClaimScene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_finance_home_run_and_remittance_pages_pass_axe_with_data(live_server, page):
    scene = ClaimScene()
    period = runs.previous_month()
    BudgetAllocation.objects.create(
        scheme=scene.scheme,
        quarter_start=financial_year_start(period),
        amount=Decimal("12000.00"),
        note="Initial fair shares allocation",
    )
    scene.approved(claims.week_of(period + datetime.timedelta(days=7)))
    run = runs.approve_run(
        run=runs.build_run(organisation=scene.icb, period=period).run, by=scene.finance
    )

    sign_in(page, live_server, scene.finance.email)
    press(page, page.get_by_role("link", name="Finance", exact=True))
    expect(page.get_by_role("heading", name="Budget ledgers")).to_be_visible()
    expect(page.get_by_role("img").first).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("link", name=run.reference).first)
    expect(page.get_by_role("heading", name=f"Payment run {run.reference}")).to_be_visible()
    assert_accessible(page)

    sign_in(page, live_server, scene.mentor_user.email)
    page.goto(live_server.url + "/claims/")
    expect(page.get_by_role("heading", name="Your claims")).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + "/claims/remittances/")
    expect(page.get_by_role("heading", name="My remittances")).to_be_visible()
    expect(page.get_by_text(run.reference).first).to_be_visible()
    assert_accessible(page)
