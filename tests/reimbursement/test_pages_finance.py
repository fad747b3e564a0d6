"""Finance pages: building a month's run, approving it (and its refusals), downloading what was
approved — never a draft — the ledgers on the finance home, and a mentor's own remittances."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from mentoring.models import Role
from mentoring.roles import grant_role
from reimbursement import runs
from reimbursement.exports import XLSX_TYPE
from reimbursement.models import ClaimStatus, PaymentRun, RunStatus
from tests.auth import sign_in
from tests.factories import IcbFactory, PersonFactory
from tests.reimbursement.scene import ClaimScene
from tests.reimbursement.test_exports import (
    approved_run,
    approved_weeks,
    built,
    mentor_with_mentee,
    mondays_in,
    month_before_last,
)

pytestmark = pytest.mark.django_db

HOME = reverse("finance_home")


@pytest.fixture
def scene():
    return ClaimScene()


@pytest.fixture
def finance(client, scene):
    sign_in(client, scene.finance)
    return client


def weeks(scene, count=1, enrolment=None):
    return approved_weeks(scene, enrolment or scene.mona, mondays_in(month_before_last())[:count])


def detail(run) -> str:
    return reverse("payment_run_detail", args=[run.reference])


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# building -----------------------------------------------------------------------------------------
def test_the_build_form_offers_last_month_and_the_paying_organisation(finance, scene):
    response = finance.get(HOME)

    assert response.status_code == 200
    form = response.context["form"]
    assert form["month"].value() == runs.previous_month().strftime("%Y-%m")
    assert list(form.fields["organisation"].queryset) == [scene.icb]
    assert form["organisation"].value() == scene.icb.pk


def test_building_a_month_makes_a_draft_and_opens_it(finance, scene):
    weeks(scene, 2)
    period = month_before_last()

    response = finance.post(HOME, {"month": f"{period:%Y-%m}", "organisation": scene.icb.pk})

    run = PaymentRun.objects.get(organisation=scene.icb, period=period)
    assert response.status_code == 302
    assert response["Location"] == detail(run)
    assert run.status == RunStatus.DRAFT
    assert run.claim_count == 2
    assert said(response) == [
        f"{run.reference} is built: 2 claims, £578.00. Check it, then approve it."
    ]


def test_building_again_with_nothing_new_says_so(finance, scene):
    weeks(scene)
    run = built(scene)

    response = finance.post(HOME, {"month": f"{run.period:%Y-%m}", "organisation": scene.icb.pk})

    assert said(response) == [f"{run.reference} is up to date: there was nothing new to add."]


def test_a_month_not_over_is_refused_by_the_month_field(finance, scene):
    this_month = datetime.date.today().strftime("%Y-%m")

    response = finance.post(HOME, {"month": this_month, "organisation": scene.icb.pk})

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["month"]
    assert [e.code for e in errors] == ["month_not_over"]
    assert "has not ended yet" in response.content.decode()
    assert not PaymentRun.objects.exists()


def test_a_month_written_otherwise_is_refused_with_the_format_to_use(finance, scene):
    response = finance.post(HOME, {"month": "October 2026", "organisation": scene.icb.pk})

    errors = response.context["form"].errors.as_data()["month"]
    assert [e.code for e in errors] == ["bad_month"]
    assert "Give the month as YYYY-MM" in response.content.decode()
    assert not PaymentRun.objects.exists()


def test_an_organisation_outside_scope_cannot_be_chosen(finance, scene):
    elsewhere = IcbFactory()

    response = finance.post(
        HOME, {"month": f"{month_before_last():%Y-%m}", "organisation": elsewhere.pk}
    )

    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not PaymentRun.objects.exists()


# approving ----------------------------------------------------------------------------------------
def test_approving_a_draft_marks_it_and_its_claims_paid(finance, scene):
    paid = weeks(scene, 2)
    run = built(scene)

    response = finance.post(detail(run))

    run.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == detail(run)
    assert run.status == RunStatus.APPROVED and run.approved_by == scene.finance
    assert {c.status for c in type(paid[0]).objects.filter(pk__in=[c.pk for c in paid])} == {
        ClaimStatus.PAID
    }
    assert said(response)[0].startswith(f"{run.reference} is approved")


def test_an_empty_run_is_not_approved_and_says_why(finance, scene):
    run = built(scene)

    response = finance.post(detail(run), follow=True)

    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert f"{run.reference} pays nothing, so there is nothing to approve." in said(response)
    assert "There is a problem" in response.content.decode()


def test_someone_paid_in_the_run_cannot_approve_it(client, scene):
    weeks(scene)
    run = built(scene)
    grant_role(user=scene.mentor_user, role=Role.FINANCE, organisation=scene.icb)
    sign_in(client, scene.mentor_user)

    response = client.post(detail(run), follow=True)

    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert f"You are paid in {run.reference}, so someone else must approve it." in said(response)


def test_an_approved_run_cannot_be_approved_again(finance, scene):
    weeks(scene)
    run = approved_run(scene)

    response = finance.post(detail(run), follow=True)

    assert f"{run.reference} has been approved, so it can no longer change." in said(response)


# the run page and downloads -----------------------------------------------------------------------
def test_the_run_page_lists_each_mentor_with_counts_and_amounts(finance, scene):
    weeks(scene, 2)
    weeks(scene, 1, mentor_with_mentee(scene, "Olga Other"))
    run = built(scene)

    page = finance.get(detail(run)).content.decode()

    assert "Mona Mentor" in page and "Olga Other" in page
    assert "£578.00" in page and "£867.00" in page
    assert f"Approve {run.reference}" in page


def test_a_draft_offers_no_downloads(finance, scene):
    weeks(scene)
    run = built(scene)

    page = finance.get(detail(run)).content.decode()

    for name in ("payment_run_csv", "payment_run_xlsx", "payment_run_pdf"):
        assert reverse(name, args=[run.reference]) not in page


def test_an_approved_run_offers_its_downloads_and_no_approve_button(finance, scene):
    weeks(scene)
    run = approved_run(scene)

    page = finance.get(detail(run)).content.decode()

    for name in ("payment_run_csv", "payment_run_xlsx", "payment_run_pdf"):
        assert reverse(name, args=[run.reference]) in page
    assert f"Approve {run.reference}" not in page


@pytest.mark.parametrize("name", ["payment_run_csv", "payment_run_xlsx", "payment_run_pdf"])
def test_a_draft_download_is_refused_with_a_message_not_a_file(finance, scene, name):
    weeks(scene)
    run = built(scene)

    response = finance.get(reverse(name, args=[run.reference]))

    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    assert "is still a draft: only an approved run can be exported." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content_type", "extension"),
    [
        ("payment_run_csv", "text/csv; charset=utf-8", "csv"),
        ("payment_run_xlsx", XLSX_TYPE, "xlsx"),
        ("payment_run_pdf", "application/pdf", "pdf"),
    ],
)
def test_an_approved_run_downloads_as_a_file(finance, scene, name, content_type, extension):
    weeks(scene)
    run = approved_run(scene)

    response = finance.get(reverse(name, args=[run.reference]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="{run.reference}.{extension}"'
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert len(body) > 100


# the home page ------------------------------------------------------------------------------------
def test_the_home_page_lists_drafts_and_approved_runs(finance, scene):
    weeks(scene)
    approved = approved_run(scene)
    draft = runs.build_run(organisation=scene.icb, period=runs.previous_month()).run

    response = finance.get(HOME)

    assert [r.reference for r in response.context["drafts"]] == [draft.reference]
    assert [r.reference for r in response.context["approved"]] == [approved.reference]


def test_the_home_page_totals_runs_by_month(finance, scene):
    weeks(scene, 2)
    approved = approved_run(scene)

    response = finance.get(HOME)

    assert response.context["monthly_totals"][0]["period"] == approved.period
    assert response.context["monthly_totals"][0]["approved"] == Decimal("578.00")
    assert response.context["monthly_totals"][0]["claims"] == 2


def test_the_home_page_shows_each_schemes_ledger_as_a_chart_and_a_table(finance, scene):
    weeks(scene)
    approved_run(scene)

    page = finance.get(HOME).content.decode()

    assert "<svg" in page and 'role="img"' in page
    assert f"{scene.scheme.name}: allocation and spend by month" in page
    assert "Profiled spend to end of year" in page
    assert reverse("ledger_csv", args=[scene.scheme.slug]) in page


def test_the_ledger_downloads_as_csv_with_a_row_a_month_and_the_year(finance, scene):
    response = finance.get(reverse("ledger_csv", args=[scene.scheme.slug]), {"year": "2025"})

    rows = b"".join(response.streaming_content).decode().splitlines()
    assert response["Content-Disposition"] == (
        f'attachment; filename="ledger-{scene.scheme.slug}-2025.csv"'
    )
    assert len(rows) == 1 + 12 + 1
    assert rows[1].split(",")[2] == "2025-04"
    assert rows[-1].split(",")[2] == "YEAR"


def test_the_home_page_reads_a_constant_number_of_queries(
    finance, scene, django_assert_max_num_queries
):
    for name in ("Olga Other", "Pete Other", "Rita Other"):
        weeks(scene, 2, mentor_with_mentee(scene, name))
    approved_run(scene)
    runs.build_run(organisation=scene.icb, period=runs.previous_month())

    with django_assert_max_num_queries(20):
        response = finance.get(HOME)

    assert response.status_code == 200


def test_the_run_page_reads_a_constant_number_of_queries(
    finance, scene, django_assert_max_num_queries
):
    for name in ("Olga Other", "Pete Other", "Rita Other"):
        weeks(scene, 2, mentor_with_mentee(scene, name))
    runs.add_adjustment(
        person=scene.mona.person,
        scheme=scene.scheme,
        amount=Decimal("-5.00"),
        reason="Rounding.",
        by=scene.finance,
    )
    run = built(scene)

    with django_assert_max_num_queries(10):
        response = finance.get(detail(run))

    assert len(response.context["lines"]) == 4


# a mentor's remittances ---------------------------------------------------------------------------
def test_a_mentor_sees_the_approved_runs_that_paid_them(client, scene):
    weeks(scene, 2)
    run = approved_run(scene)
    sign_in(client, scene.mentor_user)

    response = client.get(reverse("my_remittances"))

    assert [r.reference for r in response.context["remittances"]] == [run.reference]
    assert response.context["remittances"][0].paid == Decimal("578.00")
    assert reverse("my_remittance_pdf", args=[run.reference]) in response.content.decode()


def test_a_draft_is_not_yet_a_remittance(client, scene):
    weeks(scene)
    built(scene)
    sign_in(client, scene.mentor_user)

    response = client.get(reverse("my_remittances"))

    assert response.context["remittances"] == []
    assert "Nothing has been paid to you yet." in response.content.decode()


def test_someone_never_paid_sees_that_nothing_has_been_paid(client):
    sign_in(client, PersonFactory().user)

    response = client.get(reverse("my_remittances"))

    assert response.status_code == 200
    assert "Nothing has been paid to you yet." in response.content.decode()


def test_a_mentor_downloads_their_remittance_advice(client, scene):
    weeks(scene)
    run = approved_run(scene)
    sign_in(client, scene.mentor_user)

    response = client.get(reverse("my_remittance_pdf", args=[run.reference]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="remittance-{run.reference}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")


def test_the_remittances_page_reads_a_constant_number_of_queries(
    client, scene, django_assert_max_num_queries
):
    weeks(scene)
    approved_run(scene)
    approved_weeks(scene, scene.mona, mondays_in(runs.previous_month())[:1])
    approved_run(scene, runs.previous_month())
    sign_in(client, scene.mentor_user)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("my_remittances"))

    assert len(response.context["remittances"]) == 2
