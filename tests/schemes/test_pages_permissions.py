"""Who may open each scheme page: (who × page) → status.

Everyone signed in may read about schemes and apply; an application is seen by its applicant only
(coordinators use the admin); the mentor register by the scheme's coordinators and superusers;
mentor profiles by the scheme's current mentees and its coordinators. Everyone else gets a 404,
so a page does not say whether it exists.
"""

import pytest
from django.urls import reverse

from tests.auth import sign_in
from tests.factories import (
    IcbFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    coordinator_of,
)
from tests.schemes.factories import (
    ApplicationFactory,
    MenteeEnrolmentFactory,
    MentorEnrolmentFactory,
    SchemeFactory,
)

pytestmark = pytest.mark.django_db

WHO = (
    "anonymous",
    "applicant",
    "mentee",
    "mentor",
    "coordinator",
    "other_coordinator",
    "superuser",
)

# page → expected status for each of WHO, in order
MATRIX = {
    "scheme_list": (302, 200, 200, 200, 200, 200, 200),
    "scheme_detail": (302, 200, 200, 200, 200, 200, 200),
    "scheme_apply": (302, 200, 200, 200, 200, 200, 200),
    "application_detail": (302, 200, 404, 404, 404, 404, 404),
    "mentor_register": (302, 404, 404, 404, 200, 404, 200),
    "mentor_profiles": (302, 404, 200, 404, 200, 404, 200),
}


@pytest.fixture
def cast():
    """A scheme run by one ICS, the people around it, and a coordinator of another ICS."""
    icb = IcbFactory()
    practice = OrganisationFactory(parent=icb)
    scheme = SchemeFactory(owner=icb, open_for="both")
    applicant = PersonFactory(organisation=practice)
    application = ApplicationFactory(scheme=scheme, person=applicant)
    mentee = MenteeEnrolmentFactory(scheme=scheme, person__organisation=practice).person
    mentor = MentorEnrolmentFactory(
        scheme=scheme, person__organisation=practice, person__profile="I mentor new GPs."
    ).person
    return {
        "scheme": scheme,
        "application": application,
        "users": {
            "anonymous": None,
            "applicant": applicant.user,
            "mentee": mentee.user,
            "mentor": mentor.user,
            "coordinator": coordinator_of(icb),
            "other_coordinator": coordinator_of(IcbFactory()),
            "superuser": UserFactory(is_superuser=True, is_staff=True),
        },
    }


def url_of(page: str, cast) -> str:
    slug = cast["scheme"].slug
    return {
        "scheme_list": reverse("scheme_list"),
        "scheme_detail": reverse("scheme_detail", args=[slug]),
        "scheme_apply": reverse("scheme_apply", args=[slug, "mentor"]),
        "application_detail": reverse("application_detail", args=[cast["application"].pk]),
        "mentor_register": reverse("mentor_register", args=[slug]),
        "mentor_profiles": reverse("mentor_profiles", args=[slug]),
    }[page]


@pytest.mark.parametrize(
    ("page", "who", "status"),
    [
        (page, who, status)
        for page, statuses in MATRIX.items()
        for who, status in zip(WHO, statuses, strict=True)
    ],
)
def test_who_may_open_each_page(client, cast, page, who, status):
    user = cast["users"][who]
    if user is not None:
        sign_in(client, user)

    response = client.get(url_of(page, cast))

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_an_anonymous_post_to_the_form_goes_to_sign_in_and_saves_nothing(client, cast):
    response = client.post(url_of("scheme_apply", cast), {"motivation": "Let me in"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert cast["scheme"].applications.count() == 1


def test_a_mentee_who_has_left_no_longer_sees_the_profiles(client, cast):
    enrolment = cast["scheme"].enrolments.get(role="mentee")
    enrolment.status, enrolment.left_on = "left", enrolment.joined_on
    enrolment.save()
    sign_in(client, enrolment.person.user)

    assert client.get(url_of("mentor_profiles", cast)).status_code == 404


def test_a_mentee_of_another_scheme_does_not_see_this_schemes_profiles(client, cast):
    elsewhere = MenteeEnrolmentFactory(scheme=SchemeFactory(owner=cast["scheme"].owner))
    sign_in(client, elsewhere.person.user)

    assert client.get(url_of("mentor_profiles", cast)).status_code == 404


def test_a_coordinator_of_the_parent_organisation_sees_a_child_organisations_register(client):
    icb = IcbFactory()
    hub = OrganisationFactory(parent=icb, kind="training_hub")
    scheme = SchemeFactory(owner=hub)
    sign_in(client, coordinator_of(icb))

    response = client.get(reverse("mentor_register", args=[scheme.slug]))

    assert response.status_code == 200


def test_an_unknown_role_or_scheme_is_not_found(client, cast):
    sign_in(client, cast["users"]["applicant"])
    slug = cast["scheme"].slug

    assert client.get(reverse("scheme_apply", args=[slug, "coordinator"])).status_code == 404
    assert client.get(reverse("scheme_apply", args=["no-such-scheme", "mentor"])).status_code == 404
    assert client.get(reverse("scheme_detail", args=["no-such-scheme"])).status_code == 404
