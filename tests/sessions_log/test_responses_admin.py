"""Form responses in the admin: coordinators of the scheme see each response's form, author,
mentorship, status and when it was completed — its answers only where they are one of its
readers (a form for the pair and coordinators). Nothing in the list, the search, a crafted
filter or the CSV export says what a form says; finance, other ICBs' coordinators and members
get nothing."""

import csv
import io

import pytest
from django.urls import reverse

from tests.sessions_log.forms_cast import (
    CASES,
    SECRET,
    sign_in,
    world_fixture,  # noqa: F401  (the ``world`` fixture)
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:sessions_log_formresponse_changelist")
STAFF = ("coordinator", "other_coordinator", "finance", "superuser")
MEMBERS = ("author", "own_mentor", "other_mentor", "other_mentee")
# who sees the answers on the admin page of a response: coordinators and superusers only read a
# form for the pair and coordinators
READS_IN_ADMIN = {"coordinator": {"pair_and_coordinators"}, "superuser": {"pair_and_coordinators"}}


def change_url(response):
    return reverse("admin:sessions_log_formresponse_change", args=[response.pk])


def test_the_list_shows_the_scheme_coordinator_every_response_and_never_an_answer(client, world):
    cast, made = world
    sign_in(client, cast.users["coordinator"])

    page = client.get(CHANGELIST)

    assert page.status_code == 200
    listed = {r.pk for r in page.context["cl"].result_list}
    assert listed == {r.pk for r in made.values()}
    assert SECRET not in page.text
    assert "Completed" in page.text and "Enid Mentee" in page.text


def test_the_list_is_empty_for_another_icbs_coordinator(client, world):
    cast, _ = world
    sign_in(client, cast.users["other_coordinator"])

    page = client.get(CHANGELIST)

    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == []


def test_finance_has_no_access_to_responses(client, world):
    cast, made = world
    sign_in(client, cast.users["finance"])

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(made["pair_and_coordinators"])).status_code == 404


@pytest.mark.parametrize("who", MEMBERS)
def test_members_are_sent_to_the_admin_sign_in(client, world, who):
    cast, made = world
    sign_in(client, cast.users[who])

    page = client.get(change_url(made["shared"]))

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("who", STAFF)
def test_a_responses_admin_page_shows_answers_only_to_its_readers(client, world, who, case):
    cast, made = world
    sign_in(client, cast.users[who])

    page = client.get(change_url(made[case]))

    expected = {"coordinator": 200, "superuser": 200, "other_coordinator": 404, "finance": 404}
    assert page.status_code == expected[who]
    reads = case in READS_IN_ADMIN.get(who, set())
    assert (SECRET in page.text) == reads
    if page.status_code == 200:
        assert "Enid Mentee" in page.text
        if not reads:
            assert "Only the form&#x27;s readers can see its answers." in page.text
        assert 'name="answers"' not in page.text
        assert "Save" not in page.text  # read-only


@pytest.mark.parametrize("who", ("coordinator", "superuser"))
def test_the_csv_export_has_when_and_who_but_no_answers(client, world, who):
    cast, made = world
    sign_in(client, cast.users[who])

    export = client.post(
        CHANGELIST,
        {"action": "download_csv", "_selected_action": [r.pk for r in made.values()]},
    )

    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "form",
        "version",
        "kind",
        "author",
        "author email",
        "scheme",
        "mentorship",
        "status",
        "completed at",
    ]
    assert len(rows) == 1 + len(made)
    assert {row[3] for row in rows[1:]} == {"Enid Mentee"}
    assert all(row[7] == "Completed" and row[8] for row in rows[1:])
    assert SECRET not in text


def test_a_crafted_filter_on_the_answers_is_refused(client, world):
    cast, _ = world
    sign_in(client, cast.users["coordinator"])

    page = client.get(CHANGELIST, {"answers__key_issues__icontains": "portfolio"})

    assert page.status_code == 400
    assert SECRET not in page.text


def test_searching_finds_authors_never_answers(client, world):
    cast, made = world
    sign_in(client, cast.users["coordinator"])

    by_answer = client.get(CHANGELIST, {"q": "portfolio"})
    by_name = client.get(CHANGELIST, {"q": "Enid"})

    assert by_answer.context["cl"].result_count == 0
    assert by_name.context["cl"].result_count == len(made)


def test_nobody_adds_changes_or_deletes_a_response_in_the_admin(client, world):
    cast, made = world
    sign_in(client, cast.users["superuser"])
    response = made["pair_and_coordinators"]
    before = dict(response.answers)

    add = client.get(reverse("admin:sessions_log_formresponse_add"))
    change = client.post(change_url(response), {"status": "draft"})
    delete = client.post(
        reverse("admin:sessions_log_formresponse_delete", args=[response.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    response.refresh_from_db()
    assert (response.answers, response.status) == (before, "submitted")


def test_the_list_takes_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    cast, made = world
    sign_in(client, cast.users["coordinator"])
    client.get(CHANGELIST)  # warm the session and permission caches

    with django_assert_max_num_queries(40) as few:
        client.get(CHANGELIST)
    for _ in range(3):
        for case, (_, _, shared, survey) in CASES.items():
            cast.response(made[case].template, shared=shared, survey=survey)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(CHANGELIST)

    assert page.context["cl"].result_count == 4 * len(made)
