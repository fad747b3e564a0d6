"""The coordinators' mentor register shows each mentor's capacity left — their capacity less the
mentees in their proposed or active mentorships — and filters by it, in a constant number of
queries."""

import datetime
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import services
from tests.auth import sign_in
from tests.matching.pairs import Scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(client):
    scene = Scene()
    sign_in(client, scene.coordinator)
    return scene


def pair(mentor, mentee):
    return services.create_mentorship(mentors=[mentor], mentees=[mentee], source="manual", by=None)


def register(client, scene, **params) -> str:
    response = client.get(reverse("mentor_register", args=[scene.scheme.slug]), params)
    assert response.status_code == 200
    return response.text


def capacity_left(page: str) -> dict[str, str]:
    """Each mentor's name → the text of their capacity-left cell."""
    found = {}
    for row in re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', page, re.S):
        name = re.search(r'scope="row"><a [^>]+>([^<]+)</a>', row)
        if name:
            cells = re.findall(r'<td class="nhsuk-table__cell[^"]*">(.*?)</td>', row, re.S)
            found[name.group(1)] = " ".join(re.sub(r"<[^>]+>", " ", cells[3]).split())
    return found


def test_it_shows_each_mentors_capacity_left(client, scene):
    mona = scene.mentor("Mona Mentor", capacity=3)
    nina = scene.mentor("Nina Mentor", capacity=2)
    scene.mentor("Una Unset", capacity=None)  # takes the scheme's most, 8
    pair(mona, scene.mentee("Enid Mentee"))
    active = pair(mona, scene.mentee("Eve Mentee"))
    services.record_meeting(
        mentorship=active,
        held_on=datetime.date.today(),
        attended=[m.enrolment for m in active.members.all()],
        by=None,
    )
    ended = pair(nina, scene.mentee("Ed Mentee"))
    services.end_mentorship(mentorship=ended, reason="coordinator", by=None)

    page = register(client, scene)

    assert "Capacity left</th>" in page
    assert capacity_left(page) == {"Mona Mentor": "1", "Nina Mentor": "2", "Una Unset": "8"}


def test_a_mentor_over_capacity_has_none_left_not_a_negative(client, scene):
    mona = scene.mentor("Mona Mentor", capacity=2)
    pair(mona, scene.mentee("Enid Mentee"))
    pair(mona, scene.mentee("Eve Mentee"))
    mona.capacity = 1
    mona.save()

    assert capacity_left(register(client, scene)) == {"Mona Mentor": "0"}


def test_a_mentor_not_taking_new_mentees_says_until_when(client, scene):
    mona = scene.mentor("Mona Mentor", capacity=3)
    mona.not_taking_mentees_until = datetime.date(2099, 9, 1)
    mona.save()

    assert capacity_left(register(client, scene)) == {
        "Mona Mentor": "3 not taking new mentees until 1 Sep 2099"
    }


def test_it_filters_by_capacity_left(client, scene):
    mona = scene.mentor("Mona Mentor", capacity=2)
    scene.mentor("Nina Mentor", capacity=2)
    pair(mona, scene.mentee("Enid Mentee"))

    assert list(capacity_left(register(client, scene, capacity_left=2))) == ["Nina Mentor"]
    assert list(capacity_left(register(client, scene, capacity_left=1))) == [
        "Mona Mentor",
        "Nina Mentor",
    ]
    page = register(client, scene, capacity_left=2)
    assert '<label class="nhsuk-label" for="id_capacity_left">' in page
    assert "1 mentor match" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("some", "Enter the number of mentees as a whole number, like 1"),
        ("-1", "The number of mentees cannot be less than 0"),
    ],
)
def test_a_bad_capacity_left_filter_is_explained_by_its_field(client, scene, value, message):
    scene.mentor("Mona Mentor")

    page = register(client, scene, capacity_left=value)

    assert 'id="id_capacity_left_error"' in page
    assert message in page


def count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries.captured_queries)


def test_capacity_left_takes_no_extra_query_per_mentor(
    client, scene, django_assert_max_num_queries
):
    names = itertools.count()

    def add(n):
        for _ in range(n):
            mentor = scene.mentor(f"Mentor{next(names)} Example", capacity=3)
            pair(mentor, scene.mentee(f"Mentee{next(names)} Example"))

    address = reverse("mentor_register", args=[scene.scheme.slug]) + "?capacity_left=1"
    add(2)
    with_two = count_queries(client, address)
    add(10)

    with django_assert_max_num_queries(with_two):
        page = client.get(address).text
    assert set(capacity_left(page).values()) == {"2"}
    assert len(capacity_left(page)) == 12
