from django.urls import reverse

from mentoring.notifications import NotificationKind, register_kind


def _application_link(notification):
    return {
        "link_path": reverse("application_detail", args=[notification.context["application_id"]])
    }


def _review_link(notification):
    return {
        "link_path": reverse(
            "admin:schemes_application_change", args=[notification.context["application_id"]]
        )
    }


def _enrolment_link(notification):
    if notification.context.get("is_the_mentor"):
        return {"link_path": reverse("home")}
    return {
        "link_path": reverse(
            "admin:schemes_enrolment_change", args=[notification.context["enrolment_id"]]
        )
    }


register_kind(
    NotificationKind(
        code="application_submitted",
        subject="New application to {scheme} from {applicant}",
        summary="{applicant} applied to {scheme} as a {role}.",
        build_context=_review_link,
    )
)
register_kind(
    NotificationKind(
        code="application_approved",
        subject="You are now a {role} on {scheme}",
        summary="Your application to {scheme} was approved.",
        build_context=_application_link,
    )
)
register_kind(
    NotificationKind(
        code="application_waitlisted",
        subject="Your application to {scheme}: approved, on the waiting list",
        summary="Your application to {scheme} was approved and is on the waiting list.",
        build_context=_application_link,
    )
)
register_kind(
    NotificationKind(
        code="application_rejected",
        subject="Your application to {scheme}",
        summary="Your application to {scheme} was not accepted this time.",
        build_context=_application_link,
    )
)
register_kind(
    NotificationKind(
        code="enrolment_paused",
        subject="Mentoring paused on {scheme}: {person}",
        summary="{person} no longer meets a rule of {scheme} and is paused.",
        build_context=_enrolment_link,
    )
)


def _reminder_link(notification):
    """The in-site page the reminder was recorded with."""
    return {"link_path": notification.link or reverse("home")}


register_kind(
    NotificationKind(
        code="eligibility_ending",
        subject="Your mentoring on {scheme}: eligibility ends on {until}",
        summary="Something your place on {scheme} depends on (a licence, registration or "
        "training) ends on {until}. Renew it and update your record before then.",
        essential=False,
        label="Warnings that your licence, registration or training is about to end",
        build_context=_reminder_link,
    )
)
register_kind(
    NotificationKind(
        code="eligibility_ending_coordinator",
        subject="{person}'s eligibility on {scheme} ends on {until}",
        summary="{person} will no longer meet a rule of {scheme} after {until} unless their "
        "record is updated.",
        digestible=True,
        build_context=_reminder_link,
    )
)
