import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from mentoring import models
from mentoring.models import Role
from mentoring.roles import grant_role

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.nhs.uk")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.django.Password(TEST_PASSWORD)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = models.Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ORG{n:04d}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = models.Organisation.Kind.PRACTICE
    parent = None


class IcbFactory(OrganisationFactory):
    code = factory.Sequence(lambda n: f"QICB{n}")
    name = factory.Sequence(lambda n: f"Integrated Care Board {n}")
    kind = models.Organisation.Kind.ICB


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = models.Person

    user = factory.SubFactory(UserFactory)
    profession = models.Profession.GP
    organisation = factory.SubFactory(OrganisationFactory)
    department = "General practice"
    region = "London"
    clinical_sessions_per_week = Decimal("4")


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = models.ProfessionalRegistration

    person = factory.SubFactory(PersonFactory)
    register = models.Register.GMC
    number = factory.Sequence(lambda n: f"{7000000 + n}")
    status = models.RegistrationStatus.REGISTERED
    licence_to_practise = True
    on_performers_list = True
    qualified_on = datetime.date(2010, 8, 1)


class TrainingRecordFactory(DjangoModelFactory):
    class Meta:
        model = models.TrainingRecord

    person = factory.SubFactory(PersonFactory)
    kind = models.TrainingKind.ILM5
    status = models.TrainingStatus.COMPLETED
    date = datetime.date(2024, 3, 1)


class WorkingRelationshipFactory(DjangoModelFactory):
    class Meta:
        model = models.WorkingRelationship

    supervisor = factory.SubFactory(PersonFactory)
    supervisee = factory.SubFactory(PersonFactory)
    kind = models.RelationshipKind.LINE_MANAGER
    start_date = datetime.date(2024, 1, 1)


def coordinator_of(*organisations, email=None, **user_fields):
    """A coordinator user scoped to the given organisations."""
    user = UserFactory(**({"email": email} if email else {}), **user_fields)
    for organisation in organisations:
        grant_role(user=user, role=Role.COORDINATOR, organisation=organisation)
    return user


def finance_of(*organisations, **user_fields):
    user = UserFactory(**user_fields)
    for organisation in organisations:
        grant_role(user=user, role=Role.FINANCE, organisation=organisation)
    return user
