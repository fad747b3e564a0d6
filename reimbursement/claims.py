"""Claims: who may claim what, and the services that submit and decide them.

``check_claim`` is the one place the refusal rules live — a pure function over a ``ClaimContext``
(the mentor's enrolments, the scheme's rate card, the claims already made), so the online form and
``import_claims`` refuse exactly the same things; the import loads every row's context in a
constant number of queries, the form loads one.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from matching.models import MentorshipMember
from mentoring.models import Person, TrainingRecord, User
from mentoring.notifications import notify
from reimbursement.errors import ClaimRefusal, Problem, ReimbursementError, problem
from reimbursement.models import Claim, ClaimStatus, ClaimUnit
from schemes.models import (
    ClaimKind,
    Enrolment,
    EnrolmentStatus,
    ParticipantRole,
    RateCard,
    Scheme,
)
from schemes.models import ClaimUnit as SchemeUnit
from schemes.selectors import schemes_visible_to
from sessions_log import services as sessions
from sessions_log.models import MentoringSession, SessionStatus

CLAIM_LOCK = "Claimed for payment"
DUPLICATE = {
    ClaimUnit.WEEK: ClaimRefusal.DUPLICATE_WEEK,
    ClaimUnit.MEETING: ClaimRefusal.DUPLICATE_MEETING,
    ClaimUnit.TRAINING: ClaimRefusal.DUPLICATE_TRAINING,
}


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s ISO week."""
    return day - datetime.timedelta(days=day.weekday())


def unit_for(kind: str, rate_card: RateCard | None) -> str | None:
    if kind == ClaimKind.TRAINING:
        return ClaimUnit.TRAINING
    if rate_card is None or rate_card.claim_unit == SchemeUnit.NONE:
        return None
    return ClaimUnit.WEEK if rate_card.claim_unit == SchemeUnit.WEEK else ClaimUnit.MEETING


def period_for(unit: str, day: datetime.date) -> datetime.date:
    return week_of(day) if unit == ClaimUnit.WEEK else day


def _d(day: datetime.date) -> str:
    return day.strftime("%-d %B %Y")


@dataclass
class ClaimContext:
    """What the rules need to know about one mentor on one scheme."""

    person: Person
    scheme: Scheme
    rate_card: RateCard | None
    enrolments: list[Enrolment]
    has_plan: bool
    taken: set[tuple[str, datetime.date]] = field(default_factory=set)
    claimed_sessions: set[int] = field(default_factory=set)
    training_claims: int = 0
    today: datetime.date = field(default_factory=timezone.localdate)

    def take(self, unit: str, period: datetime.date, session_id: int | None = None) -> None:
        """Count a claim just accepted (an import's earlier row) against the later ones."""
        if session_id:
            self.claimed_sessions.add(session_id)
        else:
            self.taken.add((unit, period))
        if unit == ClaimUnit.TRAINING:
            self.training_claims += 1


def check_claim(
    ctx: ClaimContext,
    *,
    kind: str,
    claimed_date: datetime.date,
    session_id: int | None = None,
    live: bool = True,
    date_field: str = "claim_date",
) -> list[Problem]:
    """Every reason ``ctx.person`` may not claim ``kind`` for ``claimed_date`` (empty: they may).

    ``live`` is False for a rejected claim brought in by an import: it takes no week and counts
    against no cap, but every other rule holds.
    """
    names = {"person": ctx.person.full_name, "scheme": ctx.scheme.name, "date": _d(claimed_date)}
    unit = unit_for(kind, ctx.rate_card)
    if unit is None:
        return [problem(ClaimRefusal.SCHEME_UNPAID, "kind", **names)]
    if unit == ClaimUnit.TRAINING and not (ctx.rate_card and ctx.rate_card.training_cap):
        return [problem(ClaimRefusal.TRAINING_NOT_PAID, "kind", **names)]
    mentor_enrolments = [e for e in ctx.enrolments if e.role == ParticipantRole.MENTOR]
    if not mentor_enrolments:
        return [problem(ClaimRefusal.NOT_A_MENTOR, "email", **names)]
    problems = []
    period = period_for(unit, claimed_date)
    if claimed_date > ctx.today:
        problems.append(problem(ClaimRefusal.FUTURE_DATE, date_field))
    problems += _enrolment_problems(mentor_enrolments, claimed_date, names, date_field)
    if ctx.rate_card.rate_on(kind, period) is None:
        problems.append(
            problem(
                ClaimRefusal.NO_RATE_ON_DATE,
                date_field,
                kind=ClaimKind(kind).label.lower(),
                **{**names, "date": _d(period)},
            )
        )
    if live:
        if session_id and session_id in ctx.claimed_sessions:
            problems.append(problem(ClaimRefusal.DUPLICATE_MEETING, date_field, **names))
        elif not session_id and (unit, period) in ctx.taken:
            problems.append(problem(DUPLICATE[unit], date_field, week=_d(period), **names))
    if unit == ClaimUnit.TRAINING:
        if live and ctx.training_claims >= ctx.rate_card.training_cap:
            problems.append(
                problem(
                    ClaimRefusal.OVER_TRAINING_CAP,
                    "kind",
                    cap=ctx.rate_card.training_cap,
                    claimed=ctx.training_claims,
                    **names,
                )
            )
        if not ctx.has_plan:
            problems.append(problem(ClaimRefusal.NO_MENTORING_PLAN, "kind", **names))
    return problems


def _enrolment_problems(enrolments, day, names, date_field) -> list[Problem]:
    covering = [
        e for e in enrolments if e.joined_on <= day and (e.left_on is None or day <= e.left_on)
    ]
    if not covering:
        first = min(enrolments, key=lambda e: e.joined_on)
        if day < first.joined_on:
            return [
                problem(
                    ClaimRefusal.BEFORE_ENROLMENT, date_field, joined=_d(first.joined_on), **names
                )
            ]
        left = max((e.left_on for e in enrolments if e.left_on and e.left_on < day), default=day)
        return [problem(ClaimRefusal.AFTER_LEAVING, date_field, left=_d(left), **names)]
    enrolment = covering[-1]
    if enrolment.status == EnrolmentStatus.PAUSED and enrolment.paused_on <= day:
        return [
            problem(ClaimRefusal.WHILE_PAUSED, date_field, paused=_d(enrolment.paused_on), **names)
        ]
    if enrolment.eligible_until and day > enrolment.eligible_until:
        return [
            problem(
                ClaimRefusal.NOT_ELIGIBLE_ON_DATE,
                date_field,
                until=_d(enrolment.eligible_until),
                **names,
            )
        ]
    return []


def covering_enrolment(ctx: ClaimContext, day: datetime.date) -> Enrolment:
    return next(
        e
        for e in reversed(ctx.enrolments)
        if e.role == ParticipantRole.MENTOR
        and e.joined_on <= day
        and (e.left_on is None or day <= e.left_on)
    )


# loading contexts ---------------------------------------------------------------------------------
def rate_cards_for(schemes: Iterable[Scheme]) -> dict[int, RateCard]:
    return {
        card.scheme_id: card
        for card in RateCard.objects.filter(scheme__in=list(schemes))
        .select_related("scheme")
        .prefetch_related("rates")
    }


def contexts_for(pairs: Iterable[tuple[Person, Scheme]]) -> dict[tuple[int, int], ClaimContext]:
    """A ``ClaimContext`` for each (person, scheme), in a constant number of queries."""
    pairs = {(person.pk, scheme.pk): (person, scheme) for person, scheme in pairs}
    if not pairs:
        return {}
    people = {pk for pk, _ in pairs}
    schemes = {scheme for _, scheme in pairs.values()}
    cards = rate_cards_for(schemes)
    contexts = {
        key: ClaimContext(
            person=person,
            scheme=scheme,
            rate_card=cards.get(scheme.pk),
            enrolments=[],
            has_plan=False,
        )
        for key, (person, scheme) in pairs.items()
    }
    scheme_ids = [s.pk for s in schemes]
    enrolments = (
        Enrolment.objects.filter(
            person_id__in=people, scheme_id__in=scheme_ids, role=ParticipantRole.MENTOR
        )
        .annotate(
            has_mentee=Exists(MentorshipMember.objects.filter(enrolment=OuterRef("pk"))),
        )
        .select_related("application")
        .order_by("joined_on", "pk")
    )
    for enrolment in enrolments:
        ctx = contexts.get((enrolment.person_id, enrolment.scheme_id))
        if ctx is None:
            continue
        ctx.enrolments.append(enrolment)
        plan = enrolment.application and enrolment.application.mentoring_plan.strip()
        ctx.has_plan = ctx.has_plan or bool(plan) or enrolment.has_mentee
    claims = Claim.objects.filter(
        ~Q(status=ClaimStatus.REJECTED), person_id__in=people, scheme_id__in=scheme_ids
    ).values_list("person_id", "scheme_id", "unit", "period_start", "session_id")
    for person_id, scheme_id, unit, period, session_id in claims:
        ctx = contexts.get((person_id, scheme_id))
        if ctx is not None:
            ctx.take(unit, period, session_id)
    return contexts


def context_for(person: Person, scheme: Scheme) -> ClaimContext:
    return contexts_for([(person, scheme)])[(person.pk, scheme.pk)]


# what a mentor may claim online -------------------------------------------------------------------
def paid_schemes_of(person: Person) -> list[Scheme]:
    """Schemes that pay, on which ``person`` is (or was) a mentor."""
    return list(
        Scheme.objects.filter(
            enrolments__person=person,
            enrolments__role=ParticipantRole.MENTOR,
            rate_card__isnull=False,
        )
        .exclude(rate_card__claim_unit=SchemeUnit.NONE, rate_card__training_cap=0)
        .select_related("rate_card")
        .distinct()
        .order_by("name")
    )


def sessions_held_in_week(person: Person, scheme: Scheme, day: datetime.date):
    """The sessions ``person`` held as a mentor on ``scheme`` in ``day``'s ISO week."""
    monday = week_of(day)
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    return _mentor_sessions(person, scheme).filter(
        starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=7)
    )


def claimable_meetings(person: Person, scheme: Scheme):
    """Held meetings of ``person`` as a mentor on ``scheme`` not yet claimed (live)."""
    claimed = Claim.objects.filter(~Q(status=ClaimStatus.REJECTED), session=OuterRef("pk"))
    return _mentor_sessions(person, scheme).exclude(Exists(claimed))


def _mentor_sessions(person: Person, scheme: Scheme):
    return (
        MentoringSession.objects.filter(
            mentorship__scheme=scheme,
            status=SessionStatus.HELD,
            mentorship__members__enrolment__person=person,
            mentorship__members__role=ParticipantRole.MENTOR,
        )
        .distinct()
        .order_by("starts_at")
    )


# services -----------------------------------------------------------------------------------------
def submit_claim(
    *,
    person: Person,
    scheme: Scheme,
    kind: str,
    claimed_date: datetime.date,
    by: User,
    activity: str = "",
    session: MentoringSession | None = None,
    training_record: TrainingRecord | None = None,
) -> Claim:
    """A mentor claims online. Refused, with every reason, unless all the rules allow it.

    The mentor's enrolment row is locked while checking, so two claims sent at once are checked
    one after the other (the training cap cannot be passed by racing); the database's unique
    keys refuse a second claim for the same week whatever happens.
    """
    with transaction.atomic():
        list(
            Enrolment.objects.select_for_update().filter(
                person=person, scheme=scheme, role=ParticipantRole.MENTOR
            )
        )
        ctx = context_for(person, scheme)
        unit = unit_for(kind, ctx.rate_card)
        if unit == ClaimUnit.MEETING and session is None:
            raise ReimbursementError.of(ClaimRefusal.SESSION_NOT_CLAIMABLE, "session")
        if session is not None:
            claimed_date = timezone.localtime(session.starts_at).date()
        problems = check_claim(
            ctx, kind=kind, claimed_date=claimed_date, session_id=session and session.pk
        )
        if problems:
            raise ReimbursementError(*problems)
        held = []
        if unit == ClaimUnit.MEETING and (
            session is None or not claimable_meetings(person, scheme).filter(pk=session.pk).exists()
        ):
            raise ReimbursementError.of(ClaimRefusal.SESSION_NOT_CLAIMABLE, "session")
        if unit == ClaimUnit.TRAINING and (
            training_record is None or training_record.person_id != person.pk
        ):
            raise ReimbursementError.of(ClaimRefusal.TRAINING_RECORD_REQUIRED, "training_record")
        if unit == ClaimUnit.WEEK:
            held = list(sessions_held_in_week(person, scheme, claimed_date))
            if not held and not activity.strip():
                raise ReimbursementError.of(ClaimRefusal.NO_ACTIVITY, "activity")
        period = period_for(unit, claimed_date)
        try:
            with transaction.atomic():
                claim = Claim.objects.create(
                    person=person,
                    scheme=scheme,
                    enrolment=covering_enrolment(ctx, claimed_date),
                    kind=kind,
                    unit=unit,
                    claimed_date=claimed_date,
                    period_start=period,
                    session=session if unit == ClaimUnit.MEETING else None,
                    training_record=training_record if unit == ClaimUnit.TRAINING else None,
                    activity=activity.strip(),
                    submitted_by=by,
                    submitted_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise ReimbursementError.of(
                DUPLICATE[unit], "claim_date", week=_d(period), date=_d(claimed_date)
            ) from exc
        claim.sessions.set(held)
    return claim


def may_decide(user: User, claim: Claim) -> bool:
    return user.is_active and (
        user.is_superuser or schemes_visible_to(user).filter(pk=claim.scheme_id).exists()
    )


def _deciding(claim: Claim, by: User) -> Claim:
    claim = (
        Claim.objects.select_for_update().select_related("scheme", "person__user").get(pk=claim.pk)
    )
    if claim.status != ClaimStatus.SUBMITTED:
        raise ReimbursementError.of(
            ClaimRefusal.ALREADY_DECIDED, status=claim.get_status_display().lower()
        )
    if claim.person.user_id == by.pk:
        raise ReimbursementError.of(ClaimRefusal.OWN_CLAIM)
    if not may_decide(by, claim):
        raise ReimbursementError.of(ClaimRefusal.NOT_COORDINATOR, scheme=claim.scheme.name)
    return claim


def approve_claim(*, claim: Claim, by: User, note: str = "") -> Claim:
    """Approve: the amount is fixed from the rate in force on the claimed week (or day), and the
    sessions behind the claim are locked so the evidence cannot change under a payment."""
    with transaction.atomic():
        claim = _deciding(claim, by)
        card = rate_cards_for([claim.scheme]).get(claim.scheme_id)
        rate = card.rate_on(claim.kind, claim.period_start) if card else None
        if rate is None:
            raise ReimbursementError.of(
                ClaimRefusal.NO_RATE_ON_DATE,
                scheme=claim.scheme.name,
                kind=claim.get_kind_display().lower(),
                date=_d(claim.period_start),
            )
        claim.status = ClaimStatus.APPROVED
        claim.rate = rate
        claim.amount = rate.amount
        claim.decided_by = by
        claim.decided_at = timezone.now()
        claim.decision_reason = note.strip()
        claim.save(
            update_fields=[
                "status",
                "rate",
                "amount",
                "decided_by",
                "decided_at",
                "decision_reason",
            ]
        )
        for session in _evidence(claim):
            if session.status == SessionStatus.HELD:
                sessions.lock_session(session=session, by=None, reason=CLAIM_LOCK)
        _tell_mentor(claim, "claim_approved")
    return claim


def reject_claim(*, claim: Claim, by: User, reason: str) -> Claim:
    if not reason.strip():
        raise ReimbursementError.of(ClaimRefusal.REASON_REQUIRED, "reason")
    with transaction.atomic():
        claim = _deciding(claim, by)
        claim.status = ClaimStatus.REJECTED
        claim.decided_by = by
        claim.decided_at = timezone.now()
        claim.decision_reason = reason.strip()
        claim.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        _tell_mentor(claim, "claim_rejected")
    return claim


def _evidence(claim: Claim) -> list[MentoringSession]:
    found = list(claim.sessions.all())
    if claim.session_id:
        found.append(claim.session)
    return found


def _tell_mentor(claim: Claim, kind: str) -> None:
    notify(
        kind=kind,
        recipient=claim.person.user,
        about=claim,
        context={
            "claim_id": claim.pk,
            "what": claim_label(claim),
            "scheme": claim.scheme.name,
            "amount": f"{claim.amount:,.2f}" if claim.amount is not None else "",
            "reason": claim.decision_reason,
        },
    )


def claim_label(claim: Claim) -> str:
    if claim.unit == ClaimUnit.WEEK:
        return f"the week beginning {_d(claim.period_start)}"
    if claim.unit == ClaimUnit.MEETING:
        return f"the meeting on {_d(claim.period_start)}"
    return f"training on {_d(claim.period_start)}"
