"""The changes of claims and payments the audit keeps (see ``mentoring.audit_changes``).

A claim's description of the time and the reason given for a decision or an adjustment are
excluded. A payment run is
tracked by its status, approval and totals. Its lines and items are not: one INSERT … SELECT
writes them when the run is built (no signal fires), and an approved run never changes.
"""

from mentoring.audit_changes import track
from reimbursement.models import Adjustment, BudgetAllocation, Claim, PaymentRun

track(
    Claim,
    exclude=("activity", "decision_reason"),
    m2m=("sessions",),
    scope={"person": "person_id", "scheme": "scheme_id"},
)
track(
    PaymentRun,
    include=("status", "built_at", "approved_at", "approved_by", "claim_count", "total_amount"),
    scope={"organisation": "organisation_id"},
)
track(
    Adjustment,
    exclude=("reason",),
    scope={"person": "person_id", "scheme": "scheme_id"},
)
track(BudgetAllocation, scope={"scheme": "scheme_id"})
