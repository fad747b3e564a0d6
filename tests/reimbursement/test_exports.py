"""The payment file of an approved run, as CSV (streamed) and XLSX: exactly the agreed columns,
one row per mentor and scheme, then the TOTAL row; text a spreadsheet would run is neutralised
while amounts stay numbers; a draft is refused.

The helpers here (a month that is over, claims in it, a built and approved run) are shared by the
other finance tests.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from mentoring.models import Person
from reimbursement import claims, exports, runs
from reimbursement.errors import ReimbursementError, RunRefusal
from reimbursement.models import PaymentLine, PaymentRun, RunStatus
from reimbursement.selectors import CSV_COLUMNS
from tests.factories import PersonFactory, RegistrationFactory
from tests.reimbursement.scene import ClaimScene

pytestmark = pytest.mark.django_db

RATE = Decimal("289.00")


# shared helpers -----------------------------------------------------------------------------------
def month_before_last() -> datetime.date:
    return runs.previous_month(runs.previous_month())


def mondays_in(period: datetime.date) -> list[datetime.date]:
    first = period + datetime.timedelta(days=(7 - period.weekday()) % 7)
    return [
        day
        for day in (first + datetime.timedelta(weeks=n) for n in range(5))
        if day.month == period.month
    ]


def mentor_with_mentee(scene: ClaimScene, name: str):
    """Another mentor of the scene's scheme, paired with a mentee so they may claim."""
    enrolment = scene.mentor(name)
    mentee = scene.mentee(f"{name.split()[0]}mentee Person")
    scene.pair(enrolment, mentee)
    return enrolment


def approved_weeks(scene: ClaimScene, enrolment, mondays: list[datetime.date]) -> list:
    return [
        claims.approve_claim(
            claim=claims.submit_claim(
                person=enrolment.person,
                scheme=enrolment.scheme,
                kind="mentoring",
                claimed_date=monday,
                by=enrolment.person.user,
                activity="Preparation and follow-up.",
            ),
            by=scene.coordinator,
        )
        for monday in mondays
    ]


def built(scene: ClaimScene, period: datetime.date | None = None) -> PaymentRun:
    return scene.build(period or month_before_last()).run


def approved_run(scene: ClaimScene, period: datetime.date | None = None) -> PaymentRun:
    return runs.approve_run(run=built(scene, period), by=scene.finance)


def csv_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


# fixtures -----------------------------------------------------------------------------------------
@pytest.fixture
def scene():
    return ClaimScene()


@pytest.fixture
def two_mentors(scene):
    """Mona paid for two weeks of the month before last, Olga for one, and an approved run."""
    mondays = mondays_in(month_before_last())
    olga = mentor_with_mentee(scene, "Olga Other")
    approved_weeks(scene, scene.mona, mondays[:2])
    approved_weeks(scene, olga, mondays[2:3])
    return {"olga": olga, "run": approved_run(scene), "mondays": mondays}


# the CSV ------------------------------------------------------------------------------------------
def test_the_csv_has_exactly_the_columns_of_the_payment_file(two_mentors):
    rows = csv_of(exports.csv_response(two_mentors["run"]))

    assert rows[0] == CSV_COLUMNS


def test_the_csv_is_an_attachment_named_after_the_run(two_mentors):
    run = two_mentors["run"]

    response = exports.csv_response(run)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{run.reference}.csv"'


def test_the_csv_has_one_row_per_mentor_and_scheme(scene, two_mentors):
    run = two_mentors["run"]

    rows = csv_of(exports.csv_response(run))[1:-1]

    assert [(r[3], r[5], r[6], r[7], r[10]) for r in rows] == [
        ("Mona Mentor", scene.scheme.name, "2", "578.00", "578.00"),
        ("Olga Other", scene.scheme.name, "1", "289.00", "289.00"),
    ]
    assert {(r[0], r[1]) for r in rows} == {(run.reference, run.period_label)}


def test_the_last_row_is_the_total_of_every_line(two_mentors):
    run = two_mentors["run"]

    total = csv_of(exports.csv_response(run))[-1]

    assert total == [
        run.reference,
        run.period_label,
        "TOTAL",
        "",
        "",
        "",
        "3",
        "867.00",
        "0.00",
        "0.00",
        "867.00",
    ]


def test_a_mentor_name_and_payee_reference_that_look_like_formulas_are_neutralised(scene):
    user = scene.mona.person.user
    user.first_name = '=HYPERLINK("https://evil.example","Paid")'
    user.save()
    Person.objects.filter(pk=scene.mona.person.pk).update(payee_reference="+44 20 7946 0000")
    approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:1])

    line = csv_of(exports.csv_response(approved_run(scene)))[1]

    assert line[3] == '\'=HYPERLINK("https://evil.example","Paid") Mentor'
    assert line[2] == "'+44 20 7946 0000"


def test_a_negative_adjustment_stays_a_negative_number(scene):
    approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:1])
    runs.add_adjustment(
        person=scene.mona.person,
        scheme=scene.scheme,
        amount=Decimal("-40.50"),
        reason="Overpaid in an earlier month.",
        by=scene.finance,
    )

    rows = csv_of(exports.csv_response(approved_run(scene)))

    assert rows[1][7:] == ["289.00", "0.00", "-40.50", "248.50"]
    assert rows[-1][7:] == ["289.00", "0.00", "-40.50", "248.50"]


def test_a_draft_run_is_refused_as_csv(scene):
    approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:1])
    draft = built(scene)

    with pytest.raises(ReimbursementError) as refused:
        exports.csv_response(draft)

    assert refused.value.code == RunRefusal.NOT_APPROVED


def test_a_draft_run_is_refused_as_xlsx(scene):
    approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:1])
    draft = built(scene)

    with pytest.raises(ReimbursementError) as refused:
        exports.xlsx_response(draft)

    assert refused.value.code == RunRefusal.NOT_APPROVED


# the XLSX -----------------------------------------------------------------------------------------
def workbook_of(response):
    data = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(data)).active


def test_the_xlsx_holds_the_same_rows_as_the_csv(two_mentors):
    run = two_mentors["run"]
    from_csv = csv_of(exports.csv_response(run))

    sheet = workbook_of(exports.xlsx_response(run))

    read_back = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert read_back[0] == from_csv[0]
    assert [[v or "" for v in row[:6]] for row in read_back] == [row[:6] for row in from_csv]
    assert [[Decimal(str(v)) for v in row[6:]] for row in read_back[1:]] == [
        [Decimal(v) for v in row[6:]] for row in from_csv[1:]
    ]


def test_the_xlsx_is_an_attachment_named_after_the_run(two_mentors):
    run = two_mentors["run"]

    response = exports.xlsx_response(run)

    assert response["Content-Type"] == exports.XLSX_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="{run.reference}.xlsx"'


def test_xlsx_amounts_are_numbers_with_pence_even_when_negative(scene):
    user = scene.mona.person.user
    user.first_name = "=1+1"
    user.save()
    approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:1])
    runs.add_adjustment(
        person=scene.mona.person,
        scheme=scene.scheme,
        amount=Decimal("-40.50"),
        reason="Overpaid in an earlier month.",
        by=scene.finance,
    )

    sheet = workbook_of(exports.xlsx_response(approved_run(scene)))

    line = next(sheet.iter_rows(min_row=2, max_row=2))
    assert [cell.value for cell in line[6:]] == [1, 289, 0, -40.5, 248.5]
    assert all(cell.data_type == "n" for cell in line[6:])
    assert {cell.number_format for cell in line[7:]} == {"0.00"}
    assert line[3].value == "'=1+1 Mentor"
    assert line[3].data_type == "s"


# queries ------------------------------------------------------------------------------------------
def run_with_lines(scene: ClaimScene, count: int) -> PaymentRun:
    """An approved run with ``count`` lines made directly (reading is what is measured)."""
    run = PaymentRun.objects.create(
        organisation=scene.icb,
        period=month_before_last(),
        reference=f"PR-TEST-{count}",
        status=RunStatus.APPROVED,
        approved_at=datetime.datetime.now(datetime.UTC),
        approved_by=scene.finance,
    )
    people = PersonFactory.create_batch(count, organisation=scene.practices[0])
    for person in people[::2]:
        RegistrationFactory(person=person)
    PaymentLine.objects.bulk_create(
        PaymentLine(
            run=run,
            person=person,
            scheme=scene.scheme,
            claim_count=1,
            mentoring_amount=RATE,
            total_amount=RATE,
        )
        for person in people
    )
    return run


@pytest.mark.parametrize("count", [1, 60])
def test_the_csv_reads_the_same_few_queries_however_many_mentors(
    scene, count, django_assert_max_num_queries
):
    run = run_with_lines(scene, count)

    with django_assert_max_num_queries(4):
        rows = csv_of(exports.csv_response(run))

    assert len(rows) == count + 2
