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
):
    register_kind(kind)
