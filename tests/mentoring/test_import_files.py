"""Problems with a file itself, shared by every import: reported on line 1, nothing saved."""

import pytest

from mentoring.imports import run_import
from mentoring.models import Organisation
from tests.mentoring.imports import codes_of, csv_file, errors_of

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,parent_code"


def test_a_utf8_bom_and_windows_line_endings_are_accepted():
    result = run_import(
        "organisations", csv_file(HEADER, "QWE,NHS Example ICB,icb,", bom=True, crlf=True)
    )
    assert result.ok, errors_of(result)
    assert Organisation.objects.get(code="QWE").name == "NHS Example ICB"


def test_column_order_and_header_case_do_not_matter():
    result = run_import("organisations", csv_file("Name,CODE,parent_code,kind", "An ICB,QWE,,icb"))
    assert result.ok, errors_of(result)


def test_values_are_trimmed_and_blank_lines_skipped():
    result = run_import("organisations", csv_file(HEADER, "  QWE , An ICB ,icb,", ",,,", ""))
    assert result.ok, errors_of(result)
    assert Organisation.objects.get(code="QWE").name == "An ICB"


def test_a_file_that_is_not_utf8_is_refused_with_advice():
    result = run_import("organisations", HEADER.encode() + b"\nQWE,Caf\xe9 ICB,icb,\n")
    assert codes_of(result) == [(1, "file", "file_not_utf8")]
    assert "CSV UTF-8" in errors_of(result)[0]


def test_an_empty_file_is_refused():
    assert codes_of(run_import("organisations", b"")) == [(1, "file", "file_empty")]


def test_a_header_without_rows_is_refused():
    assert codes_of(run_import("organisations", csv_file(HEADER))) == [(1, "file", "file_empty")]


def test_missing_and_unexpected_columns_are_each_named():
    result = run_import("organisations", csv_file("code,nme,kind,colour", "QWE,An ICB,icb,blue"))
    assert sorted(codes_of(result)) == [
        (1, "colour", "unexpected_column"),
        (1, "name", "missing_column"),
        (1, "nme", "unexpected_column"),
        (1, "parent_code", "missing_column"),
    ]
    assert "The columns are: code,name,kind,parent_code" in " ".join(errors_of(result))
    assert not Organisation.objects.exists()


def test_a_repeated_column_is_refused():
    result = run_import("organisations", csv_file("code,name,kind,parent_code,code", "A,B,icb,,A"))
    assert codes_of(result) == [(1, "code", "repeated_column")]


def test_rows_with_too_many_or_too_few_values_are_listed():
    result = run_import(
        "organisations", csv_file(HEADER, "QWE,An ICB,icb,", "QRT,Another,icb", "QYU,x,icb,,extra")
    )
    assert codes_of(result) == [
        (3, "row", "wrong_number_of_values"),
        (4, "row", "wrong_number_of_values"),
    ]
    assert not Organisation.objects.exists()


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 100
    result = run_import(
        "organisations", csv_file(HEADER, *[f"Q{n},ICB {n},icb," for n in range(20)])
    )
    assert codes_of(result) == [(1, "file", "file_too_big")]


def test_a_file_over_the_row_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    result = run_import(
        "organisations", csv_file(HEADER, *[f"Q{n},ICB {n},icb," for n in range(4)])
    )
    assert codes_of(result) == [(1, "file", "too_many_rows")]
    assert not Organisation.objects.exists()


def test_a_line_number_counts_lines_of_the_file_including_quoted_line_breaks():
    result = run_import(
        "organisations", csv_file(HEADER, '"QWE","An ICB\nwith a long name",icb,', "QRT,,icb,")
    )
    assert codes_of(result) == [(4, "name", "invalid")]
