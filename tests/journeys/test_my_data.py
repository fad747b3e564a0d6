"""A mentor finds her data from "My details", by keyboard, reads what is held and downloads it
as JSON and as a PDF; the page passes axe-core's WCAG 2.2 AA checks."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, press, sign_in
from tests.factories import RegistrationFactory
from tests.matching.pairs import Scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentor_finds_reads_and_downloads_her_data(live_server, page):
    scene = Scene()
    mona = scene.mentor("Mona Mentor")
    RegistrationFactory(person=mona.person, number="7123456")

    sign_in(page, live_server, "mona@example.nhs.uk")
    page.goto(f"{live_server.url}/me/")
    press(page, page.get_by_role("link", name="See and download all the data we hold about you"))

    expect(page).to_have_url(f"{live_server.url}/me/data/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    expect(page.get_by_text("Professional registrations")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as as_json:
        press(page, page.get_by_role("link", name="Download your data as JSON"))
    with open(as_json.value.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["email"] == "mona@example.nhs.uk"
    assert data["sections"]["registrations"][0]["number"] == "7123456"

    with page.expect_download() as as_pdf:
        press(page, page.get_by_role("link", name="Download your data as a PDF"))
    with open(as_pdf.value.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"
