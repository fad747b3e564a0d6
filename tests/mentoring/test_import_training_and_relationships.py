import datetime

import pytest

from mentoring.imports import run_import
from mentoring.models import TrainingRecord, WorkingRelationship
from tests.factories import PersonFactory
from tests.mentoring.imports import codes_of, csv_file, errors_of

pytestmark = pytest.mark.django_db

TRAINING = "email,kind,status,date"
RELATIONSHIPS = "supervisor_email,supervisee_email,kind,start_date,end_date"


@pytest.fixture
def people():
    return {
        name: PersonFactory(user__email=f"{name}@example.nhs.uk") for name in ("ann", "bob", "cat")
    }


def test_training_good_file_and_idempotent_reimport(people):
    good = csv_file(
        TRAINING,
        "ann@example.nhs.uk,ilm5,completed,2024-03-01",
        "bob@example.nhs.uk,rcp,planned,2027-01-15",
    )
    first = run_import("training", good)
    assert first.ok, errors_of(first)
    assert first.summary() == "training: 2 created, 0 updated, 0 unchanged"
    assert TrainingRecord.objects.get(person=people["bob"]).status == "planned"
    before = list(TrainingRecord.objects.order_by("pk").values())

    again = run_import("training", good)

    assert again.summary() == "training: 0 created, 0 updated, 2 unchanged"
    assert list(TrainingRecord.objects.order_by("pk").values()) == before


def test_planned_training_later_imported_as_completed_updates_the_same_record(people):
    run_import("training", csv_file(TRAINING, "bob@example.nhs.uk,ilm5,planned,2026-01-15"))
    result = run_import(
        "training", csv_file(TRAINING, "bob@example.nhs.uk,ilm5,completed,2026-02-02")
    )
    assert result.summary() == "training: 0 created, 1 updated, 0 unchanged"
    record = TrainingRecord.objects.get(person=people["bob"])
    assert (record.status, record.date) == ("completed", datetime.date(2026, 2, 2))


def test_training_bad_rows_are_all_listed_and_nothing_saved(people):
    result = run_import(
        "training",
        csv_file(
            TRAINING,
            "ann@example.nhs.uk,ilm5,completed,2024-03-01",
            "ann@example.nhs.uk,ILM5,planned,2025-03-01",
            "bob@example.nhs.uk,mba,completed,2024-03-01",
            "cat@example.nhs.uk,elfh,started,2024-03-01",
            "dan@example.nhs.uk,rcp,completed,2024-02-30",
        ),
    )
    assert codes_of(result) == [
        (3, "kind", "duplicate_row"),
        (4, "kind", "invalid"),
        (5, "status", "invalid"),
        (6, "date", "invalid"),
        (6, "email", "unknown_person"),
    ]
    assert not TrainingRecord.objects.exists()


def test_relationships_good_file_and_idempotent_reimport(people):
    good = csv_file(
        RELATIONSHIPS,
        "ann@example.nhs.uk,bob@example.nhs.uk,line_manager,2024-08-01,",
        "ann@example.nhs.uk,cat@example.nhs.uk,dpp,2024-01-01,2024-12-31",
    )
    first = run_import("relationships", good)
    assert first.ok, errors_of(first)
    assert first.summary() == "relationships: 2 created, 0 updated, 0 unchanged"
    line_manager = WorkingRelationship.objects.get(supervisee=people["bob"])
    assert (line_manager.supervisor, line_manager.kind, line_manager.end_date) == (
        people["ann"],
        "line_manager",
        None,
    )
    again = run_import("relationships", good)
    assert again.summary() == "relationships: 0 created, 0 updated, 2 unchanged"


def test_a_relationship_that_ends_is_updated(people):
    row = "ann@example.nhs.uk,bob@example.nhs.uk,line_manager,2024-08-01,{}"
    run_import("relationships", csv_file(RELATIONSHIPS, row.format("")))
    result = run_import("relationships", csv_file(RELATIONSHIPS, row.format("2026-03-31")))
    assert result.summary() == "relationships: 0 created, 1 updated, 0 unchanged"
    assert WorkingRelationship.objects.get().end_date == datetime.date(2026, 3, 31)


def test_relationship_bad_rows_are_all_listed_and_nothing_saved(people):
    result = run_import(
        "relationships",
        csv_file(
            RELATIONSHIPS,
            "ann@example.nhs.uk,ann@example.nhs.uk,line_manager,2024-08-01,",
            "ann@example.nhs.uk,bob@example.nhs.uk,boss,2024-08-01,",
            "ann@example.nhs.uk,bob@example.nhs.uk,clinical_supervisor,2024-08-01,2024-07-01",
            "ann@example.nhs.uk,zed@example.nhs.uk,dpp,2024-08-01,",
            "ann@example.nhs.uk,cat@example.nhs.uk,dpp,2024-08-01,",
            "ann@example.nhs.uk,cat@example.nhs.uk,dpp,2024-08-01,",
        ),
    )
    assert codes_of(result) == [
        (2, "supervisee_email", "self_supervision"),
        (3, "kind", "invalid"),
        (4, "end_date", "invalid"),
        (5, "supervisee_email", "unknown_person"),
        (7, "start_date", "duplicate_row"),
    ]
    assert errors_of(result)[2] == "line 4: end_date: this is before the start date."
    assert not WorkingRelationship.objects.exists()
