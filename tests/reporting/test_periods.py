"""Report periods: months, financial quarters (Q1 is April to June) and years (1 April to 31 March),
named as a person would say them, and wrong input refused in plain words."""

import datetime

import pytest

from reporting import periods
from reporting.periods import PeriodError

D = datetime.date


@pytest.mark.parametrize(
    "day, start, end, label",
    [
        (D(2026, 2, 10), D(2026, 2, 1), D(2026, 2, 28), "February 2026"),
        (D(2028, 2, 29), D(2028, 2, 1), D(2028, 2, 29), "February 2028"),
        (D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31), "December 2026"),
    ],
)
def test_a_month(day, start, end, label):
    assert periods.month(day) == periods.Period(start, end, label)


@pytest.mark.parametrize(
    "day, start, end, label",
    [
        (D(2026, 4, 1), D(2026, 4, 1), D(2026, 6, 30), "Q1 2026/27 (April to June 2026)"),
        (D(2026, 12, 2), D(2026, 10, 1), D(2026, 12, 31), "Q3 2026/27 (October to December 2026)"),
        (D(2027, 1, 1), D(2027, 1, 1), D(2027, 3, 31), "Q4 2026/27 (January to March 2027)"),
        (D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31), "Q4 2025/26 (January to March 2026)"),
    ],
)
def test_a_quarter_of_the_financial_year(day, start, end, label):
    assert periods.quarter(day) == periods.Period(start, end, label)


def test_the_financial_year_turns_between_31_march_and_1_april():
    assert periods.financial_year(D(2026, 3, 31)) == periods.Period(
        D(2025, 4, 1), D(2026, 3, 31), "2025/26 (April 2025 to March 2026)"
    )
    assert periods.financial_year(D(2026, 4, 1)).start == D(2026, 4, 1)
    assert periods.financial_year(D(2026, 4, 1)).end == D(2027, 3, 31)


def test_a_range_is_named_as_a_month_quarter_or_year_when_it_is_one():
    assert periods.between(D(2026, 1, 1), D(2026, 3, 31)).label.startswith("Q4 2025/26")
    assert periods.between(D(2025, 4, 1), D(2026, 3, 31)).label.startswith("2025/26")
    assert periods.between(D(2026, 5, 1), D(2026, 5, 31)).label == "May 2026"
    assert periods.between(D(2026, 5, 3), D(2026, 6, 17)).label == "3 May 2026 to 17 June 2026"
    assert periods.between(D(2026, 5, 3), D(2026, 5, 3)).label == "3 May 2026 to 3 May 2026"


def test_the_days_of_a_period_are_inclusive():
    quarter = periods.quarter(D(2026, 3, 1))
    assert D(2026, 1, 1) in quarter and D(2026, 3, 31) in quarter
    assert D(2025, 12, 31) not in quarter and D(2026, 4, 1) not in quarter


@pytest.mark.parametrize(
    "start, end, field, message",
    [
        ("2026-03-31", "2026-01-01", "to", "The end date must be the same as or after"),
        ("2026-02-30", "2026-03-31", "from", "Enter the start date as a real date"),
        ("", "2026-03-31", "from", "Enter the start date of the period."),
        ("2026-01-01", None, "to", "Enter the end date of the period."),
        ("2026-01-01", "31/03/2026", "to", "Enter the end date as a real date"),
    ],
)
def test_wrong_input_is_refused_in_plain_words_by_its_box(start, end, field, message):
    with pytest.raises(PeriodError) as refused:
        periods.parse(start, end)
    assert refused.value.field == field
    assert refused.value.message.startswith(message)


def test_the_presets_are_this_and_last_month_quarter_and_year():
    labels = [p.label for p in periods.presets(D(2026, 12, 2))]
    assert labels == [
        "December 2026",
        "November 2026",
        "Q3 2026/27 (October to December 2026)",
        "Q2 2026/27 (July to September 2026)",
        "2026/27 (April 2026 to March 2027)",
        "2025/26 (April 2025 to March 2026)",
    ]
