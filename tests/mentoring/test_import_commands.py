import io

import pytest
from django.core.management import CommandError, call_command

from mentoring.models import Organisation

pytestmark = pytest.mark.django_db

COMMANDS = [
    "import_organisations",
    "import_people",
    "import_registrations",
    "import_training",
    "import_relationships",
]


def test_a_good_file_prints_the_counts_and_succeeds(tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_text("code,name,kind,parent_code\nQWE,NHS Example ICB,icb,\n")
    out = io.StringIO()
    call_command("import_organisations", str(path), stdout=out)
    assert out.getvalue().strip() == "organisations: 1 created, 0 updated, 0 unchanged"


def test_a_bad_file_lists_every_bad_row_on_stderr_and_fails(tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_text("code,name,kind,parent_code\nQWE,,icb,\nQRT,Ok,hospital,\n")
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_organisations", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "line 2: name: this value is missing.",
        "line 3: kind: “hospital” is not one of: icb, pcn, practice, trust, training_hub, other.",
    ]
    assert "nothing was imported" in str(failure.value)
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_file_is_a_clear_error(command, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command(command, str(tmp_path / "nope.csv"))


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_names_its_columns_in_its_help(command, capsys):
    with pytest.raises(SystemExit):
        call_command(command, "--help")
    assert "from a CSV file with the columns" in capsys.readouterr().out


def test_the_command_exits_non_zero_from_the_shell(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "bad.csv"
    path.write_text("code,name,kind\nQWE,NHS Example ICB,icb\n")  # refused before any query
    completed = subprocess.run(
        [sys.executable, "manage.py", "import_organisations", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert "line 1: parent_code: this column is missing from the header row." in completed.stderr
