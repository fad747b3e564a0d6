"""The run summary for the finance approver and each mentor's remittance advice, as PDFs read
back with pypdf: the run's reference, its mentors and amounts, who approved it; a remittance
holds one mentor's claims and adjustments only. A draft has neither."""

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from reimbursement import pdf, runs
from reimbursement.errors import ReimbursementError, RunRefusal
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


def text_of(document: bytes) -> str:
    assert document.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(document)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def week(day) -> str:
    return f"Week beginning {day:%-d %B %Y}"


@pytest.fixture
def scene():
    return ClaimScene()


@pytest.fixture
def paid(scene):
    """Mona paid two weeks and a £25 adjustment, Olga one week, in an approved run."""
    mondays = mondays_in(month_before_last())
    olga = mentor_with_mentee(scene, "Olga Other")
    approved_weeks(scene, scene.mona, mondays[:2])
    approved_weeks(scene, olga, mondays[2:3])
    runs.add_adjustment(
        person=scene.mona.person,
        scheme=scene.scheme,
        amount=Decimal("25.00"),
        reason="Travel time to a face-to-face session was missed off.",
        by=scene.finance,
    )
    scene.finance.first_name, scene.finance.last_name = "Fran", "Finance"
    scene.finance.save()
    return {"run": approved_run(scene), "olga": olga, "mondays": mondays}


def test_the_summary_names_the_run_its_organisation_and_who_approved_it(scene, paid):
    run = paid["run"]

    text = text_of(pdf.run_summary_pdf(run))

    assert f"Payment run {run.reference}" in text
    assert scene.icb.name in text
    assert f"{run.period:%B %Y}" in text
    assert "Approved" in text
    assert "Fran Finance" in text


def test_the_summary_lists_each_mentor_with_their_amounts(paid):
    text = text_of(pdf.run_summary_pdf(paid["run"]))

    assert "Mona Mentor" in text
    assert "Olga Other" in text
    assert "£603.00" in text  # Mona: two weeks and the adjustment
    assert "£289.00" in text


def test_the_summary_gives_totals_by_kind_and_counts_mentors_and_claims(paid):
    text = text_of(pdf.run_summary_pdf(paid["run"]))

    assert "Mentoring £867.00" in text
    assert "Mentorship training £0.00" in text
    assert "Adjustments £25.00" in text
    assert "Total £892.00" in text
    assert "Mentors paid 2" in text
    assert "Claims paid 3" in text


def test_a_remittance_holds_only_that_mentors_claims(scene, paid):
    mondays = paid["mondays"]

    text = text_of(pdf.remittance_pdf(paid["run"], scene.mona.person))

    assert "Mona Mentor" in text
    assert week(mondays[0]) in text
    assert week(mondays[1]) in text
    assert week(mondays[2]) not in text
    assert "Olga" not in text
    assert text.count(scene.scheme.name) >= 2


def test_a_remittance_lists_adjustments_with_their_reasons_and_the_total(scene, paid):
    text = text_of(pdf.remittance_pdf(paid["run"], scene.mona.person))

    assert "Travel time to a face-to-face session was missed off." in text
    assert "£25.00" in text
    assert "Total paid £603.00" in text
    assert paid["run"].reference in text


def test_another_mentors_remittance_has_their_claim_and_total_only(paid):
    olga = paid["olga"]

    text = text_of(pdf.remittance_pdf(paid["run"], olga.person))

    assert week(paid["mondays"][2]) in text
    assert week(paid["mondays"][0]) not in text
    assert "Travel time" not in text
    assert "Total paid £289.00" in text


def test_a_negative_adjustment_reads_as_minus_pounds(scene):
    approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:1])
    runs.add_adjustment(
        person=scene.mona.person,
        scheme=scene.scheme,
        amount=Decimal("-40.50"),
        reason="Overpaid in an earlier month.",
        by=scene.finance,
    )

    text = text_of(pdf.remittance_pdf(approved_run(scene), scene.mona.person))

    assert "−£40.50" in text
    assert "Total paid £248.50" in text


def test_a_draft_has_no_summary(scene):
    approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:1])

    with pytest.raises(ReimbursementError) as refused:
        pdf.run_summary_pdf(built(scene))

    assert refused.value.code == RunRefusal.NOT_APPROVED


def test_a_draft_has_no_remittance(scene):
    approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:1])

    with pytest.raises(ReimbursementError) as refused:
        pdf.remittance_pdf(built(scene), scene.mona.person)

    assert refused.value.code == RunRefusal.NOT_APPROVED


def test_names_are_text_never_markup(scene):
    user = scene.mona.person.user
    user.first_name = "<b>Mona"
    user.save()
    approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:1])

    html = pdf.run_summary_html(approved_run(scene))

    assert "&lt;b&gt;Mona Mentor" in html
    assert "<b>Mona" not in html
