from functools import cache

from django.conf import settings

from mentoring.models import Notification
from mentoring.roles import roles_of


def service(request):
    """Service name, the user's roles, and the unread count for the navigation.

    The count is a callable, so the query runs only on pages whose template shows it (not admin).
    """
    user = getattr(request, "user", None)

    @cache
    def unread_notification_count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {
        "service_name": settings.SERVICE_NAME,
        "user_roles": roles_of(user) if user is not None else set(),
        "unread_notification_count": unread_notification_count,
    }
