"""The finance admin: payment runs (scoped to the finance staff's organisations, approved through
``reimbursement.runs``, never changed afterwards), adjustments added through
``runs.add_adjustment`` and paid in the next run, budget allocations, and rate cards that
coordinators only see and finance staff keep."""

import datetime
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse

from reimbursement import runs
from reimbursement.models import Adjustment, BudgetAllocation, ClaimStatus, PaymentLine, RunStatus
from schemes.models import ClaimKind
from tests.auth import sign_in
from tests.factories import IcbFactory, finance_of
from tests.reimbursement.scene import RATE, ClaimScene

pytestmark = pytest.mark.django_db

RUNS = "admin:reimbursement_paymentrun_changelist"
ADD_ADJUSTMENT = "admin:reimbursement_adjustment_add"


@pytest.fixture
def scene():
    return ClaimScene()


@pytest.fixture
def month():
    """The month before this one — over, so a run may pay it."""
    return runs.previous_month()


def mondays_in(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month + datetime.timedelta(days=(7 - month.weekday()) % 7)
    return first, first + datetime.timedelta(days=7)


@pytest.fixture
def run(scene, month):
    """A draft run paying one approved week of Mona's."""
    scene.approved(mondays_in(month)[0])
    return scene.build(month).run


def run_url(run) -> str:
    return reverse("admin:reimbursement_paymentrun_change", args=[run.pk])


def approve(client, *chosen):
    return client.post(
        reverse(RUNS),
        {"action": "approve", "_selected_action": [r.pk for r in chosen]},
        follow=True,
    )


def lines(run) -> list[tuple]:
    return list(
        PaymentLine.objects.filter(run=run)
        .order_by("pk")
        .values_list("person_id", "claim_count", "total_amount")
    )


# payment runs -------------------------------------------------------------------------------------
def test_finance_sees_only_their_own_organisations_runs(client, scene, run, month):
    elsewhere = runs.build_run(organisation=IcbFactory(name="NHS Elsewhere ICB"), period=month).run
    sign_in(client, scene.finance)

    listing = client.get(reverse(RUNS))

    assert run.reference in listing.text
    assert elsewhere.reference not in listing.text
    assert client.get(run_url(run)).status_code == 200
    assert client.get(run_url(elsewhere)).status_code == 404


def test_coordinators_have_no_payment_runs_admin(client, scene, run):
    sign_in(client, scene.coordinator)

    assert client.get(reverse(RUNS)).status_code == 403
    assert client.get(run_url(run)).status_code == 404


def test_finance_approves_a_draft_run_from_the_list(client, scene, run):
    sign_in(client, scene.finance)

    response = approve(client, run)

    assert "1 run(s) approved" in response.text
    run.refresh_from_db()
    assert (run.status, run.approved_by) == (RunStatus.APPROVED, scene.finance)
    assert list(run.items.values_list("claim__status", flat=True)) == [ClaimStatus.PAID]


def test_approving_an_approved_run_again_is_refused_with_a_message(client, scene, run):
    runs.approve_run(run=run, by=scene.finance)
    sign_in(client, scene.finance)

    response = approve(client, run)

    assert f"{run.reference} has been approved, so it can no longer change." in response.text
    assert "run(s) approved" not in response.text


def test_an_approved_runs_lines_are_unchanged_by_a_later_build(client, scene, run, month):
    sign_in(client, scene.finance)
    approve(client, run)
    before = lines(run)
    late = scene.approved(mondays_in(month)[1])

    outcome = scene.build(month)

    assert (outcome.run, outcome.changed) == (run, False)
    assert lines(run) == before == [(scene.mona.person_id, 1, RATE)]
    late.refresh_from_db()
    assert late.status == ClaimStatus.APPROVED
    run.refresh_from_db()
    assert (run.claim_count, run.total_amount) == (1, RATE)


def test_the_run_page_is_read_only_and_lists_its_lines(client, scene, run):
    sign_in(client, scene.finance)

    page = client.get(run_url(run))

    assert page.status_code == 200
    assert "Mona Mentor" in page.text and "289.00" in page.text
    assert 'name="_save"' not in page.text
    assert "Exports are available once the run is approved." in page.text
    assert client.post(run_url(run), {"status": "approved"}).status_code == 403
    assert client.get(reverse("admin:reimbursement_paymentrun_add")).status_code == 403
    delete = reverse("admin:reimbursement_paymentrun_delete", args=[run.pk])
    assert client.get(delete).status_code == 403


def test_an_approved_runs_page_links_to_every_export_there_is(client, scene, run):
    runs.approve_run(run=run, by=scene.finance)
    sign_in(client, scene.finance)
    expected = []
    for name in ("payment_run_csv", "payment_run_xlsx", "payment_run_pdf", "payment_run_detail"):
        try:
            expected.append(reverse(name, args=[run.reference]))
        except NoReverseMatch:
            continue

    page = client.get(run_url(run))

    assert page.status_code == 200
    for url in expected:
        assert f'href="{url}"' in page.text
    assert "Exports are available once the run is approved." not in page.text


# adjustments --------------------------------------------------------------------------------------
def adjustment_form(scene, **fields) -> dict:
    return {
        "person": scene.mona.person_id,
        "scheme": scene.scheme.pk,
        "amount": "-50.00",
        "reason": "Overpaid in October: a week claimed twice on paper.",
        **fields,
    }


def test_an_adjustment_of_nothing_is_refused_by_the_amount_field(client, scene):
    sign_in(client, scene.finance)

    response = client.post(reverse(ADD_ADJUSTMENT), adjustment_form(scene, amount="0.00"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount"] == [
        "An adjustment is a positive or negative amount, not zero."
    ]
    assert not Adjustment.objects.exists()


def test_an_adjustment_without_a_reason_is_refused(client, scene):
    sign_in(client, scene.finance)

    response = client.post(reverse(ADD_ADJUSTMENT), adjustment_form(scene, reason="   "))

    assert response.context["adminform"].form.errors["reason"] == [
        "Say why the adjustment is made."
    ]
    assert not Adjustment.objects.exists()


def test_an_adjustment_on_a_scheme_another_organisation_pays_is_refused(client, scene):
    sign_in(client, finance_of(IcbFactory(name="NHS Elsewhere ICB")))

    response = client.post(reverse(ADD_ADJUSTMENT), adjustment_form(scene))

    assert "scheme" in response.context["adminform"].form.errors
    assert not Adjustment.objects.exists()


def test_a_saved_adjustment_is_paid_in_the_next_run_built(client, scene, month):
    sign_in(client, scene.finance)

    response = client.post(reverse(ADD_ADJUSTMENT), adjustment_form(scene))

    assert response.status_code == 302, response.context["adminform"].form.errors
    adjustment = Adjustment.objects.get()
    assert (adjustment.amount, adjustment.created_by, adjustment.run) == (
        Decimal("-50.00"),
        scene.finance,
        None,
    )
    scene.approved(mondays_in(month)[0])
    run = scene.build(month).run
    adjustment.refresh_from_db()
    assert adjustment.run == run
    line = PaymentLine.objects.get(run=run)
    assert (line.adjustment_amount, line.total_amount) == (Decimal("-50.00"), RATE - 50)


def test_an_adjustment_taken_into_a_run_is_read_only(client, scene, month):
    adjustment = runs.add_adjustment(
        person=scene.mona.person,
        scheme=scene.scheme,
        amount=Decimal("25.00"),
        reason="Travel to the training day.",
        by=scene.finance,
    )
    run = scene.build(month).run
    sign_in(client, scene.finance)
    url = reverse("admin:reimbursement_adjustment_change", args=[adjustment.pk])

    page = client.get(url)

    assert page.status_code == 200
    assert run.reference in page.text and 'name="_save"' not in page.text
    assert client.post(url, adjustment_form(scene, amount="99.00")).status_code == 403
    adjustment.refresh_from_db()
    assert adjustment.amount == Decimal("25.00")


# budget allocations -------------------------------------------------------------------------------
def test_finance_allocates_a_quarters_budget_only_from_the_first_day_of_a_quarter(client, scene):
    sign_in(client, scene.finance)
    url = reverse("admin:reimbursement_budgetallocation_add")
    allocation = {"scheme": scene.scheme.pk, "amount": "12000.00", "note": "Initial fair shares."}

    wrong = client.post(url, {**allocation, "quarter_start": "2026-05-01"})
    right = client.post(url, {**allocation, "quarter_start": "2026-04-01"})

    assert "A quarter starts on 1 April" in wrong.text
    assert right.status_code == 302
    assert BudgetAllocation.objects.get().quarter_start == datetime.date(2026, 4, 1)


# rate cards ---------------------------------------------------------------------------------------
def card_url(scene) -> str:
    return reverse("admin:schemes_ratecard_change", args=[scene.card.pk])


def card_form(scene, *new_rates: dict) -> dict:
    rates = list(scene.card.rates.order_by("pk"))
    data = {
        "claim_unit": scene.card.claim_unit,
        "training_cap": scene.card.training_cap,
        "paid_by": "",
        "training_unit_cost": scene.card.training_unit_cost,
        "rates-TOTAL_FORMS": len(rates) + len(new_rates),
        "rates-INITIAL_FORMS": len(rates),
        "rates-MIN_NUM_FORMS": 0,
        "rates-MAX_NUM_FORMS": 1000,
    }
    rows = [
        {
            "id": r.pk,
            "kind": r.kind,
            "amount": r.amount,
            "effective_from": r.effective_from,
            "source": r.source,
        }
        for r in rates
    ] + list(new_rates)
    for n, row in enumerate(rows):
        data[f"rates-{n}-rate_card"] = scene.card.pk
        data.update({f"rates-{n}-{name}": value for name, value in row.items()})
    return data


NEW_RATE = {
    "kind": ClaimKind.MENTORING,
    "amount": "300.00",
    "effective_from": "2027-04-01",
    "source": "2027/28 uplift",
}


def test_a_coordinator_sees_the_rate_card_but_cannot_change_it(client, scene):
    sign_in(client, scene.coordinator)

    page = client.get(card_url(scene))

    assert page.status_code == 200
    assert "289.00" in page.text and 'name="_save"' not in page.text
    assert client.post(card_url(scene), card_form(scene, NEW_RATE)).status_code == 403
    assert client.get(reverse("admin:schemes_ratecard_add")).status_code == 403
    assert scene.card.rates.count() == 2


def test_finance_adds_a_rate_from_a_date(client, scene):
    sign_in(client, scene.finance)

    response = client.post(card_url(scene), card_form(scene, NEW_RATE))

    assert response.status_code == 302
    card = type(scene.card).objects.prefetch_related("rates").get(pk=scene.card.pk)
    assert card.rate_on(ClaimKind.MENTORING, datetime.date(2027, 4, 5)).amount == Decimal("300.00")
    assert card.rate_on(ClaimKind.MENTORING, datetime.date(2027, 3, 29)).amount == RATE


def test_finance_of_another_organisation_does_not_find_the_rate_card(client, scene):
    sign_in(client, finance_of(IcbFactory(name="NHS Elsewhere ICB")))

    assert client.get(card_url(scene)).status_code == 404
    assert str(scene.scheme) not in client.get(reverse("admin:schemes_ratecard_changelist")).text


def test_a_rate_claims_were_approved_at_cannot_be_edited(client, scene, month):
    scene.approved(mondays_in(month)[0])
    data = card_form(scene)
    data["rates-0-amount"] = "350.00"
    sign_in(client, scene.finance)

    response = client.post(card_url(scene), data)

    assert "Claims have been approved at this rate, so it cannot change" in response.text
    assert sorted(scene.card.rates.values_list("amount", flat=True)) == [RATE, RATE]
