"""Reads shared by the pages, the admin, the exports and the CLI: each a constant number of
queries, whatever the number of mentors."""

from collections.abc import Iterator
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from mentoring.models import User
from reimbursement.models import Claim, PaymentItem, PaymentLine, PaymentRun
from schemes.selectors import schemes_visible_to

CSV_COLUMNS = [
    "run_reference",
    "period",
    "payee_reference",
    "mentor_name",
    "registration_number",
    "scheme",
    "claim_count",
    "mentoring_amount",
    "training_amount",
    "adjustment_amount",
    "total_amount",
]
AMOUNTS = ["mentoring_amount", "training_amount", "adjustment_amount", "total_amount"]


def money(value: Decimal | None) -> str:
    return f"{(value or Decimal('0')):.2f}"


def lines_of(run: PaymentRun) -> QuerySet[PaymentLine]:
    """The run's lines, by mentor's last name then scheme: who was paid is on the line itself."""
    return PaymentLine.objects.filter(run=run).order_by("sort_name", "scheme_name", "id")


def export_rows(run: PaymentRun, chunk_size: int = 2000) -> Iterator[list]:
    """The CSV's rows, streamed from the database in index order, then the totals row.

    Inside a transaction, so PostgreSQL's server-side cursor sends rows as they are read rather
    than computing the whole result first (a cursor outside one is declared WITH HOLD).
    """
    rows = lines_of(run).values_list(
        "payee_reference",
        "mentor_name",
        "registration_number",
        "scheme_name",
        "claim_count",
        *AMOUNTS,
    )
    with transaction.atomic():
        for row in rows.iterator(chunk_size=chunk_size):
            yield [run.reference, run.period_label, *row]
    yield totals_row(run)


def totals(run: PaymentRun) -> dict:
    found = PaymentLine.objects.filter(run=run).aggregate(
        claim_count=Coalesce(Sum("claim_count"), 0),
        **{name: Sum(name) for name in AMOUNTS},
    )
    cents = Decimal("0.01")
    return {
        k: v if k == "claim_count" else Decimal(v or 0).quantize(cents) for k, v in found.items()
    }


def totals_row(run: PaymentRun) -> list:
    found = totals(run)
    return [
        run.reference,
        run.period_label,
        "TOTAL",
        "",
        "",
        "",
        found["claim_count"],
        *[found[name] for name in AMOUNTS],
    ]


def run_summary(run: PaymentRun, *, created: bool) -> dict:
    """The JSON ``build_payment_run --format json`` prints."""
    lines = lines_of(run)
    return {
        "run": run.reference,
        "organisation": run.organisation.code,
        "period": run.period_label,
        "status": run.status,
        "created": created,
        "total_amount": money(run.total_amount),
        "lines": [
            {
                "mentor": line.mentor_email,
                "scheme": line.scheme_slug,
                "claim_count": line.claim_count,
                **{name: money(getattr(line, name)) for name in AMOUNTS},
            }
            for line in lines
        ],
    }


def items_for(run: PaymentRun, person_id: int) -> QuerySet[PaymentItem]:
    """The claims a run pays one mentor (their remittance), oldest first."""
    return (
        PaymentItem.objects.filter(run=run, claim__person_id=person_id)
        .select_related("claim__scheme", "claim__rate")
        .order_by("claim__period_start", "claim__pk")
    )


def claims_of(user: User) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(person__user=user)
        .select_related("scheme", "payment__run", "session", "training_record")
        .order_by("-period_start", "-pk")
    )


def claims_visible_to(user: User) -> QuerySet[Claim]:
    """Claims a coordinator may see and decide: those of the schemes they coordinate."""
    if user.is_superuser:
        return Claim.objects.all()
    return Claim.objects.filter(scheme__in=schemes_visible_to(user))


def remittances_of(user: User) -> QuerySet[PaymentRun]:
    """Approved runs that pay ``user`` something."""
    return (
        PaymentRun.objects.filter(status="approved", lines__person__user=user)
        .annotate(
            paid=Sum("lines__total_amount", filter=Q(lines__person__user=user)),
        )
        .select_related("organisation")
        .order_by("-period")
        .distinct()
    )
