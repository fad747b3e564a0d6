"""The shortlist: where mentees choose, the best mentors with room as public profiles only, one
chosen and asked to accept, choosing again after a decline; where coordinators match, up to
three mentors ranked for the next round. Conflicting or bad choices are refused with the reason
and save nothing."""

import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import services
from matching.models import MentorPreference, Mentorship, MentorshipMember, Source
from mentoring.models import FocusArea, Notification, Sector
from tests.auth import sign_in
from tests.factories import RegistrationFactory, WorkingRelationshipFactory
from tests.matching.pairs import Scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def choice():
    return Scene(mode="choice", shortlist_size=3)


@pytest.fixture
def allocation():
    return Scene(mode="allocation", shortlist_size=4)


def signed_in(client, enrolment):
    sign_in(client, enrolment.person.user)
    return enrolment


def url(scene) -> str:
    return reverse("shortlist", args=[scene.scheme.slug])


def card_names(page: str) -> list[str]:
    return re.findall(r'<h2 class="nhsuk-card__heading nhsuk-heading-m">([^<]+)</h2>', page)


# choosing -------------------------------------------------------------------------------------
def test_it_shows_the_best_mentors_with_room_as_public_profiles_best_first(client, choice):
    leadership = FocusArea.objects.create(name="Leadership")
    urgent = Sector.objects.create(name="Urgent care")
    enid = signed_in(client, choice.mentee("Enid Mentee"))
    enid.person.focus_areas.set([leadership])
    best = choice.mentor(
        "Bea Best",
        profile="Twenty years in urgent care; I like helping people find their feet.",
        work_email="bea.work@nhs.net",
        work_phone="020 7946 0101",
    )
    best.person.focus_areas.set([leadership])
    best.person.sectors.set([urgent])
    RegistrationFactory(person=best.person, number="7654321")
    for name in ("Ann Other", "Cal Other", "Dee Other"):
        choice.mentor(name)
    full = choice.mentor("Fay Full", capacity=1)
    services.create_mentorship(
        mentors=[full], mentees=[choice.mentee("Tom Taken")], source="manual", by=None
    )

    page = client.get(url(choice)).text

    names = card_names(page)
    assert len(names) == 3
    assert names[0] == "Bea Best"
    assert "Fay Full" not in names
    for text in ("Twenty years in urgent care", "Leadership", "Urgent care", "GP"):
        assert text in page
    for secret in ("bea.work@nhs.net", "020 7946 0101", "bea@example.nhs.uk", "7654321", "GMC"):
        assert secret not in page
    assert "score" not in page.lower()
    assert '<legend class="nhsuk-fieldset__legend">' in page
    assert "Which mentor would you like?" in page


def choose(client, scene, mentor):
    return client.post(url(scene), {"mentor": mentor.pk})


def test_choosing_a_mentor_asks_them_to_accept(client, choice):
    enid = signed_in(client, choice.mentee("Enid Mentee"))
    mona = choice.mentor("Mona Mentor")

    response = choose(client, choice, mona)

    mentorship = Mentorship.objects.get(members__enrolment=enid)
    assert response["Location"] == reverse("mentorship_detail", args=[mentorship.pk])
    assert mentorship.source == Source.CHOICE
    assert dict(mentorship.members.values_list("role", "response")) == {
        "mentee": "accepted",
        "mentor": "pending",
    }
    detail = client.get(response["Location"]).text
    assert "You chose Mona Mentor." in detail
    assert "We are waiting for Mona Mentor to answer." in detail
    sign_in(client, mona.person.user)
    overview = client.get(reverse("mentorships")).text
    assert "Enid Mentee" in overview and "Waiting for your answer" in overview


def test_after_a_decline_the_mentee_chooses_again_without_that_mentor(
    client, choice, django_capture_on_commit_callbacks
):
    enid = signed_in(client, choice.mentee("Enid Mentee"))
    mona = choice.mentor("Mona Mentor")
    choice.mentor("Nina Next")
    choose(client, choice, mona)
    mentorship = Mentorship.objects.get(members__enrolment=enid)

    with django_capture_on_commit_callbacks(execute=True):
        services.respond(mentorship=mentorship, user=mona.person.user, accept=False)

    assert Notification.objects.filter(recipient=enid.person.user, kind="choose_again").exists()
    page = client.get(url(choice)).text
    assert card_names(page) == ["Nina Next"]
    response = choose(client, choice, mona)
    assert response.status_code == 200
    assert "Mona Mentor is not on your shortlist." in response.text
    assert Mentorship.objects.filter(members__enrolment=enid, status="proposed").count() == 0


def test_choosing_the_mentees_line_manager_is_refused_with_the_reason(client, choice):
    enid = signed_in(client, choice.mentee("Enid Mentee"))
    boss = choice.mentor("Lyn Manager")
    choice.mentor("Mona Mentor")
    WorkingRelationshipFactory(supervisor=boss.person, supervisee=enid.person)

    assert "Lyn Manager" not in card_names(client.get(url(choice)).text)
    response = choose(client, choice, boss)

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'id="id_mentor_error"' in response.text
    assert "Lyn Manager is Enid Mentee&#x27;s line manager" in response.text
    assert not Mentorship.objects.exists()


def test_choosing_a_full_mentor_is_refused_with_the_reason(client, choice):
    signed_in(client, choice.mentee("Enid Mentee"))
    full = choice.mentor("Fay Full", capacity=1)
    services.create_mentorship(
        mentors=[full], mentees=[choice.mentee("Tom Taken")], source="manual", by=None
    )

    response = choose(client, choice, full)

    assert "Fay Full has no room: 1 of 1 mentees already." in response.text
    assert Mentorship.objects.count() == 1


@pytest.mark.parametrize("value", ["", "999999", "Mona"])
def test_a_bad_choice_is_explained_by_the_field_and_saves_nothing(client, choice, value):
    signed_in(client, choice.mentee("Enid Mentee"))
    choice.mentor("Mona Mentor")

    response = client.post(url(choice), {"mentor": value})

    assert response.status_code == 200
    assert 'id="id_mentor_error"' in response.text
    message = "Select the mentor you would like" if not value else "Select a mentor from your"
    assert message in response.text
    assert not Mentorship.objects.exists()


def test_a_mentor_of_another_scheme_cannot_be_chosen(client, choice):
    signed_in(client, choice.mentee("Enid Mentee"))
    elsewhere = Scene().mentor("Mona Elsewhere")

    response = choose(client, choice, elsewhere)

    assert "Select a mentor from your shortlist" in response.text
    assert not Mentorship.objects.exists()


def test_a_mentee_with_a_mentor_sees_their_mentorship_not_the_shortlist(client, choice):
    enid = signed_in(client, choice.mentee("Enid Mentee"))
    mona = choice.mentor("Mona Mentor")
    nina = choice.mentor("Nina Next")
    mentorship = services.create_mentorship(
        mentors=[mona], mentees=[enid], source="manual", by=None
    )

    page = client.get(url(choice)).text
    response = choose(client, choice, nina)

    assert reverse("mentorship_detail", args=[mentorship.pk]) in page
    assert card_names(page) == []
    assert 'name="mentor"' not in page
    assert response.status_code == 200
    assert Mentorship.objects.count() == 1


def test_when_no_mentor_has_room_it_says_so(client, choice):
    signed_in(client, choice.mentee("Enid Mentee"))
    full = choice.mentor("Fay Full", capacity=1)
    services.create_mentorship(
        mentors=[full], mentees=[choice.mentee("Tom Taken")], source="manual", by=None
    )

    page = client.get(url(choice)).text

    assert "No mentor has room at the moment" in page
    assert 'name="mentor"' not in page


# ranking, where coordinators match ------------------------------------------------------------
def rank(client, scene, *mentors):
    values = (m.pk if m else "" for m in mentors)
    data = dict(zip(("first", "second", "third"), values, strict=False))
    return client.post(url(scene), data)


def test_where_coordinators_match_it_says_so_and_offers_a_ranking(client, allocation):
    signed_in(client, allocation.mentee("Enid Mentee"))
    for name in ("Ann Other", "Bea Other", "Cal Other", "Dee Other"):
        allocation.mentor(name)

    page = client.get(url(allocation)).text

    assert "On this scheme the coordinators match mentors and mentees." in page
    assert len(card_names(page)) == 4
    for label in ("First choice", "Second choice (optional)", "Third choice (optional)"):
        assert label in page
    assert 'name="mentor"' not in page


def test_a_mentee_ranks_up_to_three_mentors_in_order(client, allocation):
    enid = signed_in(client, allocation.mentee("Enid Mentee"))
    ann, bea, _ = (allocation.mentor(n) for n in ("Ann Other", "Bea Other", "Cal Other"))

    response = rank(client, allocation, bea, None, ann)

    assert response["Location"] == url(allocation)
    assert list(MentorPreference.objects.filter(mentee=enid).values_list("mentor", "rank")) == [
        (bea.pk, 1),
        (ann.pk, 2),
    ]
    page = client.get(url(allocation)).text
    assert "Your choices have been saved." in page
    assert f'<option value="{bea.pk}" selected>' in page
    assert not Mentorship.objects.exists()


def test_ranking_the_same_mentor_twice_is_refused_by_the_field_and_changes_nothing(
    client, allocation
):
    enid = signed_in(client, allocation.mentee("Enid Mentee"))
    ann, bea = allocation.mentor("Ann Other"), allocation.mentor("Bea Other")
    MentorPreference.objects.create(mentee=enid, mentor=bea, rank=1)

    response = rank(client, allocation, ann, ann)

    assert response.status_code == 200
    assert 'id="id_second_error"' in response.text
    assert "Choose each mentor once." in response.text
    assert list(MentorPreference.objects.values_list("mentor", "rank")) == [(bea.pk, 1)]


def test_ranking_needs_a_first_choice_from_the_shortlist(client, allocation):
    signed_in(client, allocation.mentee("Enid Mentee"))
    allocation.mentor("Ann Other")
    boss = allocation.mentor("Lyn Manager")
    WorkingRelationshipFactory(
        supervisor=boss.person, supervisee=allocation.scheme.enrolments.get(role="mentee").person
    )

    empty = rank(client, allocation, None)
    conflicting = rank(client, allocation, boss)

    assert "Select the mentor you would most like" in empty.text
    assert "Select a mentor from your shortlist" in conflicting.text
    assert not MentorPreference.objects.exists()


def test_a_choice_is_not_possible_where_coordinators_match(client, allocation):
    signed_in(client, allocation.mentee("Enid Mentee"))
    mona = allocation.mentor("Mona Mentor")

    choose(client, allocation, mona)

    assert not Mentorship.objects.exists()
    assert not MentorshipMember.objects.exists()


# queries --------------------------------------------------------------------------------------
def count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("mode", ["choice", "allocation"])
def test_it_takes_a_constant_number_of_queries(client, mode, django_assert_max_num_queries):
    scene = Scene(mode=mode, shortlist_size=10)
    signed_in(client, scene.mentee("Enid Mentee"))
    areas = [FocusArea.objects.create(name=f"Area {n}") for n in range(3)]
    sectors = [Sector.objects.create(name=f"Sector {n}") for n in range(2)]
    names = itertools.count()

    def add(n):
        for _ in range(n):
            mentor = scene.mentor(f"Mentor{next(names)} Example", profile="Happy to help.")
            mentor.person.focus_areas.set(areas)
            mentor.person.sectors.set(sectors)

    add(2)
    with_two = count_queries(client, url(scene))
    add(8)

    with django_assert_max_num_queries(with_two):
        page = client.get(url(scene)).text
    assert len(card_names(page)) == 10
