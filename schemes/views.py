"""Scheme pages: the schemes open to apply to, a scheme's details and rules, the application form
and the applicant's verdict; the mentor register for coordinators; mentor profiles for mentees.

Who may see what: every signed-in user sees schemes and applies; an application is seen by its
applicant only (coordinators review in the admin); the register by the scheme's coordinators and
superusers; mentor profiles by the scheme's current mentees and its coordinators. Anyone else gets
a 404, so a page does not even say whether it exists.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from mentoring import roles
from mentoring.models import Person
from schemes import selectors, services
from schemes.filters import MentorRegisterFilter
from schemes.forms import ApplicationForm
from schemes.models import (
    Application,
    Enrolment,
    EnrolmentStatus,
    Intake,
    ParticipantRole,
    Scheme,
    Severity,
)
from schemes.models.enrolment import OPEN_APPLICATION
from schemes.rules import Outcome

PAGE_SIZE = 25
PROFILES_PAGE_SIZE = 20


# who may see what -------------------------------------------------------------------------------
def _own_person(user) -> Person | None:
    return Person.objects.filter(user=user).first()


def _coordinates(user, scheme: Scheme) -> bool:
    """A coordinator of the scheme's organisation (or above it), or a superuser."""
    return selectors.schemes_visible_to(user).filter(pk=scheme.pk).exists()


def _is_current_mentee(user, scheme: Scheme) -> bool:
    return Enrolment.objects.filter(
        scheme=scheme, role=ParticipantRole.MENTEE, left_on__isnull=True, person__user=user
    ).exists()


def _page(request, items, size):
    page = Paginator(items, size).get_page(request.GET.get("page"))
    return page, page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)


def _open_intakes(on_date: datetime.date) -> Prefetch:
    return Prefetch(
        "intakes",
        queryset=Intake.objects.filter(opens_on__lte=on_date, closes_on__gte=on_date).order_by(
            "closes_on"
        ),
        to_attr="open_intakes",
    )


def _roles_open(intakes) -> list[str]:
    open_to = {intake.role for intake in intakes}
    return [role for role in ParticipantRole.values if role in open_to or Intake.BOTH in open_to]


# the list of schemes ----------------------------------------------------------------------------
@login_required
@require_GET
def scheme_list(request):
    """Schemes taking applications today; the user's own applications and enrolments; for
    coordinators, the schemes they coordinate with links to their registers."""
    today = timezone.localdate()
    user = request.user
    person = _own_person(user)
    schemes = list(
        selectors.open_to_apply(today)
        .select_related("owner")
        .prefetch_related(_open_intakes(today))
        .order_by("name")
    )
    for scheme in schemes:
        scheme.roles_open = _roles_open(scheme.open_intakes)
    context = {"schemes": schemes, "person": person}
    if person is not None:
        context["applications"] = list(
            person.applications.select_related("scheme").order_by("-submitted_at")
        )
        context["enrolments"] = list(
            person.enrolments.select_related("scheme", "cohort").order_by(
                F("left_on").desc(nulls_first=True), "-joined_on", "pk"
            )
        )
    if user.is_superuser or roles.is_coordinator(user):
        context["coordinated"] = list(
            selectors.schemes_visible_to(user).select_related("owner").order_by("name")
        )
    return render(request, "schemes/scheme_list.html", context)


# one scheme -------------------------------------------------------------------------------------
@dataclass
class RoleOffer:
    """What a scheme asks of one role, and where the signed-in user stands with it."""

    role: str
    required_rules: list
    advisory_rules: list
    open_intake: Intake | None
    next_intake: Intake | None
    application: Application | None
    enrolment: Enrolment | None

    @property
    def label(self) -> str:
        return ParticipantRole(self.role).label.lower()


@login_required
@require_GET
def scheme_detail(request, slug):
    today = timezone.localdate()
    scheme = get_object_or_404(Scheme.objects.select_related("owner"), slug=slug)
    person = _own_person(request.user)
    rules = list(scheme.eligibility_rules.all())
    intakes = list(scheme.intakes.filter(closes_on__gte=today).order_by("opens_on", "closes_on"))
    applications, enrolments = {}, {}
    if person is not None:
        for application in Application.objects.filter(
            person=person, scheme=scheme, status__in=OPEN_APPLICATION
        ).order_by("submitted_at"):
            applications[application.role] = application
        for enrolment in Enrolment.objects.filter(
            person=person, scheme=scheme, left_on__isnull=True
        ):
            enrolments[enrolment.role] = enrolment
    offers = []
    for role in ParticipantRole.values:
        for_role = [i for i in intakes if i.role in (role, Intake.BOTH)]
        offers.append(
            RoleOffer(
                role=role,
                required_rules=[
                    r for r in rules if r.role == role and r.severity == Severity.REQUIRED
                ],
                advisory_rules=[
                    r for r in rules if r.role == role and r.severity != Severity.REQUIRED
                ],
                open_intake=next((i for i in for_role if i.is_open(today)), None),
                next_intake=next((i for i in for_role if i.opens_on > today), None),
                application=applications.get(role),
                enrolment=enrolments.get(role),
            )
        )
    cohorts = list(scheme.cohorts.all())
    coordinates = _coordinates(request.user, scheme)
    mentee = enrolments.get(ParticipantRole.MENTEE)
    return render(
        request,
        "schemes/scheme_detail.html",
        {
            "scheme": scheme,
            "cohorts": cohorts,
            "cohort_cadence": any(cohort.has_cadence() for cohort in cohorts),
            "intakes": intakes,
            "offers": offers,
            "today": today,
            "coordinates": coordinates,
            "sees_profiles": coordinates or mentee is not None,
        },
    )


# applying ---------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def apply(request, slug, role):
    if role not in ParticipantRole.values:
        raise Http404("No such role.")
    scheme = get_object_or_404(Scheme.objects.select_related("owner"), slug=slug)
    person = Person.objects.filter(user=request.user).select_related("organisation").first()
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        scheme=scheme,
        role=role,
        person=person,
    )
    if request.method == "POST" and form.is_valid():
        application = form.submit(user=request.user)
        if application is not None:
            messages.success(
                request,
                f"Your application to {scheme.name} has been sent to its coordinators.",
            )
            return redirect("application_detail", pk=application.pk)
    context = {"scheme": scheme, "role": role, "form": form, "person": person}
    if request.method == "GET":
        context.update(_why_not_apply(scheme, role, person))
    return render(request, "schemes/apply.html", context)


def _why_not_apply(scheme: Scheme, role: str, person: Person | None) -> dict:
    """What would make the service refuse an application now, to say so before the form is
    filled in (the service checks again when it is sent)."""
    found = {"closed": scheme.open_intake(role) is None}
    if person is not None:
        found["enrolment"] = services.current_enrolment(person=person, scheme=scheme, role=role)
        found["application"] = (
            Application.objects.filter(
                person=person, scheme=scheme, role=role, status__in=OPEN_APPLICATION
            )
            .order_by("-submitted_at")
            .first()
        )
    if found["closed"]:
        found["next_intake"] = (
            scheme.intakes.filter(opens_on__gt=timezone.localdate())
            .filter(role__in=[role, Intake.BOTH])
            .order_by("opens_on")
            .first()
        )
    return found


# an application and its verdict -----------------------------------------------------------------
RESULT_WORDS = {
    Outcome.PASSED: ("Passed", "nhsuk-tag--green"),
    Outcome.FAILED: ("Not met", "nhsuk-tag--red"),
    Outcome.UNKNOWN: ("Not known yet", "nhsuk-tag--yellow"),
}
STATUS_TAGS = {
    "submitted": "nhsuk-tag--blue",
    "waiting_list": "nhsuk-tag--yellow",
    "approved": "nhsuk-tag--green",
    "rejected": "nhsuk-tag--red",
    "withdrawn": "nhsuk-tag--grey",
}


@dataclass
class RuleLine:
    """One rule's result as the applicant reads it."""

    title: str
    outcome: str
    required: bool
    reason: str
    valid_until: datetime.date | None

    @property
    def result_words(self) -> str:
        return RESULT_WORDS.get(self.outcome, (self.outcome, ""))[0]

    @property
    def tag_class(self) -> str:
        return RESULT_WORDS.get(self.outcome, ("", "nhsuk-tag--grey"))[1]

    @property
    def unknown(self) -> bool:
        return self.outcome == Outcome.UNKNOWN

    @property
    def blocks(self) -> bool:
        return self.required and self.outcome != Outcome.PASSED

    @classmethod
    def from_json(cls, result: dict) -> "RuleLine":
        until = result.get("valid_until")
        return cls(
            title=result.get("title") or result.get("code", ""),
            outcome=result.get("result", ""),
            required=result.get("severity") == "required",
            reason=result.get("reason", ""),
            valid_until=datetime.date.fromisoformat(until) if until else None,
        )


@login_required
@require_GET
def application_detail(request, pk):
    application = get_object_or_404(
        Application.objects.select_related(
            "person", "scheme__owner", "cohort", "eligibility_check"
        ).prefetch_related("focus_areas"),
        pk=pk,
        person__user=request.user,
    )
    check = application.eligibility_check
    if application.status in OPEN_APPLICATION:
        # Still to be decided: the rules as they stand today, so a record a coordinator has
        # added since shows at once.
        verdict = services.verdict_for_application(application)
        results, eligible, checked_on = (
            [r.as_json() for r in verdict.rules],
            verdict.eligible,
            verdict.on_date,
        )
    elif check is not None:
        results, eligible, checked_on = check.results, check.eligible, check.on_date
    else:
        results, eligible, checked_on = None, None, None
    lines = [RuleLine.from_json(r) for r in results] if results is not None else None
    return render(
        request,
        "schemes/application_detail.html",
        {
            "application": application,
            "scheme": application.scheme,
            "status_tag": STATUS_TAGS.get(application.status, "nhsuk-tag--grey"),
            "rules": lines,
            "blocking": [line for line in lines or [] if line.blocks],
            "warnings": [
                line for line in lines or [] if not line.required and line.outcome != "passed"
            ],
            "any_unknown": any(line.unknown for line in lines or []),
            "eligible": eligible,
            "checked_on": checked_on,
            "is_open": application.status in OPEN_APPLICATION,
        },
    )


# for coordinators: the mentor register ----------------------------------------------------------
@login_required
@require_GET
def mentor_register(request, slug):
    scheme = get_object_or_404(
        selectors.schemes_visible_to(request.user).select_related("owner"), slug=slug
    )
    mentors = (
        selectors.with_capacity_left(
            Enrolment.objects.filter(scheme=scheme, role=ParticipantRole.MENTOR), scheme
        )
        .select_related("person__user", "person__organisation")
        .order_by("person__user__last_name", "person__user__first_name", "pk")
    )
    register = MentorRegisterFilter(request.GET, queryset=mentors)
    page, page_range = _page(request, register.qs, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "schemes/mentor_register.html",
        {
            "scheme": scheme,
            "filter": register,
            "form": register.form,
            "page": page,
            "page_range": page_range,
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "paused": EnrolmentStatus.PAUSED,
            "left": EnrolmentStatus.LEFT,
            "today": timezone.localdate(),
        },
    )


# for mentees: the mentors' published profiles ---------------------------------------------------
@login_required
@require_GET
def mentor_profiles(request, slug):
    scheme = get_object_or_404(Scheme.objects.select_related("owner"), slug=slug)
    if not (_is_current_mentee(request.user, scheme) or _coordinates(request.user, scheme)):
        raise Http404("No mentor profiles for you here.")
    mentors = (
        Enrolment.objects.filter(
            scheme=scheme,
            role=ParticipantRole.MENTOR,
            status=EnrolmentStatus.ACTIVE,
            left_on__isnull=True,
        )
        .exclude(person__profile="")
        .select_related("person__user")
        .prefetch_related("person__sectors", "person__focus_areas")
        .order_by("person__user__last_name", "person__user__first_name", "pk")
    )
    page, page_range = _page(request, mentors, PROFILES_PAGE_SIZE)
    return render(
        request,
        "schemes/mentor_profiles.html",
        {"scheme": scheme, "page": page, "page_range": page_range, "query": ""},
    )
