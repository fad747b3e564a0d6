"""A scheme with a known past, for report tests: every row written with the dates the test gives.

Reports count what happened on which day, so their tests need a past set down exactly — a mentor
who joined last April, a first meeting at 23:30 on the last day of a quarter. The services cannot
write one: they stamp today's date, refuse dates in the future of the day they run, check
eligibility and conflicts and send notifications. :class:`History` writes the rows directly
instead, each one valid (the models' constraints hold) and each date the one asked for::

    h = History()                                            # an ICB, its coordinator, a scheme
    ann = h.mentor("Ann Able", joined_on=D(2025, 4, 1), sessions="4")
    h.training(ann, on=D(2025, 6, 1))                        # ILM Level 5, completed
    kim = h.mentee("Kim Kay", joined_on=D(2025, 10, 1), cohort=h.fellows)
    pair = h.pair(ann, kim, proposed_at=at(D(2025, 10, 5)), met_on=D(2025, 11, 1))
    h.session(pair, at(D(2026, 3, 31), 23, 30))               # held, 23:30 UK time
    h.pause(ann, on=D(2026, 2, 1))
    h.leave(kim, on=D(2026, 3, 15), kind="withdrew", reason="Did not fit my job plan.")
    h.busy(pairs=20, on=D(2026, 2, 1))                       # many more people, for query counts

``History(owner=h.icb)`` adds a second scheme to the same ICB; ``History()`` again makes another
ICB with its own coordinator (whom the first scheme is out of scope for).
"""

import datetime
from decimal import Decimal
from itertools import count

from django.utils import timezone

from matching.models import Mentorship, MentorshipMember, MentorshipStatus
from mentoring.models import TrainingKind, TrainingRecord, TrainingStatus
from schemes.models import Enrolment, EnrolmentStatus, LeaveKind, ParticipantRole
from sessions_log.models import MentoringSession, SessionMode, SessionStatus
from tests.factories import IcbFactory, OrganisationFactory, PersonFactory, coordinator_of
from tests.schemes.factories import CohortFactory, SchemeFactory

D = datetime.date
SCHEME_STARTS_ON = D(2024, 4, 1)
_numbers = count(1)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """``day`` at ``hour``:``minute`` UK time (GMT or BST, whichever was in force), aware."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class History:
    """One scheme of an ICB, with two mentee cohorts (``fellows`` first, then ``mid_career``), a
    practice everyone works in and a coordinator of the ICB; people and events are added by the
    methods below, and every enrolment is kept by name in ``people``."""

    def __init__(self, *, owner=None, name: str | None = None, starts_on=SCHEME_STARTS_ON):
        self.number = next(_numbers)
        self.icb = owner or IcbFactory(name=f"NHS History ICB {self.number}")
        self.practice = OrganisationFactory(parent=self.icb)
        self.scheme = SchemeFactory(
            owner=self.icb,
            slug=f"history-{self.number}",
            name=name or f"Supporting Mentors Scheme {self.number}",
            starts_on=starts_on,
            mentor_capacity_min=1,
        )
        self.fellows = CohortFactory(
            scheme=self.scheme, slug="gp-fellows", name="GP fellows", priority=1
        )
        self.mid_career = CohortFactory(
            scheme=self.scheme, slug="mid-career", name="Mid-career GPs", priority=2
        )
        self.coordinator = coordinator_of(
            self.icb, email=f"coordinator{self.number}@example.nhs.uk"
        )
        self.people: dict[str, Enrolment] = {}

    # people ----------------------------------------------------------------------------------
    def _person(self, name: str, sessions):
        first, last = name.split(maxsplit=1)
        return PersonFactory(
            organisation=self.practice,
            user__email=f"{first}.{last}.{self.number}@example.nhs.uk".lower().replace(" ", ""),
            user__first_name=first,
            user__last_name=last,
            clinical_sessions_per_week=None if sessions is None else Decimal(sessions),
        )

    def mentor(
        self, name: str, *, joined_on: datetime.date, sessions: str | None = "4", capacity=4
    ) -> Enrolment:
        """An active mentor from ``joined_on``, working ``sessions`` clinical sessions a week
        (None: not recorded)."""
        enrolment = Enrolment.objects.create(
            person=self._person(name, sessions),
            scheme=self.scheme,
            role=ParticipantRole.MENTOR,
            capacity=capacity,
            clinical_sessions_per_week=None if sessions is None else Decimal(sessions),
            joined_on=joined_on,
        )
        self.people[name] = enrolment
        return enrolment

    def mentee(self, name: str, *, joined_on: datetime.date, cohort=None) -> Enrolment:
        """An active mentee from ``joined_on``, in ``cohort`` (none by default)."""
        enrolment = Enrolment.objects.create(
            person=self._person(name, None),
            scheme=self.scheme,
            role=ParticipantRole.MENTEE,
            cohort=cohort,
            joined_on=joined_on,
        )
        self.people[name] = enrolment
        return enrolment

    def training(
        self,
        enrolment: Enrolment,
        *,
        on: datetime.date,
        planned: bool = False,
        kind: str = TrainingKind.ILM5,
        funded: bool = False,
    ) -> TrainingRecord:
        """Mentoring training completed (or ``planned``) ``on`` that day; ``funded``: the scheme
        paid for it (the enrolment's funded training)."""
        record = TrainingRecord.objects.create(
            person=enrolment.person,
            kind=kind,
            status=TrainingStatus.PLANNED if planned else TrainingStatus.COMPLETED,
            date=on,
        )
        if funded:
            enrolment.funded_training = record
            enrolment.save(update_fields=["funded_training"])
        return record

    def pause(self, enrolment: Enrolment, *, on: datetime.date, reason="Licence lapsed."):
        """Paused from ``on`` and still paused (the register keeps no past pauses)."""
        enrolment.status = EnrolmentStatus.PAUSED
        enrolment.paused_on = on
        enrolment.pause_reason = reason
        enrolment.save(update_fields=["status", "paused_on", "pause_reason"])
        return enrolment

    def leave(
        self,
        enrolment: Enrolment,
        *,
        on: datetime.date,
        kind: str = LeaveKind.LEFT,
        reason: str = "Moved away.",
    ):
        enrolment.status = EnrolmentStatus.LEFT
        enrolment.left_on = on
        enrolment.leave_kind = kind
        enrolment.leave_reason = reason
        enrolment.save(update_fields=["status", "left_on", "leave_kind", "leave_reason"])
        return enrolment

    # mentorships and sessions ----------------------------------------------------------------
    def pair(
        self,
        mentor: Enrolment,
        *mentees: Enrolment,
        proposed_at: datetime.datetime,
        met_on: datetime.date | None = None,
        ended_on: datetime.date | None = None,
        end_reason: str = "completed",
    ) -> Mentorship:
        """A mentorship proposed at ``proposed_at`` (a group if several mentees), active from its
        first meeting ``met_on`` (attended by everyone), ended ``ended_on`` if given."""
        status = (
            MentorshipStatus.ENDED
            if ended_on
            else MentorshipStatus.ACTIVE
            if met_on
            else MentorshipStatus.PROPOSED
        )
        mentorship = Mentorship.objects.create(
            scheme=self.scheme,
            kind="group" if len(mentees) > 1 else "one_to_one",
            status=status,
            source="manual",
            started_on=met_on,
            ended_on=ended_on,
            end_reason=end_reason if ended_on else "",
        )
        Mentorship.objects.filter(pk=mentorship.pk).update(created_at=proposed_at)
        mentorship.created_at = proposed_at
        MentorshipMember.objects.bulk_create(
            MentorshipMember(
                mentorship=mentorship,
                enrolment=enrolment,
                role=enrolment.role,
                response="accepted" if met_on else "pending",
                first_attended_on=met_on,
                is_open=ended_on is None,
            )
            for enrolment in (mentor, *mentees)
        )
        return mentorship

    def session(
        self, mentorship: Mentorship, starts_at: datetime.datetime, status=SessionStatus.HELD
    ) -> MentoringSession:
        """A one-hour video session starting ``starts_at``, with ``status``."""
        return MentoringSession.objects.create(
            mentorship=mentorship,
            starts_at=starts_at,
            duration_minutes=60,
            mode=SessionMode.VIDEO,
            status=status,
        )

    def busy(self, *, pairs: int, on: datetime.date) -> None:
        """``pairs`` more mentors, each trained and matched with a new mentee on ``on``, with a
        session held that day: more of every kind of row, for query-count tests."""
        for n in range(pairs):
            mentor = self.mentor(f"Busy Mentor{n}", joined_on=on)
            self.training(mentor, on=on)
            mentee = self.mentee(f"Busy Mentee{n}", joined_on=on, cohort=self.fellows)
            pair = self.pair(mentor, mentee, proposed_at=at(on, 9), met_on=on)
            self.session(pair, at(on, 11))
