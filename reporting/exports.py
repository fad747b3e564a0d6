"""A scheme's monitoring return and evaluation as files: CSV (one long table) and XLSX (one sheet
a section).

The writers are pure functions of the :class:`~reporting.figures.Section`\\ s (the scheme and
period give only the file's name and title); :func:`download` and :func:`file_content` read the
sections (:func:`sections_for`) for the report page and the ``scheme_report`` command, so both show
the same figures. A suppressed figure reads "fewer than 5" everywhere; text a spreadsheet
would run as a formula is neutralised (``mentoring.exports.neutralise``).
"""

import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from mentoring import exports
from reporting import evaluation, monitoring
from reporting.figures import Figure, Period, Section, Value
from schemes.models import Scheme

FORMATS = ("csv", "xlsx", "pdf")
CSV_COLUMNS = ["section", "figure", "kind", "value", "definition"]
SHEET_COLUMNS = [("Figure", 44), ("Kind", 24), ("Value", 14), ("Definition", 90)]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_LENGTH = 31  # Excel's limit
# Excel keeps "History" for itself; a sheet may not be called that, in any case.
RESERVED_SHEET_NAMES = {"history"}


def sections_for(scheme: Scheme, period: Period) -> list[Section]:
    """What the exports hold: the monitoring return, then the evaluation."""
    return [*monitoring.monitoring_return(scheme, period), *evaluation.evaluation(scheme, period)]


def filename_of(scheme: Scheme, period: Period, extension: str, what: str = "return") -> str:
    """``<scheme-slug>-<from>-<to>-return.csv``: sorts by scheme, then by date."""
    return f"{scheme.slug}-{period.start.isoformat()}-{period.end.isoformat()}-{what}.{extension}"


def shown(value: Value) -> int | str:
    """A figure's value as a file shows it: a count as a number, a Decimal as its text (pence
    and places kept), "fewer than 5" when suppressed, nothing when there is nothing to report."""
    if value is None:
        return ""
    if isinstance(value, bool):  # not a figure's type, but never let it pass as 1 or 0
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    return str(value)


def definition_of(figure: Figure) -> str:
    """The plain-words definition, with the source it quotes when that is not already in it."""
    definition = figure.definition.strip()
    source = figure.source.strip()
    if source and source not in definition:
        return f"{definition} Source: {source}".strip()
    return definition


# CSV ----------------------------------------------------------------------------------------------
def csv_table(sections: Iterable[Section]) -> Iterator[list]:
    """One row a figure, in the sections' order, under :data:`CSV_COLUMNS`. A Decimal stays a
    Decimal (written with its places), so a negative one is a number, not text neutralised as
    a formula."""
    for section in sections:
        for figure in section.figures:
            yield [
                section.title,
                figure.label,
                figure.kind,
                figure.value if isinstance(figure.value, Decimal) else shown(figure.value),
                definition_of(figure),
            ]


def csv_lines(sections: Iterable[Section]) -> Iterator[str]:
    """The CSV as text, line by line: a byte-order mark for Excel, the header, then the rows,
    every value neutralised."""
    return exports.csv_rows(CSV_COLUMNS, csv_table(sections))


def csv_bytes(sections: Iterable[Section]) -> bytes:
    return "".join(csv_lines(sections)).encode("utf-8")


def csv_response(
    scheme: Scheme, period: Period, sections: Iterable[Section]
) -> StreamingHttpResponse:
    return exports.csv_response(
        filename_of(scheme, period, "csv"), CSV_COLUMNS, csv_table(sections)
    )


# XLSX ---------------------------------------------------------------------------------------------
def sheet_names(titles: Iterable[str]) -> list[str]:
    """A name a sheet may have for each title: at most 31 characters, none of ``[]:*?/\\``, not
    starting or ending with an apostrophe, never "History", and unique ignoring case (Excel's
    rule) — a repeat gets " (2)", " (3)" … within the 31."""
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = re.sub(r"[][:*?/\\]", "-", " ".join(title.split())).strip("' ")
        base = base[:SHEET_NAME_LENGTH].rstrip("' ") or "Section"
        name, number = base, 1
        while name.casefold() in taken or name.casefold() in RESERVED_SHEET_NAMES:
            number += 1
            suffix = f" ({number})"
            name = base[: SHEET_NAME_LENGTH - len(suffix)].rstrip("' ") + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _number_format(value: Decimal) -> str:
    places = max(-value.as_tuple().exponent, 0) if value.is_finite() else 0
    return "0." + "0" * places if places else "0"


def _value_cell(sheet, value: Value) -> WriteOnlyCell:
    if isinstance(value, Decimal) and value.is_finite():
        # A number in the sheet, so it adds up; the format keeps its places (2.50, not 2.5).
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _number_format(value)
        return cell
    cell = WriteOnlyCell(sheet, value=exports.neutralise(shown(value)))
    if isinstance(cell.value, str):
        cell.alignment = Alignment(horizontal="right")
    return cell


def _text_cell(sheet, text: str, *, wrap: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=exports.neutralise(text))
    cell.alignment = Alignment(wrap_text=wrap, vertical="top")
    return cell


def write_xlsx(sections: Iterable[Section], file, *, title: str = "", subject: str = "") -> None:
    """A workbook into ``file``: a sheet a section, named after it, with a bold header row
    (Figure, Kind, Value, Definition) and a row a figure."""
    sections = list(sections)
    book = Workbook(write_only=True)
    book.properties.title = title or None
    book.properties.subject = subject or None
    for section, name in zip(sections, sheet_names(s.title for s in sections), strict=True):
        sheet = book.create_sheet(title=name)
        for index, (_, width) in enumerate(SHEET_COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for heading, _ in SHEET_COLUMNS:
            cell = WriteOnlyCell(sheet, value=heading)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for figure in section.figures:
            sheet.append(
                [
                    _text_cell(sheet, figure.label, wrap=True),
                    _text_cell(sheet, figure.kind_label),
                    _value_cell(sheet, figure.value),
                    _text_cell(sheet, definition_of(figure), wrap=True),
                ]
            )
    if not sections:
        book.create_sheet(title="No figures").append(["There are no figures to report."])
    book.save(file)


def xlsx_bytes(
    sections: Iterable[Section], *, scheme: Scheme | None = None, period: Period | None = None
) -> bytes:
    buffer = io.BytesIO()
    title = f"{scheme.name}: monitoring return and evaluation" if scheme else ""
    write_xlsx(sections, buffer, title=title, subject=period.label if period else "")
    return buffer.getvalue()


def xlsx_response(scheme: Scheme, period: Period, sections: Iterable[Section]) -> HttpResponse:
    # A return is a few dozen rows: built in memory, unlike a payment run's file.
    response = HttpResponse(
        xlsx_bytes(sections, scheme=scheme, period=period), content_type=XLSX_TYPE
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{filename_of(scheme, period, "xlsx")}"'
    )
    response["Cache-Control"] = "no-store"
    return response


# any of them ----------------------------------------------------------------------------------------
def download(scheme: Scheme, period: Period, format: str) -> HttpResponse | StreamingHttpResponse:
    """The report page's download of ``format`` (one of :data:`FORMATS`) for the period."""
    if format == "csv":
        return csv_response(scheme, period, sections_for(scheme, period))
    if format == "xlsx":
        return xlsx_response(scheme, period, sections_for(scheme, period))
    if format == "pdf":
        from reporting import pdf  # here: the PDF module builds on this one

        return pdf.pdf_response(scheme, period)
    raise ValueError(f"Unknown format {format!r}: choose csv, xlsx or pdf.")


def file_content(scheme: Scheme, period: Period, format: str) -> bytes:
    """The same file as :func:`download`, as bytes (for the ``scheme_report`` command)."""
    if format == "csv":
        return csv_bytes(sections_for(scheme, period))
    if format == "xlsx":
        return xlsx_bytes(sections_for(scheme, period), scheme=scheme, period=period)
    if format == "pdf":
        from reporting import pdf

        return pdf.report_pdf_for(scheme, period)
    raise ValueError(f"Unknown format {format!r}: choose csv, xlsx or pdf.")
