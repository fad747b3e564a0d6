"""Two-factor authentication on django-otp: an authenticator app (TOTP) and single-use backup codes.

Staff (coordinators, finance, admins) must verify a code after their password before any page
(``mentoring.two_factor_middleware``); mentors and mentees may turn it on, and are then asked too.
A lost device is reset by another superuser, never by its owner, and the person is told by e-mail.
Guessing is slowed by django-otp's own throttling: after each wrong code the device refuses every
code, right or wrong, for twice as long as after the last (1 s, 2 s, 4 s … up to an hour).

Sensitive actions (approving a payment run, downloading its file, granting a staff role) also ask
for the password and a code again when the last verification is older than
``settings.REAUTH_MAX_AGE_SECONDS`` (:func:`require_recent_verification`).
"""

import functools
import time
from base64 import b32encode
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from auditlog.context import set_actor
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentoring.models import User
from mentoring.notifications import notify

VERIFIED_AT_SESSION_KEY = "two_factor_verified_at"
BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class TwoFactorRefusal(StrEnum):
    WRONG_CODE = "wrong_code"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NO_DEVICE = "no_device"
    OWN_DEVICES = "own_devices"


MESSAGES = {
    TwoFactorRefusal.WRONG_CODE: "The code is not right. Enter the 6-digit code your authenticator "
    "app shows now, or one of your backup codes",
    TwoFactorRefusal.TOO_MANY_ATTEMPTS: "Too many wrong codes. Wait {wait}, then enter "
    "the code your app shows at that time",
    TwoFactorRefusal.NO_DEVICE: "Two-factor authentication is not set up for this account",
    TwoFactorRefusal.OWN_DEVICES: "Nobody may reset their own two-factor authentication: ask "
    "another administrator",
}


@dataclass
class TwoFactorError(Exception):
    code: TwoFactorRefusal
    message: str


def _refuse(code: TwoFactorRefusal, **fields) -> TwoFactorError:
    return TwoFactorError(code=code, message=MESSAGES[code].format(**fields))


# who is asked -------------------------------------------------------------------------------------
def required_for(user) -> bool:
    """Staff must use a second factor whatever they chose; everyone else only once they turned it on."""
    return user.is_staff or user.is_superuser


def app_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# enrolment ----------------------------------------------------------------------------------------
def start_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed app device being set up; the same one (and secret) until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The set-up link as an inline SVG QR code, labelled for screen readers."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    return svg.replace(
        "<svg ",
        '<svg role="img" aria-label="QR code to scan with your authenticator app" '
        'focusable="false" class="app-qr-code" ',
        1,
    )


def _check(device: Device, code: str) -> bool:
    """Whether ``device`` accepts ``code``; refuses without trying while the device is throttled."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        wait = max(1, round((details["locked_until"] - timezone.now()).total_seconds()))
        raise _refuse(
            TwoFactorRefusal.TOO_MANY_ATTEMPTS,
            wait="1 second" if wait == 1 else f"{wait} seconds",
        )
    return django_otp.verify_token(device.user, device.persistent_id, code) is not None


def confirm_enrolment(*, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app with a code it shows; returns the new backup codes, to be shown once."""
    if not _check(device, _digits(code)):
        raise _refuse(TwoFactorRefusal.WRONG_CODE)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return regenerate_backup_codes(user=device.user)


def regenerate_backup_codes(*, user: User) -> list[str]:
    """Ten new single-use codes; any earlier ones stop working."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# verifying ----------------------------------------------------------------------------------------
def _digits(code: str) -> str:
    return "".join(code.split())


def _is_app_code(code: str) -> bool:
    return code.isdigit() and len(code) == 6


def verify(*, user: User, code: str) -> Device:
    """The device that accepts ``code``: the app for a 6-digit code, else a backup code (used up)."""
    code = _digits(code).lower()
    if _is_app_code(code):
        device = app_device(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if device is None and app_device(user) is not None:
            raise _refuse(TwoFactorRefusal.WRONG_CODE)
    if device is None:
        raise _refuse(TwoFactorRefusal.NO_DEVICE)
    if not _check(device, code):
        raise _refuse(TwoFactorRefusal.WRONG_CODE)
    return device


def mark_verified(request, device: Device) -> None:
    """The session is verified with ``device`` from now on (django-otp), and we note when.

    The session key changes too, as at sign-in: the session now carries more privilege.
    """
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[VERIFIED_AT_SESSION_KEY] = int(time.time())


def is_verified(request) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def verified_recently(request) -> bool:
    verified_at = request.session.get(VERIFIED_AT_SESSION_KEY)
    return (
        is_verified(request)
        and isinstance(verified_at, int | float)
        and time.time() - verified_at <= settings.REAUTH_MAX_AGE_SECONDS
    )


# resetting ----------------------------------------------------------------------------------------
def reset_devices(*, user: User, by: User) -> int:
    """Remove every second factor of ``user`` (a lost phone), on behalf of another superuser.

    The devices are deleted one by one, so the audit trail has a row for each, with ``by`` as the
    actor; the person is told by e-mail. Staff are then asked to set up a new app at next sign-in.
    """
    if user.pk == by.pk:
        raise _refuse(TwoFactorRefusal.OWN_DEVICES)
    removed = 0
    with transaction.atomic(), set_actor(by):
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.filter(user=user).order_by("pk"):
                device.delete()
                removed += 1
        notify(
            kind="two_factor_reset",
            recipient=user,
            about=user,
            period=str(time.time_ns()),
            context={"reset_by": by.get_full_name() or by.email, "link_path": reverse("login")},
        )
    return removed


# the next page ------------------------------------------------------------------------------------
def safe_next(request, fallback: str | None = None) -> str:
    """Where to go after a two-factor step: ``next`` if it is on this site, else ``fallback``/home."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback or reverse("home")


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def require_recent_verification(view=None, *, methods=None, again: str = "approve"):
    """Ask for the password and a code again before a sensitive action (ASVS 3.7.1).

    When the session's last verification is older than ``REAUTH_MAX_AGE_SECONDS`` the person goes to
    the confirm page and comes back afterwards; a POST changes nothing and brings them back to the
    page it came from, with "Confirm it is you, then <again> again". ``methods``: only these
    methods are guarded (e.g. the approve POST on a page anyone in scope may read). Only staff
    are asked: the view itself refuses everyone else, with the same 404 as for a wrong reference.
    """

    def decorator(view_func):
        @functools.wraps(view_func)
        def wrapped(request, *args, **kwargs):
            guarded = methods is None or request.method in methods
            if not guarded or not required_for(request.user) or verified_recently(request):
                return view_func(request, *args, **kwargs)
            if request.method not in ("GET", "HEAD"):
                messages.warning(request, f"Confirm it is you, then {again} again.")
            return redirect(with_next("two_factor_confirm", request.get_full_path()))

        return wrapped

    return decorator(view) if view is not None else decorator
