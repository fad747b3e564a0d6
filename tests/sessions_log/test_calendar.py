"""The calendar file of a session: a valid VCALENDAR with one VEVENT, its UID fixed for the
session, times in UTC, a summary and a location; attached to the "session planned" e-mail, made
when the message is sent. Also the notifications' generic attachments."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from mentoring.models import Notification
from mentoring.notifications import KINDS, NotificationKind, render
from sessions_log import calendar, services
from sessions_log.models import MentoringSession
from tests.factories import UserFactory
from tests.sessions_log.sessions_scene import SessionScene

pytestmark = pytest.mark.django_db

LONDON = timezone.get_default_timezone()


def london(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args), LONDON)


def parse(ics: str) -> dict[str, str]:
    """The properties of the VEVENT (after unfolding), and the calendar's own."""
    assert ics.endswith("\r\n")
    lines = ics.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = []
    for line in lines:
        if line.startswith(" "):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    assert unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-1] == "END:VCALENDAR"
    assert unfolded.count("BEGIN:VEVENT") == 1 and unfolded.count("END:VEVENT") == 1
    props = {}
    for line in unfolded:
        name, _, value = line.partition(":")
        props.setdefault(name, value)
    return props


@pytest.fixture
def scene():
    return SessionScene()


@pytest.fixture
def mona(scene):
    return scene.mentor("Mona Mentor")


@pytest.fixture
def enid(scene):
    return scene.mentee("Enid Mentee")


@pytest.fixture
def pair(scene, mona, enid):
    return scene.pair(mona, enid)


@override_settings(SITE_URL="https://mentoring.example.nhs.uk")
def test_the_file_is_one_event_with_utc_times_summary_and_location(scene, mona, pair):
    session = scene.plan(
        pair,
        mona,
        starts_at=london(2030, 7, 3, 14, 30),  # British Summer Time: 13:30 UTC
        minutes=90,
        mode="in_person",
        location="Room 2, Riverside Practice; ask at reception",
    )

    props = parse(calendar.session_ics(session))

    assert props["VERSION"] == "2.0"
    assert props["PRODID"]
    assert props["UID"] == f"mentoring-session-{session.pk}@mentoring.example.nhs.uk"
    assert props["DTSTART"] == "20300703T133000Z"
    assert props["DTEND"] == "20300703T150000Z"
    assert props["DTSTAMP"].endswith("Z")
    assert props["SUMMARY"] == "Mentoring session: Mona Mentor and Enid Mentee"
    assert props["LOCATION"] == r"Room 2\, Riverside Practice\; ask at reception"
    assert props["STATUS"] == "CONFIRMED"
    assert props["URL"] == f"https://mentoring.example.nhs.uk/sessions/{session.pk}/"


def test_winter_times_are_utc_too(scene, mona, pair):
    session = scene.plan(pair, mona, starts_at=london(2030, 1, 15, 9, 0), minutes=60)

    props = parse(calendar.session_ics(session))

    assert (props["DTSTART"], props["DTEND"]) == ("20300115T090000Z", "20300115T100000Z")


def test_the_uid_stays_and_the_sequence_grows_when_the_session_changes(scene, mona, pair):
    session = scene.plan(pair, mona, starts_at=london(2030, 7, 3, 14, 30))
    MentoringSession.objects.filter(pk=session.pk).update(
        updated_at=session.updated_at - datetime.timedelta(minutes=5)
    )
    session.refresh_from_db()
    before = parse(calendar.session_ics(session))

    services.update_session(
        session=session,
        by=mona.person.user,
        starts_at=london(2030, 7, 4, 10, 0),
        duration_minutes=60,
        mode="video",
    )
    session.refresh_from_db()
    after = parse(calendar.session_ics(session))

    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["DTSTART"] == "20300704T090000Z"
    assert after["LOCATION"] == "Video call"


def test_a_long_description_is_folded_at_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "Café ☕ " * 40

    folded = calendar.fold(line)

    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line


def test_text_values_are_escaped():
    assert calendar.escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


def test_a_cancelled_session_is_a_cancelled_event(scene, mona, pair):
    session = scene.plan(pair, mona, starts_at=london(2020, 1, 15, 9, 0))
    session = services.log_session(session=session, by=mona.person.user, outcome="cancelled")

    assert parse(calendar.session_ics(session))["STATUS"] == "CANCELLED"


def test_the_session_planned_email_carries_the_calendar_file(
    scene, mona, enid, pair, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session = scene.plan(pair, mona, starts_at=london(2030, 7, 3, 14, 30))

    [email] = mail.outbox
    assert email.to == [enid.person.user.email]
    assert "Wednesday 3 July 2030 at 14:30" in email.subject
    assert "Wednesday 3 July 2030 at 14:30, 60 minutes" in email.body
    [(filename, content, mimetype)] = email.attachments
    assert filename == "mentoring-session-2030-07-03.ics"
    assert mimetype == "text/calendar"
    assert parse(content)["UID"] == calendar.uid_of(session)


def test_the_file_is_made_when_the_email_is_sent_and_left_off_if_the_session_is_gone(
    scene, mona, pair
):
    session = scene.plan(pair, mona)
    notification = Notification.objects.get(kind="session_planned")
    services.delete_session(session=session, by=mona.person.user)

    assert render(notification).attachments == []


def test_any_notification_kind_can_attach_files():
    class Borrowed(NotificationKind):
        """A kind that borrows an existing kind's e-mail templates."""

        @property
        def template(self) -> str:
            return "emails/mentorship_ended"

    code = "test_with_attachment"
    KINDS[code] = Borrowed(
        code=code,
        subject="With a file",
        attachments=lambda n: [("a.txt", f"for {n.recipient.email}", "text/plain")],
    )
    try:
        user = UserFactory(email="reader@example.nhs.uk")
        notification = Notification.objects.create(
            kind=code, recipient=user, subject="With a file", context={"scheme": "S"}
        )

        message = render(notification)
    finally:
        KINDS.pop(code)

    assert message.attachments == [("a.txt", "for reader@example.nhs.uk", "text/plain")]
    assert message.alternatives[0].mimetype == "text/html"


def test_a_kind_without_attachments_sends_none(scene, mona, pair):
    scene.held(pair, mona)
    notification = Notification.objects.filter(kind="session_first_held").first()

    assert render(notification).attachments == []
