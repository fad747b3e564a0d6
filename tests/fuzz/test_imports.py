"""Every import command, and the admin upload page, fed random and malformed files (hypothesis).

For each kind a small world is built once (the people and schemes a good file names); each
example starts from that kind's good rows and breaks them — hostile cells, missing, extra and
repeated columns, a header alone, huge values, very long lines — then writes them with a random
line ending and encoding and perhaps corrupts the bytes; some examples are not CSV at all.
Whatever arrives: no exception but ``CommandError``; a refused file leaves every table as it was
(all or nothing); each problem reads ``line N: column: message`` in plain words.
"""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from hypothesis import given

from mentoring.imports import run_import
from reimbursement.claims import week_of
from tests.auth import sign_in
from tests.factories import UserFactory, coordinator_of
from tests.fuzz.strategies import (
    FUZZ,
    SUMMARY,
    as_text,
    assert_escaped,
    assert_import_error,
    assert_plain,
    changed,
    counted_tables,
    files,
    row_counts,
)
from tests.reimbursement.scene import ClaimScene
from tests.schemes.world import gp_fellow, gp_mentor, world

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "mentoring" / "fixtures"
DONE = re.compile(r"^\w+: \d+ created, \d+ updated, \d+ unchanged\n$")


def fixture_rows(kind: str) -> list[list[str]]:
    return [line.split(",") for line in (FIXTURES / f"{kind}.csv").read_text().splitlines()]


def register_world(*kinds: str) -> None:
    for kind in kinds:
        assert run_import(kind, FIXTURES / f"{kind}.csv").ok


def organisations_world():
    register_world("organisations")
    return fixture_rows("organisations")


def people_world():
    register_world("organisations")
    return fixture_rows("people")


def registrations_world():
    register_world("organisations", "people")
    return fixture_rows("registrations")


def training_world():
    register_world("organisations", "people")
    return fixture_rows("training")


def relationships_world():
    register_world("organisations", "people")
    return fixture_rows("relationships")


def enrolments_world():
    ics = world()
    slug = ics["schemes"]["gp-supporting-mentors"].slug
    gp_mentor(ics["practice"], email="mentor@example.nhs.uk")
    gp_mentor(ics["practice"], email="former@example.nhs.uk")
    fellow = gp_fellow(ics["practice"]).user.email
    return [
        ["email", "scheme", "role", "cohort", "capacity", "joined_on", "left_on"],
        ["mentor@example.nhs.uk", slug, "mentor", "", "6", "2025-09-01", ""],
        [fellow, slug, "mentee", "gp-fellows", "", "2025-10-01", ""],
        ["former@example.nhs.uk", slug, "mentor", "", "", "2024-04-01", "2025-03-31"],
    ]


def claims_world():
    scene = ClaimScene()
    slug, monday = scene.scheme.slug, week_of(datetime.date.today())
    weeks = [(monday - datetime.timedelta(weeks=n)).isoformat() for n in (2, 3, 4)]
    return [
        ["email", "scheme", "kind", "claim_date", "status", "decided_by_email"],
        ["mona@example.nhs.uk", slug, "mentoring", weeks[0], "approved", "coord@example.nhs.uk"],
        ["mona@example.nhs.uk", slug, "mentoring", weeks[1], "paid", ""],
        ["mona@example.nhs.uk", slug, "mentoring", weeks[2], "submitted", ""],
        ["mona@example.nhs.uk", slug, "training", weeks[2], "rejected", "coord@example.nhs.uk"],
    ]


WORLDS = {
    "organisations": organisations_world,
    "people": people_world,
    "registrations": registrations_world,
    "training": training_world,
    "relationships": relationships_world,
    "enrolments": enrolments_world,
    "claims": claims_world,
}


def problems_on_stderr(stderr: str) -> list[str]:
    """One entry per problem; a quoted value may itself hold a line break."""
    return [p for p in re.split(r"\n(?=line \d+: )", stderr.rstrip("\n")) if p]


@pytest.mark.parametrize("kind", WORLDS)
def test_a_command_refuses_any_bad_file_whole_and_says_why_in_plain_words(kind, tmp_path):
    good = WORLDS[kind]()
    tables = counted_tables()
    path = tmp_path / f"{kind}.csv"

    @FUZZ
    @given(data=files(good))
    def imports(data):
        path.write_bytes(data)
        before = row_counts(tables)
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(f"import_{kind}", str(path), stdout=out, stderr=err)
        except CommandError as refusal:
            assert SUMMARY.match(str(refusal)), str(refusal)
            assert changed(before, row_counts(tables)) == {}
            assert out.getvalue() == ""
            problems = problems_on_stderr(err.getvalue())
            assert problems, "refused without saying why"
            given_text = as_text(data)
            for problem in problems:
                assert re.match(r"^line \d+: .+?: .", problem, re.DOTALL), problem[:300]
                assert_plain(problem, given_text)
            # The same problems, with their codes, from the function the command calls.
            for error in run_import(kind, data).errors:
                assert_import_error(error, given_text)
        else:
            assert DONE.match(out.getvalue()), out.getvalue()

    imports()


@pytest.mark.parametrize(
    ("kind", "uploader"),
    [
        ("organisations", "coordinator"),
        ("registrations", "administrator"),
    ],
)
def test_the_upload_page_refuses_any_bad_file_whole_with_the_problems_listed(
    client, kind, uploader
):
    good = WORLDS[kind]()
    from mentoring.models import Organisation

    if uploader == "coordinator":
        user = coordinator_of(Organisation.objects.get(code="QX9"))
        user.is_staff = True
        user.save()
    else:
        user = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, user)
    tables = counted_tables(skip={"Notification"})

    @FUZZ
    @given(data=files(good))
    def uploads(data):
        before = row_counts(tables)
        response = client.post(
            "/admin/mentoring/import/",
            {"kind": kind, "file": SimpleUploadedFile(f"{kind}.csv", data)},
        )
        if response.status_code == 302:
            return
        page = response.content.decode()
        assert changed(before, row_counts(tables)) == {}
        assert_escaped(page, as_text(data))
        if response.status_code == 400:
            assert "There is a problem with the file" in page
            listing = re.search(r'<ul class="import-errors">(.*?)</ul>', page, re.S)
            items = re.findall(r"<li>(.*?)</li>", listing[1], re.S)
            assert items
            for item in items:
                assert re.match(r"^line \d+: ", item), item[:300]
                assert_plain(item, as_text(data))
        else:
            assert response.status_code == 200
            assert "Please correct the errors below." in page
            assert '<ul class="errorlist"' in page

    uploads()
