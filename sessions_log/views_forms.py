"""Pages for the forms mentors and mentees fill in: a mentorship's forms, a new response, editing
(draft or submitted), reading one, sharing a reflection with the mentor and taking it back, the
surveys, and "My reflections and forms" with its PDF.

Who reads what is ``sessions_log.visibility`` alone: a response anyone may not read is a 404 — the
page does not even say it exists — and 404 pages never echo what a form says. Writes go through
``sessions_log.responses``; a refusal becomes an error by the field or a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from matching import selectors as matching_selectors
from matching.models import MentorshipMember
from mentoring import audit
from mentoring.models import Notification
from mentoring.notifications import about_key
from schemes.models import Enrolment
from sessions_log import pdf, responses, visibility
from sessions_log.errors_responses import ResponseError, ResponseRefusal
from sessions_log.form_templates import current_template
from sessions_log.forms_forms import QuestionsForm, sessions_for
from sessions_log.models import FormKind, FormResponse, FormTemplate, Readers
from sessions_log.questions import read_back
from sessions_log.responses import (
    MENTORSHIP_FORMS,
    PAIR_FORMS,
    SESSION_FORMS,
    SURVEY_NOTIFICATIONS,
    SURVEYS,
)

Status = FormResponse.Status
ACTIONS = ("submit", "draft")


READERS_WORDS = {
    Readers.AUTHOR: "Only you can read this. Once you have submitted it you can choose to share "
    "it with your mentor, and stop sharing it at any time.",
    Readers.PAIR: "The mentor and mentee of this mentorship can read and change this. Nobody "
    "else can read it.",
    Readers.PAIR_AND_COORDINATORS: "The mentor and mentee of this mentorship and the scheme's "
    "coordinators can read this.",
    Readers.COORDINATORS_AGGREGATE: "Only you can read your answers. The scheme's coordinators "
    "see only figures from everyone's answers put together, never yours on their own.",
}


def who_reads(readers: str) -> str:
    return READERS_WORDS.get(readers, "")


def _readable_or_404(request, pk) -> FormResponse:
    found = visibility.readable_by(request.user, responses.with_context().filter(pk=pk)).first()
    if found is None:
        raise Http404("No such form for you.")
    return found


def _place_or_404(request, mentorship_id):
    found = matching_selectors.mentorship_seen_by(mentorship_id, request.user)
    if found is None:
        raise Http404("No such mentorship for you.")
    return found


def _kind_or_404(kind: str, allowed) -> str:
    if kind not in allowed:
        raise Http404("No such form.")
    return kind


def _action(request) -> str:
    action = request.POST.get("action")
    return action if action in ACTIONS else "submit"


def _refused(form, refusal: ResponseError) -> None:
    """A refusal from the service, shown on the form (nothing was saved)."""
    for field, errors in refusal.errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error["message"])
    if not refusal.errors:
        form.add_error(None, refusal.message)


def _saved_message(request, response: FormResponse) -> None:
    if response.status == Status.SUBMITTED:
        messages.success(request, f"Your {response.template.title} has been saved as completed.")
    else:
        messages.success(request, f"Your draft of the {response.template.title} has been saved.")


def _after_save(response: FormResponse):
    if response.status == Status.DRAFT:
        return redirect("form_response_edit", pk=response.pk)
    return redirect("form_response_detail", pk=response.pk)


def _open_existing(request, existing: FormResponse):
    if responses.may_edit(request.user, existing):
        return redirect("form_response_edit", pk=existing.pk)
    if visibility.may_read(request.user, existing):
        return redirect("form_response_detail", pk=existing.pk)
    raise Http404("No such form for you.")


def _form_page(request, *, form, template, heading_context: dict, response=None):
    return render(
        request,
        "sessions_log/forms/response_form.html",
        {
            "form": form,
            "template": template,
            "response": response,
            "submitted": response is not None and response.status == Status.SUBMITTED,
            "is_pair_form": template.kind in PAIR_FORMS,
            "who_reads": who_reads(template.readers),
            **heading_context,
        },
    )


# a mentorship's forms ---------------------------------------------------------------------------
@login_required
@require_GET
def mentorship_forms(request, mentorship_id):
    """The forms of one mentorship the member may read, and the ones they may start."""
    mentorship, own = _place_or_404(request, mentorship_id)
    readable = list(
        visibility.readable_by(
            request.user, responses.with_context().filter(mentorship=mentorship)
        ).order_by("-updated_at", "-pk")
    )
    kinds_with_templates = {
        t.kind
        for t in FormTemplate.objects.filter(is_current=True, kind__in=list(MENTORSHIP_FORMS))
        .filter(Q(scheme=mentorship.scheme) | Q(scheme__isnull=True))
        .only("kind")
    }
    started = {
        r.template.kind
        for r in readable
        if r.template.kind in PAIR_FORMS
        or (
            MENTORSHIP_FORMS.get(r.template.kind)
            and MENTORSHIP_FORMS[r.template.kind].once_per_author
            and r.author_id == own.enrolment.person_id
        )
    }
    can_start = [
        (kind, FormKind(kind).label)
        for kind in MENTORSHIP_FORMS
        if kind in kinds_with_templates
        and kind not in started
        and responses.refusal_to_start(mentorship, own, kind) is None
    ]
    return render(
        request,
        "sessions_log/forms/mentorship_forms.html",
        {
            "mentorship": mentorship,
            "scheme": mentorship.scheme,
            "own": own,
            "others": [m for m in mentorship.members.all() if m.pk != own.pk],
            "responses": readable,
            "can_start": can_start,
        },
    )


# a new response ---------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def form_response_new(request, mentorship_id, kind):
    mentorship, own = _place_or_404(request, mentorship_id)
    _kind_or_404(kind, MENTORSHIP_FORMS)
    if responses.refusal_to_start(mentorship, own, kind) is not None:
        raise Http404("You cannot start this form here.")
    existing = responses.existing_for(mentorship, own, kind)
    if existing is not None:
        return _open_existing(request, existing)
    template = current_template(mentorship.scheme, kind)
    if template is None:
        raise Http404("This scheme has no such form.")
    sessions = sessions_for(mentorship) if kind in SESSION_FORMS else None
    initial = {}
    if sessions is not None and request.GET.get("session", "").isdigit():
        initial["about-session"] = int(request.GET["session"])
    post = request.method == "POST"
    action = _action(request) if post else "submit"
    form = QuestionsForm(
        request.POST if post else None,
        template=template,
        role=own.role,
        submitting=action == "submit",
        sessions=sessions,
        initial=initial,
    )
    if post and form.is_valid():
        try:
            response = responses.start_response(
                by=request.user,
                mentorship=mentorship,
                kind=kind,
                answers=form.answers,
                submit=action == "submit",
                session=form.session,
            )
        except ResponseError as refusal:
            if refusal.existing is not None:
                messages.info(request, "This form had already been started: here it is.")
                return _open_existing(request, refusal.existing)
            _refused(form, refusal)
        else:
            _saved_message(request, response)
            return _after_save(response)
    return _form_page(
        request,
        form=form,
        template=template,
        heading_context={
            "mentorship": mentorship,
            "scheme": mentorship.scheme,
            "back_url": reverse("mentorship_forms", args=[mentorship.pk]),
            "back_text": "Forms for this mentorship",
        },
    )


# editing ----------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def form_response_edit(request, pk):
    response = _readable_or_404(request, pk)
    if not responses.may_edit(request.user, response):
        if response.author.user_id == request.user.pk:
            messages.info(request, "This form was submitted and can no longer be changed.")
            return redirect("form_response_detail", pk=response.pk)
        raise Http404("You cannot change this form.")
    role = responses.editing_role(request.user, response)
    sessions = (
        sessions_for(response.mentorship)
        if response.template.kind in SESSION_FORMS and response.mentorship_id
        else None
    )
    post = request.method == "POST"
    action = _action(request) if post else "submit"
    submitting = action == "submit" or response.status == Status.SUBMITTED
    initial = dict(response.answers)
    if sessions is not None:
        initial["about-session"] = response.session_id
    form = QuestionsForm(
        request.POST if post else None,
        template=response.template,
        role=role,
        submitting=submitting,
        sessions=sessions,
        initial=initial,
    )
    if post and form.is_valid():
        try:
            saved = responses.save_response(
                by=request.user,
                response=response,
                answers=form.answers,
                submit=submitting,
                session=form.session,
            )
        except ResponseError as refusal:
            if refusal.code == ResponseRefusal.FIXED_ONCE_SUBMITTED:
                messages.info(request, refusal.message)
                return redirect("form_response_detail", pk=response.pk)
            _refused(form, refusal)
        else:
            _saved_message(request, saved)
            return _after_save(saved)
    back = (
        reverse("mentorship_forms", args=[response.mentorship_id])
        if response.mentorship_id
        else reverse("my_reflections")
    )
    return _form_page(
        request,
        form=form,
        template=response.template,
        response=response,
        heading_context={
            "mentorship": response.mentorship,
            "scheme": response.mentorship.scheme if response.mentorship_id else None,
            "enrolment": response.enrolment,
            "back_url": back,
            "back_text": "Forms for this mentorship"
            if response.mentorship_id
            else "My reflections and forms",
        },
    )


# reading and sharing ----------------------------------------------------------------------------
@login_required
@require_GET
def form_response_detail(request, pk):
    response = _readable_or_404(request, pk)
    is_author = response.author.user_id == request.user.pk
    audit.record_view(
        request,
        response,
        ("" if is_author else "shared ") + response.template.get_kind_display().lower(),
        person=response.author_id,
    )
    mentors = (
        [
            m.enrolment.person.full_name
            for m in response.mentorship.members.all()
            if m.role == "mentor"
        ]
        if response.mentorship_id
        else []
    )
    return render(
        request,
        "sessions_log/forms/response_detail.html",
        {
            "response": response,
            "template": response.template,
            "rows": read_back(
                response.template.questions,
                responses.questions_role(response),
                response.answers,
            ),
            "is_author": is_author,
            "may_edit": responses.may_edit(request.user, response),
            "may_share": responses.may_share(request.user, response),
            "mentors": ", ".join(mentors),
            "is_pair_form": response.template.kind in PAIR_FORMS,
            "who_reads": who_reads(response.template.readers),
        },
    )


@login_required
@require_POST
def form_response_share(request, pk):
    response = _readable_or_404(request, pk)
    shared = request.POST.get("share") == "yes"
    try:
        responses.share(by=request.user, response=response, shared=shared)
    except ResponseError as refusal:
        if refusal.code in (ResponseRefusal.NOT_THE_AUTHOR, ResponseRefusal.NOT_SHAREABLE):
            raise Http404("You cannot share this form.") from None
        messages.error(request, refusal.message)
    else:
        if shared:
            messages.success(request, "Your mentor can now read this form.")
        else:
            messages.success(request, "This form is private to you again.")
    return redirect("form_response_detail", pk=response.pk)


# surveys ----------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def survey_response(request, enrolment_id, kind):
    """A survey about one's own enrolment, opened from its notification (or one's forms)."""
    _kind_or_404(kind, SURVEYS)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("person", "scheme"),
        pk=enrolment_id,
        person__user=request.user,
    )
    existing = responses.survey_response(enrolment, kind)
    if existing is not None:
        return redirect(
            "form_response_edit" if existing.status == Status.DRAFT else "form_response_detail",
            pk=existing.pk,
        )
    if not responses.survey_sent(enrolment, kind):
        raise Http404("This survey has not been sent to you.")
    template = current_template(enrolment.scheme, kind)
    if template is None:
        raise Http404("This scheme has no such survey.")
    post = request.method == "POST"
    action = _action(request) if post else "submit"
    form = QuestionsForm(
        request.POST if post else None,
        template=template,
        role=enrolment.role,
        submitting=action == "submit",
    )
    if post and form.is_valid():
        try:
            response = responses.start_survey(
                by=request.user,
                enrolment=enrolment,
                kind=kind,
                answers=form.answers,
                submit=action == "submit",
            )
        except ResponseError as refusal:
            if refusal.existing is not None:
                return _open_existing(request, refusal.existing)
            _refused(form, refusal)
        else:
            _saved_message(request, response)
            return _after_save(response)
    return _form_page(
        request,
        form=form,
        template=template,
        heading_context={
            "scheme": enrolment.scheme,
            "enrolment": enrolment,
            "back_url": reverse("my_reflections"),
            "back_text": "My reflections and forms",
        },
    )


# my reflections and forms -----------------------------------------------------------------------
def _surveys_to_answer(user, own: list[FormResponse]) -> list[dict]:
    enrolments = list(
        Enrolment.objects.filter(person__user=user).select_related("scheme").order_by("-joined_on")
    )
    if not enrolments:
        return []
    templates = set(
        FormTemplate.objects.filter(is_current=True, kind__in=list(SURVEYS))
        .filter(Q(scheme__in=[e.scheme_id for e in enrolments]) | Q(scheme__isnull=True))
        .values_list("kind", "scheme_id")
    )
    answered = {
        (r.enrolment_id, r.template.kind) for r in own if r.enrolment_id and r.status == "submitted"
    }
    started = {(r.enrolment_id, r.template.kind) for r in own if r.enrolment_id}
    sent_end = set(
        Notification.objects.filter(
            recipient=user, kind=SURVEY_NOTIFICATIONS[FormKind.END_SURVEY]
        ).values_list("about", flat=True)
    )
    pending = []
    for enrolment in enrolments:
        for kind in SURVEYS:
            if (kind, enrolment.scheme_id) not in templates and (kind, None) not in templates:
                continue
            if (enrolment.pk, kind) in answered:
                continue
            if kind == FormKind.END_SURVEY and about_key(enrolment) not in sent_end:
                continue
            if (
                kind == FormKind.BASELINE_SURVEY
                and enrolment.left_on
                and ((enrolment.pk, kind) not in started)
            ):
                continue
            pending.append(
                {
                    "enrolment": enrolment,
                    "kind": kind,
                    "label": FormKind(kind).label,
                    "started": (enrolment.pk, kind) in started,
                }
            )
    return pending


@login_required
@require_GET
def my_reflections(request):
    """Everything the user wrote, what others wrote with or shared with them, the surveys
    waiting for them, and the PDF of their reflections."""
    mine = Q(author__user=request.user) | Q(
        Exists(
            MentorshipMember.objects.filter(
                mentorship=OuterRef("mentorship"), enrolment__person__user=request.user
            )
        )
    )
    visible = list(
        visibility.readable_by(request.user, responses.with_context().filter(mine)).order_by(
            "-updated_at", "-pk"
        )
    )
    own = [r for r in visible if r.author.user_id == request.user.pk]
    others = [r for r in visible if r.author.user_id != request.user.pk]
    return render(
        request,
        "sessions_log/forms/my_reflections.html",
        {
            "own": own,
            "others": others,
            "surveys": _surveys_to_answer(request.user, own),
            "has_reflections": any(r.status == Status.SUBMITTED for r in own),
        },
    )


@login_required
@require_GET
def my_reflections_pdf(request):
    document = pdf.reflections_pdf(user=request.user)
    audit.record_export(
        request,
        "own reflections and forms",
        person=getattr(request.user, "person", None),
        download=True,
    )
    response = HttpResponse(document, content_type="application/pdf")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-reflections-{day}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
