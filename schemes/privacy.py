"""The schemes app's part of data rights (``mentoring.privacy``): applications, enrolments and
eligibility checks in a person's download; what stops their erasure (an enrolment not left, an
application waiting for a decision); what erasure removes; rejected applications' retention.

Coordinators' words about the person — feedback on an application and how to reapply, why an
enrolment was paused or ended, why a training cost is not recovered — are included: they are
about the person and were written to or about them, not given in confidence by another person
(the applicant is told the feedback; UK GDPR's right of access covers opinions about someone).
"""

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from mentoring.models import Person, User
from mentoring.privacy import Erasure, RetentionRule, Section, display, register_part, row
from schemes.models import (
    Application,
    ApplicationStatus,
    EligibilityCheck,
    Enrolment,
)
from schemes.models.enrolment import OPEN_APPLICATION


def sections(user: User, person: Person | None) -> list[Section]:
    if person is None:
        return []
    applications = [
        row(
            scheme=a.scheme.name,
            role=display(a, "role"),
            status=display(a, "status"),
            submitted_at=a.submitted_at,
            motivation=a.motivation,
            clinical_sessions_per_week=a.clinical_sessions_per_week,
            intends_extra_session=a.intends_extra_session,
            preferred_mentees=a.preferred_mentees,
            mentoring_plan=a.mentoring_plan,
            hopes=a.hopes,
            focus_areas=[t.name for t in a.focus_areas.all()],
            cohort=a.cohort.name if a.cohort else "",
            decided_at=a.decided_at,
            feedback=a.feedback,
            how_to_reapply=a.how_to_reapply,
        )
        for a in Application.objects.filter(person=person)
        .select_related("scheme", "cohort")
        .prefetch_related("focus_areas")
        .order_by("submitted_at", "pk")
    ]
    enrolments = [
        row(
            scheme=e.scheme.name,
            role=display(e, "role"),
            status=display(e, "status"),
            cohort=e.cohort.name if e.cohort else "",
            capacity=e.capacity,
            clinical_sessions_per_week=e.clinical_sessions_per_week,
            joined_on=e.joined_on,
            left_on=e.left_on,
            how_they_left=display(e, "leave_kind"),
            leave_reason=e.leave_reason,
            not_taking_mentees_until=e.not_taking_mentees_until,
            paused_on=e.paused_on,
            pause_reason=e.pause_reason,
            eligible_until=e.eligible_until,
            training_cost_recoverable=e.training_cost_recoverable,
            recovery_exemption=e.recovery_exemption,
        )
        for e in Enrolment.objects.filter(person=person)
        .select_related("scheme", "cohort")
        .order_by("joined_on", "pk")
    ]
    checks = [
        row(
            scheme=c.scheme.name,
            role=c.role,
            on_date=c.on_date,
            purpose=display(c, "purpose"),
            checked_at=c.checked_at,
            eligible=c.eligible,
            results=c.results,
            valid_until=c.valid_until,
        )
        for c in EligibilityCheck.objects.filter(person=person)
        .select_related("scheme")
        .order_by("checked_at", "pk")
    ]
    return [
        Section("applications", "Applications to schemes", applications),
        Section("enrolments", "Enrolments on schemes", enrolments),
        Section("eligibility_checks", "Eligibility checks", checks),
    ]


def still_open(person: Person) -> list[str]:
    found = [
        f"an enrolment as {e.get_role_display().lower()} on {e.scheme.name} that has not ended"
        for e in Enrolment.objects.filter(person=person, left_on__isnull=True).select_related(
            "scheme"
        )
    ]
    found += [
        f"an application to {a.scheme.name} waiting for a decision"
        for a in Application.objects.filter(
            person=person, status__in=OPEN_APPLICATION
        ).select_related("scheme")
    ]
    return found


def erase(person: Person, erasure: Erasure) -> dict[str, int]:
    applications = Application.objects.filter(person=person)
    Application.focus_areas.through.objects.filter(application__person=person).delete()
    return {
        "applications": applications.update(
            motivation="",
            mentoring_plan="",
            hopes="",
            feedback="",
            how_to_reapply="",
            clinical_sessions_per_week=None,
        ),
        "enrolments": Enrolment.objects.filter(person=person).update(
            leave_reason="",
            pause_reason="",
            recovery_exemption="",
            clinical_sessions_per_week=None,
        ),
        "eligibility_checks": EligibilityCheck.objects.filter(person=person).update(results=[]),
    }


def expired_applications(cutoff):
    """Rejected or withdrawn applications decided (or, if withdrawn undecided, made) before
    ``cutoff``; an application an enrolment rests on is never among them."""
    return (
        Application.objects.filter(
            status__in=[ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN]
        )
        .annotate(closed_at=Coalesce(F("decided_at"), F("submitted_at")))
        .filter(Q(closed_at__lt=cutoff), enrolment__isnull=True)
    )


register_part(
    "schemes",
    order=1,
    sections=sections,
    still_open=still_open,
    erase=erase,
    retention=(
        RetentionRule(
            "rejected_applications",
            "applications not accepted or withdrawn",
            Application,
            expired_applications,
        ),
    ),
)
