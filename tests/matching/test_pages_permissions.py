"""Who may open each mentoring page: (who × page) → status.

A mentorship is seen only by its members; asking for a different mentor only by its mentee;
availability only by the scheme's current mentors; the shortlist only by its current active
mentees. Coordinators work in the admin. Everyone else gets a 404, so a page does not say whether
it exists; anonymous visitors are sent to sign in.
"""

import datetime

import pytest
from django.urls import reverse

from matching import services
from matching.models import Mentorship, MentorshipMember
from tests.auth import sign_in
from tests.matching.pairs import Scene
from tests.schemes.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory, SchemeFactory

pytestmark = pytest.mark.django_db

WHO = ("anonymous", "member_mentor", "member_mentee", "other_mentee", "other_mentor", "coordinator")

# page → expected status for each of WHO, in order
MATRIX = {
    "mentorships": (302, 200, 200, 200, 200, 200),
    "mentorship_detail": (302, 200, 200, 404, 404, 404),
    "mentorship_rematch": (302, 404, 200, 404, 404, 404),
    "mentorship_not_continuing": (302, 200, 200, 404, 404, 404),
    "availability": (302, 200, 404, 404, 200, 404),
    "shortlist": (302, 404, 200, 200, 404, 404),
}


@pytest.fixture
def cast():
    """An active one-to-one mentorship, a mentee and a mentor of the same scheme outside it, and
    the scheme's coordinator."""
    scene = Scene()
    mentor, mentee = scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee")
    mentorship = services.create_mentorship(
        mentors=[mentor], mentees=[mentee], source="manual", by=None
    )
    services.record_meeting(
        mentorship=mentorship,
        held_on=datetime.date.today(),
        attended=[mentor, mentee],
        by=None,
    )
    return {
        "scene": scene,
        "mentorship": mentorship,
        "users": {
            "anonymous": None,
            "member_mentor": mentor.person.user,
            "member_mentee": mentee.person.user,
            "other_mentee": scene.mentee("Otto Other").person.user,
            "other_mentor": scene.mentor("Olga Other").person.user,
            "coordinator": scene.coordinator,
        },
    }


def url_of(page: str, cast) -> str:
    if page in ("availability", "shortlist"):
        return reverse(page, args=[cast["scene"].scheme.slug])
    if page == "mentorships":
        return reverse(page)
    return reverse(page, args=[cast["mentorship"].pk])


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


@pytest.fixture
def proposed():
    scene = Scene()
    mentor, mentee = scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee")
    mentorship = services.create_mentorship(
        mentors=[mentor], mentees=[mentee], source="manual", by=None
    )
    outsiders = {
        "other_mentee": scene.mentee("Otto Other").person.user,
        "other_mentor": scene.mentor("Olga Other").person.user,
        "coordinator": scene.coordinator,
    }
    return mentorship, outsiders


def answers(mentorship):
    return sorted(
        MentorshipMember.objects.filter(mentorship=mentorship).values_list("role", "response")
    )


@pytest.mark.parametrize("who", ["other_mentee", "other_mentor", "coordinator"])
@pytest.mark.parametrize(
    ("page", "data"),
    [
        ("mentorship_respond", {"answer": "decline"}),
        ("mentorship_rematch", {"reason": "I would rather not say."}),
        ("mentorship_not_continuing", {"note": ""}),
    ],
)
def test_an_outsiders_post_is_not_found_and_changes_nothing(client, proposed, who, page, data):
    mentorship, outsiders = proposed
    sign_in(client, outsiders[who])
    before = answers(mentorship)

    response = client.post(reverse(page, args=[mentorship.pk]), data)

    assert response.status_code == 404
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.PROPOSED
    assert answers(mentorship) == before


def test_an_anonymous_post_goes_to_sign_in_and_changes_nothing(client, proposed):
    mentorship, _ = proposed

    response = client.post(
        reverse("mentorship_respond", args=[mentorship.pk]), {"answer": "decline"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.PROPOSED


def test_the_mentor_cannot_ask_for_a_different_mentor_even_by_posting(client, proposed):
    mentorship, _ = proposed
    mentor = mentorship.members.get(role="mentor").enrolment
    sign_in(client, mentor.person.user)

    response = client.post(
        reverse("mentorship_rematch", args=[mentorship.pk]), {"reason": "Let me out."}
    )

    assert response.status_code == 404
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.PROPOSED


def test_deciding_not_to_continue_is_only_for_an_active_mentorship(client, proposed):
    mentorship, _ = proposed
    sign_in(client, mentorship.members.get(role="mentee").enrolment.person.user)

    assert client.get(reverse("mentorship_not_continuing", args=[mentorship.pk])).status_code == (
        404
    )


def test_answering_is_post_only(client, proposed):
    mentorship, _ = proposed
    sign_in(client, mentorship.members.get(role="mentee").enrolment.person.user)

    assert client.get(reverse("mentorship_respond", args=[mentorship.pk])).status_code == 405


def test_people_of_another_scheme_do_not_see_this_schemes_pages(client):
    scene = Scene()
    elsewhere = SchemeFactory(owner=scene.icb)
    mentor = MentorEnrolmentFactory(scheme=elsewhere)
    mentee = MenteeEnrolmentFactory(scheme=elsewhere)

    sign_in(client, mentor.person.user)
    assert client.get(reverse("availability", args=[scene.scheme.slug])).status_code == 404
    sign_in(client, mentee.person.user)
    assert client.get(reverse("shortlist", args=[scene.scheme.slug])).status_code == 404


@pytest.mark.parametrize("trait", ["left", "paused"])
def test_a_mentee_who_left_or_is_paused_has_no_shortlist(client, trait):
    scheme = Scene().scheme
    mentee = MenteeEnrolmentFactory(scheme=scheme, **{trait: True})
    sign_in(client, mentee.person.user)

    assert client.get(reverse("shortlist", args=[scheme.slug])).status_code == 404


def test_a_mentor_who_left_has_no_availability_page(client):
    scheme = Scene().scheme
    mentor = MentorEnrolmentFactory(scheme=scheme, left=True)
    sign_in(client, mentor.person.user)

    assert client.get(reverse("availability", args=[scheme.slug])).status_code == 404


def test_an_unknown_mentorship_or_scheme_is_not_found(client, proposed):
    mentorship, _ = proposed
    sign_in(client, mentorship.members.get(role="mentee").enrolment.person.user)

    assert client.get(reverse("mentorship_detail", args=[mentorship.pk + 1000])).status_code == (
        404
    )
    assert client.get(reverse("shortlist", args=["no-such-scheme"])).status_code == 404
    assert client.get(reverse("availability", args=["no-such-scheme"])).status_code == 404
