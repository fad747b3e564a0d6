"""The mentors' published profiles that a scheme's mentees may browse: name, profession,
sectors, focus areas and profile text — never registration data, e-mail addresses or phone
numbers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import FocusArea, Sector
from tests.auth import sign_in
from tests.factories import PersonFactory, RegistrationFactory
from tests.schemes.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory, SchemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme():
    return SchemeFactory()


@pytest.fixture
def mentee(client, scheme):
    enrolment = MenteeEnrolmentFactory(scheme=scheme)
    sign_in(client, enrolment.person.user)
    return enrolment.person


def published_mentor(scheme, first_name="Ada", **enrolment):
    person = PersonFactory(
        user__first_name=first_name,
        user__last_name="Mentor",
        user__email=f"{first_name.lower()}.private@example.nhs.uk",
        work_email=f"{first_name.lower()}.work@example.nhs.uk",
        work_phone="07700 900123",
        payee_reference="PAY-000123",
        profile=f"{first_name} has mentored new GPs for ten years.",
    )
    return MentorEnrolmentFactory(scheme=scheme, person=person, **enrolment)


def profiles(client, scheme) -> str:
    response = client.get(reverse("mentor_profiles", args=[scheme.slug]))
    assert response.status_code == 200
    return response.text


def test_a_mentee_reads_a_mentors_published_profile(client, scheme, mentee):
    person = published_mentor(scheme).person
    person.sectors.set([Sector.objects.create(name="Urban general practice")])
    person.focus_areas.set([FocusArea.objects.create(name="Leadership")])

    page = profiles(client, scheme)

    for text in (
        "Ada Mentor",
        "GP",
        "Urban general practice",
        "Leadership",
        "Ada has mentored new GPs for ten years.",
    ):
        assert text in page


def test_profiles_never_show_registration_data_emails_or_phone_numbers(client, scheme, mentee):
    person = published_mentor(scheme).person
    registration = RegistrationFactory(person=person, number="7123456")

    page = profiles(client, scheme)

    assert "Ada Mentor" in page
    for secret in (
        registration.number,
        "GMC",
        "Performers List",
        person.user.email,
        person.work_email,
        person.work_phone,
        "@example.nhs.uk",
        "PAY-000123",
        "mailto:",
        "tel:",
    ):
        assert secret not in page, secret


def test_only_active_mentors_who_wrote_a_profile_are_listed(client, scheme, mentee):
    published_mentor(scheme, "Ada")
    published_mentor(scheme, "Bea", paused=True)
    published_mentor(scheme, "Cal", left=True)
    published_mentor(SchemeFactory(), "Dot")
    MentorEnrolmentFactory(scheme=scheme, person__user__first_name="Eve", person__profile="")

    page = profiles(client, scheme)

    assert "Ada Mentor" in page
    for name in ("Bea", "Cal", "Dot", "Eve"):
        assert f"{name} Mentor" not in page and f">{name} " not in page
    assert "1 mentor on the scheme has published a profile." in page


def test_with_no_profiles_yet_the_mentee_is_told_what_happens_next(client, scheme, mentee):
    page = profiles(client, scheme)

    assert "No mentor on the scheme has published a profile yet." in page


def test_the_profiles_take_a_constant_number_of_queries(
    client, scheme, mentee, django_assert_max_num_queries
):
    sectors = [Sector.objects.create(name=f"Sector {n}") for n in range(3)]
    areas = [FocusArea.objects.create(name=f"Area {n}") for n in range(3)]

    def add(start, stop):
        for i in range(start, stop):
            person = published_mentor(scheme, f"Mentor{i}").person
            person.sectors.set(sectors)
            person.focus_areas.set(areas)

    url = reverse("mentor_profiles", args=[scheme.slug])
    add(0, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(3, 33)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).text
    assert "33 mentors on the scheme have published a profile." in page
