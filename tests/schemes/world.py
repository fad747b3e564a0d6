"""A small ICS with the preset schemes and people who do (or do not) meet their rules."""

import datetime
from decimal import Decimal

from mentoring.models import RegistrationStatus
from schemes.models import Intake, Scheme
from schemes.presets import load_presets
from tests.factories import (
    IcbFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    TrainingRecordFactory,
    coordinator_of,
)


def schemes_for(icb) -> dict[str, Scheme]:
    load_presets(organisation=icb)
    schemes = {s.slug.split("-", 1)[1]: s for s in Scheme.objects.filter(owner=icb)}
    for scheme in schemes.values():
        Intake.objects.create(
            scheme=scheme,
            name="Open intake",
            opens_on=datetime.date(2020, 1, 1),
            closes_on=datetime.date(2099, 12, 31),
        )
    return schemes


def gp_mentor(practice, *, sessions="4", email=None, **registration):
    """A GP who meets every rule of the GP Supporting Mentors Scheme."""
    fields = {"organisation": practice, "clinical_sessions_per_week": Decimal(sessions)}
    if email:
        fields["user__email"] = email
    person = PersonFactory(**fields)
    RegistrationFactory(person=person, **registration)
    TrainingRecordFactory(
        person=person, kind="ilm5", status="completed", date=datetime.date(2023, 5, 1)
    )
    return person


def gp_fellow(practice):
    person = PersonFactory(organisation=practice)
    RegistrationFactory(
        person=person, status=RegistrationStatus.REGISTERED, qualified_on=datetime.date(2025, 8, 6)
    )
    return person


MENTOR_ANSWERS = {
    "motivation": "I want to give back.",
    "clinical_sessions_per_week": Decimal("4"),
    "intends_extra_session": True,
    "preferred_mentees": 6,
    "mentoring_plan": "Monthly sessions with fellows in our PCN.",
}


def world(coordinator_email="coordinator@example.nhs.uk"):
    icb = IcbFactory(name="NHS Test ICB")
    practice = OrganisationFactory(parent=OrganisationFactory(parent=icb, kind="pcn"))
    return {
        "icb": icb,
        "practice": practice,
        "schemes": schemes_for(icb),
        "coordinator": coordinator_of(icb, email=coordinator_email),
    }
