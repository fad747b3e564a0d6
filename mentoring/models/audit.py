"""Who looked at confidential data, signed in or was refused, when and from where — never what
the data said (issue 10, ASVS 7.1.3, 8.3.5).

Changes of records are django-auditlog's ``LogEntry``; this table is for reads and sign-ins, which
auditlog does not see. Rows are append-only: ``save()`` refuses an update, ``delete()`` and the
queryset's ``update()`` / ``delete()`` refuse, and on PostgreSQL a trigger refuses UPDATE and
DELETE whoever asks (migration 0005). People and users are pseudonymised on erasure, never
deleted, so the foreign keys PROTECT.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AuditRowIsFinal(Exception):
    """An audit row was asked to change or go: they never do."""


class AccessAction(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    EXPORTED = "exported", "Exported"
    DOWNLOADED = "downloaded", "Downloaded"
    SIGNED_IN = "signed_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGNED_OUT = "signed_out", "Signed out"
    REFUSED = "refused", "Refused"


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditRowIsFinal("Audit rows are never changed.")

    def delete(self):
        raise AuditRowIsFinal("Audit rows are never deleted.")


class AccessEvent(models.Model):
    Action = AccessAction

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "mentoring.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank when nobody was signed in (and for failed sign-ins).",
    )
    actor_description = models.CharField(
        "who, as they were then", max_length=300, blank=True, help_text="Their role at the time."
    )
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    what = models.CharField(max_length=100, blank=True, help_text="A label, never the content.")
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    person = models.ForeignKey(
        "mentoring.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whom the data is about.",
    )
    organisation = models.ForeignKey(
        "mentoring.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose data it is, where it is not one person's (a payment run, a report).",
    )
    path = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10, blank=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "access audit entry"
        verbose_name_plural = "access audit"
        indexes = [
            models.Index(fields=["person", "-at"], name="access_event_person_at"),
            models.Index(fields=["organisation", "-at"], name="access_event_org_at"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.what}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRowIsFinal("Audit rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRowIsFinal("Audit rows are never deleted.")
