"""Session pages for mentors and mentees: a mentorship's sessions, planning and changing one,
logging what happened, the pair's session record, actions, a mentor's private notes, locking,
deleting, the calendar file — and the line manager's confirmation page.

Who may do what: the members of the mentorship see its sessions; its mentor plans, changes, logs,
locks and deletes them and records actions; either member writes the session record; a private
note is read only by the mentor who wrote it. Anyone else — another mentor or mentee, a
coordinator (who works in the admin), finance — gets a 404 for a page and a 403 for a post, and
nothing is saved. The confirmation page is for the mentee's line manager on record alone, and
shows only names, the scheme and dates.
"""

import datetime
from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from matching import selectors as matching_selectors
from matching.models import OPEN_MENTORSHIP, Mentorship, MentorshipMember
from mentoring import audit
from schemes.models import ParticipantRole
from sessions_log import cadence, calendar, services
from sessions_log.errors_sessions import SessionError
from sessions_log.forms_sessions import (
    ActionForm,
    EmployerConfirmationForm,
    LogForm,
    PrivateNoteForm,
    SessionForm,
)
from sessions_log.models import (
    Action,
    Attendance,
    EmployerConfirmation,
    MentoringSession,
    PrivateNote,
    SessionStatus,
)
from sessions_log.questions import ResponseForm, read_back

STATUS_TAGS = {
    SessionStatus.PLANNED: "nhsuk-tag--blue",
    SessionStatus.HELD: "nhsuk-tag--green",
    SessionStatus.CANCELLED: "nhsuk-tag--grey",
    SessionStatus.DID_NOT_ATTEND: "nhsuk-tag--orange",
}


def _deny(request, why: str):
    """A page someone may not see is not found; a post they may not make is forbidden."""
    if request.method == "POST":
        raise PermissionDenied(why)
    raise Http404(why)


def _members_qs():
    return MentorshipMember.objects.select_related(
        "enrolment__person__user", "enrolment__person__organisation"
    ).order_by("-role", "enrolment__person__user__last_name", "pk")


@dataclass
class Place:
    """A mentorship as one member sees it."""

    mentorship: Mentorship
    own: MentorshipMember

    @property
    def is_mentor(self) -> bool:
        return self.own.role == ParticipantRole.MENTOR

    @property
    def is_open(self) -> bool:
        return self.mentorship.status in OPEN_MENTORSHIP

    @property
    def others(self) -> list[MentorshipMember]:
        return [m for m in self.mentorship.members.all() if m.pk != self.own.pk]

    @property
    def other_names(self) -> str:
        names = [m.enrolment.person.full_name for m in self.others]
        return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def _place(request, mentorship_pk: int, *, mentor: bool = False) -> Place:
    found = matching_selectors.mentorship_seen_by(mentorship_pk, request.user)
    if found is None:
        _deny(request, "No such mentorship for you.")
    place = Place(mentorship=found[0], own=found[1])
    if mentor and not place.is_mentor:
        _deny(request, "Only the mentor may do this.")
    return place


def _session(request, pk: int, *, mentor: bool = False) -> tuple[MentoringSession, Place]:
    attendance = Attendance.objects.select_related("member__enrolment__person__user").order_by(
        "member__pk"
    )
    session = (
        MentoringSession.objects.select_related("mentorship__scheme")
        .prefetch_related(
            Prefetch("mentorship__members", queryset=_members_qs()),
            Prefetch("attendance", queryset=attendance),
        )
        .filter(pk=pk, mentorship__members__enrolment__person__user=request.user)
        .first()
    )
    if session is None:
        _deny(request, "No such session for you.")
    members = session.mentorship.members.all()
    own = next(m for m in members if m.enrolment.person.user_id == request.user.pk)
    place = Place(mentorship=session.mentorship, own=own)
    if mentor and not place.is_mentor:
        _deny(request, "Only the mentor may do this.")
    if not place.is_mentor and own.pk not in {a.member_id for a in session.attendance.all()}:
        _deny(request, "This group session was with someone else.")
    return session, place


def _locked_elsewhere(request, session: MentoringSession):
    """A locked session's change pages send the person back to it, saying why."""
    messages.error(
        request,
        f"This session is locked ({session.locked_reason.lower()}), so it cannot be changed or "
        "deleted.",
    )
    return redirect("session_detail", pk=session.pk)


def _with_words(session: MentoringSession) -> MentoringSession:
    session.tag_class = STATUS_TAGS.get(session.status, "nhsuk-tag--grey")
    session.ends_at = session.starts_at + datetime.timedelta(minutes=session.duration_minutes)
    return session


def _fields_only() -> FormHelper:
    """The questions' fields alone: the page draws the form tag, the error summary (above the
    heading) and its two buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.show_error_summary = False
    return helper


# a mentorship's sessions ------------------------------------------------------------------------
@login_required
@require_GET
def mentorship_sessions(request, pk):
    place = _place(request, pk)
    visible = MentoringSession.objects.filter(mentorship=place.mentorship)
    if not place.is_mentor:  # a group's mentee sees the sessions they were in
        visible = visible.filter(attendance__member=place.own)
    sessions = [_with_words(s) for s in visible.order_by("starts_at", "pk")]
    now = timezone.now()
    open_actions = list(
        Action.objects.filter(session__in=visible, done_on__isnull=True)
        .select_related("owner__enrolment__person__user", "session")
        .order_by("due_on", "pk")
    )
    return render(
        request,
        "sessions_log/sessions/mentorship_sessions.html",
        {
            "place": place,
            "mentorship": place.mentorship,
            "scheme": place.mentorship.scheme,
            "upcoming": [
                s for s in sessions if s.status == SessionStatus.PLANNED and s.starts_at >= now
            ],
            "to_log": [
                s for s in sessions if s.status == SessionStatus.PLANNED and s.starts_at < now
            ],
            "past": [s for s in reversed(sessions) if s.status != SessionStatus.PLANNED],
            "open_actions": open_actions,
            "may_complete": {
                a.pk for a in open_actions if place.is_mentor or a.owner_id == place.own.pk
            },
            "due": cadence.next_due_for(place.mentorship),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_plan(request, pk):
    place = _place(request, pk, mentor=True)
    if not place.is_open:
        raise Http404("This mentorship has ended.")
    form = SessionForm(
        request.POST if request.method == "POST" else None, mentorship=place.mentorship
    )
    if request.method == "POST" and form.is_valid():
        session = form.save(user=request.user)
        if session is not None:
            messages.success(
                request,
                f"Session planned. We have emailed {place.other_names} with a calendar file.",
            )
            return redirect("session_detail", pk=session.pk)
    return render(
        request,
        "sessions_log/sessions/session_form.html",
        {"place": place, "mentorship": place.mentorship, "form": form, "session": None},
    )


# one session ------------------------------------------------------------------------------------
@login_required
@require_GET
def session_detail(request, pk):
    session, place = _session(request, pk)
    _with_words(session)
    record = services.session_record_of(session)
    answers = read_back(record.template.questions, None, record.answers) if record else []
    if record is not None:
        audit.record_view(request, record, "session record", person=record.author_id)
    earlier = MentoringSession.objects.filter(
        mentorship=session.mentorship, starts_at__lt=session.starts_at
    )
    if not place.is_mentor:
        earlier = earlier.filter(attendance__member=place.own)
    carried = list(
        Action.objects.filter(session__in=earlier, done_on__isnull=True)
        .select_related("owner__enrolment__person__user", "session")
        .order_by("due_on", "pk")
    )
    actions = list(
        Action.objects.filter(session=session).select_related("owner__enrolment__person__user")
    )
    note = None
    if place.is_mentor:
        note = PrivateNote.objects.filter(session=session, author__user=request.user).first()
    return render(
        request,
        "sessions_log/sessions/session_detail.html",
        {
            "session": session,
            "place": place,
            "mentorship": session.mentorship,
            "scheme": session.mentorship.scheme,
            "record": record,
            "record_answers": answers,
            "record_template": services.record_template(session) if record is None else None,
            "carried": carried,
            "actions": actions,
            "note": note,
            "lifts_own_lock": session.locked_reason == services.MENTOR_LOCK,
            "may_complete": {
                a.pk for a in [*carried, *actions] if place.is_mentor or a.owner_id == place.own.pk
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    session, place = _session(request, pk, mentor=True)
    if session.is_locked and request.method == "GET":
        return _locked_elsewhere(request, session)
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        mentorship=session.mentorship,
        session=session,
    )
    if request.method == "POST" and form.is_valid() and form.save(user=request.user):
        messages.success(request, "The session has been changed.")
        return redirect("session_detail", pk=session.pk)
    return render(
        request,
        "sessions_log/sessions/session_form.html",
        {"place": place, "mentorship": session.mentorship, "form": form, "session": session},
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_log(request, pk):
    session, place = _session(request, pk, mentor=True)
    if session.is_locked and request.method == "GET":
        return _locked_elsewhere(request, session)
    form = LogForm(request.POST if request.method == "POST" else None, session=session)
    if request.method == "POST" and form.is_valid():
        logged = form.save(user=request.user)
        if logged is not None:
            if logged.status == SessionStatus.HELD:
                messages.success(
                    request, "The session is logged as held. Now complete the session record."
                )
                return redirect("session_record", pk=session.pk)
            messages.success(request, f"The session is logged as {logged.get_status_display()}.")
            return redirect("session_detail", pk=session.pk)
    return render(
        request,
        "sessions_log/sessions/session_log.html",
        {"session": _with_words(session), "place": place, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_record(request, pk):
    """The pair's shared session record: a draft at any time (the planned agenda beforehand),
    completed once the session is held."""
    session, place = _session(request, pk)
    if session.is_locked and request.method == "GET":
        return _locked_elsewhere(request, session)
    record = services.session_record_of(session)
    template = record.template if record else services.record_template(session)
    form = None
    if template is not None:
        submitting = request.method == "POST" and (
            "submit" in request.POST
            or (record is not None and record.status == record.Status.SUBMITTED)
        )
        form = ResponseForm(
            request.POST if request.method == "POST" else None,
            questions=template.questions,
            role=place.own.role,
            submitting=submitting,
            initial=dict(record.answers) if record else None,
        )
        form.helper = _fields_only()
        if request.method == "POST" and form.is_valid():
            try:
                saved = services.save_session_record(
                    session=session, by=request.user, answers=form.answers, submit=submitting
                )
            except SessionError as refusal:
                form.add_error(None, refusal.message)
            else:
                done = saved.status == saved.Status.SUBMITTED
                messages.success(
                    request,
                    "The session record is saved and completed."
                    if done
                    else "The session record is saved as a draft.",
                )
                return redirect("session_detail", pk=session.pk)
    return render(
        request,
        "sessions_log/sessions/session_record.html",
        {
            "session": _with_words(session),
            "place": place,
            "record": record,
            "template": template,
            "form": form,
            "may_submit": session.status == SessionStatus.HELD,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_action_new(request, pk):
    session, place = _session(request, pk, mentor=True)
    if session.is_locked and request.method == "GET":
        return _locked_elsewhere(request, session)
    form = ActionForm(request.POST if request.method == "POST" else None, session=session)
    if request.method == "POST" and form.is_valid() and form.save(user=request.user):
        messages.success(request, "The action has been added.")
        return redirect("session_detail", pk=session.pk)
    return render(
        request,
        "sessions_log/sessions/action_form.html",
        {"session": _with_words(session), "place": place, "form": form},
    )


@login_required
@require_POST
def session_action_done(request, pk):
    action = (
        Action.objects.select_related("session__mentorship")
        .filter(pk=pk, session__mentorship__members__enrolment__person__user=request.user)
        .first()
    )
    if action is None:
        raise PermissionDenied("No such action for you.")
    try:
        services.complete_action(action=action, by=request.user)
    except SessionError as refusal:
        raise PermissionDenied(refusal.message) from None
    messages.success(request, "The action is marked as done.")
    back = request.POST.get("back", "")
    if back == "mentorship":
        return redirect("mentorship_sessions", pk=action.session.mentorship_id)
    target = int(back) if back.isdigit() else action.session_id
    if not MentoringSession.objects.filter(
        pk=target, mentorship_id=action.session.mentorship_id
    ).exists():
        target = action.session_id
    return redirect("session_detail", pk=target)


@login_required
@require_http_methods(["GET", "POST"])
def session_private_note(request, pk):
    session, place = _session(request, pk, mentor=True)
    note = PrivateNote.objects.filter(session=session, author__user=request.user).first()
    form = PrivateNoteForm(
        request.POST if request.method == "POST" else None,
        session=session,
        initial={"text": note.text if note else ""},
    )
    if request.method == "POST" and form.is_valid() and form.save(user=request.user):
        messages.success(request, "Your private notes are saved.")
        return redirect("session_detail", pk=session.pk)
    return render(
        request,
        "sessions_log/sessions/private_note.html",
        {"session": _with_words(session), "place": place, "form": form},
    )


@login_required
@require_POST
def session_lock(request, pk):
    session, _ = _session(request, pk, mentor=True)
    try:
        services.lock_session(session=session, by=request.user)
    except SessionError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "The session is locked: it can no longer be changed.")
    return redirect("session_detail", pk=session.pk)


@login_required
@require_POST
def session_unlock(request, pk):
    session, _ = _session(request, pk, mentor=True)
    try:
        services.unlock_session(session=session, by=request.user)
    except SessionError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "The session is unlocked.")
    return redirect("session_detail", pk=session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_delete(request, pk):
    session, place = _session(request, pk, mentor=True)
    if session.is_locked and request.method == "GET":
        return _locked_elsewhere(request, session)
    error = None
    if request.method == "POST":
        try:
            services.delete_session(session=session, by=request.user)
        except SessionError as refusal:
            error = refusal.message
        else:
            messages.success(request, "The session has been deleted.")
            return redirect("mentorship_sessions", pk=session.mentorship_id)
    return render(
        request,
        "sessions_log/sessions/session_delete.html",
        {"session": _with_words(session), "place": place, "error": error},
    )


@login_required
@require_GET
def session_calendar(request, pk):
    session, _ = _session(request, pk)
    response = HttpResponse(
        calendar.session_ics(session), content_type=f"{calendar.MIMETYPE}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{calendar.filename_of(session)}"'
    return response


# the line manager's confirmation ----------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def employer_confirmation(request, pk):
    confirmation = (
        EmployerConfirmation.objects.select_related("mentorship__scheme", "line_manager")
        .prefetch_related(Prefetch("mentorship__members", queryset=_members_qs()))
        .filter(pk=pk, line_manager__user=request.user)
        .first()
    )
    if confirmation is None:
        _deny(request, "No such confirmation for you.")
    mentorship = confirmation.mentorship
    form = EmployerConfirmationForm(
        request.POST if request.method == "POST" else None, confirmation=confirmation
    )
    if request.method == "POST" and form.is_valid() and form.save(user=request.user):
        messages.success(request, "Thank you. Your confirmation has been recorded.")
        return redirect("employer_confirmation", pk=confirmation.pk)
    first_session = (
        MentoringSession.objects.filter(mentorship=mentorship)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    members = list(mentorship.members.all())
    return render(
        request,
        "sessions_log/sessions/employer_confirmation.html",
        {
            "confirmation": confirmation,
            "scheme": mentorship.scheme,
            "mentorship": mentorship,
            "mentors": [m for m in members if m.role == ParticipantRole.MENTOR],
            "mentees": [m for m in members if m.role == ParticipantRole.MENTEE],
            "first_session": first_session,
            "form": form,
        },
    )
