from django.urls import reverse

from mentoring.notifications import NotificationKind, register_kind


def _mentorship_link(notification):
    return {"link_path": reverse("mentorship_detail", args=[notification.context["mentorship_id"]])}


def _admin_link(model: str, key: str):
    def build(notification):
        return {
            "link_path": reverse(f"admin:matching_{model}_change", args=[notification.context[key]])
        }

    return build


def _shortlist_link(notification):
    return {"link_path": reverse("shortlist", args=[notification.context["scheme_slug"]])}


def _mentorships_admin(notification):
    return {"link_path": reverse("admin:matching_mentorship_changelist") + "?needs_rematch=1"}


for kind in (
    NotificationKind(
        code="mentorship_proposed",
        subject="Your mentoring match on {scheme}",
        summary="You have been matched on {scheme} with {others}.",
        build_context=_mentorship_link,
    ),
    NotificationKind(
        code="mentorship_ended",
        subject="A mentorship on {scheme} has ended",
        summary="Your mentorship on {scheme} has ended.",
        build_context=_mentorship_link,
    ),
    NotificationKind(
        code="rematch_requested",
        subject="Confidential: {mentee} asked for a different mentor on {scheme}",
        summary="{mentee} asked for a different mentor on {scheme}.",
        build_context=_admin_link("rematchrequest", "request_id"),
    ),
    NotificationKind(
        code="choose_again",
        subject="Choose a mentor on {scheme}",
        summary="Choose a mentor from your shortlist on {scheme}.",
        build_context=_shortlist_link,
    ),
    NotificationKind(
        code="no_mentor_available",
        subject="No mentor left for {mentee} on {scheme}",
        summary="No available mentor could be offered to {mentee} on {scheme}.",
        build_context=_mentorships_admin,
    ),
    NotificationKind(
        code="mentees_need_rematch",
        subject="{mentor}'s mentees on {scheme} need a new mentor",
        summary="{mentor} left or was paused: {count} mentorships need rematching.",
        build_context=_mentorships_admin,
    ),
    NotificationKind(
        code="conflict_flagged",
        subject="Conflict of interest in a mentorship on {scheme}",
        summary="{reason}",
        build_context=_admin_link("mentorship", "mentorship_id"),
    ),
    # The scheduled reminders (matching/reminders.py) ------------------------------------------
    NotificationKind(
        code="proposal_unanswered",
        subject="Please accept or decline your mentoring match on {scheme}",
        summary="You have not yet answered your match with {others} on {scheme}. "
        "Please answer by {deadline}.",
        essential=False,
        label="Reminders to answer a mentoring match",
        build_context=_mentorship_link,
    ),
    NotificationKind(
        code="proposal_lapsed",
        subject="Your mentoring match on {scheme} has ended: it was not answered in time",
        summary="You did not answer your match with {mentees} on {scheme} within {days} days, "
        "so it has ended.",
        build_context=_mentorship_link,
    ),
    NotificationKind(
        code="proposal_lapsed_coordinator",
        subject="Match not answered on {scheme}: {mentors} did not reply to {mentees}",
        summary="{mentors} did not answer the match with {mentees} within {days} days, so it "
        "has ended and the next choice of mentor is being offered.",
        digestible=True,
        build_context=_admin_link("mentorship", "mentorship_id"),
    ),
    NotificationKind(
        code="proposal_unanswered_coordinator",
        subject="Match still not answered on {scheme}: {waiting_on}",
        summary="{waiting_on} has not answered the match of {mentors} with {mentees}, proposed "
        "on {proposed_on}.",
        digestible=True,
        build_context=_admin_link("mentorship", "mentorship_id"),
    ),
    NotificationKind(
        code="contact_your_mentee",
        subject="Please contact {mentees} to arrange your first mentoring meeting",
        summary="Get in touch with {mentees} on {scheme} and agree your first meeting.",
        essential=False,
        label="Reminders to contact a new mentee",
        build_context=_mentorship_link,
    ),
    NotificationKind(
        code="no_first_meeting",
        subject="You have not yet had a first meeting with {mentees}",
        summary="No first meeting with {mentees} on {scheme} is recorded since the match on "
        "{proposed_on}. Please arrange one.",
        essential=False,
        label="Reminders when a new pair has not yet met",
        build_context=_mentorship_link,
    ),
    NotificationKind(
        code="no_first_meeting_coordinator",
        subject="No first meeting yet on {scheme}: {mentors} and {mentees}",
        summary="{mentors} and {mentees} were matched on {proposed_on} and have not recorded a "
        "first meeting.",
        digestible=True,
        build_context=_admin_link("mentorship", "mentorship_id"),
    ),
):
    register_kind(kind)
