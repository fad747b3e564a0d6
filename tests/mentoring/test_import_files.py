"""Problems with a file itself, and how a file is read, shared by every import."""

import io
from pathlib import Path

import pytest

from mentoring.imports import IMPORTERS, ImportRefusal, run_import
from mentoring.imports.people_records import RegistrationImporter
from mentoring.models import Organisation, ProfessionalRegistration
from tests.factories import PersonFactory, RegistrationFactory
from tests.mentoring.imports import codes_of, csv_file, errors_of

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "code,name,kind,parent_code"
KINDS = ["organisations", "people", "registrations", "training", "relationships"]


def as_excel_writes_it(kind: str) -> bytes:
    """The sample file as Excel saves "CSV UTF-8": a byte-order mark and CRLF line endings."""
    text = (FIXTURES / f"{kind}.csv").read_text()
    return "\ufeff".encode() + text.replace("\n", "\r\n").encode()


@pytest.mark.parametrize("kind", KINDS)
def test_a_utf8_bom_and_windows_line_endings_are_accepted(kind):
    for earlier in KINDS[: KINDS.index(kind)]:
        assert run_import(earlier, FIXTURES / f"{earlier}.csv").ok

    result = run_import(kind, as_excel_writes_it(kind))

    assert result.ok, errors_of(result)
    assert result.created == len(as_excel_writes_it(kind).splitlines()) - 1


def test_column_order_and_header_case_do_not_matter():
    result = run_import("organisations", csv_file("Name,CODE,parent_code,kind", "An ICB,QWE,,icb"))
    assert result.ok, errors_of(result)
    assert Organisation.objects.get(code="QWE").name == "An ICB"


def test_values_are_trimmed_and_blank_lines_skipped():
    result = run_import("organisations", csv_file(HEADER, "  QWE , An ICB ,icb,", ",,,", ""))
    assert result.summary() == "organisations: 1 created, 0 updated, 0 unchanged"
    assert Organisation.objects.get(code="QWE").name == "An ICB"


def test_text_that_an_export_protected_from_spreadsheets_is_read_back_as_it_was():
    result = run_import(
        "organisations",
        csv_file(HEADER, "QWE,'+Plus Health ICB,icb,", "QRT,'Ohana ICB,icb,", "QYU,St John's,icb,"),
    )
    assert result.ok, errors_of(result)
    names = dict(Organisation.objects.values_list("code", "name"))
    assert names == {"QWE": "+Plus Health ICB", "QRT": "'Ohana ICB", "QYU": "St John's"}


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(lambda path: path, id="a Path"),
        pytest.param(lambda path: str(path), id="a path as text"),
        pytest.param(lambda path: path.read_bytes(), id="bytes"),
        pytest.param(lambda path: io.BytesIO(path.read_bytes()), id="a binary file"),
        pytest.param(lambda path: io.StringIO(path.read_text()), id="a text file"),
    ],
)
def test_the_source_may_be_a_path_bytes_or_a_file(source):
    path = FIXTURES / "organisations.csv"
    result = run_import("organisations", source(path))
    assert result.summary() == "organisations: 5 created, 0 updated, 0 unchanged"


def test_a_file_that_is_not_utf8_is_refused_with_advice():
    result = run_import("organisations", HEADER.encode() + b"\nQWE,Caf\xe9 ICB,icb,\n")
    assert codes_of(result) == [(1, "file", "file_not_utf8")]
    assert errors_of(result) == [
        "line 1: file: the file is not UTF-8 text (byte 35 cannot be read). "
        "In your spreadsheet, save it as “CSV UTF-8”."
    ]
    assert not Organisation.objects.exists()


def test_a_utf16_file_is_refused():
    result = run_import("organisations", f"{HEADER}\nQWE,An ICB,icb,\n".encode("utf-16"))
    assert codes_of(result) == [(1, "file", "file_not_utf8")]


def test_an_empty_file_is_refused():
    assert codes_of(run_import("organisations", b"")) == [(1, "file", "file_empty")]


def test_a_header_without_rows_is_refused():
    result = run_import("organisations", csv_file(HEADER, ",,,"))
    assert errors_of(result) == [
        "line 1: file: the file is empty: it needs a header row (code,name,kind,parent_code) "
        "and at least one row."
    ]


def test_missing_and_unexpected_columns_are_each_named():
    result = run_import("organisations", csv_file("code,nme,kind,colour", "QWE,An ICB,icb,blue"))
    assert codes_of(result) == [
        (1, "nme", "unexpected_column"),
        (1, "colour", "unexpected_column"),
        (1, "name", "missing_column"),
        (1, "parent_code", "missing_column"),
    ]
    assert errors_of(result)[0] == (
        "line 1: nme: “nme” is not a column of this import. "
        "The columns are: code,name,kind,parent_code."
    )
    assert errors_of(result)[2] == "line 1: name: this column is missing from the header row."
    assert not Organisation.objects.exists()


def test_a_repeated_column_is_refused():
    result = run_import("organisations", csv_file("code,name,kind,parent_code,code", "A,B,icb,,A"))
    assert codes_of(result) == [(1, "code", "repeated_column")]


def test_a_file_separated_by_semicolons_gets_advice_on_saving_it():
    result = run_import("organisations", csv_file("code;name;kind;parent_code", "QWE;ICB;icb;"))
    assert errors_of(result) == [
        "line 1: file: the columns are separated by semicolons, not commas. "
        "In your spreadsheet, save it as “CSV UTF-8 (comma delimited)”."
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_each_import_names_its_own_columns_when_the_header_is_wrong(kind):
    result = run_import(kind, csv_file("colour", "blue"))
    assert ("colour", ImportRefusal.UNEXPECTED_COLUMN) in [
        (e.column, e.code) for e in result.errors
    ]
    assert ",".join(IMPORTERS[kind].columns) in errors_of(result)[0]


def test_rows_with_too_many_or_too_few_values_are_listed_with_the_other_bad_rows():
    result = run_import(
        "organisations",
        csv_file(HEADER, "QWE,An ICB,icb,", "QRT,Another,icb", "QYU,x,icb,,extra", "QIO,,icb,"),
    )
    assert codes_of(result) == [
        (3, "row", "wrong_number_of_values"),
        (4, "row", "wrong_number_of_values"),
        (5, "name", "missing_value"),
    ]
    assert errors_of(result)[0] == (
        "line 3: row: this row has 3 values but the header row has 4 columns."
    )
    assert not Organisation.objects.exists()


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 100
    result = run_import(
        "organisations", csv_file(HEADER, *[f"Q{n},ICB {n},icb," for n in range(20)])
    )
    assert codes_of(result) == [(1, "file", "file_too_big")]
    assert "the most that can be imported at once is 100\xa0bytes" in errors_of(result)[0]


def test_a_file_on_disk_over_the_size_limit_is_refused_before_it_is_read(settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 100
    path = tmp_path / "big.csv"
    path.write_bytes(csv_file(HEADER, *[f"Q{n},ICB {n},icb," for n in range(20)]))
    assert codes_of(run_import("organisations", path)) == [(1, "file", "file_too_big")]


def test_a_file_over_the_row_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    result = run_import(
        "organisations", csv_file(HEADER, *[f"Q{n},ICB {n},icb," for n in range(4)])
    )
    assert errors_of(result) == [
        "line 1: file: the file has more than 3 rows. Split it into smaller files."
    ]
    assert not Organisation.objects.exists()


def test_a_row_with_a_line_break_inside_quotes_is_reported_on_the_line_where_it_starts():
    result = run_import(
        "organisations",
        csv_file(HEADER, '"QWE","An ICB\nwith a long name",ics,', "QRT,,icb,", "QYU,An ICB,icb,"),
    )
    assert codes_of(result) == [(2, "kind", "not_one_of"), (4, "name", "missing_value")]


def test_errors_are_listed_by_line_then_in_column_order():
    result = run_import("organisations", csv_file(HEADER, "QWE,An ICB,ics,NOPE", "x,,,,"))
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "kind"),
        (2, "parent_code"),
        (3, "row"),
    ]


def test_an_error_reads_line_column_and_what_is_wrong():
    error = run_import("organisations", csv_file(HEADER, "QWE,,icb,")).errors[0]
    assert (error.line, error.column, error.code) == (2, "name", ImportRefusal.MISSING_VALUE)
    assert str(error) == "line 2: name: this value is missing."


def test_the_summary_of_a_refused_file_counts_the_bad_lines():
    result = run_import("organisations", csv_file(HEADER, "QWE,,icb,", "QRT,,ics,", "QYU,ICB,icb,"))
    assert not result.ok
    assert result.summary() == "organisations: nothing was imported — 2 lines have problems."


def test_a_register_change_between_checking_and_saving_saves_nothing(monkeypatch):
    ann = PersonFactory(user__email="ann@example.nhs.uk")
    bob = PersonFactory(user__email="bob@example.nhs.uk")
    check = RegistrationImporter.check

    def someone_else_saves_meanwhile(self, rows, problems):
        check(self, rows, problems)
        RegistrationFactory(person=bob, register="GMC", number="1234567")

    monkeypatch.setattr(RegistrationImporter, "check", someone_else_saves_meanwhile)
    result = run_import(
        "registrations",
        csv_file(
            "email,register,number,status,licence_to_practise,performers_list,"
            "interim_suspension,qualified_on,independent_prescriber_since",
            "ann@example.nhs.uk,NMC,12A3456E,registered,,no,no,2012-01-10,",
            "ann@example.nhs.uk,GMC,1234567,registered,yes,yes,no,2005-08-03,",
        ),
    )

    assert codes_of(result) == [(1, "file", "changed_while_importing")]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert not ProfessionalRegistration.objects.filter(person=ann).exists()
