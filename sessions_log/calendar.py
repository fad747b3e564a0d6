"""A session as an iCalendar file (RFC 5545), to download or to find attached to its e-mail.

One VEVENT per session, its UID fixed for the session so a changed time updates the same entry in
the person's calendar (SEQUENCE grows with each change); times in UTC. Only what the pair already
know goes in: when, how long, how and where, who, and a link to the session page — never what
was said.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from matching.models import MentorshipMember
from schemes.models import ParticipantRole
from sessions_log.models import MentoringSession, SessionStatus

MIMETYPE = "text/calendar"
LINE_OCTETS = 75


def _site() -> tuple[str, str]:
    url = settings.SITE_URL.rstrip("/")
    return url, urlsplit(url).hostname or "mentoring.invalid"


def uid_of(session: MentoringSession) -> str:
    return f"mentoring-session-{session.pk}@{_site()[1]}"


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, line breaks as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (never splitting a
    UTF-8 character)."""
    out, current, size = [], "", 0
    for char in line:
        octets = len(char.encode())
        limit = LINE_OCTETS if not out else LINE_OCTETS - 1
        if size + octets > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += octets
    out.append(current)
    return "\r\n ".join(out)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def filename_of(session: MentoringSession) -> str:
    return f"mentoring-session-{timezone.localdate(session.starts_at):%Y-%m-%d}.ics"


def people_of(session: MentoringSession) -> list[str]:
    """The mentors of the mentorship, then the mentees the session is with."""
    members = (
        MentorshipMember.objects.filter(mentorship_id=session.mentorship_id)
        .filter(Q(role=ParticipantRole.MENTOR) | Q(attendance__session=session))
        .select_related("enrolment__person__user")
        .order_by("-role", "pk")
        .distinct()
    )
    return [m.enrolment.person.full_name for m in members]


def session_ics(session: MentoringSession, *, people: list[str] | None = None) -> str:
    """The session as a VCALENDAR with one VEVENT. ``people`` are the names of who it is with
    (read from the session's mentorship when not given)."""
    site_url, _host = _site()
    if people is None:
        people = people_of(session)
    scheme = session.mentorship.scheme.name
    names = " and ".join(filter(None, [", ".join(people[:-1]), people[-1] if people else ""]))
    link = site_url + reverse("session_detail", args=[session.pk])
    ends_at = session.starts_at + datetime.timedelta(minutes=session.duration_minutes)
    description = (
        f"{scheme}. {session.get_mode_display()}, {session.duration_minutes} minutes.\n"
        f"The session page: {link}"
    )
    cancelled = session.status == SessionStatus.CANCELLED
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{settings.SERVICE_NAME}//Mentoring sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid_of(session)}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"SEQUENCE:{int(session.updated_at.timestamp()) if session.updated_at else 0}",
        f"DTSTART:{_utc(session.starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{escape(f'Mentoring session: {names}' if names else 'Mentoring session')}",
        f"LOCATION:{escape(session.location or session.get_mode_display())}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{link}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)


def attachment_for(notification) -> list[tuple[str, str, str]]:
    """The session's calendar file, made when the e-mail is sent (none if it was deleted)."""
    session = (
        MentoringSession.objects.select_related("mentorship__scheme")
        .filter(pk=notification.context.get("session_id"))
        .first()
    )
    if session is None:
        return []
    return [(filename_of(session), session_ics(session), MIMETYPE)]
