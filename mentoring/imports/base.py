"""Reading a register spreadsheet (CSV) and importing it all-or-nothing.

Each importer declares its columns and a Django form that validates one row; the framework reads
the file, reports problems with the file itself on line 1, validates every row, lets the importer
check the rows against each other and the database (a constant number of queries), and saves
only when there is no bad row at all, inside one transaction. Errors read
``line N: column: what is wrong``, N being the line in the file (the header is line 1).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from django import forms
from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat

from mentoring.exports import FORMULA_TRIGGERS
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
    """One data row: its line in the file, the raw text and the values that passed the form."""

    line: int
    raw: dict[str, str]
    data: dict = field(default_factory=dict)

    def has(self, *columns: str) -> bool:
        """Whether these values passed the row's own validation (cross-checks need them)."""
        return all(self.data.get(column) not in (None, "") for column in columns)


class Problems:
    """Collects row errors; ``add`` keeps the first problem per (line, column) to avoid noise."""

    def __init__(self):
        self.errors: list[RowError] = []
        self._seen: set[tuple[int, str]] = set()

    def add(self, line: int, column: str, code: ImportRefusal, /, **values) -> None:
        self.add_message(line, column, code, message_for(code, **values))

    def add_message(self, line: int, column: str, code: ImportRefusal, message: str) -> None:
        if (line, column) in self._seen:
            return
        self._seen.add((line, column))
        self.errors.append(RowError(line, column, code, message))

    def __bool__(self):
        return bool(self.errors)


class FileProblem(Exception):
    def __init__(self, *errors: RowError):
        self.errors = list(errors)


def batches(values: Iterable, limit_from: QuerySet) -> Iterator[list]:
    """``values`` without repeats, in lists small enough for one query's parameters on the
    database of ``limit_from`` (SQLite limits them; PostgreSQL takes them all at once)."""
    values = list(dict.fromkeys(values))
    limit = connections[limit_from.db].features.max_query_params
    size = max(limit // 2, 1) if limit else max(len(values), 1)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def in_batches(queryset: QuerySet, lookup: str, values: Iterable) -> list:
    """``queryset`` filtered to ``lookup`` in ``values``: one query (one per batch on SQLite),
    none when there are no values."""
    found = []
    for batch in batches(values, queryset):
        found.extend(queryset.filter(**{f"{lookup}__in": batch}))
    return found


class Importer:
    """One kind of import. Subclasses set ``kind``, ``columns``, ``form`` and write ``check``/``save``."""

    kind: ClassVar[str]
    label: ClassVar[str]
    columns: ClassVar[list[str]]
    optional_columns: ClassVar[frozenset[str]] = frozenset()
    form: ClassVar[type[forms.Form]]

    def __init__(self, user=None):
        self.user = user
        self.result = ImportResult(kind=self.kind)

    @property
    def restricted(self) -> bool:
        """Whether a coordinator's scope applies (an admin upload by someone not a superuser)."""
        return self.user is not None and not self.user.is_superuser

    # reading -------------------------------------------------------------------------------
    def read(self, source, problems: Problems) -> list[Row]:
        """The well-formed data rows; rows with the wrong number of values go to ``problems``."""
        text = _decode(_read_bytes(source))
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader, None)
            if header is None or not any(cell.strip() for cell in header):
                raise FileProblem(_file_error(ImportRefusal.FILE_EMPTY, columns=self.listing()))
            header = [cell.strip().lower() for cell in header]
            self._check_header(header)
            rows, count, first_line = [], 0, reader.line_num + 1
            for values in reader:
                line, first_line = first_line, reader.line_num + 1
                if not any(value.strip() for value in values):
                    continue
                count += 1
                if count > settings.IMPORT_MAX_ROWS:
                    raise FileProblem(
                        _file_error(ImportRefusal.TOO_MANY_ROWS, limit=settings.IMPORT_MAX_ROWS)
                    )
                if len(values) != len(header):
                    problems.add(
                        line,
                        "row",
                        ImportRefusal.WRONG_NUMBER_OF_VALUES,
                        found=len(values),
                        expected=len(header),
                    )
                    continue
                rows.append(Row(line, {c: _cell(v) for c, v in zip(header, values, strict=True)}))
        except csv.Error as exc:
            # In practice only a value over the csv module's size limit, often a missing quote.
            reason = (
                f"a value is longer than {csv.field_size_limit():,} characters "
                "(is a closing quote missing?)"
                if "field limit" in str(exc)
                else str(exc)
            )
            raise FileProblem(
                RowError(
                    reader.line_num,
                    "row",
                    ImportRefusal.FILE_NOT_CSV,
                    message_for(ImportRefusal.FILE_NOT_CSV, reason=reason),
                )
            ) from exc
        if not rows and not problems:
            raise FileProblem(_file_error(ImportRefusal.FILE_EMPTY, columns=self.listing()))
        return rows

    def listing(self) -> str:
        return ",".join(self.columns)

    def _check_header(self, header: list[str]) -> None:
        if len(header) == 1 and (separator := _separator(header[0])):
            raise FileProblem(_file_error(ImportRefusal.WRONG_SEPARATOR, separator=separator))
        problems = Problems()
        for column in header:
            if header.count(column) > 1:
                problems.add(1, column or "(blank)", ImportRefusal.REPEATED_COLUMN)
            elif column not in self.columns:
                problems.add(
                    1,
                    column or "(blank)",
                    ImportRefusal.UNEXPECTED_COLUMN,
                    column=column,
                    columns=self.listing(),
                )
        for column in self.columns:
            if column not in header and column not in self.optional_columns:
                problems.add(1, column, ImportRefusal.MISSING_COLUMN)
        if problems:
            raise FileProblem(*problems.errors)

    # validating ----------------------------------------------------------------------------
    def validate(self, rows: list[Row], problems: Problems) -> None:
        """Each row through the form, then ``check`` across rows and against the database.

        One bound form is re-cleaned with each row's data: building a form copies every field,
        which would cost more than the validation itself on a file of thousands of rows.
        """
        form = self.form(data={})
        for row in rows:
            form.data = {c: row.raw.get(c, "") for c in self.columns}
            form.full_clean()
            row.data = form.cleaned_data
            for column, errors in form.errors.as_data().items():
                code, message = _refusal(form.fields.get(column), errors[0])
                problems.add_message(
                    row.line, column if column in self.columns else "row", code, message
                )
        self.check(rows, problems)

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
        """Write every row (all valid), counting each with ``counted``. Runs in a transaction."""
        raise NotImplementedError

    # running -------------------------------------------------------------------------------
    def run(self, source) -> ImportResult:
        problems = Problems()
        try:
            rows = self.read(source, problems)
        except FileProblem as problem:
            self.result.errors = problem.errors
            return self.result
        self.validate(rows, problems)
        if problems:
            self.result.errors = sorted(problems.errors, key=self._position)
            return self.result
        try:
            with transaction.atomic():
                self.save(rows)
        except IntegrityError:
            # Someone changed the register between the checks and the save (a race): the
            # transaction is rolled back, and the same file will now report why, or succeed.
            self.result = ImportResult(
                kind=self.kind, errors=[_file_error(ImportRefusal.CHANGED_WHILE_IMPORTING)]
            )
        return self.result

    def _position(self, error: RowError) -> tuple[int, int]:
        order = self.columns.index(error.column) if error.column in self.columns else -1
        return error.line, order

    def counted(self, created: bool, changed: bool) -> None:
        if created:
            self.result.created += 1
        elif changed:
            self.result.updated += 1
        else:
            self.result.unchanged += 1


def _refusal(field, error) -> tuple[ImportRefusal, str]:
    if isinstance(error.code, ImportRefusal):  # raised by our own fields and forms
        return error.code, error.message
    if hasattr(field, "refusal_for") and (found := field.refusal_for(error)):
        return found
    return ImportRefusal.INVALID, message_for(
        ImportRefusal.INVALID, problem=_sentence(error.messages[0])
    )


def _read_bytes(source) -> bytes:
    if isinstance(source, str | Path):
        path = Path(source)
        size = path.stat().st_size
        if size > settings.IMPORT_MAX_BYTES:
            raise _too_big(size)
        return path.read_bytes()
    if isinstance(source, bytes):
        data = source
    else:
        data = source.read(settings.IMPORT_MAX_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise _too_big(len(data))
    return data


def _too_big(size: int) -> FileProblem:
    return FileProblem(
        _file_error(
            ImportRefusal.FILE_TOO_BIG,
            size=filesizeformat(size),
            limit=filesizeformat(settings.IMPORT_MAX_BYTES),
        )
    )


def _decode(data: bytes) -> str:
    """UTF-8, with or without the byte-order mark Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(_file_error(ImportRefusal.FILE_NOT_UTF8, position=exc.start + 1)) from exc


def _separator(header: str) -> str | None:
    if ";" in header:
        return "semicolons"
    if "\t" in header:
        return "tabs"
    return None


def _cell(value: str) -> str:
    """A trimmed value, without the apostrophe our CSV exports put before formula-like text."""
    value = value.strip()
    if value[:1] == "'" and value[1:2] in FORMULA_TRIGGERS:
        value = value[1:]
    return value


def _file_error(code: ImportRefusal, **values) -> RowError:
    return RowError(1, "file", code, message_for(code, **values))


def _sentence(message: str) -> str:
    """Form messages are capitalised sentences; after ``column:`` they read better in lower case."""
    message = str(message)
    if message[:1].isupper() and not message[1:2].isupper():
        message = message[0].lower() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."
