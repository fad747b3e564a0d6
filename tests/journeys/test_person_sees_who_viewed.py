"""A coordinator opens a mentor's registration in the admin; the mentor, from "My details",
follows the link to who has viewed their record and finds that view — and not their own — on a
page that is clean under axe-core and reached by keyboard."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import assert_accessible, press, sign_in
from tests.factories import RegistrationFactory
from tests.reimbursement.scene import ClaimScene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentor_sees_that_a_coordinator_viewed_their_registration(live_server, page):
    scene = ClaimScene()
    mona = scene.mona.person
    registration = RegistrationFactory(person=mona, number="7123456")

    sign_in(page, live_server, mona.user.email)
    page.goto(live_server.url + reverse("my_details"))
    press(page, page.get_by_role("link", name="See who has viewed your record"))
    expect(page.get_by_role("heading", name="Who has viewed your record")).to_be_visible()
    expect(page.get_by_text("Nobody else has viewed your record yet.")).to_be_visible()
    assert_accessible(page)

    sign_in(page, live_server, scene.coordinator.email)
    page.goto(
        live_server.url
        + reverse("admin:mentoring_professionalregistration_change", args=[registration.pk])
    )
    expect(page.get_by_text("7123456").first).to_be_attached()

    sign_in(page, live_server, mona.user.email)
    page.goto(live_server.url + reverse("my_details"))
    press(page, page.get_by_role("link", name="See who has viewed your record"))
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(scene.coordinator.get_full_name())
    expect(rows.first).to_contain_text("A coordinator of NHS Match ICB")
    expect(rows.first).to_contain_text("Viewed: professional registration")
    assert_accessible(page)
