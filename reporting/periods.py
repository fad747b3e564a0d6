"""The periods a report covers: a month, a quarter of the financial year, a financial year (1 April
to 31 March, as NHS England reports), or any range of days. Bad input raises :class:`PeriodError`
with a message for the person who typed it."""

import datetime

from reporting.figures import Period
from schemes.presets import financial_year_start
from schemes.rules import add_months

DAY = datetime.timedelta(days=1)


class PeriodError(ValueError):
    """A period that cannot be reported on; ``field`` is the input the message is about."""

    def __init__(self, message: str, field: str = "to"):
        super().__init__(message)
        self.message = message
        self.field = field


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def month(day: datetime.date) -> Period:
    start = day.replace(day=1)
    return Period(start, add_months(start, 1) - DAY, f"{start:%B %Y}")


def financial_year_label(start: datetime.date) -> str:
    return f"{start.year}/{str(start.year + 1)[-2:]}"


def quarter(day: datetime.date) -> Period:
    """The quarter of the financial year ``day`` falls in: Q1 is April to June."""
    year = financial_year_start(day)
    number = ((day.year - year.year) * 12 + day.month - year.month) // 3 + 1
    start = add_months(year, 3 * (number - 1))
    end = add_months(start, 3) - DAY
    label = f"Q{number} {financial_year_label(year)} ({start:%B} to {end:%B %Y})"
    return Period(start, end, label)


def financial_year(day: datetime.date) -> Period:
    start = financial_year_start(day)
    end = add_months(start, 12) - DAY
    return Period(
        start, end, f"{financial_year_label(start)} (April {start.year} to March {end.year})"
    )


def between(start: datetime.date, end: datetime.date) -> Period:
    """The days from ``start`` to ``end``, named as a month, quarter or year when it is one."""
    if end < start:
        raise PeriodError(
            f"The end date must be the same as or after the start date ({_day(start)}).", "to"
        )
    for named in (month(start), quarter(start), financial_year(start)):
        if (named.start, named.end) == (start, end):
            return named
    return Period(start, end, f"{_day(start)} to {_day(end)}")


def parse_day(text: str | None, field: str) -> datetime.date:
    what = "start" if field == "from" else "end"
    if not text:
        raise PeriodError(f"Enter the {what} date of the period.", field)
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(
            f"Enter the {what} date as a real date in the form YYYY-MM-DD, like 2026-04-01.", field
        ) from None


def parse(start: str | None, end: str | None) -> Period:
    """A period from two ``YYYY-MM-DD`` texts, as a page's query or the command's options give."""
    return between(parse_day(start, "from"), parse_day(end, "to"))


def previous_month(today: datetime.date) -> Period:
    return month(today.replace(day=1) - DAY)


def presets(today: datetime.date) -> list[Period]:
    """The periods a coordinator usually wants, for the page's quick links."""
    return [
        month(today),
        previous_month(today),
        quarter(today),
        quarter(quarter(today).start - DAY),
        financial_year(today),
        financial_year(financial_year_start(today) - DAY),
    ]
