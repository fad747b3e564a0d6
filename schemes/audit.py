"""The changes of schemes, their rules and rates, applications and enrolments that the audit
keeps (see ``mentoring.audit_changes`` for what is never kept).

Applicants' statements (motivation, plan, hopes), the coordinator's feedback and reasons for
leaving, pausing or not recovering a training cost (ill health, say) are excluded: an entry says
such a field changed, never what it says. Eligibility checks are not tracked: the nightly job
writes them in bulk and each is already a dated, never-edited record.
"""

from mentoring.audit_changes import extend_audit_scope, track
from schemes.models import (
    Application,
    Cohort,
    EligibilityRule,
    Enrolment,
    Intake,
    Rate,
    RateCard,
    ReminderPlan,
    Scheme,
)


def _schemes_in_scope(user):
    from mentoring.scoping import organisation_q

    q = organisation_q(user, prefix="owner__")
    schemes = Scheme.objects.all() if q is None else Scheme.objects.filter(q)
    return schemes.values("pk")


track(Scheme, scope={"scheme": "pk", "organisation": "owner_id"})
for model in (Cohort, Intake, ReminderPlan, EligibilityRule, RateCard):
    track(model, scope={"scheme": "scheme_id"})
track(Rate)
track(
    Application,
    exclude=("motivation", "mentoring_plan", "hopes", "feedback", "how_to_reapply"),
    m2m=("focus_areas",),
    scope={"person": "person_id", "scheme": "scheme_id"},
)
track(
    Enrolment,
    exclude=("leave_reason", "pause_reason", "recovery_exemption"),
    scope={"person": "person_id", "scheme": "scheme_id"},
)
extend_audit_scope("scheme", _schemes_in_scope)
