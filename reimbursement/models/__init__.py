from .budgets import BudgetAllocation
from .claims import Claim, ClaimStatus, ClaimUnit
from .runs import Adjustment, PaymentItem, PaymentLine, PaymentRun, RunStatus

__all__ = [
    "Adjustment",
    "BudgetAllocation",
    "Claim",
    "ClaimStatus",
    "ClaimUnit",
    "PaymentItem",
    "PaymentLine",
    "PaymentRun",
    "RunStatus",
]
