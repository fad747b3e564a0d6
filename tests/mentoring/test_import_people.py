from decimal import Decimal

import pytest

from mentoring.imports import run_import
from mentoring.models import FocusArea, Person, ScopeOfPractice, Sector, User
from tests.auth import sign_in
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
        "cara.lee@example.nhs.uk,Cara,Lee,PA,Y12345,,,,,,3",
    )


def names(queryset) -> set[str]:
    return {term.name for term in queryset.all()}


def test_a_good_file_creates_people_with_logins_but_no_password(practice):
    result = run_import("people", good_file())

    assert result.ok, errors_of(result)
    assert result.summary() == "people: 3 created, 0 updated, 0 unchanged"
    asha = Person.objects.get(user__email="asha.patel@example.nhs.uk")
    assert (asha.user.first_name, asha.user.last_name, asha.profession) == ("Asha", "Patel", "gp")
    assert (asha.organisation, asha.department, asha.region) == (
        practice,
        "General practice",
        "London",
    )
    assert asha.clinical_sessions_per_week == Decimal("4.5")
    assert names(asha.sectors) == {"Primary care teams and GP practices"}
    assert names(asha.focus_areas) == {"Leadership", "Career planning"}
    assert names(asha.scopes_of_practice) == set()
    assert not asha.user.has_usable_password()
    assert (asha.user.is_active, asha.user.is_staff) == (True, False)
    ben = Person.objects.get(user__email="ben.okoro@example.nhs.uk")
    assert names(ben.scopes_of_practice) == {"Diabetes", "Hypertension"}
    assert ben.clinical_sessions_per_week is None
    assert Person.objects.get(user__email="cara.lee@example.nhs.uk").profession == "pa"


def test_vocabulary_terms_are_matched_without_regard_to_case_and_created_once(practice):
    Sector.objects.create(name="Community Pharmacy")
    result = run_import(
        "people",
        csv_file(
            HEADER,
            "a@example.nhs.uk,A,A,gp,Y12345,,,community pharmacy,,new term,",
            "b@example.nhs.uk,B,B,gp,Y12345,,,COMMUNITY PHARMACY,,New Term;NEW TERM,",
        ),
    )
    assert result.ok, errors_of(result)
    assert list(Sector.objects.values_list("name", flat=True)) == ["Community Pharmacy"]
    assert list(FocusArea.objects.values_list("name", flat=True)) == ["new term"]
    assert Person.objects.filter(focus_areas__name="new term").count() == 2


def test_importing_the_same_file_again_changes_nothing(practice):
    run_import("people", good_file())
    people = list(Person.objects.order_by("pk").values())
    users = list(User.objects.order_by("pk").values())
    links = [list(model.objects.values_list("people", flat=True)) for model in (Sector, FocusArea)]

    result = run_import("people", good_file())

    assert result.summary() == "people: 0 created, 0 updated, 3 unchanged"
    assert list(Person.objects.order_by("pk").values()) == people
    assert list(User.objects.order_by("pk").values()) == users
    assert [
        list(model.objects.values_list("people", flat=True)) for model in (Sector, FocusArea)
    ] == links
    assert (ScopeOfPractice.objects.count(), FocusArea.objects.count()) == (2, 3)


def test_a_changed_value_or_list_is_updated_and_only_that_person_is_touched(practice):
    run_import("people", good_file())
    ben_before = Person.objects.get(user__email="ben.okoro@example.nhs.uk").updated_at
    asha_before = Person.objects.get(user__email="asha.patel@example.nhs.uk").updated_at
    result = run_import(
        "people",
        csv_file(
            HEADER,
            "asha.patel@example.nhs.uk,Asha,Patel-Jones,gp,Y12345,General practice,London,"
            ",Minor surgery,Leadership,5",
            "ben.okoro@example.nhs.uk,Ben,Okoro,pharmacist,y12345,Pharmacy,London,"
            "Community pharmacy;Care homes,Diabetes; Hypertension,Prescribing confidence,",
        ),
    )
    assert result.summary() == "people: 0 created, 1 updated, 1 unchanged"
    asha = Person.objects.get(user__email="asha.patel@example.nhs.uk")
    assert asha.user.last_name == "Patel-Jones"
    assert asha.clinical_sessions_per_week == Decimal("5")
    assert names(asha.sectors) == set()
    assert names(asha.scopes_of_practice) == {"Minor surgery"}
    assert names(asha.focus_areas) == {"Leadership"}
    assert asha.updated_at > asha_before
    assert Person.objects.get(user__email="ben.okoro@example.nhs.uk").updated_at == ben_before


def test_a_change_to_a_list_alone_counts_as_an_update(practice):
    run_import("people", good_file())
    result = run_import(
        "people",
        csv_file(HEADER, "cara.lee@example.nhs.uk,Cara,Lee,pa,Y12345,,,,,Wellbeing,3"),
    )
    assert result.summary() == "people: 0 created, 1 updated, 0 unchanged"
    assert names(Person.objects.get(user__email="cara.lee@example.nhs.uk").focus_areas) == {
        "Wellbeing"
    }


def test_someone_can_move_to_another_organisation(practice):
    run_import("people", good_file())
    OrganisationFactory(code="Y99999")
    result = run_import(
        "people", csv_file(HEADER, "cara.lee@example.nhs.uk,Cara,Lee,pa,Y99999,,,,,,3")
    )
    assert result.summary() == "people: 0 created, 1 updated, 0 unchanged"
    assert Person.objects.get(user__email="cara.lee@example.nhs.uk").organisation.code == "Y99999"


def test_a_self_registered_account_gets_its_register_entry_and_keeps_its_password(practice):
    user = UserFactory(email="asha.patel@example.nhs.uk", first_name="A", last_name="P")
    result = run_import("people", good_file())
    assert result.summary() == "people: 3 created, 0 updated, 0 unchanged"
    user.refresh_from_db()
    assert (user.person.profession, user.first_name, user.last_name) == ("gp", "Asha", "Patel")
    assert user.has_usable_password()
    assert User.objects.count() == 3


def test_an_existing_person_keeps_their_password(practice):
    person = PersonFactory(user__email="asha.patel@example.nhs.uk", organisation=practice)
    run_import("people", good_file())
    person.user.refresh_from_db()
    assert person.user.has_usable_password()


def test_the_sessions_column_may_be_left_out_entirely(practice):
    header = HEADER.rsplit(",", 1)[0]
    result = run_import("people", csv_file(header, "d@example.nhs.uk,Dee,Ng,nurse,Y12345,,,,,"))
    assert result.ok, errors_of(result)
    assert Person.objects.get().clinical_sessions_per_week is None


@pytest.mark.parametrize(("written", "read"), [("0", "0"), ("14", "14"), ("4.50", "4.5")])
def test_sessions_are_read_as_a_decimal(practice, written, read):
    result = run_import(
        "people", csv_file(HEADER, f"d@example.nhs.uk,Dee,Ng,nurse,Y12345,,,,,,{written}")
    )
    assert result.ok, errors_of(result)
    assert Person.objects.get().clinical_sessions_per_week == Decimal(read)


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
            f"ok8@example.nhs.uk,A,B,gp,Y12345,,,,,{'x' * 101},",
            f"ok9@example.nhs.uk,A,{'B' * 151},gp,,,,,,,",
        ),
    )
    assert codes_of(result) == [
        (2, "email", "not_an_email"),
        (3, "first_name", "missing_value"),
        (4, "profession", "not_one_of"),
        (5, "organisation_code", "unknown_organisation"),
        (6, "clinical_sessions_per_week", "sessions_out_of_range"),
        (7, "clinical_sessions_per_week", "sessions_out_of_range"),
        (8, "clinical_sessions_per_week", "not_a_number_of_sessions"),
        (9, "email", "duplicate_row"),
        (10, "clinical_sessions_per_week", "sessions_too_precise"),
        (11, "focus_areas", "term_too_long"),
        (12, "last_name", "too_long"),
        (12, "organisation_code", "missing_value"),
    ]
    assert errors_of(result)[:4] == [
        "line 2: email: this is not an email address, like name@example.nhs.uk.",
        "line 3: first_name: this value is missing.",
        "line 4: profession: “surgeon” is not one of: gp, pa, pharmacist, nurse, other.",
        "line 5: organisation_code: no organisation has the code “NOPE”. "
        "Import it with import_organisations first, or check the spelling.",
    ]
    assert errors_of(result)[4] == (
        "line 6: clinical_sessions_per_week: the clinical sessions a week must be between 0 and 14."
    )
    assert errors_of(result)[9] == (
        f"line 11: focus_areas: “{'x' * 30}…” is longer than 100 characters."
    )
    assert not Person.objects.exists()
    assert not User.objects.exists()
    assert not FocusArea.objects.exists()


def test_a_download_of_the_admin_people_list_imports_back_unchanged(client, practice):
    run_import("people", good_file())
    PersonFactory(
        user__email="dee@example.nhs.uk", organisation=practice, department="-Acute", region="="
    )
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/mentoring/person/export/")
    assert response.status_code == 200
    download = b"".join(response.streaming_content)

    result = run_import("people", download)

    assert result.summary() == "people: 0 created, 0 updated, 4 unchanged"
    assert Person.objects.get(user__email="dee@example.nhs.uk").department == "-Acute"
