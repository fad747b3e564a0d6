"""The mentor's claim pages: their claims, making one, and one claim with what it carries.

Everyone signed in may open their claims (an empty list, saying why, for someone who is not a
mentor on a paying scheme); only a mentor on a scheme that pays may make one (anyone else gets a
403, with a page saying why); a claim's page is its claimant's alone — anyone else, coordinators
included (they decide claims in the admin), gets a 404.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods

from mentoring import audit
from mentoring.models import Person
from reimbursement import claims, selectors
from reimbursement.forms import ClaimForm, schemes_to_claim_on
from reimbursement.models import Claim, ClaimStatus, ClaimUnit
from schemes.models import ClaimUnit as SchemeUnit

STATUS_TAGS = {
    ClaimStatus.SUBMITTED: "nhsuk-tag--blue",
    ClaimStatus.APPROVED: "nhsuk-tag--green",
    ClaimStatus.REJECTED: "nhsuk-tag--red",
    ClaimStatus.PAID: "nhsuk-tag--purple",
}


def _person(user) -> Person | None:
    return Person.objects.filter(user=user).first()


def _remittances_url() -> str | None:
    """The remittances page, once it exists."""
    try:
        return reverse("my_remittances")
    except NoReverseMatch:
        return None


def _with_words(claim: Claim) -> Claim:
    """What the pages say about a claim: its label, its tag, and the run that pays it."""
    claim.label = claims.claim_label(claim)
    claim.tag_class = STATUS_TAGS.get(claim.status, "nhsuk-tag--grey")
    item = getattr(claim, "payment", None)  # the reverse one-to-one raises when there is none
    claim.run = item.run if item is not None else None
    return claim


@login_required
@require_GET
def my_claims(request):
    person = _person(request.user)
    found = [
        _with_words(c) for c in selectors.claims_of(request.user).select_related("training_record")
    ]
    return render(
        request,
        "reimbursement/claims/my_claims.html",
        {
            "claims": found,
            "may_claim": bool(schemes_to_claim_on(person)),
            "remittances_url": _remittances_url(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request):
    person = _person(request.user)
    schemes = schemes_to_claim_on(person)
    if not schemes:
        if request.method == "POST":
            raise PermissionDenied("Not a mentor on a scheme that pays.")
        return render(request, "reimbursement/claims/cannot_claim.html", status=403)
    checking = request.method == "POST" and "check_week" in request.POST
    form = ClaimForm(
        request.POST if request.method == "POST" else None,
        person=person,
        schemes=schemes,
        checking=checking,
    )
    if request.method == "POST" and form.is_valid() and not checking:
        claim = form.save(by=request.user)
        if claim is not None:
            messages.success(
                request,
                f"Your claim for {claims.claim_label(claim)} is sent. A coordinator of "
                f"{claim.scheme.name} will check it; we will tell you when it is decided.",
            )
            return redirect("claim_detail", pk=claim.pk)
    week = form.week_to_show()
    held = None
    if week is not None:
        held = list(claims.sessions_held_in_week(person, *week))
    return render(
        request,
        "reimbursement/claims/claim_form.html",
        {
            "form": form,
            "schemes": schemes,
            "weekly": any(s.rate_card.claim_unit == SchemeUnit.WEEK for s in schemes),
            "week": week[1] if week else None,
            "week_caption": f"Sessions you held in the week beginning {week[1]:%-d %B %Y}"
            if week
            else "",
            "held": held,
        },
    )


@login_required
@require_GET
def claim_detail(request, pk):
    claim = (
        Claim.objects.filter(pk=pk, person__user=request.user)
        .select_related("scheme", "session", "training_record", "rate", "payment__run")
        .prefetch_related("sessions")
        .first()
    )
    if claim is None:
        raise Http404("No such claim of yours.")
    audit.record_view(request, claim, "claim", person=claim.person_id)
    _with_words(claim)
    if claim.unit == ClaimUnit.MEETING:
        carried = [claim.session] if claim.session_id else []
    else:
        carried = sorted(claim.sessions.all(), key=lambda s: s.starts_at)
    return render(
        request,
        "reimbursement/claims/claim_detail.html",
        {
            "claim": claim,
            "carried": carried,
            "week_ends": claim.period_start + datetime.timedelta(days=6),
            "remittances_url": _remittances_url(),
        },
    )
