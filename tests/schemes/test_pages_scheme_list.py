"""The list of schemes: those taking applications today, what each is and who may apply until
when; the signed-in person's own applications and enrolments; coordinators' own schemes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.auth import sign_in
from tests.factories import IcbFactory, PersonFactory, UserFactory, coordinator_of
from tests.schemes.factories import (
    ApplicationFactory,
    CohortFactory,
    IntakeFactory,
    MenteeEnrolmentFactory,
    MentorEnrolmentFactory,
    SchemeFactory,
)

pytestmark = pytest.mark.django_db


def list_page(client, user) -> str:
    sign_in(client, user)
    response = client.get(reverse("scheme_list"))
    assert response.status_code == 200
    return response.text


def test_open_schemes_are_listed_with_who_may_apply_until_when(client):
    icb = IcbFactory(name="NHS Northern ICB")
    scheme = SchemeFactory(
        name="GP Supporting Mentors Scheme",
        owner=icb,
        description="Experienced GPs mentor GPs new to practice.",
    )
    intake = IntakeFactory(scheme=scheme, role="mentor")

    page = list_page(client, PersonFactory().user)

    assert "1 scheme is taking applications today." in page
    assert "GP Supporting Mentors Scheme" in page
    assert "NHS Northern ICB" in page
    assert "Experienced GPs mentor GPs new to practice." in page
    assert f"Mentors: applications close on {intake.closes_on.day} " in page
    assert reverse("scheme_apply", args=[scheme.slug, "mentor"]) in page
    assert reverse("scheme_apply", args=[scheme.slug, "mentee"]) not in page
    assert reverse("scheme_detail", args=[scheme.slug]) in page


def test_schemes_not_taking_applications_today_are_not_listed(client):
    SchemeFactory(name="Closed scheme", open_for=None)
    IntakeFactory(scheme=SchemeFactory(name="Closed last month"), closed=True)
    future = IntakeFactory(scheme=SchemeFactory(name="Opens next year"))
    future.opens_on = future.closes_on = timezone.localdate() + datetime.timedelta(days=365)
    future.save()
    ended = SchemeFactory(name="Ended scheme", open_for="both")
    ended.ends_on = ended.starts_on
    ended.save()

    page = list_page(client, PersonFactory().user)

    for name in ("Closed scheme", "Closed last month", "Opens next year", "Ended scheme"):
        assert name not in page
    assert "No scheme is taking applications at the moment." in page


def test_a_scheme_open_to_both_roles_offers_both(client):
    scheme = SchemeFactory(open_for="both")

    page = list_page(client, PersonFactory().user)

    assert "Mentors and mentees: applications close on" in page
    assert reverse("scheme_apply", args=[scheme.slug, "mentor"]) in page
    assert reverse("scheme_apply", args=[scheme.slug, "mentee"]) in page


def test_a_person_sees_their_applications_and_enrolments(client):
    person = PersonFactory()
    application = ApplicationFactory(person=person, scheme=SchemeFactory(name="PA preceptorship"))
    rejected = ApplicationFactory(
        person=person, scheme=SchemeFactory(name="Pharmacy"), rejected=True
    )
    scheme = SchemeFactory(name="GP Supporting Mentors Scheme")
    MenteeEnrolmentFactory(
        person=person, scheme=scheme, cohort=CohortFactory(scheme=scheme, name="GP fellows")
    )

    page = list_page(client, person.user)

    assert "PA preceptorship, as a mentor" in page
    assert "Waiting for a decision" in page
    assert "Not accepted" in page
    assert reverse("application_detail", args=[application.pk]) in page
    assert reverse("application_detail", args=[rejected.pk]) in page
    assert "Mentee (GP fellows): active since 1 September 2025" in page
    assert reverse("mentor_profiles", args=[scheme.slug]) in page


def test_a_mentor_who_left_is_shown_the_date_and_no_profiles_link(client):
    enrolment = MentorEnrolmentFactory(left=True)

    page = list_page(client, enrolment.person.user)

    assert "Mentor: left on 31 January 2026" in page
    assert reverse("mentor_profiles", args=[enrolment.scheme.slug]) not in page


def test_someone_with_nothing_yet_gets_an_honest_empty_state(client):
    page = list_page(client, PersonFactory().user)

    assert "You have not applied to a scheme and you are not on one yet." in page
    assert "Schemes you coordinate" not in page


def test_a_self_registered_user_is_told_applying_asks_about_them(client):
    page = list_page(client, UserFactory())

    assert "You have not applied to a scheme yet." in page
    assert "we will ask a few questions about you" in page


def test_a_coordinator_sees_their_own_schemes_with_their_registers(client):
    icb = IcbFactory()
    mine = SchemeFactory(owner=icb, name="Our scheme")
    theirs = SchemeFactory(name="Their scheme")

    page = list_page(client, coordinator_of(icb))

    assert "Schemes you coordinate" in page
    assert reverse("mentor_register", args=[mine.slug]) in page
    assert reverse("mentor_profiles", args=[mine.slug]) in page
    assert reverse("mentor_register", args=[theirs.slug]) not in page


def test_the_list_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    icb = IcbFactory()
    user = coordinator_of(icb)
    person = PersonFactory(user=user)

    def grow(n):
        for _ in range(n):
            scheme = SchemeFactory(owner=icb, open_for="mentor")
            IntakeFactory(scheme=scheme, role="mentee")
            ApplicationFactory(person=person, scheme=scheme)
            MentorEnrolmentFactory(person=person, scheme=scheme)

    grow(1)
    sign_in(client, user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("scheme_list"))
    grow(10)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("scheme_list")).text
    assert "11 schemes are taking applications today." in page
