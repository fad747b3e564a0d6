from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from mentoring.models import Profession


class CadenceFields(models.Model):
    """How often a pair should meet. Schemes say it in different ways, so each way is a field:
    the GP fellowship's "1 hour every 4 weeks", the PA preceptorship's "2–4 sessions a year",
    the pharmacist pilot's "a minimum of two sessions" in the programme."""

    session_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Length of a session, e.g. 60."
    )
    meet_every_weeks = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="e.g. 4 for every 4 weeks.",
    )
    sessions_per_year_min = models.PositiveIntegerField(null=True, blank=True)
    sessions_per_year_max = models.PositiveIntegerField(null=True, blank=True)
    min_sessions_in_programme = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True

    def clean_cadence(self) -> dict:
        errors = {}
        low, high = self.sessions_per_year_min, self.sessions_per_year_max
        if low is not None and high is not None and low > high:
            errors["sessions_per_year_max"] = "This must be at least the minimum sessions a year."
        return errors

    def cadence_description(self) -> str:
        parts = []
        if self.meet_every_weeks:
            length = f"{self.session_minutes} minutes " if self.session_minutes else ""
            parts.append(f"{length}every {self.meet_every_weeks} weeks".strip())
        if self.sessions_per_year_min or self.sessions_per_year_max:
            low, high = self.sessions_per_year_min, self.sessions_per_year_max
            span = (
                f"{low}–{high}" if low and high else f"at least {low}" if low else f"up to {high}"
            )
            parts.append(f"{span} sessions a year")
        if self.min_sessions_in_programme:
            parts.append(f"at least {self.min_sessions_in_programme} sessions in the programme")
        return "; ".join(parts)

    def has_cadence(self) -> bool:
        return any(
            value is not None
            for value in (
                self.meet_every_weeks,
                self.sessions_per_year_min,
                self.sessions_per_year_max,
                self.min_sessions_in_programme,
            )
        )


class Scheme(CadenceFields):
    """A mentoring scheme run by an organisation (an ICS or training hub), configured not coded."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        "mentoring.Organisation", on_delete=models.PROTECT, related_name="schemes"
    )
    profession = models.CharField(max_length=20, choices=Profession.choices)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    mentor_capacity_min = models.PositiveIntegerField(
        "fewest mentees a mentor takes", default=1, validators=[MinValueValidator(1)]
    )
    mentor_capacity_max = models.PositiveIntegerField(
        "most mentees a mentor takes", default=1, validators=[MinValueValidator(1)]
    )
    mentor_cap = models.PositiveIntegerField(
        "most mentors the budget allows",
        null=True,
        blank=True,
        help_text="Approved mentors beyond this go on a waiting list, in order. Blank: no cap.",
    )
    minimum_stay_months = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Mentors who leave sooner after funded training may have its cost recovered.",
    )
    max_sessions_per_mentorship = models.PositiveIntegerField(null=True, blank=True)
    planned_mentorship_months = models.PositiveIntegerField(
        null=True, blank=True, help_text="e.g. 12 for a preceptorship year."
    )
    employer_confirms_contact = models.BooleanField(
        "the mentee's line manager confirms first contact and protected time",
        default=False,
        help_text="PA preceptorship: “The Employer should ensure this contact has taken place” "
        "and agree protected time.",
    )
    uses_pre_session_form = models.BooleanField(
        "mentees prepare with the pre-session form",
        default=False,
        help_text="Otherwise they write the planned agenda of the session record.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mentor_capacity_min__lte=F("mentor_capacity_max")),
                name="scheme_capacity_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="scheme_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = self.clean_cadence()
        if (
            self.mentor_capacity_min is not None
            and self.mentor_capacity_max is not None
            and self.mentor_capacity_min > self.mentor_capacity_max
        ):
            errors["mentor_capacity_max"] = (
                "This must be at least the fewest mentees a mentor takes."
            )
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The scheme must end on or after the day it starts."
        if errors:
            raise ValidationError(errors)

    def open_intake(self, role: str, on_date=None):
        on_date = on_date or timezone.localdate()
        return (
            self.intakes.filter(opens_on__lte=on_date, closes_on__gte=on_date)
            .filter(Q(role=role) | Q(role=Intake.BOTH))
            .order_by("closes_on")
            .first()
        )


class Cohort(CadenceFields):
    """A group of mentees with a priority (GP fellows first) and possibly its own cadence."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="cohorts")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    priority = models.PositiveIntegerField(
        default=1, help_text="1 is served first; matching fills higher priorities before lower."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["scheme", "priority", "name"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "slug"], name="cohort_unique_slug"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if errors := self.clean_cadence():
            raise ValidationError(errors)

    @property
    def cadence(self) -> CadenceFields:
        """The cohort's own cadence where it sets one, otherwise its scheme's."""
        return self if self.has_cadence() else self.scheme


class Intake(models.Model):
    """An application window."""

    MENTOR, MENTEE, BOTH = "mentor", "mentee", "both"
    ROLE_CHOICES = [(MENTOR, "Mentors"), (MENTEE, "Mentees"), (BOTH, "Mentors and mentees")]

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="intakes")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=10, choices=ROLE_CHOICES, default=BOTH)
    opens_on = models.DateField()
    closes_on = models.DateField()

    class Meta:
        ordering = ["scheme", "opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="intake_closes_after_opening"
            ),
        ]

    def __str__(self):
        return f"{self.scheme}: {self.name}"

    def clean(self):
        super().clean()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError(
                {"closes_on": "An intake must close on or after the day it opens."}
            )

    def is_open(self, on_date=None) -> bool:
        on_date = on_date or timezone.localdate()
        return self.opens_on <= on_date <= self.closes_on
