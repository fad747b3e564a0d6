"""How long a sign-in lasts (ASVS 3.3.1, 3.3.2).

Staff — coordinators, finance and admins, who can see a whole ICS — are signed out after
``STAFF_SESSION_IDLE_MINUTES`` without a request and ``STAFF_SESSION_MAX_HOURS`` after signing
in, however busy; everyone else after ``SESSION_IDLE_HOURS`` idle or ``SESSION_MAX_HOURS``.
The session is flushed (a new key, the old one gone from the store) and the person sent to sign
in again, back to where they were, with a message saying why.

The sign-in time is stamped when anyone logs in (the ``user_logged_in`` signal, so a second
sign-in starts the clock again); the last request is stamped at most once a minute, so a busy
page does not write its session on every request — at the cost of ending a session up to a minute
early, never late.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SEEN_RESOLUTION_SECONDS = 60


@dataclass(frozen=True)
class Limits:
    idle_seconds: int
    max_seconds: int
    idle_words: str
    max_words: str


def _hours(count: int) -> str:
    return f"{count} hour{'s' if count != 1 else ''}"


def limits_for(user) -> Limits:
    if user.is_staff or user.is_superuser:
        minutes, hours = settings.STAFF_SESSION_IDLE_MINUTES, settings.STAFF_SESSION_MAX_HOURS
        return Limits(
            idle_seconds=minutes * 60,
            max_seconds=hours * 3600,
            idle_words=f"{minutes} minute{'s' if minutes != 1 else ''}",
            max_words=_hours(hours),
        )
    idle, most = settings.SESSION_IDLE_HOURS, settings.SESSION_MAX_HOURS
    return Limits(
        idle_seconds=idle * 3600,
        max_seconds=most * 3600,
        idle_words=_hours(idle),
        max_words=_hours(most),
    )


@receiver(user_logged_in, dispatch_uid="mentoring.session_limits.stamp_sign_in")
def stamp_sign_in(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


def expiry_reason(session, user, now: float) -> str | None:
    """Why this session must end now, in words for the person; None while it may go on."""
    limits = limits_for(user)
    signed_in_at = session.get(SIGNED_IN_AT, now)
    seen_at = session.get(SEEN_AT, now)
    if now - signed_in_at >= limits.max_seconds:
        return (
            f"You were signed out because you had been signed in for {limits.max_words}. "
            "Sign in again to carry on."
        )
    if now - seen_at >= limits.idle_seconds:
        return (
            f"You were signed out because you had not used the service for "
            f"{limits.idle_words}. Sign in again to carry on."
        )
    return None


class SessionLimitsMiddleware:
    """Ends a signed-in session that has been idle, or open, too long; otherwise notes the visit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            reason = expiry_reason(request.session, user, now)
            if reason:
                logout(request)
                messages.info(request, reason)
                if request.path == reverse("logout"):
                    return redirect(settings.LOGIN_URL)
                safe = request.method in ("GET", "HEAD")
                return redirect_to_login(request.get_full_path() if safe else request.path)
            session = request.session
            session.setdefault(SIGNED_IN_AT, int(now))
            if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION_SECONDS:
                session[SEEN_AT] = int(now)
        return self.get_response(request)
