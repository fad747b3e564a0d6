"""The admin upload page: coordinators import within their own organisations only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentoring.models import Person
from tests.factories import IcbFactory, OrganisationFactory, UserFactory, coordinator_of, finance_of
from tests.mentoring.imports import csv_file

pytestmark = pytest.mark.django_db

PEOPLE = (
    "email,first_name,last_name,profession,organisation_code,department,region,"
    "sectors,scope_of_practice,focus_areas,clinical_sessions_per_week"
)
URL = "/admin/mentoring/import/"


@pytest.fixture
def world():
    icb_a, icb_b = IcbFactory(code="QAA"), IcbFactory(code="QBB")
    return {
        "practice_a": OrganisationFactory(code="YA0001", parent=icb_a),
        "practice_b": OrganisationFactory(code="YB0001", parent=icb_b),
        "coordinator": coordinator_of(icb_a),
        "icb_a": icb_a,
    }


def upload(client, kind, content):
    return client.post(URL, {"kind": kind, "file": SimpleUploadedFile("register.csv", content)})


def test_the_page_is_reachable_by_name_and_lists_the_columns(client, world):
    client.force_login(world["coordinator"])
    assert reverse("admin:mentoring_import") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert "email,first_name,last_name,profession" in response.content.decode()


def test_a_good_upload_imports_and_says_what_changed(client, world):
    client.force_login(world["coordinator"])
    response = upload(
        client, "people", csv_file(PEOPLE, "a@example.nhs.uk,Ann,Ames,gp,YA0001,,,,,,4")
    )
    assert response.status_code == 302
    assert Person.objects.filter(user__email="a@example.nhs.uk").exists()
    page = client.get(response["Location"]).content.decode()
    assert "people: 1 created, 0 updated, 0 unchanged" in page


def test_a_bad_upload_lists_every_problem_and_saves_nothing(client, world):
    client.force_login(world["coordinator"])
    response = upload(
        client,
        "people",
        csv_file(
            PEOPLE, "a@example.nhs.uk,Ann,Ames,gp,YA0001,,,,,,4", "not-an-email,B,C,gp,NOPE,,,,,,"
        ),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem with the file" in page
    assert "line 3: email: this is not an email address" in page
    assert "line 3: organisation_code: no organisation has the code" in page
    assert not Person.objects.exists()


def test_a_coordinator_cannot_import_people_into_another_ics(client, world):
    client.force_login(world["coordinator"])
    response = upload(
        client,
        "people",
        csv_file(
            PEOPLE,
            "a@example.nhs.uk,Ann,Ames,gp,YA0001,,,,,,",
            "b@example.nhs.uk,Bo,Bell,gp,YB0001,,,,,,",
        ),
    )
    assert (
        "line 3: organisation_code: “YB0001” is not one of the organisations you coordinate."
        in (response.content.decode())
    )
    assert not Person.objects.exists()


def test_a_coordinator_cannot_take_over_someone_from_another_ics(client, world):
    from tests.factories import PersonFactory

    PersonFactory(user__email="b@example.nhs.uk", organisation=world["practice_b"])
    client.force_login(world["coordinator"])
    response = upload(
        client, "people", csv_file(PEOPLE, "b@example.nhs.uk,Bo,Bell,gp,YA0001,,,,,,")
    )
    assert "is already used by someone outside your organisations" in response.content.decode()
    assert Person.objects.get(user__email="b@example.nhs.uk").organisation == world["practice_b"]


def test_a_coordinator_adds_organisations_only_below_their_own(client, world):
    client.force_login(world["coordinator"])
    response = upload(
        client,
        "organisations",
        csv_file(
            "code,name,kind,parent_code",
            "UA0001,A PCN,pcn,QAA",
            "UB0001,B PCN,pcn,QBB",
            "QNEW,A new ICB,icb,",
        ),
    )
    page = response.content.decode()
    assert "line 3: parent_code: “QBB” is not one of the organisations you coordinate." in page
    assert (
        "line 4: parent_code: an organisation without a parent can only be added by an administrator"
        in page
    )


def test_a_superuser_may_import_anywhere(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = upload(
        client, "people", csv_file(PEOPLE, "b@example.nhs.uk,Bo,Bell,gp,YB0001,,,,,,")
    )
    assert response.status_code == 302


def test_a_file_over_the_limit_is_refused_by_the_field(client, world, settings):
    settings.IMPORT_MAX_BYTES = 50
    client.force_login(world["coordinator"])
    response = upload(
        client, "people", csv_file(PEOPLE, "a@example.nhs.uk,Ann,Ames,gp,YA0001,,,,,,4")
    )
    assert "the most that can be imported at once" in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("person", 302), ("finance", 403)])
def test_only_coordinators_and_superusers_may_import(client, world, who, status):
    if who == "person":
        client.force_login(UserFactory())
    elif who == "finance":
        client.force_login(finance_of(world["icb_a"]))
    assert client.get(URL).status_code == status
