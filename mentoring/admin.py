"""The coordinators' admin for the people register.

Every list, page, choice and export goes through ``mentoring.scoping``: a coordinator sees the
people and organisations of the organisations they are assigned (and everything below them), and an
object outside that scope is a 404 — never a redirect that admits it exists.
"""

from functools import reduce
from operator import or_

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q
from django.http import Http404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html

from mentoring import audit, invitations, roles, scoping, two_factor
from mentoring.admin_audit import RecordsViewsMixin  # also registers the audit's pages
from mentoring.exports import csv_response
from mentoring.models import (
    FocusArea,
    Invitation,
    JobRun,
    Notification,
    Organisation,
    Person,
    ProfessionalRegistration,
    RoleAssignment,
    ScopeOfPractice,
    Sector,
    TrainingRecord,
    User,
    WorkingRelationship,
)
from mentoring.views import privacy as privacy_views


def scope_filter(user, organisation_prefixes=(), person_fields=()) -> Q | None:
    """Rows the user may see: reached from their organisations through ``organisation_prefixes``
    or belonging (through ``person_fields``; "" for Person itself) to someone they may see.

    None means no restriction: a superuser, or an inline whose parent page is already scoped.
    """
    people = scoping.people_q(user)
    if people is None or not (organisation_prefixes or person_fields):
        return None
    filters = [scoping.organisation_q(user, prefix=prefix) for prefix in organisation_prefixes]
    visible = Person.objects.filter(people).values("pk")
    filters += [Q(**{f"{field}__in" if field else "pk__in": visible}) for field in person_fields]
    return reduce(or_, filters)


class ReadOnlyMixin:
    """Records kept as they were made: viewed in the admin, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedMixin:
    """Limits rows and foreign-key choices to the coordinator's scope, for admins and inlines."""

    scope_organisation_prefixes: tuple[str, ...] = ()
    scope_person_fields: tuple[str, ...] = ()
    organisation_fields = ("organisation", "parent", "funded_by", "owner")
    person_fields = ("person", "supervisor", "supervisee")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        q = scope_filter(request.user, self.scope_organisation_prefixes, self.scope_person_fields)
        return queryset if q is None else queryset.filter(q)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.organisation_fields and db_field.related_model is Organisation:
            kwargs["queryset"] = scoping.organisations_visible_to(request.user)
        elif db_field.name in self.person_fields and db_field.related_model is Person:
            kwargs["queryset"] = scoping.people_visible_to(request.user).select_related("user")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedAdmin(ScopedMixin, admin.ModelAdmin):
    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such record.")
        return obj


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    scope_organisation_prefixes = ("",)
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    ordering = ("path",)
    fields = ("code", "name", "kind", "parent")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not request.user.is_superuser:
            form.base_fields["parent"].required = True
            form.base_fields["parent"].help_text = "One of the organisations you coordinate."
        return form


class TermAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    list_display = ("name",)


admin.site.register(Sector, TermAdmin)
admin.site.register(ScopeOfPractice, TermAdmin)
admin.site.register(FocusArea, TermAdmin)


class RegistrationInline(ScopedMixin, admin.StackedInline):
    model = ProfessionalRegistration
    extra = 0
    fields = (
        ("register", "number", "status"),
        ("licence_to_practise", "on_performers_list", "interim_suspension"),
        ("qualified_on", "independent_prescriber_since", "valid_until"),
        ("verified_on", "verification_source"),
    )


class TrainingInline(ScopedMixin, admin.TabularInline):
    model = TrainingRecord
    extra = 0
    fields = ("kind", "status", "date", "valid_until", "funded_by", "cost", "evidence")


class SupervisedByInline(ScopedMixin, admin.TabularInline):
    model = WorkingRelationship
    fk_name = "supervisee"
    extra = 0
    verbose_name = "supervisor or line manager of this person"
    verbose_name_plural = "supervisors and line managers of this person"
    fields = ("supervisor", "kind", "start_date", "end_date")
    autocomplete_fields = ("supervisor",)


class PersonAdminForm(forms.ModelForm):
    """Person with the login's name and e-mail on the same page."""

    email = forms.EmailField(label="Email address")
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)

    class Meta:
        model = Person
        fields = (
            "profession",
            "organisation",
            "department",
            "region",
            "clinical_sessions_per_week",
            "work_email",
            "work_phone",
            "sectors",
            "scopes_of_practice",
            "focus_areas",
            "profile",
            "payee_reference",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            user = self.instance.user
            self.initial.update(
                email=user.email, first_name=user.first_name, last_name=user.last_name
            )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        taken = User.objects.filter(email=email)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.user_id)
        if taken.exists():
            raise forms.ValidationError("Someone on the service already uses this email address.")
        return email


class InvitationStatusFilter(admin.SimpleListFilter):
    title = "invitation"
    parameter_name = "invitation"

    def lookups(self, request, model_admin):
        return [
            ("none", "Not invited"),
            ("pending", "Invited, not accepted"),
            ("accepted", "Accepted or has a password"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(
                user__invitation__isnull=True, user__password__startswith=UNUSABLE_PASSWORD_PREFIX
            )
        if value == "pending":
            return queryset.filter(
                user__invitation__isnull=False,
                user__invitation__accepted_at__isnull=True,
                user__password__startswith=UNUSABLE_PASSWORD_PREFIX,
            )
        if value == "accepted":
            return queryset.exclude(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
        return queryset


PEOPLE_EXPORT_COLUMNS = [
    "email",
    "first_name",
    "last_name",
    "profession",
    "organisation_code",
    "department",
    "region",
    "sectors",
    "scope_of_practice",
    "focus_areas",
    "clinical_sessions_per_week",
]


@admin.register(Person)
class PersonAdmin(RecordsViewsMixin, ScopedAdmin):
    form = PersonAdminForm
    audit_what = "person's record and registrations"
    scope_person_fields = ("",)
    list_display = (
        "name",
        "email",
        "profession",
        "organisation",
        "region",
        "clinical_sessions_per_week",
        "account",
    )
    list_filter = (
        "profession",
        ("organisation", admin.RelatedOnlyFieldListFilter),
        "region",
        ("sectors", admin.RelatedOnlyFieldListFilter),
        ("focus_areas", admin.RelatedOnlyFieldListFilter),
        InvitationStatusFilter,
    )
    search_fields = (
        "user__email",
        "user__first_name",
        "user__last_name",
        "department",
        "registrations__number",
    )
    list_select_related = ("user", "user__invitation", "organisation")
    ordering = ("user__last_name", "user__first_name")
    filter_horizontal = ("sectors", "scopes_of_practice", "focus_areas")
    inlines = (RegistrationInline, TrainingInline, SupervisedByInline)
    actions = ("send_invitations", "download_csv", privacy_views.erase_personal_data)
    fieldsets = (
        (None, {"fields": ("email", "first_name", "last_name", "profession", "organisation")}),
        ("Work", {"fields": ("department", "region", "clinical_sessions_per_week")}),
        ("Contact (shown to a matched mentor or mentee)", {"fields": ("work_email", "work_phone")}),
        ("Interests", {"fields": ("sectors", "scopes_of_practice", "focus_areas", "profile")}),
        ("Finance", {"fields": ("payee_reference",)}),
    )

    @admin.display(description="Name", ordering="user__last_name")
    def name(self, person):
        return person.user.get_full_name()

    @admin.display(description="Email", ordering="user__email")
    def email(self, person):
        return person.user.email

    @admin.display(description="Account")
    def account(self, person):
        user = person.user
        if user.has_usable_password():
            return "Active"
        invitation = getattr(user, "invitation", None)
        if invitation is None:
            return "Not invited"
        return f"Invited ({invitation.send_count} times), not accepted"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            user = obj.user
            user.email, user.first_name, user.last_name = (
                data["email"],
                data["first_name"],
                data["last_name"],
            )
            user.save(update_fields=["email", "first_name", "last_name"])
        else:
            obj.user = User.objects.create_user(
                data["email"], first_name=data["first_name"], last_name=data["last_name"]
            )
        super().save_model(request, obj, form, change)

    @admin.action(description="Send (or resend) invitation emails")
    def send_invitations(self, request, queryset):
        outcome = invitations.invite_people(people=queryset, invited_by=request.user)
        if outcome.sent:
            self.message_user(request, f"Invitation emails sent to {len(outcome.sent)} people.")
        if outcome.skipped_active:
            self.message_user(
                request,
                f"{len(outcome.skipped_active)} already use their account and were not invited.",
                messages.WARNING,
            )

    @admin.action(description="Download selected people as CSV")
    def download_csv(self, request, queryset):
        audit.record_export(request, "people register export")
        return self._csv(queryset)

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="mentoring_person_export",
            ),
            path(
                "<path:object_id>/erase/",
                self.admin_site.admin_view(
                    lambda request, object_id: privacy_views.erase_person_view(
                        self, request, object_id
                    )
                ),
                name="mentoring_person_erase",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The whole (filtered) list as CSV, in the import_people columns so it can round-trip."""
        if not self.has_view_permission(request):
            raise Http404
        changelist = self.get_changelist_instance(request)
        audit.record_export(request, "people register export")
        return self._csv(changelist.get_queryset(request))

    def _csv(self, queryset):
        people = (
            queryset.select_related("user", "organisation")
            .prefetch_related("sectors", "scopes_of_practice", "focus_areas")
            .order_by("user__last_name", "user__first_name", "pk")
        )

        def rows():
            for person in people.iterator(chunk_size=2000):
                yield [
                    person.user.email,
                    person.user.first_name,
                    person.user.last_name,
                    person.profession,
                    person.organisation.code,
                    person.department,
                    person.region,
                    ";".join(t.name for t in person.sectors.all()),
                    ";".join(t.name for t in person.scopes_of_practice.all()),
                    ";".join(t.name for t in person.focus_areas.all()),
                    person.clinical_sessions_per_week,
                ]

        return csv_response("people.csv", PEOPLE_EXPORT_COLUMNS, rows())

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "export_url": reverse("admin:mentoring_person_export"),
        }
        return super().changelist_view(request, extra_context)


@admin.register(ProfessionalRegistration)
class RegistrationAdmin(RecordsViewsMixin, ScopedAdmin):
    audit_what = "professional registration"
    scope_person_fields = ("person",)
    list_display = (
        "person",
        "register",
        "number",
        "status",
        "licence_to_practise",
        "on_performers_list",
        "interim_suspension",
        "valid_until",
        "verified_on",
    )
    list_filter = ("register", "status", "on_performers_list", "interim_suspension")
    search_fields = ("number", "person__user__email", "person__user__last_name")
    list_select_related = ("person__user",)
    autocomplete_fields = ("person",)
    readonly_fields = ("verified_by",)

    def save_model(self, request, obj, form, change):
        if "verified_on" in form.changed_data and obj.verified_on:
            obj.verified_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ScopedAdmin):
    scope_person_fields = ("person",)
    list_display = ("person", "kind", "status", "date", "valid_until", "funded_by", "cost")
    list_filter = ("kind", "status")
    search_fields = ("person__user__email", "person__user__last_name")
    list_select_related = ("person__user", "funded_by")
    autocomplete_fields = ("person",)


@admin.register(WorkingRelationship)
class WorkingRelationshipAdmin(ScopedAdmin):
    scope_person_fields = ("supervisee", "supervisor")
    list_display = ("supervisor", "kind", "supervisee", "start_date", "end_date")
    list_filter = ("kind",)
    search_fields = (
        "supervisor__user__email",
        "supervisor__user__last_name",
        "supervisee__user__email",
        "supervisee__user__last_name",
    )
    list_select_related = ("supervisor__user", "supervisee__user")
    autocomplete_fields = ("supervisor", "supervisee")


class AcceptedFilter(admin.SimpleListFilter):
    title = "accepted"
    parameter_name = "accepted"

    def lookups(self, request, model_admin):
        return [("yes", "Accepted"), ("no", "Not accepted")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(accepted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(accepted_at__isnull=True)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(ScopedAdmin):
    """Who was invited and who has not yet accepted; resending is an action."""

    scope_person_fields = ("user__person",)
    list_display = ("email", "name", "send_count", "last_sent_at", "accepted_at", "invited_by")
    list_filter = (AcceptedFilter,)
    search_fields = ("user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "invited_by")
    actions = ("resend",)

    @admin.display(description="Email", ordering="user__email")
    def email(self, invitation):
        return invitation.user.email

    @admin.display(description="Name")
    def name(self, invitation):
        return invitation.user.get_full_name()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Resend the invitation email", permissions=["view"])
    def resend(self, request, queryset):
        people = Person.objects.filter(user__invitation__in=queryset)
        people = scoping.people_visible_to(request.user).filter(pk__in=people)
        outcome = invitations.invite_people(people=people, invited_by=request.user)
        self.message_user(request, f"Invitation emails sent again to {len(outcome.sent)} people.")


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "organisation")

    def __init__(self, *args, **kwargs):
        """Posted values that are not ids are dropped (so "required" is said): Django's
        autocomplete widget looks the posted value up to show it again, and crashes on them."""
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self.data.copy()
            for name in ("user", "organisation"):
                if not str(self.data.get(self.add_prefix(name), "")).strip().isdigit():
                    self.data.pop(self.add_prefix(name), None)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Superusers grant staff roles; the service keeps the auth group in step with the scope."""

    form = RoleAssignmentForm
    list_display = ("user", "role", "organisation", "granted_at", "granted_by")
    list_filter = ("role",)
    search_fields = ("user__email", "organisation__code", "organisation__name")
    list_select_related = ("user", "organisation", "granted_by")
    autocomplete_fields = ("user", "organisation")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    # Granting or removing a staff role asks for the password and a code again (ASVS 3.7.1).
    @method_decorator(two_factor.require_recent_verification(again="grant the role"))
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    @method_decorator(two_factor.require_recent_verification(again="remove the role"))
    def delete_view(self, request, object_id, extra_context=None):
        return super().delete_view(request, object_id, extra_context)

    @method_decorator(
        two_factor.require_recent_verification(methods=("POST",), again="remove the roles")
    )
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        assignment = roles.grant_role(
            user=obj.user, role=obj.role, organisation=obj.organisation, granted_by=request.user
        )
        obj.pk = assignment.pk

    def delete_model(self, request, obj):
        roles.revoke_role(user=obj.user, role=obj.role, organisation=obj.organisation)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user", "organisation"):
            self.delete_model(request, assignment)


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    actions = ("reset_two_factor",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    # Resetting someone's second factor (an action, so a POST to this list) asks for the
    # password and a code again, as granting a role does (ASVS 3.7.1).
    @method_decorator(two_factor.require_recent_verification(methods=("POST",), again="reset it"))
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context)

    @admin.action(description="Reset two-factor authentication (a lost phone)")
    def reset_two_factor(self, request, queryset):
        """Removes the person's app and backup codes; they set up a new app at next sign-in."""
        reset = 0
        for user in queryset:
            try:
                two_factor.reset_devices(user=user, by=request.user)
            except two_factor.TwoFactorError as refusal:
                self.message_user(request, f"{user.email}: {refusal.message}.", messages.ERROR)
            else:
                reset += 1
        if reset:
            self.message_user(
                request,
                f"Two-factor authentication reset for {reset} user(s); each was told by e-mail.",
                messages.SUCCESS,
            )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What was sent to whom, for support: coordinators see the messages about the schemes of
    their organisations (and below), read-only; superusers see everything."""

    list_display = ("subject", "recipient", "kind", "scheme", "status", "created_at", "sent_at")
    list_filter = ("status", "kind", "scheme")
    search_fields = ("recipient__email", "subject", "scheme")
    list_select_related = ("recipient",)
    fields = (
        "subject",
        "summary",
        "recipient",
        "kind",
        "scheme",
        "organisation",
        "about",
        "period",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "read_at",
        "digest",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        q = scoping.organisation_q(request.user, prefix="organisation__")
        return queryset if q is None else queryset.filter(q)

    def get_object(self, request, object_id, from_field=None):
        """Outside the scope is not found (404), as with ``ScopedAdmin``, not a redirect."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such record.")
        return obj


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Every run of every scheduled job, newest first (the scheduled-jobs page shows the last)."""

    list_display = ("job", "started_at", "finished_at", "outcome", "found", "sent")
    list_filter = ("outcome", "job")
    fields = (
        "job",
        "at",
        "started_at",
        "finished_at",
        "outcome",
        "found",
        "sent",
        "by_scheme",
        "error",
    )
    readonly_fields = fields

    def get_fields(self, request, obj=None):
        # Other ICSs' schemes are not a coordinator's business, not even their counts.
        if request.user.is_superuser:
            return self.fields
        return tuple(f for f in self.fields if f != "by_scheme")


def person_link(person: Person) -> str:
    url = reverse("admin:mentoring_person_change", args=[person.pk])
    return format_html('<a href="{}">{}</a>', url, person)
