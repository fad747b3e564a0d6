import pytest

from mentoring.imports import run_import
from mentoring.models import Organisation
from tests.factories import IcbFactory
from tests.mentoring.imports import codes_of, csv_file, errors_of

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,parent_code"
GOOD = csv_file(
    HEADER,
    "Y12345,Riverside Surgery,practice,U00001",
    "U00001,Riverside PCN,pcn,QWE",
    "QWE,NHS Example ICB,icb,",
    "QWETH,Example Training Hub,training_hub,QWE",
)


def test_a_good_file_builds_the_tree_whatever_the_order_of_rows():
    result = run_import("organisations", GOOD)

    assert result.ok, errors_of(result)
    assert result.summary() == "organisations: 4 created, 0 updated, 0 unchanged"
    icb = Organisation.objects.get(code="QWE")
    practice = Organisation.objects.get(code="Y12345")
    assert practice.kind == "practice"
    assert practice.parent.code == "U00001"
    assert practice.is_within(icb)


def test_importing_the_same_file_again_changes_nothing():
    run_import("organisations", GOOD)
    before = list(Organisation.objects.order_by("code").values())

    result = run_import("organisations", GOOD)

    assert result.summary() == "organisations: 0 created, 0 updated, 4 unchanged"
    assert list(Organisation.objects.order_by("code").values()) == before


def test_a_changed_name_or_parent_is_updated():
    run_import("organisations", GOOD)
    result = run_import(
        "organisations",
        csv_file(
            HEADER, "U00001,Riverside and Quay PCN,pcn,QWE", "Y12345,Riverside Surgery,practice,QWE"
        ),
    )
    assert result.summary() == "organisations: 0 created, 2 updated, 0 unchanged"
    practice = Organisation.objects.get(code="Y12345")
    assert practice.parent.code == "QWE"
    assert Organisation.objects.get(code="U00001").name == "Riverside and Quay PCN"


def test_a_parent_already_in_the_database_is_found():
    IcbFactory(code="QWE")
    result = run_import("organisations", csv_file(HEADER, "U00001,Riverside PCN,pcn,qwe"))
    assert result.ok, errors_of(result)
    assert Organisation.objects.get(code="U00001").parent.code == "QWE"


def test_every_bad_row_is_listed_and_nothing_is_saved():
    result = run_import(
        "organisations",
        csv_file(
            HEADER,
            "QWE,NHS Example ICB,icb,",
            "U1,A PCN,network,QWE",
            "U2,,pcn,QWE",
            "U3,Another PCN,pcn,NOPE",
            "QWE,Duplicate ICB,icb,",
            "U4,Self,pcn,U4",
            "A,Loop A,pcn,B",
            "B,Loop B,pcn,A",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ,Long code,pcn,QWE",
        ),
    )
    assert codes_of(result) == [
        (3, "kind", "invalid"),
        (4, "name", "invalid"),
        (5, "parent_code", "unknown_organisation"),
        (6, "code", "duplicate_row"),
        (7, "parent_code", "own_parent"),
        (8, "parent_code", "parent_cycle"),
        (9, "parent_code", "parent_cycle"),
        (10, "code", "invalid"),
    ]
    assert errors_of(result)[0] == (
        "line 3: kind: “network” is not one of: icb, pcn, practice, trust, training_hub, other."
    )
    assert "A → B → A" in errors_of(result)[5]
    assert not Organisation.objects.exists()


def test_moving_an_existing_organisation_under_its_own_child_is_a_loop():
    run_import("organisations", GOOD)
    result = run_import("organisations", csv_file(HEADER, "QWE,NHS Example ICB,icb,Y12345"))
    assert codes_of(result) == [(2, "parent_code", "parent_cycle")]
    assert Organisation.objects.get(code="QWE").parent is None
