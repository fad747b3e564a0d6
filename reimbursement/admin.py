"""The admin for claims and payments.

Coordinators decide the claims of the schemes they coordinate (bulk actions calling
``reimbursement.claims``); finance staff see the claims of the schemes their organisations pay,
approve payment runs (``reimbursement.runs``), add adjustments and keep budget allocations. Every
page is read-only except through those services, and every list is scoped: a row outside the
user's organisations is not listed, and its page is a 404.
"""

from functools import reduce
from operator import or_

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from mentoring import scoping, two_factor
from mentoring.admin_audit import RecordsViewsMixin
from mentoring.models import Person, Role
from reimbursement import claims, runs, selectors
from reimbursement.errors import (
    CLAIM_MESSAGES,
    RUN_MESSAGES,
    ClaimRefusal,
    ReimbursementError,
    RunRefusal,
    capitalised,
)
from reimbursement.models import (
    Adjustment,
    BudgetAllocation,
    Claim,
    PaymentItem,
    PaymentLine,
    PaymentRun,
)
from schemes.models import ParticipantRole, Scheme
from schemes.selectors import schemes_visible_to


# scope --------------------------------------------------------------------------------------------
def schemes_paid_for(user) -> QuerySet[Scheme]:
    """Schemes paid by an organisation ``user`` is finance staff for (every paid scheme for a
    superuser): ``runs.schemes_paid_by`` over their paying finance organisations."""
    if user.is_superuser:
        return Scheme.objects.filter(rate_card__isnull=False)
    payers = scoping.organisations_visible_to(user, Role.FINANCE).filter(
        pk__in=runs.paying_organisations().values("pk")
    )
    return reduce(or_, (runs.schemes_paid_by(o) for o in payers), Scheme.objects.none())


def claims_for(user) -> QuerySet[Claim]:
    """Claims of the schemes ``user`` coordinates, and of those their finance organisations pay."""
    coordinated = selectors.claims_visible_to(user)
    if user.is_superuser:
        return coordinated
    return coordinated | Claim.objects.filter(scheme__in=schemes_paid_for(user))


class VisibleAdmin(admin.ModelAdmin):
    """Rows come from ``visible(user)``, in the admin's ordering; anything else is a 404, as with
    ``ScopedAdmin`` — not used here because its foreign-key choices are the coordinator's
    organisations and people, which finance staff have none of; each admin limits its own."""

    def visible(self, user) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self, request):
        queryset = self.visible(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such record.")
        return obj


def who(user) -> str:
    return (user.get_full_name() or user.email) if user else "—"


def pounds(amount) -> str:
    return "—" if amount is None else f"£{amount:,.2f}"


def day(value) -> str:
    return timezone.localtime(value).strftime("%-d %B %Y")


# claims -------------------------------------------------------------------------------------------
class RejectClaimsForm(forms.Form):
    reason = forms.CharField(
        label="Reason, shown to the mentor: why the claim is not accepted",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": capitalised(CLAIM_MESSAGES[ClaimRefusal.REASON_REQUIRED])},
    )


@admin.register(Claim)
class ClaimAdmin(RecordsViewsMixin, VisibleAdmin):
    audit_what = "claim"
    list_display = (
        "mentor",
        "scheme",
        "what",
        "period_start",
        "status",
        "amount_paid",
        "submitted_at",
        "imported",
    )
    list_filter = (
        "status",
        "kind",
        "unit",
        ("scheme", admin.RelatedOnlyFieldListFilter),
        "imported",
    )
    date_hierarchy = "period_start"
    search_fields = ("person__user__first_name", "person__user__last_name", "person__user__email")
    list_select_related = ("person__user", "scheme")
    actions = ("approve", "reject")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "mentor",
                    "scheme",
                    "what",
                    "claimed_date",
                    "period_start",
                    "submitted",
                    "imported",
                )
            },
        ),
        ("What the claim rests on", {"fields": ("sessions_held", "training_record", "activity")}),
        (
            "Decision",
            {"fields": ("status", "amount_paid", "rate", "decided", "decision_reason", "paid_in")},
        ),
    )
    readonly_fields = (
        "mentor",
        "scheme",
        "what",
        "claimed_date",
        "period_start",
        "submitted",
        "imported",
        "sessions_held",
        "training_record",
        "activity",
        "status",
        "amount_paid",
        "rate",
        "decided",
        "decision_reason",
        "paid_in",
    )

    def visible(self, user):
        return claims_for(user).select_related("person__user", "scheme")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """Claims change only through the actions (approve, reject): each page is read-only."""
        return obj is None and super().has_change_permission(request)

    # the list and the page
    @admin.display(description="Mentor", ordering="person__user__last_name")
    def mentor(self, claim):
        return f"{claim.person.full_name} ({claim.person.user.email})"

    @admin.display(description="Claim for", ordering="unit")
    def what(self, claim):
        return claim.get_unit_display()

    @admin.display(description="Amount", ordering="amount")
    def amount_paid(self, claim):
        return pounds(claim.amount)

    @admin.display(description="Submitted")
    def submitted(self, claim):
        by = f" by {who(claim.submitted_by)}" if claim.submitted_by_id else ""
        return f"{day(claim.submitted_at)}{by}"

    @admin.display(description="Decided")
    def decided(self, claim):
        if claim.decided_at is None:
            return "Not yet"
        return f"{day(claim.decided_at)} by {who(claim.decided_by)}"

    @admin.display(description="Sessions held (dates only)")
    def sessions_held(self, claim):
        starts = list(claim.sessions.order_by("starts_at").values_list("starts_at", flat=True))
        if claim.session_id:
            starts.append(claim.session.starts_at)
        if not starts:
            return "None logged"
        return ", ".join(day(start) for start in starts)

    @admin.display(description="Paid in")
    def paid_in(self, claim):
        item = PaymentItem.objects.filter(claim=claim).select_related("run").first()
        return item.run.reference if item else "Not yet paid"

    # deciding
    def _decide(self, request, queryset, decide, done: str) -> None:
        decided = 0
        for claim in queryset.select_related("person__user", "scheme"):
            try:
                decide(claim)
            except ReimbursementError as refusal:
                self.message_user(
                    request,
                    f"{claim.person.full_name}, {claims.claim_label(claim)} ({claim.scheme}): "
                    f"{refusal.message}",
                    messages.ERROR,
                )
            else:
                decided += 1
        if decided:
            self.message_user(request, done.format(n=decided), messages.SUCCESS)

    @admin.action(description="Approve selected claims", permissions=["change"])
    def approve(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda claim: claims.approve_claim(claim=claim, by=request.user),
            "{n} claim(s) approved.",
        )

    @admin.action(description="Reject selected claims, with a reason", permissions=["change"])
    def reject(self, request, queryset):
        form = RejectClaimsForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            self._decide(
                request,
                queryset,
                lambda claim: claims.reject_claim(
                    claim=claim, by=request.user, reason=form.cleaned_data["reason"]
                ),
                "{n} claim(s) rejected; the mentors have been told why.",
            )
            return None
        return TemplateResponse(
            request,
            "admin/reimbursement/claim/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reject claims, with a reason",
                "claims": [
                    (claim, claims.claim_label(claim))
                    for claim in queryset.select_related("person__user", "scheme")
                ],
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


# payment runs -------------------------------------------------------------------------------------
EXPORTS = (
    ("payment_run_csv", "CSV"),
    ("payment_run_xlsx", "Excel"),
    ("payment_run_pdf", "PDF"),
)


def export_url(name: str, run: PaymentRun) -> str | None:
    try:
        return reverse(name, args=[run.reference])
    except NoReverseMatch:
        return None


class PaymentLineInline(admin.TabularInline):
    model = PaymentLine
    fields = (
        "mentor",
        "scheme_name",
        "claim_count",
        "mentoring_amount",
        "training_amount",
        "adjustment_amount",
        "total_amount",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person__user", "scheme")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Mentor")
    def mentor(self, line):
        return line.mentor_name

    @admin.display(description="Scheme")
    def scheme_name(self, line):
        return line.scheme_name


@admin.register(PaymentRun)
class PaymentRunAdmin(VisibleAdmin):
    list_display = (
        "reference",
        "organisation",
        "month",
        "status",
        "claim_count",
        "total",
        "approved_by",
        "approved_at",
    )
    list_filter = ("status", ("organisation", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "period"
    search_fields = ("reference", "organisation__name", "organisation__code")
    list_select_related = ("organisation", "approved_by")
    inlines = (PaymentLineInline,)
    actions = ("approve",)
    fields = (
        "reference",
        "organisation",
        "month",
        "status",
        "built_at",
        "claim_count",
        "total",
        "approved_by",
        "approved_at",
        "exports",
    )
    readonly_fields = fields

    def visible(self, user):
        return runs.runs_visible_to(user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """A run changes only through its build and the approve action: each page is read-only."""
        return obj is None and super().has_change_permission(request)

    @admin.display(description="Month", ordering="period")
    def month(self, run):
        return run.period.strftime("%B %Y")

    @admin.display(description="Total", ordering="total_amount")
    def total(self, run):
        return pounds(run.total_amount)

    @admin.display(description="Downloads")
    def exports(self, run):
        links = []
        detail = export_url("payment_run_detail", run)
        if detail:
            links.append((detail, "The run's page"))
        if run.is_approved:
            links += [(url, label) for name, label in EXPORTS if (url := export_url(name, run))]
        shown = format_html_join(" · ", '<a href="{}">{}</a>', links)
        if not run.is_approved:
            return format_html(
                "{}{}Exports are available once the run is approved.",
                shown,
                " · " if links else "",
            )
        return shown or "—"

    @admin.action(description="Approve selected draft runs", permissions=["change"])
    def approve(self, request, queryset):
        if not two_factor.verified_recently(request):
            # As on the run's page: password and a code again first (ASVS 3.7.1); nothing changed.
            self.message_user(request, "Confirm it is you, then approve again.", messages.WARNING)
            return HttpResponseRedirect(
                two_factor.with_next("two_factor_confirm", request.get_full_path())
            )
        approved = 0
        for run in queryset:
            try:
                runs.approve_run(run=run, by=request.user)
            except ReimbursementError as refusal:
                message = refusal.message
                if run.reference not in message:
                    message = f"{run.reference}: {message}"
                self.message_user(request, message, messages.ERROR)
            else:
                approved += 1
        if approved:
            self.message_user(
                request,
                f"{approved} run(s) approved; their claims are marked paid.",
                messages.SUCCESS,
            )


# adjustments --------------------------------------------------------------------------------------
class AdjustmentForm(forms.ModelForm):
    """The add form. Its ``clean`` calls ``runs.add_adjustment`` — the one place the rules
    live — so a refusal lands on its field and nothing is saved; ``adjustment`` is the saved row."""

    by = None  # the user adding, set by ``AdjustmentAdmin.get_form``
    adjustment = None

    class Meta:
        model = Adjustment
        fields = ("person", "scheme", "amount", "reason")
        help_texts = {
            "amount": "Positive to pay more; negative (e.g. -289.00) to recover an overpayment.",
            "reason": "Kept with the payment run that pays it.",
        }
        error_messages = {
            "reason": {"required": capitalised(RUN_MESSAGES[RunRefusal.ADJUSTMENT_REASON])}
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.instance.pk:
            return cleaned
        try:
            self.adjustment = runs.add_adjustment(
                person=cleaned["person"],
                scheme=cleaned["scheme"],
                amount=cleaned["amount"],
                reason=cleaned["reason"],
                by=self.by,
            )
        except ReimbursementError as refusal:
            for problem in refusal.problems:
                field = problem.field if problem.field in self.fields else None
                self.add_error(field, capitalised(problem.message))
        return cleaned


class PaidFilter(admin.SimpleListFilter):
    title = "paid"
    parameter_name = "paid"

    def lookups(self, request, model_admin):
        return [("no", "Waiting for the next run"), ("yes", "Taken into a run")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(run__isnull=True)
        if self.value() == "yes":
            return queryset.filter(run__isnull=False)
        return queryset


@admin.register(Adjustment)
class AdjustmentAdmin(VisibleAdmin):
    """Corrections, paid in the next run built for the scheme's payer. Once saved, an adjustment
    is read-only (a mistake is corrected by another adjustment); never deleted."""

    form = AdjustmentForm
    list_display = ("person", "scheme", "amount_due", "short_reason", "created", "run")
    list_filter = (PaidFilter, ("scheme", admin.RelatedOnlyFieldListFilter))
    search_fields = ("person__user__first_name", "person__user__last_name", "person__user__email")
    list_select_related = ("person__user", "scheme", "created_by", "run")
    readonly_fields = ("created", "run")

    def visible(self, user):
        queryset = Adjustment.objects.select_related("person__user", "scheme", "created_by", "run")
        return queryset if user.is_superuser else queryset.filter(scheme__in=schemes_paid_for(user))

    def get_fields(self, request, obj=None):
        fields = ("person", "scheme", "amount", "reason")
        return fields if obj is None else (*fields, "created", "run")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scheme":
            kwargs["queryset"] = schemes_paid_for(request.user).order_by("name")
        elif db_field.name == "person":
            kwargs["queryset"] = (
                Person.objects.filter(
                    pk__in=Person.objects.filter(
                        enrolments__scheme__in=schemes_paid_for(request.user),
                        enrolments__role=ParticipantRole.MENTOR,
                    ).values("pk")
                )
                .select_related("user")
                .order_by("user__last_name", "user__first_name")
            )
            kwargs["help_text"] = "Mentors of the schemes your organisation pays."
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_form(self, request, form, change):
        return form.adjustment

    def save_model(self, request, obj, form, change):
        """Nothing to do: ``runs.add_adjustment`` saved it when the form was checked."""

    def save_related(self, request, form, formsets, change):
        """An adjustment has nothing related to save."""

    @admin.display(description="Amount", ordering="amount")
    def amount_due(self, adjustment):
        return pounds(adjustment.amount)

    @admin.display(description="Reason")
    def short_reason(self, adjustment):
        reason = adjustment.reason
        return reason if len(reason) <= 60 else f"{reason[:57]}…"

    @admin.display(description="Added", ordering="created_at")
    def created(self, adjustment):
        return f"{day(adjustment.created_at)} by {who(adjustment.created_by)}"


# budgets ------------------------------------------------------------------------------------------
@admin.register(BudgetAllocation)
class BudgetAllocationAdmin(VisibleAdmin):
    """Quarterly allocations, kept by finance for the schemes their organisations pay;
    coordinators see those of the schemes they coordinate."""

    list_display = ("scheme", "quarter_start", "amount_allocated", "note")
    list_filter = (("scheme", admin.RelatedOnlyFieldListFilter),)
    date_hierarchy = "quarter_start"
    search_fields = ("scheme__name", "note")
    list_select_related = ("scheme",)
    fields = ("scheme", "quarter_start", "amount", "note")

    def visible(self, user):
        queryset = BudgetAllocation.objects.select_related("scheme")
        if user.is_superuser:
            return queryset
        return queryset.filter(
            Q(scheme__in=schemes_paid_for(user)) | Q(scheme__in=schemes_visible_to(user))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scheme":
            kwargs["queryset"] = schemes_paid_for(request.user).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        """Finance change the allocations of the schemes their organisations pay, no others."""
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return schemes_paid_for(request.user).filter(pk=obj.scheme_id).exists()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Amount", ordering="amount")
    def amount_allocated(self, allocation):
        return pounds(allocation.amount)
