"""What a report is made of, whatever computes it and whatever draws it: the monitoring return
and the evaluation are lists of :class:`Figure` in :class:`Section`\\ s; pages, the CSV, the XLSX
and the PDF all read these, so they cannot disagree."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

IN_PERIOD = "in_period"
AT_END = "at_end"
KIND_LABELS = {IN_PERIOD: "In the period", AT_END: "At the end of the period"}

# What a suppressed figure shows instead of its value: an aggregate of survey answers from fewer
# than SMALL_NUMBER people could identify them.
SMALL_NUMBER = 5
SUPPRESSED = "fewer than 5"

Value = int | Decimal | str | None


@dataclass(frozen=True)
class Figure:
    """One figure: ``value`` is a count, a Decimal (a mean, money), :data:`SUPPRESSED`, or None
    (nothing to report, e.g. a mean of no one). ``records`` is the path of the list of records
    behind it (for coordinators, scoped as always), or "" when there is none to show."""

    section: str
    code: str
    label: str
    kind: str
    value: Value
    definition: str
    source: str = ""
    records: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def suppressed(self) -> bool:
        return self.value == SUPPRESSED


@dataclass(frozen=True)
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)


@dataclass(frozen=True)
class Period:
    """A closed range of days, first to last inclusive, with how a person would say it."""

    start: datetime.date
    end: datetime.date
    label: str

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end
