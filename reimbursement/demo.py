"""The reimbursement part of ``seed_demo``, for the GP Supporting Mentors Scheme of the demo ICB.

* The scheme's history came from a spreadsheet, through ``import_claims`` (every rule applied):
  each mentor with a mentee claimed most weeks since joining (or since April), plus their
  training sessions; months up to August were paid by the earlier system ("paid").
* September's and October's weeks were approved here: September's payment run is approved (the
  demo mentor has a remittance), October's is a draft waiting for finance to review.
* This month the demo mentor has claimed two weeks online, waiting for the coordinator.
* Quarterly allocations (fair shares in Q1, adjusted after) give the ledger something to show.
"""

import datetime
import io
import random
from decimal import Decimal

from mentoring.demo import ICB_CODE, DemoStep
from mentoring.imports import run_import
from mentoring.models import User
from reimbursement import claims, runs
from reimbursement.models import BudgetAllocation, Claim, PaymentRun
from schemes.models import Enrolment, Scheme
from schemes.presets import financial_year_start
from schemes.rules import add_months

DEMO_MENTOR = "mentor@example.org"
COORDINATOR = "coordinator@example.org"
FINANCE = "finance@example.org"
ALLOCATIONS = [Decimal("45000.00"), Decimal("52000.00"), Decimal("52000.00")]


def build(rng: random.Random, today: datetime.date) -> None:
    scheme = Scheme.objects.select_related("owner").get(owner__code=ICB_CODE, profession="gp")
    year = financial_year_start(today)
    for quarter, amount in enumerate(ALLOCATIONS):
        BudgetAllocation.objects.create(
            scheme=scheme,
            quarter_start=add_months(year, 3 * quarter),
            amount=amount,
            note="Initial fair shares allocation" if quarter == 0 else "Adjusted to spend",
        )
    this_month = today.replace(day=1)
    last_month = runs.previous_month(today)
    month_before = runs.previous_month(last_month)
    mentors = list(
        Enrolment.objects.filter(
            scheme=scheme, role="mentor", status="active", memberships__isnull=False
        )
        .select_related("person__user")
        .distinct()
        .order_by("person__user__email")
    )
    lines = ["email,scheme,kind,claim_date,status,decided_by_email"]
    for enrolment in mentors:
        email = enrolment.person.user.email
        monday = claims.week_of(max(enrolment.joined_on, year)) + datetime.timedelta(weeks=1)
        while monday < this_month:
            if rng.random() < 0.85:
                status = "paid" if monday < month_before else "approved"
                lines.append(f"{email},{scheme.slug},mentoring,{monday},{status},{COORDINATOR}")
            monday += datetime.timedelta(weeks=1)
        for n in range(rng.randint(1, 4) if enrolment.joined_on >= year else 0):
            day = enrolment.joined_on + datetime.timedelta(days=10 + 7 * n)
            if day < month_before:
                lines.append(f"{email},{scheme.slug},training,{day},paid,{COORDINATOR}")
    result = run_import("claims", io.BytesIO("\n".join(lines).encode()))
    if not result.ok:
        raise RuntimeError("The demo claims did not import: " + str(result.errors[:3]))
    finance = User.objects.get(email=FINANCE)
    september = runs.build_run(organisation=scheme.owner, period=month_before, today=today).run
    if september.lines.exists():
        runs.approve_run(run=september, by=finance)
    runs.build_run(organisation=scheme.owner, period=last_month, today=today)
    _claims_this_month(scheme, today)


def _claims_this_month(scheme: Scheme, today: datetime.date) -> None:
    mentor = Enrolment.objects.filter(
        scheme=scheme, role="mentor", person__user__email=DEMO_MENTOR, status="active"
    ).first()
    if mentor is None:
        return
    for weeks_ago, activity in (
        (2, "Prepared for and followed up two mentee meetings; travel to a practice."),
        (1, "Mentor peer network meeting (a GP retention activity agreed with the scheme)."),
    ):
        day = claims.week_of(today) - datetime.timedelta(weeks=weeks_ago)
        try:
            claims.submit_claim(
                person=mentor.person,
                scheme=scheme,
                kind="mentoring",
                claimed_date=day,
                by=mentor.person.user,
                activity=activity,
            )
        except claims.ReimbursementError:
            continue  # a week the history already holds


def counts() -> dict[str, int]:
    return {
        "claims": Claim.objects.count(),
        "payment runs": PaymentRun.objects.count(),
    }


STEP = DemoStep(name="reimbursement", build=build, counts=counts)
