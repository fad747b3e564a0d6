"""Everyone a form response's confidentiality is about, on one scheme of one ICB.

* Enid Mentee and Mona Mentor in an active mentorship (they have met);
* Otto Other and Olga Other in another mentorship of the same scheme;
* the scheme's coordinator, a coordinator of another ICB, finance for the scheme's ICB and a
  superuser.

Templates are the scheme's own (``FormTemplateFactory(scheme=…)``), so a test does not depend on
the defaults the data migration ships.
"""

import datetime

import pytest
from django.utils import timezone

from matching import services
from sessions_log.models import FormKind, FormResponse, MentoringSession, Readers
from tests import auth
from tests.factories import IcbFactory, UserFactory, coordinator_of, finance_of
from tests.matching.pairs import Scene
from tests.sessions_log.factories import FormTemplateFactory

SECRET = "SECRET-ANSWER about my portfolio"
WHO = (
    "anonymous",
    "author",
    "own_mentor",
    "other_mentor",
    "other_mentee",
    "coordinator",
    "other_coordinator",
    "finance",
    "superuser",
)

CASES = {
    # case: (kind, readers, shared, survey)
    "private": (FormKind.POST_SESSION, Readers.AUTHOR, False, False),
    "shared": (FormKind.POST_SESSION, Readers.AUTHOR, True, False),
    "pair": (FormKind.AGREEMENT, Readers.PAIR, False, False),
    "pair_and_coordinators": (FormKind.POST_SESSION, Readers.PAIR_AND_COORDINATORS, False, False),
    "aggregate": (FormKind.BASELINE_SURVEY, Readers.COORDINATORS_AGGREGATE, False, True),
}
TYPED_QUESTIONS = [
    {
        "key": "confidence",
        "type": "scale",
        "text": "How confident do you feel in prescribing?",
        "required": True,
        "min": 1,
        "max": 5,
        "labels": {"1": "Not at all confident", "5": "Confident"},
    },
    {"key": "met_on", "type": "date", "text": "When did you first meet?"},
    {
        "key": "sector",
        "type": "single_choice",
        "text": "Which sector do you work in?",
        "choices": ["Acute hospital", "Community pharmacy"],
        "other": True,
    },
    {
        "key": "areas",
        "type": "multiple_choice",
        "text": "Which areas did you cover?",
        "choices": ["Leadership", "Career planning"],
    },
    {"key": "recommend", "type": "yes_no", "text": "Would you recommend mentoring?"},
]


def pair(mentor, mentee, *, met=True):
    mentorship = services.create_mentorship(
        mentors=[mentor], mentees=[mentee], source="manual", by=None
    )
    if met:
        mentorship = services.record_meeting(
            mentorship=mentorship,
            held_on=timezone.localdate(),
            attended=[mentor, mentee],
            by=None,
        )
    return mentorship


class Cast:
    def __init__(self):
        self.scene = scene = Scene()
        self.scheme = scene.scheme
        self.mona = scene.mentor("Mona Mentor")
        self.enid = scene.mentee("Enid Mentee")
        self.olga = scene.mentor("Olga Other")
        self.otto = scene.mentee("Otto Other")
        self.mentorship = pair(self.mona, self.enid)
        self.other_mentorship = pair(self.olga, self.otto)
        self.users = {
            "anonymous": None,
            "author": self.enid.person.user,
            "own_mentor": self.mona.person.user,
            "other_mentor": self.olga.person.user,
            "other_mentee": self.otto.person.user,
            "coordinator": scene.coordinator,
            "other_coordinator": coordinator_of(IcbFactory(name="NHS Elsewhere ICB")),
            "finance": finance_of(scene.icb),
            "superuser": UserFactory(is_superuser=True, is_staff=True),
        }

    def template(self, kind=FormKind.POST_SESSION, readers=Readers.AUTHOR, **fields):
        return FormTemplateFactory(scheme=self.scheme, kind=kind, readers=readers, **fields)

    def response(
        self,
        template,
        *,
        answers=None,
        author=None,
        submitted=True,
        shared=False,
        survey=False,
        mentorship=None,
    ) -> FormResponse:
        """A response made directly (not through the service), for reading tests."""
        author = author or self.enid
        now = timezone.now()
        return FormResponse.objects.create(
            template=template,
            author=author.person,
            mentorship=None if survey else (mentorship or self.mentorship),
            enrolment=author if survey else None,
            answers=answers or {"key_issues": SECRET},
            status="submitted" if submitted else "draft",
            submitted_at=now if submitted else None,
            shared_with_mentor=shared,
            shared_at=now if shared else None,
        )

    def session(self, mentorship=None, *, status="held", days_ago=2):
        return MentoringSession.objects.create(
            mentorship=mentorship or self.mentorship,
            starts_at=timezone.now() - datetime.timedelta(days=days_ago),
            duration_minutes=60,
            mode="video",
            status=status,
        )


def sign_in(client, user):
    if user is not None:
        auth.sign_in(client, user)
    return client


@pytest.fixture(scope="module", name="world")
def world_fixture(django_db_setup, django_db_blocker):
    """One cast and one response of each of CASES, made once for a module's many tests (import
    ``world_fixture`` into the module; tests ask for ``world``). Tests that make their own cast belong in another module: these rows
    are there for the whole module."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        cast = Cast()
        made = {}
        for case, (kind, readers, shared, survey) in CASES.items():
            template = cast.template(kind=kind, readers=readers)
            made[case] = cast.response(template, shared=shared, survey=survey)
        yield cast, made
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
