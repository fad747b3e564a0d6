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


# reminders (reimbursement.reminders) ------------------------------------------------------------
def _reminder_link(notification):
    """The in-site page the reminder was recorded with (the claim form, a payment run)."""
    return {"link_path": notification.link or "/"}


for kind in (
    NotificationKind(
        code="week_unclaimed",
        subject="You have not claimed for {how_many} of mentoring on {scheme}",
        summary="You have not claimed for {how_many} of mentoring on {scheme}, the latest "
        "beginning {latest}. Claim for each week you held a session.",
        essential=False,
        label="Reminders about weeks of mentoring you have not claimed for",
        build_context=_reminder_link,
    ),
    NotificationKind(
        code="claims_cut_off",
        subject="Claim for your {month} mentoring by {closes}",
        summary="You held mentoring on {scheme} in {month} and have not claimed for "
        "{how_many} of it. Claim by {closes}.",
        essential=False,
        label="Reminders that the month's claims close soon",
        build_context=_reminder_link,
    ),
    NotificationKind(
        code="payment_run_built",
        subject="Payment run {reference} is ready to review: £{amount}",
        summary="The draft payment run {reference} of {organisation} for {month} makes "
        "{payments}, £{amount} in all. Review it and approve it.",
        digestible=True,
        build_context=_reminder_link,
    ),
):
    register_kind(kind)
