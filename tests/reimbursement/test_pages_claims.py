"""The mentor's claim pages: their claims (and nobody else's), making one with every refusal shown
by its field and nothing saved, the week's sessions shown before claiming, the meetings and
training records offered, and a claim's page for its claimant alone."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from reimbursement import claims, runs
from reimbursement.errors import ClaimRefusal, capitalised, problem
from reimbursement.models import Claim, ClaimStatus, ClaimUnit
from schemes.models import ClaimKind, RateCard
from sessions_log import services as sessions
from tests.auth import sign_in
from tests.factories import TrainingRecordFactory
from tests.reimbursement.scene import ClaimScene, mondays_ago
from tests.schemes.factories import MentorEnrolmentFactory, SchemeFactory
from tests.sessions_log.sessions_scene import days_ahead

pytestmark = pytest.mark.django_db

NEW = "claim_new"


@pytest.fixture
def scene():
    return ClaimScene()


@pytest.fixture
def olga(scene):
    """Another mentor on the same scheme, with her own mentee."""
    olga = scene.mentor("Olga Other")
    scene.olga_pair = scene.pair(olga, scene.mentee("Otto Other"))
    return olga


def as_user(client, user):
    sign_in(client, user)
    return client


def as_mona(client, scene):
    return as_user(client, scene.mentor_user)


def date_data(day: datetime.date, name: str = "claim_date") -> dict:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def week_claim(day: datetime.date, **overrides) -> dict:
    return {"kind": "mentoring", **date_data(day), "activity": "Preparation.", **overrides}


def codes(response, field) -> list[str]:
    return [error.code for error in response.context["form"].errors.as_data()[field]]


def message(code, **values) -> str:
    return capitalised(problem(code, **values).message)


def rows(page: str) -> int:
    return page.count('<tr class="nhsuk-table__row">') - 1  # less the header row


# my claims --------------------------------------------------------------------------------------
def test_my_claims_lists_the_signed_in_mentors_claims_only(client, scene, olga):
    mine = scene.claim(mondays_ago(2))
    theirs = claims.submit_claim(
        person=olga.person,
        scheme=scene.scheme,
        kind=ClaimKind.MENTORING,
        claimed_date=mondays_ago(3),
        by=olga.person.user,
        activity="Travel.",
    )

    response = as_mona(client, scene).get(reverse("my_claims"))

    assert [c.pk for c in response.context["claims"]] == [mine.pk]
    assert reverse("claim_detail", args=[mine.pk]) in response.text
    assert reverse("claim_detail", args=[theirs.pk]) not in response.text


def test_an_approved_claim_shows_its_amount_in_pounds_and_pence(client, scene):
    scene.approved(mondays_ago(2))

    page = as_mona(client, scene).get(reverse("my_claims")).text

    assert "£289.00" in page
    assert ">Approved</strong>" in page


def test_a_rejected_claim_shows_the_reason(client, scene):
    claims.reject_claim(
        claim=scene.claim(mondays_ago(2)), by=scene.coordinator, reason="That week was leave."
    )

    page = as_mona(client, scene).get(reverse("my_claims")).text

    assert ">Rejected</strong>" in page
    assert "Not accepted: That week was leave." in page


def test_a_paid_claim_shows_the_payment_run_that_paid_it(client, scene):
    scene.approved(mondays_ago(8))
    run = scene.build(runs.previous_month()).run
    runs.approve_run(run=run, by=scene.finance)

    page = as_mona(client, scene).get(reverse("my_claims")).text

    assert ">Paid</strong>" in page
    assert f"Paid in {run.reference}" in page


def test_a_mentor_with_no_claims_is_told_so_and_offered_to_make_one(client, scene):
    page = as_mona(client, scene).get(reverse("my_claims")).text

    assert "You have not made any claims yet." in page
    assert f'href="{reverse(NEW)}"' in page and "Make a claim" in page


def test_someone_not_a_mentor_on_a_paying_scheme_is_told_so_and_not_offered_a_claim(client, scene):
    page = as_user(client, scene.enid.person.user).get(reverse("my_claims")).text

    assert "You are not a mentor on a scheme that pays its mentors" in page
    assert "Make a claim" not in page


def test_my_claims_takes_a_constant_number_of_queries(client, scene, django_assert_max_num_queries):
    weeks = itertools.count(2)
    as_mona(client, scene)
    scene.claim(mondays_ago(next(weeks)))
    scene.approved(mondays_ago(next(weeks)))
    with CaptureQueriesContext(connection) as two:
        assert client.get(reverse("my_claims")).status_code == 200
    claims.reject_claim(
        claim=scene.claim(mondays_ago(next(weeks))), by=scene.coordinator, reason="Leave."
    )
    scene.approved(mondays_ago(next(weeks)), kind=ClaimKind.TRAINING)
    for _ in range(4):
        scene.approved(mondays_ago(next(weeks) + 4))
    runs.approve_run(run=scene.build(runs.previous_month()).run, by=scene.finance)

    with django_assert_max_num_queries(len(two.captured_queries)):
        page = client.get(reverse("my_claims")).text
    assert rows(page) == 8


# making a claim ---------------------------------------------------------------------------------
def test_a_mentor_claims_a_week_and_is_shown_the_claim(client, scene):
    monday = mondays_ago(2)

    response = as_mona(client, scene).post(
        reverse(NEW), week_claim(monday + datetime.timedelta(days=3)), follow=True
    )

    claim = Claim.objects.get()
    assert (claim.unit, claim.period_start, claim.status) == (
        ClaimUnit.WEEK,
        monday,
        ClaimStatus.SUBMITTED,
    )
    assert response.redirect_chain[-1][0] == reverse("claim_detail", args=[claim.pk])
    assert "Your claim for the week beginning" in response.text


def test_a_second_claim_for_the_same_week_is_refused_by_the_date_field(client, scene):
    monday = mondays_ago(3)
    scene.claim(monday)

    response = as_mona(client, scene).post(
        reverse(NEW), week_claim(monday + datetime.timedelta(days=4))
    )

    assert codes(response, "claim_date") == [ClaimRefusal.DUPLICATE_WEEK]
    assert 'href="#id_claim_date_0"' in response.text
    assert "<title>Error: " in response.text
    assert Claim.objects.count() == 1


def test_a_future_date_is_refused_by_the_date_field(client, scene):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)

    response = as_mona(client, scene).post(reverse(NEW), week_claim(tomorrow))

    assert codes(response, "claim_date") == [ClaimRefusal.FUTURE_DATE]
    assert escape(message(ClaimRefusal.FUTURE_DATE)) in response.text
    assert not Claim.objects.exists()


def test_a_date_that_is_not_real_is_refused_by_the_date_field(client, scene):
    data = week_claim(mondays_ago(2), claim_date_day="31", claim_date_month="2")

    response = as_mona(client, scene).post(reverse(NEW), data)

    assert response.context["form"].errors["claim_date"] == ["Enter a real date, like 27 3 2026"]
    assert not Claim.objects.exists()


def test_a_claim_with_no_date_says_what_is_missing(client, scene):
    response = as_mona(client, scene).post(reverse(NEW), {"kind": "mentoring", "activity": "x"})

    assert response.context["form"].errors["claim_date"] == [
        "Enter a date in the week you are claiming for"
    ]
    assert not Claim.objects.exists()


def test_a_form_that_sends_an_amount_is_refused_and_nothing_is_saved(client, scene):
    response = as_mona(client, scene).post(
        reverse(NEW), week_claim(mondays_ago(2), amount="500.00")
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [message(ClaimRefusal.AMOUNT_TYPED)]
    assert escape(message(ClaimRefusal.AMOUNT_TYPED)) in response.text
    assert not Claim.objects.exists()


def test_a_week_with_no_session_and_no_activity_is_refused_by_the_activity_field(client, scene):
    response = as_mona(client, scene).post(reverse(NEW), week_claim(mondays_ago(2), activity=" "))

    assert codes(response, "activity") == [ClaimRefusal.NO_ACTIVITY]
    assert 'href="#id_activity"' in response.text
    assert not Claim.objects.exists()


def test_what_was_typed_is_kept_when_a_claim_is_refused(client, scene):
    scene.claim(mondays_ago(3))
    day = mondays_ago(3) + datetime.timedelta(days=2)

    page = (
        as_mona(client, scene)
        .post(reverse(NEW), week_claim(day, activity="Travel to the practice."))
        .text
    )

    assert f'name="claim_date_day" type="text" inputmode="numeric" value="{day.day}"' in page
    assert f'name="claim_date_year" type="text" inputmode="numeric" value="{day.year}"' in page
    assert "Travel to the practice.</textarea>" in page
    assert 'value="mentoring" checked' in page


def test_showing_the_week_lists_the_sessions_held_that_week_without_saving(client, scene):
    monday = mondays_ago(2)
    held = scene.held_on(monday + datetime.timedelta(days=2))
    scene.held_on(monday - datetime.timedelta(days=1))  # the Sunday before: another week

    response = as_mona(client, scene).post(
        reverse(NEW), week_claim(monday + datetime.timedelta(days=4), check_week="1")
    )

    assert response.status_code == 200
    assert response.context["held"] == [held]
    assert f"The week beginning {monday:%A} {monday.day} {monday:%B %Y}" in response.text
    assert "Your claim will carry the sessions you logged as held that week" in response.text
    assert not response.context["form"].errors
    assert not Claim.objects.exists()


def test_showing_a_week_with_no_session_asks_what_the_time_was_used_for(client, scene):
    response = as_mona(client, scene).post(
        reverse(NEW), week_claim(mondays_ago(2), check_week="1", activity="")
    )

    assert response.context["held"] == []
    assert "No session is logged as held that week." in response.text
    assert not Claim.objects.exists()


def test_showing_the_week_of_a_bad_date_says_so_by_the_date_field(client, scene):
    data = week_claim(mondays_ago(2), claim_date_month="13", check_week="1")

    response = as_mona(client, scene).post(reverse(NEW), data)

    assert response.context["form"].errors["claim_date"] == ["Enter a real date, like 27 3 2026"]
    assert response.context["held"] is None


def test_a_per_meeting_form_offers_only_held_meetings_not_yet_claimed(client):
    scene = ClaimScene(unit="meeting")
    claimed = scene.held_on(mondays_ago(2))
    scene.claim(mondays_ago(2), session=claimed)
    unclaimed = scene.held_on(mondays_ago(3))
    scene.plan(scene.pair_, scene.mona, starts_at=days_ahead(3))
    olga = scene.mentor("Olga Other")
    scene.held(scene.pair(olga, scene.mentee("Otto Other")), olga)

    form = as_mona(client, scene).get(reverse(NEW)).context["form"]

    assert [value for value, _ in form.fields["session"].choices] == [str(unclaimed.pk)]


def test_a_mentor_claims_a_meeting_they_held(client):
    scene = ClaimScene(unit="meeting")
    meeting = scene.held_on(mondays_ago(2))

    response = as_mona(client, scene).post(
        reverse(NEW), {"kind": "mentoring", "session": str(meeting.pk), "activity": ""}
    )

    claim = Claim.objects.get()
    assert response["Location"] == reverse("claim_detail", args=[claim.pk])
    assert (claim.unit, claim.session, claim.period_start) == (
        ClaimUnit.MEETING,
        meeting,
        mondays_ago(2),
    )


def test_a_meeting_claim_with_no_meeting_chosen_is_refused_by_the_meeting_field(client):
    scene = ClaimScene(unit="meeting")
    scene.held_on(mondays_ago(2))

    response = as_mona(client, scene).post(reverse(NEW), {"kind": "mentoring"})

    assert codes(response, "session") == [ClaimRefusal.SESSION_NOT_CLAIMABLE]
    assert not Claim.objects.exists()


def test_the_training_form_offers_only_the_mentors_own_records(client, scene, olga):
    TrainingRecordFactory(person=olga.person)

    form = as_mona(client, scene).get(reverse(NEW)).context["form"]

    assert [value for value, _ in form.fields["training_record"].choices] == [
        str(scene.training.pk)
    ]


def test_a_mentor_claims_a_training_session(client, scene):
    day = mondays_ago(6) + datetime.timedelta(days=2)
    data = {"kind": "training", **date_data(day), "training_record": str(scene.training.pk)}

    as_mona(client, scene).post(reverse(NEW), data)

    claim = Claim.objects.get()
    assert (claim.unit, claim.period_start, claim.training_record) == (
        ClaimUnit.TRAINING,
        day,
        scene.training,
    )


def test_training_is_not_offered_when_the_scheme_pays_for_none(client):
    scene = ClaimScene(training_cap=0)

    form = as_mona(client, scene).get(reverse(NEW)).context["form"]

    assert "kind" not in form.fields and "training_record" not in form.fields


def test_a_mentor_on_one_paying_scheme_is_not_asked_which_scheme(client, scene):
    form = as_mona(client, scene).get(reverse(NEW)).context["form"]

    assert "scheme" not in form.fields


def test_a_mentor_on_two_paying_schemes_chooses_the_scheme(client, scene):
    other = SchemeFactory(owner=scene.icb, name="Pharmacist mentoring")
    RateCard.objects.create(scheme=other, claim_unit="week")
    MentorEnrolmentFactory(scheme=other, person=scene.mona.person)

    form = as_mona(client, scene).get(reverse(NEW)).context["form"]

    assert sorted(label for _, label in form.fields["scheme"].choices) == sorted(
        [scene.scheme.name, "Pharmacist mentoring"]
    )


def test_a_mentor_on_two_paying_schemes_claims_on_the_one_chosen(client, scene):
    other = SchemeFactory(owner=scene.icb, name="Pharmacist mentoring")
    RateCard.objects.create(scheme=other, claim_unit="week").rates.create(
        kind="mentoring", amount=Decimal("150.00"), effective_from=datetime.date(2021, 4, 1)
    )
    MentorEnrolmentFactory(
        scheme=other, person=scene.mona.person, joined_on=datetime.date(2024, 4, 1)
    )

    as_mona(client, scene).post(reverse(NEW), week_claim(mondays_ago(2), scheme=str(other.pk)))

    assert Claim.objects.get().scheme == other


def test_someone_not_a_mentor_on_a_paying_scheme_cannot_make_a_claim(client, scene):
    response = as_user(client, scene.enid.person.user).get(reverse(NEW))

    assert response.status_code == 403
    assert "You cannot make a claim" in response.text


# one claim --------------------------------------------------------------------------------------
def test_a_claim_page_shows_the_sessions_carried_but_not_what_was_said_in_them(client, scene):
    monday = mondays_ago(2)
    session = scene.held_on(monday + datetime.timedelta(days=1))
    sessions.save_session_record(
        session=session, by=scene.mentor_user, answers={"planned_agenda": "SECRET agenda"}
    )
    claim = scene.claim(monday, activity="")

    page = as_mona(client, scene).get(reverse("claim_detail", args=[claim.pk])).text

    assert f"{session.starts_at:%A} {session.starts_at.day} {session.starts_at:%B %Y}" in page
    assert "Video call" in page and "60 minutes" in page
    assert "SECRET" not in page


def test_an_approved_claim_page_shows_the_amount_and_the_rate_date(client, scene):
    scene.card.rates.create(
        kind="mentoring", amount=Decimal("300.50"), effective_from=mondays_ago(4)
    )
    claim = scene.approved(mondays_ago(2))

    page = as_mona(client, scene).get(reverse("claim_detail", args=[claim.pk])).text

    assert "£300.50, the scheme's rate in force from" in page
    assert f"{mondays_ago(4).day} {mondays_ago(4):%B %Y}" in page


def test_a_rejected_claim_page_shows_the_reason(client, scene):
    claim = claims.reject_claim(
        claim=scene.claim(mondays_ago(2)), by=scene.coordinator, reason="That week was leave."
    )

    page = as_mona(client, scene).get(reverse("claim_detail", args=[claim.pk])).text

    assert "That week was leave." in page


@pytest.mark.parametrize("who", ["other_mentor", "mentee", "coordinator"])
def test_nobody_but_the_claimant_sees_a_claim(client, scene, olga, who):
    claim = scene.claim(mondays_ago(2))
    user = {
        "other_mentor": olga.person.user,
        "mentee": scene.enid.person.user,
        "coordinator": scene.coordinator,
    }[who]

    assert as_user(client, user).get(reverse("claim_detail", args=[claim.pk])).status_code == 404


@pytest.mark.parametrize("page", ["my_claims", "claim_new", "claim_detail"])
def test_anonymous_visitors_are_sent_to_sign_in(client, scene, page):
    args = [scene.claim(mondays_ago(2)).pk] if page == "claim_detail" else []

    response = client.get(reverse(page, args=args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
