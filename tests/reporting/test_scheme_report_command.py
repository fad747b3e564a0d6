"""``manage.py scheme_report``: the monitoring return and the evaluation of a scheme for a period,
as the same CSV, XLSX and PDF the report pages give, survey figures from fewer than 5 people
suppressed; bad input (an end before the start, a scheme or format that does not exist, a folder
that does not exist) is a clear CommandError and leaves no file at all."""

import csv
import datetime
import io
import os
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from reporting import evaluation, exports, monitoring, pdf, periods
from tests.reimbursement.scene import ClaimScene
from tests.reporting.test_evaluation import end
from tests.reporting.test_exports import text_of
from tests.sessions_log.sessions_scene import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    """A paying scheme (so the PDF has a ledger) with a session held yesterday, and three
    end-of-programme surveys submitted yesterday: too few people to show their figures."""
    scene = ClaimScene()
    scene.held(scene.pair_, scene.mona, starts_at=days_ago(1))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for name in ("Ada Surveyed", "Bea Surveyed", "Cy Surveyed"):
        end(scene.mentee(name), 4, on=yesterday)
    return scene


@pytest.fixture
def period():
    today = timezone.localdate()
    return periods.between(today - datetime.timedelta(days=30), today)


def run(scene, period, output, format):
    out = io.StringIO()
    call_command(
        "scheme_report",
        "--scheme",
        scene.scheme.slug,
        "--from",
        period.start.isoformat(),
        "--to",
        period.end.isoformat(),
        "--format",
        format,
        "--output",
        str(output),
        stdout=out,
    )
    return out.getvalue()


def sections(scene, period):
    """The real return and evaluation, as the report pages read them."""
    return monitoring.monitoring_return(scene.scheme, period) + evaluation.evaluation(
        scene.scheme, period
    )


def test_the_csv_is_the_return_and_the_evaluation_as_the_download_gives_them(
    scene, period, tmp_path
):
    output = tmp_path / "return.csv"

    said = run(scene, period, output, "csv")

    expected = sections(scene, period)
    assert output.read_bytes() == exports.csv_bytes(expected)
    rows = list(csv.reader(io.StringIO(output.read_text("utf-8-sig"))))
    assert rows[0] == ["section", "figure", "kind", "value", "definition"]
    assert len(rows) == 1 + sum(len(section.figures) for section in expected)
    assert {row[0] for row in rows[1:]} == {section.title for section in expected}
    assert str(output) in said


def test_the_csv_suppresses_survey_figures_from_fewer_than_5_people(scene, period, tmp_path):
    output = tmp_path / "return.csv"

    run(scene, period, output, "csv")

    rows = list(csv.reader(io.StringIO(output.read_text("utf-8-sig"))))
    ends = next(row for row in rows if row[1] == "End-of-programme surveys completed")
    assert ends[:4] == [
        "Survey responses",
        "End-of-programme surveys completed",
        "in_period",
        "fewer than 5",
    ]


def test_the_csv_counts_the_session_held_in_the_period(scene, period, tmp_path):
    output = tmp_path / "return.csv"

    run(scene, period, output, "csv")

    held = [
        figure
        for section in monitoring.monitoring_return(scene.scheme, period)
        for figure in section.figures
        if figure.label.lower().startswith("sessions held")
    ]
    assert held and held[0].value == 1
    rows = list(csv.reader(io.StringIO(output.read_text("utf-8-sig"))))
    assert [held[0].label, "in_period", "1"] in [row[1:4] for row in rows]


def test_the_xlsx_has_a_sheet_for_each_section_of_the_return_and_evaluation(
    scene, period, tmp_path
):
    output = tmp_path / "return.xlsx"

    run(scene, period, output, "xlsx")

    book = load_workbook(output)
    titles = [section.title for section in sections(scene, period)]
    names = exports.sheet_names(titles)
    assert book.sheetnames == names
    responses = book[names[titles.index("Survey responses")]]
    values = {row[0]: row[2] for row in responses.iter_rows(min_row=2, values_only=True)}
    assert values["End-of-programme surveys completed"] == "fewer than 5"


def test_the_pdf_is_the_report_with_the_ledger_and_the_evaluation(scene, period, tmp_path):
    output = tmp_path / "report.pdf"

    run(scene, period, output, "pdf")

    text = text_of(output.read_bytes())
    assert scene.scheme.name in text
    assert scene.icb.name in text
    assert re.sub(r"\s+", " ", period.label) in text
    assert "Monitoring return" in text
    assert "Matches made and sessions held by month" in text
    assert "Financial ledger" in text
    assert "Survey responses" in text
    assert "End-of-programme surveys completed fewer than 5 In the period" in text
    for figure in monitoring.monitoring_return(scene.scheme, period)[0].figures:
        assert figure.label in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"to": "2025-03-31", "from": "2025-04-01"}, "The end date must be the same as or after"),
        ({"from": "2025-02-30"}, "Enter the start date as a real date in the form YYYY-MM-DD"),
        ({"scheme": "no-such-scheme"}, "No scheme has the slug “no-such-scheme”."),
        ({"format": "docx"}, "Unknown format “docx”: choose csv, xlsx or pdf."),
        ({"output": "missing-folder/return.csv"}, "there is no folder"),
    ],
)
def test_bad_input_is_refused_plainly_and_writes_no_file(scene, tmp_path, change, message):
    options = {
        "scheme": scene.scheme.slug,
        "from": "2025-04-01",
        "to": "2025-06-30",
        "format": "csv",
        "output": "return.csv",
        **change,
    }
    arguments = [
        f"--{name}={tmp_path / value if name == 'output' else value}"
        for name, value in options.items()
    ]

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("scheme_report", *arguments)

    assert list(tmp_path.rglob("*")) == []


def test_bad_input_leaves_an_existing_file_as_it_was(scene, tmp_path):
    output = tmp_path / "return.csv"
    output.write_text("last month's return")

    with pytest.raises(CommandError):
        call_command(
            "scheme_report",
            f"--scheme={scene.scheme.slug}",
            "--from=2025-06-30",
            "--to=2025-04-01",
            "--format=csv",
            f"--output={output}",
        )

    assert output.read_text() == "last month's return"


def test_a_failure_while_building_leaves_no_file_behind(scene, period, tmp_path, monkeypatch):
    def broken(scheme, period):
        raise RuntimeError("the PDF could not be built")

    monkeypatch.setattr(pdf, "report_pdf_for", broken)

    with pytest.raises(RuntimeError):
        run(scene, period, tmp_path / "report.pdf", "pdf")

    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_leaves_no_partial_file(scene, period, tmp_path, monkeypatch):
    def full_disk(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reporting.management.commands.scheme_report.os.replace", full_disk)

    with pytest.raises(CommandError, match="could not write"):
        run(scene, period, tmp_path / "return.csv", "csv")

    assert list(tmp_path.iterdir()) == []


def test_the_files_take_as_many_queries_for_many_people_as_for_few(
    scene, period, django_assert_max_num_queries
):
    for name in ("Dee Surveyed", "Eve Surveyed"):  # 5 people: the free text is read too
        end(scene.mentee(name), 3, on=period.end, may_quote="yes")
    with CaptureQueriesContext(connection) as few:
        pdf.report_pdf_for(scene.scheme, period)
        exports.sections_for(scene.scheme, period)
    for number in range(4):
        mentor = scene.mentor(f"Mentor{number} Many")
        pair = scene.pair(mentor, scene.mentee(f"Mentee{number} Many"))
        scene.held(pair, mentor, starts_at=days_ago(2 + number))
        end(scene.mentee(f"Surveyed{number} Many"), 5, on=period.end, may_quote="yes")

    with django_assert_max_num_queries(len(few)):
        pdf.report_pdf_for(scene.scheme, period)
        exports.sections_for(scene.scheme, period)


def test_the_file_gets_the_permissions_any_new_file_gets(scene, period, tmp_path):
    output = tmp_path / "return.csv"
    umask = os.umask(0)
    os.umask(umask)

    run(scene, period, output, "csv")

    assert output.stat().st_mode & 0o777 == 0o666 & ~umask
