"""The audit in the admin: read-only for everyone, superusers included, and scoped.

Superusers see every entry. A coordinator sees the entries about the people and organisations in
their scope (``mentoring.scoping``) and, for changes, about their schemes; any other entry is a
404. django-auditlog registers its own change-log admin on the default site — ours — which would
let a superuser delete entries and show a coordinator everything: it is replaced here.

``RecordsViewsMixin`` puts a row in the access audit each time an admin change page shows a
confidential record (a person, a registration, a claim, a form response).
"""

from auditlog.models import LogEntry
from django.contrib import admin
from django.db.models import BigIntegerField, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.html import format_html, format_html_join

from mentoring import audit, scoping
from mentoring.audit_changes import scope_extensions
from mentoring.models import AccessEvent, Person


class RecordsViewsMixin:
    """For a ModelAdmin whose change page shows confidential data: one access audit row per page
    shown. ``audit_what`` labels it; ``audit_person_field`` names whom it is about."""

    audit_what = ""
    audit_person_field = "person"

    def audit_person(self, obj):
        return obj if isinstance(obj, Person) else getattr(obj, self.audit_person_field, None)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add:
            audit.record_view(request, obj, self.audit_what, person=self.audit_person(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)


class ScopedAuditAdmin(admin.ModelAdmin):
    """Read-only for everyone, and an entry outside the user's scope is not found."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def scope(self, request) -> Q | None:
        raise NotImplementedError

    def with_scope_columns(self, queryset):
        return queryset

    def get_queryset(self, request):
        queryset = self.with_scope_columns(super().get_queryset(request))
        q = self.scope(request)
        return queryset if q is None else queryset.filter(q)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such audit entry.")
        return obj

    def get_actions(self, request):
        return {}


@admin.register(AccessEvent)
class AccessEventAdmin(ScopedAuditAdmin):
    list_display = ("at", "actor", "actor_description", "action", "what", "person", "ip", "status")
    list_filter = ("action",)
    list_select_related = ("actor", "person__user")
    search_fields = ("what", "path", "actor__email", "person__user__email")
    date_hierarchy = "at"
    fields = (
        "at",
        "actor",
        "actor_description",
        "action",
        "what",
        "content_type",
        "object_id",
        "person",
        "organisation",
        "path",
        "method",
        "ip",
        "status",
    )
    readonly_fields = fields

    def scope(self, request):
        people = scoping.people_q(request.user)
        if people is None:
            return None
        organisations = scoping.organisations_visible_to(request.user).values("pk")
        return Q(person__in=Person.objects.filter(people).values("pk")) | Q(
            organisation__in=organisations
        )


def _scope_id(key: str) -> Cast:
    return Cast(KeyTextTransform(key, "additional_data"), BigIntegerField())


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ChangeLogAdmin(ScopedAuditAdmin):
    list_display = ("timestamp", "object_repr", "content_type", "action", "actor", "remote_addr")
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    search_fields = ("object_repr", "actor__email")
    date_hierarchy = "timestamp"
    fields = (
        "timestamp",
        "actor",
        "remote_addr",
        "action",
        "content_type",
        "object_pk",
        "object_repr",
        "changed",
    )
    readonly_fields = fields

    def with_scope_columns(self, queryset):
        return queryset.alias(
            scope_person=_scope_id("person"),
            scope_organisation=_scope_id("organisation"),
            **{f"scope_{key}": _scope_id(key) for key in scope_extensions()},
        )

    def scope(self, request):
        people = scoping.people_q(request.user)
        if people is None:
            return None
        q = Q(scope_person__in=Person.objects.filter(people).values("pk")) | Q(
            scope_organisation__in=scoping.organisations_visible_to(request.user).values("pk")
        )
        for key, ids_in_scope in scope_extensions().items():
            q |= Q(**{f"scope_{key}__in": ids_in_scope(request.user)})
        return q

    @admin.display(description="What changed")
    def changed(self, entry):
        """Field, before and after — as stored, so excluded fields are absent and masked ones
        masked."""
        changes = entry.changes_dict
        if not changes:
            return "—"
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "",
                "<dt>{}</dt><dd>{} → {}</dd>",
                (
                    (field, *values[:2])
                    if isinstance(values, list | tuple)
                    else (field, values, "")
                    for field, values in changes.items()
                ),
            ),
        )
