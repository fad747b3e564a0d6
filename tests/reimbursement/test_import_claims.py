"""``import_claims``: a running scheme's claims history, all-or-nothing, through exactly the
rules of an online claim; every bad row listed as ``line N: column: what is wrong``."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command

from mentoring.imports import run_import
from reimbursement import runs
from reimbursement.models import Claim, ClaimStatus
from tests.factories import IcbFactory, coordinator_of
from tests.mentoring.imports import codes_of, csv_file, errors_of
from tests.reimbursement.scene import ClaimScene

pytestmark = pytest.mark.django_db

HEADER = "email,scheme,kind,claim_date,status,decided_by_email"
TODAY = datetime.datetime(2026, 6, 15, 12)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def scene():
    return ClaimScene()


def rows(scene, *lines):
    return csv_file(HEADER, *[line.format(slug=scene.scheme.slug) for line in lines])


def test_a_good_file_brings_in_the_history_with_amounts_from_the_rate_card(scene):
    result = run_import(
        "claims",
        rows(
            scene,
            "mona@example.nhs.uk,{slug},mentoring,2026-05-06,approved,coord@example.nhs.uk",
            "mona@example.nhs.uk,{slug},mentoring,2026-05-13,paid,",
            "mona@example.nhs.uk,{slug},mentoring,2026-05-20,rejected,coord@example.nhs.uk",
            "mona@example.nhs.uk,{slug},mentoring,2026-05-22,submitted,",
            "mona@example.nhs.uk,{slug},training,2026-04-02,paid,",
        ),
    )

    assert result.ok, errors_of(result)
    assert result.summary() == "claims: 5 created, 0 updated, 0 unchanged"
    approved = Claim.objects.get(status=ClaimStatus.APPROVED)
    assert (approved.period_start, approved.amount, approved.imported) == (
        datetime.date(2026, 5, 4),
        Decimal("289.00"),
        True,
    )
    assert approved.decided_by == scene.coordinator
    assert Claim.objects.get(kind="training").training_record == scene.training
    assert Claim.objects.get(status="submitted").amount is None


def test_paid_claims_are_never_paid_again_but_approved_ones_are(scene):
    run_import(
        "claims",
        rows(
            scene,
            "mona@example.nhs.uk,{slug},mentoring,2026-05-06,approved,",
            "mona@example.nhs.uk,{slug},mentoring,2026-05-13,paid,",
        ),
    )

    run = runs.build_run(organisation=scene.icb, period=datetime.date(2026, 5, 1)).run

    assert list(run.items.values_list("claim__period_start", flat=True)) == [
        datetime.date(2026, 5, 4)
    ]


def test_importing_the_same_file_again_changes_nothing(scene):
    file = rows(scene, "mona@example.nhs.uk,{slug},mentoring,2026-05-06,approved,")
    run_import("claims", file)

    result = run_import("claims", file)

    assert result.ok, errors_of(result)
    assert result.summary() == "claims: 0 created, 0 updated, 1 unchanged"
    assert Claim.objects.count() == 1


def test_every_bad_row_is_listed_and_nothing_is_imported(scene):
    scene.claim(datetime.date(2026, 6, 1))
    result = run_import(
        "claims",
        rows(
            scene,
            "mona@example.nhs.uk,{slug},mentoring,2026-05-06,approved,",
            "mona@example.nhs.uk,{slug},mentoring,2026-05-07,approved,",
            "mona@example.nhs.uk,{slug},mentoring,2026-06-03,approved,",
            "mona@example.nhs.uk,{slug},mentoring,2024-03-01,approved,",
            "mona@example.nhs.uk,{slug},mentoring,2026-07-01,submitted,",
            "enid@example.nhs.uk,{slug},mentoring,2026-05-06,approved,",
            "mona@example.nhs.uk,{slug},mentoring,2026-05-27,approved,mona@example.nhs.uk",
            "nobody@example.nhs.uk,{slug},mentoring,2026-05-06,approved,",
            "mona@example.nhs.uk,no-such-scheme,mentoring,2026-05-06,approved,",
            "mona@example.nhs.uk,{slug},coaching,2026-05-06,approved,",
            "mona@example.nhs.uk,{slug},mentoring,6 May 2026,approved,",
            "mona@example.nhs.uk,{slug},mentoring,2026-04-29,submitted,coord@example.nhs.uk",
        ),
    )

    assert not result.ok
    assert codes_of(result) == [
        (3, "claim_date", "duplicate_week"),
        (4, "claim_date", "duplicate_week"),
        (5, "claim_date", "before_enrolment"),
        (6, "claim_date", "future_date"),
        (7, "email", "not_a_mentor"),
        (8, "decided_by_email", "own_claim"),
        (9, "email", "unknown_person"),
        (10, "scheme", "invalid"),
        (11, "kind", "not_one_of"),
        (12, "claim_date", "not_a_date"),
        (13, "decided_by_email", "invalid"),
    ]
    assert errors_of(result)[0] == (
        "line 3: claim_date: there is already a claim for the week beginning 4 May 2026."
    )
    assert Claim.objects.count() == 1


def test_training_rows_are_capped_across_the_file_and_the_stored_claims(scene):
    scene.claim(datetime.date(2026, 3, 2), kind="training")
    lines = [
        f"mona@example.nhs.uk,{{slug}},training,2026-03-{day:02d},approved," for day in (3, 4, 5, 6)
    ]

    result = run_import("claims", rows(scene, *lines))

    assert codes_of(result) == [(5, "kind", "over_training_cap")]


def test_training_needs_mentoring_arranged(scene):
    scene.pair_.members.all().delete()

    result = run_import(
        "claims", rows(scene, "mona@example.nhs.uk,{slug},training,2026-03-03,paid,")
    )

    assert codes_of(result) == [(2, "kind", "no_mentoring_plan")]


def test_a_coordinator_uploading_imports_only_their_schemes(scene):
    stranger = coordinator_of(IcbFactory())

    result = run_import(
        "claims",
        rows(scene, "mona@example.nhs.uk,{slug},mentoring,2026-05-06,approved,"),
        user=stranger,
    )

    assert [c for _, c, _ in codes_of(result)] == ["email", "scheme"]


def test_the_command_lists_bad_rows_and_fails(scene, tmp_path, capsys):
    path = tmp_path / "claims.csv"
    path.write_bytes(rows(scene, "mona@example.nhs.uk,{slug},mentoring,2026-07-01,approved,"))

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_claims", str(path))

    assert (
        "line 2: claim_date: the date claimed cannot be in the future." in capsys.readouterr().err
    )


def test_the_command_imports_a_good_file(scene, tmp_path, capsys):
    path = tmp_path / "claims.csv"
    path.write_bytes(rows(scene, "mona@example.nhs.uk,{slug},mentoring,2026-05-06,paid,"))

    call_command("import_claims", str(path))

    assert "claims: 1 created" in capsys.readouterr().out
