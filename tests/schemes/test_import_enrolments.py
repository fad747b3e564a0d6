import datetime

import pytest
from django.core.management import CommandError, call_command

from mentoring.imports import run_import
from schemes.models import EligibilityCheck, Enrolment
from tests.auth import sign_in
from tests.factories import IcbFactory, OrganisationFactory, PersonFactory, coordinator_of
from tests.mentoring.imports import csv_file, errors_of
from tests.schemes.world import gp_fellow, gp_mentor, world

pytestmark = pytest.mark.django_db

HEADER = "email,scheme,role,cohort,capacity,joined_on,left_on"


@pytest.fixture
def ics():
    found = world()
    found["slug"] = found["schemes"]["gp-supporting-mentors"].slug
    gp_mentor(found["practice"], email="mentor@example.nhs.uk")
    gp_mentor(found["practice"], email="former@example.nhs.uk")
    fellow = gp_fellow(found["practice"])
    found["fellow"] = fellow.user.email
    return found


def good(ics):
    slug = ics["slug"]
    return csv_file(
        HEADER,
        f"mentor@example.nhs.uk,{slug},mentor,,6,2025-09-01,",
        f"{ics['fellow']},{slug},mentee,gp-fellows,,2025-10-01,",
        f"former@example.nhs.uk,{slug},mentor,,,2024-04-01,2025-03-31",
    )


def test_a_good_file_enrols_mentors_and_mentees_and_stores_the_mentors_checks(ics):
    result = run_import("enrolments", good(ics))

    assert result.ok, errors_of(result)
    assert result.summary() == "enrolments: 3 created, 0 updated, 0 unchanged"
    mentor = Enrolment.objects.get(person__user__email="mentor@example.nhs.uk")
    assert (mentor.role, mentor.capacity, mentor.status, mentor.joined_on) == (
        "mentor",
        6,
        "active",
        datetime.date(2025, 9, 1),
    )
    assert Enrolment.objects.get(role="mentee").cohort.slug == "gp-fellows"
    former = Enrolment.objects.get(person__user__email="former@example.nhs.uk")
    assert (former.status, former.left_on, former.capacity) == (
        "left",
        datetime.date(2025, 3, 31),
        8,
    )
    assert EligibilityCheck.objects.filter(purpose="import", eligible=True).count() == 1


def test_importing_the_same_file_again_changes_nothing(ics):
    run_import("enrolments", good(ics))
    before = list(Enrolment.objects.order_by("pk").values())
    result = run_import("enrolments", good(ics))
    assert result.summary() == "enrolments: 0 created, 0 updated, 3 unchanged"
    assert list(Enrolment.objects.order_by("pk").values()) == before


def test_a_mentor_who_fails_a_required_rule_is_a_bad_row_listing_the_rules(ics):
    gp_mentor(
        ics["practice"], email="two.sessions@example.nhs.uk", sessions="2", on_performers_list=False
    )
    result = run_import(
        "enrolments",
        csv_file(HEADER, f"two.sessions@example.nhs.uk,{ics['slug']},mentor,,,2025-09-01,"),
    )
    assert [str(e.code) for e in result.errors] == ["not_eligible"]
    assert errors_of(result) == [
        "line 2: email: does not meet the scheme's rules for mentors: Not on the NHS England Medical "
        "Performers List. Works 2 clinical sessions a week (at least 3 needed)."
    ]
    assert not Enrolment.objects.exists()


def test_every_bad_row_is_listed_and_nothing_is_saved(ics):
    slug = ics["slug"]
    result = run_import(
        "enrolments",
        csv_file(
            HEADER,
            f"nobody@example.nhs.uk,{slug},mentor,,,2025-09-01,",
            "mentor@example.nhs.uk,no-such-scheme,mentor,,,2025-09-01,",
            f"mentor@example.nhs.uk,{slug},coach,,,2025-09-01,",
            f"mentor@example.nhs.uk,{slug},mentor,gp-fellows,12,2025-09-01,",
            f"{ics['fellow']},{slug},mentee,astronauts,3,2025-10-01,",
            f"{ics['fellow']},{slug},mentee,,,2099-01-01,",
            f"former@example.nhs.uk,{slug},mentor,,,2025-04-01,2025-03-31",
            f"mentor@example.nhs.uk,{slug},mentor,,,2025-09-01,",
            f"mentor@example.nhs.uk,{slug},mentor,,,2025-09-01,",
        ),
    )
    assert [(e.line, e.column, str(e.code)) for e in result.errors] == [
        (2, "email", "unknown_person"),
        (3, "scheme", "unknown_scheme"),
        (4, "role", "not_one_of"),
        (5, "cohort", "no_cohort_for_mentors"),
        (5, "capacity", "capacity_out_of_range"),
        (6, "cohort", "unknown_cohort"),
        (6, "capacity", "no_capacity_for_mentees"),
        (7, "joined_on", "joined_in_future"),
        (8, "left_on", "left_before_joining"),
        (9, "joined_on", "duplicate_row"),
        (10, "joined_on", "duplicate_row"),
    ]
    assert not Enrolment.objects.exists()


def test_someone_already_enrolled_since_another_date_is_a_bad_row(ics):
    run_import("enrolments", good(ics))
    result = run_import(
        "enrolments", csv_file(HEADER, f"mentor@example.nhs.uk,{ics['slug']},mentor,,,2026-01-05,")
    )
    assert errors_of(result) == [
        "line 2: email: already enrolled on GP Supporting Mentors Scheme as a mentor since 2025-09-01."
    ]


def test_a_coordinator_imports_only_into_their_own_schemes(ics):
    elsewhere = world(coordinator_email="elsewhere@example.nhs.uk")
    result = run_import(
        "enrolments",
        csv_file(
            HEADER,
            f"mentor@example.nhs.uk,{elsewhere['schemes']['gp-supporting-mentors'].slug},mentor,,,2025-09-01,",
        ),
        user=elsewhere["coordinator"],
    )
    assert ("email", "person_out_of_scope") in {(e.column, str(e.code)) for e in result.errors}
    outsider_scheme = run_import("enrolments", good(ics), user=coordinator_of(IcbFactory()))
    assert "scheme_out_of_scope" in {str(e.code) for e in outsider_scheme.errors}
    assert not Enrolment.objects.exists()


def test_the_command_lists_bad_rows_and_fails(ics, tmp_path):
    path = tmp_path / "enrolments.csv"
    path.write_bytes(csv_file(HEADER, f"nobody@example.nhs.uk,{ics['slug']},mentor,,,2025-09-01,"))
    with pytest.raises(CommandError):
        call_command("import_enrolments", str(path))


def test_the_admin_upload_offers_enrolments(client, ics):
    sign_in(client, ics["coordinator"])
    response = client.get("/admin/mentoring/import/")
    assert "Scheme enrolments (mentors and mentees)" in response.content.decode()
    assert "email,scheme,role,cohort,capacity,joined_on,left_on" in response.content.decode()


def test_lookups_are_constant_for_ten_or_fifty_rows(ics, django_assert_max_num_queries):
    from schemes.imports import EnrolmentImporter

    practice = OrganisationFactory(parent=ics["icb"])
    for n in range(50):
        PersonFactory(user__email=f"m{n}@example.nhs.uk", organisation=practice)

    def validate(n):
        importer = EnrolmentImporter()
        from mentoring.imports.base import Problems

        problems = Problems()
        rows = importer.read(
            csv_file(
                HEADER,
                *[
                    f"m{i}@example.nhs.uk,{ics['slug']},mentee,gp-fellows,,2025-10-01,"
                    for i in range(n)
                ],
            ),
            problems,
        )
        importer.validate(rows, problems)
        return problems

    with django_assert_max_num_queries(20) as ten:
        validate(10)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        validate(50)
