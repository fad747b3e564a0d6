"""Imports by a coordinator (the admin upload) change only rows within their organisations."""

import pytest

from mentoring.imports import run_import
from mentoring.models import (
    Organisation,
    Person,
    ProfessionalRegistration,
    TrainingRecord,
    User,
    WorkingRelationship,
)
from tests.factories import (
    IcbFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    coordinator_of,
)
from tests.mentoring.imports import codes_of, csv_file, errors_of

pytestmark = pytest.mark.django_db

ORGANISATIONS = "code,name,kind,parent_code"
PEOPLE = (
    "email,first_name,last_name,profession,organisation_code,department,region,"
    "sectors,scope_of_practice,focus_areas,clinical_sessions_per_week"
)
REGISTRATIONS = (
    "email,register,number,status,licence_to_practise,performers_list,interim_suspension,"
    "qualified_on,independent_prescriber_since"
)
TRAINING = "email,kind,status,date"
RELATIONSHIPS = "supervisor_email,supervisee_email,kind,start_date,end_date"


@pytest.fixture
def world():
    icb_a = IcbFactory(code="QAA", name="ICB A")
    icb_b = IcbFactory(code="QBB", name="ICB B")
    practice_a = OrganisationFactory(
        code="YA0001", name="Practice A", kind="practice", parent=icb_a
    )
    practice_b = OrganisationFactory(
        code="YB0001", name="Practice B", kind="practice", parent=icb_b
    )
    return {
        "icb_a": icb_a,
        "practice_a": practice_a,
        "practice_b": practice_b,
        "coordinator": coordinator_of(icb_a),
        "ann": PersonFactory(user__email="ann@example.nhs.uk", organisation=practice_a),
        "amy": PersonFactory(user__email="amy@example.nhs.uk", organisation=practice_a),
        "bob": PersonFactory(user__email="bob@example.nhs.uk", organisation=practice_b),
    }


def as_coordinator(world, kind, *lines):
    return run_import(kind, csv_file(*lines), user=world["coordinator"])


def test_a_coordinator_adds_organisations_below_their_own(world):
    result = as_coordinator(
        world,
        "organisations",
        ORGANISATIONS,
        "YA0002,New practice,practice,UA0001",
        "UA0001,A PCN,pcn,QAA",
    )
    assert result.summary() == "organisations: 2 created, 0 updated, 0 unchanged"
    assert Organisation.objects.get(code="YA0002").is_within(world["icb_a"])


def test_a_coordinator_cannot_add_organisations_elsewhere_or_at_the_top(world):
    result = as_coordinator(
        world,
        "organisations",
        ORGANISATIONS,
        "UA0001,A PCN,pcn,QAA",
        "UB0001,B PCN,pcn,QBB",
        "QNEW,A new ICB,icb,",
        "YA0003,Below the new ICB,practice,QNEW",
    )
    assert errors_of(result) == [
        "line 3: parent_code: “QBB” is not one of the organisations you coordinate.",
        "line 4: parent_code: an organisation without a parent can only be added by an "
        "administrator: give it one of your organisations as its parent.",
    ]
    assert Organisation.objects.count() == 4


def test_a_coordinator_cannot_change_or_take_another_ics_organisation(world):
    result = as_coordinator(
        world,
        "organisations",
        ORGANISATIONS,
        "YB0001,Renamed,practice,QBB",
        "QBB,ICB B,icb,QAA",
        "YA0001,Practice A,practice,YB0001",
    )
    assert codes_of(result) == [
        (2, "code", "organisation_out_of_scope"),
        (3, "code", "organisation_out_of_scope"),
        (4, "parent_code", "organisation_out_of_scope"),
    ]
    assert Organisation.objects.get(code="YB0001").name == "Practice B"


def test_a_coordinator_may_reimport_their_own_organisation_but_not_change_it(world):
    unchanged = as_coordinator(world, "organisations", ORGANISATIONS, "QAA,ICB A,icb,")
    assert unchanged.summary() == "organisations: 0 created, 0 updated, 1 unchanged"

    renamed = as_coordinator(world, "organisations", ORGANISATIONS, "QAA,ICB Alpha,icb,")
    assert errors_of(renamed) == [
        "line 2: code: “QAA” is the organisation you are assigned to: "
        "only an administrator can change it."
    ]
    assert Organisation.objects.get(code="QAA").name == "ICB A"


def test_a_coordinator_may_rename_and_move_organisations_within_their_own(world):
    OrganisationFactory(code="UA0001", kind="pcn", parent=world["icb_a"])
    result = as_coordinator(
        world, "organisations", ORGANISATIONS, "YA0001,Practice A renamed,practice,UA0001"
    )
    assert result.summary() == "organisations: 0 created, 1 updated, 0 unchanged"


def test_a_coordinator_imports_people_into_their_organisations_only(world):
    result = as_coordinator(
        world,
        "people",
        PEOPLE,
        "new.a@example.nhs.uk,New,A,gp,YA0001,,,,,,",
        "new.b@example.nhs.uk,New,B,gp,YB0001,,,,,,",
    )
    assert errors_of(result) == [
        "line 3: organisation_code: “YB0001” is not one of the organisations you coordinate."
    ]
    assert not User.objects.filter(email__startswith="new.").exists()


def test_a_coordinator_cannot_take_over_someone_from_another_ics(world):
    result = as_coordinator(
        world, "people", PEOPLE, "BOB@example.nhs.uk,Bob,Changed,gp,YA0001,,,,,,"
    )
    assert errors_of(result) == [
        "line 2: email: “bob@example.nhs.uk” is already used by someone outside your "
        "organisations. Ask an administrator to move them."
    ]
    bob = Person.objects.get(user__email="bob@example.nhs.uk")
    assert (bob.organisation, bob.user.last_name) == (
        world["practice_b"],
        world["bob"].user.last_name,
    )


def test_a_coordinator_cannot_put_an_administrators_login_on_their_register(world):
    UserFactory(email="admin@example.nhs.uk", is_staff=True, is_superuser=True)
    result = as_coordinator(world, "people", PEOPLE, "admin@example.nhs.uk,Ad,Min,gp,YA0001,,,,,,")
    assert codes_of(result) == [(2, "email", "email_used_elsewhere")]
    assert not Person.objects.filter(user__email="admin@example.nhs.uk").exists()


def test_a_coordinator_may_add_a_self_registered_login_and_update_their_own_people(world):
    UserFactory(email="self@example.nhs.uk")
    result = as_coordinator(
        world,
        "people",
        PEOPLE,
        "self@example.nhs.uk,Self,Registered,nurse,YA0001,,,,,,",
        "ann@example.nhs.uk,Ann,Changed,gp,YA0001,,,,,,",
    )
    assert result.summary() == "people: 1 created, 1 updated, 0 unchanged"


@pytest.mark.parametrize(
    ("kind", "lines", "model"),
    [
        (
            "registrations",
            [
                REGISTRATIONS,
                "ann@example.nhs.uk,GMC,1234567,registered,yes,yes,no,2005-08-03,",
                "bob@example.nhs.uk,GMC,7654321,registered,yes,yes,no,2005-08-03,",
            ],
            ProfessionalRegistration,
        ),
        (
            "training",
            [
                TRAINING,
                "ann@example.nhs.uk,ilm5,completed,2024-03-01",
                "bob@example.nhs.uk,ilm5,completed,2024-03-01",
            ],
            TrainingRecord,
        ),
        (
            "relationships",
            [
                RELATIONSHIPS,
                "ann@example.nhs.uk,amy@example.nhs.uk,line_manager,2024-01-01,",
                "ann@example.nhs.uk,bob@example.nhs.uk,line_manager,2024-01-01,",
            ],
            WorkingRelationship,
        ),
    ],
)
def test_a_coordinator_cannot_import_records_of_people_outside_their_scope(
    world, kind, lines, model
):
    column = "supervisee_email" if kind == "relationships" else "email"
    result = as_coordinator(world, kind, *lines)
    assert errors_of(result) == [
        f"line 3: {column}: “bob@example.nhs.uk” is not one of the people you coordinate."
    ]
    assert not model.objects.exists()


def test_a_relationship_with_a_supervisor_outside_the_scope_is_refused(world):
    result = as_coordinator(
        world,
        "relationships",
        RELATIONSHIPS,
        "bob@example.nhs.uk,ann@example.nhs.uk,clinical_supervisor,2024-01-01,",
    )
    assert codes_of(result) == [(2, "supervisor_email", "person_out_of_scope")]


def test_a_superuser_may_import_anywhere(world):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    result = run_import(
        "organisations",
        csv_file(ORGANISATIONS, "QNEW,A new ICB,icb,", "YB0001,Practice B,practice,QNEW"),
        user=superuser,
    )
    assert result.summary() == "organisations: 1 created, 1 updated, 0 unchanged"


def test_a_coordinator_without_organisations_can_change_nothing(world):
    nobody = coordinator_of()
    result = run_import(
        "training", csv_file(TRAINING, "ann@example.nhs.uk,ilm5,completed,2024-03-01"), user=nobody
    )
    assert codes_of(result) == [(2, "email", "person_out_of_scope")]


def test_nothing_is_said_about_the_registrations_of_someone_out_of_scope(world):
    RegistrationFactory(person=world["bob"], register="GMC", number="7000001")
    result = as_coordinator(
        world,
        "registrations",
        REGISTRATIONS,
        "bob@example.nhs.uk,GMC,1234567,registered,yes,yes,no,2005-08-03,",
    )
    assert errors_of(result) == [
        "line 2: email: “bob@example.nhs.uk” is not one of the people you coordinate."
    ]


def test_a_loop_through_organisations_out_of_scope_does_not_name_them(world):
    result = as_coordinator(world, "organisations", ORGANISATIONS, "QBB,ICB B,icb,YB0001")
    assert errors_of(result) == [
        "line 2: code: “QBB” is not one of the organisations you coordinate.",
        "line 2: parent_code: “QBB” would end up inside itself: the parents form a loop "
        "(QBB → … → QBB).",
    ]
