from decimal import Decimal

import pytest

from mentoring.imports import run_import
from mentoring.models import FocusArea, Person, Sector, User
from tests.factories import OrganisationFactory, PersonFactory, UserFactory
from tests.mentoring.imports import codes_of, csv_file, errors_of

pytestmark = pytest.mark.django_db

HEADER = (
    "email,first_name,last_name,profession,organisation_code,department,region,"
    "sectors,scope_of_practice,focus_areas,clinical_sessions_per_week"
)


@pytest.fixture
def practice():
    return OrganisationFactory(code="Y12345")


def good_file():
    return csv_file(
        HEADER,
        "Asha.Patel@Example.nhs.uk,Asha,Patel,gp,Y12345,General practice,London,"
        "Primary care teams and GP practices,,Leadership;Career planning,4.5",
        "ben.okoro@example.nhs.uk,Ben,Okoro,pharmacist,y12345,Pharmacy,London,"
        "Community pharmacy;Care homes,Diabetes; Hypertension,Prescribing confidence,",
        "cara.lee@example.nhs.uk,Cara,Lee,pa,Y12345,,,,,,3",
    )


def test_a_good_file_creates_people_with_logins_but_no_password(practice):
    result = run_import("people", good_file())

    assert result.ok, errors_of(result)
    assert result.summary() == "people: 3 created, 0 updated, 0 unchanged"
    asha = Person.objects.get(user__email="asha.patel@example.nhs.uk")
    assert (asha.user.first_name, asha.profession, asha.organisation) == ("Asha", "gp", practice)
    assert asha.clinical_sessions_per_week == Decimal("4.5")
    assert {f.name for f in asha.focus_areas.all()} == {"Leadership", "Career planning"}
    assert not asha.user.has_usable_password()
    ben = Person.objects.get(user__email="ben.okoro@example.nhs.uk")
    assert {s.name for s in ben.scopes_of_practice.all()} == {"Diabetes", "Hypertension"}
    assert ben.clinical_sessions_per_week is None


def test_vocabulary_terms_are_matched_without_regard_to_case(practice):
    Sector.objects.create(name="Community Pharmacy")
    run_import("people", good_file())
    assert Sector.objects.filter(name__iexact="community pharmacy").count() == 1


def test_importing_the_same_file_again_changes_nothing(practice):
    run_import("people", good_file())
    before = list(Person.objects.order_by("pk").values())

    result = run_import("people", good_file())

    assert result.summary() == "people: 0 created, 0 updated, 3 unchanged"
    assert list(Person.objects.order_by("pk").values()) == before
    assert User.objects.count() == 3
    assert FocusArea.objects.count() == 3


def test_a_changed_value_or_list_is_updated(practice):
    run_import("people", good_file())
    result = run_import(
        "people",
        csv_file(
            HEADER,
            "asha.patel@example.nhs.uk,Asha,Patel-Jones,gp,Y12345,General practice,London,"
            "Primary care teams and GP practices,,Leadership,5",
        ),
    )
    assert result.summary() == "people: 0 created, 1 updated, 0 unchanged"
    asha = Person.objects.get(user__email="asha.patel@example.nhs.uk")
    assert asha.user.last_name == "Patel-Jones"
    assert asha.clinical_sessions_per_week == 5
    assert [f.name for f in asha.focus_areas.all()] == ["Leadership"]


def test_a_self_registered_account_gets_its_register_entry(practice):
    user = UserFactory(email="asha.patel@example.nhs.uk")
    run_import("people", good_file())
    assert Person.objects.get(user=user).profession == "gp"


def test_the_sessions_column_may_be_left_out_entirely(practice):
    header = HEADER.rsplit(",", 1)[0]
    result = run_import("people", csv_file(header, "d@example.nhs.uk,Dee,Ng,nurse,Y12345,,,,,"))
    assert result.ok, errors_of(result)


def test_every_bad_row_is_listed_and_nothing_is_saved(practice):
    result = run_import(
        "people",
        csv_file(
            HEADER,
            "not-an-email,A,B,gp,Y12345,,,,,,",
            "ok@example.nhs.uk,,B,gp,Y12345,,,,,,",
            "ok2@example.nhs.uk,A,B,surgeon,Y12345,,,,,,",
            "ok3@example.nhs.uk,A,B,gp,NOPE,,,,,,",
            "ok4@example.nhs.uk,A,B,gp,Y12345,,,,,,-1",
            "ok5@example.nhs.uk,A,B,gp,Y12345,,,,,,15",
            "ok6@example.nhs.uk,A,B,gp,Y12345,,,,,,four",
            "OK6@example.nhs.uk,A,B,gp,Y12345,,,,,,4",
            "ok7@example.nhs.uk,A,B,gp,Y12345,,,,,,4.25",
        ),
    )
    assert codes_of(result) == [
        (2, "email", "invalid"),
        (3, "first_name", "invalid"),
        (4, "profession", "invalid"),
        (5, "organisation_code", "unknown_organisation"),
        (6, "clinical_sessions_per_week", "invalid"),
        (7, "clinical_sessions_per_week", "invalid"),
        (8, "clinical_sessions_per_week", "invalid"),
        (9, "email", "duplicate_row"),
        (10, "clinical_sessions_per_week", "invalid"),
    ]
    messages = errors_of(result)
    assert messages[0] == "line 2: email: this is not an email address, like name@example.nhs.uk."
    assert (
        messages[2]
        == "line 4: profession: “surgeon” is not one of: gp, pa, pharmacist, nurse, other."
    )
    assert (
        messages[4]
        == "line 6: clinical_sessions_per_week: the number of sessions cannot be negative."
    )
    assert not Person.objects.exists()
    assert not User.objects.exists()


def test_lookups_take_the_same_number_of_queries_for_ten_or_a_hundred_rows(
    practice, django_assert_max_num_queries
):
    def rows(n):
        return csv_file(
            HEADER, *[f"p{i}@example.nhs.uk,P,{i},gp,Y12345,,,,,Leadership,4" for i in range(n)]
        )

    from mentoring.imports.people import PeopleImporter

    importer = PeopleImporter()
    small = importer.read(rows(10))
    with django_assert_max_num_queries(10) as ten:
        importer.validate(small)
    large = PeopleImporter().read(rows(100))
    with django_assert_max_num_queries(len(ten.captured_queries)):
        PeopleImporter().validate(large)


def test_an_existing_person_keeps_their_password(practice):
    person = PersonFactory(user__email="asha.patel@example.nhs.uk", organisation=practice)
    run_import("people", good_file())
    person.user.refresh_from_db()
    assert person.user.has_usable_password()
