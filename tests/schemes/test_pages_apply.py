"""The application form: a mentor's or a mentee's answers, refused by the field when they are out
of range or missing, refused as a whole when the scheme says no (intake closed, applied already,
enrolled already) — and in every refusal nothing is saved."""

import html
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from mentoring.models import FocusArea, Person
from schemes import services
from schemes.models import Application, Intake
from tests.auth import sign_in
from tests.factories import OrganisationFactory, UserFactory
from tests.schemes.factories import (
    CohortFactory,
    IntakeFactory,
    MenteeEnrolmentFactory,
    MentorEnrolmentFactory,
    SchemeFactory,
)
from tests.schemes.world import MENTOR_ANSWERS, gp_mentor, world

pytestmark = pytest.mark.django_db

VALID_MENTOR = {
    "motivation": "I want to help GPs new to practice find their feet.",
    "clinical_sessions_per_week": "4",
    "intends_extra_session": "yes",
    "preferred_mentees": "6",
    "mentoring_plan": "An hour every four weeks with each mentee, by video or at the practice.",
}


class TextById(HTMLParser):
    """The text inside the element with a given id (nested elements included)."""

    def __init__(self, page: str, element_id: str):
        super().__init__()
        self.element_id, self.depth, self.parts = element_id, 0, []
        self.found = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.element_id:
            self.depth, self.found = 1, True

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)

    @property
    def text(self) -> str | None:
        return " ".join("".join(self.parts).split()) if self.found else None


def field_error(page: str, field: str) -> str | None:
    return TextById(page, f"id_{field}_error").text


def error_summary(page: str) -> str:
    start = page.find('class="nhsuk-error-summary"')
    assert start != -1, "no error summary on the page"
    return html.unescape(page[start : page.find("</ul>", start)])


@pytest.fixture
def ics():
    return world()


@pytest.fixture
def gp_scheme(ics):
    return ics["schemes"]["gp-supporting-mentors"]


@pytest.fixture
def gp(ics, client):
    person = gp_mentor(ics["practice"])
    sign_in(client, person.user)
    return person


def apply_url(scheme, role="mentor"):
    return reverse("scheme_apply", args=[scheme.slug, role])


# a good application -----------------------------------------------------------------------------
def test_a_gp_applies_as_a_mentor_and_lands_on_the_verdict(client, gp, gp_scheme):
    leadership = FocusArea.objects.create(name="Leadership")

    response = client.post(
        apply_url(gp_scheme), {**VALID_MENTOR, "focus_areas": [leadership.pk]}, follow=True
    )

    application = Application.objects.get(person=gp, scheme=gp_scheme, role="mentor")
    assert response.redirect_chain == [(reverse("application_detail", args=[application.pk]), 302)]
    assert "Your application to GP Supporting Mentors Scheme has been sent" in response.text
    assert "You meet the scheme's rules" in response.text
    assert application.clinical_sessions_per_week == Decimal("4")
    assert application.intends_extra_session is True
    assert application.preferred_mentees == 6
    assert list(application.focus_areas.all()) == [leadership]
    assert application.eligibility_check.eligible


def test_the_form_asks_the_mentor_questions_with_the_schemes_capacity(client, gp, gp_scheme):
    page = client.get(apply_url(gp_scheme)).text

    for label in (
        "Your statement of motivation",
        "How many clinical sessions do you work a week?",
        "Do you intend to do one additional weekly session of mentoring?",
        "How many mentees would you like to take?",
        "Your mentoring plan",
    ):
        assert label in page
    assert "Mentors on this scheme take between 4 and 8 mentees." in page
    assert 'name="profession"' not in page  # already on the register


def test_a_scheme_whose_mentors_take_one_mentee_does_not_ask_how_many(client, ics):
    pharmacy = ics["schemes"]["pharmacy-ip"]
    person = gp_mentor(ics["practice"])
    sign_in(client, person.user)

    assert 'name="preferred_mentees"' not in client.get(apply_url(pharmacy)).text
    client.post(apply_url(pharmacy), {**VALID_MENTOR, "preferred_mentees": ""})

    assert Application.objects.get(person=person, scheme=pharmacy).preferred_mentees == 1


# bad answers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "clinical_sessions_per_week",
            "-1",
            "The number of clinical sessions cannot be less than 0",
        ),
        (
            "clinical_sessions_per_week",
            "14.5",
            "The number of clinical sessions must be 14 or fewer",
        ),
        ("clinical_sessions_per_week", "15", "The number of clinical sessions must be 14 or fewer"),
        (
            "clinical_sessions_per_week",
            "four",
            "Enter the number of clinical sessions as a number, like 4 or 3.5",
        ),
        (
            "clinical_sessions_per_week",
            "3.25",
            "Enter the number of clinical sessions to one decimal place at most, like 3.5",
        ),
        ("clinical_sessions_per_week", "", "Enter how many clinical sessions you work a week"),
        (
            "preferred_mentees",
            "3",
            "Enter a number from 4 to 8: mentors on this scheme take between 4 and 8 mentees",
        ),
        (
            "preferred_mentees",
            "9",
            "Enter a number from 4 to 8: mentors on this scheme take between 4 and 8 mentees",
        ),
        ("preferred_mentees", "", "Enter how many mentees you would like to take"),
        ("motivation", "", "Enter your statement of motivation"),
        ("motivation", "   ", "Enter your statement of motivation"),
        ("mentoring_plan", "", "Enter your mentoring plan"),
        (
            "intends_extra_session",
            "",
            "Select yes if you intend to do one additional weekly session of mentoring",
        ),
        (
            "intends_extra_session",
            "maybe",
            "Select a valid choice. maybe is not one of the available choices.",
        ),
    ],
)
def test_a_bad_answer_is_refused_by_its_field_and_nothing_is_saved(
    client, gp, gp_scheme, field, value, message
):
    response = client.post(apply_url(gp_scheme), {**VALID_MENTOR, field: value})

    assert response.status_code == 200
    assert field_error(response.text, field) == f"Error: {message}"
    assert message in error_summary(response.text)
    assert f'href="#id_{field}' in error_summary(response.text)
    assert response.text.count("<title>Error: ") == 1
    assert not Application.objects.exists()


def test_every_missing_answer_is_listed_at_once(client, gp, gp_scheme):
    response = client.post(apply_url(gp_scheme), {})

    summary = error_summary(response.text)
    for message in (
        "Enter your statement of motivation",
        "Enter how many clinical sessions you work a week",
        "Select yes if you intend to do one additional weekly session of mentoring",
        "Enter how many mentees you would like to take",
        "Enter your mentoring plan",
    ):
        assert message in summary
    assert not Application.objects.exists()


def test_what_was_typed_is_kept_after_a_refusal(client, gp, gp_scheme):
    response = client.post(apply_url(gp_scheme), {**VALID_MENTOR, "preferred_mentees": "12"})

    assert VALID_MENTOR["motivation"] in response.text
    assert 'value="12"' in response.text


# the scheme says no -----------------------------------------------------------------------------
def test_applying_after_the_intake_closed_is_refused_and_nothing_is_saved(client, gp, gp_scheme):
    Intake.objects.filter(scheme=gp_scheme).delete()
    IntakeFactory(scheme=gp_scheme, closed=True)

    response = client.post(apply_url(gp_scheme), VALID_MENTOR)

    assert response.status_code == 200
    assert (
        "Applications to GP Supporting Mentors Scheme as a mentor are not open at the moment."
        in error_summary(response.text)
    )
    assert not Application.objects.exists()


def test_applying_twice_is_refused_and_nothing_more_is_saved(client, gp, gp_scheme):
    services.submit_application(person=gp, scheme=gp_scheme, role="mentor", answers=MENTOR_ANSWERS)

    response = client.post(apply_url(gp_scheme), VALID_MENTOR)

    assert (
        "There is already an application to GP Supporting Mentors Scheme as a mentor waiting "
        "for a decision." in error_summary(response.text)
    )
    assert Application.objects.count() == 1


def test_applying_while_enrolled_is_refused(client, gp, gp_scheme):
    MentorEnrolmentFactory(person=gp, scheme=gp_scheme)

    response = client.post(apply_url(gp_scheme), VALID_MENTOR)

    assert "You are already enrolled on GP Supporting Mentors Scheme as a mentor." in (
        error_summary(response.text)
    )
    assert not Application.objects.exists()


def test_the_form_is_not_offered_while_applications_are_closed(client, gp, gp_scheme):
    Intake.objects.filter(scheme=gp_scheme).delete()
    upcoming = IntakeFactory(scheme=gp_scheme, role="mentor")
    upcoming.opens_on = upcoming.closes_on
    upcoming.save()

    page = client.get(apply_url(gp_scheme)).text

    assert "are not open at the moment" in page
    assert f"The next intake opens on {upcoming.opens_on.day} " in page
    assert 'name="motivation"' not in page


def test_someone_who_has_applied_is_sent_to_their_application_instead_of_the_form(
    client, gp, gp_scheme
):
    application = services.submit_application(
        person=gp, scheme=gp_scheme, role="mentor", answers=MENTOR_ANSWERS
    )

    page = client.get(apply_url(gp_scheme)).text

    assert "you do not need to apply again" in page
    assert reverse("application_detail", args=[application.pk]) in page
    assert 'name="motivation"' not in page


def test_someone_already_on_the_scheme_is_told_so_instead_of_the_form(client, gp, gp_scheme):
    MentorEnrolmentFactory(person=gp, scheme=gp_scheme)

    page = client.get(apply_url(gp_scheme)).text

    assert "You are already a mentor on GP Supporting Mentors Scheme" in page
    assert 'name="motivation"' not in page


# mentees ----------------------------------------------------------------------------------------
def test_a_mentee_chooses_a_cohort_and_says_what_they_want(client, ics):
    scheme = ics["schemes"]["gp-supporting-mentors"]
    person = gp_mentor(ics["practice"])
    sign_in(client, person.user)
    fellows = scheme.cohorts.get(slug="gp-fellows")

    page = client.get(apply_url(scheme, "mentee")).text
    response = client.post(
        apply_url(scheme, "mentee"), {"cohort": fellows.pk, "hopes": "Confidence in my first post."}
    )

    assert "Which of these groups are you in?" in page
    assert "GP fellows" in page and "GPs returning to the profession" in page
    application = Application.objects.get(person=person, role="mentee")
    assert response.status_code == 302
    assert (application.cohort, application.hopes) == (fellows, "Confidence in my first post.")
    assert application.motivation == "" and application.clinical_sessions_per_week is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"hopes": "Support"}, "cohort", "Select the group you are in"),
        ({"cohort": "999999", "hopes": "Support"}, "cohort", "Select one of the groups listed"),
        ({"cohort": "FELLOWS"}, "hopes", "Enter what you want from mentoring"),
    ],
)
def test_a_mentees_missing_or_wrong_answer_is_refused_by_its_field(
    client, ics, data, field, message
):
    scheme = ics["schemes"]["gp-supporting-mentors"]
    sign_in(client, gp_mentor(ics["practice"]).user)
    if data.get("cohort") == "FELLOWS":
        data = {**data, "cohort": scheme.cohorts.get(slug="gp-fellows").pk}

    response = client.post(apply_url(scheme, "mentee"), data)

    assert field_error(response.text, field) == f"Error: {message}"
    assert not Application.objects.exists()


def test_a_cohort_of_another_scheme_is_refused(client, ics):
    scheme = ics["schemes"]["gp-supporting-mentors"]
    elsewhere = CohortFactory(scheme=SchemeFactory())
    sign_in(client, gp_mentor(ics["practice"]).user)

    response = client.post(apply_url(scheme, "mentee"), {"cohort": elsewhere.pk, "hopes": "Help"})

    assert field_error(response.text, "cohort") == "Error: Select one of the groups listed"
    assert not Application.objects.exists()


def test_a_scheme_without_cohorts_does_not_ask_for_one(client):
    scheme = SchemeFactory(open_for="mentee")
    person = MenteeEnrolmentFactory(scheme=SchemeFactory()).person
    sign_in(client, person.user)

    assert 'name="cohort"' not in client.get(apply_url(scheme, "mentee")).text
    response = client.post(apply_url(scheme, "mentee"), {"hopes": "Career advice."})

    assert response.status_code == 302
    assert Application.objects.get(scheme=scheme).cohort is None


# someone not yet on the register ----------------------------------------------------------------
def self_registered(client):
    user = UserFactory(first_name="Sam", last_name="Okafor")
    sign_in(client, user)
    return user


def test_a_self_registered_user_says_who_they_are_and_is_put_on_the_register(client, ics):
    user = self_registered(client)
    scheme = ics["schemes"]["gp-supporting-mentors"]
    practice = ics["practice"]

    page = client.get(apply_url(scheme)).text
    response = client.post(
        apply_url(scheme),
        {
            **VALID_MENTOR,
            "profession": "gp",
            "organisation": practice.pk,
            "department": "General practice",
            "region": "London",
            "work_email": "sam.okafor@nhs.net",
            "work_phone": "020 7946 0000",
        },
    )

    assert "About you" in page and "What is your profession?" in page
    assert response.status_code == 302
    person = Person.objects.get(user=user)
    assert (person.profession, person.organisation, person.department, person.region) == (
        "gp",
        practice,
        "General practice",
        "London",
    )
    assert (person.work_email, person.work_phone) == ("sam.okafor@nhs.net", "020 7946 0000")
    assert person.clinical_sessions_per_week == Decimal("4")
    application = Application.objects.get(person=person)
    # No registration or training is on file yet: the verdict says what is missing.
    assert not application.eligibility_check.eligible


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("profession", "", "Select your profession"),
        (
            "profession",
            "surgeon",
            "Select a valid choice. surgeon is not one of the available choices.",
        ),
        ("organisation", "", "Select the organisation you work for"),
        ("organisation", "999999", "Select the organisation you work for from the list"),
        (
            "work_email",
            "sam at nhs",
            "Enter an email address in the correct format, like name@example.nhs.uk",
        ),
    ],
)
def test_bad_details_about_yourself_are_refused_and_nothing_is_saved(
    client, ics, field, value, message
):
    self_registered(client)
    details = {"profession": "gp", "organisation": ics["practice"].pk, field: value}

    response = client.post(
        apply_url(ics["schemes"]["gp-supporting-mentors"]), {**VALID_MENTOR, **details}
    )

    assert field_error(response.text, field) == f"Error: {message}"
    assert not Person.objects.filter(user__first_name="Sam").exists()
    assert not Application.objects.exists()


def test_a_refused_application_does_not_leave_a_new_person_on_the_register(client, ics):
    self_registered(client)
    scheme = ics["schemes"]["gp-supporting-mentors"]
    scheme.intakes.all().delete()

    response = client.post(
        apply_url(scheme),
        {**VALID_MENTOR, "profession": "gp", "organisation": OrganisationFactory().pk},
    )

    assert "are not open at the moment" in error_summary(response.text)
    assert not Person.objects.filter(user__first_name="Sam").exists()
    assert not Application.objects.exists()
