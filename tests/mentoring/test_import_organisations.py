import pytest

from mentoring.imports import run_import
from mentoring.models import Organisation
from tests.factories import IcbFactory, OrganisationFactory
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


def assert_paths_follow_the_parents():
    """Every materialised path is the chain of ids from the root, as ``save`` would write it."""
    by_pk = {o.pk: o for o in Organisation.objects.all()}
    for organisation in by_pk.values():
        chain, current = [], organisation
        while current is not None:
            chain.insert(0, current.pk)
            current = by_pk.get(current.parent_id)
        assert organisation.path == "/" + "".join(f"{pk}/" for pk in chain), organisation.code


def test_a_good_file_builds_the_tree_whatever_the_order_of_rows():
    result = run_import("organisations", GOOD)

    assert result.ok, errors_of(result)
    assert result.summary() == "organisations: 4 created, 0 updated, 0 unchanged"
    assert set(Organisation.objects.values_list("code", "name", "kind", "parent__code")) == {
        ("Y12345", "Riverside Surgery", "practice", "U00001"),
        ("U00001", "Riverside PCN", "pcn", "QWE"),
        ("QWE", "NHS Example ICB", "icb", None),
        ("QWETH", "Example Training Hub", "training_hub", "QWE"),
    }
    assert Organisation.objects.get(code="Y12345").is_within(Organisation.objects.get(code="QWE"))
    assert_paths_follow_the_parents()


def test_importing_the_same_file_again_changes_nothing():
    run_import("organisations", GOOD)
    before = list(Organisation.objects.order_by("code").values())

    result = run_import("organisations", GOOD)

    assert result.summary() == "organisations: 0 created, 0 updated, 4 unchanged"
    assert list(Organisation.objects.order_by("code").values()) == before


def test_a_changed_name_or_parent_is_updated_and_the_subtree_moves_with_it():
    run_import("organisations", GOOD)
    result = run_import(
        "organisations",
        csv_file(HEADER, "U00001,Riverside and Quay PCN,pcn,QWETH", "QWETH,Hub,training_hub,QWE"),
    )
    assert result.summary() == "organisations: 0 created, 2 updated, 0 unchanged"
    assert Organisation.objects.get(code="U00001").name == "Riverside and Quay PCN"
    hub = Organisation.objects.get(code="QWETH")
    assert Organisation.objects.get(code="Y12345").is_within(hub)
    assert_paths_follow_the_parents()


def test_a_tree_can_be_turned_upside_down_in_one_file():
    top = IcbFactory(code="QTOP")
    middle = OrganisationFactory(code="MID", parent=top)
    OrganisationFactory(code="LOW", parent=middle)

    result = run_import(
        "organisations",
        csv_file(HEADER, "QTOP,Now at the bottom,icb,LOW", "MID,Now the root,pcn,"),
    )

    assert result.ok, errors_of(result)
    assert dict(Organisation.objects.values_list("code", "parent__code")) == {
        "MID": None,
        "LOW": "MID",
        "QTOP": "LOW",
    }
    assert_paths_follow_the_parents()


def test_a_parent_already_in_the_database_is_found_whatever_the_case_of_its_code():
    IcbFactory(code="QWE")
    result = run_import("organisations", csv_file(HEADER, "u00001,Riverside PCN,PCN,qwe"))
    assert result.ok, errors_of(result)
    pcn = Organisation.objects.get(code="U00001")
    assert (pcn.parent.code, pcn.kind) == ("QWE", "pcn")


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
            ",No code,pcn,QWE",
        ),
    )
    assert codes_of(result) == [
        (3, "kind", "not_one_of"),
        (4, "name", "missing_value"),
        (5, "parent_code", "unknown_organisation"),
        (6, "code", "duplicate_row"),
        (7, "parent_code", "own_parent"),
        (8, "parent_code", "parent_cycle"),
        (9, "parent_code", "parent_cycle"),
        (10, "code", "too_long"),
        (11, "code", "missing_value"),
    ]
    assert errors_of(result)[:6] == [
        "line 3: kind: “network” is not one of: icb, pcn, practice, trust, training_hub, other.",
        "line 4: name: this value is missing.",
        "line 5: parent_code: no organisation has the code “NOPE”. "
        "Import it with import_organisations first, or check the spelling.",
        "line 6: code: duplicate of line 2.",
        "line 7: parent_code: an organisation cannot be its own parent.",
        "line 8: parent_code: “A” would end up inside itself: the parents form a loop (A → B → A).",
    ]
    assert errors_of(result)[7] == "line 10: code: this is longer than 20 characters."
    assert not Organisation.objects.exists()


def test_moving_an_existing_organisation_under_its_own_descendant_is_a_loop():
    run_import("organisations", GOOD)
    result = run_import("organisations", csv_file(HEADER, "QWE,NHS Example ICB,icb,Y12345"))
    assert errors_of(result) == [
        "line 2: parent_code: “QWE” would end up inside itself: the parents form a loop "
        "(QWE → Y12345 → U00001 → QWE)."
    ]
    assert Organisation.objects.get(code="QWE").parent is None
