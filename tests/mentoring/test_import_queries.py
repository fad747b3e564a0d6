"""Every import looks things up in a fixed number of queries, whatever the size of the file.

The imports of people and of their records also save in bulk, so the whole import is pinned;
organisations are saved one by one (``save`` keeps the tree's paths), so only their checks are.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentoring.imports import run_import
from tests.factories import IcbFactory, OrganisationFactory, coordinator_of
from tests.mentoring.imports import csv_file, errors_of

pytestmark = pytest.mark.django_db

HEADERS = {
    "organisations": "code,name,kind,parent_code",
    "people": "email,first_name,last_name,profession,organisation_code,department,region,"
    "sectors,scope_of_practice,focus_areas,clinical_sessions_per_week",
    "registrations": "email,register,number,status,licence_to_practise,performers_list,"
    "interim_suspension,qualified_on,independent_prescriber_since",
    "training": "email,kind,status,date",
    "relationships": "supervisor_email,supervisee_email,kind,start_date,end_date",
}
ROWS = {
    "organisations": "Y{i},Practice {i},practice,QWE",
    "people": "p{i}@example.nhs.uk,P,{i},gp,Y1,Practice,London,Care homes,Diabetes;T{i},X{i},4",
    "registrations": "p{i}@example.nhs.uk,GMC,{number},registered,yes,no,no,2005-08-03,",
    "training": "p{i}@example.nhs.uk,ilm5,planned,2026-01-01",
    "relationships": "p{i}@example.nhs.uk,p{j}@example.nhs.uk,line_manager,2024-01-01,",
}
CHANGED = {
    "people": "p{i}@example.nhs.uk,P,Changed {i},gp,Y1,Practice,London,Care homes,T{i},,4",
    "registrations": "p{i}@example.nhs.uk,GMC,{number},suspended,no,no,yes,2005-08-03,",
    "training": "p{i}@example.nhs.uk,ilm5,completed,2026-02-01",
    "relationships": "p{i}@example.nhs.uk,p{j}@example.nhs.uk,line_manager,2024-01-01,2025-01-01",
}
BAD_ROW = {
    "organisations": "ZZZ,Bad,nokind,QWE",
    "people": "bad@example.nhs.uk,B,B,surgeon,Y1,,,,,,",
    "registrations": "p0@example.nhs.uk,GMC,1234567,nope,yes,no,no,2005-08-03,",
    "training": "p0@example.nhs.uk,mba,planned,2026-01-01",
    "relationships": "p0@example.nhs.uk,p1@example.nhs.uk,boss,2024-01-01,",
}


@pytest.fixture
def coordinator():
    icb = IcbFactory(code="QWE")
    OrganisationFactory(code="Y1", parent=icb)
    return coordinator_of(icb)


def a_file(kind: str, start: int, stop: int, *, bad: bool = False, changed: bool = False) -> bytes:
    template = CHANGED[kind] if changed else ROWS[kind]
    rows = [template.format(i=i, j=i + 1, number=1000000 + i) for i in range(start, stop)]
    return csv_file(HEADERS[kind], *rows, *([BAD_ROW[kind]] if bad else []))


def people_for(kind: str, count: int) -> None:
    if kind not in ("organisations", "people"):
        assert run_import("people", a_file("people", 0, count + 1)).ok


def queries(kind: str, content: bytes, user=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        run_import(kind, content, user=user)
    return len(captured.captured_queries)


@pytest.mark.parametrize("as_coordinator", [False, True], ids=["command line", "coordinator"])
@pytest.mark.parametrize("kind", list(HEADERS))
def test_checking_a_file_of_100_rows_takes_no_more_queries_than_10(
    kind, as_coordinator, coordinator, django_assert_max_num_queries
):
    user = coordinator if as_coordinator else None
    people_for(kind, 110)
    ten = queries(kind, a_file(kind, 0, 10, bad=True), user)
    with django_assert_max_num_queries(ten):
        result = run_import(kind, a_file(kind, 10, 110, bad=True), user=user)
    assert len(result.errors) == 1


@pytest.mark.parametrize("as_coordinator", [False, True], ids=["command line", "coordinator"])
@pytest.mark.parametrize("kind", ["people", "registrations", "training", "relationships"])
def test_importing_100_rows_reads_no_more_and_writes_in_bulk(kind, as_coordinator, coordinator):
    user = coordinator if as_coordinator else None
    people_for(kind, 110)
    ten_reads, ten_writes = statements(kind, a_file(kind, 0, 10), user)

    reads, writes = statements(kind, a_file(kind, 10, 110), user)

    assert reads <= ten_reads
    # SQLite takes at most 999 parameters a statement, so a bulk insert of 100 rows may be two.
    assert writes <= 2 * ten_writes


@pytest.mark.parametrize("kind", ["people", "registrations", "training", "relationships"])
def test_updating_100_rows_reads_no_more_and_writes_in_bulk(kind, coordinator):
    people_for(kind, 110)
    for content in (a_file(kind, 0, 10), a_file(kind, 10, 110)):
        assert run_import(kind, content).ok
    ten_reads, ten_writes = statements(kind, a_file(kind, 0, 10, changed=True))

    reads, writes = statements(kind, a_file(kind, 10, 110, changed=True))

    assert reads <= ten_reads
    assert writes <= 2 * ten_writes


def statements(kind: str, content: bytes, user=None) -> tuple[int, int]:
    """How many statements a successful import ran that read, and that wrote."""
    with CaptureQueriesContext(connection) as captured:
        result = run_import(kind, content, user=user)
    assert result.ok, errors_of(result)
    assert result.unchanged == 0
    sql = [q["sql"].lstrip().split(" ", 1)[0].upper() for q in captured.captured_queries]
    reads = sum(verb == "SELECT" for verb in sql)
    return reads, sum(verb in ("INSERT", "UPDATE", "DELETE") for verb in sql)


@pytest.mark.parametrize("kind", list(HEADERS))
def test_importing_100_unchanged_rows_again_takes_no_more_queries_than_10(
    kind, coordinator, django_assert_max_num_queries
):
    people_for(kind, 110)
    for content in (a_file(kind, 0, 10), a_file(kind, 10, 110)):
        assert run_import(kind, content).ok
    ten = queries(kind, a_file(kind, 0, 10))
    with django_assert_max_num_queries(ten):
        result = run_import(kind, a_file(kind, 10, 110))
    assert result.unchanged == 100
