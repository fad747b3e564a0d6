import pytest
from django.db import transaction

from mentoring.demo import DemoBuilder
from mentoring.models import Person

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def fingerprint():
    return sorted(
        Person.objects.values_list(
            "user__email",
            "organisation__code",
            "profession",
            "clinical_sessions_per_week",
            "registrations__number",
            "registrations__status",
        )
    )


def test_the_register_is_the_same_every_time():
    """The people register the demo builds is the same on every run (the later apps' steps are
    seeded the same way; their own determinism — the solver's above all — is tested with them).
    Only the register is built here, twice, to keep the suite quick."""
    with pytest.raises(Rollback), transaction.atomic():
        DemoBuilder().build()
        first = fingerprint()
        raise Rollback
    DemoBuilder().build()
    assert fingerprint() == first
