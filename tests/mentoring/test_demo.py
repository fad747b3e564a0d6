import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction

from mentoring.demo import DEMO_PASSWORD, LOGINS, seed_demo
from mentoring.models import Organisation, Person, WorkingRelationship
from mentoring.roles import is_coordinator, is_finance
from mentoring.scoping import people_visible_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo built once for this module (it takes seconds), rolled back at the end; the test
    that needs an empty database to build it twice is in ``test_demo_determinism.py``."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        summary = seed_demo()
        yield summary
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def test_the_first_run_builds_it():
    assert Person.objects.exists()


def test_running_it_again_changes_nothing():
    before = (Person.objects.count(), Organisation.objects.count())
    summary = seed_demo()
    assert summary.created is False
    assert (Person.objects.count(), Organisation.objects.count()) == before


def test_it_builds_one_realistic_ics_with_about_fifty_mentors_and_three_hundred_mentees():
    counts = {p: Person.objects.filter(profession=p).count() for p in ("gp", "pa", "pharmacist")}
    assert sum(counts.values()) == 355
    assert all(count >= 80 for count in counts.values())
    assert WorkingRelationship.objects.filter(kind="line_manager").exists()
    assert WorkingRelationship.objects.filter(kind="clinical_supervisor").exists()


def test_every_printed_login_works_and_has_its_role(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    for login in LOGINS:
        assert login.email in output
        user = authenticate(email=login.email, password=DEMO_PASSWORD)
        assert user is not None, login.email
        if login.role == "coordinator":
            assert is_coordinator(user)
        if login.role == "finance":
            assert is_finance(user)
        if login.role in ("mentor", "mentee"):
            assert Person.objects.filter(user=user).exists()


def test_the_demo_coordinator_sees_their_ics_but_not_the_other():
    coordinator = authenticate(email="coordinator@example.org", password=DEMO_PASSWORD)
    visible = people_visible_to(coordinator)
    assert visible.count() == 350
    assert not visible.filter(organisation__code="Z8001").exists()
