"""The admin upload page: coordinators import within their own organisations only."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentoring.models import Person, User
from tests.auth import sign_in
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


def problems_listed(response) -> list[str]:
    listing = re.search(r'<ul class="import-errors">(.*?)</ul>', response.content.decode(), re.S)
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", listing[1])]


def test_the_page_is_named_in_the_admin_and_lists_each_kind_and_its_columns(client, world):
    sign_in(client, world["coordinator"])
    assert reverse("admin:mentoring_import") == URL
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="registrations">Professional registrations</option>' in page
    assert "email,first_name,last_name,profession" in page
    assert "supervisor_email,supervisee_email,kind,start_date,end_date" in page


def test_the_file_input_has_a_label_and_a_hint(client, world):
    sign_in(client, world["coordinator"])
    page = client.get(URL).content.decode()
    assert '<label for="id_file">CSV file:</label>' in page
    assert 'aria-describedby="id_file_helptext"' in page
    assert 'id="id_file_helptext">Saved from your spreadsheet as “CSV UTF-8”' in page
    assert '<label for="id_kind">What the file contains:</label>' in page


def test_a_good_upload_imports_and_says_what_changed(client, world):
    sign_in(client, world["coordinator"])
    response = upload(
        client, "people", csv_file(PEOPLE, "a@example.nhs.uk,Ann,Ames,gp,YA0001,,,,,,4")
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    assert Person.objects.get(user__email="a@example.nhs.uk").organisation == world["practice_a"]
    page = client.get(response["Location"]).content.decode()
    assert "Imported people: 1 created, 0 updated, 0 unchanged." in page


def test_a_bad_upload_lists_every_problem_and_saves_nothing(client, world):
    sign_in(client, world["coordinator"])
    response = upload(
        client,
        "people",
        csv_file(
            PEOPLE,
            "a@example.nhs.uk,Ann,Ames,gp,YA0001,,,,,,4",
            "not-an-email,B,C,gp,NOPE,,,,,,",
            "c@example.nhs.uk,Cy,Coe,surgeon,YA0001,,,,,,",
        ),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "<h2>There is a problem with the file</h2>" in page
    assert "Nothing was imported. 2 lines have problems" in page
    assert problems_listed(response) == [
        "line 3: email: this is not an email address, like name@example.nhs.uk.",
        "line 3: organisation_code: no organisation has the code “NOPE”. "
        "Import it with import_organisations first, or check the spelling.",
        "line 4: profession: “surgeon” is not one of: gp, pa, pharmacist, nurse, other.",
    ]
    assert not Person.objects.exists()
    assert User.objects.count() == 1


def test_a_coordinator_cannot_import_people_into_another_ics(client, world):
    sign_in(client, world["coordinator"])
    response = upload(
        client,
        "people",
        csv_file(
            PEOPLE,
            "a@example.nhs.uk,Ann,Ames,gp,YA0001,,,,,,",
            "b@example.nhs.uk,Bo,Bell,gp,YB0001,,,,,,",
        ),
    )
    assert response.status_code == 400
    assert problems_listed(response) == [
        "line 3: organisation_code: “YB0001” is not one of the organisations you coordinate."
    ]
    assert not Person.objects.exists()


def test_a_superuser_may_import_anywhere(client, world):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    response = upload(
        client, "people", csv_file(PEOPLE, "b@example.nhs.uk,Bo,Bell,gp,YB0001,,,,,,")
    )
    assert response.status_code == 302
    assert Person.objects.get().organisation == world["practice_b"]


def test_a_file_over_the_limit_is_refused_by_the_form(client, world, settings):
    settings.IMPORT_MAX_BYTES = 50
    sign_in(client, world["coordinator"])
    content = csv_file(PEOPLE, "a@example.nhs.uk,Ann,Ames,gp,YA0001,,,,,,4")
    response = upload(client, "people", content)
    page = response.content.decode()
    assert (
        f"The file is {len(content)}\xa0bytes; the most that can be imported at once is "
        "50\xa0bytes. Split it into smaller files."
    ) in page
    assert 'aria-describedby="id_file_helptext id_file_error"' in page
    assert not Person.objects.exists()


def test_an_upload_without_a_file_asks_for_one(client, world):
    sign_in(client, world["coordinator"])
    response = client.post(URL, {"kind": "people"})
    assert response.status_code == 200
    assert "Choose the CSV file to import." in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("person", 302),
        ("finance", 403),
        ("staff without a role", 403),
        ("coordinator", 200),
        ("superuser", 200),
    ],
)
def test_only_coordinators_and_superusers_may_import(client, world, who, status):
    users = {
        "person": lambda: UserFactory(),
        "finance": lambda: finance_of(world["icb_a"]),
        "staff without a role": lambda: UserFactory(is_staff=True),
        "coordinator": lambda: world["coordinator"],
        "superuser": lambda: UserFactory(is_staff=True, is_superuser=True),
    }
    if who in users:
        sign_in(client, users[who]())
    assert client.get(URL).status_code == status


def test_finance_staff_cannot_upload_either(client, world):
    sign_in(client, finance_of(world["icb_a"]))
    response = upload(
        client, "people", csv_file(PEOPLE, "a@example.nhs.uk,Ann,Ames,gp,YA0001,,,,,,4")
    )
    assert response.status_code == 403
    assert not Person.objects.exists()
