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


def one_row(row: str):
    return run_import("registrations", csv_file(HEADER, row))


def test_a_good_file_records_each_register_entry(people):
    result = run_import("registrations", good_file())

    assert result.ok, errors_of(result)
    assert result.summary() == "registrations: 4 created, 0 updated, 0 unchanged"
    assert set(
        ProfessionalRegistration.objects.values_list(
            "person__user__email",
            "register",
            "number",
            "status",
            "licence_to_practise",
            "on_performers_list",
            "interim_suspension",
            "qualified_on",
            "independent_prescriber_since",
        )
    ) == {
        (
            "gp@example.nhs.uk",
            "GMC",
            "1234567",
            "registered",
            True,
            True,
            False,
            datetime.date(2005, 8, 3),
            None,
        ),
        (
            "pa@example.nhs.uk",
            "PA",
            "7654321",
            "registered",
            None,
            False,
            False,
            datetime.date(2023, 9, 1),
            None,
        ),
        (
            "pharmacist@example.nhs.uk",
            "GPHC",
            "2071234",
            "registered",
            None,
            False,
            False,
            datetime.date(2015, 7, 1),
            datetime.date(2019, 3, 1),
        ),
        (
            "nurse@example.nhs.uk",
            "NMC",
            "12A3456E",
            "registered",
            None,
            False,
            False,
            datetime.date(2012, 1, 10),
            None,
        ),
    }


@pytest.mark.parametrize("licence", ["yes", "no", "maybe", ""])
def test_registers_other_than_the_gmc_ignore_the_licence_column(people, licence):
    result = one_row(
        f"pharmacist@example.nhs.uk,GPHC,2071234,registered,{licence},no,no,2015-07-01,"
    )
    assert result.ok, errors_of(result)
    assert ProfessionalRegistration.objects.get().licence_to_practise is None


def test_importing_the_same_file_again_changes_nothing(people):
    run_import("registrations", good_file())
    before = list(ProfessionalRegistration.objects.order_by("pk").values())
    result = run_import("registrations", good_file())
    assert result.summary() == "registrations: 0 created, 0 updated, 4 unchanged"
    assert list(ProfessionalRegistration.objects.order_by("pk").values()) == before


def test_a_new_status_from_the_register_is_updated(people):
    run_import("registrations", good_file())
    pa_before = ProfessionalRegistration.objects.get(register="PA").updated_at
    result = run_import(
        "registrations",
        csv_file(
            HEADER,
            "gp@example.nhs.uk,GMC,1234567,suspended,no,yes,yes,2005-08-03,",
            "pa@example.nhs.uk,PA,7654321,registered,,no,no,2023-09-01,",
        ),
    )
    assert result.summary() == "registrations: 0 created, 1 updated, 1 unchanged"
    gmc = ProfessionalRegistration.objects.get(register="GMC")
    assert (gmc.status, gmc.licence_to_practise, gmc.interim_suspension) == (
        "suspended",
        False,
        True,
    )
    assert ProfessionalRegistration.objects.get(register="PA").updated_at == pa_before


@pytest.mark.parametrize(
    ("row", "number"),
    [
        ("gp@example.nhs.uk,GMC,1234567,registered,yes,no,no,2005-08-03,", "1234567"),
        ("gp@example.nhs.uk,gmc, 123 4567 ,registered,yes,no,no,2005-08-03,", "1234567"),
        ("pharmacist@example.nhs.uk,GPHC,2071234,registered,,no,no,2015-07-01,", "2071234"),
        ("nurse@example.nhs.uk,NMC,12a3456e,registered,,no,no,2012-01-10,", "12A3456E"),
        ("pa@example.nhs.uk,PA,7654321,registered,,no,no,2023-09-01,", "7654321"),
    ],
)
def test_each_register_accepts_its_own_number_format(people, row, number):
    result = one_row(row)
    assert result.ok, errors_of(result)
    assert ProfessionalRegistration.objects.get().number == number


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "gp@example.nhs.uk,GMC,123456,registered,yes,yes,no,2005-08-03,",
            "“123456” is not a valid number: a GMC reference number is 7 digits, like 1234567.",
        ),
        (
            "gp@example.nhs.uk,GMC,G1234567,registered,yes,yes,no,2005-08-03,",
            "“G1234567” is not a valid number: a GMC reference number is 7 digits, like 1234567.",
        ),
        (
            "pharmacist@example.nhs.uk,GPHC,20712,registered,,no,no,2015-07-01,",
            "“20712” is not a valid number: a GPhC registration number is 7 digits, like 2071234.",
        ),
        (
            "nurse@example.nhs.uk,NMC,1234567,registered,,no,no,2012-01-10,",
            "“1234567” is not a valid number: an NMC PIN is 2 digits, a letter, 4 digits and "
            "a letter, like 12A3456E.",
        ),
        (
            "pa@example.nhs.uk,PA,PA-1234,registered,,no,no,2023-09-01,",
            "“PA-1234” is not a valid number: "
            "a PA register number is the 7-digit GMC reference number.",
        ),
    ],
)
def test_a_number_in_the_wrong_format_for_its_register_is_a_bad_row(people, row, message):
    result = one_row(row)
    assert codes_of(result) == [(2, "number", "number_problem")]
    assert errors_of(result) == [f"line 2: number: {message}"]
    assert not ProfessionalRegistration.objects.exists()


@pytest.mark.parametrize(
    ("status", "licence", "message"),
    [
        (
            "registered",
            "no",
            "a GMC status of “registered” means the licence to practise must be yes.",
        ),
        (
            "registered_without_licence",
            "yes",
            "a GMC status of “registered without licence” means the licence to practise must be no.",
        ),
        (
            "suspended",
            "yes",
            "a GMC status of “suspended” means the licence to practise must be no.",
        ),
        ("registered", "", "say whether the doctor holds a licence to practise (yes or no)."),
    ],
)
def test_a_gmc_licence_that_contradicts_the_status_is_a_bad_row(people, status, licence, message):
    result = one_row(f"gp@example.nhs.uk,GMC,1234567,{status},{licence},yes,no,2005-08-03,")
    assert codes_of(result) == [(2, "licence_to_practise", "licence_problem")]
    assert errors_of(result) == [f"line 2: licence_to_practise: {message}"]


@pytest.mark.parametrize(
    ("status", "licence"),
    [
        ("registered", "yes"),
        ("registered_without_licence", "no"),
        ("provisional", "yes"),
        ("provisional", "no"),
        ("erased", "no"),
    ],
)
def test_a_gmc_licence_that_agrees_with_the_status_is_accepted(people, status, licence):
    result = one_row(f"gp@example.nhs.uk,GMC,1234567,{status},{licence},yes,no,2005-08-03,")
    assert result.ok, errors_of(result)
    assert ProfessionalRegistration.objects.get().licence_to_practise is (licence == "yes")


def test_a_licence_that_is_not_yes_or_no_on_the_gmc_register_is_a_bad_row(people):
    result = one_row("gp@example.nhs.uk,GMC,1234567,registered,perhaps,yes,no,2005-08-03,")
    assert errors_of(result) == ["line 2: licence_to_practise: “perhaps” should be yes or no."]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "nurse@example.nhs.uk,NMC,12A3456E,provisional,,no,no,2012-01-10,",
            "“provisional” is not a status used on the NMC register.",
        ),
        (
            "pa@example.nhs.uk,PA,7654321,registered_without_licence,,no,no,2023-09-01,",
            "“registered_without_licence” is not a status used on the PA register.",
        ),
    ],
)
def test_a_status_the_register_does_not_use_is_a_bad_row(people, row, message):
    result = one_row(row)
    assert errors_of(result) == [f"line 2: status: {message}"]
    assert codes_of(result) == [(2, "status", "status_problem")]


def test_a_number_held_by_someone_else_is_a_bad_row(people):
    RegistrationFactory(person=people["other"], register="GMC", number="1234567")
    result = one_row("gp@example.nhs.uk,GMC,1234567,registered,yes,yes,no,2005-08-03,")
    assert errors_of(result) == [
        "line 2: number: GMC number 1234567 already belongs to someone else on the register."
    ]
    assert ProfessionalRegistration.objects.get().person == people["other"]


def test_a_second_number_on_the_same_register_is_a_bad_row(people):
    RegistrationFactory(person=people["gp"], register="GMC", number="7000001")
    result = one_row("gp@example.nhs.uk,GMC,1234567,registered,yes,yes,no,2005-08-03,")
    assert errors_of(result) == [
        "line 2: number: this person already has GMC number 7000001 on file. "
        "Correct it in the admin if it has changed."
    ]
    assert ProfessionalRegistration.objects.get().number == "7000001"


def test_every_bad_row_is_listed_and_nothing_is_saved():
    for n in range(1, 12):
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
            "p10@example.nhs.uk,NMC,12A3456X,registered,,no,no,,",
            "p10@example.nhs.uk,NMC,12A3456Y,registered,,no,,2012-01-10,",
            "p11@example.nhs.uk,GMC,1111115,registered,no,no,no,2005-08-03,",
        ),
    )
    assert codes_of(result) == [
        (2, "email", "unknown_person"),
        (3, "register", "not_one_of"),
        (4, "performers_list", "not_yes_or_no"),
        (5, "qualified_on", "not_a_date"),
        (6, "number", "number_held_by_another"),
        (7, "number", "other_number_on_register"),
        (8, "status", "status_problem"),
        (9, "independent_prescriber_since", "prescriber_before_qualified"),
        (10, "number", "duplicate_row"),
        (11, "qualified_on", "missing_value"),
        (12, "register", "duplicate_row"),
        (12, "interim_suspension", "missing_value"),
        (13, "licence_to_practise", "licence_problem"),
    ]
    assert errors_of(result)[1] == ("line 3: register: “HCPC” is not one of: GMC, GPHC, NMC, PA.")
    assert errors_of(result)[3] == (
        "line 5: qualified_on: this is not a date written as YYYY-MM-DD, like 2024-03-31."
    )
    assert errors_of(result)[7] == (
        "line 9: independent_prescriber_since: this is before the date they qualified."
    )
    assert ProfessionalRegistration.objects.count() == 2
