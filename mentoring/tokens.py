"""Signed, expiring, single-use links for invitations and e-mail verification.

A token signs the user's id and a hash of the state the link is meant to change (the password
hash, whether the account is active, how many invitations were sent). Once that state changes the
token no longer matches, so it cannot be used twice; ``max_age`` makes it expire.
"""

from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from mentoring.models import User

INVITATION = "invitation"
VERIFY_EMAIL = "verify-email"


def _state(user: User, purpose: str) -> str:
    send_count = ""
    if purpose == INVITATION:
        invitation = getattr(user, "invitation", None)
        send_count = invitation.send_count if invitation else ""
    value = f"{user.pk}|{user.password}|{user.is_active}|{user.email}|{send_count}"
    return salted_hmac(f"mentoring.tokens.{purpose}", value, algorithm="sha256").hexdigest()[:32]


def make_token(user: User, purpose: str) -> str:
    return signing.dumps({"u": user.pk, "s": _state(user, purpose)}, salt=f"mentoring.{purpose}")


def read_token(token: str, purpose: str, max_age: timedelta) -> User | None:
    """The user the token was made for, or None if it is forged, expired or already used."""
    try:
        payload = signing.loads(token, salt=f"mentoring.{purpose}", max_age=max_age)
    except signing.BadSignature:
        return None
    user = User.objects.select_related("invitation").filter(pk=payload.get("u")).first()
    if user is None or not constant_time_compare(payload.get("s", ""), _state(user, purpose)):
        return None
    return user
