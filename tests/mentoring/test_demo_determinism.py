import pytest
from django.db import transaction

from mentoring.demo import seed_demo
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


def test_the_demo_is_the_same_every_time():
    with pytest.raises(Rollback), transaction.atomic():
        seed_demo()
        first = fingerprint()
        raise Rollback
    seed_demo()
    assert fingerprint() == first
