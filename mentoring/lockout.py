"""Sign-in lockout (ASVS 2.2.1) on django-axes: who is counted, from where, and when it locks.

django-axes counts failed sign-ins per account and per address (``AXES_LOCKOUT_PARAMETERS``);
these are the hooks its settings name. An account locks after ``AXES_FAILURE_LIMIT`` failures
within the cool-off, an address after ``AXES_ADDRESS_FAILURE_LIMIT`` — higher, because a whole
NHS organisation often reaches the internet through one address.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.db.models import Sum

from mentoring.models.accounts import normalise_email


def username_of(request, credentials: dict | None) -> str | None:
    """The address typed, spelt the way accounts store it, so "Asha@NHS.net" and
    "asha@nhs.net" count against one account (``AXES_USERNAME_CALLABLE``)."""
    if credentials:
        typed = credentials.get("username") or credentials.get("email")
    else:
        typed = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_email(typed) or None


def _valid(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The address the request came from (``AXES_CLIENT_IP_CALLABLE``).

    Behind ``TRUSTED_PROXY_COUNT`` proxies it is the entry the outermost of them appended to
    X-Forwarded-For: entries to its left were sent by the client and could say anything.
    With no proxy, the header is ignored and the connection's own address used.
    """
    meta = getattr(request, "META", {})
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
        if len(forwarded) >= proxies and (address := _valid(forwarded[-proxies])):
            return address
    return _valid(meta.get("REMOTE_ADDR"))


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for the address, and a success that
    clears only the account's count.

    Axes compares the largest of the per-parameter counts with one limit; here the address's
    count is scaled to the account limit first, so each locks at its own limit. A successful
    sign-in proves nothing about the other accounts tried from the same address, so it no
    longer wipes the address's count (which would let one valid account reset a spray).
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        counts = {}
        for parameter, attempts in zip(
            settings.AXES_LOCKOUT_PARAMETERS,
            self.get_user_attempts(request, credentials),
            strict=True,
        ):
            counts[parameter] = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        by_address = counts.get("ip_address", 0)
        scaled = by_address * settings.AXES_FAILURE_LIMIT // settings.AXES_ADDRESS_FAILURE_LIMIT
        return max(counts.get("username", 0), scaled)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        return self.reset_attempts(username=username)
