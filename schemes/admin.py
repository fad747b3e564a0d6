"""The coordinators' admin for schemes: configuration, application review, the mentor register.

Decisions go through ``schemes.services`` (which check eligibility and store the check), never
through the model form: statuses are read-only here.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from mentoring import scoping
from mentoring.admin import ReadOnlyMixin, ScopedAdmin
from mentoring.models import Organisation, Role
from schemes import services
from schemes.errors import SchemeError
from schemes.models import (
    Application,
    ClaimKind,
    Cohort,
    EligibilityCheck,
    EligibilityRule,
    Enrolment,
    Intake,
    LeaveKind,
    Rate,
    RateCard,
    ReminderPlan,
    Scheme,
)
from schemes.rules import RULES

SCHEME_SCOPE = ("scheme__owner__",)


# the verdict panel ------------------------------------------------------------------------------
RESULT_WORDS = {"passed": "Met", "failed": "Not met", "unknown": "Not known"}


def verdict_table(results: list[dict]) -> str:
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td><strong>{}</strong></td><td>{}</td><td>{}</td></tr>",
        (
            (
                r["title"],
                "Required" if r["severity"] == "required" else "Advisory",
                RESULT_WORDS.get(r["result"], r["result"]),
                r["reason"],
                r.get("valid_until") or "",
            )
            for r in results
        ),
    )
    return format_html(
        '<table class="eligibility-verdict"><thead><tr><th scope="col">Rule</th>'
        '<th scope="col">Severity</th><th scope="col">Result</th><th scope="col">Why</th>'
        '<th scope="col">Holds until</th></tr></thead><tbody>{}</tbody></table>',
        rows,
    )


def verdict_panel(verdict) -> str:
    heading = "Eligible today" if verdict.eligible else "Not eligible today"
    return format_html(
        "<p><strong>{}</strong> ({})</p>{}",
        heading,
        verdict.on_date.strftime("%d %B %Y"),
        verdict_table([r.as_json() for r in verdict.rules]),
    )


# schemes ----------------------------------------------------------------------------------------
class RuleForm(forms.ModelForm):
    code = forms.ChoiceField(
        label="Rule",
        choices=sorted(((code, r.title) for code, r in RULES.items()), key=lambda c: c[1]),
    )

    class Meta:
        model = EligibilityRule
        fields = ("role", "code", "params", "severity", "position", "source")
        widgets = {"params": forms.Textarea(attrs={"rows": 2, "cols": 40})}


class RuleInline(admin.TabularInline):
    model = EligibilityRule
    form = RuleForm
    extra = 0


class CohortInline(admin.TabularInline):
    model = Cohort
    extra = 0
    fields = ("name", "slug", "priority", "session_minutes", "meet_every_weeks")
    prepopulated_fields = {"slug": ("name",)}


class IntakeInline(admin.TabularInline):
    model = Intake
    extra = 0
    fields = ("name", "role", "opens_on", "closes_on")


class ReminderPlanInline(admin.StackedInline):
    """When the scheme's reminders go out and how long each waits (the defaults until saved)."""

    model = ReminderPlan
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = "reminder plan"
    verbose_name_plural = "reminders"


@admin.register(Scheme)
class SchemeAdmin(ScopedAdmin):
    scope_organisation_prefixes = ("owner__",)
    list_display = ("name", "owner", "profession", "capacity", "mentor_cap", "mentors", "mentees")
    list_filter = ("profession",)
    search_fields = ("name", "slug", "owner__name", "owner__code")
    list_select_related = ("owner",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = (CohortInline, IntakeInline, RuleInline, ReminderPlanInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "slug",
                    "owner",
                    "profession",
                    "description",
                    ("starts_on", "ends_on"),
                )
            },
        ),
        (
            "Mentors",
            {
                "fields": (
                    ("mentor_capacity_min", "mentor_capacity_max"),
                    "mentor_cap",
                    "minimum_stay_months",
                )
            },
        ),
        (
            "Meetings",
            {
                "fields": (
                    ("session_minutes", "meet_every_weeks"),
                    ("sessions_per_year_min", "sessions_per_year_max"),
                    "min_sessions_in_programme",
                    "max_sessions_per_mentorship",
                    "planned_mentorship_months",
                )
            },
        ),
        ("Payment", {"fields": ("rate_card_summary",)}),
    )
    readonly_fields = ("rate_card_summary",)

    def get_queryset(self, request):
        current = Q(enrolments__left_on__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(
                mentor_count=Count("enrolments", filter=current & Q(enrolments__role="mentor")),
                mentee_count=Count("enrolments", filter=current & Q(enrolments__role="mentee")),
            )
        )

    @admin.display(description="Mentees a mentor")
    def capacity(self, scheme):
        return f"{scheme.mentor_capacity_min}–{scheme.mentor_capacity_max}"

    @admin.display(description="Mentors", ordering="mentor_count")
    def mentors(self, scheme):
        return scheme.mentor_count

    @admin.display(description="Mentees", ordering="mentee_count")
    def mentees(self, scheme):
        return scheme.mentee_count

    @admin.display(description="Rate card")
    def rate_card_summary(self, scheme):
        card = (
            RateCard.objects.filter(scheme_id=scheme.pk).prefetch_related("rates").first()
            if scheme.pk
            else None
        )
        if card is None:
            return "None: the scheme pays nothing for mentoring or training."
        url = reverse("admin:schemes_ratecard_change", args=[card.pk])
        return format_html(
            '<a href="{}">{}</a> — {}', url, card.get_claim_unit_display(), rates_in_force(card)
        )


# applications -----------------------------------------------------------------------------------
class RejectionForm(forms.Form):
    feedback = forms.CharField(
        label="Feedback for the applicant: why the application is not accepted",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the applicant feedback on the decision."},
    )
    how_to_reapply = forms.CharField(
        label="How and when they can reapply",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tell the applicant how they can reapply."},
    )


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    scope_organisation_prefixes = SCHEME_SCOPE
    list_display = ("person", "scheme", "role", "status", "submitted_at", "eligible_when_applied")
    list_filter = (("scheme", admin.RelatedOnlyFieldListFilter), "role", "status")
    search_fields = ("person__user__email", "person__user__first_name", "person__user__last_name")
    list_select_related = ("person__user", "scheme", "eligibility_check")
    actions = ("approve", "reject", "admit_waiting")
    readonly_fields = (
        "person",
        "scheme",
        "intake",
        "role",
        "status",
        "submitted_at",
        "motivation",
        "clinical_sessions_per_week",
        "intends_extra_session",
        "preferred_mentees",
        "mentoring_plan",
        "focus_area_list",
        "cohort",
        "hopes",
        "eligibility_today",
        "eligibility_when_applied",
        "decided_at",
        "decided_by",
        "feedback",
        "how_to_reapply",
    )
    fieldsets = (
        (None, {"fields": ("person", "scheme", "intake", "role", "status", "submitted_at")}),
        (
            "The application",
            {
                "fields": (
                    "motivation",
                    "clinical_sessions_per_week",
                    "intends_extra_session",
                    "preferred_mentees",
                    "mentoring_plan",
                    "focus_area_list",
                    "cohort",
                    "hopes",
                )
            },
        ),
        ("Eligibility", {"fields": ("eligibility_today", "eligibility_when_applied")}),
        ("Decision", {"fields": ("decided_at", "decided_by", "feedback", "how_to_reapply")}),
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Eligible when applied", boolean=True)
    def eligible_when_applied(self, application):
        check = application.eligibility_check
        return check.eligible if check else None

    @admin.display(description="Focus areas")
    def focus_area_list(self, application):
        return ", ".join(f.name for f in application.focus_areas.all()) or "—"

    @admin.display(description="Eligibility today")
    def eligibility_today(self, application):
        return verdict_panel(services.verdict_for_application(application))

    @admin.display(description="Eligibility when applied (stored)")
    def eligibility_when_applied(self, application):
        check = application.eligibility_check
        if check is None:
            return "—"
        return verdict_table(check.results)

    def _decide(self, request, queryset, decide, done: str):
        succeeded = 0
        for application in queryset.select_related("person__user", "scheme"):
            try:
                decide(application)
            except SchemeError as refusal:
                self.message_user(
                    request, f"{application.person}: {refusal.message}", messages.ERROR
                )
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done.format(n=succeeded), messages.SUCCESS)

    @admin.action(description="Approve selected applications", permissions=["change"])
    def approve(self, request, queryset):
        def decide(application):
            enrolment = services.approve_application(
                application=application, decided_by=request.user
            )
            if enrolment is None:
                self.message_user(
                    request,
                    f"{application.person}: approved, on the waiting list (the scheme is at its cap).",
                    messages.WARNING,
                )

        self._decide(request, queryset, decide, "{n} application(s) approved.")

    @admin.action(description="Reject selected applications, with feedback", permissions=["change"])
    def reject(self, request, queryset):
        form = RejectionForm(request.POST if "feedback" in request.POST else None)
        if form.is_valid():
            self._decide(
                request,
                queryset,
                lambda application: services.reject_application(
                    application=application, decided_by=request.user, **form.cleaned_data
                ),
                "{n} application(s) rejected; the applicants have been e-mailed the feedback.",
            )
            return None
        return TemplateResponse(
            request,
            "admin/schemes/application/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reject applications with feedback",
                "applications": queryset.select_related("person__user", "scheme"),
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(
        description="Enrol from the waiting list while there is room", permissions=["change"]
    )
    def admit_waiting(self, request, queryset):
        admitted = []
        for scheme in Scheme.objects.filter(pk__in=queryset.values("scheme")):
            admitted += services.admit_from_waiting_list(scheme=scheme, by=request.user)
        self.message_user(request, f"{len(admitted)} mentor(s) enrolled from the waiting list.")


# enrolments -------------------------------------------------------------------------------------
class EligibilityEndingFilter(admin.SimpleListFilter):
    title = "eligibility"
    parameter_name = "eligibility"

    def lookups(self, request, model_admin):
        return [("ending", "Ends within 30 days"), ("ended", "Has ended")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "ending":
            return queryset.filter(
                eligible_until__gte=today, eligible_until__lte=today + datetime.timedelta(days=30)
            )
        if self.value() == "ended":
            return queryset.filter(eligible_until__lt=today)
        return queryset


class LeavingForm(forms.Form):
    left_on = forms.DateField(label="Date they left (YYYY-MM-DD)")
    kind = forms.ChoiceField(label="How they left", choices=LeaveKind.choices)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))
    exemption = forms.CharField(
        label="If the scheme funded their training: why its cost should not be recovered (e.g. ill health)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class EnrolmentForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = (
            "capacity",
            "cohort",
            "clinical_sessions_per_week",
            "funded_training",
            "recovery_exemption",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        enrolment = self.instance
        if "funded_training" in self.fields:
            self.fields["funded_training"].queryset = enrolment.person.training_records.all()
        if "cohort" in self.fields:
            self.fields["cohort"].queryset = enrolment.scheme.cohorts.all()

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.role == "mentor":
            if capacity is None:
                raise forms.ValidationError("A mentor takes at least one mentee.")
            try:
                services.check_capacity(self.instance.scheme, capacity)
            except SchemeError as refusal:
                raise forms.ValidationError(refusal.message) from refusal
        elif capacity is not None:
            raise forms.ValidationError("Only mentors have a capacity.")
        return capacity


@admin.register(Enrolment)
class EnrolmentAdmin(ScopedAdmin):
    form = EnrolmentForm
    scope_organisation_prefixes = SCHEME_SCOPE
    list_display = (
        "person",
        "scheme",
        "role",
        "status",
        "capacity",
        "cohort",
        "joined_on",
        "eligible_until",
        "left_on",
        "training_cost_recoverable",
    )
    list_filter = (
        ("scheme", admin.RelatedOnlyFieldListFilter),
        "role",
        "status",
        EligibilityEndingFilter,
        "training_cost_recoverable",
    )
    search_fields = ("person__user__email", "person__user__first_name", "person__user__last_name")
    list_select_related = ("person__user", "scheme", "cohort")
    actions = ("resume", "record_leaving")
    readonly_fields = (
        "person",
        "scheme",
        "role",
        "status",
        "joined_on",
        "paused_on",
        "pause_reason",
        "left_on",
        "leave_kind",
        "leave_reason",
        "eligible_until",
        "training_cost_recoverable",
        "eligibility_today",
    )
    fieldsets = (
        (None, {"fields": ("person", "scheme", "role", "status", "joined_on")}),
        ("On the scheme", {"fields": ("capacity", "cohort", "clinical_sessions_per_week")}),
        (
            "Eligibility",
            {"fields": ("eligible_until", "eligibility_today", "paused_on", "pause_reason")},
        ),
        (
            "Leaving",
            {
                "fields": (
                    "left_on",
                    "leave_kind",
                    "leave_reason",
                    "funded_training",
                    "training_cost_recoverable",
                    "recovery_exemption",
                )
            },
        ),
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Eligibility today")
    def eligibility_today(self, enrolment):
        return verdict_panel(services.verdict_for_enrolment(enrolment))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "recovery_exemption" in form.changed_data or "funded_training" in form.changed_data:
            services.record_recovery_exemption(
                enrolment=obj, reason=obj.recovery_exemption, by=request.user
            )

    @admin.action(
        description="Resume selected paused mentors (checks the rules again)",
        permissions=["change"],
    )
    def resume(self, request, queryset):
        resumed = 0
        for enrolment in queryset.select_related("person__user", "scheme"):
            try:
                services.resume_enrolment(enrolment=enrolment, by=request.user)
            except SchemeError as refusal:
                self.message_user(request, f"{enrolment.person}: {refusal.message}", messages.ERROR)
            else:
                resumed += 1
        if resumed:
            self.message_user(request, f"{resumed} enrolment(s) resumed.", messages.SUCCESS)

    @admin.action(
        description="Record that selected people left or withdrew", permissions=["change"]
    )
    def record_leaving(self, request, queryset):
        form = LeavingForm(request.POST if "left_on" in request.POST else None)
        if form.is_valid():
            done = 0
            for enrolment in queryset.select_related("person__user", "scheme"):
                try:
                    services.leave_scheme(enrolment=enrolment, by=request.user, **form.cleaned_data)
                except SchemeError as refusal:
                    self.message_user(
                        request, f"{enrolment.person}: {refusal.message}", messages.ERROR
                    )
                else:
                    done += 1
            if done:
                self.message_user(
                    request, f"{done} enrolment(s) recorded as left.", messages.SUCCESS
                )
            return None
        return TemplateResponse(
            request,
            "admin/schemes/enrolment/leave.html",
            {
                **self.admin_site.each_context(request),
                "title": "Record leaving",
                "enrolments": queryset.select_related("person__user", "scheme"),
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


@admin.register(EligibilityCheck)
class EligibilityCheckAdmin(ReadOnlyMixin, ScopedAdmin):
    """The stored checks decisions rest on: who was checked, when, by whom, and every result."""

    scope_organisation_prefixes = SCHEME_SCOPE
    list_display = (
        "person",
        "scheme",
        "role",
        "purpose",
        "on_date",
        "eligible",
        "checked_by",
        "checked_at",
    )
    list_filter = (("scheme", admin.RelatedOnlyFieldListFilter), "role", "purpose", "eligible")
    search_fields = ("person__user__email", "person__user__last_name")
    list_select_related = ("person__user", "scheme", "checked_by")
    readonly_fields = (
        "person",
        "scheme",
        "role",
        "purpose",
        "on_date",
        "eligible",
        "checked_by",
        "checked_at",
        "valid_until",
        "result_table",
    )
    exclude = ("results",)

    @admin.display(description="Results")
    def result_table(self, check):
        return verdict_table(check.results)


# rate cards -------------------------------------------------------------------------------------
def rate_card_q(user) -> Q | None:
    """Rate cards of the schemes ``user`` coordinates, and — for finance staff — of the schemes
    their organisations own or pay (None: every card, for a superuser)."""
    coordinated = scoping.organisation_q(user, prefix="scheme__owner__")
    if coordinated is None:
        return None
    return (
        coordinated
        | scoping.organisation_q(user, Role.FINANCE, prefix="scheme__owner__")
        | scoping.organisation_q(user, Role.FINANCE, prefix="paid_by__")
    )


def organisations_for_rate_cards(user):
    """The organisations ``user`` coordinates or is finance staff for (and those below)."""
    coordinated = scoping.organisation_q(user)
    if coordinated is None:
        return Organisation.objects.all()
    return Organisation.objects.filter(coordinated | scoping.organisation_q(user, Role.FINANCE))


def rates_in_force(card: RateCard) -> str:
    today = timezone.localdate()
    rates = [card.rate_on(kind, today) for kind in ClaimKind.values]
    return "; ".join(str(rate) for rate in rates if rate) or "No rate in force"


class RateForm(forms.ModelForm):
    class Meta:
        model = Rate
        fields = ("kind", "amount", "effective_from", "source")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed() and self.instance.claims.exists():
            raise forms.ValidationError(
                "Claims have been approved at this rate, so it cannot change: add a new rate "
                "from the date the change applies."
            )
        return cleaned


class RateInline(admin.TabularInline):
    model = Rate
    form = RateForm
    extra = 0
    fields = ("kind", "amount", "effective_from", "source")


@admin.register(RateCard)
class RateCardAdmin(ScopedAdmin):
    """What each scheme pays, from when. Finance staff add and change cards and rates (a new rate
    from a date, never an edit of one claims were approved at); coordinators only see them."""

    list_display = ("scheme", "owner", "claim_unit", "training_cap", "payer", "rates_today")
    list_filter = ("claim_unit",)
    search_fields = ("scheme__name", "scheme__owner__name", "paid_by__name")
    list_select_related = ("scheme__owner", "paid_by")
    inlines = (RateInline,)
    fields = ("scheme", "claim_unit", "training_cap", "paid_by", "training_unit_cost")

    def get_queryset(self, request):
        queryset = RateCard.objects.select_related("scheme__owner", "paid_by").prefetch_related(
            "rates"
        )
        q = rate_card_q(request.user)
        queryset = queryset if q is None else queryset.filter(q)
        ordering = self.get_ordering(request) or ("scheme__name",)
        return queryset.order_by(*ordering)

    def get_readonly_fields(self, request, obj=None):
        return ("scheme",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        organisations = organisations_for_rate_cards(request.user)
        if db_field.name == "scheme":
            kwargs["queryset"] = Scheme.objects.filter(
                owner__in=organisations, rate_card__isnull=True
            ).order_by("name")
        elif db_field.name == "paid_by":
            kwargs["queryset"] = organisations.order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Owner", ordering="scheme__owner__name")
    def owner(self, card):
        return card.scheme.owner

    @admin.display(description="Paid by", ordering="paid_by__name")
    def payer(self, card):
        return card.paid_by or card.scheme.owner

    @admin.display(description="Rates in force today")
    def rates_today(self, card):
        return rates_in_force(card)
