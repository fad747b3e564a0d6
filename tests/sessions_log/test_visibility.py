"""Who reads what a form says: (who × kind of readers × page) → status, and the answers shown only
to readers.

* a reflection private to its author — and the same, shared with the mentor;
* a pair form (the mentoring agreement): the mentor and mentee;
* a form for the pair and coordinators: those, the scheme's coordinators and superusers;
* a survey read by coordinators in aggregate only: its author alone reads the answers.

Everyone else gets a 404 that says nothing of the form; anonymous visitors are sent to sign in.
"""

import pytest
from django.urls import reverse

from sessions_log import visibility
from tests.sessions_log.forms_cast import (
    CASES,
    SECRET,
    WHO,
    sign_in,
    world_fixture,  # noqa: F401  (the ``world`` fixture)
)

pytestmark = pytest.mark.django_db

READS = {
    "private": {"author"},
    "shared": {"author", "own_mentor"},
    "pair": {"author", "own_mentor"},
    "pair_and_coordinators": {"author", "own_mentor", "coordinator", "superuser"},
    "aggregate": {"author"},
}
EDITS = {
    "private": {"author"},
    "shared": {"author"},
    "pair": {"author", "own_mentor"},
    "pair_and_coordinators": {"author"},
    "aggregate": set(),  # a survey is fixed once submitted: its author is shown it instead
}
SEES_COMPLETION = {"author", "coordinator", "superuser"}


def expected(case: str, who: str, allowed: dict) -> int:
    if who == "anonymous":
        return 302
    return 200 if who in allowed[case] else 404


MATRIX = [(case, who) for case in CASES for who in WHO]


@pytest.mark.parametrize(("case", "who"), MATRIX)
def test_the_page_of_a_response_shows_its_answers_to_its_readers_only(client, world, case, who):
    cast, made = world
    sign_in(client, cast.users[who])

    page = client.get(reverse("form_response_detail", args=[made[case].pk]))

    assert page.status_code == expected(case, who, READS)
    if page.status_code == 302:
        assert page["Location"].startswith(reverse("login") + "?next=")
    assert (SECRET in page.text) == (page.status_code == 200)


@pytest.mark.parametrize(("case", "who"), MATRIX)
def test_only_its_writers_open_a_response_to_change_it(client, world, case, who):
    cast, made = world
    sign_in(client, cast.users[who])

    page = client.get(reverse("form_response_edit", args=[made[case].pk]))

    if case == "aggregate" and who == "author":
        assert page.status_code == 302
        assert page["Location"] == reverse("form_response_detail", args=[made[case].pk])
        return
    assert page.status_code == expected(case, who, EDITS)
    if page.status_code == 200:
        assert SECRET in page.text  # the current answer, in its box
    else:
        assert SECRET not in page.text


@pytest.mark.parametrize(("case", "who"), MATRIX)
def test_a_change_posted_by_anyone_but_its_writers_saves_nothing(client, world, case, who):
    cast, made = world
    sign_in(client, cast.users[who])
    before = made[case].answers

    client.post(
        reverse("form_response_edit", args=[made[case].pk]),
        {"action": "submit", "key_issues": "Overwritten"},
    )

    made[case].refresh_from_db()
    if who in EDITS[case]:
        assert made[case].answers["key_issues"] == "Overwritten"
        made[case].answers = before
        made[case].save()
    else:
        assert made[case].answers == before


@pytest.mark.parametrize("who", WHO)
def test_only_the_author_shares_a_private_reflection(client, world, who):
    cast, made = world
    response = made["private"]
    sign_in(client, cast.users[who])

    page = client.post(reverse("form_response_share", args=[response.pk]), {"share": "yes"})

    response.refresh_from_db()
    if who == "author":
        assert page.status_code == 302
        assert response.shared_with_mentor is True
        response.shared_with_mentor = False
        response.shared_at = None
        response.save()
    else:
        assert page.status_code == (302 if who == "anonymous" else 404)
        assert response.shared_with_mentor is False


@pytest.mark.parametrize("case", ["pair", "pair_and_coordinators", "aggregate"])
def test_a_form_that_is_not_private_to_its_author_is_not_shared(client, world, case):
    cast, made = world
    sign_in(client, cast.users["author"])

    page = client.post(reverse("form_response_share", args=[made[case].pk]), {"share": "yes"})

    assert page.status_code == 404
    made[case].refresh_from_db()
    assert made[case].shared_with_mentor is False


@pytest.mark.parametrize(("case", "who"), MATRIX)
def test_readable_by_is_exactly_the_readers(world, case, who):
    cast, made = world
    user = cast.users[who]
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()

    reads = visibility.readable_by(user).filter(pk=made[case].pk).exists()

    assert reads == (who in READS[case])
    assert visibility.may_read(user, made[case]) == reads


@pytest.mark.parametrize(("case", "who"), MATRIX)
def test_coordinators_see_that_a_form_was_completed_even_a_survey(world, case, who):
    cast, made = world
    from django.contrib.auth.models import AnonymousUser

    user = cast.users[who] or AnonymousUser()

    sees = visibility.may_see_completion(user, made[case])

    assert sees == (who in SEES_COMPLETION | READS[case])


@pytest.mark.parametrize("who", [w for w in WHO if w != "anonymous"])
def test_the_forms_of_a_mentorship_list_what_its_member_may_read(client, world, who):
    cast, made = world
    sign_in(client, cast.users[who])

    page = client.get(reverse("mentorship_forms", args=[cast.mentorship.pk]))

    if who not in ("author", "own_mentor"):
        assert page.status_code == 404
        return
    listed = {case for case, r in made.items() if f'href="/forms/{r.pk}/"' in page.text}
    assert listed == {
        case for case in CASES if who in READS[case] and case != "aggregate"
    }  # a survey is about the enrolment, not the mentorship


@pytest.mark.parametrize("who", [w for w in WHO if w != "anonymous"])
def test_my_reflections_lists_only_what_the_person_wrote_or_may_read_as_a_member(
    client, world, who
):
    cast, made = world
    sign_in(client, cast.users[who])

    page = client.get(reverse("my_reflections"))

    assert page.status_code == 200
    listed = {case for case, r in made.items() if f'href="/forms/{r.pk}/"' in page.text}
    member = who in ("author", "own_mentor")
    assert listed == {case for case in CASES if member and who in READS[case]}
    assert SECRET not in page.text


def test_a_not_found_page_says_nothing_of_the_form(client, world):
    cast, made = world
    sign_in(client, cast.users["other_mentor"])

    pages = [
        client.get(reverse(name, args=[made["pair"].pk]))
        for name in ("form_response_detail", "form_response_edit")
    ]

    for page in pages:
        assert page.status_code == 404
        assert SECRET not in page.text
        assert made["pair"].template.title not in page.text
