from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import RequestFactory

from mentoring.demo import DEMO_PASSWORD, LOGINS, seed_demo
from mentoring.models import Organisation, Person, WorkingRelationship
from mentoring.roles import is_coordinator, is_finance
from mentoring.scoping import people_visible_to
from reimbursement.models import BudgetAllocation, Claim, PaymentRun

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


def password_login(email: str):
    """The user the sign-in page would let in with this address and the demo password.

    A request is passed, as the login view does: django-axes refuses to check a password
    without one (it needs the request's address for the lockout count)."""
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, username=email, password=DEMO_PASSWORD)


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
        user = password_login(login.email)
        assert user is not None, login.email
        if login.role == "coordinator":
            assert is_coordinator(user)
        if login.role == "finance":
            assert is_finance(user)
        if login.role in ("mentor", "mentee"):
            assert Person.objects.filter(user=user).exists()


def test_the_demo_coordinator_sees_their_ics_but_not_the_other():
    coordinator = password_login("coordinator@example.org")
    visible = people_visible_to(coordinator)
    assert visible.count() == 350
    assert not visible.filter(organisation__code="Z8001").exists()


# claims and payments (reimbursement's demo step) ----------------------------------------------
def test_it_has_an_approved_run_and_a_draft_one_for_finance():
    assert sorted(PaymentRun.objects.values_list("status", flat=True)) == ["approved", "draft"]


def test_every_run_pays_289_a_week_to_the_penny():
    for run in PaymentRun.objects.all():
        assert run.total_amount == Decimal("289.00") * run.claim_count
        assert run.lines.aggregate(total=Sum("total_amount"))["total"] == run.total_amount


def test_the_demo_mentor_has_a_remittance_and_two_claims_waiting():
    mine = Claim.objects.filter(person__user__email="mentor@example.org")
    assert mine.filter(status="submitted").count() == 2
    assert PaymentRun.objects.filter(
        status="approved", lines__person__user__email="mentor@example.org"
    ).exists()


def test_the_history_is_imported_and_the_ledger_has_allocations():
    assert Claim.objects.filter(imported=True, status="paid").exists()
    assert BudgetAllocation.objects.count() == 3
