"""Signing a test client in as someone, the way the service would have them signed in.

Staff (coordinators, finance, admins) must have verified a second factor before any staff page
(issue 10), so ``sign_in`` gives a staff user a confirmed TOTP device and marks the session as
verified with it, as django-otp's own login does. Tests of the second factor itself use
``sign_in(client, user, verified=False)`` or go through the pages.
"""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device(user) -> TOTPDevice:
    """The user's confirmed authenticator app, made if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in(client, user, *, verified: bool = True):
    """Log ``client`` in as ``user``; staff are verified with a TOTP device unless told not to."""
    client.force_login(user)
    if verified and (user.is_staff or user.is_superuser):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session["two_factor_verified_at"] = int(time.time())
        session.save()
    return client
