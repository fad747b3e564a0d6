from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def _days(label: str, default: int, help_text: str, *, least: int = 0, most: int = 365):
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        validators=[MinValueValidator(least), MaxValueValidator(most)],
        help_text=help_text,
    )


class ReminderPlan(models.Model):
    """When a scheme's reminders go out and how long each waits. No row means the defaults
    (``plan_for`` returns them unsaved), so every scheme is reminded from the day it starts."""

    scheme = models.OneToOneField(
        "schemes.Scheme", on_delete=models.CASCADE, related_name="reminder_plan"
    )
    send_from_hour = models.PositiveSmallIntegerField(
        "send reminders from (hour, UK time)",
        default=9,
        validators=[MaxValueValidator(23)],
        help_text="0 to 23. Each day's reminders go out at the first run from this hour.",
    )
    answer_reminder_days = _days(
        "remind who has not answered a proposal after (days)",
        3,
        "A mentor (or mentee) who has not accepted or declined a proposal, or a mentee's request.",
        least=1,
    )
    answer_deadline_days = _days(
        "offer the mentee the next choice after (days)",
        7,
        "If the mentor has still not answered: the proposal ends, the mentee is offered the next "
        "mentor (or asked to choose again) and the coordinators are told.",
        least=1,
    )
    contact_reminder_days = _days(
        "remind the mentor to contact a new mentee after (days)",
        1,
        "Counted from the day the pair was proposed; the reminder is skipped once they have met.",
    )
    first_meeting_days = _days(
        "no first meeting after (days)",
        28,
        "The mentor is reminded again and the coordinators are told.",
        least=1,
    )
    employer_confirmation_days = _days(
        "line manager has not confirmed after (days)",
        14,
        "On schemes where the employer confirms contact: the line manager is reminded and the "
        "coordinators are told (also when no line manager is on record).",
        least=1,
    )
    agenda_days_before = _days(
        "ask for the pre-session agenda (days before a session)",
        2,
        "On schemes that use the pre-session form.",
        most=30,
    )
    reflection_days_after = _days(
        "ask for the reflection and session record (days after a session)",
        1,
        "The mentee's post-session reflection and the mentor's session record, if not written.",
        most=30,
    )
    overdue_escalation_days = _days(
        "tell the coordinators when a pair is overdue by (days)",
        14,
        "The pair are reminded as soon as a session is overdue by the scheme's cadence.",
    )
    unclaimed_week_days = _days(
        "remind of an unclaimed week after (days)",
        7,
        "Paid per week: days after a week with a held session ends and nothing is claimed.",
        least=1,
    )
    claims_cutoff_days_before = _days(
        "remind of the month-end claims cut-off (days before)",
        3,
        "Paid schemes: mentors with weeks held this month and not yet claimed.",
        most=27,
    )
    expiry_warning_days = _days(
        "warn of eligibility ending within (days)",
        30,
        "A licence, registration or training whose end date stops someone being eligible.",
        least=1,
    )
    weekly_digest_weekday = models.PositiveSmallIntegerField(
        "coordinators' weekly digest on",
        default=0,
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ],
    )

    monthly_return_day = models.PositiveSmallIntegerField(
        "send the monthly return on (day of the month)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="1 to 28. The previous month's monitoring return is sent to coordinators on "
        "this day, from the hour above.",
    )
    six_monthly_reports = models.BooleanField(
        "host organisations send six-monthly reports",
        default=False,
        help_text="On the monthly return's day in April and October the coordinators are also "
        "sent the report of the previous six months (October to March, April to September).",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(send_from_hour__lte=23), name="reminder_plan_hour_range"
            ),
            models.CheckConstraint(
                condition=models.Q(answer_deadline_days__gt=models.F("answer_reminder_days")),
                name="reminder_plan_deadline_after_reminder",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_return_day__gte=1, monthly_return_day__lte=28),
                name="reminder_plan_return_day_range",
            ),
        ]

    def __str__(self):
        return f"Reminder plan of {self.scheme}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if (
            self.answer_deadline_days is not None
            and self.answer_reminder_days is not None
            and self.answer_deadline_days <= self.answer_reminder_days
        ):
            raise ValidationError(
                {
                    "answer_deadline_days": "Offer the next choice later than the reminder: "
                    f"more than {self.answer_reminder_days} days."
                }
            )


def plan_for(scheme) -> ReminderPlan:
    """The scheme's plan, or the defaults (unsaved: reading never writes a row)."""
    cached = getattr(scheme, "_reminder_plan", None)
    if cached is None:
        cached = ReminderPlan.objects.filter(scheme=scheme).first() or ReminderPlan(scheme=scheme)
        scheme._reminder_plan = cached
    return cached
