"""The account messages of the foundation. Later apps register their own kinds in their apps.py.

Links carrying a token are made when the message is sent, never stored.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import ngettext

from mentoring import tokens
from mentoring.notifications import NotificationKind, register_kind

DAY = 24 * 60 * 60


def duration_in_words(seconds: int) -> str:
    """How long a link lasts, for messages: "24 hours", "3 days"."""
    hours = seconds // 3600
    if hours >= 48 and hours % 24 == 0:
        days = hours // 24
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if hours:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _invitation_link(notification):
    token = tokens.make_token(notification.recipient, tokens.INVITATION)
    return {
        "link_path": reverse("accept_invitation", args=[token]),
        "link_valid_for": duration_in_words(settings.INVITATION_TIMEOUT_DAYS * DAY),
    }


def _verification_link(notification):
    token = tokens.make_token(notification.recipient, tokens.VERIFY_EMAIL)
    return {
        "link_path": reverse("verify_email", args=[token]),
        "link_valid_for": duration_in_words(settings.EMAIL_VERIFICATION_TIMEOUT_DAYS * DAY),
    }


def _password_reset_link(notification):
    user = notification.recipient
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return {
        "link_path": reverse("password_reset_confirm", args=[uid, token]),
        "link_valid_for": duration_in_words(settings.PASSWORD_RESET_TIMEOUT),
    }


def _digest_items(notification):
    items = notification.items.order_by("created_at", "pk").only("subject", "summary", "link")
    return {"items": list(items), "link_path": reverse("notifications")}


register_kind(
    NotificationKind(
        code="digest",
        subject="Your reminders from {service_name} ({count})",
        summary="{count} reminders in one e-mail, as you chose.",
        build_context=_digest_items,
    )
)
register_kind(
    NotificationKind(
        code="invitation",
        subject="Set up your account for {service_name}",
        summary="You were invited to set a password for {service_name}.",
        build_context=_invitation_link,
    )
)
register_kind(
    NotificationKind(
        code="verify_email",
        subject="Confirm your e-mail address for {service_name}",
        summary="Confirm your e-mail address to finish registering.",
        build_context=_verification_link,
    )
)
register_kind(
    NotificationKind(
        code="account_exists",
        subject="You already have an account for {service_name}",
        summary="Someone tried to register with your e-mail address.",
        build_context=_password_reset_link,
    )
)
register_kind(
    NotificationKind(
        code="password_reset",
        subject="Reset your password for {service_name}",
        summary="A password reset was requested for your account.",
        build_context=_password_reset_link,
    )
)
register_kind(
    NotificationKind(
        code="two_factor_reset",
        subject="Your two-factor authentication for {service_name} was reset",
        summary="{reset_by} reset your two-factor authentication.",
    )
)
