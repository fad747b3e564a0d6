"""A coordinator opens the reports, picks the financial year, opens a scheme's monitoring return,
follows figures to the records behind them (in the admin, and the report's own list), downloads the spreadsheet and reads the evaluation —
by keyboard, every page (charts included) clean under axe-core."""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, press, sign_in
from tests.reporting.test_monitoring import gp_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = "2025/26 (April 2025 to March 2026)"


def test_a_coordinator_opens_the_return_follows_a_figure_and_downloads_the_xlsx(
    live_server, page, tmp_path
):
    history = gp_history()
    history.coordinator.is_staff = True
    history.coordinator.save()
    scheme = history.scheme

    sign_in(page, live_server, history.coordinator.email)
    press(page, page.get_by_role("link", name="Reports", exact=True))
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    assert_accessible(page)

    press(page, page.get_by_role("link", name=YEAR))
    table = page.get_by_role("table", name=re.compile("Headline figures"))
    expect(table).to_contain_text(scheme.name)
    press(page, table.get_by_role("link", name=scheme.name))
    expect(page.get_by_role("heading", name=f"{scheme.name}: monitoring return")).to_be_visible()
    expect(page.get_by_text(f"Showing {YEAR}.")).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile("Matches made and sessions held"))
    ).to_be_visible()
    assert_accessible(page)

    matches = page.get_by_role("link", name=re.compile("see the records: matches made"))
    count = matches.inner_text().split()[0]
    report_url = page.url
    press(page, matches)
    expect(page.locator("#result_list tbody tr")).to_have_count(int(count))
    page.goto(report_url)
    waiting = page.get_by_role("link", name=re.compile("see the records: mentees waiting"))
    count = waiting.inner_text().split()[0]
    press(page, waiting)
    expect(page.get_by_role("heading", name="Mentees waiting")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(int(count))
    assert_accessible(page)
    page.goto(report_url)

    with page.expect_download() as download:
        press(page, page.get_by_role("link", name=re.compile("as a spreadsheet")))
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.endswith(".xlsx") and scheme.slug in saved.name
    workbook = openpyxl.load_workbook(saved)
    assert "Matches" in workbook.sheetnames

    press(page, page.get_by_role("link", name=re.compile("Evaluation from the surveys")))
    expect(page.get_by_role("heading", name=f"{scheme.name}: evaluation")).to_be_visible()
    assert_accessible(page)
