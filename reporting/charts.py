"""Charts drawn on the server as SVG, for the report pages and the PDF alike: no script, no
external resource, nothing a browser or WeasyPrint must fetch. Each :class:`Chart` carries a
one-sentence description for screen readers and the :class:`Table` of every figure it draws, shown
beside it (``templates/reporting/_chart.html``), so nothing is in the picture alone.

Series are told apart by fill pattern and legend as well as colour; values are shown as the
caller formatted them (round means before charting, as they are reported).

Spend against allocation is not redrawn here: the ledger's own chart and table
(``templates/reimbursement/finance/_ledger.html`` with ``reimbursement.views_finance.chart_of``)
are included as they are, so the finance page, the report and the PDF show the same ledger.
"""

import textwrap
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from reporting.figures import SUPPRESSED

NO_DATA = "No data in this period"
GAP = "–"  # what the table shows for a value there is none of

WIDTH = 720
PLOT_HEIGHT = 200
FONT = "'Frutiger W01', Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
TEXT, SECONDARY, GRID = "#212b32", "#4c6272", "#d8dde0"
CHAR_WIDTH = 0.6  # a generous average glyph width, in ems, for laying out text without a font


@dataclass(frozen=True)
class Table:
    """The figures of a chart: ``rows`` are lists of text, the first cell of each naming the row
    (a month, a question), the others the values as shown, under ``headers``."""

    caption: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    """``svg`` is safe markup, named by ``title`` and described by ``description`` (one sentence)
    for screen readers; ``table`` holds every figure drawn, for the table shown with it."""

    title: str
    description: str
    svg: SafeString
    table: Table


# values -------------------------------------------------------------------------------------------
Number = int | Decimal


def _number(value) -> Decimal | None:
    """The value as a Decimal to draw, or None when it is not drawn (none, or suppressed)."""
    if value is None or value == SUPPRESSED:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise TypeError(f"A chart draws counts and Decimals, not {value!r}.")
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _plain(value: Decimal) -> Decimal:
    """1E+3 as 1000 and 2.50 as 2.5: for axis ticks, which carry no places of their own."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


def format_value(value, unit: str = "") -> str:
    """A value as the table and labels show it: "–" for none, "fewer than 5" when suppressed,
    thousands separated; ``unit`` "£" goes before ("−£1,200.00"), "%" right after, a word after a
    space ("3 hours")."""
    if value is None:
        return GAP
    if value == SUPPRESSED:
        return SUPPRESSED
    number = _number(value)
    if number.as_tuple().exponent > 0:
        number = number.quantize(Decimal(1))
    text = f"{abs(number):,}"
    sign = "−" if number < 0 else ""
    if unit == "£":
        return f"{sign}£{text}"
    if unit == "%":
        return f"{sign}{text}%"
    return f"{sign}{text} {unit}" if unit else f"{sign}{text}"


def _ticks(low: Decimal, high: Decimal, integers: bool) -> list[Decimal]:
    """Round-numbered ticks (1, 2 or 5 times a power of ten apart, about five intervals) from at
    or below ``low`` to at or above ``high``; whole numbers only for counts."""
    raw = (high - low) / 5
    magnitude = Decimal(1).scaleb(raw.adjusted())
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if integers:
        step = max(step, Decimal(1))
    first = (low / step).to_integral_value(ROUND_FLOOR)
    last = (high / step).to_integral_value(ROUND_CEILING)
    return [_plain((first + i) * step) for i in range(int(last - first) + 1)]


# text ---------------------------------------------------------------------------------------------
def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _prefix(id_prefix: str | None) -> str:
    """Ids unique on the page: the caller's prefix (a slug, starting with a letter), or a random
    one, so two charts never share a title, description or pattern id."""
    if not id_prefix:
        return f"chart-{uuid.uuid4().hex[:10]}"
    slug = slugify(id_prefix) or "chart"
    return slug if slug[0].isalpha() else f"chart-{slug}"


def _join(parts) -> SafeString:
    # Each part is built by format_html, which escapes: joining them adds nothing unescaped.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703


def _lines(
    x: float, y: float, lines: list[str], *, size: int, anchor: str = "start", fill: str = TEXT
) -> SafeString:
    """Lines of text, one under another, starting at baseline ``y``."""
    spans = _join(
        format_html(
            '<tspan x="{}" dy="{}">{}</tspan>', x, 0 if i == 0 else round(size * 1.25, 2), line
        )
        for i, line in enumerate(lines)
    )
    return format_html(
        '<text x="{}" y="{}" font-size="{}" text-anchor="{}" fill="{}">{}</text>',
        x,
        y,
        size,
        anchor,
        fill,
        spans,
    )


def _svg(prefix: str, title: str, description: str, height: float, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        'role="img" aria-labelledby="{prefix}-title {prefix}-desc" focusable="false" '
        'font-family="{font}" fill="{text}">'
        '<title id="{prefix}-title">{title}</title><desc id="{prefix}-desc">{description}</desc>'
        "{body}</svg>",
        width=WIDTH,
        height=round(height, 2),
        prefix=prefix,
        font=FONT,
        text=TEXT,
        title=title,
        description=description,
        body=body,
    )


def _empty(prefix: str, title: str, table: Table) -> Chart:
    """The chart of a period with nothing to draw: the message, never a scale divided by zero."""
    description = f"{title}: {NO_DATA.lower()}."
    body = _join(
        [
            format_html(
                '<rect x="1" y="1" width="{}" height="78" fill="none" stroke="{}" '
                'stroke-dasharray="6 4"/>',
                WIDTH - 2,
                SECONDARY,
            ),
            _lines(WIDTH / 2, 45, [NO_DATA], size=16, anchor="middle"),
        ]
    )
    return Chart(title, description, _svg(prefix, title, description, 80, body), table)


# the fills of series: colour, outline and pattern, so colour is not the only cue ------------------
@dataclass(frozen=True)
class _Style:
    fill: str  # a colour, or the id suffix of a pattern in _defs
    stroke: str


STYLES = [
    _Style("#005eb8", "#003087"),  # solid NHS blue
    _Style("stripes", TEXT),  # warm yellow with dark diagonal stripes
    _Style("dots", "#330072"),  # pale grey with purple dots
]


def _defs(prefix: str) -> SafeString:
    return format_html(
        "<defs>"
        '<pattern id="{p}-stripes" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffb81c"/><rect width="2" height="6" fill="{text}"/>'
        "</pattern>"
        '<pattern id="{p}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#e8edee"/><circle cx="3" cy="3" r="1.7" fill="#330072"/>'
        "</pattern>"
        "</defs>",
        p=prefix,
        text=TEXT,
    )


def _fill(prefix: str, style: _Style) -> str:
    return style.fill if style.fill.startswith("#") else f"url(#{prefix}-{style.fill})"


def _legend(prefix: str, names: list[str], top: float) -> tuple[SafeString, float]:
    """Swatches with the series' names, in rows across the chart; and the height they take."""
    parts, x, y = [], 8.0, top
    for name, style in zip(names, STYLES, strict=False):
        width = 14 + 6 + _text_width(name, 13) + 24
        if x > 8 and x + width > WIDTH:
            x, y = 8.0, y + 22
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}" stroke="{}"/>',
                x,
                y,
                _fill(prefix, style),
                style.stroke,
            )
        )
        parts.append(_lines(x + 20, y + 12, [name], size=13))
        x += width
    return _join(parts), y + 22 - top


# grouped bars -------------------------------------------------------------------------------------
def bar_chart(
    title: str,
    categories: list[str],
    series: list[tuple[str, list[Number | str | None]]],
    *,
    unit: str = "",
    category_label: str = "Month",
    id_prefix: str | None = None,
) -> Chart:
    """Grouped bars, a group per category (a month) and a bar per series (1 to 3: matches,
    sessions …), on an axis of round numbers from zero. None (or "fewer than 5") is a gap, shown
    "–" (or "fewer than 5") in the table. ``category_label`` heads the table's first column."""
    if not 1 <= len(series) <= len(STYLES):
        raise ValueError(f"A bar chart draws 1 to {len(STYLES)} series, not {len(series)}.")
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"{name} has {len(values)} values for {len(categories)} categories.")
    prefix = _prefix(id_prefix)
    names = [name for name, _ in series]
    table = Table(
        caption=f"{title}: the figures",
        headers=[category_label, *names],
        rows=[
            [category, *(format_value(values[i], unit) for _, values in series)]
            for i, category in enumerate(categories)
        ],
    )
    drawn = [[_number(value) for value in values] for _, values in series]
    numbers = [value for values in drawn for value in values if value is not None]
    if not any(numbers):
        return _empty(prefix, title, table)

    integers = all(value == value.to_integral_value() for value in numbers)
    ticks = _ticks(min(Decimal(0), *numbers), max(Decimal(0), *numbers), integers)
    low, high = ticks[0], ticks[-1]
    tick_labels = [format_value(tick, unit) for tick in ticks]

    legend, legend_height = _legend(prefix, names, 8)
    left = max(_text_width(label, 12) for label in tick_labels) + 14
    plot_top = 8 + legend_height + 18  # room for a value's label above the tallest bar
    plot_bottom = plot_top + PLOT_HEIGHT
    slot = (WIDTH - left - 8) / len(categories)
    group = slot * 0.8
    bar = group / len(series)

    def y(value: Decimal) -> float:
        return round(plot_bottom - float((value - low) / (high - low)) * PLOT_HEIGHT, 2)

    parts = [_defs(prefix), legend]
    for tick, label in zip(ticks, tick_labels, strict=True):
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
                round(left, 2),
                y(tick),
                WIDTH - 8,
                y(tick),
                SECONDARY if tick == 0 else GRID,
            )
        )
        parts.append(_lines(round(left - 6, 2), y(tick) + 4, [label], size=12, anchor="end"))

    value_size = 11
    labelled = all(
        _text_width(format_value(value, unit), value_size) + 2 <= bar
        for values in drawn
        for value in values
        if value is not None
    )
    for s, (name, values) in enumerate(series):
        style = STYLES[s]
        for c, category in enumerate(categories):
            x = round(left + c * slot + (slot - group) / 2 + s * bar, 2)
            middle = round(x + bar / 2, 2)
            value = drawn[s][c]
            if value is None:
                if labelled:
                    parts.append(
                        _lines(middle, y(Decimal(0)) - 4, [GAP], size=value_size, anchor="middle")
                    )
                continue
            top, bottom = y(max(value, Decimal(0))), y(min(value, Decimal(0)))
            parts.append(
                format_html(
                    '<rect class="bar" data-series="{}" data-value="{}" x="{}" y="{}" width="{}" '
                    'height="{}" fill="{}" stroke="{}" stroke-width="1">'
                    "<title>{}, {}: {}</title></rect>",
                    s,
                    value,
                    x,
                    top,
                    round(max(bar - 2, 1), 2),
                    round(bottom - top, 2),
                    _fill(prefix, style),
                    style.stroke,
                    name,
                    category,
                    format_value(values[c], unit),
                )
            )
            if labelled:
                label_y = top - 4 if value >= 0 else bottom + value_size + 2
                parts.append(
                    _lines(
                        middle,
                        label_y,
                        [format_value(values[c], unit)],
                        size=value_size,
                        anchor="middle",
                    )
                )

    # below the lowest bar's label, when a negative value has one under its bar
    labels_y = plot_bottom + (30 if labelled and min(numbers) < 0 else 18)
    label_lines, every = _category_lines(categories, slot)
    for c, lines in enumerate(label_lines):
        if c % every == 0:
            parts.append(
                _lines(round(left + (c + 0.5) * slot, 2), labels_y, lines, size=12, anchor="middle")
            )
    height = labels_y + 15 * max(len(lines) for lines in label_lines) + 4

    peak = max(numbers)
    s, c = next(
        (s, c) for s, values in enumerate(drawn) for c, value in enumerate(values) if value == peak
    )
    span = categories[0] if len(categories) == 1 else f"{categories[0]} to {categories[-1]}"
    description = (
        f"Bar chart of {_joined(names)} by {category_label.lower()}, {span}; the highest is "
        f"{format_value(series[s][1][c], unit)} ({names[s]}, {categories[c]}); "
        "the figures are in the table with it."
    )
    return Chart(title, description, _svg(prefix, title, description, height, _join(parts)), table)


def _category_lines(categories: list[str], slot: float) -> tuple[list[list[str]], int]:
    """Each category's label wrapped to fit its slot (at most 3 lines), and which labels to show
    (every one, or every second, third … when a word is wider than a slot)."""
    fits = max(1, int(slot / (12 * CHAR_WIDTH)))
    longest = max((len(word) for label in categories for word in label.split()), default=1)
    every = -(-longest // fits)
    width = fits * every
    wrapped = [
        textwrap.wrap(label, width, break_long_words=True, max_lines=3, placeholder="…") or [""]
        for label in categories
    ]
    return wrapped, every


# before and after ---------------------------------------------------------------------------------
BEFORE_STROKE, AFTER_FILL, AFTER_STROKE = SECONDARY, "#005eb8", "#003087"
LINK, TICK = "#768692", "#aeb7bd"


def before_after_chart(
    title: str,
    questions: list[tuple[str, Number | str | None, Number | str | None]],
    *,
    scale_min: int = 1,
    scale_max: int = 5,
    question_label: str = "Question",
    before_label: str = "Before",
    after_label: str = "After",
    id_prefix: str | None = None,
) -> Chart:
    """Each question's score before (a hollow circle) and after (a filled diamond) on the scale,
    joined by a line. A value of "fewer than 5" (suppressed) or None is not drawn: a note says so
    and the table shows "fewer than 5" or "–"."""
    prefix = _prefix(id_prefix)
    table = Table(
        caption=f"{title}: the figures",
        headers=[question_label, before_label, after_label],
        rows=[
            [label, format_value(before), format_value(after)] for label, before, after in questions
        ],
    )
    if not questions:
        return _empty(prefix, title, table)
    left, right = 40.0, WIDTH - 40.0

    def x(value: Decimal) -> float:
        value = min(max(value, Decimal(scale_min)), Decimal(scale_max))
        return round(
            left + float((value - scale_min) / (scale_max - scale_min)) * (right - left), 2
        )

    parts = [
        format_html(
            '<circle cx="15" cy="15" r="6" fill="#ffffff" stroke="{}" stroke-width="2.5"/>',
            BEFORE_STROKE,
        ),
        _lines(28, 20, [before_label], size=13),
        _diamond(28 + _text_width(before_label, 13) + 32, 15),
        _lines(28 + _text_width(before_label, 13) + 45, 20, [after_label], size=13),
    ]
    points = range(scale_min, scale_max + 1)
    marks, y, both, higher = [], 52.0, 0, 0
    for label, before, after in questions:
        lines = textwrap.wrap(label, int((WIDTH - 32) / (13 * CHAR_WIDTH))) or [""]
        marks.append(_lines(16, y, lines, size=13))
        track = y + 13 * 1.25 * (len(lines) - 1) + 30
        was, now = _number(before), _number(after)
        notes = [
            f"{side}: {'fewer than 5, not drawn' if value == SUPPRESSED else 'none'}"
            for side, value in ((before_label, before), (after_label, after))
            if _number(value) is None
        ]
        if was is None and now is None:
            marks.append(_lines(16, track - 8, ["; ".join(notes) + "."], size=12, fill=SECONDARY))
            y = track + 22
            continue
        marks.append(_track(x, track, points))
        if was is not None and now is not None:
            both += 1
            higher += now > was
            marks.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"/>',
                    x(was),
                    track,
                    x(now),
                    track,
                    LINK,
                )
            )
        if was is not None:
            marks.append(
                format_html(
                    '<circle class="before" data-value="{}" cx="{}" cy="{}" r="6" fill="#ffffff" '
                    'stroke="{}" stroke-width="2.5"><title>{}, {}: {}</title></circle>',
                    was,
                    x(was),
                    track,
                    BEFORE_STROKE,
                    label,
                    before_label,
                    format_value(before),
                )
            )
            marks.append(
                _lines(x(was), track - 11, [format_value(before)], size=11, anchor="middle")
            )
        if now is not None:
            marks.append(_diamond(x(now), track, value=now, title=f"{label}, {after_label}"))
            marks.append(
                _lines(x(now), track + 21, [format_value(after)], size=11, anchor="middle")
            )
        if notes:
            marks.append(_lines(16, track + 38, ["; ".join(notes) + "."], size=12, fill=SECONDARY))
        y = track + (66 if notes else 44)
    axis = [
        _lines(x(Decimal(point)), y + 2, [str(point)], size=12, anchor="middle") for point in points
    ]
    axis.append(
        _lines(
            WIDTH / 2,
            y + 22,
            [f"Score from {scale_min} to {scale_max}"],
            size=12,
            anchor="middle",
            fill=SECONDARY,
        )
    )
    shown = (
        "none has both shown"
        if not both
        else f"higher {after_label.lower()} for {higher} of {both} with both shown"
    )
    description = (
        f"{before_label} and {after_label.lower()} scores for {len(questions)} "
        f"question{'' if len(questions) == 1 else 's'} on a scale of {scale_min} to {scale_max}, "
        f"{shown}; the figures are in the table with it."
    )
    body = _join([*parts, *marks, *axis])
    return Chart(title, description, _svg(prefix, title, description, y + 32, body), table)


def _track(x, y: float, points: range) -> SafeString:
    """A question's line across the scale, with a tick at each point of it."""
    ticks = [
        format_html(
            '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{colour}"/>',
            x=x(Decimal(point)),
            top=y - 6,
            bottom=y + 6,
            colour=TICK,
        )
        for point in points
    ]
    line = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
        x(Decimal(points[0])),
        y,
        x(Decimal(points[-1])),
        y,
        TICK,
    )
    return _join([line, *ticks])


def _diamond(cx: float, cy: float, *, value: Decimal | None = None, title: str = "") -> SafeString:
    points = f"{cx},{cy - 8} {cx + 8},{cy} {cx},{cy + 8} {cx - 8},{cy}"
    if value is None:  # the legend's swatch
        return format_html(
            '<polygon points="{}" fill="{}" stroke="{}" stroke-width="1.5"/>',
            points,
            AFTER_FILL,
            AFTER_STROKE,
        )
    return format_html(
        '<polygon class="after" data-value="{}" points="{}" fill="{}" stroke="{}" '
        'stroke-width="1.5"><title>{}: {}</title></polygon>',
        value,
        points,
        AFTER_FILL,
        AFTER_STROKE,
        title,
        format_value(value),
    )
