"""A scheme with a mentorship to hold sessions in: the matching scene (an ICB, its practices and
coordinator) plus finance, the scheme's own session record form, and helpers for times."""

import datetime

from django.utils import timezone

from matching import services as matching
from sessions_log import services
from sessions_log.models import FormKind, Readers
from tests.factories import finance_of
from tests.matching.pairs import Scene
from tests.sessions_log.factories import FormTemplateFactory

RECORD_QUESTIONS = [
    {
        "key": "planned_agenda",
        "type": "long_text",
        "text": "Planned agenda",
        "help": "The issues/events that you would like to focus on at this meeting.",
        "required": True,
    },
    {
        "key": "since_last",
        "type": "long_text",
        "text": "What has happened since the last session?",
    },
    {
        "key": "issues_for_action",
        "type": "long_text",
        "text": "What issues for action have been identified this session?",
    },
    {
        "key": "mentor_reflection",
        "type": "long_text",
        "text": "Mentor's reflection for the pair",
        "roles": ["mentor"],
    },
]


def days_ago(days: float, hour: int = 10) -> datetime.datetime:
    """An aware time ``days`` before today at ``hour`` o'clock, London time."""
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def days_ahead(days: float, hour: int = 10) -> datetime.datetime:
    return days_ago(-days, hour)


class SessionScene(Scene):
    def __init__(self, **scheme_fields):
        super().__init__()
        for name, value in scheme_fields.items():
            setattr(self.scheme, name, value)
        if scheme_fields:
            self.scheme.save()
        self.finance = finance_of(self.icb)
        self.record_template = FormTemplateFactory(
            scheme=self.scheme,
            family="session-record",
            kind=FormKind.SESSION_RECORD,
            title="Mentoring template document",
            readers=Readers.PAIR,
            questions=[dict(q) for q in RECORD_QUESTIONS],
        )

    def pair(self, mentor, mentee):
        return matching.create_mentorship(
            mentors=[mentor], mentees=[mentee], source="manual", by=None
        )

    def group(self, mentor, *mentees):
        return matching.create_mentorship(
            mentors=[mentor], mentees=list(mentees), source="manual", by=None, kind="group"
        )

    @staticmethod
    def plan(mentorship, mentor, *, starts_at=None, minutes=60, **fields):
        return services.plan_session(
            mentorship=mentorship,
            by=mentor.person.user,
            starts_at=starts_at or days_ahead(7),
            duration_minutes=minutes,
            mode=fields.pop("mode", "video"),
            location=fields.pop("location", "https://meet.example.nhs.uk/mona"),
            **fields,
        )

    @classmethod
    def held(cls, mentorship, mentor, *, starts_at=None, **fields):
        session = cls.plan(mentorship, mentor, starts_at=starts_at or days_ago(1), **fields)
        return services.log_session(session=session, by=mentor.person.user, outcome="held")
