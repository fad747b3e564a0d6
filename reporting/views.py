"""The report pages: a coordinator's schemes side by side, one scheme's monitoring return (with
its charts and ledger) and evaluation, and their downloads.

Who may see what: coordinators see the schemes of their organisations and below (``schemes.
selectors.schemes_visible_to``), superusers all; anyone else is refused (403), and a scheme outside
someone's scope is not found (404) whatever they ask of it. A wrong period gives the page back with
the error by its box and no figures, and a download asked for a wrong period gives no file.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from mentoring import audit, roles
from reimbursement import ledger
from reimbursement.views_finance import CHART_BOTTOM, CHART_HEIGHT, CHART_WIDTH, chart_of
from reporting import charts, evaluation, monitoring, periods
from reporting.forms import PeriodForm
from schemes.models import Scheme
from schemes.selectors import schemes_visible_to

# The evaluation page lists this many quotable answers; the PDF has them all.
QUOTES_ON_THE_PAGE = 100


def may_report(user) -> bool:
    return user.is_superuser or roles.is_coordinator(user)


def _schemes(request):
    if not may_report(request.user):
        raise PermissionDenied("Only scheme coordinators may see the reports.")
    return schemes_visible_to(request.user).select_related("owner").order_by("name")


def _scheme(request, slug: str) -> Scheme:
    scheme = _schemes(request).filter(slug=slug).first()
    if scheme is None:
        raise Http404("No scheme you coordinate has that name.")
    return scheme


def _period_form(request, *, required: bool = False) -> PeriodForm:
    """The period asked for; with ``required``, asking for none is an error, not last month."""
    data = request.GET
    if required:
        data = data.copy()
        data.setdefault("from", "")
        data.setdefault("to", "")
    return PeriodForm(data, default=periods.previous_month(timezone.localdate()))


def period_query(period) -> str:
    return f"from={period.start.isoformat()}&to={period.end.isoformat()}"


def _presets():
    return [(p, period_query(p)) for p in periods.presets(timezone.localdate())]


@login_required
@require_GET
def reports_home(request):
    """Every scheme the coordinator sees, one row each, with the headline figures of a period."""
    schemes = list(_schemes(request))
    form = _period_form(request)
    period = form.period
    rows = []
    if period is not None and schemes:
        returns = monitoring.monitoring_returns(schemes, period)
        for scheme in schemes:
            figures = {f.code: f for s in returns[scheme.pk] for f in s.figures}
            rows.append((scheme, [figures.get(code) for code in monitoring.HEADLINE_CODES]))
    headings = []
    if rows:
        headings = [
            figure.label if figure else code
            for code, figure in zip(monitoring.HEADLINE_CODES, rows[0][1], strict=True)
        ]
    return render(
        request,
        "reporting/home.html",
        {
            "form": form,
            "period": period,
            "rows": rows,
            "headings": headings,
            "presets": _presets(),
            "query": period_query(period) if period else "",
            "has_schemes": bool(schemes),
        },
    )


@login_required
@require_GET
def scheme_report(request, slug):
    """One scheme's monitoring return for a period, its charts and its ledger."""
    scheme = _scheme(request, slug)
    form = _period_form(request)
    period = form.period
    context = {
        "scheme": scheme,
        "form": form,
        "period": period,
        "presets": _presets(),
    }
    if period is not None:
        months = monitoring.by_month(scheme, period)
        context.update(
            {
                "query": period_query(period),
                "sections": monitoring.monitoring_return(scheme, period),
                "activity_chart": charts.bar_chart(
                    f"Matches made and sessions held by month, {period.label}",
                    [f"{month:%b %Y}" for month, _, _ in months],
                    [
                        ("Matches made", [matches for _, matches, _ in months]),
                        ("Sessions held", [held for _, _, held in months]),
                    ],
                    id_prefix=f"activity-{scheme.slug}",
                ),
            }
        )
        context.update(_ledger_context(scheme, period.end))
    return render(request, "reporting/scheme_report.html", context, status=_status(form))


def _ledger_context(scheme: Scheme, on: datetime.date) -> dict:
    if not hasattr(scheme, "rate_card"):
        return {}
    year = ledger.ledger_for(scheme, year_start=ledger.financial_year_of(on))
    return {
        "year": year,
        "bars": chart_of(year),
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bottom": CHART_BOTTOM},
    }


@login_required
@require_GET
def scheme_evaluation(request, slug):
    """One scheme's evaluation from its baseline and end-of-programme surveys, small numbers
    suppressed."""
    scheme = _scheme(request, slug)
    form = _period_form(request)
    period = form.period
    context = {"scheme": scheme, "form": form, "period": period, "presets": _presets()}
    if period is not None:
        sections = evaluation.evaluation(scheme, period)
        quotes = evaluation.free_text(scheme, period)
        context.update(
            {
                "query": period_query(period),
                "sections": sections,
                "free_text": quotes[:QUOTES_ON_THE_PAGE],
                "quotes": len(quotes),
                "quotes_on_the_page": QUOTES_ON_THE_PAGE,
                "confidence_chart": charts.before_after_chart(
                    f"Confidence before and after, {period.label}",
                    evaluation.confidence_chart_data(scheme, period, sections),
                ),
            }
        )
    return render(request, "reporting/evaluation.html", context, status=_status(form))


def _status(form: PeriodForm) -> int:
    return 400 if form.is_bound and not form.is_valid() else 200


RECORDS_A_PAGE = 50


@login_required
@require_GET
def figure_records(request, slug, code):
    """The records a figure of the return counted — the people, pairs or sessions — found by the
    very conditions that counted them, 50 a page."""
    scheme = _scheme(request, slug)
    form = _period_form(request, required=True)
    period = form.period
    found = monitoring.records_of(scheme, period, code) if period is not None else None
    figure = None
    if period is not None:
        # The mean's records are the mentors it is the mean of.
        shown = {"mentors_with_clinical_sessions": "mentors_clinical_sessions_mean"}.get(code, code)
        figure = next(
            (
                f
                for section in monitoring.monitoring_return(scheme, period)
                for f in section.figures
                if f.code == shown
            ),
            None,
        )
    if period is not None and (found is None or figure is None):
        raise Http404("The return has no such figure.")
    context = {"scheme": scheme, "form": form, "period": period, "presets": _presets()}
    if found is not None:
        kind, records = found
        page = Paginator(records, RECORDS_A_PAGE).get_page(request.GET.get("page"))
        context.update(
            {
                "kind": kind,
                "figure": figure,
                "page": page,
                "page_range": page.paginator.get_elided_page_range(
                    page.number, on_each_side=1, on_ends=1
                ),
                "query": period_query(period),
            }
        )
    return render(request, "reporting/records.html", context, status=_status(form))


FORMATS = ("csv", "xlsx", "pdf")


@login_required
@require_GET
def scheme_report_download(request, slug, format):
    """The return and evaluation as CSV, XLSX or PDF; a wrong period or format gives the page
    back with the message, and no file."""
    scheme = _scheme(request, slug)
    if format not in FORMATS:
        raise Http404("There is no download in that format: choose CSV, XLSX or PDF.")
    form = _period_form(request, required=True)
    period = form.period
    if period is None:
        return render(
            request,
            "reporting/scheme_report.html",
            {"scheme": scheme, "form": form, "period": None, "presets": _presets()},
            status=400,
        )
    from reporting import exports

    response = exports.download(scheme, period, format)
    audit.record_export(request, f"report ({format})", obj=scheme, organisation=scheme.owner_id)
    return response
