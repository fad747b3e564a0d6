import datetime

import pytest

from mentoring.imports import run_import
from mentoring.models import Person, ProfessionalRegistration
from tests.factories import PersonFactory, RegistrationFactory
from tests.mentoring.imports import codes_of, csv_file, errors_of

pytestmark = pytest.mark.django_db

HEADER = (
    "email,register,number,status,licence_to_practise,performers_list,interim_suspension,"
    "qualified_on,independent_prescriber_since"
)


@pytest.fixture
def people():
    return {
        name: PersonFactory(user__email=f"{name}@example.nhs.uk")
        for name in ("gp", "pa", "pharmacist", "nurse", "other")
    }


def good_file():
    return csv_file(
        HEADER,
        "gp@example.nhs.uk,GMC,1234567,registered,yes,yes,no,2005-08-03,",
        "pa@example.nhs.uk,PA,7654321,registered,,no,no,2023-09-01,",
        "pharmacist@example.nhs.uk,GPhC,2071234,registered,no,no,no,2015-07-01,2019-03-01",
        "nurse@example.nhs.uk,NMC,12A3456E,registered,,no,no,2012-01-10,",
    )


def test_a_good_file_records_each_register_entry(people):
    result = run_import("registrations", good_file())

    assert result.ok, errors_of(result)
    assert result.summary() == "registrations: 4 created, 0 updated, 0 unchanged"
    gmc = ProfessionalRegistration.objects.get(register="GMC")
    assert (gmc.person, gmc.number, gmc.licence_to_practise, gmc.on_performers_list) == (
        people["gp"],
        "1234567",
        True,
        True,
    )
    pharmacist = ProfessionalRegistration.objects.get(register="GPHC")
    assert pharmacist.independent_prescriber_since == datetime.date(2019, 3, 1)


def test_other_registers_ignore_the_licence_column(people):
    run_import("registrations", good_file())
    assert ProfessionalRegistration.objects.get(register="GPHC").licence_to_practise is None


def test_importing_the_same_file_again_changes_nothing(people):
    run_import("registrations", good_file())
    before = list(ProfessionalRegistration.objects.order_by("pk").values())
    result = run_import("registrations", good_file())
    assert result.summary() == "registrations: 0 created, 0 updated, 4 unchanged"
    assert list(ProfessionalRegistration.objects.order_by("pk").values()) == before


def test_a_new_status_from_the_register_is_updated(people):
    run_import("registrations", good_file())
    result = run_import(
        "registrations",
        csv_file(HEADER, "gp@example.nhs.uk,GMC,1234567,suspended,no,yes,yes,2005-08-03,"),
    )
    assert result.summary() == "registrations: 0 created, 1 updated, 0 unchanged"
    gmc = ProfessionalRegistration.objects.get(register="GMC")
    assert (gmc.status, gmc.licence_to_practise, gmc.interim_suspension) == (
        "suspended",
        False,
        True,
    )


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("gp@example.nhs.uk,GMC,123456,registered,yes,yes,no,2005-08-03,", "number"),
        ("gp@example.nhs.uk,GMC,12345678,registered,yes,yes,no,2005-08-03,", "number"),
        ("pharmacist@example.nhs.uk,GPHC,20712,registered,,no,no,2015-07-01,", "number"),
        ("nurse@example.nhs.uk,NMC,1234567,registered,,no,no,2012-01-10,", "number"),
        ("pa@example.nhs.uk,PA,PA-1234,registered,,no,no,2023-09-01,", "number"),
    ],
)
def test_malformed_numbers_are_bad_rows(people, row, column):
    result = run_import("registrations", csv_file(HEADER, row))
    assert codes_of(result) == [(2, column, "invalid")]
    assert "is not a valid number" in errors_of(result)[0]


@pytest.mark.parametrize(
    "row",
    [
        "gp@example.nhs.uk,GMC,1234567,registered,no,yes,no,2005-08-03,",
        "gp@example.nhs.uk,GMC,1234567,registered_without_licence,yes,yes,no,2005-08-03,",
        "gp@example.nhs.uk,GMC,1234567,registered,,yes,no,2005-08-03,",
    ],
)
def test_a_gmc_licence_that_contradicts_the_status_is_a_bad_row(people, row):
    result = run_import("registrations", csv_file(HEADER, row))
    assert codes_of(result) == [(2, "licence_to_practise", "invalid")]


def test_every_bad_row_is_listed_and_nothing_is_saved():
    for n in range(1, 10):
        PersonFactory(user__email=f"p{n}@example.nhs.uk")
    RegistrationFactory(register="PA", licence_to_practise=None, number="7777777")
    RegistrationFactory(
        person=Person.objects.get(user__email="p6@example.nhs.uk"), number="6666666"
    )
    result = run_import(
        "registrations",
        csv_file(
            HEADER,
            "nobody@example.nhs.uk,GMC,1111111,registered,yes,yes,no,2005-08-03,",
            "p2@example.nhs.uk,HCPC,1111111,registered,,no,no,2005-08-03,",
            "p3@example.nhs.uk,GMC,1111112,registered,yes,maybe,no,2005-08-03,",
            "p4@example.nhs.uk,GMC,1111113,registered,yes,yes,no,03/08/2005,",
            "p5@example.nhs.uk,PA,7777777,registered,,no,no,2023-09-01,",
            "p6@example.nhs.uk,GMC,1111114,registered,yes,yes,no,2005-08-03,",
            "p7@example.nhs.uk,NMC,12A3456E,registered_without_licence,,no,no,2012-01-10,",
            "p8@example.nhs.uk,GPHC,2071234,registered,,no,no,2015-07-01,2014-01-01",
            "p9@example.nhs.uk,GPHC,2071234,registered,,no,no,2015-07-01,",
        ),
    )
    assert codes_of(result) == [
        (2, "email", "unknown_person"),
        (3, "register", "invalid"),
        (4, "performers_list", "invalid"),
        (5, "qualified_on", "invalid"),
        (6, "number", "number_held_by_another"),
        (7, "number", "other_number_on_register"),
        (8, "status", "invalid"),
        (9, "independent_prescriber_since", "invalid"),
        (10, "number", "duplicate_row"),
    ]
    assert errors_of(result)[3] == (
        "line 5: qualified_on: this is not a date written as YYYY-MM-DD, like 2024-03-31."
    )
    assert ProfessionalRegistration.objects.count() == 2
