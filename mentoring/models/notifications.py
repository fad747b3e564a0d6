from django.db import models


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will retry"
    HELD = "held", "Waiting for the daily digest"
    IN_DIGEST = "in_digest", "Sent in a daily digest"
    MUTED = "muted", "Not e-mailed: the person turned these off"


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
    organisation = models.ForeignKey(
        "mentoring.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The organisation whose scheme it concerns: its coordinators see it.",
    )
    scheme = models.CharField(max_length=60, blank=True, help_text="The scheme's short name.")
    digest = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        help_text="The daily digest that carried it.",
    )
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
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_status_idx"),
            models.Index(fields=["organisation", "-created_at"], name="notification_org_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.recipient.email}"


class Delivery(models.TextChoices):
    EACH = "each", "Send each one as it happens"
    DAILY = "daily", "Send one e-mail a day with all of them"


class NotificationPreference(models.Model):
    """How one person wants the messages they may choose about: the kinds they turned off
    (still listed on their notifications page, never e-mailed) and whether reminders come one by
    one or together in a daily digest. No row means the defaults: everything, one by one."""

    Delivery = Delivery

    user = models.OneToOneField(
        "mentoring.User", on_delete=models.CASCADE, related_name="notification_preference"
    )
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.EACH)
    muted = models.JSONField(default=list, blank=True, help_text="Kinds not to e-mail.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Notification preferences of {self.user}"


class JobRun(models.Model):
    """One run of a scheduled job: when, the moment it considered, what it did, how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    job = models.CharField(max_length=60)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField(help_text="The moment the job considered (now, unless replayed).")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    found = models.PositiveIntegerField(default=0, help_text="Reminders due.")
    sent = models.PositiveIntegerField(default=0, help_text="Reminders recorded for sending now.")
    by_scheme = models.JSONField(
        default=dict, blank=True, help_text="Reminders recorded, per scheme short name."
    )
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_job_idx")]

    def __str__(self):
        return f"{self.job} at {self.started_at:%Y-%m-%d %H:%M}"
