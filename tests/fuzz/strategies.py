"""Hypothesis strategies for bad input: hostile text, broken spreadsheets and what a person (or a
script) might post to a form; and the checks every refusal must pass.

Kept here so the import tests and the form tests feed the same nastiness: formulas, HTML,
control characters, NUL bytes, huge values, wrong encodings, odd line endings.
"""

import csv
import io
import re

from django import forms as django_forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
    print_blob=True,
)

HUGE = "x" * 100_000
HOSTILE = [
    "",
    " ",
    "=1+2",
    '=HYPERLINK("http://evil.example/","click")',
    "+44 20 7946 0000",
    "-1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<b>bold</b>",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\u202egnp.exe",
    "\ufeff",
    "😀",
    "Zoë Ó Briain",
    "'",
    '"',
    '""',
    "a,b",
    "a;b;c",
    "a\nb",
    "a\rb",
    "0",
    "-0",
    "1e309",
    "NaN",
    "Infinity",
    "9" * 40,
    "4.55",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31",
    "31/12/2024",
    "yes",
    "MAYBE",
    "gmc",
    "GMC",
    "icb",
    "mentor",
    "x@y",
    "@example.nhs.uk",
    "name@example.nhs.uk\x00",
    HUGE,
    "y" * 1000,
]

# Text that reaches deep: hostile values, random Unicode (control characters included), digits.
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.from_regex(r"[-+=@ ]?[0-9]{1,12}(\.[0-9]{1,4})?", fullmatch=True),
)

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"]
LINE_ENDINGS = ["\n", "\r\n", "\r"]


@st.composite
def spreadsheets(draw, good: list[list[str]]) -> bytes:
    """A CSV file made from ``good`` (a header and valid rows) by a few random mutations, then
    written with a random quoting, line ending and encoding, and perhaps corrupted."""
    rows = [list(row) for row in good]
    for _ in range(draw(st.integers(0, 4))):
        row = draw(st.integers(0, len(rows) - 1))
        width = len(rows[row])
        mutation = draw(
            st.sampled_from(
                [
                    "cell",
                    "cell",
                    "cell",
                    "drop_column",
                    "drop_cell",
                    "extra_column",
                    "extra_cell",
                    "repeat_header",
                    "rename_header",
                    "header_only",
                    "blank_row",
                    "repeat_row",
                    "very_long_line",
                ]
            )
        )
        column = draw(st.integers(0, max(width - 1, 0)))
        if mutation == "cell" and width:
            rows[row][column] = draw(hostile_text)
        elif mutation == "drop_column" and width:
            for values in rows:
                del values[column : column + 1]
        elif mutation == "drop_cell" and width:
            del rows[row][column]
        elif mutation == "extra_column":
            rows[0].append(draw(hostile_text))
            for values in rows[1:]:
                values.append(draw(hostile_text))
        elif mutation == "extra_cell":
            rows[row].append(draw(hostile_text))
        elif mutation == "repeat_header" and rows[0]:
            rows[0].append(rows[0][min(column, len(rows[0]) - 1)])
        elif mutation == "rename_header" and rows[0]:
            rows[0][min(column, len(rows[0]) - 1)] = draw(hostile_text)
        elif mutation == "header_only":
            rows = rows[:1]
        elif mutation == "blank_row":
            rows.insert(draw(st.integers(1, len(rows))), [""] * draw(st.integers(0, width)))
        elif mutation == "repeat_row" and len(rows) > 1:
            rows.append(list(rows[draw(st.integers(1, len(rows) - 1))]))
        elif mutation == "very_long_line":
            rows[row] = rows[row] + ["z"] * 5000
    newline = draw(st.sampled_from(LINE_ENDINGS))
    if draw(st.booleans()):
        out = io.StringIO()
        csv.writer(out, lineterminator=newline).writerows(rows)
        text = out.getvalue()
    else:  # written by hand, as a script might: quotes and commas inside values break rows
        text = newline.join(",".join(values) for values in rows) + draw(
            st.sampled_from(["", newline])
        )
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    corruption = draw(st.sampled_from([None, None, "invalid_utf8", "cut", "nul", "binary_tail"]))
    if corruption == "invalid_utf8":
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80"]))
            + data[at:]
        )
    elif corruption == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif corruption == "nul":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" + data[at:]
    elif corruption == "binary_tail":
        data += draw(st.binary(min_size=1, max_size=64))
    return data


def files(good: list[list[str]]):
    """Mostly mutated spreadsheets; sometimes nothing like one at all."""
    return st.one_of(
        spreadsheets(good),
        spreadsheets(good),
        spreadsheets(good),
        st.binary(max_size=300),
        st.sampled_from(
            [
                b"",
                b"\xef\xbb\xbf",
                b"\n\n\n",
                b"\r",
                b"\x00" * 16,
                b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
                b"PK\x03\x04\x14\x00\x06\x00",  # the start of an .xlsx
                ",".join(good[0]).encode(),
            ]
        ),
    )


# --- Checks ---------------------------------------------------------------------------------

# Signs that an error message is a programmer's, not a person's: only a failure when the input
# did not contain the same text (a cell that says "None" may be quoted back).
MACHINE_TEXT = [
    "Traceback",
    "None",
    "object at 0x",
    "<class",
    "Error(",
    "{'",
    "['",
    "\\x",
    "\\n",
    "b'",
]
ERROR_LINE = re.compile(r"^line (\d+): (.+?): (.+)$", re.DOTALL)
SUMMARY = re.compile(r"^\w+: nothing was imported — \d+ lines? ha(s|ve) problems\.$")


def as_text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="replace") + data.decode("latin-1")


def assert_plain(message: str, given: str = "") -> None:
    """A message a person can act on: no Python repr or traceback text, no "None"."""
    assert message.strip(), "an empty message"
    for machine in MACHINE_TEXT:
        assert machine not in message or machine in given, (
            f"{machine!r} in the message {message[:300]!r}"
        )


def assert_import_error(error, given: str) -> None:
    """``line N: column: message``, in plain words, on a real line of the file."""
    text = str(error)
    match = ERROR_LINE.match(text)
    assert match, f"not 'line N: column: message': {text[:300]!r}"
    assert int(match.group(1)) >= 1
    assert_plain(error.message, given)


# --- Row counts -----------------------------------------------------------------------------

APP_LABELS = ["mentoring", "schemes", "matching", "sessions_log", "reimbursement"]


def counted_tables(labels=APP_LABELS, skip=()) -> list[str]:
    tables = []
    for label in labels:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy and model.__name__ not in skip:
                tables.append(model._meta.db_table)
    return sorted(set(tables))


def row_counts(tables: list[str]) -> dict[str, int]:
    """Every table's row count, in one query."""
    quote = connection.ops.quote_name
    # Table names come from the models, never from input; each is quoted.
    columns = ", ".join(f"(SELECT count(*) FROM {quote(t)})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {t: (before[t], after[t]) for t in before if before[t] != after[t]}


# --- Form input -----------------------------------------------------------------------------


def _options(field) -> list[str]:
    """The values a field offers (its choices), as a browser would post them."""
    choices = getattr(field, "choices", None)
    if not choices:
        return []
    values = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # an optgroup
            values += [str(v) for v, _ in label]
        elif value not in ("", None):
            values.append(str(value))
    return values


def _value(field, options):
    cases = [hostile_text, hostile_text]
    if options:
        cases += [st.sampled_from(options), st.sampled_from(options)]
    if isinstance(field, django_forms.BooleanField):
        cases.append(st.sampled_from(["on", "true", "1", "false", ""]))
    if isinstance(field, django_forms.IntegerField | django_forms.DecimalField):
        cases.append(st.integers(-(10**12), 10**12).map(str))
    return st.one_of(cases)


@st.composite
def form_posts(draw, form) -> dict:
    """What might be posted to ``form``: each field missing, hostile, or one of its choices;
    date boxes split as the widget expects; several values for a multiple choice; stray keys."""
    posted: dict = {}
    for name, field in form.fields.items():
        if field.disabled or draw(st.integers(0, 6)) == 0:
            continue
        key = form.add_prefix(name)
        options = _options(field)
        widget = field.widget
        if isinstance(widget, django_forms.MultiWidget):
            for suffix in widget.widgets_names:
                posted[key + suffix] = draw(
                    st.one_of(hostile_text, st.integers(-99999, 99999).map(str))
                )
        elif isinstance(field, django_forms.FileField):
            posted[key] = SimpleUploadedFile("upload.csv", draw(st.binary(max_size=200)))
        elif isinstance(
            field, django_forms.MultipleChoiceField | django_forms.ModelMultipleChoiceField
        ):
            posted[key] = draw(st.lists(_value(field, options), max_size=4))
        else:
            posted[key] = draw(_value(field, options))
    if draw(st.booleans()):
        posted[draw(st.sampled_from(["extra", "csrfmiddlewaretoken", "__all__", "id"]))] = draw(
            hostile_text
        )
    return posted


def posted_text(posted: dict) -> str:
    values = []
    for value in posted.values():
        values += value if isinstance(value, list) else [value]
    return "\n".join(v for v in values if isinstance(v, str))


def assert_escaped(html: str, given: str) -> None:
    """Markup that was sent comes back as text, never as markup."""
    for tag in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>bold</b>"):
        if tag in given:
            assert tag not in html, f"{tag} came back unescaped"


def assert_form_errors_plain(form, given: str) -> None:
    """Each error is on a field of the form (or the whole form), in plain words."""
    for name, errors in form.errors.items():
        assert name == "__all__" or name in form.fields, f"an error on no field: {name!r}"
        for error in errors:
            assert_plain(str(error), given)
