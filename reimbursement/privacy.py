"""The claims and payments part of data rights (``mentoring.privacy``).

A person's download holds their claims (what they wrote, the decision, the amount, the run that
paid it), the payment lines paid to them — their remittance — and adjustments to their pay.

Erasure keeps the money. Claims, payment items, payment lines and adjustments keep their
amounts, dates, runs and references; what the mentor wrote on a claim goes, and who was paid —
the copy on each payment line of their name, e-mail and registration number — becomes the
person's pseudonym ("Erased person 4F2A9C"), so an approved run's export still adds up to the
same totals, for the finance retention period and after it. Nothing in the model (no ``save()``
override) or the database (no trigger) guards an approved run's lines today: services alone
never change them. Erasure is the one writer that does, with a queryset ``update`` of those
copies only, inside the transaction ``mentoring.privacy.erase`` marks with
``SET LOCAL mentoring.erasure = 'on'`` — the switch a future trigger on approved runs should
honour, and only for that.

Refused while anything is unpaid: a claim waiting for a decision, an approved claim not yet in
an approved run, an adjustment or a payment line in a draft run.
"""

import datetime

from django.db.models import Q

from mentoring.models import Person, User
from mentoring.privacy import (
    Erasure,
    RetentionRule,
    Section,
    display,
    register_part,
    retention_days,
    row,
    scrub,
)
from reimbursement.models import Adjustment, Claim, ClaimStatus, PaymentLine, RunStatus


def sections(user: User, person: Person | None) -> list[Section]:
    if person is None:
        return []
    claims = [
        row(
            scheme=c.scheme.name,
            kind=display(c, "kind"),
            unit=display(c, "unit"),
            claimed_date=c.claimed_date,
            period_start=c.period_start,
            what_the_time_was_used_for=c.activity,
            status=display(c, "status"),
            amount=c.amount,
            submitted_at=c.submitted_at,
            decided_at=c.decided_at,
            decision_reason=c.decision_reason,
            paid_in_run=_run_of(c),
        )
        for c in Claim.objects.filter(person=person)
        .select_related("scheme", "payment__run")
        .order_by("period_start", "pk")
    ]
    lines = [
        row(
            run=line.run.reference,
            period=line.run.period_label,
            run_status=line.run.get_status_display(),
            scheme=line.scheme_name,
            paid_as=line.mentor_name,
            email=line.mentor_email,
            payee_reference=line.payee_reference,
            registration_number=line.registration_number,
            claim_count=line.claim_count,
            mentoring_amount=line.mentoring_amount,
            training_amount=line.training_amount,
            adjustment_amount=line.adjustment_amount,
            total_amount=line.total_amount,
        )
        for line in PaymentLine.objects.filter(person=person)
        .select_related("run")
        .order_by("run__period", "pk")
    ]
    adjustments = [
        row(
            scheme=a.scheme.name,
            amount=a.amount,
            reason=a.reason,
            made_at=a.created_at,
            paid_in_run=a.run.reference if a.run else "",
        )
        for a in Adjustment.objects.filter(person=person)
        .select_related("scheme", "run")
        .order_by("created_at", "pk")
    ]
    return [
        Section("claims", "Claims", claims),
        Section("payment_lines", "Payments to you", lines),
        Section("adjustments", "Adjustments to your payments", adjustments),
    ]


def _run_of(claim: Claim) -> str:
    payment = getattr(claim, "payment", None)
    return payment.run.reference if payment is not None else ""


def still_open(person: Person) -> list[str]:
    claims = (
        Claim.objects.filter(person=person)
        .filter(
            Q(status__in=[ClaimStatus.SUBMITTED, ClaimStatus.APPROVED])
            | Q(payment__run__status=RunStatus.DRAFT)
        )
        .select_related("scheme")
        .order_by("period_start", "pk")
    )
    found = [
        f"a claim for {c.get_unit_display().lower()} of {c.period_start:%-d %B %Y} on "
        f"{c.scheme.name} "
        + (
            "waiting for a decision"
            if c.status == ClaimStatus.SUBMITTED
            else "not yet paid in an approved payment run"
        )
        for c in claims
    ]
    found += [
        f"an adjustment of £{a.amount} on {a.scheme.name} not yet paid in an approved payment run"
        for a in Adjustment.objects.filter(person=person)
        .filter(Q(run__isnull=True) | Q(run__status=RunStatus.DRAFT))
        .select_related("scheme")
    ]
    found += [
        f"a payment line in the draft payment run {line.run.reference}"
        for line in PaymentLine.objects.filter(
            person=person, run__status=RunStatus.DRAFT
        ).select_related("run")
    ]
    return found


def erase(person: Person, erasure: Erasure) -> dict[str, int]:
    decided = Claim.objects.filter(person=person).exclude(decision_reason="")
    for claim in decided.only("pk", "decision_reason"):
        Claim.objects.filter(pk=claim.pk).update(
            decision_reason=scrub(claim.decision_reason, erasure)
        )
    for adjustment in Adjustment.objects.filter(person=person).only("pk", "reason"):
        Adjustment.objects.filter(pk=adjustment.pk).update(reason=scrub(adjustment.reason, erasure))
    return {
        "claims": Claim.objects.filter(person=person).update(activity=""),
        "payment_lines": PaymentLine.objects.filter(person=person).update(
            mentor_name=erasure.pseudonym,
            sort_name=erasure.pseudonym,
            mentor_email=erasure.email,
            registration_number="",
        ),
    }


def expired_rejected_claims(cutoff):
    """Rejected claims — never paid — decided before ``cutoff``, and never within the finance
    period whatever the setting says."""
    shortfall = retention_days("finance") - retention_days("rejected_claims")
    if shortfall > 0:
        cutoff -= datetime.timedelta(days=shortfall)
    return Claim.objects.filter(
        status=ClaimStatus.REJECTED, decided_at__lt=cutoff, payment__isnull=True
    )


register_part(
    "reimbursement",
    order=4,
    sections=sections,
    still_open=still_open,
    erase=erase,
    retention=(
        RetentionRule(
            "rejected_claims", "claims not accepted (never paid)", Claim, expired_rejected_claims
        ),
    ),
)
