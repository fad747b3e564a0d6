"""The messages about claims — approved (with the amount) or not accepted (with the reason) —
and about payment: a run that pays the mentor is approved, their remittance is ready."""

from django.urls import NoReverseMatch, reverse

from mentoring.notifications import NotificationKind, register_kind


def _claim_link(notification):
    try:
        return {"link_path": reverse("claim_detail", args=[notification.context["claim_id"]])}
    except NoReverseMatch:
        return {"link_path": "/"}


def _remittances_link(notification):
    try:
        return {"link_path": reverse("my_remittances")}
    except NoReverseMatch:
        return {"link_path": "/"}


for kind in (
    NotificationKind(
        code="claim_approved",
        subject="Your claim for {what} is approved: £{amount}",
        summary="Your claim on {scheme} for {what} is approved (£{amount}). It will be paid in "
        "the next monthly payment run.",
        build_context=_claim_link,
    ),
    NotificationKind(
        code="claim_rejected",
        subject="Your claim for {what} was not accepted",
        summary="Your claim on {scheme} for {what} was not accepted: {reason}",
        build_context=_claim_link,
    ),
    NotificationKind(
        code="remittance_ready",
        subject="Your mentoring payment for {month}: £{amount}",
        summary="{organisation} has approved payment run {reference}: £{amount} to you. Your "
        "remittance advice is ready to download.",
        build_context=_remittances_link,
    ),
):
    register_kind(kind)
