"""Getting people onto the service: coordinators' invitations and self-registration.

No password is ever e-mailed: both routes send a signed link (see ``mentoring.tokens``) to a page
where the person chooses their own.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mentoring import tokens
from mentoring.models import Invitation, Person, User
from mentoring.models.accounts import normalise_email
from mentoring.notifications import notify


@dataclass
class InvitationOutcome:
    sent: list[User]
    skipped_active: list[User]


def invite_people(*, people, invited_by: User | None) -> InvitationOutcome:
    """Send (or resend) an invitation to each person who has not yet set a password.

    A resend retires the previous link. People who already use their account are skipped.
    """
    outcome = InvitationOutcome(sent=[], skipped_active=[])
    people = list(Person.objects.filter(pk__in=[p.pk for p in people]).select_related("user"))
    invitations = {i.user_id: i for i in Invitation.objects.filter(user__person__in=people)}
    now = timezone.now()
    with transaction.atomic():
        for person in people:
            user = person.user
            if user.has_usable_password():
                outcome.skipped_active.append(user)
                continue
            invitation = invitations.get(user.pk) or Invitation(user=user, invited_by=invited_by)
            invitation.send_count += 1
            invitation.last_sent_at = now
            invitation.invited_by = invitation.invited_by or invited_by
            invitation.save()
            user.invitation = invitation
            notify(
                kind="invitation",
                recipient=user,
                about=invitation,
                period=f"send-{invitation.send_count}",
            )
            outcome.sent.append(user)
    return outcome


def invitation_user(token: str) -> User | None:
    return tokens.read_token(
        token, tokens.INVITATION, timedelta(days=settings.INVITATION_TIMEOUT_DAYS)
    )


def mark_invitation_accepted(user: User) -> None:
    Invitation.objects.filter(user=user, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )


def accept_invitation(*, user: User, password: str) -> User:
    with transaction.atomic():
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        mark_invitation_accepted(user)
    return user


def register(*, email: str, first_name: str, last_name: str, password: str) -> None:
    """Create an inactive account and send a verification link.

    If the address already has an account, that account's owner is told instead, and the caller
    sees exactly the same outcome — in the same time, since the password is hashed either way —
    so the form does not reveal who is registered. Someone who registered before but never
    confirmed simply gets a fresh verification link for the new details.
    """
    email = normalise_email(email)
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(email=email).first()
        if existing is None:
            user = User.objects.create_user(
                email, password, first_name=first_name, last_name=last_name, is_active=False
            )
            notify(kind="verify_email", recipient=user, about=user, period="registration")
        elif _never_confirmed(existing):
            existing.first_name, existing.last_name = first_name, last_name
            existing.set_password(password)
            existing.save(update_fields=["first_name", "last_name", "password"])
            notify(
                kind="verify_email",
                recipient=existing,
                about=existing,
                period=f"registration-{timezone.now():%Y%m%dT%H%M%S%f}",
            )
        else:
            User().set_password(password)
            notify(
                kind="account_exists",
                recipient=existing,
                about=existing,
                period=timezone.now().isoformat(),
            )


def _never_confirmed(user: User) -> bool:
    """A self-registration whose link was never used: not a deactivated or imported account."""
    return (
        not user.is_active
        and user.last_login is None
        and not Invitation.objects.filter(user=user).exists()
        and not Person.objects.filter(user=user).exists()
    )


def verify_email(token: str) -> User | None:
    user = tokens.read_token(
        token, tokens.VERIFY_EMAIL, timedelta(days=settings.EMAIL_VERIFICATION_TIMEOUT_DAYS)
    )
    if user is None or user.is_active:
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user
