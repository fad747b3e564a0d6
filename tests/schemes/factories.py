"""Factories for schemes, their intakes, cohorts and rules, applications and enrolments.

They make valid rows with no eligibility rules unless asked for, so a test sets up only what it is
about. For the preset schemes with the source documents' rules, use ``tests.schemes.world``.

    scheme = SchemeFactory(open_for="mentor")              # an intake open today for mentors
    EligibilityRuleFactory(scheme=scheme, code="min_clinical_sessions_per_week",
                           params={"minimum": "3"})
    MentorEnrolmentFactory(scheme=scheme, person__organisation=practice)
    MenteeEnrolmentFactory(scheme=scheme, cohort=CohortFactory(scheme=scheme))
    ApplicationFactory(scheme=scheme, person=person, with_check=True)
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from mentoring.models import Profession
from schemes import models
from schemes.models import ApplicationStatus, EnrolmentStatus, ParticipantRole, Severity
from tests.factories import IcbFactory, PersonFactory

A_MONTH = datetime.timedelta(days=30)


class SchemeFactory(DjangoModelFactory):
    """A GP scheme owned by a new ICB, taking 4–8 mentees a mentor, no rules, no intakes.

    ``open_for="mentor" | "mentee" | "both"`` adds an intake open from a month ago to a month
    from today (``timezone.localdate()``, so it follows time-machine).
    """

    class Meta:
        model = models.Scheme
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"scheme-{n}")
    name = factory.Sequence(lambda n: f"Mentoring scheme {n}")
    owner = factory.SubFactory(IcbFactory)
    profession = Profession.GP
    description = "Experienced clinicians mentor colleagues new to their role."
    starts_on = datetime.date(2024, 4, 1)
    mentor_capacity_min = 4
    mentor_capacity_max = 8
    session_minutes = 60
    meet_every_weeks = 4

    @factory.post_generation
    def open_for(obj, create, role, **kwargs):
        if create and role:
            IntakeFactory(scheme=obj, role=role)


class IntakeFactory(DjangoModelFactory):
    """An intake open today; pass ``closed=True`` for one that closed yesterday."""

    class Meta:
        model = models.Intake

    class Params:
        closed = factory.Trait(
            opens_on=factory.LazyFunction(lambda: timezone.localdate() - 2 * A_MONTH),
            closes_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=1)
            ),
        )

    scheme = factory.SubFactory(SchemeFactory)
    name = factory.Sequence(lambda n: f"Intake {n}")
    role = models.Intake.BOTH
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - A_MONTH)
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + A_MONTH)


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = models.Cohort

    scheme = factory.SubFactory(SchemeFactory)
    slug = factory.Sequence(lambda n: f"cohort-{n}")
    name = factory.Sequence(lambda n: f"Cohort {n}")
    priority = 1


class EligibilityRuleFactory(DjangoModelFactory):
    """A required mentor rule; by default "at least 3 clinical sessions a week"."""

    class Meta:
        model = models.EligibilityRule

    scheme = factory.SubFactory(SchemeFactory)
    role = ParticipantRole.MENTOR
    code = "min_clinical_sessions_per_week"
    params = factory.LazyAttribute(
        lambda rule: {"minimum": "3"} if rule.code == "min_clinical_sessions_per_week" else {}
    )
    severity = Severity.REQUIRED
    position = factory.Sequence(int)


class ApplicationFactory(DjangoModelFactory):
    """A mentor's application waiting for a decision, with complete answers.

    Made directly, not through ``services.submit_application``: no intake is needed and nothing is
    checked or sent. ``with_check=True`` stores the scheme's verdict on the person as the check
    made on submission, as the service does.
    """

    class Meta:
        model = models.Application
        skip_postgeneration_save = True

    class Params:
        mentee = factory.Trait(
            role=ParticipantRole.MENTEE,
            motivation="",
            clinical_sessions_per_week=None,
            intends_extra_session=None,
            preferred_mentees=None,
            mentoring_plan="",
            hopes="Confidence in my first year of practice.",
        )
        rejected = factory.Trait(
            status=ApplicationStatus.REJECTED,
            decided_at=factory.LazyFunction(timezone.now),
            feedback="You do not yet work enough clinical sessions a week.",
            how_to_reapply="Apply again at the next intake once you work 3 sessions a week.",
        )
        waiting = factory.Trait(
            status=ApplicationStatus.WAITING_LIST, decided_at=factory.LazyFunction(timezone.now)
        )

    person = factory.SubFactory(PersonFactory)
    scheme = factory.SubFactory(SchemeFactory)
    role = ParticipantRole.MENTOR
    status = ApplicationStatus.SUBMITTED
    motivation = "I want to help colleagues new to general practice."
    clinical_sessions_per_week = Decimal("4")
    intends_extra_session = True
    preferred_mentees = 4
    mentoring_plan = "An hour every four weeks with each mentee, at the practice or by video."
    hopes = ""

    @factory.post_generation
    def focus_areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.focus_areas.set(extracted)

    @factory.post_generation
    def with_check(obj, create, extracted, **kwargs):
        if create and extracted:
            from schemes import services

            verdict = services.verdict_for_application(obj)
            obj.eligibility_check = services.record_check(
                person=obj.person,
                scheme=obj.scheme,
                role=obj.role,
                verdict=verdict,
                purpose=models.EligibilityCheck.Purpose.APPLICATION,
                by=obj.person.user,
            )
            obj.save(update_fields=["eligibility_check"])


class EnrolmentFactory(DjangoModelFactory):
    """An active mentor taking 4 mentees, joined on 1 September 2025."""

    class Meta:
        model = models.Enrolment

    class Params:
        paused = factory.Trait(
            status=EnrolmentStatus.PAUSED,
            paused_on=datetime.date(2026, 1, 5),
            pause_reason="Subject to interim suspension under section 41A of the Medical Act 1983.",
        )
        left = factory.Trait(
            status=EnrolmentStatus.LEFT,
            left_on=datetime.date(2026, 1, 31),
            leave_kind=models.LeaveKind.LEFT,
            leave_reason="Moved to another area.",
        )

    person = factory.SubFactory(PersonFactory)
    scheme = factory.SubFactory(SchemeFactory)
    role = ParticipantRole.MENTOR
    status = EnrolmentStatus.ACTIVE
    capacity = 4
    clinical_sessions_per_week = factory.LazyAttribute(
        lambda e: e.person.clinical_sessions_per_week
    )
    joined_on = datetime.date(2025, 9, 1)


class MentorEnrolmentFactory(EnrolmentFactory):
    pass


class MenteeEnrolmentFactory(EnrolmentFactory):
    """An active mentee, in ``cohort`` if given (none by default)."""

    role = ParticipantRole.MENTEE
    capacity = None
    clinical_sessions_per_week = None
