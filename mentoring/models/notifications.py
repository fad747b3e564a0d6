from django.db import models


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will retry"


class Notification(models.Model):
    """One message to one person, at most once.

    The unique key (kind, recipient, about, period) is claimed by inserting this row before anything
    is sent: a retried task, a duplicate beat tick or a second worker finds the row and sends
    nothing more. ``context`` holds only what is safe to keep (ids, names); secrets such as
    password links are made at send time by the kind's context builder.
    """

    Status = NotificationStatus

    kind = models.CharField(max_length=64)
    recipient = models.ForeignKey(
        "mentoring.User", on_delete=models.CASCADE, related_name="notifications"
    )
    about = models.CharField(
        max_length=100, blank=True, help_text="The object it is about, as app.model:pk."
    )
    period = models.CharField(
        max_length=40, blank=True, help_text="Which occurrence: a month, a week, a resend number."
    )
    subject = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="What the in-app list shows.")
    link = models.CharField(max_length=300, blank=True)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "about", "period"], name="notification_once"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="notification_status_idx")]

    def __str__(self):
        return f"{self.subject} → {self.recipient.email}"
