"""The home page (what each role can do so far) and a person's own register entry."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mentoring import roles, scoping
from mentoring.models import (
    Invitation,
    Person,
    Role,
    RoleAssignment,
    TrainingRecord,
    WorkingRelationship,
)


@require_GET
def home(request):
    """One section per thing the user is: coordinator, finance, on the register, superuser."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "mentoring/home/anonymous.html")

    is_coordinator = roles.is_coordinator(user)
    is_finance = roles.is_finance(user)
    person = Person.objects.filter(user=user).select_related("organisation").first()
    context = {
        "person": person,
        "is_coordinator": is_coordinator,
        "is_finance": is_finance,
        "no_role": person is None and not (is_coordinator or is_finance or user.is_superuser),
    }
    if is_coordinator:
        people = scoping.people_visible_to(user)
        context["coordinator"] = {
            "people": people.count(),
            "invitations_waiting": Invitation.objects.filter(
                accepted_at__isnull=True, user__person__in=people
            ).count(),
            "organisations": scoping.organisations_visible_to(user).count(),
        }
    if is_finance:
        context["finance_organisations"] = [
            assignment.organisation
            for assignment in RoleAssignment.objects.filter(user=user, role=Role.FINANCE)
            .select_related("organisation")
            .order_by("organisation__name")
        ]
    return render(request, "mentoring/home/signed_in.html", context)


def own_person(user) -> Person | None:
    """The user's register entry with everything the page shows, in a fixed number of queries."""
    return (
        Person.objects.filter(user=user)
        .select_related("user", "organisation")
        .prefetch_related(
            "sectors",
            "scopes_of_practice",
            "focus_areas",
            "registrations",
            Prefetch(
                "training_records",
                queryset=TrainingRecord.objects.select_related("funded_by").order_by("-date"),
            ),
            Prefetch(
                "supervising",
                queryset=WorkingRelationship.objects.select_related("supervisee__user").order_by(
                    "-start_date"
                ),
            ),
            Prefetch(
                "supervised_by",
                queryset=WorkingRelationship.objects.select_related("supervisor__user").order_by(
                    "-start_date"
                ),
            ),
        )
        .first()
    )


@login_required
@require_GET
def my_details(request):
    return render(
        request,
        "mentoring/my_details.html",
        {
            "person": own_person(request.user),
        },
    )
