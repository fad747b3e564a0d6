"""What a scheme pays, from when: its rate card.

A scheme with no rate card pays nothing. The card says what a mentoring claim is for (a week of
mentoring activity — the GP scheme's "one session every week to the value of £289" — or a
meeting), how many training sessions are paid, who pays, and carries effective-dated rates: a new
rate from a date applies to claims for dates from then on; a claim's amount is fixed when it is
approved, from the rate in force on the date claimed.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class ClaimUnit(models.TextChoices):
    WEEK = "week", "A week of mentoring activity (at most one claim a mentor a week)"
    MEETING = "meeting", "Each mentoring meeting held"
    NONE = "none", "Mentoring is not paid"


class ClaimKind(models.TextChoices):
    MENTORING = "mentoring", "Mentoring"
    TRAINING = "training", "Mentorship training"


class RateCard(models.Model):
    scheme = models.OneToOneField(
        "schemes.Scheme", on_delete=models.CASCADE, related_name="rate_card"
    )
    claim_unit = models.CharField(
        "mentoring is paid for", max_length=10, choices=ClaimUnit.choices, default=ClaimUnit.WEEK
    )
    training_cap = models.PositiveIntegerField(
        "training sessions paid (at most)",
        default=0,
        help_text="How many mentorship training sessions a mentor may claim; 0 pays none.",
    )
    paid_by = models.ForeignKey(
        "mentoring.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paying_rate_cards",
        help_text="The organisation whose payment function pays the mentors (e.g. the lead "
        "CCG). Blank: the scheme's owner.",
    )
    training_unit_cost = models.DecimalField(
        "training unit cost a mentor a year",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="For planning only: training, peer networking and CPD per mentor per year.",
    )

    def __str__(self):
        return f"Rate card of {self.scheme}"

    @property
    def paying_organisation(self):
        """The organisation whose payment function pays this scheme's mentors."""
        return self.paid_by or self.scheme.owner

    def rate_on(self, kind: str, on_date: datetime.date) -> "Rate | None":
        """The rate in force for ``kind`` on ``on_date`` (uses prefetched ``rates`` if there)."""
        candidates = [
            rate
            for rate in self.rates.all()
            if rate.kind == kind and rate.effective_from <= on_date
        ]
        return max(candidates, key=lambda rate: rate.effective_from, default=None)


class Rate(models.Model):
    rate_card = models.ForeignKey(RateCard, on_delete=models.CASCADE, related_name="rates")
    kind = models.CharField(max_length=10, choices=ClaimKind.choices)
    amount = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    effective_from = models.DateField(help_text="Claims for this date onwards use this rate.")
    source = models.CharField(max_length=300, blank=True, help_text="Where the rate comes from.")

    class Meta:
        ordering = ["rate_card", "kind", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["rate_card", "kind", "effective_from"], name="rate_once_per_date"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="rate_not_negative"),
        ]

    def __str__(self):
        return f"£{self.amount} per {self.get_kind_display().lower()} from {self.effective_from}"

    def clean(self):
        super().clean()
        if self.amount is not None and self.amount.as_tuple().exponent < -2:
            raise ValidationError({"amount": "Give the amount in pounds and pence."})
