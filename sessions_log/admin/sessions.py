"""The coordinators' admin for sessions: each session's date, length, mode, status and lock, and
whether its session record was completed and when — never what the record says, and never a
mentor's private notes (they have no admin at all). Coordinators lock and unlock sessions through
``sessions_log.services``; a page lists the pairs overdue for a session or that have never met;
the line managers' confirmations are listed read-only.

Every page is scoped to the schemes of the coordinator's organisations (a 404 outside them).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Subquery
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from matching.models import Mentorship, MentorshipMember
from mentoring import scoping
from mentoring.admin import ReadOnlyMixin, ScopedAdmin
from schemes.models import Scheme
from sessions_log import cadence, services
from sessions_log.errors_sessions import SessionError
from sessions_log.models import (
    Attendance,
    EmployerConfirmation,
    FormKind,
    FormResponse,
    MentoringSession,
)

MENTORSHIP_SCOPE = ("mentorship__scheme__owner__",)


def visible_schemes(user):
    q = scoping.organisation_q(user, prefix="owner__")
    schemes = Scheme.objects.all() if q is None else Scheme.objects.filter(q)
    return schemes.order_by("name")


def _names(members, role) -> str:
    return ", ".join(m.enrolment.person.full_name for m in members if m.role == role)


class LockedFilter(admin.SimpleListFilter):
    title = "locked"
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return (("yes", "Locked"), ("no", "Not locked"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(locked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(locked_at__isnull=True)
        return queryset


class RecordFilter(admin.SimpleListFilter):
    title = "session record"
    parameter_name = "record"

    def lookups(self, request, model_admin):
        return (("completed", "Completed"), ("not_completed", "Not completed"))

    def queryset(self, request, queryset):
        if self.value() == "completed":
            return queryset.filter(record_completed_at__isnull=False)
        if self.value() == "not_completed":
            return queryset.filter(record_completed_at__isnull=True)
        return queryset


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ("member", "attended")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__enrolment__person__user")


@admin.register(MentoringSession)
class MentoringSessionAdmin(ScopedAdmin):
    scope_organisation_prefixes = MENTORSHIP_SCOPE
    list_display = (
        "session_name",
        "scheme",
        "mentor_names",
        "mentee_names",
        "starts_at",
        "duration_minutes",
        "mode",
        "status",
        "locked",
        "record_completed",
    )
    list_filter = (
        ("mentorship__scheme", admin.RelatedOnlyFieldListFilter),
        "status",
        "mode",
        LockedFilter,
        RecordFilter,
    )
    search_fields = (
        "mentorship__members__enrolment__person__user__email",
        "mentorship__members__enrolment__person__user__first_name",
        "mentorship__members__enrolment__person__user__last_name",
    )
    date_hierarchy = "starts_at"
    list_select_related = ("mentorship__scheme",)
    inlines = (AttendanceInline,)
    actions = ("lock_selected", "unlock_selected")
    change_list_template = "sessions_log/sessions/admin_change_list.html"
    fields = (
        "mentorship_link",
        "starts_at",
        "duration_minutes",
        "mode",
        "status",
        "locked_at",
        "locked_reason",
        "record_completed",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        completed = FormResponse.objects.filter(
            session=OuterRef("pk"),
            template__kind=FormKind.SESSION_RECORD,
            status=FormResponse.Status.SUBMITTED,
        ).order_by("submitted_at")
        members = MentorshipMember.objects.select_related("enrolment__person__user").order_by(
            "-role", "pk"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(record_completed_at=Subquery(completed.values("submitted_at")[:1]))
            .prefetch_related(Prefetch("mentorship__members", queryset=members))
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """Sessions change only through their actions (lock, unlock): each page is read-only."""
        return obj is None and super().has_change_permission(request)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "follow-up/",
                wrap(self.follow_up_view),
                name="sessions_log_mentoringsession_follow_up",
            ),
            *super().get_urls(),
        ]

    # the list
    @admin.display(description="Session", ordering="pk")
    def session_name(self, session):
        return f"Session {session.pk}"

    @admin.display(description="Scheme", ordering="mentorship__scheme__name")
    def scheme(self, session):
        return session.mentorship.scheme.name

    @admin.display(description="Mentors")
    def mentor_names(self, session):
        return _names(session.mentorship.members.all(), "mentor")

    @admin.display(description="Mentees")
    def mentee_names(self, session):
        return _names(session.mentorship.members.all(), "mentee")

    @admin.display(description="Locked", boolean=True, ordering="locked_at")
    def locked(self, session):
        return session.locked_at is not None

    @admin.display(description="Session record completed", ordering="record_completed_at")
    def record_completed(self, session):
        when = getattr(session, "record_completed_at", None)
        return when.strftime("%-d %B %Y") if when else "Not completed"

    @admin.display(description="Mentorship")
    def mentorship_link(self, session):
        url = reverse("admin:matching_mentorship_change", args=[session.mentorship_id])
        return format_html('<a href="{}">{}</a>', url, session.mentorship)

    # actions
    def _each(self, request, queryset, service, done: str):
        changed, refused = 0, []
        for session in queryset:
            try:
                service(session=session, by=request.user)
            except SessionError as refusal:
                refused.append(f"{self.session_name(session)}: {refusal.message}")
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} session(s) {done}.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="Lock the selected held sessions", permissions=["change"])
    def lock_selected(self, request, queryset):
        self._each(request, queryset, services.lock_session, "locked")

    @admin.action(description="Unlock the selected sessions", permissions=["change"])
    def unlock_selected(self, request, queryset):
        self._each(request, queryset, services.unlock_session, "unlocked")

    # pairs to follow up
    def follow_up_view(self, request):
        """Open mentorships in scope that have never met or are overdue for a session."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        schemes = visible_schemes(request.user)
        mentorships = Mentorship.objects.filter(scheme__in=schemes)
        chosen = request.GET.get("scheme", "")
        if chosen.isdigit():
            mentorships = mentorships.filter(scheme_id=int(chosen))
        rows = cadence.follow_up(mentorships)
        return TemplateResponse(
            request,
            "sessions_log/sessions/admin_follow_up.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Pairs to follow up",
                "rows": rows,
                "never_met": [r for r in rows if r.never_met],
                "overdue": [r for r in rows if not r.never_met],
                "schemes": schemes,
                "chosen": chosen,
            },
        )


@admin.register(EmployerConfirmation)
class EmployerConfirmationAdmin(ReadOnlyMixin, ScopedAdmin):
    """Which line managers have confirmed first contact and protected time — dates only."""

    scope_organisation_prefixes = MENTORSHIP_SCOPE
    list_display = (
        "mentorship_name",
        "scheme",
        "mentee_names",
        "line_manager",
        "requested_at",
        "contact_confirmed_at",
        "protected_time_agreed_at",
    )
    list_filter = (
        ("mentorship__scheme", admin.RelatedOnlyFieldListFilter),
        ("contact_confirmed_at", admin.EmptyFieldListFilter),
        ("protected_time_agreed_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("mentorship__scheme", "line_manager__user")
    fields = (
        "mentorship_name",
        "line_manager",
        "requested_at",
        "contact_confirmed_at",
        "protected_time_agreed_at",
    )
    readonly_fields = fields
    search_fields = (
        "line_manager__user__email",
        "mentorship__members__enrolment__person__user__last_name",
    )

    def get_queryset(self, request):
        members = MentorshipMember.objects.select_related("enrolment__person__user")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("mentorship__members", queryset=members))
        )

    @admin.display(description="Mentorship", ordering="mentorship_id")
    def mentorship_name(self, confirmation):
        return str(confirmation.mentorship)

    @admin.display(description="Scheme", ordering="mentorship__scheme__name")
    def scheme(self, confirmation):
        return confirmation.mentorship.scheme.name

    @admin.display(description="Mentee")
    def mentee_names(self, confirmation):
        return _names(confirmation.mentorship.members.all(), "mentee")
