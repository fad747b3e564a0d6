"""Reading a register spreadsheet (CSV) and importing it all-or-nothing.

Each importer declares its columns and a Django form that validates one row; the framework reads
the file, reports problems with the file itself on line 1, validates every row, lets the importer
check the rows against each other and the database (a constant number of queries), and saves
only when there is no bad row at all, inside one transaction. Errors read
``line N: column: what is wrong``, N being the line in the file (the header is line 1).
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from django import forms
from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from mentoring.imports.errors import ImportRefusal, message_for


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    code: ImportRefusal
    message: str

    def __str__(self):
        return f"line {self.line}: {self.column}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_lines(self) -> int:
        return len({error.line for error in self.errors})

    def summary(self) -> str:
        if not self.ok:
            return (
                f"{self.kind}: nothing was imported — {self.bad_lines} "
                f"{'line has' if self.bad_lines == 1 else 'lines have'} problems."
            )
        return (
            f"{self.kind}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )


@dataclass
class Row:
    """One data row: its line in the file, the raw text and, once valid, the cleaned values."""

    line: int
    raw: dict[str, str]
    data: dict = field(default_factory=dict)
    valid: bool = False

    def has(self, *columns: str) -> bool:
        """Whether these values passed the row's own validation (cross-checks need them)."""
        return all(self.data.get(column) not in (None, "") for column in columns)


class Problems:
    """Collects row errors; ``add`` keeps the first problem per (line, column) to avoid noise."""

    def __init__(self):
        self.errors: list[RowError] = []
        self._seen: set[tuple[int, str]] = set()

    def add(self, line: int, column: str, code: ImportRefusal, /, **values) -> None:
        if (line, column) in self._seen:
            return
        self._seen.add((line, column))
        self.errors.append(RowError(line, column, code, message_for(code, **values)))

    def lines(self) -> set[int]:
        return {line for line, _ in self._seen}

    def __bool__(self):
        return bool(self.errors)


class FileProblem(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors


class Importer:
    """One kind of import. Subclasses set ``kind``, ``columns``, ``form`` and write ``check``/``save``."""

    kind: ClassVar[str]
    columns: ClassVar[list[str]]
    optional_columns: ClassVar[frozenset[str]] = frozenset()
    form: ClassVar[type[forms.Form]]

    def __init__(self, user=None):
        self.user = user
        self.result = ImportResult(kind=self.kind)

    # reading -------------------------------------------------------------------------------
    def read(self, source) -> list[Row]:
        text = _decode(_read_bytes(source), self.columns)
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader, None)
            if header is None or not any(cell.strip() for cell in header):
                raise FileProblem([_file_error(ImportRefusal.FILE_EMPTY, columns=self._listing())])
            header = [cell.strip().lower() for cell in header]
            self._check_header(header)
            rows = []
            for values in reader:
                if not any(value.strip() for value in values):
                    continue
                if len(rows) >= settings.IMPORT_MAX_ROWS:
                    raise FileProblem(
                        [_file_error(ImportRefusal.TOO_MANY_ROWS, limit=settings.IMPORT_MAX_ROWS)]
                    )
                rows.append((reader.line_num, values))
        except csv.Error as exc:
            raise FileProblem([_file_error(ImportRefusal.FILE_NOT_CSV, reason=str(exc))]) from exc
        if not rows:
            raise FileProblem([_file_error(ImportRefusal.FILE_EMPTY, columns=self._listing())])
        return self._rows(header, rows)

    def _listing(self) -> str:
        return ",".join(self.columns)

    def _check_header(self, header: list[str]) -> None:
        problems = Problems()
        for column in header:
            if header.count(column) > 1:
                problems.add(1, column, ImportRefusal.REPEATED_COLUMN)
            elif column not in self.columns:
                problems.add(
                    1,
                    column or "(blank)",
                    ImportRefusal.UNEXPECTED_COLUMN,
                    column=column,
                    columns=self._listing(),
                )
        for column in self.columns:
            if column not in header and column not in self.optional_columns:
                problems.add(1, column, ImportRefusal.MISSING_COLUMN, columns=self._listing())
        if problems:
            raise FileProblem(problems.errors)

    def _rows(self, header, rows) -> list[Row]:
        problems = Problems()
        parsed = []
        for line, values in rows:
            if len(values) != len(header):
                problems.add(
                    line,
                    "row",
                    ImportRefusal.WRONG_NUMBER_OF_VALUES,
                    found=len(values),
                    expected=len(header),
                )
                continue
            parsed.append(Row(line, {c: v.strip() for c, v in zip(header, values, strict=True)}))
        if problems:
            raise FileProblem(problems.errors)
        return parsed

    # validating ----------------------------------------------------------------------------
    def validate(self, rows: list[Row]) -> Problems:
        problems = Problems()
        for row in rows:
            form = self.form(data={c: row.raw.get(c, "") for c in self.columns})
            row.valid = form.is_valid()
            row.data = form.cleaned_data
            for column, messages in form.errors.items():
                column = column if column in self.columns else "row"
                problems.add(
                    row.line, column, ImportRefusal.INVALID, message=_sentence(messages[0])
                )
        self.check(rows, problems)
        return problems

    def check(self, rows: list[Row], problems: Problems) -> None:
        """Cross-row and database checks, adding to ``problems``. A constant number of queries.

        Rows that failed their own validation are included with the values that did pass, so a
        file's every problem is reported at once; use ``row.has(...)`` before relying on a value.
        """

    def duplicates(
        self, rows: list[Row], columns: tuple[str, ...], column: str, problems: Problems
    ) -> None:
        first_line = {}
        for row in rows:
            if not row.has(*columns):
                continue
            value = tuple(row.data[c] for c in columns)
            if value in first_line:
                problems.add(row.line, column, ImportRefusal.DUPLICATE_ROW, line=first_line[value])
            else:
                first_line[value] = row.line

    def save(self, rows: list[Row]) -> None:
        raise NotImplementedError

    # running -------------------------------------------------------------------------------
    def run(self, source) -> ImportResult:
        try:
            rows = self.read(source)
        except FileProblem as problem:
            self.result.errors = problem.errors
            return self.result
        problems = self.validate(rows)
        if problems:
            self.result.errors = sorted(problems.errors, key=lambda e: e.line)
            return self.result
        with transaction.atomic():
            self.save(rows)
        return self.result

    def counted(self, created: bool, changed: bool) -> None:
        if created:
            self.result.created += 1
        elif changed:
            self.result.updated += 1
        else:
            self.result.unchanged += 1


def _read_bytes(source) -> bytes:
    if isinstance(source, str | Path):
        path = Path(source)
        size = path.stat().st_size
        if size > settings.IMPORT_MAX_BYTES:
            raise_too_big(size)
        return path.read_bytes()
    if isinstance(source, bytes):
        data = source
    else:
        data = source.read(settings.IMPORT_MAX_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise_too_big(len(data))
    return data


def raise_too_big(size: int):
    raise FileProblem(
        [
            _file_error(
                ImportRefusal.FILE_TOO_BIG,
                size=filesizeformat(size),
                limit=filesizeformat(settings.IMPORT_MAX_BYTES),
            )
        ]
    )


def _decode(data: bytes, columns) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            [_file_error(ImportRefusal.FILE_NOT_UTF8, position=exc.start + 1)]
        ) from exc


def _file_error(code: ImportRefusal, **values) -> RowError:
    return RowError(1, "file", code, message_for(code, **values))


def _sentence(message: str) -> str:
    """Form messages are capitalised sentences; after ``column:`` they read better in lower case."""
    message = str(message)
    if message[:1].isupper() and not message[1:2].isupper():
        message = message[0].lower() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."
