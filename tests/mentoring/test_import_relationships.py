import datetime

import pytest

from mentoring.imports import run_import
from mentoring.models import WorkingRelationship
from tests.factories import PersonFactory
from tests.mentoring.imports import codes_of, csv_file, errors_of

pytestmark = pytest.mark.django_db

HEADER = "supervisor_email,supervisee_email,kind,start_date,end_date"
GOOD = csv_file(
    HEADER,
    "ann@example.nhs.uk,bob@example.nhs.uk,line_manager,2024-08-01,",
    "ann@example.nhs.uk,cat@example.nhs.uk,dpp,2024-01-01,2024-12-31",
    "ann@example.nhs.uk,cat@example.nhs.uk,dpp,2025-02-01,",
    "ann@example.nhs.uk,cat@example.nhs.uk,clinical_supervisor,2024-01-01,",
    "cat@example.nhs.uk,bob@example.nhs.uk,Educational_Supervisor,2024-01-01,",
)


@pytest.fixture
def people():
    return {
        name: PersonFactory(user__email=f"{name}@example.nhs.uk") for name in ("ann", "bob", "cat")
    }


def test_a_good_file_records_each_relationship(people):
    result = run_import("relationships", GOOD)

    assert result.ok, errors_of(result)
    assert result.summary() == "relationships: 5 created, 0 updated, 0 unchanged"
    assert set(
        WorkingRelationship.objects.values_list(
            "supervisor__user__email", "supervisee__user__email", "kind", "start_date", "end_date"
        )
    ) == {
        (
            "ann@example.nhs.uk",
            "bob@example.nhs.uk",
            "line_manager",
            datetime.date(2024, 8, 1),
            None,
        ),
        (
            "ann@example.nhs.uk",
            "cat@example.nhs.uk",
            "dpp",
            datetime.date(2024, 1, 1),
            datetime.date(2024, 12, 31),
        ),
        ("ann@example.nhs.uk", "cat@example.nhs.uk", "dpp", datetime.date(2025, 2, 1), None),
        (
            "ann@example.nhs.uk",
            "cat@example.nhs.uk",
            "clinical_supervisor",
            datetime.date(2024, 1, 1),
            None,
        ),
        (
            "cat@example.nhs.uk",
            "bob@example.nhs.uk",
            "educational_supervisor",
            datetime.date(2024, 1, 1),
            None,
        ),
    }


def test_importing_the_same_file_again_changes_nothing(people):
    run_import("relationships", GOOD)
    before = list(WorkingRelationship.objects.order_by("pk").values())

    result = run_import("relationships", GOOD)

    assert result.summary() == "relationships: 0 created, 0 updated, 5 unchanged"
    assert list(WorkingRelationship.objects.order_by("pk").values()) == before


def test_a_relationship_that_ends_is_updated(people):
    row = "ann@example.nhs.uk,bob@example.nhs.uk,line_manager,2024-08-01,{}"
    run_import("relationships", csv_file(HEADER, row.format("")))
    before = WorkingRelationship.objects.get()

    result = run_import("relationships", csv_file(HEADER, row.format("2026-03-31")))

    assert result.summary() == "relationships: 0 created, 1 updated, 0 unchanged"
    after = WorkingRelationship.objects.get()
    assert (after.pk, after.end_date) == (before.pk, datetime.date(2026, 3, 31))
    assert after.updated_at > before.updated_at


def test_every_bad_row_is_listed_and_nothing_is_saved(people):
    result = run_import(
        "relationships",
        csv_file(
            HEADER,
            "ann@example.nhs.uk,ANN@example.nhs.uk,line_manager,2024-08-01,",
            "ann@example.nhs.uk,bob@example.nhs.uk,boss,2024-08-01,",
            "ann@example.nhs.uk,bob@example.nhs.uk,clinical_supervisor,2024-08-01,2024-07-01",
            "ann@example.nhs.uk,zed@example.nhs.uk,dpp,2024-08-01,",
            "ann@example.nhs.uk,cat@example.nhs.uk,dpp,2024-08-01,",
            "ann@example.nhs.uk,cat@example.nhs.uk,dpp,2024-08-01,2025-01-01",
            "yan@example.nhs.uk,,dpp,,",
        ),
    )
    assert codes_of(result) == [
        (2, "supervisee_email", "self_supervision"),
        (3, "kind", "not_one_of"),
        (4, "end_date", "end_before_start"),
        (5, "supervisee_email", "unknown_person"),
        (7, "start_date", "duplicate_row"),
        (8, "supervisor_email", "unknown_person"),
        (8, "supervisee_email", "missing_value"),
        (8, "start_date", "missing_value"),
    ]
    assert errors_of(result)[:3] == [
        "line 2: supervisee_email: a person cannot supervise themselves.",
        "line 3: kind: “boss” is not one of: line_manager, clinical_supervisor, "
        "educational_supervisor, designated_supervisor, dpp.",
        "line 4: end_date: this is before the start date.",
    ]
    assert errors_of(result)[4] == "line 7: start_date: duplicate of line 6."
    assert not WorkingRelationship.objects.exists()
