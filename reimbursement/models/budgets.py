from django.db import models
from django.db.models import Q


class BudgetAllocation(models.Model):
    """A quarter's allocation to a scheme: the initial fair shares in Q1, adjusted in later
    quarters "to reflect actual and planned spend and delivery" (GP scheme guidance)."""

    scheme = models.ForeignKey(
        "schemes.Scheme", on_delete=models.PROTECT, related_name="allocations"
    )
    quarter_start = models.DateField(help_text="1 April, 1 July, 1 October or 1 January.")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=200, blank=True, help_text="e.g. Initial fair shares.")

    class Meta:
        ordering = ["scheme", "quarter_start"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "quarter_start"], name="allocation_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self):
        return f"{self.scheme}: £{self.amount} from {self.quarter_start}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.quarter_start and (
            self.quarter_start.day != 1 or self.quarter_start.month not in (1, 4, 7, 10)
        ):
            raise ValidationError(
                {"quarter_start": "A quarter starts on 1 April, 1 July, 1 October or 1 January."}
            )
