"""An approved payment run's file for the payment function: CSV (streamed) or XLSX.

Both hold exactly ``selectors.CSV_COLUMNS``: one row per mentor and scheme, then the TOTAL row.
Text a spreadsheet would take for a formula is neutralised (``mentoring.exports.neutralise``);
amounts stay numbers — negative adjustments included — so the payment function can add them up.
A draft is refused (``RunRefusal.NOT_APPROVED``): only what finance approved is ever paid.
"""

import re
import tempfile
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from mentoring import exports
from reimbursement import runs, selectors
from reimbursement.models import PaymentRun

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "0.00"
COLUMN_WIDTHS = {"mentor_name": 28, "scheme": 32, "payee_reference": 18, "run_reference": 22}


def filename_of(run: PaymentRun, extension: str) -> str:
    return f"{run.reference}.{extension}"


def csv_response(run: PaymentRun) -> StreamingHttpResponse:
    runs.require_approved(run)
    return exports.csv_response(
        filename_of(run, "csv"), selectors.CSV_COLUMNS, selectors.export_rows(run)
    )


def _cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=exports.neutralise(value))
    if isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
    return cell


def write_xlsx(run: PaymentRun, file) -> None:
    """The run's rows into ``file`` as a one-sheet workbook, written row by row (write-only)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=re.sub(r"[][:*?/\\]", "-", run.reference)[:31])
    for index, name in enumerate(selectors.CSV_COLUMNS):
        letter = chr(ord("A") + index)
        sheet.column_dimensions[letter].width = COLUMN_WIDTHS.get(name, 16)
    header = []
    for name in selectors.CSV_COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in selectors.export_rows(run):
        sheet.append([_cell(sheet, value) for value in row])
    book.save(file)


def xlsx_response(run: PaymentRun) -> FileResponse:
    runs.require_approved(run)
    # A temporary file rather than memory: a large run's workbook never sits in RAM, and the
    # file disappears when the response closes it.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by FileResponse)
    try:
        write_xlsx(run, file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    response = FileResponse(
        file, as_attachment=True, filename=filename_of(run, "xlsx"), content_type=XLSX_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response
