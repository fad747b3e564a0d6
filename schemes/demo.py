"""The schemes part of ``seed_demo``: the three preset schemes for the demo ICS, running for a
while — eligible mentors and mentees enrolled, applications waiting for a decision (some from
people who do not meet the rules, so the reasons can be seen), a waiting list over the GP
scheme's cap, and a mentor who left early after funded training."""

import datetime
import random

from django.db.models import Count
from django.utils import timezone

from mentoring.demo import ICB_CODE, OTHER_ICB_CODE, DemoStep
from mentoring.models import Organisation, Person
from schemes import selectors
from schemes.models import (
    Application,
    ApplicationStatus,
    EligibilityCheck,
    Enrolment,
    EnrolmentStatus,
    Intake,
    LeaveKind,
    Scheme,
)
from schemes.presets import load_presets
from schemes.rules import evaluate
from schemes.services import admit_from_waiting_list, record_check, training_cost_recoverable

GP_MENTOR_CAP = 18


def _verdict(person, scheme, role, today, intends=True):
    facts = selectors.person_facts(person, intends_extra_session=intends)
    return evaluate(selectors.rule_rows(scheme, role), facts, selectors.scheme_facts(scheme), today)


def build(rng: random.Random, today: datetime.date) -> None:
    icb = Organisation.objects.get(code=ICB_CODE)
    for organisation in (icb, Organisation.objects.get(code=OTHER_ICB_CODE)):
        load_presets(organisation=organisation)
    schemes = selectors.with_rules(Scheme.objects.filter(owner=icb).select_related("owner"))
    closes = max(today, timezone.localdate()) + datetime.timedelta(days=90)
    for scheme in schemes:
        Intake.objects.create(
            scheme=scheme,
            name="2026/27 intake",
            opens_on=today - datetime.timedelta(days=30),
            closes_on=closes,
        )
        if scheme.profession == "gp":
            scheme.mentor_cap = GP_MENTOR_CAP
            scheme.save(update_fields=["mentor_cap"])
        _populate(scheme, rng, today)


def _populate(scheme: Scheme, rng: random.Random, today: datetime.date) -> None:
    people = list(
        selectors.with_facts(Person.objects.filter(profession=scheme.profession))
        .filter(organisation__path__startswith=scheme.owner.path)
        .select_related("user")
        .order_by("user__email")
    )
    mentors = [p for p in people if p.profile]
    mentees = [p for p in people if not p.profile]
    cohorts = list(scheme.cohorts.all())

    enrolled_mentors = 0
    for person in mentors:
        verdict = _verdict(person, scheme, "mentor", today)
        if not verdict.eligible:
            # People who do not meet the rules apply anyway: coordinators see exactly why not.
            _application(person, scheme, "mentor", verdict, today, ApplicationStatus.SUBMITTED)
            continue
        if scheme.mentor_cap is not None and enrolled_mentors >= scheme.mentor_cap:
            _application(person, scheme, "mentor", verdict, today, ApplicationStatus.WAITING_LIST)
            continue
        enrolled_mentors += 1
        capacity = rng.randint(scheme.mentor_capacity_min, scheme.mentor_capacity_max)
        _enrol(
            person,
            scheme,
            "mentor",
            verdict,
            today - datetime.timedelta(days=rng.randint(60, 400)),
            capacity=capacity,
        )

    for n, person in enumerate(mentees):
        verdict = _verdict(person, scheme, "mentee", today, intends=None)
        cohort = (
            cohorts[0] if (n % 5 < 3 or len(cohorts) == 1) else cohorts[1 + n % (len(cohorts) - 1)]
        )
        if n % 10 == 9 or not verdict.eligible:
            _application(
                person, scheme, "mentee", verdict, today, ApplicationStatus.SUBMITTED, cohort=cohort
            )
            continue
        _enrol(
            person,
            scheme,
            "mentee",
            verdict,
            today - datetime.timedelta(days=rng.randint(10, 200)),
            cohort=cohort,
        )

    if scheme.profession == "gp":
        _one_leaves_early(scheme, today)
        admit_from_waiting_list(scheme=scheme)


def _application(person, scheme, role, verdict, today, status, cohort=None) -> Application:
    check = record_check(
        person=person,
        scheme=scheme,
        role=role,
        verdict=verdict,
        purpose=EligibilityCheck.Purpose.APPLICATION,
        by=person.user,
    )
    application = Application.objects.create(
        person=person,
        scheme=scheme,
        intake=scheme.intakes.first(),
        role=role,
        status=status,
        motivation="I would like to give back and support colleagues early in their careers."
        if role == "mentor"
        else "",
        hopes="Help settling into my first post and planning my career."
        if role == "mentee"
        else "",
        clinical_sessions_per_week=person.clinical_sessions_per_week,
        intends_extra_session=True if role == "mentor" else None,
        cohort=cohort,
        eligibility_check=check,
        decided_at=timezone.now() if status == ApplicationStatus.WAITING_LIST else None,
    )
    return application


def _enrol(person, scheme, role, verdict, joined_on, *, capacity=None, cohort=None) -> Enrolment:
    record_check(
        person=person,
        scheme=scheme,
        role=role,
        verdict=verdict,
        purpose=EligibilityCheck.Purpose.IMPORT,
        by=None,
    )
    return Enrolment.objects.create(
        person=person,
        scheme=scheme,
        role=role,
        capacity=capacity,
        cohort=cohort if role == "mentee" else None,
        clinical_sessions_per_week=person.clinical_sessions_per_week if role == "mentor" else None,
        joined_on=joined_on,
        eligible_until=verdict.valid_until,
    )


def _one_leaves_early(scheme: Scheme, today: datetime.date) -> None:
    """A mentor whose training the scheme funded, leaving within the 12-month minimum stay."""
    enrolment = (
        Enrolment.objects.filter(
            scheme=scheme, role="mentor", person__training_records__status="planned"
        )
        .exclude(person__user__email="mentor@example.org")
        .order_by("person__user__email")
        .first()
    )
    if enrolment is None:
        return
    enrolment.funded_training = enrolment.person.training_records.first()
    enrolment.joined_on = today - datetime.timedelta(days=150)
    enrolment.left_on = today - datetime.timedelta(days=7)
    enrolment.status = EnrolmentStatus.LEFT
    enrolment.leave_kind = LeaveKind.LEFT
    enrolment.leave_reason = "Took on a partnership and no longer has the time."
    enrolment.training_cost_recoverable = training_cost_recoverable(enrolment)
    enrolment.save()


def counts() -> dict[str, int]:
    by_role = dict(
        Enrolment.objects.filter(left_on__isnull=True).values_list("role").annotate(n=Count("pk"))
    )
    return {
        "schemes": Scheme.objects.count(),
        "mentors enrolled": by_role.get("mentor", 0),
        "mentees enrolled": by_role.get("mentee", 0),
        "applications waiting": Application.objects.filter(
            status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING_LIST]
        ).count(),
    }


STEP = DemoStep(name="schemes", build=build, counts=counts)
