"""Segregation of duties: nobody approves their own claim, and nobody approves a payment run that
pays them — whichever way they ask: the service, the admin's bulk actions, the finance page, or
an import of claims history that would bring in their own claim already decided.

Mona mentors on the paid scheme and is also made a coordinator (or finance) of its ICB; Max is
another mentor on it, whose claims anyone in the role may decide.
"""

import datetime

import pytest
from django.urls import reverse

from mentoring.imports import run_import
from mentoring.models import Role
from mentoring.roles import grant_role
from reimbursement import claims, runs
from reimbursement.errors import ClaimRefusal, ReimbursementError, RunRefusal
from reimbursement.models import Claim, ClaimStatus, PaymentRun, RunStatus
from tests.auth import sign_in
from tests.factories import IcbFactory, finance_of
from tests.mentoring.imports import codes_of, csv_file
from tests.reimbursement.scene import ClaimScene, mondays_ago

pytestmark = pytest.mark.django_db

OWN_CLAIM = "Nobody may decide their own claim."


@pytest.fixture
def scene():
    scene = ClaimScene()
    scene.max = scene.mentor("Max Other")
    scene.pair(scene.max, scene.mentee("Otto Other"))
    return scene


def claim_of(scene, enrolment, weeks_ago: int) -> Claim:
    return claims.submit_claim(
        person=enrolment.person,
        scheme=scene.scheme,
        kind="mentoring",
        claimed_date=mondays_ago(weeks_ago),
        by=enrolment.person.user,
        activity="Preparation and follow-up.",
    )


def status_of(*chosen) -> list[str]:
    return [Claim.objects.get(pk=claim.pk).status for claim in chosen]


def as_coordinator(scene):
    grant_role(user=scene.mentor_user, role=Role.COORDINATOR, organisation=scene.icb)
    return scene.mentor_user


def as_finance(scene):
    grant_role(user=scene.mentor_user, role=Role.FINANCE, organisation=scene.icb)
    return scene.mentor_user


# claims ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_a_coordinator_who_mentors_may_not_decide_their_own_claim_in_the_service(scene, decide):
    mona = as_coordinator(scene)
    own = scene.claim(mondays_ago(2))

    with pytest.raises(ReimbursementError) as refused:
        if decide == "approve":
            claims.approve_claim(claim=own, by=mona)
        else:
            claims.reject_claim(claim=own, by=mona, reason="I changed my mind.")

    assert refused.value.code == ClaimRefusal.OWN_CLAIM
    assert status_of(own) == [ClaimStatus.SUBMITTED]


def test_a_coordinator_who_mentors_decides_others_claims_but_not_their_own(scene):
    mona = as_coordinator(scene)
    others = claim_of(scene, scene.max, 2)

    approved = claims.approve_claim(claim=others, by=mona)

    assert (approved.status, approved.decided_by) == (ClaimStatus.APPROVED, mona)


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_the_admins_bulk_actions_refuse_the_coordinators_own_claim_and_decide_the_rest(
    client, scene, action
):
    mona = as_coordinator(scene)
    own, others = scene.claim(mondays_ago(2)), claim_of(scene, scene.max, 2)
    sign_in(client, mona)

    response = client.post(
        reverse("admin:reimbursement_claim_changelist"),
        {"action": action, "_selected_action": [own.pk, others.pk], "reason": "Not this week."},
        follow=True,
    )

    assert OWN_CLAIM in response.text
    decided = ClaimStatus.APPROVED if action == "approve" else ClaimStatus.REJECTED
    assert status_of(own, others) == [ClaimStatus.SUBMITTED, decided]


def test_a_superuser_who_mentors_may_not_approve_their_own_claim_in_the_admin(client, scene):
    mona = scene.mentor_user
    mona.is_superuser = mona.is_staff = True
    mona.save()
    own = scene.claim(mondays_ago(2))
    sign_in(client, mona)

    response = client.post(
        reverse("admin:reimbursement_claim_changelist"),
        {"action": "approve", "_selected_action": [own.pk]},
        follow=True,
    )

    assert OWN_CLAIM in response.text
    assert status_of(own) == [ClaimStatus.SUBMITTED]


@pytest.mark.parametrize("status", ["approved", "paid", "rejected"])
def test_a_coordinator_may_not_import_their_own_claim_already_decided(scene, status):
    """An import of history brings claims in as they were decided elsewhere: one's own decided
    claim in it would be a claim approved by nobody but its claimant."""
    mona = as_coordinator(scene)
    day = mondays_ago(3)
    decider = scene.coordinator.email if status != "paid" else ""
    source = csv_file(
        "email,scheme,kind,claim_date,status,decided_by_email",
        f"{mona.email},{scene.scheme.slug},mentoring,{day.isoformat()},{status},{decider}",
    )

    result = run_import("claims", source, user=mona)

    assert codes_of(result) == [(2, "status", ClaimRefusal.OWN_CLAIM)]
    assert not Claim.objects.filter(person__user=mona).exists()


def test_the_same_import_by_another_coordinator_brings_the_claim_in(scene):
    mona = scene.mentor_user
    day = mondays_ago(3)
    source = csv_file(
        "email,scheme,kind,claim_date,status,decided_by_email",
        f"{mona.email},{scene.scheme.slug},mentoring,{day.isoformat()},approved,"
        f"{scene.coordinator.email}",
    )

    result = run_import("claims", source, user=scene.coordinator)

    assert result.ok
    assert status_of(*Claim.objects.filter(person__user=mona)) == [ClaimStatus.APPROVED]


# payment runs ---------------------------------------------------------------------------------
def previous_month_run(scene) -> PaymentRun:
    """Last month's draft, paying Mona a week and Max a week."""
    mondays = previous_month_mondays()
    claims.approve_claim(claim=scene.claim(mondays[0]), by=scene.coordinator)
    claims.approve_claim(claim=claim_of_on(scene, scene.max, mondays[0]), by=scene.coordinator)
    return scene.build(runs.previous_month()).run


def claim_of_on(scene, enrolment, day: datetime.date) -> Claim:
    return claims.submit_claim(
        person=enrolment.person,
        scheme=scene.scheme,
        kind="mentoring",
        claimed_date=day,
        by=enrolment.person.user,
        activity="Preparation and follow-up.",
    )


def is_draft(run) -> bool:
    return PaymentRun.objects.get(pk=run.pk).status == RunStatus.DRAFT


def test_finance_paid_in_a_run_may_not_approve_it_in_the_service(scene):
    mona = as_finance(scene)
    run = previous_month_run(scene)

    with pytest.raises(ReimbursementError) as refused:
        runs.approve_run(run=run, by=mona)

    assert refused.value.code == RunRefusal.OWN_PAYMENT
    assert is_draft(run)
    assert status_of(*Claim.objects.filter(payment__run=run)) == [ClaimStatus.APPROVED] * 2


def test_other_finance_staff_approve_the_same_run(scene):
    as_finance(scene)
    run = previous_month_run(scene)

    runs.approve_run(run=run, by=scene.finance)

    assert not is_draft(run)


def test_finance_paid_in_a_run_may_not_approve_it_on_the_finance_page(client, scene):
    mona = as_finance(scene)
    run = previous_month_run(scene)
    sign_in(client, mona)

    response = client.post(reverse("payment_run_detail", args=[run.reference]), follow=True)

    assert f"You are paid in {run.reference}, so someone else must approve it." in response.text
    assert is_draft(run)


def test_finance_paid_in_a_run_may_not_approve_it_with_the_admins_action(client, scene):
    mona = as_finance(scene)
    run = previous_month_run(scene)
    sign_in(client, mona)

    response = client.post(
        reverse("admin:reimbursement_paymentrun_changelist"),
        {"action": "approve", "_selected_action": [run.pk]},
        follow=True,
    )

    assert f"You are paid in {run.reference}, so someone else must approve it." in response.text
    assert is_draft(run)


def test_finance_paid_only_by_an_adjustment_may_not_approve_the_run(scene):
    """An adjustment to one's own pay is a payment too: the run carrying it is someone else's
    to approve."""
    mona = as_finance(scene)
    claims.approve_claim(
        claim=claim_of_on(scene, scene.max, previous_month_mondays()[0]), by=scene.coordinator
    )
    runs.add_adjustment(
        person=mona.person, scheme=scene.scheme, amount="25.00", reason="Travel.", by=scene.finance
    )
    run = scene.build(runs.previous_month()).run

    with pytest.raises(ReimbursementError) as refused:
        runs.approve_run(run=run, by=mona)

    assert refused.value.code == RunRefusal.OWN_PAYMENT
    assert is_draft(run)


def test_a_superuser_paid_in_a_run_may_not_approve_it(scene):
    run = previous_month_run(scene)
    mona = scene.mentor_user
    mona.is_superuser = mona.is_staff = True
    mona.save()

    with pytest.raises(ReimbursementError) as refused:
        runs.approve_run(run=run, by=mona)

    assert refused.value.code == RunRefusal.OWN_PAYMENT


def test_finance_of_another_organisation_may_not_approve_the_run(scene):
    run = previous_month_run(scene)
    elsewhere = finance_of(IcbFactory(name="NHS Elsewhere ICB"))

    with pytest.raises(ReimbursementError) as refused:
        runs.approve_run(run=run, by=elsewhere)

    assert refused.value.code == RunRefusal.NOT_FINANCE
    assert is_draft(run)


def previous_month_mondays() -> list[datetime.date]:
    return [
        day
        for day in (mondays_ago(n) for n in range(1, 10))
        if runs.month_start(day) == runs.previous_month()
    ]
