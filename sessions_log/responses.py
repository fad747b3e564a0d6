"""Every write of a form response: starting one, saving a draft, submitting, sharing with the
mentor and taking it back, answering a survey — and the requests to fill a form that go out when
something happens (a new enrolment, a mentorship that ends).

Who may write what is set per kind of form in :data:`MENTORSHIP_FORMS`: the mentee's agenda and
reflection are theirs; the agreement and the development plan are the pair's (one per mentorship,
either member edits); the end-of-mentorship feedback is the mentee's and, like the surveys, fixed
once submitted so the figures do not move. Who may *read* is ``sessions_log.visibility``'s
business alone. Answers are always checked by the same ``ResponseForm`` the pages use, whoever
calls, so a wrong type or a missing required answer saves nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from matching.models import OPEN_MENTORSHIP, EndReason, Mentorship, MentorshipMember
from mentoring.models import Notification, User
from mentoring.notifications import NotificationKind, about_key, notify, register_kind
from schemes.models import Enrolment, LeaveKind, ParticipantRole
from sessions_log import visibility
from sessions_log.errors_responses import ResponseError, ResponseRefusal
from sessions_log.form_templates import current_template
from sessions_log.models import (
    FormKind,
    FormResponse,
    FormTemplate,
    MentoringSession,
    Readers,
    SessionStatus,
)
from sessions_log.questions import ResponseForm, for_role

Status = FormResponse.Status
MENTOR, MENTEE = ParticipantRole.MENTOR, ParticipantRole.MENTEE


# who writes what --------------------------------------------------------------------------------
def _open(mentorship: Mentorship) -> bool:
    return mentorship.status in OPEN_MENTORSHIP


def _open_or_met(mentorship: Mentorship) -> bool:
    return _open(mentorship) or mentorship.started_on is not None


def _met(mentorship: Mentorship) -> bool:
    return mentorship.started_on is not None


def _ended_after_meeting(mentorship: Mentorship) -> bool:
    return mentorship.status == Mentorship.Status.ENDED and mentorship.started_on is not None


@dataclass(frozen=True)
class FormRule:
    """Who starts a form of one kind on a mentorship, when, and how many there are."""

    roles: frozenset[str]
    when: Callable[[Mentorship], bool]
    pair: bool = False  # one per mentorship, and either member edits it
    once_per_author: bool = False
    fixed_once_submitted: bool = False
    scheme_flag: str = ""  # a Scheme field that must be true


MENTORSHIP_FORMS: dict[str, FormRule] = {
    FormKind.PRE_SESSION: FormRule(frozenset({MENTEE}), _open, scheme_flag="uses_pre_session_form"),
    FormKind.POST_SESSION: FormRule(frozenset({MENTEE}), _open_or_met),
    FormKind.MENTOR_STRUCTURE: FormRule(frozenset({MENTOR}), _open),
    FormKind.AGREEMENT: FormRule(frozenset({MENTOR, MENTEE}), _open, pair=True),
    FormKind.DEVELOPMENT_PLAN: FormRule(frozenset({MENTOR, MENTEE}), _met, pair=True),
    FormKind.END_FEEDBACK: FormRule(
        frozenset({MENTEE}),
        _ended_after_meeting,
        once_per_author=True,
        fixed_once_submitted=True,
    ),
}
SURVEYS = (FormKind.BASELINE_SURVEY, FormKind.END_SURVEY)
FIXED_ONCE_SUBMITTED = {
    *SURVEYS,
    *(kind for kind, rule in MENTORSHIP_FORMS.items() if rule.fixed_once_submitted),
}
PAIR_FORMS = {kind for kind, rule in MENTORSHIP_FORMS.items() if rule.pair}
SESSION_FORMS = (FormKind.PRE_SESSION, FormKind.POST_SESSION)


def member_of(mentorship: Mentorship, user: User) -> MentorshipMember | None:
    """The user's place in the mentorship (from the prefetched members when there are any)."""
    if not user.is_authenticated:
        return None
    for member in mentorship.members.all():
        if member.enrolment.person.user_id == user.pk:
            return member
    return None


def refusal_to_start(mentorship: Mentorship, member, kind: str) -> ResponseRefusal | None:
    """Why ``member`` may not start a form of ``kind`` on the mentorship now (None: they may).
    The template is checked separately (:func:`template_for`)."""
    rule = MENTORSHIP_FORMS.get(kind)
    if member is None:
        return ResponseRefusal.NOT_A_MEMBER
    if rule is None or member.role not in rule.roles:
        return ResponseRefusal.WRONG_ROLE
    if rule.scheme_flag and not getattr(mentorship.scheme, rule.scheme_flag):
        return ResponseRefusal.NOT_USED
    if not rule.when(mentorship):
        return ResponseRefusal.NOT_NOW
    return None


def template_for(scheme, kind: str) -> FormTemplate:
    template = current_template(scheme, kind)
    if template is None:
        raise ResponseError(ResponseRefusal.NO_TEMPLATE)
    return template


def existing_for(mentorship: Mentorship, member, kind: str) -> FormResponse | None:
    """The response a new one would duplicate: a pair form's one per mentorship, or the
    author's own where there is one each."""
    rule = MENTORSHIP_FORMS[kind]
    if not (rule.pair or rule.once_per_author):
        return None
    found = FormResponse.objects.filter(mentorship=mentorship, template__kind=kind)
    if rule.once_per_author:
        found = found.filter(author_id=member.enrolment.person_id)
    return found.order_by("pk").first()


def author_role(response: FormResponse) -> str | None:
    """The role the author wrote as — which decides the questions they were asked."""
    if response.enrolment_id:
        return response.enrolment.role
    if response.mentorship_id:
        for member in response.mentorship.members.all():
            if member.enrolment.person_id == response.author_id:
                return member.role
    return None


def questions_role(response: FormResponse) -> str | None:
    """The role whose questions a page shows: everyone's for a pair form, else the author's."""
    if response.template.kind in PAIR_FORMS:
        return None
    return author_role(response)


def editing_role(user: User, response: FormResponse) -> str:
    """The role whose questions ``user`` answers when editing: their own in a pair form (the
    others' answers stay as they are), otherwise the author's."""
    if response.template.kind in PAIR_FORMS and response.mentorship_id:
        member = member_of(response.mentorship, user)
        if member is not None:
            return member.role
    return author_role(response) or MENTEE


def may_edit(user: User, response: FormResponse) -> bool:
    """The author; for a pair form, also the other members who may read it. Surveys and the end
    feedback are fixed once submitted."""
    if not user.is_authenticated:
        return False
    if response.status == Status.SUBMITTED and response.template.kind in FIXED_ONCE_SUBMITTED:
        return False
    if response.author.user_id == user.pk:
        return True
    if response.template.kind not in PAIR_FORMS or response.mentorship_id is None:
        return False
    return member_of(response.mentorship, user) is not None and visibility.may_read(user, response)


def may_share(user: User, response: FormResponse) -> bool:
    """Its author, when the form is private to them and they are a mentee of its mentorship."""
    return (
        user.is_authenticated
        and response.author.user_id == user.pk
        and response.template.readers == Readers.AUTHOR
        and response.mentorship_id is not None
        and author_role(response) == MENTEE
    )


def with_context(responses=None):
    """Responses with everything a page or the PDF shows about them, in a fixed number of
    queries: the template version, author, mentorship with its members, session, enrolment."""
    responses = FormResponse.objects.all() if responses is None else responses
    members = MentorshipMember.objects.select_related("enrolment__person__user").order_by(
        "-role", "pk"
    )
    return responses.select_related(
        "template", "author__user", "mentorship__scheme", "session", "enrolment__scheme"
    ).prefetch_related(Prefetch("mentorship__members", queryset=members))


# answers ----------------------------------------------------------------------------------------
def as_form_data(answers: dict) -> MultiValueDict:
    """Stored answers as the POST data of a ResponseForm (lists for multiple choices)."""
    data = MultiValueDict()
    for key, value in answers.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        elif value is not None:
            data[key] = str(value)
    return data


def checked_answers(template: FormTemplate, role: str, answers: dict, submit: bool) -> dict:
    """The answers to the questions ``role`` sees, as ``ResponseForm`` cleans them — or a
    refusal carrying the field errors."""
    form = ResponseForm(
        as_form_data(answers), questions=template.questions, role=role, submitting=submit
    )
    if not form.is_valid():
        raise ResponseError(ResponseRefusal.INVALID_ANSWERS, errors=form.errors.get_json_data())
    return form.answers


def _keys_for(template: FormTemplate, role: str) -> set[str]:
    questions = for_role(template.questions, role)
    return {q["key"] for q in questions} | {f"{q['key']}_other" for q in questions}


def _merged(response: FormResponse, role: str, answers: dict) -> dict:
    """A member edits the questions their role sees; answers to the others' questions stay."""
    kept = {
        key: value
        for key, value in response.answers.items()
        if key not in _keys_for(response.template, role)
    }
    return {**kept, **answers}


def _checked_session(mentorship: Mentorship | None, session) -> MentoringSession | None:
    if session is None:
        return None
    if mentorship is None or session.mentorship_id != mentorship.pk:
        raise ResponseError(ResponseRefusal.WRONG_SESSION)
    if session.status == SessionStatus.CANCELLED:
        raise ResponseError(ResponseRefusal.WRONG_SESSION)
    return session


def _finish(response: FormResponse, *, submit: bool, by: User) -> FormResponse:
    if submit and response.status != Status.SUBMITTED:
        response.status = Status.SUBMITTED
        response.submitted_at = timezone.now()
    response.last_edited_by = by
    response.save()
    return response


# writing ----------------------------------------------------------------------------------------
def start_response(
    *,
    by: User,
    mentorship: Mentorship,
    kind: str,
    answers: dict,
    submit: bool,
    session: MentoringSession | None = None,
) -> FormResponse:
    """A member's new response on a mentorship, as a draft or submitted. A pair form or the end
    feedback that already exists is refused with ``existing`` set, so a page can open it."""
    with transaction.atomic():
        mentorship = (
            Mentorship.objects.select_for_update(of=("self",))
            .select_related("scheme")
            .get(pk=mentorship.pk)
        )
        member = (
            MentorshipMember.objects.select_related("enrolment__person")
            .filter(mentorship=mentorship, enrolment__person__user=by)
            .first()
        )
        refusal = refusal_to_start(mentorship, member, kind)
        if refusal:
            raise ResponseError(refusal)
        existing = existing_for(mentorship, member, kind)
        if existing is not None:
            raise ResponseError(ResponseRefusal.ALREADY_STARTED, existing=existing)
        template = template_for(mentorship.scheme, kind)
        cleaned = checked_answers(template, member.role, answers, submit)
        response = FormResponse(
            template=template,
            author=member.enrolment.person,
            mentorship=mentorship,
            session=_checked_session(mentorship, session) if kind in SESSION_FORMS else None,
            answers=cleaned,
        )
        return _finish(response, submit=submit, by=by)


def save_response(
    *,
    by: User,
    response: FormResponse,
    answers: dict,
    submit: bool,
    session: MentoringSession | None = None,
) -> FormResponse:
    """Change a response's answers. A submitted one stays submitted (so every required question
    stays answered); those fixed once submitted cannot change."""
    with transaction.atomic():
        response = (
            FormResponse.objects.select_for_update(of=("self",))
            .select_related("template", "author", "mentorship", "enrolment")
            .get(pk=response.pk)
        )
        if response.status == Status.SUBMITTED and response.template.kind in FIXED_ONCE_SUBMITTED:
            raise ResponseError(ResponseRefusal.FIXED_ONCE_SUBMITTED)
        if not may_edit(by, response):
            raise ResponseError(ResponseRefusal.NOT_EDITABLE)
        submit = submit or response.status == Status.SUBMITTED
        role = editing_role(by, response)
        cleaned = checked_answers(response.template, role, answers, submit)
        response.answers = _merged(response, role, cleaned)
        if response.template.kind in SESSION_FORMS:
            response.session = _checked_session(response.mentorship, session)
        return _finish(response, submit=submit, by=by)


def share(*, by: User, response: FormResponse, shared: bool) -> FormResponse:
    """The author shares a private form with the mentor(s) of its mentorship, or takes it back.
    Mentors are told the first time, never what it says."""
    with transaction.atomic():
        response = (
            FormResponse.objects.select_for_update(of=("self",))
            .select_related("template", "author__user", "mentorship__scheme", "enrolment")
            .get(pk=response.pk)
        )
        if response.author.user_id != by.pk:
            raise ResponseError(ResponseRefusal.NOT_THE_AUTHOR)
        if not may_share(by, response):
            raise ResponseError(ResponseRefusal.NOT_SHAREABLE)
        if shared and response.status != Status.SUBMITTED:
            raise ResponseError(ResponseRefusal.SUBMIT_FIRST)
        if response.shared_with_mentor == shared:
            return response
        response.shared_with_mentor = shared
        response.shared_at = timezone.now() if shared else None
        response.last_edited_by = by
        response.save(update_fields=["shared_with_mentor", "shared_at", "last_edited_by"])
        if shared:
            mentors = response.mentorship.members.filter(role=MENTOR).select_related(
                "enrolment__person__user"
            )
            for mentor in mentors:
                notify(
                    kind="form_shared",
                    recipient=mentor.enrolment.person.user,
                    about=response,
                    context={
                        "author": response.author.full_name,
                        "form": response.template.title,
                        "scheme": response.mentorship.scheme.name,
                        "response_id": response.pk,
                    },
                )
    return response


# surveys ----------------------------------------------------------------------------------------
def survey_sent(enrolment: Enrolment, kind: str) -> bool:
    """The end-of-programme survey opens from its notification; the baseline one is open to
    everyone enrolled (imported enrolments are not told, but find it in their forms)."""
    if kind == FormKind.BASELINE_SURVEY:
        return True
    return Notification.objects.filter(
        kind=SURVEY_NOTIFICATIONS[kind],
        recipient_id=enrolment.person.user_id,
        about=about_key(enrolment),
    ).exists()


def survey_response(enrolment: Enrolment, kind: str) -> FormResponse | None:
    return (
        FormResponse.objects.filter(
            enrolment=enrolment, template__kind=kind, author_id=enrolment.person_id
        )
        .order_by("pk")
        .first()
    )


def start_survey(
    *, by: User, enrolment: Enrolment, kind: str, answers: dict, submit: bool
) -> FormResponse:
    """The enrolled person's answers to a survey about their enrolment: one each."""
    if kind not in SURVEYS:
        raise ResponseError(ResponseRefusal.NOT_A_SURVEY)
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("person", "scheme")
            .get(pk=enrolment.pk)
        )
        if enrolment.person.user_id != by.pk:
            raise ResponseError(ResponseRefusal.NOT_YOUR_ENROLMENT)
        if not survey_sent(enrolment, kind):
            raise ResponseError(ResponseRefusal.SURVEY_NOT_SENT)
        existing = survey_response(enrolment, kind)
        if existing is not None:
            raise ResponseError(ResponseRefusal.ALREADY_STARTED, existing=existing)
        template = template_for(enrolment.scheme, kind)
        response = FormResponse(
            template=template,
            author=enrolment.person,
            enrolment=enrolment,
            answers=checked_answers(template, enrolment.role, answers, submit),
        )
        return _finish(response, submit=submit, by=by)


SURVEY_NOTIFICATIONS = {
    FormKind.BASELINE_SURVEY: "survey_baseline",
    FormKind.END_SURVEY: "survey_end",
}


def request_survey(*, enrolment: Enrolment, kind: str) -> Notification | None:
    """Ask the enrolled person to answer a survey, once per enrolment (None: already asked, no
    template, or nobody to ask)."""
    user = enrolment.person.user
    if user is None or current_template(enrolment.scheme, kind) is None:
        return None
    return notify(
        kind=SURVEY_NOTIFICATIONS[kind],
        recipient=user,
        about=enrolment,
        context={
            "scheme": enrolment.scheme.name,
            "enrolment_id": enrolment.pk,
            "survey": str(kind),
        },
    )


# what happens elsewhere -------------------------------------------------------------------------
def enrolment_saved(sender, instance: Enrolment, created: bool, raw: bool = False, **kwargs):
    """Someone enrolled from their application (approved, or admitted from the waiting list) is
    e-mailed the baseline survey. Connected to ``post_save`` of ``schemes.Enrolment``.

    Enrolments imported (``bulk_create`` sends no signal) or made without an application (the
    demo, tests' factories) are not e-mailed: their people find the survey under "My
    reflections and forms" all the same (:func:`survey_sent` needs no notification for it)."""
    if created and not raw and instance.application_id and instance.left_on is None:
        # After commit, so the welcome to the scheme goes first, and nothing if it rolls back.
        transaction.on_commit(
            lambda: request_survey(enrolment=instance, kind=FormKind.BASELINE_SURVEY)
        )


def enrolment_left(sender, enrolment: Enrolment, **kwargs):
    """Someone who completed the programme is sent the end-of-programme survey."""
    if enrolment.leave_kind == LeaveKind.COMPLETED:
        request_survey(enrolment=enrolment, kind=FormKind.END_SURVEY)


def mentorship_saved(sender, instance: Mentorship, created: bool, raw: bool = False, **kwargs):
    """A mentorship that ended after the pair met: its mentees are asked for their feedback; if
    it was completed, both are asked to agree the development plan and to answer the
    end-of-programme survey. Each request goes once (the notification's key)."""
    if raw or instance.status != Mentorship.Status.ENDED or instance.started_on is None:
        return
    members = list(instance.members.select_related("enrolment__person__user", "enrolment__scheme"))
    completed = instance.end_reason == EndReason.COMPLETED
    wanted = [FormKind.END_FEEDBACK, *([FormKind.DEVELOPMENT_PLAN] if completed else [])]
    templates = {kind: current_template(instance.scheme, kind) for kind in wanted}
    context = {"scheme": instance.scheme.name, "mentorship_id": instance.pk}
    for member in members:
        user = member.enrolment.person.user
        if member.role == MENTEE and templates[FormKind.END_FEEDBACK]:
            notify(kind="form_end_feedback", recipient=user, about=instance, context=context)
        if completed and templates[FormKind.DEVELOPMENT_PLAN]:
            notify(kind="form_development_plan", recipient=user, about=instance, context=context)
        if completed:
            request_survey(enrolment=member.enrolment, kind=FormKind.END_SURVEY)


# notifications ----------------------------------------------------------------------------------
def _survey_link(notification):
    context = notification.context
    return {
        "link_path": reverse("survey_response", args=[context["enrolment_id"], context["survey"]])
    }


def _response_link(notification):
    return {
        "link_path": reverse("form_response_detail", args=[notification.context["response_id"]])
    }


def _new_form_link(kind: str):
    def build(notification):
        return {
            "link_path": reverse(
                "form_response_new", args=[notification.context["mentorship_id"], kind]
            )
        }

    return build


def register_notification_kinds() -> None:
    for kind in (
        NotificationKind(
            code="survey_baseline",
            subject="A short survey as you start on {scheme}",
            summary="Answer the baseline survey for {scheme}.",
            build_context=_survey_link,
        ),
        NotificationKind(
            code="survey_end",
            subject="Your end-of-programme survey for {scheme}",
            summary="Answer the end-of-programme survey for {scheme}.",
            build_context=_survey_link,
        ),
        NotificationKind(
            code="form_shared",
            subject="{author} shared a form with you",
            summary="{author} shared their {form} on {scheme} with you.",
            build_context=_response_link,
        ),
        NotificationKind(
            code="form_end_feedback",
            subject="Your feedback on your mentorship on {scheme}",
            summary="Tell us how your mentorship on {scheme} went.",
            build_context=_new_form_link(FormKind.END_FEEDBACK),
        ),
        NotificationKind(
            code="form_development_plan",
            subject="Agree your development plan on {scheme}",
            summary="Agree your future requirements and development plan on {scheme}.",
            build_context=_new_form_link(FormKind.DEVELOPMENT_PLAN),
        ),
    ):
        register_kind(kind)
