"""A coordinator signs in, imports a people spreadsheet through the admin, and sees the people."""

import pytest
from playwright.sync_api import expect

from mentoring.models import Person
from tests.browser import axe_violations, describe, sign_in
from tests.factories import IcbFactory, OrganisationFactory, coordinator_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE_CSV = (
    "email,first_name,last_name,profession,organisation_code,department,region,"
    "sectors,scope_of_practice,focus_areas,clinical_sessions_per_week\n"
    "ada.lovelace@example.nhs.uk,Ada,Lovelace,gp,Y90001,General practice,London,,,Leadership,4\n"
    "grace.hopper@example.nhs.uk,Grace,Hopper,pa,Y90001,General practice,London,,,,\n"
)


def test_a_coordinator_imports_people_and_sees_them_listed(live_server, page, tmp_path):
    icb = IcbFactory(code="QJY", name="NHS Journey ICB")
    OrganisationFactory(code="Y90001", name="Journey Surgery", parent=icb)
    coordinator_of(icb, email="chloe@example.nhs.uk", first_name="Chloe")
    spreadsheet = tmp_path / "people.csv"
    spreadsheet.write_text(PEOPLE_CSV)

    sign_in(page, live_server, "chloe@example.nhs.uk")

    page.get_by_role("link", name="Import people from a spreadsheet").click()
    expect(
        page.get_by_role("heading", name="Import the register from a spreadsheet")
    ).to_be_visible()
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.get_by_label("What the file contains").select_option(label="People")
    page.get_by_label("CSV file").set_input_files(spreadsheet)
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_text("people: 2 created, 0 updated, 0 unchanged")).to_be_visible()
    assert Person.objects.filter(organisation__code="Y90001").count() == 2

    page.goto(live_server.url + "/admin/mentoring/person/")
    people_table = page.locator("#result_list")
    expect(people_table.get_by_text("Ada Lovelace")).to_be_visible()
    expect(people_table.get_by_text("Grace Hopper")).to_be_visible()
    assert axe_violations(page) == [], describe(axe_violations(page))


def test_a_bad_spreadsheet_shows_every_problem_and_imports_nothing(live_server, page, tmp_path):
    icb = IcbFactory(code="QJZ")
    OrganisationFactory(code="Y90002", parent=icb)
    coordinator = coordinator_of(icb, email="cory@example.nhs.uk")
    spreadsheet = tmp_path / "people.csv"
    spreadsheet.write_text(PEOPLE_CSV.replace("Y90001", "Y90002").replace(",gp,", ",doctor,"))
    sign_in(page, live_server, coordinator.email)

    page.goto(live_server.url + "/admin/mentoring/import/")
    page.get_by_label("What the file contains").select_option(label="People")
    page.get_by_label("CSV file").set_input_files(spreadsheet)
    page.get_by_role("button", name="Import").click()

    alert = page.get_by_role("alert")
    assert "There is a problem with the file" in alert.inner_text()
    assert "line 2: profession: “doctor” is not one of" in alert.inner_text()
    assert not Person.objects.exists()
