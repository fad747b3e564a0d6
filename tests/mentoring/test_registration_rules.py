import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mentoring import registers
from mentoring.models import ProfessionalRegistration, Register, RegistrationStatus
from tests.factories import PersonFactory, RegistrationFactory


@pytest.mark.parametrize(
    ("register", "number"),
    [
        ("GMC", "1234567"),
        ("GPHC", "2071234"),
        ("NMC", "12A3456E"),
        ("NMC", "12a3456e"),
        ("PA", "7654321"),
    ],
)
def test_well_formed_numbers_are_accepted(register, number):
    assert registers.number_problem(register, number) is None


@pytest.mark.parametrize(
    ("register", "number", "expected"),
    [
        ("GMC", "123456", "7 digits"),
        ("GMC", "12345678", "7 digits"),
        ("GMC", "12345A7", "7 digits"),
        ("GPHC", "207123", "7 digits"),
        ("NMC", "1234567", "2 digits, a letter"),
        ("NMC", "12A34567", "2 digits, a letter"),
        ("PA", "PA12345", "7-digit GMC reference"),
        ("GMC", "", "7 digits"),
    ],
)
def test_malformed_numbers_are_refused_with_the_register_format(register, number, expected):
    problem = registers.number_problem(register, number)
    assert problem is not None
    assert expected in problem


@pytest.mark.parametrize(
    ("status", "licence", "agrees"),
    [
        ("registered", True, True),
        ("registered", False, False),
        ("registered_without_licence", False, True),
        ("registered_without_licence", True, False),
        ("provisional", True, True),
        ("provisional", False, True),
        ("suspended", False, True),
        ("suspended", True, False),
        ("erased", True, False),
        ("registered", None, False),
    ],
)
def test_gmc_licence_must_agree_with_status(status, licence, agrees):
    assert (registers.licence_problem("GMC", status, licence) is None) is agrees


def test_registers_without_a_licence_refuse_one():
    assert registers.licence_problem("GPHC", "registered", None) is None
    assert "no licence" in registers.licence_problem("GPHC", "registered", True)


def test_registered_without_licence_is_only_a_gmc_status():
    assert registers.status_problem("GMC", "registered_without_licence") is None
    assert registers.status_problem("NMC", "registered_without_licence") is not None


@pytest.mark.django_db
def test_model_validation_names_the_field_that_is_wrong():
    registration = ProfessionalRegistration(
        person=PersonFactory(),
        register=Register.GMC,
        number="12 345",
        status=RegistrationStatus.REGISTERED,
        licence_to_practise=False,
    )
    with pytest.raises(ValidationError) as refusal:
        registration.full_clean()
    assert set(refusal.value.message_dict) == {"number", "licence_to_practise"}


@pytest.mark.django_db
def test_the_database_refuses_a_gmc_licence_that_contradicts_the_status():
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(
            status=RegistrationStatus.REGISTERED_WITHOUT_LICENCE, licence_to_practise=True
        )


@pytest.mark.django_db
def test_the_database_refuses_a_licence_on_another_register():
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(register=Register.GPHC, licence_to_practise=True)


@pytest.mark.django_db
def test_a_number_belongs_to_one_person_only():
    RegistrationFactory(number="1234567")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(number="1234567")


@pytest.mark.django_db
def test_a_person_has_one_entry_per_register():
    first = RegistrationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(person=first.person)
