"""The schemes' side of the scheduled reminders: which schemes' reminders may go at a moment, and
the eligibility warnings (the job ``warn-eligibility-ending``)."""

import datetime

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from mentoring.reminders import Job, Reminder, register_job
from schemes.models import (
    EligibilityCheck,
    Enrolment,
    ParticipantRole,
    ReminderPlan,
    Scheme,
    plan_for,
)
from schemes.selectors import coordinators_of


def local_moment(at: datetime.datetime) -> datetime.datetime:
    """``at`` in the UK's local time (Europe/London), whatever zone it came in."""
    return timezone.localtime(at)


def schemes_at(
    at: datetime.datetime, slug: str | None = None, *, gated: bool = True
) -> list[Scheme]:
    """The schemes running on ``at``'s date, each with its owner and reminder plan loaded
    (``plan_for`` then reads no row). With ``gated``, only those whose reminders may go at that
    hour: from the plan's ``send_from_hour`` (UK time) to the end of the day. One query."""
    local = local_moment(at)
    today = local.date()
    schemes = (
        Scheme.objects.filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("owner", "reminder_plan")
        .order_by("pk")
    )
    if slug is not None:
        schemes = schemes.filter(slug=slug)
    return [
        scheme
        for scheme in with_plans(schemes)
        if not gated or local.hour >= plan_for(scheme).send_from_hour
    ]


def with_plans(schemes) -> list[Scheme]:
    """The schemes (a queryset with ``reminder_plan`` selected), each with its plan — the
    defaults where it has none — where ``plan_for`` finds it without a query."""
    loaded = list(schemes)
    for scheme in loaded:
        try:
            scheme._reminder_plan = scheme.reminder_plan
        except ReminderPlan.DoesNotExist:
            scheme._reminder_plan = ReminderPlan(scheme=scheme)
    return loaded


class Coordinators:
    """Each scheme's coordinators, read once per scheme, and only for schemes where someone is
    told: a finder's queries grow with schemes, never with rows."""

    def __init__(self):
        self._by_scheme: dict[int, list] = {}

    def of(self, scheme: Scheme) -> list:
        if scheme.pk not in self._by_scheme:
            self._by_scheme[scheme.pk] = list(coordinators_of(scheme).order_by("pk"))
        return self._by_scheme[scheme.pk]


# warn-eligibility-ending ------------------------------------------------------------------------

# What a rule's result rests on, in the warning's words; any other rule is named by its title.
ENDING = {
    "gmc_full_with_licence": "GMC registration and licence to practise",
    "on_performers_list": "place on the Medical Performers List",
    "on_register": "professional registration",
    "mentoring_training": "mentoring training",
}


def what_ends(results: list[dict], until: datetime.date, whose: str) -> str:
    """What a stored check says ends on ``until`` (the enrolment's ``eligible_until``): its
    passing required results whose last day that is, e.g. "your mentoring training" (``whose``
    is "your" or a name's possessive). Empty when the check does not say — it was made before the dates on
    file changed (the nightly re-check moves ``eligible_until`` without storing a check)."""
    ending = []
    for result in results or []:
        if (
            result.get("result") == "passed"
            and result.get("severity") == "required"
            and result.get("valid_until") == until.isoformat()
        ):
            code = result.get("code")
            words = (
                f"{whose} {ENDING[code]}" if code in ENDING else f"the rule “{result.get('title')}”"
            )
            if words not in ending:
                ending.append(words)
    return " and ".join(ending)


def find_eligibility_ending(at: datetime.datetime, scheme_slug: str | None):
    """Current mentors (not left) whose eligibility ends within the plan's
    ``expiry_warning_days`` — ``eligible_until``, the last day every passing required result holds
    (a licence, registration or training expiry) — warn the person and each coordinator of the
    scheme, once per end date (the period): a renewal moves the date, so a later expiry is warned
    of again.

    Mentors only: theirs is the date the nightly re-check keeps current (``recheck_mentors``) and
    acts on (it pauses them the day after); a mentee's ``eligible_until`` is set once, at
    enrolment, and nothing follows from it, so a warning could be stale and would change nothing.

    The issue: "eligibility results expiring within 30 days (licence, training, registration): the
    person and the coordinator". GP scheme guidance: mentors must "hold full registration and a
    licence to practise with the General Medical Council". Dates already past are not warned of:
    the nightly re-check pauses the mentor and says why (``enrolment_paused``).
    """
    today = local_moment(at).date()
    schemes = schemes_at(at, scheme_slug)
    windows = {
        s.pk: today + datetime.timedelta(days=plan_for(s).expiry_warning_days) for s in schemes
    }
    if not windows:
        return
    latest_check = (
        EligibilityCheck.objects.filter(
            person=OuterRef("person"), scheme=OuterRef("scheme"), role=OuterRef("role")
        )
        .order_by("-checked_at", "-pk")
        .values("pk")[:1]
    )
    enrolments = [
        e
        for e in Enrolment.objects.filter(
            scheme__in=list(windows),
            role=ParticipantRole.MENTOR,
            left_on__isnull=True,
            eligible_until__gte=today,
            eligible_until__lte=max(windows.values()),
            person__user__is_active=True,
        )
        .select_related("person__user")
        .annotate(latest_check=Subquery(latest_check))
        .order_by("scheme_id", "pk")
        if e.eligible_until <= windows[e.scheme_id]
    ]
    if not enrolments:
        return
    results = dict(
        EligibilityCheck.objects.filter(
            pk__in=[e.latest_check for e in enrolments if e.latest_check]
        ).values_list("pk", "results")
    )
    by_pk = {s.pk: s for s in schemes}
    coordinators = Coordinators()
    for enrolment in enrolments:
        scheme = by_pk[enrolment.scheme_id]
        until = enrolment.eligible_until
        person = enrolment.person
        results_ = results.get(enrolment.latest_check, [])
        context = {
            "scheme": scheme.name,
            "person": person.full_name,
            "until": until.strftime("%-d %B %Y"),
            "paused_from": (until + datetime.timedelta(days=1)).strftime("%-d %B %Y"),
            "enrolment_id": enrolment.pk,
        }
        yield Reminder(
            kind="eligibility_ending",
            recipient=person.user,
            about=enrolment,
            period=until.isoformat(),
            context={**context, "what": what_ends(results_, until, "your")},
            link=reverse("my_details"),
            scheme=scheme,
        )
        for coordinator in coordinators.of(scheme):
            yield Reminder(
                kind="eligibility_ending_coordinator",
                recipient=coordinator,
                about=enrolment,
                period=until.isoformat(),
                context={**context, "what": what_ends(results_, until, f"{person.full_name}'s")},
                link=reverse("admin:schemes_enrolment_change", args=[enrolment.pk]),
                scheme=scheme,
            )


register_job(
    Job(
        name="warn-eligibility-ending",
        find=find_eligibility_ending,
        kinds=("eligibility_ending", "eligibility_ending_coordinator"),
    )
)
