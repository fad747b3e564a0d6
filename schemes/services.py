"""Every write that matters in the schemes app. Each runs in one transaction, stores the
eligibility check its decision rests on, and sends its notifications after commit."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mentoring.models import Person, User
from mentoring.notifications import notify
from schemes import selectors, signals
from schemes.errors import SchemeError, SchemeRefusal
from schemes.models import (
    Application,
    ApplicationStatus,
    Cohort,
    EligibilityCheck,
    Enrolment,
    EnrolmentStatus,
    LeaveKind,
    ParticipantRole,
    Scheme,
)
from schemes.models.enrolment import OPEN_APPLICATION
from schemes.rules import ONE_DAY, Verdict, add_months, evaluate

Purpose = EligibilityCheck.Purpose


# eligibility ------------------------------------------------------------------------------------
def verdict_for(
    *,
    person: Person,
    scheme: Scheme,
    role: str,
    on_date: datetime.date | None = None,
    sessions=None,
    intends_extra_session: bool | None = None,
) -> Verdict:
    """Evaluate the scheme's rules for ``role`` against what is on file about ``person``."""
    person = selectors.with_facts(Person.objects.filter(pk=person.pk)).get()
    facts = selectors.person_facts(
        person, sessions=sessions, intends_extra_session=intends_extra_session
    )
    return evaluate(
        selectors.rule_rows(scheme, role),
        facts,
        selectors.scheme_facts(scheme),
        on_date or timezone.localdate(),
    )


def verdict_for_application(application: Application, on_date=None) -> Verdict:
    return verdict_for(
        person=application.person,
        scheme=application.scheme,
        role=application.role,
        on_date=on_date,
        sessions=application.clinical_sessions_per_week,
        intends_extra_session=application.intends_extra_session,
    )


def verdict_for_enrolment(enrolment: Enrolment, on_date=None) -> Verdict:
    """An enrolled mentor has committed to the scheme's weekly mentoring session unless their
    application said otherwise."""
    application = enrolment.application
    return verdict_for(
        person=enrolment.person,
        scheme=enrolment.scheme,
        role=enrolment.role,
        on_date=on_date,
        sessions=enrolment.clinical_sessions_per_week,
        intends_extra_session=application.intends_extra_session if application else True,
    )


def verdict_in_context(*, person: Person, scheme: Scheme, role: str, on_date=None) -> Verdict:
    """The verdict with what the person told this scheme: their current enrolment if they have
    one, else their open application, else only what is on the register."""
    enrolment = current_enrolment(person=person, scheme=scheme, role=role)
    if enrolment is not None:
        return verdict_for_enrolment(enrolment, on_date)
    application = (
        Application.objects.filter(
            person=person, scheme=scheme, role=role, status__in=OPEN_APPLICATION
        )
        .order_by("-submitted_at")
        .first()
    )
    if application is not None:
        return verdict_for_application(application, on_date)
    return verdict_for(person=person, scheme=scheme, role=role, on_date=on_date)


def record_check(
    *, person: Person, scheme: Scheme, role: str, verdict: Verdict, purpose: str, by: User | None
) -> EligibilityCheck:
    return EligibilityCheck.objects.create(
        person=person,
        scheme=scheme,
        role=role,
        on_date=verdict.on_date,
        purpose=purpose,
        checked_by=by,
        eligible=verdict.eligible,
        results=[r.as_json() for r in verdict.rules],
        valid_until=verdict.valid_until,
    )


def _role_label(role: str) -> str:
    return ParticipantRole(role).label.lower()


# applications -----------------------------------------------------------------------------------
APPLICATION_ANSWERS = (
    "motivation",
    "clinical_sessions_per_week",
    "intends_extra_session",
    "preferred_mentees",
    "mentoring_plan",
    "cohort",
    "hopes",
)


def submit_application(
    *, person: Person, scheme: Scheme, role: str, answers: dict, on_date=None
) -> Application:
    """Apply while an intake is open; the applicant's eligibility is evaluated and stored at once."""
    on_date = on_date or timezone.localdate()
    intake = scheme.open_intake(role, on_date)
    if intake is None:
        raise SchemeError(SchemeRefusal.INTAKE_CLOSED, scheme=scheme, role=_role_label(role))
    if current_enrolment(person=person, scheme=scheme, role=role):
        raise SchemeError(
            SchemeRefusal.ALREADY_ENROLLED,
            person=person.full_name,
            scheme=scheme,
            role=_role_label(role),
        )
    cohort = answers.get("cohort")
    if cohort is not None and cohort.scheme_id != scheme.pk:
        raise SchemeError(SchemeRefusal.COHORT_OF_ANOTHER_SCHEME, field="cohort")
    with transaction.atomic():
        if Application.objects.filter(
            person=person, scheme=scheme, role=role, status__in=OPEN_APPLICATION
        ).exists():
            raise SchemeError(SchemeRefusal.ALREADY_APPLIED, scheme=scheme, role=_role_label(role))
        application = Application.objects.create(
            person=person,
            scheme=scheme,
            intake=intake,
            role=role,
            **{k: v for k, v in answers.items() if k in APPLICATION_ANSWERS},
        )
        if answers.get("focus_areas") is not None:
            application.focus_areas.set(answers["focus_areas"])
        verdict = verdict_for_application(application, on_date)
        application.eligibility_check = record_check(
            person=person,
            scheme=scheme,
            role=role,
            verdict=verdict,
            purpose=Purpose.APPLICATION,
            by=person.user,
        )
        application.save(update_fields=["eligibility_check"])
        for coordinator in selectors.coordinators_of(scheme):
            notify(
                kind="application_submitted",
                recipient=coordinator,
                about=application,
                context={
                    "applicant": person.full_name,
                    "scheme": scheme.name,
                    "role": _role_label(role),
                    "application_id": application.pk,
                    "eligible": verdict.eligible,
                },
            )
    return application


def apply_as_new_person(
    *, user: User, details: dict, scheme: Scheme, role: str, answers: dict
) -> Application:
    """Put a self-registered user on the register and apply, in one transaction: if the scheme
    refuses the application, they are not left on the register with nothing to show for it."""
    with transaction.atomic():
        person = Person.objects.create(user=user, **details)
        return submit_application(person=person, scheme=scheme, role=role, answers=answers)


def current_enrolment(*, person: Person, scheme: Scheme, role: str) -> Enrolment | None:
    return Enrolment.objects.filter(
        person=person, scheme=scheme, role=role, left_on__isnull=True
    ).first()


def current_mentor_count(scheme: Scheme) -> int:
    return Enrolment.objects.filter(
        scheme=scheme, role=ParticipantRole.MENTOR, left_on__isnull=True
    ).count()


def approve_application(
    *,
    application: Application,
    decided_by: User,
    capacity: int | None = None,
    cohort: Cohort | None = None,
    joined_on: datetime.date | None = None,
) -> Enrolment | None:
    """Approve: enrol now, or — over the scheme's mentor cap — put on the waiting list in order.

    Refused when the applicant does not meet every required rule today.
    Returns the enrolment, or None when the application went on the waiting list.
    """
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.SUBMITTED:
            raise SchemeError(
                SchemeRefusal.NOT_SUBMITTED, status=application.get_status_display().lower()
            )
        scheme = Scheme.objects.select_for_update().get(pk=application.scheme_id)
        verdict = _decision_check(application, decided_by)
        _require_eligible(application.person, verdict)
        application.decided_at = timezone.now()
        application.decided_by = decided_by
        if (
            application.role == ParticipantRole.MENTOR
            and scheme.mentor_cap is not None
            and current_mentor_count(scheme) >= scheme.mentor_cap
        ):
            application.status = ApplicationStatus.WAITING_LIST
            application.save(update_fields=["status", "decided_at", "decided_by"])
            _tell_applicant(application, "application_waitlisted")
            return None
        enrolment = _enrol(
            application, verdict, capacity=capacity, cohort=cohort, joined_on=joined_on
        )
        application.status = ApplicationStatus.APPROVED
        application.save(update_fields=["status", "decided_at", "decided_by"])
        _tell_applicant(application, "application_approved")
    return enrolment


def _decision_check(application: Application, by: User | None) -> Verdict:
    verdict = verdict_for_application(application)
    record_check(
        person=application.person,
        scheme=application.scheme,
        role=application.role,
        verdict=verdict,
        purpose=Purpose.DECISION,
        by=by,
    )
    return verdict


def _require_eligible(person: Person, verdict: Verdict) -> None:
    if not verdict.eligible:
        raise SchemeError(
            SchemeRefusal.NOT_ELIGIBLE,
            person=person.full_name,
            reasons=" ".join(r.reason for r in verdict.blocking),
        )


def _enrol(application, verdict, *, capacity=None, cohort=None, joined_on=None) -> Enrolment:
    scheme = application.scheme
    if current_enrolment(person=application.person, scheme=scheme, role=application.role):
        raise SchemeError(
            SchemeRefusal.ALREADY_ENROLLED,
            person=application.person.full_name,
            scheme=scheme,
            role=_role_label(application.role),
        )
    fields = {}
    if application.role == ParticipantRole.MENTOR:
        if capacity is None:
            preferred = application.preferred_mentees or scheme.mentor_capacity_max
            capacity = min(max(preferred, scheme.mentor_capacity_min), scheme.mentor_capacity_max)
        check_capacity(scheme, capacity)
        fields["capacity"] = capacity
    else:
        cohort = cohort or application.cohort
        if cohort is None and scheme.cohorts.exists():
            raise SchemeError(SchemeRefusal.COHORT_REQUIRED, field="cohort")
        if cohort is not None and cohort.scheme_id != scheme.pk:
            raise SchemeError(SchemeRefusal.COHORT_OF_ANOTHER_SCHEME, field="cohort")
        fields["cohort"] = cohort
    return Enrolment.objects.create(
        person=application.person,
        scheme=scheme,
        role=application.role,
        clinical_sessions_per_week=application.clinical_sessions_per_week,
        joined_on=joined_on or timezone.localdate(),
        application=application,
        eligible_until=verdict.valid_until,
        **fields,
    )


def check_capacity(scheme: Scheme, capacity: int) -> None:
    if not scheme.mentor_capacity_min <= capacity <= scheme.mentor_capacity_max:
        raise SchemeError(
            SchemeRefusal.CAPACITY_OUT_OF_RANGE,
            field="capacity",
            scheme=scheme,
            low=scheme.mentor_capacity_min,
            high=scheme.mentor_capacity_max,
        )


def _tell_applicant(application: Application, kind: str) -> None:
    notify(
        kind=kind,
        recipient=application.person.user,
        about=application,
        context={
            "scheme": application.scheme.name,
            "role": _role_label(application.role),
            "application_id": application.pk,
            "feedback": application.feedback,
            "how_to_reapply": application.how_to_reapply,
        },
    )


def reject_application(
    *, application: Application, decided_by: User, feedback: str, how_to_reapply: str
) -> Application:
    """Reject with feedback and how to reapply, as the GP scheme guidance asks; e-mailed."""
    if not feedback.strip() or not how_to_reapply.strip():
        raise SchemeError(SchemeRefusal.FEEDBACK_REQUIRED, field="feedback")
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in OPEN_APPLICATION:
            raise SchemeError(
                SchemeRefusal.NOT_SUBMITTED, status=application.get_status_display().lower()
            )
        application.status = ApplicationStatus.REJECTED
        application.feedback = feedback.strip()
        application.how_to_reapply = how_to_reapply.strip()
        application.decided_at = timezone.now()
        application.decided_by = decided_by
        application.save()
        _tell_applicant(application, "application_rejected")
    return application


def admit_from_waiting_list(*, scheme: Scheme, by: User | None = None) -> list[Enrolment]:
    """Enrol approved applicants from the waiting list, oldest decision first, while there is room.

    Anyone who no longer meets the rules keeps their place and is passed over for now.
    """
    admitted = []
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        waiting = Application.objects.filter(
            scheme=scheme, role=ParticipantRole.MENTOR, status=ApplicationStatus.WAITING_LIST
        ).order_by("decided_at", "pk")
        for application in waiting:
            if scheme.mentor_cap is not None and current_mentor_count(scheme) >= scheme.mentor_cap:
                break
            verdict = _decision_check(application, by)
            if not verdict.eligible:
                continue
            admitted.append(_enrol(application, verdict))
            application.status = ApplicationStatus.APPROVED
            application.save(update_fields=["status"])
            _tell_applicant(application, "application_approved")
    return admitted


# enrolments -------------------------------------------------------------------------------------
def pause_enrolment(
    *, enrolment: Enrolment, on_date: datetime.date, reason: str, by: User | None = None
) -> Enrolment:
    """Pause a mentor: no new matches, no claims for dates after ``on_date``."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update()
            .select_related("scheme", "person__user")
            .get(pk=enrolment.pk)
        )
        if enrolment.status != EnrolmentStatus.ACTIVE:
            raise SchemeError(SchemeRefusal.NOT_ACTIVE)
        enrolment.status = EnrolmentStatus.PAUSED
        enrolment.paused_on = on_date
        enrolment.pause_reason = reason
        enrolment.save(update_fields=["status", "paused_on", "pause_reason", "updated_at"])
        signals.enrolment_paused.send(Enrolment, enrolment=enrolment, on_date=on_date, by=by)
        context = {
            "person": enrolment.person.full_name,
            "scheme": enrolment.scheme.name,
            "paused_on": on_date.isoformat(),
            "reason": reason,
            "enrolment_id": enrolment.pk,
        }
        recipients = {enrolment.person.user, *selectors.coordinators_of(enrolment.scheme)}
        for recipient in recipients:
            notify(
                kind="enrolment_paused",
                recipient=recipient,
                about=enrolment,
                period=on_date.isoformat(),
                context={**context, "is_the_mentor": recipient == enrolment.person.user},
            )
    return enrolment


def resume_enrolment(*, enrolment: Enrolment, by: User) -> Enrolment:
    """A coordinator resumes a paused mentor who meets the rules again (checked and stored)."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status != EnrolmentStatus.PAUSED:
            raise SchemeError(SchemeRefusal.NOT_PAUSED)
        verdict = verdict_for_enrolment(enrolment)
        record_check(
            person=enrolment.person,
            scheme=enrolment.scheme,
            role=enrolment.role,
            verdict=verdict,
            purpose=Purpose.RESUME,
            by=by,
        )
        _require_eligible(enrolment.person, verdict)
        enrolment.status = EnrolmentStatus.ACTIVE
        enrolment.paused_on = None
        enrolment.pause_reason = ""
        enrolment.eligible_until = verdict.valid_until
        enrolment.save()
    return enrolment


def training_cost_recoverable(enrolment: Enrolment) -> bool:
    """A mentor whose training the scheme funded, leaving within its minimum stay, no exemption.

    GP scheme guidance: systems "may consider recovering the cost of any training GP mentors have
    undertaken if they do not remain on the scheme for the minimum period and an exemption is
    not granted" (e.g. "absence or retirement due to ill health").
    """
    months = enrolment.scheme.minimum_stay_months
    return bool(
        enrolment.role == ParticipantRole.MENTOR
        and enrolment.funded_training_id
        and months
        and enrolment.left_on
        and enrolment.left_on < add_months(enrolment.joined_on, months)
        and not enrolment.recovery_exemption.strip()
    )


def leave_scheme(
    *,
    enrolment: Enrolment,
    left_on: datetime.date,
    kind: str,
    reason: str,
    by: User | None = None,
    exemption: str = "",
) -> Enrolment:
    """A mentor or mentee leaves or withdraws, with a date and a reason; a mentor's place goes
    to the waiting list."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update().select_related("scheme").get(pk=enrolment.pk)
        )
        if enrolment.left_on:
            raise SchemeError(
                SchemeRefusal.ALREADY_LEFT,
                person=enrolment.person.full_name,
                scheme=enrolment.scheme,
            )
        if left_on < enrolment.joined_on:
            raise SchemeError(
                SchemeRefusal.LEAVE_BEFORE_JOINING, field="left_on", joined=enrolment.joined_on
            )
        if left_on > timezone.localdate():
            raise SchemeError(SchemeRefusal.LEAVE_IN_FUTURE, field="left_on")
        enrolment.status = EnrolmentStatus.LEFT
        enrolment.left_on = left_on
        enrolment.leave_kind = LeaveKind(kind)
        enrolment.leave_reason = reason.strip()
        enrolment.recovery_exemption = exemption.strip()
        enrolment.training_cost_recoverable = training_cost_recoverable(enrolment)
        enrolment.save()
        signals.enrolment_left.send(Enrolment, enrolment=enrolment, on_date=left_on, by=by)
    if enrolment.role == ParticipantRole.MENTOR:
        admit_from_waiting_list(scheme=enrolment.scheme, by=by)
    return enrolment


def record_recovery_exemption(*, enrolment: Enrolment, reason: str, by: User) -> Enrolment:
    enrolment.recovery_exemption = reason.strip()
    enrolment.training_cost_recoverable = training_cost_recoverable(enrolment)
    enrolment.save(update_fields=["recovery_exemption", "training_cost_recoverable", "updated_at"])
    return enrolment


# the nightly re-check ---------------------------------------------------------------------------
@dataclass
class RecheckOutcome:
    checked: int = 0
    paused: list[Enrolment] = field(default_factory=list)


def recheck_mentors(*, on_date: datetime.date | None = None) -> RecheckOutcome:
    """Re-evaluate every current mentor; pause those who no longer meet a required rule.

    Idempotent: a mentor already paused is not paused again. The pause runs from the day after the
    last stored date their eligibility held, if that is known and past, otherwise from today.
    """
    on_date = on_date or timezone.localdate()
    outcome = RecheckOutcome()
    schemes = selectors.with_rules(
        Scheme.objects.filter(
            enrolments__role=ParticipantRole.MENTOR, enrolments__left_on__isnull=True
        ).distinct()
    ).select_related("owner")
    for scheme in schemes:
        enrolments = (
            Enrolment.objects.filter(
                scheme=scheme, role=ParticipantRole.MENTOR, left_on__isnull=True
            )
            .filter(Q(status=EnrolmentStatus.ACTIVE) | Q(status=EnrolmentStatus.PAUSED))
            .select_related("application")
        )
        people = {
            p.pk: p
            for p in selectors.with_facts(
                Person.objects.filter(pk__in=enrolments.values("person"))
            ).select_related("user")
        }
        changed = []
        for enrolment in enrolments:
            person = people[enrolment.person_id]
            application = enrolment.application
            facts = selectors.person_facts(
                person,
                sessions=enrolment.clinical_sessions_per_week,
                intends_extra_session=application.intends_extra_session if application else True,
            )
            verdict = evaluate(
                selectors.rule_rows(scheme, enrolment.role),
                facts,
                selectors.scheme_facts(scheme),
                on_date,
            )
            outcome.checked += 1
            if enrolment.status == EnrolmentStatus.ACTIVE and not verdict.eligible:
                held_until = enrolment.eligible_until
                paused_on = held_until + ONE_DAY if held_until and held_until < on_date else on_date
                record_check(
                    person=person,
                    scheme=scheme,
                    role=enrolment.role,
                    verdict=verdict,
                    purpose=Purpose.NIGHTLY,
                    by=None,
                )
                enrolment.person = person
                outcome.paused.append(
                    pause_enrolment(
                        enrolment=enrolment,
                        on_date=paused_on,
                        reason=" ".join(r.reason for r in verdict.blocking),
                    )
                )
            elif enrolment.eligible_until != verdict.valid_until:
                enrolment.eligible_until = verdict.valid_until
                changed.append(enrolment)
        Enrolment.objects.bulk_update(changed, ["eligible_until"])
    return outcome
