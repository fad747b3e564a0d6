from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q


class ParticipantRole(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for a decision"
    WAITING_LIST = "waiting_list", "Approved, on the waiting list"
    APPROVED = "approved", "Approved and enrolled"
    REJECTED = "rejected", "Not accepted"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_APPLICATION = [ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING_LIST]


class Application(models.Model):
    """A person's application to join a scheme as a mentor or mentee."""

    Status = ApplicationStatus

    person = models.ForeignKey(
        "mentoring.Person", on_delete=models.CASCADE, related_name="applications"
    )
    scheme = models.ForeignKey(
        "schemes.Scheme", on_delete=models.CASCADE, related_name="applications"
    )
    intake = models.ForeignKey(
        "schemes.Intake",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    role = models.CharField(max_length=10, choices=ParticipantRole.choices)
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    motivation = models.TextField("statement of motivation", blank=True)
    clinical_sessions_per_week = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("14"))],
    )
    intends_extra_session = models.BooleanField(
        "intends one additional weekly mentoring session", null=True, blank=True
    )
    preferred_mentees = models.PositiveIntegerField(
        "preferred number of mentees", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    mentoring_plan = models.TextField(blank=True)
    focus_areas = models.ManyToManyField(
        "mentoring.FocusArea", blank=True, related_name="applications"
    )
    cohort = models.ForeignKey(
        "schemes.Cohort",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    hopes = models.TextField("what they want from mentoring", blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    eligibility_check = models.ForeignKey(
        "schemes.EligibilityCheck",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The eligibility check made when the application was submitted.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    feedback = models.TextField(blank=True, help_text="Why it was not accepted.")
    how_to_reapply = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scheme", "role"],
                condition=Q(status__in=OPEN_APPLICATION),
                name="application_one_open_per_role",
            ),
            models.CheckConstraint(
                condition=Q(clinical_sessions_per_week__isnull=True)
                | Q(clinical_sessions_per_week__gte=0, clinical_sessions_per_week__lte=14),
                name="application_sessions_range",
            ),
        ]

    def __str__(self):
        return f"{self.person} → {self.scheme} as {self.get_role_display().lower()}"


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    LEFT = "left", "Left"


class LeaveKind(models.TextChoices):
    LEFT = "left", "Left the scheme"
    WITHDREW = "withdrew", "Withdrew"
    COMPLETED = "completed", "Completed the programme"


class Enrolment(models.Model):
    """Someone on a scheme's register as a mentor or mentee, from a date, with a capacity."""

    Status = EnrolmentStatus

    person = models.ForeignKey(
        "mentoring.Person", on_delete=models.PROTECT, related_name="enrolments"
    )
    scheme = models.ForeignKey(
        "schemes.Scheme", on_delete=models.PROTECT, related_name="enrolments"
    )
    role = models.CharField(max_length=10, choices=ParticipantRole.choices)
    status = models.CharField(
        max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    cohort = models.ForeignKey(
        "schemes.Cohort", on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments"
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Mentors: how many mentees they take."
    )
    clinical_sessions_per_week = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("14"))],
    )
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    leave_kind = models.CharField(max_length=10, choices=LeaveKind.choices, blank=True)
    leave_reason = models.TextField(blank=True)
    not_taking_mentees_until = models.DateField(
        null=True,
        blank=True,
        help_text="Mentors: takes no new mentees before this date (existing ones carry on).",
    )
    paused_on = models.DateField(null=True, blank=True)
    pause_reason = models.TextField(blank=True)
    application = models.OneToOneField(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolment"
    )
    eligible_until = models.DateField(
        null=True,
        blank=True,
        help_text="When the latest eligibility check stops holding (a licence or training expiry).",
    )
    funded_training = models.ForeignKey(
        "mentoring.TrainingRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funding_enrolments",
        help_text="Mentoring training this scheme paid for.",
    )
    training_cost_recoverable = models.BooleanField(default=False)
    recovery_exemption = models.TextField(
        blank=True, help_text="Why the training cost will not be recovered, e.g. ill health."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheme", "role", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scheme", "role"],
                condition=Q(left_on__isnull=True),
                name="enrolment_one_current_per_role",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="enrolment_leaves_after_joining",
            ),
            models.CheckConstraint(
                condition=~Q(status="left") | Q(left_on__isnull=False),
                name="enrolment_left_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="paused") | Q(paused_on__isnull=False),
                name="enrolment_paused_has_date",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(role="mentor"),
                name="enrolment_capacity_only_for_mentors",
            ),
        ]
        indexes = [models.Index(fields=["scheme", "role", "status"])]

    def __str__(self):
        return f"{self.person} — {self.get_role_display().lower()} on {self.scheme}"
