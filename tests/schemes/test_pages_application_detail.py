"""An applicant's own application: its status in words, their answers, and the verdict at once in
plain words — each rule with its result as text (never colour alone), whether it is required,
why, and what to do when a record is missing."""

import datetime

import pytest
from django.urls import reverse

from mentoring.models import FocusArea
from schemes import services
from schemes.models import ApplicationStatus
from tests.auth import sign_in
from tests.factories import PersonFactory, RegistrationFactory
from tests.schemes.factories import ApplicationFactory, CohortFactory, SchemeFactory
from tests.schemes.world import MENTOR_ANSWERS, gp_mentor, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def ics():
    return world()


@pytest.fixture
def gp_scheme(ics):
    return ics["schemes"]["gp-supporting-mentors"]


def page_of(client, application) -> str:
    sign_in(client, application.person.user)
    response = client.get(reverse("application_detail", args=[application.pk]))
    assert response.status_code == 200
    return response.text


def applied(person, scheme, **answers):
    return services.submit_application(
        person=person, scheme=scheme, role="mentor", answers={**MENTOR_ANSWERS, **answers}
    )


def test_an_eligible_applicant_is_told_they_meet_the_rules(client, ics, gp_scheme):
    page = page_of(client, applied(gp_mentor(ics["practice"]), gp_scheme))

    assert "You meet the scheme's rules" in page
    assert "You do not meet all the scheme's rules yet" not in page
    assert "Waiting for a decision" in page
    assert "At least 3 clinical sessions a week" in page
    assert "Works 4 clinical sessions a week (at least 3 needed)." in page
    assert page.count(">Passed</strong>") == 7
    assert "Required: you must meet this rule" in page


def test_an_ineligible_applicant_sees_which_rule_fails_and_why(client, ics, gp_scheme):
    person = gp_mentor(ics["practice"], sessions="2")

    page = page_of(client, applied(person, gp_scheme, clinical_sessions_per_week=2))

    assert "You do not meet all the scheme's rules yet" in page
    assert "You meet the scheme's rules" not in page
    assert "A coordinator can approve your application only once you meet every required rule" in (
        page
    )
    assert page.count("Works 2 clinical sessions a week (at least 3 needed).") == 2  # summary, row
    assert page.count(">Not met</strong>") == 1


def test_a_missing_record_is_not_known_yet_and_says_what_to_do(client, ics, gp_scheme):
    person = PersonFactory(organisation=ics["practice"])  # no GMC registration, no training

    page = page_of(client, applied(person, gp_scheme))

    assert "You do not meet all the scheme's rules yet" in page
    assert ">Not known yet</strong>" in page
    assert "No GMC registration is on file." in page
    assert "No mentoring training is on file." in page
    assert "ask the scheme's coordinator at NHS Test ICB to add the missing record" in page


def test_an_advisory_rule_that_fails_is_a_warning_not_a_bar(client):
    scheme = SchemeFactory(open_for="both")
    scheme.eligibility_rules.create(
        role="mentor", code="min_years_qualified", params={"years": 3}, severity="advisory"
    )
    person = PersonFactory()
    RegistrationFactory(person=person, qualified_on=datetime.date.today() - datetime.timedelta(400))

    page = page_of(client, applied(person, scheme))

    assert "You meet the scheme's rules" in page
    assert "One advisory rule is not met" in page
    assert "Advisory: this does not stop you joining" in page
    assert ">Not met</strong>" in page


def test_a_coordinator_adding_the_missing_record_shows_at_once(client, ics, gp_scheme):
    person = PersonFactory(organisation=ics["practice"])
    application = applied(person, gp_scheme)
    assert "No GMC registration is on file." in page_of(client, application)

    RegistrationFactory(person=person)

    assert "No GMC registration is on file." not in page_of(client, application)


def test_the_result_of_a_rule_always_has_words_beside_its_colour(client, ics, gp_scheme):
    page = page_of(client, applied(PersonFactory(organisation=ics["practice"]), gp_scheme))

    for colour, words in (("green", "Passed"), ("red", "Not met"), ("yellow", "Not known yet")):
        if f"nhsuk-tag--{colour}" in page:
            assert f'nhsuk-tag nhsuk-tag--{colour}">{words}</strong>' in page


def test_the_mentors_answers_are_shown_back(client, ics, gp_scheme):
    leadership = FocusArea.objects.create(name="Leadership")
    application = applied(gp_mentor(ics["practice"]), gp_scheme, focus_areas=[leadership])

    page = page_of(client, application)

    for text in (
        MENTOR_ANSWERS["motivation"],
        MENTOR_ANSWERS["mentoring_plan"],
        "Yes, you intend to do one",
        "Leadership",
        ">6<",
    ):
        assert text in page


def test_a_mentees_answers_are_shown_back(client):
    scheme = SchemeFactory()
    cohort = CohortFactory(scheme=scheme, name="GP fellows")
    application = ApplicationFactory(
        scheme=scheme, mentee=True, cohort=cohort, hopes="Help with my first partnership."
    )

    page = page_of(client, application)

    assert "Your application as a mentee" in page
    assert "GP fellows" in page and "Help with my first partnership." in page
    assert "Mentoring plan" not in page


def test_a_rejected_applicant_reads_the_feedback_and_how_to_reapply(client, ics, gp_scheme):
    application = applied(gp_mentor(ics["practice"], sessions="2"), gp_scheme)
    services.reject_application(
        application=application,
        decided_by=ics["coordinator"],
        feedback="You work 2 clinical sessions a week; the scheme needs 3.",
        how_to_reapply="Apply at the April intake once you work 3 sessions.",
    )

    page = page_of(client, application)

    assert "Not accepted" in page
    assert "Why your application was not accepted" in page
    assert "You work 2 clinical sessions a week; the scheme needs 3." in page
    assert "Apply at the April intake once you work 3 sessions." in page
    assert "when you applied" in page  # a decided application shows the check it was decided on


def test_someone_on_the_waiting_list_is_told_they_need_not_reapply(client, ics, gp_scheme):
    application = ApplicationFactory(scheme=gp_scheme, waiting=True, with_check=True)

    page = page_of(client, application)

    assert "Approved, on the waiting list" in page
    assert "You are on the waiting list, in the order applications were approved" in page
    assert "You do not need to apply again." in page


def test_a_decided_application_shows_the_stored_check(client):
    application = ApplicationFactory(
        status=ApplicationStatus.APPROVED, scheme=SchemeFactory(), with_check=True
    )
    check = application.eligibility_check
    check.results = [
        {
            "code": "min_clinical_sessions_per_week",
            "title": "At least 3 clinical sessions a week",
            "result": "passed",
            "severity": "required",
            "reason": "Works 5 clinical sessions a week (at least 3 needed).",
            "valid_until": "2027-03-31",
        }
    ]
    check.on_date = datetime.date(2026, 2, 1)
    check.save()

    page = page_of(client, application)

    assert "Approved and enrolled" in page
    assert "Checked on 1 February 2026, when you applied" in page
    assert "Works 5 clinical sessions a week (at least 3 needed)." in page
    assert "This holds until 31 March 2027." in page


def test_an_application_without_a_recorded_check_says_so(client):
    application = ApplicationFactory(status=ApplicationStatus.WITHDRAWN)

    page = page_of(client, application)

    assert "This application was withdrawn." in page
    assert "No check against the scheme's rules was recorded" in page


def test_the_page_takes_a_fixed_number_of_queries(
    client, ics, gp_scheme, django_assert_max_num_queries
):
    focus = [FocusArea.objects.create(name=f"Area {n}") for n in range(5)]
    application = applied(gp_mentor(ics["practice"]), gp_scheme, focus_areas=focus)
    sign_in(client, application.person.user)

    with django_assert_max_num_queries(12):
        client.get(reverse("application_detail", args=[application.pk]))
