"""The five import commands: the counts on stdout, every bad row on stderr, a non-zero exit."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mentoring.models import Organisation, Person, ProfessionalRegistration, TrainingRecord

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
BASE_DIR = Path(__file__).resolve().parents[2]
KINDS = ["organisations", "people", "registrations", "training", "relationships"]


def run(command: str, path) -> str:
    out = io.StringIO()
    call_command(command, str(path), stdout=out)
    return out.getvalue()


def test_the_sample_files_import_in_order_and_each_command_prints_its_counts():
    printed = [run(f"import_{kind}", FIXTURES / f"{kind}.csv") for kind in KINDS]
    assert printed == [
        "organisations: 5 created, 0 updated, 0 unchanged\n",
        "people: 4 created, 0 updated, 0 unchanged\n",
        "registrations: 4 created, 0 updated, 0 unchanged\n",
        "training: 2 created, 0 updated, 0 unchanged\n",
        "relationships: 2 created, 0 updated, 0 unchanged\n",
    ]


def test_running_the_commands_again_changes_nothing():
    for kind in KINDS:
        run(f"import_{kind}", FIXTURES / f"{kind}.csv")
    printed = [run(f"import_{kind}", FIXTURES / f"{kind}.csv") for kind in KINDS]
    assert printed == [
        "organisations: 0 created, 0 updated, 5 unchanged\n",
        "people: 0 created, 0 updated, 4 unchanged\n",
        "registrations: 0 created, 0 updated, 4 unchanged\n",
        "training: 0 created, 0 updated, 2 unchanged\n",
        "relationships: 0 created, 0 updated, 2 unchanged\n",
    ]


def test_a_bad_file_lists_every_bad_row_on_stderr_and_fails(tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_text("code,name,kind,parent_code\nQWE,,icb,\nQRT,Ok,hospital,\nQYU,Fine,icb,\n")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_organisations", str(path), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        "line 2: name: this value is missing.",
        "line 3: kind: “hospital” is not one of: icb, pcn, practice, trust, training_hub, other.",
    ]
    assert str(failure.value) == "organisations: nothing was imported — 2 lines have problems."
    assert failure.value.returncode == 1
    assert out.getvalue() == ""
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("kind", "bad_row", "error", "model"),
    [
        ("people", "x@example.nhs.uk,X,Y,surgeon,Y90001,,,,,,", "line 6: profession:", Person),
        (
            "registrations",
            "cara.lee@example.nhs.uk,GMC,123,registered,yes,no,no,2023-09-01,",
            "line 6: number: “123” is not a valid number: a GMC reference number is 7 digits",
            ProfessionalRegistration,
        ),
        (
            "training",
            "cara.lee@example.nhs.uk,ilm5,done,2023-09-01",
            "line 4: status: “done” is not one of: planned, completed.",
            TrainingRecord,
        ),
    ],
)
def test_one_bad_row_in_a_file_means_nothing_is_saved(tmp_path, kind, bad_row, error, model):
    for earlier in KINDS[: KINDS.index(kind)]:
        run(f"import_{earlier}", FIXTURES / f"{earlier}.csv")
    before = model.objects.count()
    path = tmp_path / f"{kind}.csv"
    path.write_text((FIXTURES / f"{kind}.csv").read_text() + bad_row + "\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(f"import_{kind}", str(path), stderr=err)
    assert err.getvalue().startswith(error)
    assert model.objects.count() == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_file_is_a_clear_error(kind, tmp_path):
    with pytest.raises(CommandError, match=r"nope\.csv: no such file\."):
        call_command(f"import_{kind}", str(tmp_path / "nope.csv"))


@pytest.mark.parametrize("kind", KINDS)
def test_each_command_names_its_columns_in_its_help(kind, capsys):
    from mentoring.imports import IMPORTERS

    with pytest.raises(SystemExit):
        call_command(f"import_{kind}", "--help")
    assert ",".join(IMPORTERS[kind].columns) in capsys.readouterr().out.replace("\n", "")


def test_the_command_exits_non_zero_from_the_shell(tmp_path):
    # A file-level problem: refused before the database is touched, so any database will do.
    path = tmp_path / "bad.csv"
    path.write_text("code,name,kind\nQWE,An ICB,icb\n")
    completed = subprocess.run(
        [sys.executable, "manage.py", "import_organisations", str(path)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stderr.startswith(
        "line 1: parent_code: this column is missing from the header row.\n"
    )
    assert completed.stdout == ""
