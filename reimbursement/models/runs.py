"""Monthly payment runs, per paying organisation.

A run is built as a draft from approved claims not yet paid, reviewed and approved by finance,
then exported. ``PaymentItem`` holds each claim a run pays; its one-to-one key on the claim makes
paying a claim twice — in two runs, or twice in one — impossible at the database level. An
approved run never changes: corrections are ``Adjustment`` rows, taken into a later run.
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.db.models.lookups import Exact


class RunStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


def money(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class PaymentRun(models.Model):
    Status = RunStatus

    organisation = models.ForeignKey(
        "mentoring.Organisation", on_delete=models.PROTECT, related_name="payment_runs"
    )
    period = models.DateField(help_text="The first day of the month the run pays.")
    reference = models.CharField(max_length=40, unique=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        "mentoring.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claim_count = models.PositiveIntegerField(default=0)
    total_amount = money(default=0)

    class Meta:
        ordering = ["-period", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "period"], name="run_one_a_month"),
            models.CheckConstraint(
                condition=Q(status=RunStatus.DRAFT) | Q(approved_at__isnull=False),
                name="run_approved_has_date",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def period_label(self) -> str:
        return self.period.strftime("%Y-%m")

    @property
    def is_approved(self) -> bool:
        return self.status == RunStatus.APPROVED


class PaymentLine(models.Model):
    """What a run pays one mentor under one scheme: the sums of its items and adjustments.

    Who was paid is written on the line when it is built — name, e-mail, payee reference,
    registration number, scheme — so an approved run exports the same file for ever, whatever
    changes on the register later, and the export reads one table in index order.
    """

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="lines")
    person = models.ForeignKey("mentoring.Person", on_delete=models.PROTECT, related_name="+")
    scheme = models.ForeignKey("schemes.Scheme", on_delete=models.PROTECT, related_name="+")
    mentor_name = models.CharField(max_length=301, blank=True)
    sort_name = models.CharField(max_length=301, blank=True, help_text="Last name, first name.")
    mentor_email = models.EmailField(max_length=254, blank=True)
    payee_reference = models.CharField(max_length=50, blank=True)
    registration_number = models.CharField(max_length=20, blank=True)
    scheme_name = models.CharField(max_length=200, blank=True)
    scheme_slug = models.SlugField(max_length=80, blank=True)
    claim_count = models.PositiveIntegerField(default=0)
    mentoring_amount = money(default=0)
    training_amount = money(default=0)
    adjustment_amount = money(default=0)
    total_amount = money(default=0)

    class Meta:
        ordering = ["run", "sort_name", "scheme_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person", "scheme"], name="line_one_per_mentor_and_scheme"
            ),
            # In pence, so SQLite's floating-point storage of the embedded mode agrees too.
            models.CheckConstraint(
                condition=Exact(
                    Round(
                        (
                            F("mentoring_amount")
                            + F("training_amount")
                            + F("adjustment_amount")
                            - F("total_amount")
                        )
                        * 100
                    ),
                    0,
                ),
                name="line_total_is_its_parts",
            ),
        ]
        indexes = [
            models.Index(fields=["run", "sort_name", "scheme_name", "id"], name="line_export_order")
        ]

    def __str__(self):
        return f"{self.person} — £{self.total_amount}"


class PaymentItem(models.Model):
    claim = models.OneToOneField(
        "reimbursement.Claim", on_delete=models.PROTECT, related_name="payment"
    )
    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="items")
    amount = money()

    class Meta:
        indexes = [models.Index(fields=["run", "claim"], name="item_run_claim")]

    def __str__(self):
        return f"{self.claim} in {self.run}"


class Adjustment(models.Model):
    """A correction, positive or negative, paid in the next run built for the scheme's payer."""

    person = models.ForeignKey("mentoring.Person", on_delete=models.PROTECT, related_name="+")
    scheme = models.ForeignKey("schemes.Scheme", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reason = models.TextField()
    created_by = models.ForeignKey("mentoring.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    run = models.ForeignKey(
        PaymentRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustments",
        help_text="The run that pays it; blank until a run is built.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
        ]

    def __str__(self):
        return f"{self.person}: £{self.amount} ({self.reason[:40]})"
