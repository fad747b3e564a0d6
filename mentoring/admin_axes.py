"""Sign-in lockouts in the admin, for superusers only: who is locked, and an "Unlock" action.

django-axes' own admin pages are turned off (``AXES_ENABLE_ADMIN = False``): they would let any
staff user with the model permission browse failed sign-ins, and offer no unlock. These show the
failures, never change them, and unlock through axes' own reset, which deletes the attempts one
by one so the audit trail records each deletion and who made it.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import F, Q, Sum, Window
from django.utils import timezone


class SuperuserOnlyMixin:
    """Seen by superusers, changed by nobody: records of what happened."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _counting_since():
    return timezone.now() - settings.AXES_COOLOFF_TIME


@admin.register(AccessAttempt)
class AccessAttemptAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = [
        "username",
        "ip_address",
        "failures_since_start",
        "attempt_time",
        "locked_until",
    ]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    fields = [
        "username",
        "ip_address",
        "user_agent",
        "path_info",
        "failures_since_start",
        "attempt_time",
    ]
    actions = ["unlock"]

    def get_queryset(self, request):
        recent = Q(attempt_time__gte=_counting_since())
        return (
            super()
            .get_queryset(request)
            .annotate(
                account_failures=Window(
                    Sum("failures_since_start", filter=recent), partition_by=[F("username")]
                ),
                address_failures=Window(
                    Sum("failures_since_start", filter=recent), partition_by=[F("ip_address")]
                ),
            )
        )

    @admin.display(description="Locked until")
    def locked_until(self, obj):
        until = obj.attempt_time + settings.AXES_COOLOFF_TIME
        locked = (obj.account_failures or 0) >= settings.AXES_FAILURE_LIMIT or (
            obj.address_failures or 0
        ) >= settings.AXES_ADDRESS_FAILURE_LIMIT
        if not locked or until <= timezone.now():
            return "Not locked"
        return timezone.localtime(until).strftime("%-d %B %Y %H:%M")

    def has_unlock_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    @admin.action(description="Unlock the selected accounts and addresses", permissions=["unlock"])
    def unlock(self, request, queryset):
        """Clear every counted failure for the selected attempts' accounts and addresses."""
        pairs = set(queryset.values_list("username", "ip_address"))
        removed = sum(
            AxesProxyHandler.reset_attempts(
                username=username, ip_address=address, ip_or_username=True
            )
            for username, address in pairs
        )
        self.message_user(
            request,
            f"Unlocked {len(pairs)} account{'s' if len(pairs) != 1 else ''} and address"
            f"{'es' if len(pairs) != 1 else ''}: {removed} failed attempt"
            f"{'s' if removed != 1 else ''} cleared.",
            messages.SUCCESS,
        )


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["attempt_time", "username", "ip_address", "locked_out"]
    list_filter = ["locked_out"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    fields = ["attempt_time", "username", "ip_address", "user_agent", "path_info", "locked_out"]
