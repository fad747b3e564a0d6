"""A mentor and a mentee with something in every part of the service, for the data-rights tests
(subject access, erasure): Mona mentors Enid on a paid scheme; Mona has a registration, a
training record, a claim paid in an approved run and a session record and private note; Enid
wrote a reflection (shared with Mona) and asked, in confidence, for a different mentor.

Built at a fixed moment (15 June 2026): use inside ``time_machine.travel(TODAY)``.
"""

import datetime

from django.utils import timezone

from matching import services as matching
from reimbursement import claims, runs
from sessions_log.models import FormKind, FormResponse, PrivateNote, Readers
from tests.factories import RegistrationFactory
from tests.reimbursement.scene import ClaimScene
from tests.sessions_log.factories import FormTemplateFactory
from tests.sessions_log.sessions_scene import days_ago

TODAY = datetime.datetime(2026, 6, 15, 12)
APRIL = datetime.date(2026, 4, 1)
RATE_TEXT = "289.00"

REFLECTION_TEXT = "Enid's own worry about her partners"
RECORD_TEXT = "Mona's agenda for the pair"
NOTE_TEXT = "Mona's private note about the session"
REMATCH_REASON = "Enid finds Mona talks over her"
ACTIVITY_TEXT = "Preparation and travel for Enid"


def week(day: int, month: int) -> datetime.date:
    return claims.week_of(datetime.date(2026, month, day))


class PrivacyScene(ClaimScene):
    def __init__(self):
        super().__init__()
        mona = self.mona.person
        mona.work_email = "mona.work@example.nhs.uk"
        mona.work_phone = "020 7946 0001"
        mona.profile = "I mentor GPs new to partnership."
        mona.payee_reference = "PAY-MONA-1"
        mona.save()
        self.registration = RegistrationFactory(person=mona, number="7123456")

        self.session = self.held(self.pair_, self.mona, starts_at=days_ago(10))
        self.record = FormResponse.objects.create(
            template=self.record_template,
            author=mona,
            mentorship=self.pair_,
            session=self.session,
            answers={"planned_agenda": RECORD_TEXT},
            status=FormResponse.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        self.reflection_template = FormTemplateFactory(
            kind=FormKind.POST_SESSION, readers=Readers.AUTHOR, title="Post-session reflection"
        )
        self.reflection = FormResponse.objects.create(
            template=self.reflection_template,
            author=self.enid.person,
            mentorship=self.pair_,
            session=self.session,
            answers={"key_issues": REFLECTION_TEXT},
            status=FormResponse.Status.SUBMITTED,
            submitted_at=timezone.now(),
            shared_with_mentor=True,
            shared_at=timezone.now(),
        )
        self.note = PrivateNote.objects.create(session=self.session, author=mona, text=NOTE_TEXT)

        self.claim_ = claims.approve_claim(
            claim=self.claim(week(20, 4), activity=ACTIVITY_TEXT), by=self.coordinator
        )
        self.run = self.build(APRIL).run
        runs.approve_run(run=self.run, by=self.finance)

        self.rematch = matching.request_rematch(
            mentorship=self.pair_, user=self.enid.person.user, reason=REMATCH_REASON
        )
