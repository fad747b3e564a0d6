"""Monthly payment runs: build (idempotent, safe under concurrency), approve, adjust.

A build for one paying organisation and month runs in one transaction:

1. the organisation's row is locked, so builds for one payer run one after another (two at once,
   or a scheduled build racing a manual one, give one run);
2. the draft run is found or created (a second build of an approved run changes nothing);
3. every approved claim of the schemes it pays whose week or day falls on or before the month's
   last day and which no run has paid is inserted as a ``PaymentItem`` — one ``INSERT … SELECT``,
   not a row at a time. ``PaymentItem.claim`` is unique, so a claim can be paid only once even if
   all of the above were bypassed;
4. adjustments not yet in a run are taken into it;
5. only if anything was added are the lines (per mentor and scheme) and totals recomputed, so a
   rebuild with nothing new changes nothing at all.

A worker killed anywhere in between leaves nothing behind: the transaction is rolled back.
"""

import calendar
import datetime
import logging
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from mentoring.models import Organisation, Person, ProfessionalRegistration, Role, User
from mentoring.notifications import notify
from mentoring.scoping import organisation_q
from reimbursement.errors import ReimbursementError, RunRefusal, problem
from reimbursement.models import (
    Adjustment,
    Claim,
    ClaimStatus,
    PaymentItem,
    PaymentLine,
    PaymentRun,
    RunStatus,
)
from schemes.models import ClaimKind, Scheme

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(period: datetime.date) -> datetime.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def previous_month(today: datetime.date | None = None) -> datetime.date:
    first = month_start(today or timezone.localdate())
    return month_start(first - datetime.timedelta(days=1))


def parse_month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError as exc:
        raise ReimbursementError.of(RunRefusal.BAD_MONTH, "month") from exc


def reference_for(organisation: Organisation, period: datetime.date) -> str:
    return f"PR-{organisation.code}-{period:%Y-%m}"


# who pays -----------------------------------------------------------------------------------------
def schemes_paid_by(organisation: Organisation) -> QuerySet[Scheme]:
    return Scheme.objects.filter(
        Q(rate_card__paid_by=organisation)
        | Q(rate_card__isnull=False, rate_card__paid_by__isnull=True, owner=organisation)
    )


def payer_of(scheme: Scheme) -> Organisation | None:
    card = getattr(scheme, "rate_card", None)
    return card.paying_organisation if card is not None else None


def paying_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        Q(paying_rate_cards__isnull=False)
        | Q(schemes__rate_card__isnull=False, schemes__rate_card__paid_by__isnull=True)
    ).distinct()


def is_finance_for(user: User, organisation: Organisation) -> bool:
    q = organisation_q(user, Role.FINANCE)
    return q is None or Organisation.objects.filter(q, pk=organisation.pk).exists()


def runs_visible_to(user: User) -> QuerySet[PaymentRun]:
    q = organisation_q(user, Role.FINANCE, prefix="organisation__")
    runs = PaymentRun.objects.select_related("organisation", "approved_by")
    return runs if q is None else runs.filter(q)


# building -----------------------------------------------------------------------------------------
@dataclass
class BuildOutcome:
    run: PaymentRun
    created: bool
    changed: bool


def build_run(
    *, organisation: Organisation, period: datetime.date, today: datetime.date | None = None
) -> BuildOutcome:
    """Build (or bring up to date) ``organisation``'s draft run for the month of ``period``."""
    period = month_start(period)
    if month_end(period) >= (today or timezone.localdate()):
        raise ReimbursementError.of(RunRefusal.MONTH_NOT_OVER, "month", month=f"{period:%B %Y}")
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        run, created = PaymentRun.objects.get_or_create(
            organisation=organisation,
            period=period,
            defaults={"reference": reference_for(organisation, period)},
        )
        if run.status != RunStatus.DRAFT:
            return BuildOutcome(run, False, False)
        scheme_ids = list(schemes_paid_by(organisation).values_list("pk", flat=True))
        log.info("Building payment run %s", run.reference)
        added = _insert_items(run, scheme_ids, month_end(period))
        added += Adjustment.objects.filter(run__isnull=True, scheme_id__in=scheme_ids).update(
            run=run
        )
        if settings.PAYMENT_RUN_BUILD_PAUSE_SECONDS:
            time.sleep(settings.PAYMENT_RUN_BUILD_PAUSE_SECONDS)
        if added or created:
            _recompute_lines(run)
        log.info("Built payment run %s: %s new", run.reference, added)
    return BuildOutcome(run, created, bool(added))


def _insert_items(run: PaymentRun, scheme_ids: list[int], last_day: datetime.date) -> int:
    if not scheme_ids:
        return 0
    item, claim = PaymentItem._meta.db_table, Claim._meta.db_table
    placeholders = ", ".join(["%s"] * len(scheme_ids))
    # Only table names from _meta are formatted in; every value is a bound parameter.
    sql = (
        f"INSERT INTO {item} (claim_id, run_id, amount) "  # noqa: S608  # nosec B608
        f"SELECT c.id, %s, c.amount FROM {claim} c "
        f"WHERE c.status = %s AND c.period_start <= %s AND c.scheme_id IN ({placeholders}) "
        f"AND NOT EXISTS (SELECT 1 FROM {item} i WHERE i.claim_id = c.id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [run.pk, ClaimStatus.APPROVED, last_day, *scheme_ids])
        return cursor.rowcount


def _tables() -> dict[str, str]:
    models = {
        "line": PaymentLine,
        "item": PaymentItem,
        "claim": Claim,
        "adjustment": Adjustment,
        "person": Person,
        "user": User,
        "scheme": Scheme,
        "registration": ProfessionalRegistration,
        "run": PaymentRun,
    }
    return {name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}


# The number on the register of the scheme's profession first, else the person's first number.
REGISTER_FOR_PROFESSION = {"gp": "GMC", "pa": "PA", "pharmacist": "GPHC", "nurse": "NMC"}
_PREFERRED = " ".join(
    f"WHEN '{profession}' THEN '{register}'"
    for profession, register in REGISTER_FOR_PROFESSION.items()
)

LINES_SQL = """
INSERT INTO {line} (
    run_id, person_id, scheme_id, claim_count, mentoring_amount, training_amount,
    adjustment_amount, total_amount, mentor_name, sort_name, mentor_email, payee_reference,
    registration_number, scheme_name, scheme_slug
)
SELECT
    %s, g.person_id, g.scheme_id, g.n, g.m, g.t, g.a, g.m + g.t + g.a,
    TRIM(u.first_name || ' ' || u.last_name), u.last_name || ', ' || u.first_name, u.email,
    p.payee_reference,
    COALESCE(
        (SELECT r.number FROM {registration} r
         WHERE r.person_id = g.person_id
           AND r.register = (CASE s.profession {preferred} ELSE '' END)
         ORDER BY r.id LIMIT 1),
        (SELECT r.number FROM {registration} r WHERE r.person_id = g.person_id
         ORDER BY r.id LIMIT 1),
        ''
    ),
    s.name, s.slug
FROM (
    SELECT person_id, scheme_id, SUM(n) AS n, ROUND(SUM(m), 2) AS m, ROUND(SUM(t), 2) AS t,
           ROUND(SUM(a), 2) AS a
    FROM (
        SELECT c.person_id, c.scheme_id, 1 AS n,
               CASE WHEN c.kind = %s THEN i.amount ELSE 0 END AS m,
               CASE WHEN c.kind = %s THEN i.amount ELSE 0 END AS t,
               0 AS a
        FROM {item} i JOIN {claim} c ON c.id = i.claim_id
        WHERE i.run_id = %s
        UNION ALL
        SELECT person_id, scheme_id, 0, 0, 0, amount FROM {adjustment} WHERE run_id = %s
    ) parts
    GROUP BY person_id, scheme_id
) g
JOIN {person} p ON p.id = g.person_id
JOIN {user} u ON u.id = p.user_id
JOIN {scheme} s ON s.id = g.scheme_id
"""

TOTALS_SQL = """
UPDATE {run} SET
    claim_count = COALESCE((SELECT SUM(claim_count) FROM {line} WHERE run_id = %s), 0),
    total_amount = COALESCE((SELECT ROUND(SUM(total_amount), 2) FROM {line} WHERE run_id = %s), 0),
    built_at = %s
WHERE id = %s
"""


def _recompute_lines(run: PaymentRun) -> None:
    """The run's lines and totals, again, in three statements whatever the number of mentors:
    the sums per mentor and scheme of the run's items and adjustments, with who was paid."""
    tables = _tables()
    PaymentLine.objects.filter(run=run).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            LINES_SQL.format(preferred=_PREFERRED, **tables),
            [run.pk, ClaimKind.MENTORING, ClaimKind.TRAINING, run.pk, run.pk],
        )
        cursor.execute(TOTALS_SQL.format(**tables), [run.pk, run.pk, timezone.now(), run.pk])
    run.refresh_from_db(fields=["claim_count", "total_amount", "built_at"])


def build_month(
    *, period: datetime.date, organisation: Organisation | None = None
) -> list[BuildOutcome]:
    """Build the month's run for one paying organisation, or for every one."""
    organisations = [organisation] if organisation else list(paying_organisations())
    return [build_run(organisation=o, period=period) for o in organisations]


# approving ----------------------------------------------------------------------------------------
def approve_run(*, run: PaymentRun, by: User) -> PaymentRun:
    """Finance approves a draft: it never changes again, and its claims are marked paid."""
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().select_related("organisation").get(pk=run.pk)
        if run.status != RunStatus.DRAFT:
            raise ReimbursementError.of(RunRefusal.NOT_DRAFT, run=run.reference)
        if not is_finance_for(by, run.organisation):
            raise ReimbursementError.of(RunRefusal.NOT_FINANCE, organisation=run.organisation.name)
        if not run.lines.exists():
            raise ReimbursementError.of(RunRefusal.EMPTY, run=run.reference)
        if run.lines.filter(person__user=by).exists():
            raise ReimbursementError.of(RunRefusal.OWN_PAYMENT, run=run.reference)
        run.status = RunStatus.APPROVED
        run.approved_by = by
        run.approved_at = timezone.now()
        run.save(update_fields=["status", "approved_by", "approved_at"])
        Claim.objects.filter(payment__run=run).update(status=ClaimStatus.PAID)
        transaction.on_commit(lambda: _tell_payees_later(run.pk))
    return run


def _tell_payees_later(run_id: int) -> None:
    from reimbursement.tasks import tell_payees

    tell_payees.delay(run_id)


def tell_payees(run: PaymentRun) -> int:
    """Tell each mentor an approved run pays that their remittance advice is ready — once each,
    however often this runs (the notification's unique key)."""
    told = 0
    lines = (
        PaymentLine.objects.filter(run=run)
        .values("person__user", "mentor_name")
        .annotate(total=Sum("total_amount"))
        .order_by("person__user")
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=[line["person__user"] for line in lines])}
    for line in lines:
        made = notify(
            kind="remittance_ready",
            recipient=users[line["person__user"]],
            about=run,
            context={
                "reference": run.reference,
                "month": f"{run.period:%B %Y}",
                "organisation": run.organisation.name,
                "amount": f"{line['total']:,.2f}",
            },
        )
        told += made is not None
    return told


def require_approved(run: PaymentRun) -> None:
    if run.status != RunStatus.APPROVED:
        raise ReimbursementError.of(RunRefusal.NOT_APPROVED, run=run.reference)


# adjusting ----------------------------------------------------------------------------------------
def add_adjustment(
    *, person: Person, scheme: Scheme, amount: Decimal, reason: str, by: User
) -> Adjustment:
    """A correction paid in the next run built for the scheme's payer (negative to recover)."""
    problems = []
    if amount is None or Decimal(amount) == 0:
        problems.append(RunRefusal.ADJUSTMENT_ZERO)
    if not reason.strip():
        problems.append(RunRefusal.ADJUSTMENT_REASON)
    if problems:
        raise ReimbursementError(
            *[
                problem(code, "amount" if code == RunRefusal.ADJUSTMENT_ZERO else "reason")
                for code in problems
            ]
        )
    payer = payer_of(scheme)
    if payer is None or not is_finance_for(by, payer):
        raise ReimbursementError.of(RunRefusal.NOT_PAID_BY, "scheme", scheme=scheme.name)
    return Adjustment.objects.create(
        person=person, scheme=scheme, amount=amount, reason=reason.strip(), created_by=by
    )
