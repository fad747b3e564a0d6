"""My mentoring: a person's mentorships on every scheme, as mentor or mentee, with their status;
what to do next on each scheme; an empty state in plain words; a constant number of queries."""

import datetime
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import services
from matching.models import EndReason, MatchingPolicy
from tests.auth import sign_in
from tests.factories import PersonFactory
from tests.matching.pairs import Scene
from tests.schemes.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory

pytestmark = pytest.mark.django_db

HIDDEN = r'<span class="nhsuk-u-visually-hidden">[^<]*</span>'


def pair(mentor, mentee, **kwargs):
    return services.create_mentorship(
        mentors=[mentor], mentees=[mentee], source="manual", by=None, **kwargs
    )


def overview(client, user) -> str:
    sign_in(client, user)
    response = client.get(reverse("mentorships"))
    assert response.status_code == 200
    return response.text


def rows(page: str) -> list[str]:
    """Each table row's visible text, tags stripped and spaces collapsed."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", re.sub(HIDDEN, "", row)).split())
        for row in re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', page, re.S)[1:]
        if "<td" in row
    ]


def test_it_lists_mentorships_on_every_scheme_as_mentor_and_as_mentee(client):
    first, second = Scene(), Scene()
    gill = PersonFactory(user__first_name="Gill", user__last_name="Both")
    as_mentor = MentorEnrolmentFactory(scheme=first.scheme, person=gill)
    as_mentee = MenteeEnrolmentFactory(scheme=second.scheme, person=gill)
    pair(as_mentor, first.mentee("Enid Mentee"))
    active = pair(second.mentor("Mona Mentor"), as_mentee)
    services.respond(mentorship=active, user=gill.user, accept=True)
    services.record_meeting(
        mentorship=active,
        held_on=datetime.date(2026, 11, 3),
        attended=list(e.enrolment for e in active.members.all()),
        by=None,
    )

    page = overview(client, gill.user)

    assert (
        f'Mona Mentor<span class="nhsuk-u-visually-hidden"> (mentorship on {second.scheme.name})'
        in page
    )
    assert rows(page) == [
        f"Mona Mentor {second.scheme.name} Mentee Active since 3 Nov 2026",
        f"Enid Mentee {first.scheme.name} Mentor Waiting for your answer",
    ]


def test_ended_mentorships_are_listed_apart_without_why(client):
    scene = Scene()
    mentor, mentee = scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee")
    mentorship = pair(mentor, mentee)
    services.request_rematch(mentorship=mentorship, user=mentee.person.user, reason="Not for me.")

    page = overview(client, mentor.person.user)

    assert "Mentorships that have ended" in page
    assert "Current mentorships" not in page
    assert rows(page) == [
        f"Enid Mentee {scene.scheme.name} Mentor Ended on {datetime.date.today():%-d %b %Y}"
    ]
    assert "Not for me." not in page
    assert EndReason.REMATCH_REQUESTED.label not in page


def test_a_proposed_match_already_answered_shows_as_proposed(client):
    scene = Scene()
    mentor, mentee = scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee")
    mentorship = pair(mentor, mentee)
    services.respond(mentorship=mentorship, user=mentor.person.user, accept=True)

    assert ">Proposed</strong>" in overview(client, mentor.person.user)
    assert ">Waiting for your answer</strong>" in overview(client, mentee.person.user)


def test_someone_on_no_scheme_is_told_so_in_plain_words(client):
    page = overview(client, PersonFactory().user)

    assert "You do not have a mentor or any mentees yet." in page
    assert "You are not a mentor or a mentee on any scheme." in page
    assert reverse("scheme_list") in page


def test_someone_enrolled_but_not_matched_is_told_what_happens_next(client):
    mentor = Scene().mentor("Mona Mentor")

    page = overview(client, mentor.person.user)

    assert "You do not have a mentor or any mentees yet." in page
    assert "When you are matched with someone on one of your schemes" in page


def test_a_mentor_is_offered_their_availability_on_each_scheme(client):
    scene = Scene()
    mentor = scene.mentor("Mona Mentor")
    mentor.not_taking_mentees_until = datetime.date.today() + datetime.timedelta(days=30)
    mentor.save()

    page = overview(client, mentor.person.user)

    assert reverse("availability", args=[scene.scheme.slug]) in page
    assert f"Change how many mentees you take on {scene.scheme.name}" in page
    assert "you are not taking new mentees until" in page


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("choice", "Choose a mentor on"),
        ("allocation", "Tell the coordinators which mentors you would like on"),
    ],
)
def test_an_unmatched_mentee_is_offered_the_shortlist(client, mode, words):
    scene = Scene(mode=mode)
    mentee = scene.mentee("Enid Mentee")

    page = overview(client, mentee.person.user)

    assert f"{words} {scene.scheme.name}" in page
    assert reverse("shortlist", args=[scene.scheme.slug]) in page


def test_a_matched_mentee_is_not_offered_the_shortlist(client):
    scene = Scene(mode="choice")
    mentee = scene.mentee("Enid Mentee")
    pair(scene.mentor("Mona Mentor"), mentee)

    assert reverse("shortlist", args=[scene.scheme.slug]) not in overview(
        client, mentee.person.user
    )


def test_a_scheme_without_a_policy_is_offered_as_coordinators_matching(client):
    scene = Scene()
    MatchingPolicy.objects.filter(scheme=scene.scheme).delete()
    mentee = scene.mentee("Enid Mentee")

    page = overview(client, mentee.person.user)

    assert "Tell the coordinators which mentors you would like on" in page


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("mentorships")).status_code == 200
    return len(queries.captured_queries)


def test_it_takes_a_constant_number_of_queries(client, django_assert_max_num_queries):
    scene = Scene()
    mentor = scene.mentor("Mona Mentor", capacity=8)
    sign_in(client, mentor.person.user)

    names = itertools.count()

    def add(n):
        for number in range(n):
            mentee = scene.mentee(f"Mentee{next(names)} Example")
            mentorship = pair(mentor, mentee)
            if number % 2:
                services.end_mentorship(mentorship=mentorship, reason="coordinator", by=None)

    add(2)
    with_two = count_queries(client)
    add(8)

    with django_assert_max_num_queries(with_two):
        page = client.get(reverse("mentorships")).text
    assert len(rows(page)) == 10
