"""A scheme's page: what it is, how often pairs meet, how many mentees a mentor takes, its
cohorts, its rules for mentors and mentees in plain words, its intakes — and an "Apply" button
for a role only while an intake for that role is open."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.auth import sign_in
from tests.factories import PersonFactory, coordinator_of
from tests.schemes.factories import (
    ApplicationFactory,
    CohortFactory,
    EligibilityRuleFactory,
    IntakeFactory,
    MenteeEnrolmentFactory,
    MentorEnrolmentFactory,
    SchemeFactory,
)
from tests.schemes.world import world

pytestmark = pytest.mark.django_db


def detail_page(client, scheme, user=None) -> str:
    sign_in(client, user or PersonFactory().user)
    response = client.get(reverse("scheme_detail", args=[scheme.slug]))
    assert response.status_code == 200
    return response.text


def apply_button(scheme, role) -> str:
    return f'href="{reverse("scheme_apply", args=[scheme.slug, role])}">Apply as a {role}</a>'


def test_the_gp_scheme_says_what_it_is_and_its_rules_in_plain_words(client):
    gp = world()["schemes"]["gp-supporting-mentors"]

    page = detail_page(client, gp)

    assert "GP Supporting Mentors Scheme" in page
    assert "NHS Test ICB" in page
    assert "Experienced GPs mentor GPs new to general practice" in page
    assert "4 to 8" in page  # mentees for each mentor
    assert "At least 12 months." in page  # minimum stay
    assert "GP fellows</strong>: 60 minutes every 4 weeks" in page
    assert "It depends on the mentee's group: see below" in page
    for rule in (
        "Full registration and a licence to practise with the GMC",
        "On the NHS England Medical Performers List",
        "Not under interim suspension under section 41A of the Medical Act 1983",
        "At least 3 clinical sessions a week",
        "Intends one additional weekly session of mentoring",
    ):
        assert rule in page
    assert "Who can be a mentor" in page and "Who can be a mentee" in page


def test_advisory_rules_are_set_apart_from_required_ones(client):
    pa = world()["schemes"]["pa-preceptorship"]

    page = detail_page(client, pa)

    required, advisory = page.split("The scheme would also prefer mentors", 1)
    assert "On the PA register" in required
    assert "At least 3 years since qualifying" in advisory.split("Who can be a mentee")[0]
    assert "2–4 sessions a year" in page
    assert "12 months" in page


def test_apply_buttons_show_only_for_roles_with_an_open_intake(client):
    scheme = SchemeFactory(open_for="mentor")

    page = detail_page(client, scheme)

    assert apply_button(scheme, "mentor") in page
    assert apply_button(scheme, "mentee") not in page
    assert "Applications from mentees are not open at the moment." in page


def test_no_apply_buttons_once_the_intake_has_closed(client):
    scheme = SchemeFactory()
    IntakeFactory(scheme=scheme, closed=True)

    page = detail_page(client, scheme)

    assert "Apply as a" not in page
    assert "No intake is open or planned at the moment." in page


def test_an_upcoming_intake_gives_its_dates(client):
    scheme = SchemeFactory()
    soon = timezone.localdate() + datetime.timedelta(days=10)
    IntakeFactory(scheme=scheme, name="Spring intake", role="mentee", opens_on=soon, closes_on=soon)

    page = detail_page(client, scheme)

    assert "Spring intake" in page
    assert f"Applications from mentees open on {soon.day} {soon:%B %Y}." in page
    assert "Apply as a" not in page


def test_someone_who_has_applied_is_pointed_to_their_application_not_the_button(client):
    scheme = SchemeFactory(open_for="both")
    application = ApplicationFactory(scheme=scheme)

    page = detail_page(client, scheme, application.person.user)

    assert reverse("application_detail", args=[application.pk]) in page
    assert apply_button(scheme, "mentor") not in page
    assert apply_button(scheme, "mentee") in page


def test_a_mentee_on_the_scheme_is_offered_the_mentor_profiles(client):
    scheme = SchemeFactory(open_for="both")
    enrolment = MenteeEnrolmentFactory(scheme=scheme)

    page = detail_page(client, scheme, enrolment.person.user)

    assert "You are a mentee on this scheme." in page
    assert reverse("mentor_profiles", args=[scheme.slug]) in page
    assert reverse("mentor_register", args=[scheme.slug]) not in page
    assert apply_button(scheme, "mentee") not in page


def test_a_mentor_is_not_offered_the_profiles_or_register(client):
    scheme = SchemeFactory(open_for="both")
    enrolment = MentorEnrolmentFactory(scheme=scheme)

    page = detail_page(client, scheme, enrolment.person.user)

    assert "You are a mentor on this scheme." in page
    assert reverse("mentor_profiles", args=[scheme.slug]) not in page
    assert reverse("mentor_register", args=[scheme.slug]) not in page


def test_the_schemes_coordinator_is_offered_the_register(client):
    scheme = SchemeFactory()

    page = detail_page(client, scheme, coordinator_of(scheme.owner))

    assert reverse("mentor_register", args=[scheme.slug]) in page
    assert reverse("mentor_profiles", args=[scheme.slug]) in page


def test_a_scheme_without_rules_says_the_coordinator_decides(client):
    page = detail_page(client, SchemeFactory())

    assert "The scheme has set no rules for mentors" in page


def test_the_page_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    scheme = SchemeFactory(open_for="both")
    person = PersonFactory()
    EligibilityRuleFactory(scheme=scheme)
    EligibilityRuleFactory(
        scheme=scheme, role="mentee", code="on_register", params={"register": "GMC"}
    )
    for n in range(8):
        CohortFactory(scheme=scheme, meet_every_weeks=n + 1)
        IntakeFactory(scheme=scheme)
    ApplicationFactory(scheme=scheme, person=person)
    sign_in(client, person.user)

    with django_assert_max_num_queries(13):
        client.get(reverse("scheme_detail", args=[scheme.slug]))
