"""A mentor's claim: for a week of mentoring activity, a meeting, or a training session.

The week is an ISO week, stored as its Monday (``period_start``); it belongs to the month in
which that Monday falls. The amount is fixed when the claim is approved, from the rate in force
on ``period_start``. Who may claim what is checked by ``reimbursement.claims``; the database
keeps the one rule that must hold whoever writes: one live claim a mentor a week (or meeting, or
training day) — a rejected claim does not count, so the mentor may claim again.
"""

from django.db import models
from django.db.models import Q

from schemes.models import ClaimKind


class ClaimUnit(models.TextChoices):
    WEEK = "week", "Week of mentoring activity"
    MEETING = "meeting", "Mentoring meeting"
    TRAINING = "training", "Training session"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"


LIVE = ~Q(status=ClaimStatus.REJECTED)


class Claim(models.Model):
    Status = ClaimStatus
    Unit = ClaimUnit
    Kind = ClaimKind

    person = models.ForeignKey("mentoring.Person", on_delete=models.PROTECT, related_name="claims")
    scheme = models.ForeignKey("schemes.Scheme", on_delete=models.PROTECT, related_name="claims")
    enrolment = models.ForeignKey(
        "schemes.Enrolment", on_delete=models.PROTECT, related_name="claims"
    )
    kind = models.CharField(max_length=10, choices=ClaimKind.choices)
    unit = models.CharField(max_length=10, choices=ClaimUnit.choices)
    claimed_date = models.DateField(help_text="The date the mentor gave.")
    period_start = models.DateField(
        "week, meeting or training date",
        help_text="For a week, its Monday; otherwise the day of the meeting or training.",
    )
    session = models.ForeignKey(
        "sessions_log.MentoringSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_claims",
        help_text="The meeting claimed for (per-meeting schemes).",
    )
    sessions = models.ManyToManyField(
        "sessions_log.MentoringSession",
        blank=True,
        related_name="week_claims",
        help_text="The sessions held that week, from the log.",
    )
    training_record = models.ForeignKey(
        "mentoring.TrainingRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
    )
    activity = models.TextField(
        "what the time was used for",
        blank=True,
        help_text="Preparation, follow-up, travel, other GP retention activities.",
    )
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    rate = models.ForeignKey(
        "schemes.Rate", on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    submitted_by = models.ForeignKey(
        "mentoring.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        "mentoring.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    imported = models.BooleanField(
        default=False, help_text="Brought in from an earlier system's records."
    )

    class Meta:
        ordering = ["-period_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scheme", "period_start"],
                condition=LIVE & Q(unit=ClaimUnit.WEEK),
                name="claim_one_per_week",
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=LIVE & Q(unit=ClaimUnit.MEETING, session__isnull=False),
                name="claim_one_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["person", "scheme", "period_start"],
                condition=LIVE & Q(unit=ClaimUnit.MEETING, session__isnull=True),
                name="claim_one_imported_meeting_a_day",
            ),
            models.UniqueConstraint(
                fields=["person", "scheme", "period_start"],
                condition=LIVE & Q(unit=ClaimUnit.TRAINING),
                name="claim_one_training_a_day",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="claim_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID])
                | Q(amount__isnull=False),
                name="claim_amount_fixed_when_approved",
            ),
            models.CheckConstraint(
                condition=Q(kind=ClaimKind.TRAINING, unit=ClaimUnit.TRAINING)
                | Q(kind=ClaimKind.MENTORING, unit__in=[ClaimUnit.WEEK, ClaimUnit.MEETING]),
                name="claim_unit_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "period_start"], name="claim_status_period"),
            models.Index(fields=["scheme", "status"], name="claim_scheme_status"),
        ]

    def __str__(self):
        return f"{self.get_unit_display()} {self.period_start:%d %b %Y} — {self.person}"
