"""Finance pages: the payment runs of the organisations whose money a finance user handles —
building a month's run, reviewing and approving it, downloading the approved file and summary —
the budget ledger of each scheme they pay; and every mentor's own remittances.

Who may see what: finance staff see the runs of the paying organisations at or below those they
are assigned (``runs.runs_visible_to``) and the ledgers of the schemes those organisations pay;
superusers see all. The finance home is forbidden (403) to anyone else; a run, an export or a
ledger outside someone's scope is not found (404), whatever they ask of it. A remittance is its
mentor's alone, and only once the run is approved (404 otherwise).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from mentoring import audit, roles
from mentoring.forms import form_helper
from mentoring.models import Organisation, Person, Role
from mentoring.scoping import organisation_q
from mentoring.two_factor import require_recent_verification
from reimbursement import exports, ledger, pdf, runs, selectors
from reimbursement.errors import ReimbursementError, capitalised
from reimbursement.models import Adjustment, PaymentRun, RunStatus
from schemes.models import Scheme

RECENT_APPROVED = 24
MONTHS_OF_TOTALS = 12


# who may see what ---------------------------------------------------------------------------------
def _may_use_finance(user) -> bool:
    return user.is_superuser or roles.is_finance(user)


def paying_organisations_for(user) -> QuerySet[Organisation]:
    """The paying organisations whose runs ``user`` may build and approve."""
    q = organisation_q(user, Role.FINANCE)
    payers = runs.paying_organisations().order_by("name")
    return payers if q is None else payers.filter(q)


def schemes_paid_for(user) -> QuerySet[Scheme]:
    """Schemes with a rate card whose payer (its ``paid_by``, else its owner) is in scope."""
    schemes = Scheme.objects.filter(rate_card__isnull=False).order_by("name")
    by_payer = organisation_q(user, Role.FINANCE, prefix="rate_card__paid_by__")
    if by_payer is None:
        return schemes
    by_owner = organisation_q(user, Role.FINANCE, prefix="owner__")
    return schemes.filter(by_payer | (Q(rate_card__paid_by__isnull=True) & by_owner))


def _run_in_scope(request, reference: str) -> PaymentRun:
    run = runs.runs_visible_to(request.user).filter(reference=reference).first()
    if run is None:
        raise Http404("No such payment run for you.")
    return run


# the month's run: build ---------------------------------------------------------------------------
class BuildRunForm(forms.Form):
    month = forms.CharField(
        label="Month to pay",
        help_text="As year and month, for example 2026-10. A run pays a month that is over.",
        max_length=20,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": "Enter the month to pay, for example 2026-10"},
    )
    organisation = forms.ModelChoiceField(
        label="Paying organisation",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the paying organisation",
            "invalid_choice": "Choose one of the paying organisations you handle payments for",
        },
    )

    def __init__(self, *args, payers: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.payers = list(payers)
        self.fields["organisation"].queryset = payers
        if len(self.payers) == 1:
            self.fields["organisation"].initial = self.payers[0].pk
        self.fields["month"].initial = runs.previous_month().strftime("%Y-%m")
        self.helper = form_helper("Build the run")

    def clean_month(self) -> datetime.date:
        try:
            return runs.parse_month(self.cleaned_data["month"])
        except ReimbursementError as refusal:
            raise forms.ValidationError(refusal.message, code=str(refusal.code)) from refusal

    def build(self) -> runs.BuildOutcome | None:
        try:
            return runs.build_run(
                organisation=self.cleaned_data["organisation"], period=self.cleaned_data["month"]
            )
        except ReimbursementError as refusal:
            for found in refusal.problems:
                field = found.field if found.field in self.fields else None
                self.add_error(
                    field, forms.ValidationError(capitalised(found.message), code=str(found.code))
                )
            return None


def _built_message(outcome: runs.BuildOutcome) -> str:
    run = outcome.run
    if run.status == RunStatus.APPROVED:
        return f"{run.reference} has already been approved, so it was not changed."
    if outcome.created or outcome.changed:
        return (
            f"{run.reference} is built: {run.claim_count} "
            f"claim{'' if run.claim_count == 1 else 's'}, £{run.total_amount:,.2f}. "
            "Check it, then approve it."
        )
    return f"{run.reference} is up to date: there was nothing new to add."


# the finance home ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ChartMonth:
    label: str
    text_x: float
    allocation: Bar
    spend: Bar | None


CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 720, 220, 10, 190
SLOT = CHART_WIDTH / 12


def chart_of(year: ledger.Ledger) -> list[ChartMonth]:
    """Bars of allocation to date and spend to date for each month, in the SVG's units."""
    peak = max(
        [m.allocation_to_date for m in year.months]
        + [m.spend_to_date for m in year.months]
        + [Decimal("1")]
    )
    scale = (CHART_BOTTOM - CHART_TOP) / float(peak)

    def bar(index: int, offset: float, value: Decimal) -> Bar:
        height = max(float(value), 0) * scale
        return Bar(
            x=round(index * SLOT + offset, 1),
            y=round(CHART_BOTTOM - height, 1),
            width=round(SLOT * 0.36, 1),
            height=round(height, 1),
        )

    return [
        ChartMonth(
            label=month.month.strftime("%b"),
            text_x=round(index * SLOT + SLOT / 2, 1),
            allocation=bar(index, SLOT * 0.1, month.allocation_to_date),
            spend=bar(index, SLOT * 0.5, month.spend_to_date) if month.started else None,
        )
        for index, month in enumerate(year.months)
    ]


def _monthly_totals(visible: QuerySet[PaymentRun]) -> list[dict]:
    return list(
        visible.order_by()
        .values("period")
        .annotate(
            approved=Sum("total_amount", filter=Q(status=RunStatus.APPROVED)),
            draft=Sum("total_amount", filter=Q(status=RunStatus.DRAFT)),
            claims=Sum("claim_count", filter=Q(status=RunStatus.APPROVED)),
        )
        .order_by("-period")[:MONTHS_OF_TOTALS]
    )


@login_required
@require_http_methods(["GET", "POST"])
def finance_home(request):
    """Runs by status, totals by month, the ledger of each scheme paid, and the build form."""
    user = request.user
    if not _may_use_finance(user):
        raise PermissionDenied("Only finance staff may see the finance pages.")
    payers = paying_organisations_for(user)
    form = BuildRunForm(request.POST or None, payers=payers)
    if request.method == "POST" and form.is_valid():
        outcome = form.build()
        if outcome is not None:
            messages.success(request, _built_message(outcome))
            return redirect("payment_run_detail", reference=outcome.run.reference)
    visible = runs.runs_visible_to(user)
    ledgers = ledger.ledgers_for(schemes_paid_for(user))
    return render(
        request,
        "reimbursement/finance/home.html",
        {
            "form": form,
            "has_payers": bool(form.payers),
            "drafts": list(visible.filter(status=RunStatus.DRAFT).order_by("-period")),
            "approved": list(
                visible.filter(status=RunStatus.APPROVED).order_by("-period")[:RECENT_APPROVED]
            ),
            "recent_approved": RECENT_APPROVED,
            "monthly_totals": _monthly_totals(visible),
            "ledgers": [(year, chart_of(year)) for year in ledgers],
            "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bottom": CHART_BOTTOM},
        },
    )


# one run ------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
@require_recent_verification(methods=("POST",))
def payment_run_detail(request, reference):
    """A run's lines; a draft's approve button (POST approves it); an approved run's downloads."""
    run = _run_in_scope(request, reference)
    if request.method == "POST":
        try:
            runs.approve_run(run=run, by=request.user)
        except ReimbursementError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                f"{run.reference} is approved: its claims are marked paid, and its file and "
                "summary can be downloaded.",
            )
        return redirect("payment_run_detail", reference=run.reference)
    lines = list(selectors.lines_of(run))
    adjustments = list(
        Adjustment.objects.filter(run=run)
        .select_related("person__user", "scheme")
        .order_by("person__user__last_name", "created_at", "pk")
    )
    return render(
        request,
        "reimbursement/finance/run_detail.html",
        {
            "run": run,
            "lines": lines,
            "adjustments": adjustments,
            "totals": selectors.totals(run),
            "mentor_count": len({line.person_id for line in lines}),
        },
    )


def _export(request, reference: str, make) -> HttpResponse:
    run = _run_in_scope(request, reference)
    try:
        response = make(run)
    except ReimbursementError as refusal:
        return render(
            request,
            "reimbursement/finance/export_refused.html",
            {"run": run, "refusal": refusal},
            status=409,
        )
    audit.record_export(request, "payment run export", obj=run, organisation=run.organisation_id)
    return response


def _summary_pdf(run: PaymentRun) -> HttpResponse:
    response = HttpResponse(pdf.run_summary_pdf(run), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{run.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@require_recent_verification
def payment_run_csv(request, reference):
    return _export(request, reference, exports.csv_response)


@login_required
@require_GET
@require_recent_verification
def payment_run_xlsx(request, reference):
    return _export(request, reference, exports.xlsx_response)


@login_required
@require_GET
@require_recent_verification
def payment_run_pdf(request, reference):
    return _export(request, reference, _summary_pdf)


# the ledger ---------------------------------------------------------------------------------------
def _year_asked(request) -> datetime.date | None:
    text = request.GET.get("year", "")
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return datetime.date(int(text), ledger.YEAR_STARTS_IN, 1)
    return None


@login_required
@require_GET
def ledger_csv(request, slug):
    """A scheme's ledger for the financial year (``?year=2025`` for 2025/26; default: this one)."""
    scheme = schemes_paid_for(request.user).filter(slug=slug).first()
    if scheme is None:
        raise Http404("No such scheme paid by you.")
    response = ledger.csv_response(ledger.ledger_for(scheme, year_start=_year_asked(request)))
    audit.record_export(request, "ledger export", obj=scheme, organisation=scheme.owner_id)
    return response


# a mentor's own remittances -----------------------------------------------------------------------
@login_required
@require_GET
def my_remittances(request):
    """The approved runs that pay the signed-in person, newest first, each with its PDF."""
    return render(
        request,
        "reimbursement/finance/remittances.html",
        {"remittances": list(selectors.remittances_of(request.user))},
    )


@login_required
@require_GET
def my_remittance_pdf(request, reference):
    run = selectors.remittances_of(request.user).filter(reference=reference).first()
    if run is None:
        raise Http404("No such remittance for you.")
    person = Person.objects.select_related("user").get(user=request.user)
    response = HttpResponse(pdf.remittance_pdf(run, person), content_type="application/pdf")
    audit.record_export(request, "remittance", obj=run, person=person, download=True)
    response["Content-Disposition"] = f'attachment; filename="remittance-{run.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
