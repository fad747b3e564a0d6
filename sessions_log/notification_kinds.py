"""The messages about sessions: a session planned or changed (with its calendar file), the first
held session (complete the mentoring agreement), and the line manager's confirmation."""

from django.urls import NoReverseMatch, reverse

from mentoring.notifications import NotificationKind, register_kind
from sessions_log.calendar import attachment_for
from sessions_log.models import FormKind


def _session_link(notification):
    return {"link_path": reverse("session_detail", args=[notification.context["session_id"]])}


def _agreement_link(notification):
    """The agreement form's page where it exists; the mentorship's sessions otherwise."""
    mentorship_id = notification.context["mentorship_id"]
    try:
        path = reverse("form_response_new", args=[mentorship_id, FormKind.AGREEMENT])
    except NoReverseMatch:
        path = reverse("mentorship_sessions", args=[mentorship_id])
    return {"link_path": path}


def _confirmation_link(notification):
    return {
        "link_path": reverse(
            "employer_confirmation", args=[notification.context["confirmation_id"]]
        )
    }


for kind in (
    NotificationKind(
        code="session_planned",
        subject="Mentoring session on {when}",
        summary="{planned_by} planned a mentoring session on {when}.",
        build_context=_session_link,
        attachments=attachment_for,
    ),
    NotificationKind(
        code="session_changed",
        subject="Mentoring session changed: now {when}",
        summary="A mentoring session on {scheme} has changed: it is now on {when}.",
        build_context=_session_link,
        attachments=attachment_for,
    ),
    NotificationKind(
        code="session_first_held",
        subject="Your mentoring has started on {scheme}: agree how you will work",
        summary="Your first session on {scheme} is logged. Complete your mentoring agreement.",
        build_context=_agreement_link,
    ),
    NotificationKind(
        code="employer_confirmation_requested",
        subject="Please confirm {mentee}'s mentoring on {scheme}",
        summary="Confirm that {mentee}'s mentor has been in touch and protected time is agreed.",
        build_context=_confirmation_link,
    ),
):
    register_kind(kind)
