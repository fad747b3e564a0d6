"""Notifications infrastructure: every e-mail the product sends goes through ``notify``.

``notify`` claims the message's unique key (kind, recipient, about, period) by inserting a
Notification row in the caller's transaction and enqueues delivery after commit. ``deliver`` takes a
time-limited lease on the row before sending, so two workers never send the same message; a send
that fails is retried with back-off by the task and, failing that, by the beat job.

The one window left: a worker that dies after the mail server accepted a message and before the
row is marked sent will send it again once the lease expires. That is the price of never losing one.

People choose about the kinds that are not essential: a kind they turned off is still recorded (and
listed on their notifications page) but never e-mailed; with a daily digest, reminders wait
(*held*) and go together in one e-mail a day (:func:`build_digests`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator

from mentoring.models import Notification, NotificationPreference, User

Status = Notification.Status
SUBJECT_LENGTH = Notification._meta.get_field("subject").max_length
Delivery = NotificationPreference.Delivery


@dataclass(frozen=True)
class NotificationKind:
    """What a kind of message says and whether a person may opt out of it."""

    code: str
    subject: str
    summary: str = ""
    # Essential messages (account links, decisions about someone) cannot be turned off.
    essential: bool = True
    # May wait for the daily digest (every non-essential kind may, and e.g. coordinators' alerts).
    digestible: bool = False
    # What the preferences page calls this kind, e.g. "Reminders to write your reflection".
    label: str = ""
    build_context: Callable[[Notification], dict] | None = None
    # Files made at send time: (filename, content, mimetype) each, e.g. a calendar invitation.
    attachments: Callable[[Notification], list[tuple[str, str | bytes, str]]] | None = None

    @property
    def template(self) -> str:
        return f"emails/{self.code}"

    @property
    def may_wait(self) -> bool:
        return self.digestible or not self.essential


KINDS: dict[str, NotificationKind] = {}


def register_kind(kind: NotificationKind) -> NotificationKind:
    KINDS[kind.code] = kind
    return kind


def about_key(obj: models.Model | str | None) -> str:
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    return f"{obj._meta.label_lower}:{obj.pk}"


def notify(
    *,
    kind: str,
    recipient: User,
    about: models.Model | str | None = None,
    period: str = "",
    context: dict | None = None,
    link: str = "",
    organisation_id: int | None = None,
    scheme: str = "",
    preference: NotificationPreference | None = None,
) -> Notification | None:
    """Record a message for ``recipient`` and send it after commit; None if already claimed.

    ``organisation_id`` and ``scheme`` (a slug) say whose scheme it concerns, so that scheme's
    coordinators see it among the notifications sent for their schemes. ``preference``: the
    recipient's, when the caller has read many at once (:func:`preferences_of`).
    """
    spec = KINDS[kind]
    context = context or {}
    fields = {"recipient_name": recipient.get_short_name(), **context}
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                recipient=recipient,
                about=about_key(about),
                period=period,
                subject=Truncator(
                    spec.subject.format(**fields, service_name=settings.SERVICE_NAME)
                ).chars(SUBJECT_LENGTH),
                summary=spec.summary.format(**fields, service_name=settings.SERVICE_NAME),
                link=link,
                context=context,
                organisation_id=organisation_id,
                scheme=scheme,
                status=(
                    route(spec, preference or preference_of(recipient))
                    if spec.may_wait
                    else Status.PENDING
                ),
            )
    except IntegrityError:
        return None
    if notification.status == Status.PENDING:
        transaction.on_commit(lambda: _enqueue(notification.pk))
    return notification


def preference_of(user: User) -> NotificationPreference:
    """The person's choices, or the defaults (unsaved: reading never writes a row)."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )


def preferences_of(users: Iterable[User]) -> dict[int, NotificationPreference]:
    """Each user's choices (the defaults where they made none), by user id: one query."""
    users = {user.pk: user for user in users}
    saved = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=list(users))}
    return {pk: saved.get(pk) or NotificationPreference(user=user) for pk, user in users.items()}


def route(spec: NotificationKind, preference: NotificationPreference) -> str:
    """What happens to a new message of this kind for this person: e-mailed now, held for the
    digest, or only listed (a kind they turned off)."""
    if not spec.may_wait:
        return Status.PENDING
    if not spec.essential and spec.code in preference.muted:
        return Status.MUTED
    if spec.may_wait and preference.delivery == Delivery.DAILY:
        return Status.HELD
    return Status.PENDING


def optional_kinds() -> list[NotificationKind]:
    """The kinds a person may turn off, in the order the preferences page lists them."""
    return sorted((k for k in KINDS.values() if not k.essential), key=lambda k: k.label or k.code)


def build_digests(*, on_date=None) -> int:
    """Gather each person's held messages into one digest e-mail for the day; the number made.

    The digest's key is (person, day): a second run the same day makes none, and messages held
    after the day's digest wait for the next day's.
    """
    period = (on_date or timezone.localdate()).isoformat()
    made = 0
    waiting = (
        Notification.objects.filter(status=Status.HELD)
        .values_list("recipient", flat=True)
        .distinct()
        .order_by()
    )
    for user in User.objects.filter(pk__in=list(waiting)):
        with transaction.atomic():
            held = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(recipient=user, status=Status.HELD)
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)
            )
            if not held:
                continue
            digest = notify(
                kind="digest",
                recipient=user,
                about=f"digest:{user.pk}",
                period=period,
                context={"count": len(held)},
            )
            if digest is None:
                continue
            Notification.objects.filter(pk__in=held).update(status=Status.IN_DIGEST, digest=digest)
            made += 1
    return made


def _enqueue(notification_id: int) -> None:
    from mentoring.tasks import send_notification

    send_notification.delay(notification_id)


def render(notification: Notification) -> EmailMultiAlternatives:
    spec = KINDS[notification.kind]
    context = {
        **notification.context,
        "notification": notification,
        "recipient": notification.recipient,
        "service_name": settings.SERVICE_NAME,
        "site_url": settings.SITE_URL.rstrip("/"),
        "may_choose": spec.may_wait,
    }
    if spec.build_context:
        context.update(spec.build_context(notification))
    text = render_to_string(f"{spec.template}.txt", context)
    html = render_to_string(f"{spec.template}.html", context)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient.email],
        headers={"X-Mentoring-Notification": str(notification.pk)},
    )
    message.attach_alternative(html, "text/html")
    if spec.attachments:
        for filename, content, mimetype in spec.attachments(notification):
            message.attach(filename, content, mimetype)
    return message


def deliver(notification_id: int) -> bool:
    """Send one notification unless it is sent or another worker holds it. True if sent now."""
    now = timezone.now()
    lease_expired = now - timedelta(seconds=settings.NOTIFICATION_SEND_LEASE_SECONDS)
    claimed = (
        Notification.objects.filter(pk=notification_id)
        .filter(
            Q(status__in=[Status.PENDING, Status.FAILED])
            | Q(status=Status.SENDING, claimed_at__lt=lease_expired)
        )
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        render(notification).send()
    except Exception as exc:
        Notification.objects.filter(pk=notification_id).update(
            status=Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        status=Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def unsent_ids(*, older_than: timedelta = timedelta(minutes=2), limit: int = 500) -> list[int]:
    """Messages that should have gone by now: lost from the broker, out of retries, or abandoned."""
    now = timezone.now()
    lease_expired = now - timedelta(seconds=settings.NOTIFICATION_SEND_LEASE_SECONDS)
    return list(
        Notification.objects.filter(
            Q(status__in=[Status.PENDING, Status.FAILED], created_at__lt=now - older_than)
            | Q(status=Status.SENDING, claimed_at__lt=lease_expired)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
