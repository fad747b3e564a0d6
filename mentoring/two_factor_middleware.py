"""Sends anyone signed in but not yet past their second factor to it, whatever they asked for.

Runs right after django-otp's OTPMiddleware, so before any view, the admin, an export, a media
file or the API is reached. Fails closed: every path is guarded except the two-factor steps
themselves, signing out, static files and the health check. Staff with no authenticator app yet
are sent to set one up; anyone with one (staff, or a mentor or mentee who turned it on) is sent to
enter a code. ``next`` carries where they were going.
"""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from mentoring import two_factor


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = self._step_for(request)
        if step is None:
            return self.get_response(request)
        return redirect(two_factor.with_next(step, request.get_full_path()))

    def _step_for(self, request) -> str | None:
        user = request.user
        if not user.is_authenticated or self._is_open(request.path):
            return None
        if two_factor.is_verified(request):
            return None
        if two_factor.has_app(user):
            return "two_factor_verify"
        if two_factor.required_for(user):
            return "two_factor_setup"
        return None

    @staticmethod
    def _is_open(path: str) -> bool:
        open_paths = (
            reverse("two_factor_verify"),
            reverse("two_factor_setup"),
            reverse("logout"),
            reverse("healthz"),
        )
        return path in open_paths or (
            bool(settings.STATIC_URL) and path.startswith(_absolute(settings.STATIC_URL))
        )


def _absolute(url: str) -> str:
    return url if url.startswith("/") else f"/{url}"
