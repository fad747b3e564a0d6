"""A coordinator sees the people of their own organisations (and everything below), nothing else.

Whatever is outside the scope is a 404 — in lists, detail pages, history, deletion and exports.
"""

import csv
import io

import pytest
from django.urls import reverse

from tests.auth import sign_in
from tests.factories import (
    IcbFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    TrainingRecordFactory,
    UserFactory,
    WorkingRelationshipFactory,
    coordinator_of,
    finance_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    icb_a, icb_b = IcbFactory(name="ICB A"), IcbFactory(name="ICB B")
    pcn_a = OrganisationFactory(parent=icb_a, kind="pcn")
    practice_a = OrganisationFactory(parent=pcn_a)
    practice_b = OrganisationFactory(parent=icb_b)
    person_a = PersonFactory(organisation=practice_a, user__last_name="Alderson")
    person_b = PersonFactory(organisation=practice_b, user__last_name="Brightwell")
    return {
        "icb_a": icb_a,
        "icb_b": icb_b,
        "practice_a": practice_a,
        "practice_b": practice_b,
        "person_a": person_a,
        "person_b": person_b,
        "registration_a": RegistrationFactory(person=person_a),
        "registration_b": RegistrationFactory(person=person_b),
        "training_b": TrainingRecordFactory(person=person_b),
        "relationship_b": WorkingRelationshipFactory(
            supervisor=PersonFactory(organisation=practice_b), supervisee=person_b
        ),
        "coordinator_a": coordinator_of(icb_a),
    }


def export_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_people_list_shows_only_people_below_the_coordinators_organisations(client, world):
    sign_in(client, world["coordinator_a"])
    response = client.get(reverse("admin:mentoring_person_changelist"))
    assert response.status_code == 200
    assert b"Alderson" in response.content
    assert b"Brightwell" not in response.content


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_a_person_of_another_ics_is_not_found(client, world, view):
    sign_in(client, world["coordinator_a"])
    response = client.get(reverse(f"admin:mentoring_person_{view}", args=[world["person_b"].pk]))
    assert response.status_code == 404


def test_a_person_in_scope_opens(client, world):
    sign_in(client, world["coordinator_a"])
    response = client.get(reverse("admin:mentoring_person_change", args=[world["person_a"].pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("professionalregistration", "registration_b"),
        ("trainingrecord", "training_b"),
        ("workingrelationship", "relationship_b"),
        ("organisation", "practice_b"),
    ],
)
def test_records_of_another_ics_are_not_found(client, world, model, key):
    sign_in(client, world["coordinator_a"])
    response = client.get(reverse(f"admin:mentoring_{model}_change", args=[world[key].pk]))
    assert response.status_code == 404


def test_a_record_that_does_not_exist_is_a_404_not_a_redirect(client, world):
    sign_in(client, world["coordinator_a"])
    response = client.get(reverse("admin:mentoring_person_change", args=[999_999]))
    assert response.status_code == 404


def test_export_contains_only_people_in_scope(client, world):
    sign_in(client, world["coordinator_a"])
    response = client.get(reverse("admin:mentoring_person_export"))
    assert response.status_code == 200
    emails = [row["email"] for row in export_rows(response)]
    assert emails == [world["person_a"].user.email]


def test_export_filtered_to_another_icss_organisation_is_empty(client, world):
    sign_in(client, world["coordinator_a"])
    url = reverse("admin:mentoring_person_export")
    response = client.get(url, {"organisation__id__exact": world["practice_b"].pk})
    rows = export_rows(response) if response.status_code == 200 else []
    assert all(row["email"] != world["person_b"].user.email for row in rows)


def test_export_action_ignores_ids_outside_scope(client, world):
    sign_in(client, world["coordinator_a"])
    response = client.post(
        reverse("admin:mentoring_person_changelist"),
        {
            "action": "download_csv",
            "_selected_action": [world["person_a"].pk, world["person_b"].pk],
        },
    )
    emails = [row["email"] for row in export_rows(response)]
    assert emails == [world["person_a"].user.email]


def test_export_columns_are_the_import_columns_so_it_round_trips(client, world):
    sign_in(client, world["coordinator_a"])
    response = client.get(reverse("admin:mentoring_person_export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == (
        "email,first_name,last_name,profession,organisation_code,department,region,"
        "sectors,scope_of_practice,focus_areas,clinical_sessions_per_week"
    )


def test_export_neutralises_formulas_in_text(client, world):
    user = world["person_a"].user
    user.first_name = '=HYPERLINK("http://evil")'
    user.save()
    sign_in(client, world["coordinator_a"])
    rows = export_rows(client.get(reverse("admin:mentoring_person_export")))
    assert rows[0]["first_name"].startswith("'=")


def test_organisation_choices_when_adding_a_person_are_only_in_scope(client, world):
    sign_in(client, world["coordinator_a"])
    response = client.get(reverse("admin:mentoring_person_add"))
    choices = {str(o) for o in response.context["adminform"].form.fields["organisation"].queryset}
    assert str(world["practice_a"]) in choices
    assert str(world["practice_b"]) not in choices


def test_a_coordinator_cannot_save_a_person_into_another_ics(client, world):
    sign_in(client, world["coordinator_a"])
    response = client.post(
        reverse("admin:mentoring_person_add"),
        {
            "email": "new.person@example.nhs.uk",
            "first_name": "New",
            "last_name": "Person",
            "profession": "gp",
            "organisation": world["practice_b"].pk,
            **empty_inlines(),
        },
    )
    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert not world["practice_b"].people.filter(user__email="new.person@example.nhs.uk").exists()


def test_a_coordinator_adds_a_person_with_their_login_in_one_step(client, world):
    sign_in(client, world["coordinator_a"])
    response = client.post(
        reverse("admin:mentoring_person_add"),
        {
            "email": "New.Person@Example.nhs.uk",
            "first_name": "New",
            "last_name": "Person",
            "profession": "gp",
            "organisation": world["practice_a"].pk,
            **empty_inlines(),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = world["practice_a"].people.get(user__email="new.person@example.nhs.uk")
    assert not person.user.has_usable_password()


def empty_inlines():
    data = {}
    for prefix in ("registrations", "training_records", "supervised_by"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def test_a_coordinator_with_no_organisation_sees_nobody(client, world):
    sign_in(client, coordinator_of())
    response = client.get(reverse("admin:mentoring_person_changelist"))
    assert b"Alderson" not in response.content
    assert b"Brightwell" not in response.content


def test_a_superuser_sees_everyone(client, world):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:mentoring_person_changelist"))
    assert b"Alderson" in response.content
    assert b"Brightwell" in response.content


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("person", 302), ("finance", 403), ("coordinator", 200)],
)
def test_who_may_open_the_people_list(client, world, who, expected):
    users = {
        "person": lambda: world["person_a"].user,
        "finance": lambda: finance_of(world["icb_a"]),
        "coordinator": lambda: world["coordinator_a"],
    }
    if who in users:
        sign_in(client, users[who]())
    response = client.get(reverse("admin:mentoring_person_changelist"))
    assert response.status_code == expected


def test_role_assignments_are_for_superusers_only(client, world):
    sign_in(client, world["coordinator_a"])
    assert client.get(reverse("admin:mentoring_roleassignment_changelist")).status_code == 403
    assert client.get(reverse("admin:mentoring_user_changelist")).status_code == 403


def test_people_list_runs_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    sign_in(client, world["coordinator_a"])
    url = reverse("admin:mentoring_person_changelist")
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(30):
        PersonFactory(organisation=world["practice_a"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_export_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    sign_in(client, world["coordinator_a"])
    url = reverse("admin:mentoring_person_export")
    with django_assert_max_num_queries(20) as few:
        export_rows(client.get(url))
    for _ in range(30):
        PersonFactory(organisation=world["practice_a"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = export_rows(client.get(url))
    assert len(rows) == 31
