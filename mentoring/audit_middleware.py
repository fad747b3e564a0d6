"""Middleware of the audit trail (issue 10, ASVS 7.2.2, 8.3.5)."""

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings

from mentoring.audit import client_ip, record
from mentoring.models import AccessAction


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's, with the address taken as the access audit takes it: the client's
    X-Forwarded-For is believed only behind the proxy the service trusts (auditlog's own
    believes whatever the client sends)."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)


class RefusedAccessMiddleware:
    """Records every refusal: each 403 (a PermissionDenied becomes one), and each 404 a signed-in
    user meets outside the static files — out-of-scope records answer 404, so a coordinator
    probing another ICS's ids leaves a trail. One row per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403 or (
            response.status_code == 404 and self._signed_in_page(request)
        ):
            record(
                request,
                action=AccessAction.REFUSED,
                what="refused (forbidden)" if response.status_code == 403 else "not found",
                status=response.status_code,
            )
        return response

    @staticmethod
    def _signed_in_page(request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        static = "/" + settings.STATIC_URL.lstrip("/")
        return not request.path.startswith(static) and request.path != "/favicon.ico"
