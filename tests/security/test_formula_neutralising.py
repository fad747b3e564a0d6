"""Every CSV and XLSX the service writes neutralises text a spreadsheet would run as a formula
(OWASP "CSV injection": a cell starting with =, +, -, @, a tab, CR or LF) with the one shared
function, ``mentoring.exports.neutralise``, while its numbers stay numbers.

Each export is downloaded the way its users get it, with a hostile value planted in a name or
title it shows. The monitoring return and evaluation hold no text a person typed (their labels
and definitions are the code's), so their writers are handed made-up sections instead.

``test_every_export_is_listed_here`` reads the apps' source: a new function that writes CSV or a
workbook fails it until it is added to ``EXPORTS``, so it is tested here too.
"""

import ast
import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reimbursement import claims, runs
from reimbursement.models import BudgetAllocation
from reporting import exports as report_exports
from reporting.figures import AT_END, IN_PERIOD, Figure, Section
from reporting.periods import quarter
from schemes.presets import financial_year_start
from sessions_log.models import FormResponse
from tests.auth import sign_in
from tests.factories import IcbFactory, PersonFactory, UserFactory
from tests.reimbursement.scene import ClaimScene
from tests.schemes.factories import SchemeFactory
from tests.sessions_log.factories import FormTemplateFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APPS = ("mentoring", "schemes", "matching", "sessions_log", "reimbursement", "reporting")
PAYLOADS = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "\nx"]
# A slug holds only letters, digits, "_" and "-": of the triggers, it can start with "-" alone.
SLUG_PAYLOADS = ["-2-3"]


@dataclass
class Download:
    """What a test reads back: the cell with the planted text (the text it should hold before
    neutralising) and a cell holding a number (the number it should be)."""

    format: str
    text_cell: object
    planted: str
    number_cell: object
    number: Decimal


@dataclass(frozen=True)
class Export:
    name: str
    download: Callable  # (client, payload) -> Download
    sources: frozenset[str]  # "module:function" that write it, for the completeness check
    payloads: tuple[str, ...] = tuple(PAYLOADS)


def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def csv_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content, newline="")))


def sheet_of(response):
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content))


def column(rows: list[list[str]], name: str) -> int:
    return rows[0].index(name)


# the exports ----------------------------------------------------------------------------------------
def people_csv(client, payload):
    person = PersonFactory(user__first_name=payload, clinical_sessions_per_week=Decimal("4.5"))
    sign_in(client, superuser())
    rows = csv_of(client.get(reverse("admin:mentoring_person_export")))
    row = next(r for r in rows[1:] if r[column(rows, "email")] == person.user.email)
    return Download(
        "csv",
        row[column(rows, "first_name")],
        payload,
        row[column(rows, "clinical_sessions_per_week")],
        Decimal("4.5"),
    )


def form_responses_csv(client, payload):
    template = FormTemplateFactory(title=payload)
    response = FormResponse.objects.create(
        template=template,
        author=PersonFactory(),
        status=FormResponse.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    sign_in(client, superuser())
    rows = csv_of(
        client.post(
            reverse("admin:sessions_log_formresponse_changelist"),
            {"action": "download_csv", "_selected_action": [response.pk]},
        )
    )
    return Download(
        "csv",
        rows[1][column(rows, "form")],
        payload,
        rows[1][column(rows, "version")],
        Decimal(template.version),
    )


def approved_run(payload):
    """An approved run paying one mentor, whose first name is ``payload``, £289."""
    scene = ClaimScene()
    user = scene.mentor_user
    user.first_name, user.last_name = payload, "Mentor"
    user.save()
    period = runs.previous_month()
    scene.approved(claims.week_of(period + datetime.timedelta(days=7)))
    run = runs.approve_run(
        run=runs.build_run(organisation=scene.icb, period=period).run, by=scene.finance
    )
    return scene, run


def payment_run_csv(client, payload):
    scene, run = approved_run(payload)
    sign_in(client, scene.finance)
    rows = csv_of(client.get(reverse("payment_run_csv", args=[run.reference])))
    return Download(
        "csv",
        rows[1][column(rows, "mentor_name")],
        f"{payload} Mentor",
        rows[1][column(rows, "total_amount")],
        Decimal("289.00"),
    )


def payment_run_xlsx(client, payload):
    scene, run = approved_run(payload)
    sign_in(client, scene.finance)
    sheet = sheet_of(client.get(reverse("payment_run_xlsx", args=[run.reference]))).active
    header = [cell.value for cell in sheet[1]]
    row = sheet[2]
    return Download(
        "xlsx",
        row[header.index("mentor_name")],
        f"{payload} Mentor",
        row[header.index("total_amount")],
        Decimal("289.00"),
    )


def ledger_csv(client, payload):
    scene = ClaimScene()
    scene.scheme.slug = payload
    scene.scheme.save()
    BudgetAllocation.objects.create(
        scheme=scene.scheme,
        quarter_start=financial_year_start(timezone.localdate()),
        amount=Decimal("12000.00"),
        note="Initial allocation",
    )
    sign_in(client, scene.finance)
    rows = csv_of(client.get(reverse("ledger_csv", args=[payload])))
    year = rows[-1]
    return Download(
        "csv",
        year[column(rows, "scheme")],
        payload,
        year[column(rows, "allocation_to_date")],
        Decimal("12000.00"),
    )


PERIOD = quarter(datetime.date(2025, 4, 1))
# A mean change can be negative: it must still be a number, not text neutralised as a formula.
CHANGE = Decimal("-0.5")


def sections(payload) -> list[Section]:
    title = "Evaluation"
    return [
        Section(
            title,
            [
                Figure(title, "planted", payload, AT_END, 3, "A figure whose label is hostile."),
                Figure(title, "change", "Mean change", IN_PERIOD, CHANGE, "A change."),
            ],
        )
    ]


def report_rows_csv(content: str, payload: str) -> Download:
    rows = list(csv.reader(io.StringIO(content, newline="")))
    planted = next(r for r in rows[1:] if r[column(rows, "figure")] != "Mean change")
    change = next(r for r in rows[1:] if r[column(rows, "figure")] == "Mean change")
    return Download(
        "csv", planted[column(rows, "figure")], payload, change[column(rows, "value")], CHANGE
    )


def report_rows_xlsx(book, payload: str) -> Download:
    sheet = book.worksheets[0]
    return Download("xlsx", sheet["A2"], payload, sheet["C3"], CHANGE)


def report_scheme():
    return SchemeFactory(owner=IcbFactory())


def report_csv(client, payload):
    response = report_exports.csv_response(report_scheme(), PERIOD, sections(payload))
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return report_rows_csv(content, payload)


def report_xlsx(client, payload):
    response = report_exports.xlsx_response(report_scheme(), PERIOD, sections(payload))
    return report_rows_xlsx(sheet_of(response), payload)


def report_command_csv(client, payload):
    """The file ``manage.py scheme_report`` writes (``file_content`` → ``csv_bytes``)."""
    return report_rows_csv(report_exports.csv_bytes(sections(payload)).decode("utf-8-sig"), payload)


def report_command_xlsx(client, payload):
    content = report_exports.xlsx_bytes(sections(payload))
    return report_rows_xlsx(load_workbook(io.BytesIO(content)), payload)


EXPORTS = [
    Export("people (admin)", people_csv, frozenset({"mentoring.admin:PersonAdmin._csv"})),
    Export(
        "form responses (admin action)",
        form_responses_csv,
        frozenset({"sessions_log.admin.responses:FormResponseAdmin.download_csv"}),
    ),
    Export("payment run CSV", payment_run_csv, frozenset({"reimbursement.exports:csv_response"})),
    Export("payment run XLSX", payment_run_xlsx, frozenset({"reimbursement.exports:write_xlsx"})),
    Export(
        "ledger CSV",
        ledger_csv,
        frozenset({"reimbursement.ledger:csv_response"}),
        payloads=tuple(SLUG_PAYLOADS),
    ),
    Export("report CSV", report_csv, frozenset({"reporting.exports:csv_response"})),
    Export("report XLSX", report_xlsx, frozenset({"reporting.exports:write_xlsx"})),
    Export("report CSV file", report_command_csv, frozenset({"reporting.exports:csv_lines"})),
    Export("report XLSX file", report_command_xlsx, frozenset({"reporting.exports:write_xlsx"})),
]
CASES = [
    pytest.param(export, payload, id=f"{export.name}-{payload!r}")
    for export in EXPORTS
    for payload in export.payloads
]


@pytest.mark.parametrize(("export", "payload"), CASES)
def test_the_export_neutralises_a_formula_and_keeps_its_numbers(client, export, payload):
    found = export.download(client, payload)

    assert found.planted.startswith(payload)
    if found.format == "csv":
        assert found.text_cell == "'" + found.planted
        assert Decimal(found.number_cell) == found.number
    else:
        assert found.text_cell.data_type == "s"
        # XML keeps no bare CR: a workbook reads one back as LF, which changes nothing here.
        assert found.text_cell.value == ("'" + found.planted).replace("\r", "\n")
        assert found.number_cell.data_type == "n"
        assert Decimal(str(found.number_cell.value)) == found.number


# completeness ---------------------------------------------------------------------------------------
WRITERS = {
    "mentoring.exports.csv_response",
    "mentoring.exports.csv_rows",
    "openpyxl.Workbook",
    "openpyxl.workbook.Workbook",
    "openpyxl.workbook.workbook.Workbook",
    "csv.writer",
    "csv.DictWriter",
}
RAW_CSV_WRITERS = {"csv.writer", "csv.DictWriter"}


def _imported_names(tree: ast.Module) -> dict[str, str]:
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _called(func: ast.expr, names: dict[str, str]) -> str:
    if isinstance(func, ast.Name):
        return names.get(func.id, func.id)
    if isinstance(func, ast.Attribute):
        return f"{_called(func.value, names)}.{func.attr}"
    return ""


class _Writers(ast.NodeVisitor):
    def __init__(self, module: str, names: dict[str, str]):
        self.module, self.names, self.scope, self.found = module, names, [], {}

    def _scoped(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _scoped

    def visit_Call(self, node):
        called = _called(node.func, self.names)
        if called in WRITERS:
            # A nested helper (a rows() generator) belongs to the function that holds it.
            site = f"{self.module}:{'.'.join(self.scope[:2])}"
            self.found.setdefault(site, set()).add(called)
        self.generic_visit(node)


def export_writers() -> dict[str, set[str]]:
    """Each ``module:function`` in the apps that writes a CSV or a workbook, with what it calls."""
    found = {}
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            if "migrations" in path.parts or path == BASE_DIR / "mentoring" / "exports.py":
                continue
            module = ".".join(path.relative_to(BASE_DIR).with_suffix("").parts)
            tree = ast.parse(path.read_text(), filename=str(path))
            visitor = _Writers(module, _imported_names(tree))
            visitor.visit(tree)
            found.update(visitor.found)
    return found


def test_every_export_is_listed_here():
    listed = set().union(*(export.sources for export in EXPORTS))

    assert set(export_writers()) == listed


def test_no_app_writes_csv_without_the_shared_function():
    """Only ``mentoring.exports`` (csv_response, csv_rows) may drive a csv.writer: it neutralises
    every value, and a bare writer anywhere else would skip that."""
    bare = {site for site, calls in export_writers().items() if calls & RAW_CSV_WRITERS}

    assert bare == set()
