"""Subject access (UK GDPR): /me/data/ and its JSON and PDF downloads hold everything about the
person or written by them — and never another person's words given in confidence."""

import datetime
import io
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from mentoring import privacy
from mentoring.models import AccessEvent, Notification
from sessions_log.models import FormResponse, MentoringSession, PrivateNote
from tests.auth import sign_in
from tests.factories import UserFactory, coordinator_of
from tests.security.privacy_scene import (
    ACTIVITY_TEXT,
    NOTE_TEXT,
    RECORD_TEXT,
    REFLECTION_TEXT,
    REMATCH_REASON,
    TODAY,
    PrivacyScene,
)

pytestmark = pytest.mark.django_db

SECTIONS = [
    "account",
    "person",
    "registrations",
    "training",
    "working_relationships",
    "notifications",
    "applications",
    "enrolments",
    "eligibility_checks",
    "mentor_preferences",
    "proposals",
    "mentorships",
    "rematch_requests",
    "sessions",
    "actions",
    "private_notes",
    "form_responses",
    "claims",
    "payment_lines",
    "adjustments",
]


@pytest.fixture
def scene():
    with time_machine.travel(TODAY, tick=False):
        yield PrivacyScene()


def json_of(client, user) -> dict:
    sign_in(client, user)
    response = client.get(reverse("my_data_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def pdf_text(client, user) -> str:
    sign_in(client, user)
    response = client.get(reverse("my_data_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_mentors_json_has_every_section_with_exact_values(client, scene):
    mona = scene.mona.person
    data = json_of(client, mona.user)
    sections = data["sections"]

    assert list(sections) == SECTIONS
    assert data["email"] == "mona@example.nhs.uk"
    account = sections["account"][0]
    assert (account["email"], account["first_name"], account["last_name"], account["active"]) == (
        "mona@example.nhs.uk",
        "Mona",
        "Mentor",
        True,
    )
    person = sections["person"][0]
    assert {k: person[k] for k in ("department", "region", "work_email", "work_phone")} == {
        "department": "General practice",
        "region": "London",
        "work_email": "mona.work@example.nhs.uk",
        "work_phone": "020 7946 0001",
    }
    assert (person["payee_reference"], person["mentor_profile"], person["organisation"]) == (
        "PAY-MONA-1",
        "I mentor GPs new to partnership.",
        scene.practices[0].name,
    )
    assert sections["registrations"] == [
        {
            "register": "General Medical Council",
            "number": "7123456",
            "status": "Registered",
            "licence_to_practise": True,
            "on_performers_list": True,
            "interim_suspension": False,
            "qualified_on": "2010-08-01",
            "independent_prescriber_since": None,
            "valid_until": None,
            "verified_on": None,
            "verification_source": "",
        }
    ]
    assert sections["training"] == [
        {
            "qualification": "ILM Level 5 in Coaching and Mentoring",
            "status": "Completed",
            "date": "2024-05-01",
            "valid_until": None,
            "funded_by": "",
            "cost": None,
            "evidence_file": "",
        }
    ]
    claim = sections["claims"][0]
    assert len(sections["claims"]) == 1
    assert {
        k: claim[k]
        for k in ("period_start", "what_the_time_was_used_for", "status", "amount", "paid_in_run")
    } == {
        "period_start": "2026-04-20",
        "what_the_time_was_used_for": ACTIVITY_TEXT,
        "status": "Paid",
        "amount": "289.00",
        "paid_in_run": scene.run.reference,
    }
    assert sections["payment_lines"] == [
        {
            "run": scene.run.reference,
            "period": "2026-04",
            "run_status": "Approved",
            "scheme": scene.scheme.name,
            "paid_as": "Mona Mentor",
            "email": "mona@example.nhs.uk",
            "payee_reference": "PAY-MONA-1",
            "registration_number": "7123456",
            "claim_count": 1,
            "mentoring_amount": "289.00",
            "training_amount": "0.00",
            "adjustment_amount": "0.00",
            "total_amount": "289.00",
        }
    ]
    enrolment = sections["enrolments"][0]
    assert (enrolment["scheme"], enrolment["role"], enrolment["status"]) == (
        scene.scheme.name,
        "Mentor",
        "Active",
    )
    assert [n["note"] for n in sections["private_notes"]] == [NOTE_TEXT]
    assert [s["status"] for s in sections["sessions"]] == ["Held"]
    record = [r for r in sections["form_responses"] if r["written_by"] == "You"]
    assert [r["answers"] for r in record] == [
        [{"question": "Planned agenda", "answer": RECORD_TEXT}]
    ]
    mentorship = sections["mentorships"][0]
    assert mentorship["with"] == [{"name": "Enid Mentee", "role": "Mentee"}]
    assert sections["rematch_requests"] == []


def test_the_mentee_gets_her_reflection_and_her_reason_for_a_new_mentor(client, scene):
    sections = json_of(client, scene.enid.person.user)["sections"]

    assert sections["rematch_requests"] == [
        {
            "scheme": scene.scheme.name,
            "asked_at": privacy.plain(scene.rematch.created_at),
            "your_reason": REMATCH_REASON,
            "handled_at": None,
        }
    ]
    mine = [r for r in sections["form_responses"] if r["written_by"] == "You"]
    assert [(r["form"], r["answers"]) for r in mine] == [
        (
            "Post-session reflection",
            [{"question": "What are the key issues that arose?", "answer": REFLECTION_TEXT}],
        )
    ]
    assert sections["mentorships"][0]["how_it_ended"] == "The mentee asked for a different mentor"
    # The pair's session record, which she reads anyway, is hers to download; Mona's note is not.
    assert RECORD_TEXT in json.dumps(sections)
    assert NOTE_TEXT not in json.dumps(sections)


def test_the_mentor_never_gets_the_mentees_confidential_words(client, scene):
    as_json = json.dumps(json_of(client, scene.mona.person.user))
    as_pdf = pdf_text(client, scene.mona.person.user)

    for confidential in (REMATCH_REASON, REFLECTION_TEXT):
        assert confidential not in as_json
        assert confidential not in as_pdf
    assert "different mentor" not in as_json


def test_the_mentor_is_told_only_that_the_mentorship_ended(client, scene):
    mentorship = json_of(client, scene.mona.person.user)["sections"]["mentorships"][0]

    assert (mentorship["status"], mentorship["how_it_ended"]) == ("Ended", "Ended")


def test_the_pdf_is_readable_text(client, scene):
    text = pdf_text(client, scene.mona.person.user)

    assert "Your data held by" in text
    assert "Professional registrations" in text
    assert "7123456" in text
    assert NOTE_TEXT in text
    assert "289.00" in text


def test_the_page_lists_what_is_held_and_links_both_downloads(client, scene):
    sign_in(client, scene.mona.person.user)

    response = client.get(reverse("my_data"))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("my_data_json") in html and reverse("my_data_pdf") in html
    assert "Professional registrations" in html
    assert response["Cache-Control"] == "no-store"


def test_the_details_page_links_to_the_data_page(client, scene):
    sign_in(client, scene.mona.person.user)

    assert reverse("my_data") in client.get(reverse("my_details")).content.decode()


@pytest.mark.parametrize("name", ["my_data", "my_data_json", "my_data_pdf"])
def test_nobody_signed_in_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["my_data_json", "my_data_pdf"])
def test_downloads_are_not_kept_in_any_cache(client, scene, name):
    sign_in(client, scene.mona.person.user)

    assert client.get(reverse(name))["Cache-Control"] == "no-store"


def test_only_your_own_data_whatever_the_address_says(client, scene):
    """There is no id in the URL; a query naming someone else changes nothing."""
    sign_in(client, scene.enid.person.user)

    response = client.get(reverse("my_data_json"), {"person": scene.mona.person.pk})

    data = json.loads(response.content)
    assert data["email"] == "enid@example.nhs.uk"
    assert "mona.work@example.nhs.uk" not in response.content.decode()
    assert NOTE_TEXT not in response.content.decode()


def test_a_coordinator_without_a_register_entry_gets_their_account_and_messages(client, scene):
    sections = json_of(client, scene.coordinator)["sections"]

    assert list(sections) == ["account", "notifications"]
    assert sections["account"][0]["staff_roles"][0]["role"] == "Coordinator"


def test_each_download_is_recorded_without_its_content(client, scene):
    json_of(client, scene.mona.person.user)
    pdf_text(client, scene.mona.person.user)

    events = AccessEvent.objects.filter(person=scene.mona.person, action="downloaded")
    assert sorted(events.values_list("what", flat=True)) == [
        "their own personal data (JSON)",
        "their own personal data (PDF)",
    ]


def queries_for(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        privacy.personal_data(user)
    return len(queries)


def test_reading_takes_the_same_queries_however_much_is_held(scene):
    mona = scene.mona.person
    queries_for(mona.user)  # warms per-process caches: one query fewer after
    before = queries_for(mona.user)

    with time_machine.travel(TODAY, tick=False):
        for n in range(3):
            Notification.objects.create(
                kind="test", recipient=mona.user, period=str(n), subject=f"S{n}"
            )
            FormResponse.objects.create(
                template=scene.record_template,
                author=mona,
                mentorship=scene.pair_,
                answers={"planned_agenda": f"more {n}"},
            )
            session = MentoringSession.objects.create(
                mentorship=scene.pair_,
                starts_at=scene.session.starts_at - datetime.timedelta(days=7 * (n + 1)),
                duration_minutes=60,
                mode="video",
                status="held",
            )
            PrivateNote.objects.create(session=session, author=mona, text=f"note {n}")
        coordinator_of(scene.icb, email="second@example.nhs.uk")
        UserFactory()

    assert queries_for(mona.user) == before
    assert before <= 40
