"""The return and evaluation as files, from hand-made sections: the CSV's one long table with
exactly ``section,figure,kind,value,definition``, the XLSX's sheet a section, and the PDF's text
(cover, figures, definitions, charts, ledger, shared free text) read back with pypdf. A suppressed
figure reads "fewer than 5" in each; text a spreadsheet would run is neutralised."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reimbursement.ledger import Ledger, LedgerMonth, Profile
from reporting import charts, exports, pdf
from reporting.figures import AT_END, IN_PERIOD, SUPPRESSED, Figure, Section
from reporting.periods import quarter
from tests.factories import IcbFactory
from tests.schemes.factories import SchemeFactory

pytestmark = pytest.mark.django_db

Q1 = quarter(datetime.date(2025, 4, 1))  # Q1 2025/26 (April to June 2025)
MATCH = "A formal first introductory meeting has taken place and the pair is registered locally."


def figure(section, code, label, kind, value, definition, source=""):
    return Figure(section, code, label, kind, value, definition, source=source)


def return_sections() -> list[Section]:
    title = "Matches and sessions"
    people = "Mentors"
    return [
        Section(
            people,
            [
                figure(
                    people,
                    "mentors_enrolled",
                    "Mentors enrolled",
                    AT_END,
                    12,
                    "Mentors on the register.",
                ),
                figure(
                    people,
                    "mean_sessions",
                    "Mean clinical sessions a week",
                    AT_END,
                    Decimal("6.50"),
                    "The mean of active mentors' clinical sessions a week.",
                ),
                figure(
                    people,
                    "mentors_left",
                    "Mentors who left",
                    IN_PERIOD,
                    0,
                    "Mentors whose enrolment ended in the period.",
                ),
            ],
        ),
        Section(
            title,
            [
                figure(
                    title,
                    "matches",
                    "Matches made",
                    IN_PERIOD,
                    7,
                    "Pairs whose first meeting was held in the period.",
                    source=f"Guidance (001), Programme evaluation: “{MATCH}”",
                ),
                figure(
                    title,
                    "mean_wait",
                    "Mean days waiting",
                    AT_END,
                    None,
                    "The mean wait of mentees still waiting.",
                ),
            ],
        ),
    ]


def evaluation_sections() -> list[Section]:
    title = "Confidence before and after"
    return [
        Section(
            title,
            [
                figure(
                    title,
                    "baseline_mean",
                    "Mean confidence at baseline",
                    IN_PERIOD,
                    Decimal("2.8"),
                    "The mean answer, 1 to 5, of the baseline survey.",
                ),
                figure(
                    title,
                    "recommend",
                    "Would recommend the programme",
                    IN_PERIOD,
                    SUPPRESSED,
                    "End-of-programme respondents who would recommend it.",
                ),
            ],
        )
    ]


@pytest.fixture
def scheme():
    return SchemeFactory(
        slug="gp-mentors",
        name="GP Supporting Mentors Scheme",
        owner=IcbFactory(name="NHS North Central London ICB"),
    )


# CSV ----------------------------------------------------------------------------------------------
def csv_of(sections) -> list[list[str]]:
    text = exports.csv_bytes(sections).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_has_exactly_the_agreed_columns():
    assert csv_of(return_sections())[0] == ["section", "figure", "kind", "value", "definition"]


def test_the_csv_has_a_row_a_figure_in_the_order_of_the_sections():
    rows = csv_of(return_sections() + evaluation_sections())[1:]

    assert [row[:3] for row in rows] == [
        ["Mentors", "Mentors enrolled", "at_end"],
        ["Mentors", "Mean clinical sessions a week", "at_end"],
        ["Mentors", "Mentors who left", "in_period"],
        ["Matches and sessions", "Matches made", "in_period"],
        ["Matches and sessions", "Mean days waiting", "at_end"],
        ["Confidence before and after", "Mean confidence at baseline", "in_period"],
        ["Confidence before and after", "Would recommend the programme", "in_period"],
    ]


def test_the_csv_shows_counts_decimals_as_text_suppression_and_nothing_for_none():
    values = [row[3] for row in csv_of(return_sections() + evaluation_sections())[1:]]

    assert values == ["12", "6.50", "0", "7", "", "2.8", "fewer than 5"]


def test_the_csv_definition_quotes_its_source():
    matches = csv_of(return_sections())[4]

    assert matches[4] == (
        "Pairs whose first meeting was held in the period. "
        f"Source: Guidance (001), Programme evaluation: “{MATCH}”"
    )


def test_the_csv_neutralises_text_a_spreadsheet_would_run():
    section = Section(
        "=cmd|' /C calc'!A0",
        [figure("s", "c", "+Mentees in cohort @risk", AT_END, -3, "-1 means none")],
    )

    row = csv_of([section])[1]

    assert row == [
        "'=cmd|' /C calc'!A0",
        "'+Mentees in cohort @risk",
        "at_end",
        "-3",
        "'-1 means none",
    ]


def test_the_csv_download_is_named_after_the_scheme_and_period(scheme):
    response = exports.csv_response(scheme, Q1, return_sections())

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="gp-mentors-2025-04-01-2025-06-30-return.csv"'
    )
    assert b"".join(response.streaming_content) == exports.csv_bytes(return_sections())


# XLSX ---------------------------------------------------------------------------------------------
def book_of(sections):
    return load_workbook(io.BytesIO(exports.xlsx_bytes(sections)))


def test_the_workbook_has_a_sheet_a_section_named_after_it():
    book = book_of(return_sections() + evaluation_sections())

    assert book.sheetnames == ["Mentors", "Matches and sessions", "Confidence before and after"]


def test_each_sheet_has_a_bold_header_and_set_widths():
    sheet = book_of(return_sections()).worksheets[0]

    assert [cell.value for cell in sheet[1]] == ["Figure", "Kind", "Value", "Definition"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width == 44
    assert sheet.column_dimensions["D"].width == 90


def test_the_sheet_holds_each_figure_with_its_kind_and_definition():
    sheet = book_of(return_sections()).worksheets[1]

    rows = list(sheet.iter_rows(min_row=2, values_only=True))

    assert rows == [
        (
            "Matches made",
            "In the period",
            7,
            "Pairs whose first meeting was held in the period. "
            f"Source: Guidance (001), Programme evaluation: “{MATCH}”",
        ),
        (
            "Mean days waiting",
            "At the end of the period",
            None,
            "The mean wait of mentees still waiting.",
        ),
    ]


def test_the_sheet_keeps_numbers_as_numbers_with_their_places():
    sheet = book_of(return_sections()).worksheets[0]

    assert sheet["C2"].value == 12
    assert sheet["C3"].value == Decimal("6.5")
    assert sheet["C3"].number_format == "0.00"
    assert sheet["C3"].data_type == "n"


def test_the_sheet_shows_a_suppressed_figure_as_fewer_than_5():
    sheet = book_of(evaluation_sections()).worksheets[0]

    assert sheet["A3"].value == "Would recommend the programme"
    assert sheet["C3"].value == "fewer than 5"


def test_the_sheet_neutralises_text_a_spreadsheet_would_run():
    section = Section("Cohorts", [figure("Cohorts", "c", "=1+1", AT_END, "@SUM(A1)", "d")])

    sheet = book_of([section]).worksheets[0]

    assert sheet["A2"].value == "'=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["C2"].value == "'@SUM(A1)"


def test_sheet_names_are_short_unique_and_without_characters_excel_refuses():
    titles = [
        "Mentees supported by cohort: GP fellows [2025/26]",
        "Mentees supported by cohort: GP fellows [2025/27]",
        "MENTEES SUPPORTED BY COHORT: GP FELLOWS [2025/26]",
        "Why? *Where*\\how",
        "History",
        "''",
    ]

    names = exports.sheet_names(titles)

    assert all(len(name) <= 31 for name in names)
    assert not any(re.search(r"[][:*?/\\]", name) for name in names)
    assert len({name.casefold() for name in names}) == len(names)
    assert names[0] == "Mentees supported by cohort- GP"
    assert names[1] == "Mentees supported by cohort (2)"
    assert names[3] == "Why- -Where--how"
    assert names[4] != "History"
    assert names[5] == "Section"
    book = book_of([Section(title, []) for title in titles])  # and Excel's rules hold in a book
    assert book.sheetnames == names


def test_the_xlsx_download_is_named_after_the_scheme_and_period(scheme):
    response = exports.xlsx_response(scheme, Q1, return_sections())

    assert response["Content-Type"] == exports.XLSX_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="gp-mentors-2025-04-01-2025-06-30-return.xlsx"'
    )
    assert load_workbook(io.BytesIO(response.content)).sheetnames == [
        "Mentors",
        "Matches and sessions",
    ]


# PDF ----------------------------------------------------------------------------------------------
def text_of(document: bytes) -> str:
    assert document.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(document)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def pages_of(document: bytes) -> list[str]:
    return [
        re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(document)).pages
    ]


def a_ledger(scheme) -> Ledger:
    months = [
        LedgerMonth(
            datetime.date(2025, 4, 1),
            Decimal("5000.00"),
            Decimal("867.00"),
            Decimal("867.00"),
            True,
        ),
        LedgerMonth(
            datetime.date(2025, 5, 1),
            Decimal("5000.00"),
            Decimal("1156.00"),
            Decimal("2023.00"),
            True,
        ),
        LedgerMonth(
            datetime.date(2025, 6, 1),
            Decimal("5000.00"),
            Decimal("0.00"),
            Decimal("2023.00"),
            False,
        ),
    ]
    profile = Profile(
        approved_unpaid=Decimal("289.00"),
        active_mentors=2,
        weeks_left=0,
        mentoring_rate=None,
        mentoring_to_come=Decimal("0.00"),
        training_sessions_to_come=0,
        training_rate=None,
        training_to_come=Decimal("0.00"),
    )
    return Ledger(
        scheme=scheme,
        year_start=datetime.date(2025, 4, 1),
        today=datetime.date(2025, 5, 20),
        months=months,
        allocation=Decimal("20000.00"),
        spend_to_date=Decimal("2023.00"),
        profile=profile,
        training_unit_cost=None,
    )


def report(scheme, **parts) -> bytes:
    return pdf.report_pdf(
        scheme,
        Q1,
        return_sections(),
        evaluation=evaluation_sections(),
        built_on=datetime.date(2025, 7, 3),
        **parts,
    )


def test_the_pdf_cover_names_the_scheme_its_organisation_the_period_and_when_it_was_built(scheme):
    cover = pages_of(report(scheme))[0]

    assert "GP Supporting Mentors Scheme" in cover
    assert "NHS North Central London ICB" in cover
    assert "Q1 2025/26 (April to June 2025)" in cover
    assert "1 April 2025 to 30 June 2025" in cover
    assert "Report built on 3 July 2025" in cover


def test_the_pdf_shows_each_figure_with_its_definition(scheme):
    text = text_of(report(scheme))

    assert "Mentors enrolled 12 At the end of the period Mentors on the register." in text
    assert "Mean clinical sessions a week 6.50" in text
    assert "Matches made 7 In the period Pairs whose first meeting was held in the period." in text
    assert MATCH in text
    assert "Mean confidence at baseline 2.8 In the period" in text


def test_the_pdf_shows_a_suppressed_figure_as_fewer_than_5(scheme):
    text = text_of(report(scheme))

    assert "Would recommend the programme fewer than 5 In the period" in text


def test_the_pdf_lists_only_the_free_text_it_is_given_and_says_when_there_is_none(scheme):
    shared = [("What helped most?", "Having protected time to reflect.")]

    assert "Having protected time to reflect." in text_of(report(scheme, free_text=shared))
    assert "No written answers may be shared for this period." in text_of(report(scheme))


def test_the_pdf_has_the_ledger_by_month(scheme):
    text = text_of(report(scheme, ledger=a_ledger(scheme)))

    assert "Financial ledger, 2025/26" in text
    assert "Allocation for the year £20,000.00" in text
    assert "In-year spend to date £2,023.00" in text
    assert "Profiled spend to end of year £2,312.00" in text
    assert "May 2025 £5,000.00 £1,156.00 £2,023.00" in text
    assert "June 2025 £5,000.00 – –" in text  # not begun on the ledger's day


def test_the_pdf_leaves_the_ledger_out_for_a_scheme_that_pays_nothing(scheme):
    assert "Financial ledger" not in text_of(report(scheme))


def test_the_pdf_download_is_named_after_the_scheme_and_period(scheme, monkeypatch):
    monkeypatch.setattr(pdf, "report_pdf_for", lambda scheme, period: b"%PDF-1.7 made up")

    response = pdf.pdf_response(scheme, Q1)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="gp-mentors-2025-04-01-2025-06-30-report.pdf"'
    )


def test_the_pdf_draws_the_charts_inline_with_their_tables(scheme):
    activity = charts.bar_chart(
        "Matches made and sessions held by month",
        ["Apr 2025", "May 2025", "Jun 2025"],
        [("Matches made", [3, 2, 2]), ("Sessions held", [10, 14, None])],
        id_prefix="activity",
    )
    confidence = charts.before_after_chart(
        "Confidence before and after",
        [
            ("Confidence in prescribing", Decimal("2.8"), Decimal("4.1")),
            ("Consulting", SUPPRESSED, 4),
        ],
    )

    text = text_of(report(scheme, charts=[activity], evaluation_charts=[confidence]))

    assert "Matches made and sessions held by month" in text
    assert activity.description in text
    assert "Apr 2025 3 10" in text
    assert "Jun 2025 2 –" in text
    assert "Confidence in prescribing 2.8 4.1" in text
    assert "Consulting fewer than 5 4" in text
    # Drawn, not left out: these words are only in the pictures (WeasyPrint renders inline SVG).
    assert "Score from 1 to 5" in text
    assert "Before: fewer than 5, not drawn." in text


def test_the_pdf_draws_spend_against_allocation_beside_the_ledger(scheme):
    year = a_ledger(scheme)

    text = text_of(report(scheme, ledger=year, ledger_chart=pdf.spend_chart(year)))

    assert "Spend to date against allocation to date by month, 2025/26" in text
    assert "£5,000.00" in text
    assert "Allocation to date In-year spend to date" in text  # the chart's legend


# the page's downloads -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("format", "content_type", "name"),
    [
        ("csv", "text/csv; charset=utf-8", "return.csv"),
        ("xlsx", exports.XLSX_TYPE, "return.xlsx"),
    ],
)
def test_the_download_gives_the_file_of_the_format_asked_for(scheme, format, content_type, name):
    response = exports.download(scheme, Q1, format)

    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="gp-mentors-2025-04-01-2025-06-30-{name}"'
    )
    content = b"".join(response) if response.streaming else response.content
    again = exports.file_content(scheme, Q1, format)
    # An XLSX holds the moment it was made: compare what it says. (The PDF's download is tested
    # through the page, tests/reporting/test_pages.py; its text above.)
    if format == "xlsx":
        assert values_of(content) == values_of(again)
    else:
        assert content == again


def values_of(workbook: bytes) -> dict:
    book = load_workbook(io.BytesIO(workbook))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def test_there_is_no_download_in_an_unknown_format(scheme):
    with pytest.raises(ValueError, match="Unknown format 'docx'"):
        exports.download(scheme, Q1, "docx")
