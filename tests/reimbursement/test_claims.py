"""Claims online: what a mentor may claim, every refusal by its code, and the decisions."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from mentoring.models import Role
from mentoring.roles import grant_role
from reimbursement import claims
from reimbursement.errors import ClaimRefusal, ReimbursementError
from reimbursement.models import ClaimStatus, ClaimUnit
from schemes import services as schemes
from schemes.models import ClaimKind
from tests.factories import IcbFactory, coordinator_of
from tests.reimbursement.scene import ClaimScene, mondays_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return ClaimScene()


def refused(call) -> list:
    with pytest.raises(ReimbursementError) as caught:
        call()
    return caught.value.codes


def test_a_week_is_stored_as_its_monday_with_the_sessions_held_that_week(scene):
    monday = mondays_ago(2)
    session = scene.held_on(monday + datetime.timedelta(days=2))

    claim = scene.claim(monday + datetime.timedelta(days=3), activity="")

    assert claim.period_start == monday
    assert claim.unit == ClaimUnit.WEEK
    assert list(claim.sessions.all()) == [session]
    assert claim.status == ClaimStatus.SUBMITTED and claim.amount is None


def test_a_second_claim_for_the_same_week_is_refused(scene):
    monday = mondays_ago(3)
    scene.claim(monday)

    assert refused(lambda: scene.claim(monday + datetime.timedelta(days=4))) == [
        ClaimRefusal.DUPLICATE_WEEK
    ]


def test_a_rejected_week_may_be_claimed_again(scene):
    monday = mondays_ago(3)
    claims.reject_claim(claim=scene.claim(monday), by=scene.coordinator, reason="No activity.")

    assert scene.claim(monday).status == ClaimStatus.SUBMITTED


def test_a_future_date_is_refused(scene):
    assert ClaimRefusal.FUTURE_DATE in refused(
        lambda: scene.claim(datetime.date.today() + datetime.timedelta(days=1))
    )


def test_a_date_before_joining_is_refused(scene):
    assert refused(lambda: scene.claim(datetime.date(2024, 3, 20))) == [
        ClaimRefusal.BEFORE_ENROLMENT
    ]


def test_a_date_after_leaving_is_refused(scene):
    schemes.leave_scheme(
        enrolment=scene.mona, left_on=mondays_ago(4), kind="left", reason="Moved away."
    )

    assert refused(lambda: scene.claim(mondays_ago(2))) == [ClaimRefusal.AFTER_LEAVING]


def test_a_date_while_paused_is_refused_and_one_before_is_not(scene):
    schemes.pause_enrolment(enrolment=scene.mona, on_date=mondays_ago(3), reason="Suspended.")

    assert refused(lambda: scene.claim(mondays_ago(2))) == [ClaimRefusal.WHILE_PAUSED]
    assert scene.claim(mondays_ago(5)).pk


def test_a_date_after_eligibility_ran_out_is_refused(scene):
    scene.mona.eligible_until = mondays_ago(6)
    scene.mona.save()

    assert refused(lambda: scene.claim(mondays_ago(2))) == [ClaimRefusal.NOT_ELIGIBLE_ON_DATE]


def test_someone_not_a_mentor_of_the_scheme_cannot_claim(scene):
    with pytest.raises(ReimbursementError) as caught:
        claims.submit_claim(
            person=scene.enid.person,
            scheme=scene.scheme,
            kind=ClaimKind.MENTORING,
            claimed_date=mondays_ago(1),
            by=scene.enid.person.user,
            activity="x",
        )
    assert caught.value.codes == [ClaimRefusal.NOT_A_MENTOR]


def test_a_week_with_no_session_and_no_activity_is_refused(scene):
    assert refused(lambda: scene.claim(mondays_ago(2), activity=" ")) == [ClaimRefusal.NO_ACTIVITY]


def test_training_is_capped_at_four_sessions(scene):
    for weeks in (10, 9, 8, 7):
        scene.claim(mondays_ago(weeks), kind=ClaimKind.TRAINING)

    assert refused(lambda: scene.claim(mondays_ago(6), kind=ClaimKind.TRAINING)) == [
        ClaimRefusal.OVER_TRAINING_CAP
    ]


def test_training_is_refused_until_mentoring_is_arranged(scene):
    scene.pair_.members.all().delete()

    assert refused(lambda: scene.claim(mondays_ago(6), kind=ClaimKind.TRAINING)) == [
        ClaimRefusal.NO_MENTORING_PLAN
    ]


def test_training_needs_the_training_record(scene):
    assert refused(
        lambda: scene.claim(mondays_ago(6), kind=ClaimKind.TRAINING, training_record=None)
    ) == [ClaimRefusal.TRAINING_RECORD_REQUIRED]


def test_an_unpaid_scheme_refuses_claims():
    scene = ClaimScene(unit="none")

    assert refused(lambda: scene.claim(mondays_ago(2))) == [ClaimRefusal.SCHEME_UNPAID]


def test_per_meeting_schemes_claim_a_held_meeting_once():
    scene = ClaimScene(unit="meeting")
    session = scene.held_on(mondays_ago(2))

    claim = scene.claim(mondays_ago(5), session=session)

    assert claim.unit == ClaimUnit.MEETING and claim.period_start == mondays_ago(2)
    assert refused(lambda: scene.claim(mondays_ago(2), session=session)) == [
        ClaimRefusal.DUPLICATE_MEETING
    ]


def test_approval_fixes_the_amount_from_the_rate_on_the_claimed_week_and_locks_sessions(scene):
    monday = mondays_ago(2)
    session = scene.held_on(monday)
    scene.card.rates.create(kind="mentoring", amount=Decimal("300.50"), effective_from=monday)

    old = claims.approve_claim(claim=scene.claim(mondays_ago(3)), by=scene.coordinator)
    new = claims.approve_claim(claim=scene.claim(monday), by=scene.coordinator)

    assert (old.amount, new.amount) == (Decimal("289.00"), Decimal("300.50"))
    session.refresh_from_db()
    assert session.is_locked and session.locked_reason == claims.CLAIM_LOCK


def test_nobody_approves_their_own_claim_even_as_a_coordinator(scene):
    claim = scene.claim(mondays_ago(2))
    grant_role(user=scene.mentor_user, role=Role.COORDINATOR, organisation=scene.icb)

    assert refused(lambda: claims.approve_claim(claim=claim, by=scene.mentor_user)) == [
        ClaimRefusal.OWN_CLAIM
    ]


def test_a_coordinator_of_another_icb_cannot_decide(scene):
    stranger = coordinator_of(IcbFactory())

    assert refused(
        lambda: claims.approve_claim(claim=scene.claim(mondays_ago(2)), by=stranger)
    ) == [ClaimRefusal.NOT_COORDINATOR]


def test_a_decided_claim_cannot_be_decided_again(scene):
    claim = scene.approved(mondays_ago(2))

    assert refused(lambda: claims.reject_claim(claim=claim, by=scene.coordinator, reason="x")) == [
        ClaimRefusal.ALREADY_DECIDED
    ]


def test_rejecting_needs_a_reason_and_tells_the_mentor(scene, mailoutbox):
    claim = scene.claim(mondays_ago(2))
    assert refused(lambda: claims.reject_claim(claim=claim, by=scene.coordinator, reason="")) == [
        ClaimRefusal.REASON_REQUIRED
    ]

    claims.reject_claim(claim=claim, by=scene.coordinator, reason="That week was leave.")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and claim.decision_reason == "That week was leave."


@time_machine.travel(datetime.datetime(2026, 6, 15, 12), tick=False)
def test_a_week_belongs_to_the_month_of_its_monday():
    scene = ClaimScene()
    claim = scene.claim(datetime.date(2026, 6, 2))  # Tuesday; its Monday is 1 June

    assert claim.period_start == datetime.date(2026, 6, 1)
    claim = scene.claim(datetime.date(2026, 5, 31))  # Sunday of the week of Monday 25 May
    assert claim.period_start == datetime.date(2026, 5, 25)


def test_a_second_claim_for_the_same_training_day_is_refused(scene):
    scene.claim(mondays_ago(6), kind=ClaimKind.TRAINING)

    assert refused(lambda: scene.claim(mondays_ago(6), kind=ClaimKind.TRAINING)) == [
        ClaimRefusal.DUPLICATE_TRAINING
    ]


def test_a_scheme_that_pays_no_training_refuses_training_claims():
    scene = ClaimScene(training_cap=0)

    assert refused(lambda: scene.claim(mondays_ago(6), kind=ClaimKind.TRAINING)) == [
        ClaimRefusal.TRAINING_NOT_PAID
    ]


def test_a_date_with_no_rate_in_force_is_refused(scene):
    scene.card.rates.update(effective_from=mondays_ago(1))

    assert refused(lambda: scene.claim(mondays_ago(3))) == [ClaimRefusal.NO_RATE_ON_DATE]


def test_a_per_meeting_claim_without_a_meeting_is_refused():
    scene = ClaimScene(unit="meeting")

    assert refused(lambda: scene.claim(None)) == [ClaimRefusal.SESSION_NOT_CLAIMABLE]
