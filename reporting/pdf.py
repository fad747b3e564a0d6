"""The scheme report for the ICS board and the NHS England regional team, as a PDF (WeasyPrint):
a cover (scheme, owner organisation, period, the day it was built), each section's figures with
their definitions, the charts (inline SVG, each with its table of figures), the financial ledger
and the evaluation, with the free-text answers their authors agreed to share.

``report_html``/``report_pdf`` are pure functions of what they are given, so tests can hand them
made-up sections; ``report_pdf_for`` gathers it all from the database for a scheme and period.
Nothing is fetched from outside while rendering; every value is text escaped by the template.
"""

import datetime
import logging
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from reimbursement import ledger as ledgers
from reporting import evaluation as surveys
from reporting import monitoring
from reporting.charts import Chart, bar_chart, before_after_chart
from reporting.exports import definition_of, filename_of, shown
from reporting.figures import Period, Section
from schemes.models import Scheme

TEMPLATE = "reporting/report_pdf.html"


def _rows(sections: Iterable[Section]) -> list[dict]:
    return [
        {
            "title": section.title,
            "figures": [
                {
                    "label": figure.label,
                    "kind": figure.kind_label,
                    "value": shown(figure.value),
                    "suppressed": figure.suppressed,
                    "definition": definition_of(figure),
                }
                for figure in section.figures
            ],
        }
        for section in sections
    ]


def report_html(
    scheme: Scheme,
    period: Period,
    sections: Sequence[Section],
    *,
    evaluation: Sequence[Section] = (),
    charts: Sequence[Chart] = (),
    ledger: ledgers.Ledger | None = None,
    ledger_chart: Chart | None = None,
    evaluation_charts: Sequence[Chart] = (),
    free_text: Sequence[tuple[str, str]] = (),
    built_on: datetime.date | None = None,
) -> str:
    """The report's HTML: the monitoring return (``sections``, after its ``charts``), the
    ``ledger`` with its ``ledger_chart`` if the scheme pays, then the ``evaluation`` (after its
    ``evaluation_charts``) and ``free_text``: (question, answer) pairs, already only those whose
    authors let them be shared."""
    parts = [
        {"title": "Monitoring return", "sections": _rows(sections), "charts": list(charts)},
        {
            "title": "Evaluation",
            "note": "From the baseline and end-of-programme surveys.",
            "sections": _rows(evaluation),
            "charts": list(evaluation_charts),
        },
    ]
    return render_to_string(
        TEMPLATE,
        {
            "scheme": scheme,
            "organisation": scheme.owner,
            "period": period,
            "parts": parts,
            "year": ledger,
            "ledger_chart": ledger_chart,
            "free_text": list(free_text),
            "built_on": built_on or timezone.localdate(),
        },
    )


def _fetch_nothing(url, *args, **kwargs):
    raise ValueError(f"Scheme reports fetch nothing ({url[:40]}).")


def pdf_of(html: str) -> bytes:
    # Imported here: WeasyPrint logs every stylesheet it parses on import; that is not wanted.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_fetch_nothing).write_pdf()


def report_pdf(scheme: Scheme, period: Period, sections: Sequence[Section], **parts) -> bytes:
    """The PDF of :func:`report_html` (same arguments)."""
    return pdf_of(report_html(scheme, period, sections, **parts))


# from the database --------------------------------------------------------------------------------
def activity_chart(scheme: Scheme, period: Period) -> Chart:
    months = monitoring.by_month(scheme, period)
    return bar_chart(
        f"Matches made and sessions held by month, {period.label}",
        [f"{month:%b %Y}" for month, _, _ in months],
        [
            ("Matches made", [matches for _, matches, _ in months]),
            ("Sessions held", [held for _, _, held in months]),
        ],
        id_prefix=f"pdf-activity-{scheme.slug}",
    )


def spend_chart(year: ledgers.Ledger) -> Chart:
    return bar_chart(
        f"Spend to date against allocation to date by month, {year.year_label}",
        [f"{month.month:%b}" for month in year.months],
        [
            ("Allocation to date", [month.allocation_to_date for month in year.months]),
            (
                "In-year spend to date",
                [month.spend_to_date if month.started else None for month in year.months],
            ),
        ],
        unit="£",
        id_prefix=f"pdf-spend-{year.scheme.slug}",
    )


def confidence_chart(scheme: Scheme, period: Period, sections=None) -> Chart:
    return before_after_chart(
        f"Confidence before and after, {period.label}",
        surveys.confidence_chart_data(scheme, period, sections),
    )


def ledger_of(scheme: Scheme, period: Period) -> ledgers.Ledger | None:
    """The ledger of the financial year the period ends in, as on today, as the ledger page
    shows it; none for a scheme that pays nothing (no rate card)."""
    if not hasattr(scheme, "rate_card"):
        return None
    return ledgers.ledger_for(scheme, year_start=ledgers.financial_year_of(period.end))


def report_pdf_for(scheme: Scheme, period: Period) -> bytes:
    """The whole report of ``scheme`` for ``period``, read from the database."""

    year = ledger_of(scheme, period)
    evaluation = surveys.evaluation(scheme, period)
    return report_pdf(
        scheme,
        period,
        monitoring.monitoring_return(scheme, period),
        evaluation=evaluation,
        charts=[activity_chart(scheme, period)],
        ledger=year,
        ledger_chart=spend_chart(year) if year is not None else None,
        evaluation_charts=[confidence_chart(scheme, period, evaluation)],
        free_text=surveys.free_text(scheme, period),
    )


def pdf_response(scheme: Scheme, period: Period) -> HttpResponse:
    response = HttpResponse(report_pdf_for(scheme, period), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{filename_of(scheme, period, "pdf", what="report")}"'
    )
    response["Cache-Control"] = "no-store"
    return response
