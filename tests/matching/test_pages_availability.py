"""A mentor's availability: how many mentees they take in all (1 to the scheme's most) and
whether they stop taking new ones until a date; bad input is explained by its field and saves
nothing."""

import datetime

import pytest
from django.urls import reverse

from matching import loading, services
from schemes.models import Enrolment
from tests.auth import sign_in
from tests.matching.pairs import Scene

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
LATER = TODAY + datetime.timedelta(days=60)


@pytest.fixture
def scene():
    return Scene()


@pytest.fixture
def mona(scene, client):
    mentor = scene.mentor("Mona Mentor", capacity=4)
    sign_in(client, mentor.person.user)
    return mentor


def url(scene) -> str:
    return reverse("availability", args=[scene.scheme.slug])


def post(client, scene, capacity="", day="", month="", year=""):
    return client.post(
        url(scene),
        {
            "capacity": capacity,
            "not_taking_until_day": day,
            "not_taking_until_month": month,
            "not_taking_until_year": year,
        },
    )


def saved(enrolment) -> tuple:
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    return enrolment.capacity, enrolment.not_taking_mentees_until


def test_the_form_shows_the_current_capacity_and_how_many_mentees_they_have(client, scene, mona):
    services.create_mentorship(
        mentors=[mona], mentees=[scene.mentee("Enid Mentee")], source="manual", by=None
    )

    page = client.get(url(scene)).text

    assert 'name="capacity" value="4"' in page
    assert "From 1 to 8 on this scheme. You have 1 mentee now" in page
    assert '<label class="nhsuk-label" for="id_capacity">' in page
    assert "Not taking new mentees until (optional)" in page
    assert 'id="id_not_taking_until_0"' in page


def test_a_mentor_lowers_their_capacity(client, scene, mona):
    response = post(client, scene, capacity="2")

    assert response.status_code == 302
    assert response["Location"] == url(scene)
    assert saved(mona) == (2, None)
    assert "Your availability has been saved." in client.get(url(scene)).text


def test_a_mentor_raises_their_capacity_up_to_the_schemes_most(client, scene, mona):
    post(client, scene, capacity="8")

    assert saved(mona) == (8, None)


def test_a_mentor_stops_taking_new_mentees_until_a_date_and_is_left_out_of_matching(
    client, scene, mona
):
    post(client, scene, capacity="4", day=LATER.day, month=LATER.month, year=LATER.year)

    assert saved(mona) == (4, LATER)
    assert not loading.mentor_candidates(scene.scheme, TODAY).filter(pk=mona.pk).exists()
    page = client.get(url(scene)).text
    assert f'name="not_taking_until_day" type="text" inputmode="numeric" value="{LATER.day}"' in (
        page
    )


def test_emptying_the_date_takes_new_mentees_again(client, scene, mona):
    mona.not_taking_mentees_until = LATER
    mona.save()

    post(client, scene, capacity="4")

    assert saved(mona) == (4, None)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"capacity": ""}, "capacity", "Enter how many mentees you can take"),
        ({"capacity": "lots"}, "capacity", "Enter the number of mentees as a whole number"),
        ({"capacity": "0"}, "capacity", "Enter a number from 1 to 8."),
        ({"capacity": "9"}, "capacity", "Enter a number from 1 to 8."),
        (
            {"capacity": "3", "day": "31", "month": "2", "year": "2027"},
            "not_taking_until",
            "Enter a real date",
        ),
        (
            {"capacity": "3", "day": TODAY.day, "month": TODAY.month, "year": TODAY.year},
            "not_taking_until",
            "The date you take new mentees again must be in the future.",
        ),
    ],
)
def test_bad_input_is_explained_by_its_field_and_saves_nothing(
    client, scene, mona, fields, field, message
):
    response = post(client, scene, **fields)

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "<title>Error: " in response.text
    assert f'id="id_{field}_error"' in response.text
    assert message in response.text
    assert saved(mona) == (4, None)


def test_a_paused_mentor_may_still_set_their_availability_and_is_told_they_are_paused(
    client, scene
):
    mentor = scene.mentor("Pat Paused")
    mentor.status, mentor.paused_on = "paused", TODAY
    mentor.save()
    sign_in(client, mentor.person.user)

    assert "Your place on the scheme is paused" in client.get(url(scene)).text
    post(client, scene, capacity="1")
    assert saved(mentor)[0] == 1
