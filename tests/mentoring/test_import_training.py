import datetime

import pytest

from mentoring.imports import run_import
from mentoring.models import TrainingRecord
from tests.factories import PersonFactory
from tests.mentoring.imports import codes_of, csv_file, errors_of

pytestmark = pytest.mark.django_db

HEADER = "email,kind,status,date"
GOOD = csv_file(
    HEADER,
    "ann@example.nhs.uk,ilm5,completed,2024-03-01",
    "ann@example.nhs.uk,rcp,completed,2023-11-20",
    "bob@example.nhs.uk,ELFH,Planned,2027-01-15",
)


@pytest.fixture
def people():
    return {
        name: PersonFactory(user__email=f"{name}@example.nhs.uk") for name in ("ann", "bob", "cat")
    }


def test_a_good_file_records_each_qualification(people):
    result = run_import("training", GOOD)

    assert result.ok, errors_of(result)
    assert result.summary() == "training: 3 created, 0 updated, 0 unchanged"
    assert set(
        TrainingRecord.objects.values_list("person__user__email", "kind", "status", "date")
    ) == {
        ("ann@example.nhs.uk", "ilm5", "completed", datetime.date(2024, 3, 1)),
        ("ann@example.nhs.uk", "rcp", "completed", datetime.date(2023, 11, 20)),
        ("bob@example.nhs.uk", "elfh", "planned", datetime.date(2027, 1, 15)),
    }


def test_importing_the_same_file_again_changes_nothing(people):
    run_import("training", GOOD)
    before = list(TrainingRecord.objects.order_by("pk").values())

    result = run_import("training", GOOD)

    assert result.summary() == "training: 0 created, 0 updated, 3 unchanged"
    assert list(TrainingRecord.objects.order_by("pk").values()) == before


def test_planned_training_later_imported_as_completed_updates_the_same_record(people):
    run_import("training", GOOD)
    before = TrainingRecord.objects.get(person=people["bob"])
    untouched = TrainingRecord.objects.get(person=people["ann"], kind="ilm5").updated_at

    result = run_import(
        "training",
        csv_file(
            HEADER,
            "bob@example.nhs.uk,elfh,completed,2027-02-02",
            "ann@example.nhs.uk,ilm5,completed,2024-03-01",
        ),
    )

    assert result.summary() == "training: 0 created, 1 updated, 1 unchanged"
    record = TrainingRecord.objects.get(person=people["bob"])
    assert (record.pk, record.status, record.date) == (
        before.pk,
        "completed",
        datetime.date(2027, 2, 2),
    )
    assert record.updated_at > before.updated_at
    assert TrainingRecord.objects.get(person=people["ann"], kind="ilm5").updated_at == untouched


def test_every_bad_row_is_listed_and_nothing_is_saved(people):
    result = run_import(
        "training",
        csv_file(
            HEADER,
            "ann@example.nhs.uk,ilm5,completed,2024-03-01",
            "ann@example.nhs.uk,ILM5,planned,2025-03-01",
            "bob@example.nhs.uk,mba,completed,2024-03-01",
            "cat@example.nhs.uk,elfh,started,2024-03-01",
            "dan@example.nhs.uk,rcp,completed,2024-02-30",
            "cat@example.nhs.uk,rcp,completed,",
        ),
    )
    assert codes_of(result) == [
        (3, "kind", "duplicate_row"),
        (4, "kind", "not_one_of"),
        (5, "status", "not_one_of"),
        (6, "email", "unknown_person"),
        (6, "date", "not_a_date"),
        (7, "date", "missing_value"),
    ]
    assert errors_of(result)[:4] == [
        "line 3: kind: duplicate of line 2.",
        "line 4: kind: “mba” is not one of: ilm5, ilm7, rcp, elfh, other.",
        "line 5: status: “started” is not one of: planned, completed.",
        "line 6: email: nobody on the register has the email address “dan@example.nhs.uk”. "
        "Import them with import_people first.",
    ]
    assert not TrainingRecord.objects.exists()
