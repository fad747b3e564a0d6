"""Who may open each finance page and each remittance: (who × page) → status.

Finance staff of the ICB that pays see its runs, exports and ledgers; superusers see all. The
finance home is forbidden (403) to everyone else signed in; a run, an export or a ledger outside
someone's scope is not found (404) — finance of another ICB included. Remittances are each
mentor's own: the list is open to anyone signed in (it lists only their own), a remittance PDF to
the mentor the run paid, once it is approved. Anonymous visitors are sent to sign in.
"""

import pytest
from django.urls import reverse

from reimbursement import runs
from reimbursement.models import PaymentRun, RunStatus
from tests.auth import sign_in
from tests.factories import IcbFactory, UserFactory, finance_of
from tests.reimbursement.scene import ClaimScene
from tests.reimbursement.test_exports import approved_weeks, mondays_in, month_before_last

pytestmark = pytest.mark.django_db

WHO = (
    "anonymous",
    "paid_mentor",
    "other_mentor",
    "coordinator",
    "finance",
    "other_finance",
    "superuser",
)

FINANCE_OBJECT = (302, 404, 404, 404, 200, 404, 200)
GET_MATRIX = {
    "finance_home": (302, 403, 403, 403, 200, 200, 200),
    "payment_run_detail": FINANCE_OBJECT,
    "payment_run_csv": FINANCE_OBJECT,
    "payment_run_xlsx": FINANCE_OBJECT,
    "payment_run_pdf": FINANCE_OBJECT,
    "ledger_csv": FINANCE_OBJECT,
    "my_remittances": (302, 200, 200, 200, 200, 200, 200),
    "my_remittance_pdf": (302, 200, 404, 404, 404, 404, 404),
}
# the draft run's page, and approving it (a redirect back to it is success)
DRAFT_GET = (302, 404, 404, 404, 200, 404, 200)
APPROVE_POST = (302, 404, 404, 404, 302, 404, 302)


@pytest.fixture(scope="module", name="world")
def world_fixture(django_db_setup, django_db_blocker):
    """Made once for the module: Mona paid in an approved run of the month before last and in a
    draft of last month; Olga, a mentor of the same scheme paid nothing; the scheme's coordinator;
    finance of the paying ICB and of another; a superuser. Each test's changes are rolled back."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        scene = ClaimScene()
        approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:2])
        approved = runs.approve_run(run=scene.build(month_before_last()).run, by=scene.finance)
        approved_weeks(scene, scene.mona, mondays_in(runs.previous_month())[:1])
        draft = scene.build(runs.previous_month()).run
        users = {
            "anonymous": None,
            "paid_mentor": scene.mentor_user,
            "other_mentor": scene.mentor("Olga Other").person.user,
            "coordinator": scene.coordinator,
            "finance": scene.finance,
            "other_finance": finance_of(IcbFactory(name="NHS Elsewhere ICB")),
            "superuser": UserFactory(is_superuser=True, is_staff=True),
        }
        yield {"scene": scene, "approved": approved, "draft": draft, "users": users}
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def url_of(page: str, world, run=None) -> str:
    if page in ("finance_home", "my_remittances"):
        return reverse(page)
    if page == "ledger_csv":
        return reverse(page, args=[world["scene"].scheme.slug])
    return reverse(page, args=[(run or world["approved"]).reference])


def signed_in(client, world, who):
    user = world["users"][who]
    if user is not None:
        sign_in(client, user)
    return client


def expect(response, status):
    assert response.status_code == status, response.content[:300]
    if status == 302:
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize(
    ("page", "who", "status"),
    [
        (page, who, status)
        for page, statuses in GET_MATRIX.items()
        for who, status in zip(WHO, statuses, strict=True)
    ],
)
def test_who_may_open_each_finance_page(client, world, page, who, status):
    response = signed_in(client, world, who).get(url_of(page, world))

    expect(response, status)


@pytest.mark.parametrize(("who", "status"), list(zip(WHO, DRAFT_GET, strict=True)))
def test_who_may_open_a_draft_run(client, world, who, status):
    response = signed_in(client, world, who).get(
        url_of("payment_run_detail", world, world["draft"])
    )

    expect(response, status)


@pytest.mark.parametrize(("who", "status"), list(zip(WHO, APPROVE_POST, strict=True)))
def test_who_may_approve_a_draft_and_a_refusal_changes_nothing(client, world, who, status):
    draft = world["draft"]

    response = signed_in(client, world, who).post(url_of("payment_run_detail", world, draft))

    assert response.status_code == status
    approved = PaymentRun.objects.get(pk=draft.pk).status == RunStatus.APPROVED
    if who in ("finance", "superuser"):
        assert response["Location"] == url_of("payment_run_detail", world, draft)
        assert approved
    else:
        assert not approved
        if who == "anonymous":
            assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", WHO[1:])
def test_a_draft_is_nobodys_remittance(client, world, who):
    response = signed_in(client, world, who).get(url_of("my_remittance_pdf", world, world["draft"]))

    assert response.status_code == 404


@pytest.mark.parametrize(("who", "builds"), [("finance", True), ("other_finance", False)])
def test_only_finance_of_the_paying_organisation_may_build_its_run(client, world, who, builds):
    """Finance of another ICB cannot even choose the paying ICB: the form says so, nothing is
    built."""
    earlier = runs.previous_month(month_before_last())
    before = PaymentRun.objects.count()

    response = signed_in(client, world, who).post(
        reverse("finance_home"),
        {"month": f"{earlier:%Y-%m}", "organisation": world["scene"].icb.pk},
    )

    assert PaymentRun.objects.count() == before + (1 if builds else 0)
    if builds:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert "organisation" in response.context["form"].errors


@pytest.mark.parametrize("page", ["payment_run_csv", "payment_run_xlsx", "payment_run_pdf"])
def test_exports_refuse_other_methods_than_get(client, world, page):
    response = signed_in(client, world, "finance").post(url_of(page, world))

    assert response.status_code == 405
