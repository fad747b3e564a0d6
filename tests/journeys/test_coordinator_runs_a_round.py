"""A coordinator signs in, runs a matching round of a small scheme from the admin, reviews the
proposals and why each scored what it did, accepts them in bulk, publishes, and sees the
mentorships."""

import re

import pytest
from playwright.sync_api import expect

from matching.models import MatchingRound, Mentorship
from tests.browser import axe_violations, describe, sign_in
from tests.matching.pairs import Scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_runs_reviews_and_publishes_a_round(live_server, page):
    scene = Scene()
    scene.mentor("Anna Mentor", capacity=2)
    scene.mentor("Bola Mentor", capacity=2)
    mentees = ["Cara Mentee", "Dev Mentee", "Esi Mentee"]
    for name in mentees:
        scene.mentee(name)

    sign_in(page, live_server, scene.coordinator.email)

    page.goto(live_server.url + "/admin/matching/matchinground/")
    page.get_by_role("link", name="Run a matching round").click()
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.get_by_label("Scheme").select_option(label=scene.scheme.name)
    page.get_by_role("button", name="Run the round").click()

    # Celery runs eagerly here, so the round is solved by the time its page loads.
    expect(page.get_by_role("heading", name=re.compile(r"^Round \d+ of "))).to_be_visible()
    expect(page.get_by_role("heading", name="Ready for review")).to_be_visible()
    proposals = page.locator("#result_list tr.proposal")
    expect(proposals).to_have_count(3)
    for name in mentees:
        expect(proposals.get_by_role("cell", name=re.compile(f"^{name}"))).to_be_visible()
    first = proposals.first
    first.locator("summary").click()
    breakdown = first.locator("table.score-breakdown")
    expect(breakdown.get_by_role("rowheader", name="Same sector")).to_be_visible()
    expect(breakdown.get_by_role("columnheader", name="How far it holds")).to_be_visible()
    assert axe_violations(page) == [], describe(axe_violations(page))

    for checkbox in page.get_by_role("checkbox").all():
        checkbox.check()
    page.get_by_role("button", name="Accept selected").click()
    expect(page.get_by_text("3 proposals accepted.")).to_be_visible()
    expect(page.locator("#result_list").get_by_text("Accepted by the coordinator")).to_have_count(3)

    page.get_by_role("link", name="Publish the accepted proposals (3)").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Publish round \d+"))).to_be_visible()
    expect(page.get_by_role("table", name="The accepted pairs")).to_be_visible()
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.get_by_role("button", name="Publish 3 mentorships").click()

    expect(page.get_by_text(re.compile(r"3 mentorships proposed from round \d+"))).to_be_visible()
    listed = page.locator("#result_list")
    for name in mentees:
        expect(listed.get_by_text(name)).to_be_visible()
    assert Mentorship.objects.filter(source="round", status="proposed").count() == 3
    assert axe_violations(page) == [], describe(axe_violations(page))


def test_a_running_round_says_when_it_is_done_without_reloading(live_server, page):
    scene = Scene()
    matching_round = MatchingRound.objects.create(scheme=scene.scheme, status="running")
    sign_in(page, live_server, scene.coordinator.email)

    page.goto(f"{live_server.url}/admin/matching/matchinground/{matching_round.pk}/change/")
    expect(page.get_by_role("heading", name="Matching in progress")).to_be_visible()
    assert axe_violations(page) == [], describe(axe_violations(page))
    MatchingRound.objects.filter(pk=matching_round.pk).update(status="ready")

    status = page.get_by_role("status").filter(has_text="Matching has finished")
    expect(status).to_be_visible(timeout=10_000)
    status.get_by_role("link", name="Show the proposals").click()
    expect(page.get_by_role("heading", name="Ready for review")).to_be_visible()
