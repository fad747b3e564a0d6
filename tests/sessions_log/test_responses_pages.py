"""The pages around forms: a mentorship's forms (what the member may start, what they may read),
my reflections and forms, one response read back — each in a constant number of queries."""

import pytest
from django.urls import reverse

from sessions_log.models import FormKind, Readers
from tests.sessions_log.forms_cast import Cast, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return Cast()


def test_the_mentorship_page_links_to_its_forms(client, cast):
    sign_in(client, cast.enid.person.user)

    page = client.get(reverse("mentorship_detail", args=[cast.mentorship.pk])).text

    assert reverse("mentorship_forms", args=[cast.mentorship.pk]) in page


def test_a_mentee_may_start_a_reflection_and_the_agreement_a_mentor_only_the_agreement(
    client, cast
):
    cast.template(kind=FormKind.POST_SESSION, title="Mentee reflection")
    cast.template(kind=FormKind.AGREEMENT, readers=Readers.PAIR, title="Mentoring agreement")
    url = reverse("mentorship_forms", args=[cast.mentorship.pk])

    as_mentee = sign_in(client, cast.enid.person.user).get(url)
    as_mentor = sign_in(client, cast.mona.person.user).get(url)

    def startable(page):
        return [kind for kind, _ in page.context["can_start"]]

    assert FormKind.POST_SESSION in startable(as_mentee)
    assert FormKind.AGREEMENT in startable(as_mentee)
    assert FormKind.POST_SESSION not in startable(as_mentor)
    assert FormKind.AGREEMENT in startable(as_mentor)
    assert FormKind.END_FEEDBACK not in startable(as_mentee)  # the mentorship has not ended


def test_a_started_agreement_is_listed_not_offered_again(client, cast):
    agreement = cast.response(cast.template(kind=FormKind.AGREEMENT, readers=Readers.PAIR))

    page = sign_in(client, cast.mona.person.user).get(
        reverse("mentorship_forms", args=[cast.mentorship.pk])
    )

    assert FormKind.AGREEMENT not in [kind for kind, _ in page.context["can_start"]]
    assert page.context["responses"] == [agreement]


def test_the_page_of_a_reflection_reads_it_back_question_by_question(client, cast):
    template = cast.template(title="Mentee reflection")
    reflection = cast.response(
        template, answers={"key_issues": "Rota\nand workload", "unexpected": "no"}
    )

    page = sign_in(client, cast.enid.person.user).get(
        reverse("form_response_detail", args=[reflection.pk])
    )

    assert page.context["rows"] == [
        ("What are the key issues that arose?", "Rota\nand workload"),
        ("Did any unexpected issues arise?", "No"),
    ]
    assert "Rota<br>and workload" in page.text
    assert "Only you can read this." in page.text
    assert "Share with your mentor" in page.text
    assert "Mona Mentor" in page.text  # who it would be shared with


def test_the_mentor_reading_a_shared_reflection_is_offered_no_sharing_or_change(client, cast):
    reflection = cast.response(cast.template(), shared=True)

    page = sign_in(client, cast.mona.person.user).get(
        reverse("form_response_detail", args=[reflection.pk])
    )

    assert page.status_code == 200
    assert "Enid Mentee" in page.text
    assert "Share with your mentor" not in page.text
    assert "Stop sharing" not in page.text
    assert reverse("form_response_edit", args=[reflection.pk]) not in page.text


def test_my_reflections_lists_shared_reflections_for_the_mentor(client, cast):
    shared = cast.response(cast.template(title="Mentee reflection"), shared=True)
    private = cast.response(cast.template(title="Another reflection"))

    page = sign_in(client, cast.mona.person.user).get(reverse("my_reflections"))

    assert page.context["others"] == [shared]
    assert private not in page.context["own"] + page.context["others"]


def make_forms(cast, n):
    reflection = cast.template(title="Mentee reflection")
    agreement = cast.template(kind=FormKind.AGREEMENT, readers=Readers.PAIR)
    session = cast.session()
    for i in range(n):
        made = cast.response(reflection, shared=i % 2 == 0)
        made.session = session
        made.save()
        cast.response(cast.template(kind=FormKind.BASELINE_SURVEY), survey=True)
    cast.response(agreement)


@pytest.mark.parametrize("page", ["my_reflections", "mentorship_forms"])
@pytest.mark.parametrize("who", ["enid", "mona"])
def test_the_lists_take_a_constant_number_of_queries(
    client, cast, page, who, django_assert_max_num_queries
):
    url = reverse(page) if page == "my_reflections" else reverse(page, args=[cast.mentorship.pk])
    sign_in(client, getattr(cast, who).person.user)
    make_forms(cast, 2)
    client.get(url)

    with django_assert_max_num_queries(30) as few:
        client.get(url)
    make_forms(cast, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert response.status_code == 200


def test_reading_a_response_takes_a_constant_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    reflection = cast.response(cast.template())
    sign_in(client, cast.enid.person.user)
    url = reverse("form_response_detail", args=[reflection.pk])
    client.get(url)

    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200
