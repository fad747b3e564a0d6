"""The claims admin: coordinators approve and reject claims in bulk through ``reimbursement.claims``,
each refusal reported by the claim it concerns; every list and page scoped to their schemes;
finance staff see the claims their organisation pays and never decide them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Notification, Role
from mentoring.roles import grant_role
from reimbursement import claims
from reimbursement.models import ClaimStatus
from sessions_log import services as sessions
from tests.auth import sign_in
from tests.factories import IcbFactory, coordinator_of, finance_of
from tests.reimbursement.scene import RATE, ClaimScene, mondays_ago

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:reimbursement_claim_changelist"
AGENDA = "My confidence in telephone consultations"


@pytest.fixture
def scene():
    return ClaimScene()


def change_url(claim) -> str:
    return reverse("admin:reimbursement_claim_change", args=[claim.pk])


def act(client, action, chosen, **data):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [c.pk for c in chosen], **data},
        follow=True,
    )


def claim_by(scene, enrolment, weeks_ago):
    return claims.submit_claim(
        person=enrolment.person,
        scheme=scene.scheme,
        kind="mentoring",
        claimed_date=mondays_ago(weeks_ago),
        by=enrolment.person.user,
        activity="Preparation and follow-up.",
    )


def statuses(*chosen) -> list[str]:
    for claim in chosen:
        claim.refresh_from_db()
    return [claim.status for claim in chosen]


def test_the_coordinator_approves_selected_claims_at_the_rate_card_amount(client, scene):
    first, second = scene.claim(mondays_ago(2)), scene.claim(mondays_ago(3))
    sign_in(client, scene.coordinator)

    response = act(client, "approve", [first, second])

    assert "2 claim(s) approved." in response.text
    assert statuses(first, second) == [ClaimStatus.APPROVED, ClaimStatus.APPROVED]
    assert (first.amount, first.decided_by) == (RATE, scene.coordinator)


def test_rejecting_asks_for_a_reason_and_refuses_none(client, scene):
    claim = scene.claim(mondays_ago(2))
    sign_in(client, scene.coordinator)

    page = client.post(reverse(CHANGELIST), {"action": "reject", "_selected_action": [claim.pk]})
    blank = client.post(
        reverse(CHANGELIST),
        {"action": "reject", "_selected_action": [claim.pk], "reason": "   "},
    )

    assert "Reason, shown to the mentor" in page.text
    assert "Mona Mentor — " + claims.claim_label(claim) in page.text
    assert "Give the mentor the reason the claim is not accepted." in blank.text
    assert statuses(claim) == [ClaimStatus.SUBMITTED]


def test_rejecting_with_a_reason_records_it_and_tells_the_mentor(client, scene):
    claim = scene.claim(mondays_ago(2))
    sign_in(client, scene.coordinator)

    response = act(client, "reject", [claim], reason="That week was annual leave.")

    assert "1 claim(s) rejected" in response.text
    assert statuses(claim) == [ClaimStatus.REJECTED]
    assert claim.decision_reason == "That week was annual leave."
    told = Notification.objects.get(recipient=scene.mentor_user, kind="claim_rejected")
    assert "That week was annual leave." in told.summary


def test_a_coordinators_own_claim_is_refused_in_bulk_while_the_others_are_approved(client, scene):
    grant_role(user=scene.mentor_user, role=Role.COORDINATOR, organisation=scene.icb)
    own = scene.claim(mondays_ago(2))
    other = claim_by(scene, scene.mentor("Max Other"), 2)
    sign_in(client, scene.mentor_user)

    response = act(client, "approve", [own, other])

    assert f"Mona Mentor, {claims.claim_label(own)}" in response.text
    assert "Nobody may decide their own claim." in response.text
    assert "1 claim(s) approved." in response.text
    assert statuses(own, other) == [ClaimStatus.SUBMITTED, ClaimStatus.APPROVED]


def test_a_claim_already_decided_is_named_and_left_as_it_was(client, scene):
    decided = scene.approved(mondays_ago(2))
    waiting = scene.claim(mondays_ago(3))
    sign_in(client, scene.coordinator)

    response = act(client, "reject", [decided, waiting], reason="No activity recorded.")

    assert f"Mona Mentor, {claims.claim_label(decided)}" in response.text
    assert "This claim has already been decided (approved)." in response.text
    assert statuses(decided, waiting) == [ClaimStatus.APPROVED, ClaimStatus.REJECTED]


def test_a_coordinator_of_another_icb_neither_lists_nor_finds_nor_decides_the_claims(client, scene):
    claim = scene.claim(mondays_ago(2))
    sign_in(client, coordinator_of(IcbFactory(name="NHS Elsewhere ICB")))

    listing = client.get(reverse(CHANGELIST))
    page = client.get(change_url(claim))
    act(client, "approve", [claim])

    assert listing.status_code == 200
    assert "Mona Mentor" not in listing.text
    assert page.status_code == 404
    assert statuses(claim) == [ClaimStatus.SUBMITTED]


def test_finance_sees_the_claims_their_organisation_pays_but_cannot_decide_them(client, scene):
    claim = scene.claim(mondays_ago(2))
    sign_in(client, scene.finance)

    listing = client.get(reverse(CHANGELIST))
    page = client.get(change_url(claim))
    act(client, "approve", [claim])

    assert "Mona Mentor" in listing.text
    assert 'value="approve"' not in listing.text
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert statuses(claim) == [ClaimStatus.SUBMITTED]


def test_finance_of_another_organisation_does_not_see_the_claims(client, scene):
    claim = scene.claim(mondays_ago(2))
    sign_in(client, finance_of(IcbFactory(name="NHS Elsewhere ICB")))

    assert "Mona Mentor" not in client.get(reverse(CHANGELIST)).text
    assert client.get(change_url(claim)).status_code == 404


def test_the_claim_page_shows_the_dates_of_its_sessions_never_what_they_say(client, scene):
    monday = mondays_ago(2)
    session = scene.held_on(monday)
    sessions.save_session_record(
        session=session, by=scene.mentor_user, answers={"planned_agenda": AGENDA}, submit=True
    )
    claim = scene.claim(monday, activity="")
    sign_in(client, scene.coordinator)

    page = client.get(change_url(claim))

    assert timezone.localtime(session.starts_at).strftime("%-d %B %Y") in page.text
    assert AGENDA not in page.text
    assert session.location not in page.text


def test_claims_are_not_added_changed_or_deleted_in_the_admin(client, scene):
    claim = scene.claim(mondays_ago(2))
    sign_in(client, scene.coordinator)

    page = client.get(change_url(claim))

    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert client.post(change_url(claim), {"status": "approved"}).status_code == 403
    assert client.get(reverse("admin:reimbursement_claim_add")).status_code == 403
    delete = reverse("admin:reimbursement_claim_delete", args=[claim.pk])
    assert client.get(delete).status_code == 403
    assert statuses(claim) == [ClaimStatus.SUBMITTED]


def test_the_list_finds_claims_by_the_mentors_name(client, scene):
    scene.claim(mondays_ago(2))
    claim_by(scene, scene.mentor("Max Other"), 2)
    sign_in(client, scene.coordinator)

    found = client.get(reverse(CHANGELIST), {"q": "Other"})

    assert "max@example.nhs.uk" in found.text
    assert "mona@example.nhs.uk" not in found.text


@pytest.mark.parametrize("who", ["coordinator", "finance"])
def test_the_claims_list_takes_a_fixed_number_of_queries(
    client, scene, who, django_assert_max_num_queries
):
    for weeks in range(1, 6):
        scene.claim(mondays_ago(weeks))
    sign_in(client, getattr(scene, who))
    client.get(reverse(CHANGELIST))
    with django_assert_max_num_queries(40) as five:
        client.get(reverse(CHANGELIST))

    for weeks in range(6, 16):
        scene.approved(mondays_ago(weeks))
    for name in ("Max Other", "Nia Third"):
        mentor = scene.mentor(name)
        for weeks in range(1, 8):
            claim_by(scene, mentor, weeks)
        claims.approve_claim(claim=claim_by(scene, mentor, 9), by=scene.coordinator)

    with django_assert_max_num_queries(len(five.captured_queries)):
        response = client.get(reverse(CHANGELIST))
    assert response.text.count("nia@example.nhs.uk") == 8
