"""A person's own reflections as a PDF, to keep for their PDP or appraisal (WeasyPrint).

It holds what they wrote themselves — agendas, post-session reflections, a mentor's session
structures — and the development plans agreed in their mentorships, each against the template
version it was written on: title, date, then each question with its answer. Only submitted forms,
and only what ``sessions_log.visibility`` lets them read. Nothing is fetched from outside while
rendering (answers are text, escaped by the template).
"""

import logging

from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from matching.models import MentorshipMember
from sessions_log import responses, visibility
from sessions_log.forms_forms import session_label
from sessions_log.models import FormKind, FormResponse
from sessions_log.questions import read_back

OWN_KINDS = (FormKind.PRE_SESSION, FormKind.POST_SESSION, FormKind.MENTOR_STRUCTURE)


def reflections_of(user) -> list[FormResponse]:
    member = MentorshipMember.objects.filter(
        mentorship=OuterRef("mentorship"), enrolment__person__user=user
    )
    wanted = Q(author__user=user, template__kind__in=OWN_KINDS) | Q(
        Exists(member), template__kind=FormKind.DEVELOPMENT_PLAN
    )
    return list(
        visibility.readable_by(
            user,
            responses.with_context()
            .filter(wanted, status=FormResponse.Status.SUBMITTED)
            .order_by("submitted_at", "pk"),
        )
    )


def _entry(user, response: FormResponse) -> dict:
    others = []
    if response.mentorship_id:
        others = [
            f"{m.enrolment.person.full_name} ({m.get_role_display().lower()})"
            for m in response.mentorship.members.all()
            if m.enrolment.person.user_id != user.pk
        ]
    return {
        "response": response,
        "title": response.template.title,
        "version": response.template.version,
        "submitted_on": timezone.localtime(response.submitted_at),
        "scheme": response.mentorship.scheme.name if response.mentorship_id else "",
        "with": ", ".join(others),
        "session": session_label(response.session) if response.session_id else "",
        "author": response.author.full_name,
        "rows": read_back(
            response.template.questions, responses.questions_role(response), response.answers
        ),
    }


def reflections_html(*, user) -> str:
    entries = [_entry(user, r) for r in reflections_of(user)]
    return render_to_string(
        "sessions_log/forms/reflections_pdf.html",
        {
            "entries": entries,
            "name": user.get_full_name() or user.email,
            "made_on": timezone.localdate(),
        },
    )


def _fetch_nothing(url, *args, **kwargs):
    raise ValueError(f"The reflections PDF fetches nothing ({url[:40]}).")


def reflections_pdf(*, user) -> bytes:
    # Imported here: WeasyPrint parses its stylesheets on import, logging each step at INFO,
    # which every process would otherwise print on start. Its step-by-step log is not wanted.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML

    return HTML(string=reflections_html(user=user), url_fetcher=_fetch_nothing).write_pdf()
