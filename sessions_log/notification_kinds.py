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


# --- the scheduled reminders (sessions_log.reminders) ------------------------------------------
def _stored_link(notification):
    """Reminders carry their link, made when they were found (``Reminder.link``)."""
    return {"link_path": notification.link}


for kind in (
    NotificationKind(
        code="employer_confirmation_reminder",
        subject="Reminder: please confirm {mentee}'s mentoring on {scheme}",
        summary="{mentee}'s mentoring on {scheme}: please confirm {outstanding}.",
        essential=False,
        label="Reminders to confirm a mentee's mentoring, as their line manager",
        build_context=_stored_link,
    ),
    NotificationKind(
        code="employer_not_confirmed",
        subject="Not confirmed by the employer: {mentee}'s mentoring on {scheme}",
        summary="Nobody has confirmed {outstanding} for {mentee}'s mentoring on {scheme}.",
        digestible=True,
        build_context=_stored_link,
    ),
    NotificationKind(
        code="agenda_reminder",
        subject="Plan your agenda for your mentoring session on {when}",
        summary="Prepare your pre-session agenda for your session on {when}.",
        essential=False,
        label="Reminders to prepare your agenda before a session",
        build_context=_stored_link,
    ),
    NotificationKind(
        code="reflection_reminder",
        subject="Reflect on your mentoring session of {day}",
        summary="Write your reflection on your mentoring session of {day}.",
        essential=False,
        label="Reminders to write your reflection after a session",
        build_context=_stored_link,
    ),
    NotificationKind(
        code="session_record_reminder",
        subject="Complete the session record for your mentoring session of {day}",
        summary="Complete the session record of your session with {mentees} on {day}.",
        essential=False,
        label="Reminders to complete the session record after a session",
        build_context=_stored_link,
    ),
    NotificationKind(
        code="session_overdue",
        subject="Your next mentoring session on {scheme} is overdue",
        summary="Your next session with {others} was due by {due_on}. Plan it now.",
        essential=False,
        label="Reminders when your next mentoring session is overdue",
        build_context=_stored_link,
    ),
    NotificationKind(
        code="pair_overdue",
        subject="Overdue: {names} on {scheme} have not met since {last_met}",
        summary="{names}: next session due by {due_on}, {days_overdue} days overdue, none planned.",
        digestible=True,
        build_context=_stored_link,
    ),
):
    register_kind(kind)
