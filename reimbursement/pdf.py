"""Payment run PDFs (WeasyPrint): the run summary for the finance approver, and a mentor's
remittance advice.

Both are for approved runs only (``RunRefusal.NOT_APPROVED`` otherwise): a draft can still change,
so nothing about it is handed out as a document. Nothing is fetched from outside while rendering;
every value is text escaped by the template.
"""

import logging

from django.template.loader import render_to_string
from django.utils import timezone

from mentoring.models import Person
from reimbursement import claims, runs, selectors
from reimbursement.models import Adjustment, PaymentLine, PaymentRun

SUMMARY_TEMPLATE = "reimbursement/finance/run_summary_pdf.html"
REMITTANCE_TEMPLATE = "reimbursement/finance/remittance_pdf.html"


def run_summary_html(run: PaymentRun) -> str:
    """Organisation, period, status, reference, totals by kind, how many mentors and claims,
    every line, and who approved it when — a few queries, whatever the size of the run."""
    runs.require_approved(run)
    lines = list(selectors.lines_of(run))
    return render_to_string(
        SUMMARY_TEMPLATE,
        {
            "run": run,
            "organisation": run.organisation,
            "approved_by": run.approved_by,
            "totals": selectors.totals(run),
            "lines": lines,
            "mentor_count": len({line.person_id for line in lines}),
            "made_on": timezone.localdate(),
        },
    )


def remittance_html(run: PaymentRun, person: Person) -> str:
    """One mentor's lines in ``run``, each claim it pays them and each adjustment with its reason,
    and their total. Nobody else's claims."""
    runs.require_approved(run)
    lines = list(
        PaymentLine.objects.filter(run=run, person=person)
        .select_related("scheme")
        .order_by("scheme__name", "pk")
    )
    items = [
        {
            "what": claims.claim_label(item.claim).removeprefix("the "),
            "claim": item.claim,
            "amount": item.amount,
        }
        for item in selectors.items_for(run, person.pk)
    ]
    adjustments = list(
        Adjustment.objects.filter(run=run, person=person)
        .select_related("scheme")
        .order_by("created_at", "pk")
    )
    return render_to_string(
        REMITTANCE_TEMPLATE,
        {
            "run": run,
            "organisation": run.organisation,
            "person": person,
            "name": person.full_name,
            "lines": lines,
            "items": items,
            "adjustments": adjustments,
            "total": sum((line.total_amount for line in lines), runs.ZERO),
            "made_on": timezone.localdate(),
        },
    )


def _fetch_nothing(url, *args, **kwargs):
    raise ValueError(f"Payment run PDFs fetch nothing ({url[:40]}).")


def _pdf(html: str) -> bytes:
    # Imported here: WeasyPrint logs every stylesheet it parses on import; that is not wanted.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_fetch_nothing).write_pdf()


def run_summary_pdf(run: PaymentRun) -> bytes:
    return _pdf(run_summary_html(run))


def remittance_pdf(run: PaymentRun, person: Person) -> bytes:
    return _pdf(remittance_html(run, person))
