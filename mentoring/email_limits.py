"""A cap on the account e-mails anyone can make the service send (password reset, registration).

Anyone may type anyone's address into those forms, so without a cap the service could be used to
flood a colleague's inbox. The count comes from the notifications already recorded for the
address — shared by every web process, and kept with the rest of the data — rather than from a
per-process cache. Over the cap nothing is sent, and the page reads exactly as if it had been.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from mentoring.models import Notification, User

ACCOUNT_EMAIL_KINDS = ("password_reset", "verify_email", "account_exists")


def may_send_account_email(user: User) -> bool:
    """Whether ``user`` has had fewer than ``ACCOUNT_EMAILS_PER_HOUR`` account e-mails this hour."""
    since = timezone.now() - timedelta(hours=1)
    recent = Notification.objects.filter(
        recipient=user, kind__in=ACCOUNT_EMAIL_KINDS, created_at__gte=since
    ).count()
    return recent < settings.ACCOUNT_EMAILS_PER_HOUR
