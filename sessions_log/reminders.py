"""The sessions_log reminders (scheduled jobs): see mentoring.reminders.

Four jobs, each a finder that only reads, in a fixed number of queries however many rows (one more
per scheme whose coordinators are told something):

* ``remind-employer-confirmation`` — seeds/000: "It is the mentor's responsibility to contact the
  mentee and plan for ongoing mentorship. The Employer should ensure this contact has taken place"
  and "should agree and ensure adequate protected time".
* ``remind-pre-session-agenda`` — seeds/000, the mentee's role: "Prepare for mentorship sessions
  in advance by planning an agenda".
* ``remind-post-session-forms`` — seeds/000: "Reflect on the mentoring session"; seeds/004: a host
  organisation "contacts us monthly to remind us to have the monthly meeting and complete the
  forms. After each meeting I submit a google form".
* ``remind-overdue-sessions`` — seeds/001: fellows "should expect to receive one hour of
  mentorship every four weeks"; seeds/000: "2-4 sessions per year is typical".

Each reminder's key (kind, recipient, about, period) is what keeps it to once: see each finder.
Only people whose enrolment is active are reminded (not someone paused or gone).
"""

import datetime
from collections.abc import Iterator

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from matching.models import OPEN_MENTORSHIP, Mentorship, MentorshipKind, MentorshipMember
from mentoring.models import RelationshipKind, WorkingRelationship
from mentoring.reminders import Job, Reminder, register_job
from schemes.models import EnrolmentStatus, ParticipantRole, Scheme, plan_for
from schemes.reminders import Coordinators, schemes_at
from sessions_log import cadence
from sessions_log.models import (
    Attendance,
    EmployerConfirmation,
    FormKind,
    FormResponse,
    MentoringSession,
    SessionStatus,
)

MENTOR, MENTEE = ParticipantRole.MENTOR, ParticipantRole.MENTEE
SUBMITTED = FormResponse.Status.SUBMITTED

# The post-session forms are asked for only about sessions held in the last this many days, so a
# new deployment (or a scheme that turns reminders on) does not mail people about years of
# sessions already behind them.
POST_SESSION_LOOKBACK_DAYS = 30


# shared pieces ----------------------------------------------------------------------------------
def _day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def _when(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B %Y at %H:%M}"


def _names(members) -> str:
    names = [m.enrolment.person.full_name for m in members]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _is_active(member: MentorshipMember) -> bool:
    return member.enrolment.status == EnrolmentStatus.ACTIVE


def _members() -> Prefetch:
    """A mentorship's members with their people and users, mentors first."""
    return Prefetch(
        "members",
        queryset=MentorshipMember.objects.select_related("enrolment__person__user").order_by(
            "-role", "pk"
        ),
    )


def _by_pk(schemes: list[Scheme]) -> dict[int, Scheme]:
    return {scheme.pk: scheme for scheme in schemes}


# remind-employer-confirmation -------------------------------------------------------------------
def _outstanding(confirmation: EmployerConfirmation) -> str:
    missing = []
    if confirmation.contact_confirmed_at is None:
        missing.append("first contact")
    if confirmation.protected_time_agreed_at is None:
        missing.append("protected time")
    return " and ".join(missing)


def _has_confirmation(mentorship: Mentorship) -> bool:
    return hasattr(mentorship, "employer_confirmation")  # False when the row does not exist


def find_employer_confirmations(
    at: datetime.datetime, scheme_slug: str | None
) -> Iterator[Reminder]:
    """Open one-to-one (not group) mentorships on schemes where the employer confirms contact,
    ``plan.employer_confirmation_days`` after the line manager was asked, not yet confirmed both
    first contact and protected time:

    * the line manager is reminded once (``employer_confirmation_reminder``, about the
      confirmation, no period);
    * each coordinator is told once (``employer_not_confirmed``, about the mentorship, no period).

    A mentorship nobody could be asked about because no line manager is on record for its mentee
    (checked today) is told to the coordinators the same number of days after it was proposed —
    the same kind and key, so a coordinator hears once about a mentorship either way.

    A line manager added to the record after the mentorship was proposed is asked by
    ``services.plan_session`` when the next session is planned; this job does not ask them.
    """
    today = timezone.localdate(at)
    schemes = _by_pk([s for s in schemes_at(at, scheme_slug) if s.employer_confirms_contact])
    if not schemes:
        return
    mentorships = list(
        Mentorship.objects.filter(scheme__in=list(schemes), status__in=OPEN_MENTORSHIP)
        .exclude(kind=MentorshipKind.GROUP)
        .select_related("employer_confirmation__line_manager__user")
        .prefetch_related(_members())
        .order_by("pk")
    )
    confirmations = {m.pk: m.employer_confirmation for m in mentorships if _has_confirmation(m)}
    unasked = [m for m in mentorships if m.pk not in confirmations]
    mentee_people = {
        member.enrolment.person_id
        for mentorship in unasked
        for member in mentorship.members.all()
        if member.role == MENTEE
    }
    managed = set(
        WorkingRelationship.objects.current(today)
        .filter(kind=RelationshipKind.LINE_MANAGER, supervisee__in=mentee_people)
        .values_list("supervisee_id", flat=True)
    )
    coordinators = Coordinators()
    for mentorship in mentorships:
        scheme = schemes[mentorship.scheme_id]
        days = plan_for(scheme).employer_confirmation_days
        members = list(mentorship.members.all())
        mentee = next((m for m in members if m.role == MENTEE), None)
        mentor = next((m for m in members if m.role == MENTOR), None)
        if mentee is None or mentor is None:
            continue
        context = {
            "scheme": scheme.name,
            "mentee": mentee.enrolment.person.full_name,
            "mentor": mentor.enrolment.person.full_name,
            "mentorship_id": mentorship.pk,
        }
        confirmation = confirmations.get(mentorship.pk)
        if confirmation is not None:
            asked_on = timezone.localdate(confirmation.requested_at)
            outstanding = _outstanding(confirmation)
            if not outstanding or asked_on + datetime.timedelta(days=days) > today:
                continue
            manager = confirmation.line_manager
            context |= {
                "confirmation_id": confirmation.pk,
                "line_manager": manager.full_name,
                "asked_on": _day(asked_on),
                "outstanding": outstanding,
                "no_line_manager": False,
            }
            yield Reminder(
                kind="employer_confirmation_reminder",
                recipient=manager.user,
                about=confirmation,
                context=context,
                link=reverse("employer_confirmation", args=[confirmation.pk]),
                scheme=scheme,
            )
            link = reverse("admin:sessions_log_employerconfirmation_change", args=[confirmation.pk])
        else:
            proposed_on = timezone.localdate(mentorship.created_at)
            if mentee.enrolment.person_id in managed:
                continue  # asked when a session is planned: see the docstring
            if proposed_on + datetime.timedelta(days=days) > today:
                continue
            context |= {
                "proposed_on": _day(proposed_on),
                "outstanding": "first contact and protected time",
                "no_line_manager": True,
            }
            link = (
                reverse("admin:mentoring_workingrelationship_add")
                + f"?supervisee={mentee.enrolment.person_id}&kind={RelationshipKind.LINE_MANAGER}"
            )
        for coordinator in coordinators.of(scheme):
            yield Reminder(
                kind="employer_not_confirmed",
                recipient=coordinator,
                about=mentorship,
                context=context,
                link=link,
                scheme=scheme,
            )


# remind-pre-session-agenda ----------------------------------------------------------------------
def _session_context(session: MentoringSession, scheme: Scheme) -> dict:
    return {
        "scheme": scheme.name,
        "session_id": session.pk,
        "mentorship_id": session.mentorship_id,
        "when": _when(session.starts_at),
        "day": _day(timezone.localdate(session.starts_at)),
    }


def _responses_by(sessions: list[MentoringSession], kinds: list[str]) -> dict:
    """(session id, kind, author id) → the responses about these sessions: submitted ones, and
    the latest draft where none is submitted. One query."""
    found: dict[tuple, tuple[int, str]] = {}
    rows = (
        FormResponse.objects.filter(session__in=[s.pk for s in sessions], template__kind__in=kinds)
        .order_by("pk")
        .values_list("session_id", "template__kind", "author_id", "pk", "status")
    )
    for session_id, kind, author_id, pk, status in rows:
        key = (session_id, kind, author_id)
        if found.get(key, (0, ""))[1] != SUBMITTED:
            found[key] = (pk, status)
    return found


def _form_link(mentorship_id: int, kind: str, session_id: int, draft: int | None) -> str:
    """The mentee's draft of the form if they started one, else a new one about the session."""
    if draft:
        return reverse("form_response_edit", args=[draft])
    return reverse("form_response_new", args=[mentorship_id, kind]) + f"?session={session_id}"


def _mentors():
    """A mentorship's mentors, to prefetch as ``mentorship__members`` of its sessions."""
    return (
        MentorshipMember.objects.filter(role=MENTOR)
        .select_related("enrolment__person__user")
        .order_by("pk")
    )


def _attendance() -> Prefetch:
    return Prefetch(
        "attendance",
        queryset=Attendance.objects.select_related("member__enrolment__person__user").order_by(
            "pk"
        ),
    )


def find_agenda_reminders(at: datetime.datetime, scheme_slug: str | None) -> Iterator[Reminder]:
    """Planned sessions on schemes that use the pre-session form, from ``plan.agenda_days_before``
    days before the (local) date of the session up to its start: each mentee the session is with
    who has not submitted a pre-session agenda about it (``agenda_reminder``, about the session,
    no period: once per session and mentee, even if the session moves). A session that has
    started is past asking."""
    today = timezone.localdate(at)
    schemes = _by_pk([s for s in schemes_at(at, scheme_slug) if s.uses_pre_session_form])
    if not schemes:
        return
    longest = max(plan_for(s).agenda_days_before for s in schemes.values())
    sessions = list(
        MentoringSession.objects.filter(
            status=SessionStatus.PLANNED,
            mentorship__scheme__in=list(schemes),
            mentorship__status__in=OPEN_MENTORSHIP,
            starts_at__gt=at,
            starts_at__lt=at + datetime.timedelta(days=longest + 2),
        )
        .prefetch_related(_attendance(), Prefetch("mentorship__members", queryset=_mentors()))
        .select_related("mentorship")
        .order_by("starts_at", "pk")
    )
    sessions = [
        s
        for s in sessions
        if timezone.localdate(s.starts_at)
        - datetime.timedelta(days=plan_for(schemes[s.mentorship.scheme_id]).agenda_days_before)
        <= today
    ]
    responses = _responses_by(sessions, [FormKind.PRE_SESSION])
    for session in sessions:
        scheme = schemes[session.mentorship.scheme_id]
        mentors = _names(session.mentorship.members.all())
        for row in session.attendance.all():
            mentee = row.member
            if mentee.role != MENTEE or not _is_active(mentee):
                continue
            pk, status = responses.get(
                (session.pk, FormKind.PRE_SESSION, mentee.enrolment.person_id), (None, "")
            )
            if status == SUBMITTED:
                continue
            yield Reminder(
                kind="agenda_reminder",
                recipient=mentee.enrolment.person.user,
                about=session,
                context={**_session_context(session, scheme), "mentor": mentors},
                link=_form_link(session.mentorship_id, FormKind.PRE_SESSION, session.pk, pk),
                scheme=scheme,
            )


# remind-post-session-forms ----------------------------------------------------------------------
def find_post_session_forms(at: datetime.datetime, scheme_slug: str | None) -> Iterator[Reminder]:
    """Held sessions, from ``plan.reflection_days_after`` days after their (local) date:

    * each mentee who attended and has not submitted a post-session reflection about it
      (``reflection_reminder``);
    * each mentor of the mentorship while the session record is not completed
      (``session_record_reminder``), unless the session is locked (a locked record cannot change).

    Both about the session with no period: once per session per person. Only sessions held in
    the last ``POST_SESSION_LOOKBACK_DAYS`` (30) days count, so a new deployment does not mail
    years of history. The forms stay open after a mentorship ends, so the reminders still go.
    """
    today = timezone.localdate(at)
    schemes = _by_pk(schemes_at(at, scheme_slug))
    if not schemes:
        return
    oldest = today - datetime.timedelta(days=POST_SESSION_LOOKBACK_DAYS)
    sessions = list(
        MentoringSession.objects.filter(
            status=SessionStatus.HELD,
            mentorship__scheme__in=list(schemes),
            starts_at__gte=at - datetime.timedelta(days=POST_SESSION_LOOKBACK_DAYS + 2),
            starts_at__lte=at,
        )
        .prefetch_related(_attendance(), Prefetch("mentorship__members", queryset=_mentors()))
        .select_related("mentorship")
        .order_by("starts_at", "pk")
    )
    sessions = [
        s
        for s in sessions
        if oldest
        <= timezone.localdate(s.starts_at)
        <= today
        - datetime.timedelta(days=plan_for(schemes[s.mentorship.scheme_id]).reflection_days_after)
    ]
    responses = _responses_by(sessions, [FormKind.POST_SESSION, FormKind.SESSION_RECORD])
    records_done = {
        session_id
        for (session_id, kind, _), (_, status) in responses.items()
        if kind == FormKind.SESSION_RECORD and status == SUBMITTED
    }
    for session in sessions:
        scheme = schemes[session.mentorship.scheme_id]
        context = _session_context(session, scheme)
        attended = [r.member for r in session.attendance.all() if r.attended]
        for mentee in attended:
            if mentee.role != MENTEE or not _is_active(mentee):
                continue
            pk, status = responses.get(
                (session.pk, FormKind.POST_SESSION, mentee.enrolment.person_id), (None, "")
            )
            if status == SUBMITTED:
                continue
            yield Reminder(
                kind="reflection_reminder",
                recipient=mentee.enrolment.person.user,
                about=session,
                context={**context, "mentor": _names(session.mentorship.members.all())},
                link=_form_link(session.mentorship_id, FormKind.POST_SESSION, session.pk, pk),
                scheme=scheme,
            )
        if session.pk in records_done or session.is_locked:
            continue
        for mentor in session.mentorship.members.all():
            if not _is_active(mentor):
                continue
            yield Reminder(
                kind="session_record_reminder",
                recipient=mentor.enrolment.person.user,
                about=session,
                context={**context, "mentees": _names(attended)},
                link=reverse("session_record", args=[session.pk]),
                scheme=scheme,
            )


# remind-overdue-sessions ------------------------------------------------------------------------
def find_overdue_sessions(at: datetime.datetime, scheme_slug: str | None) -> Iterator[Reminder]:
    """Open mentorships that have met and whose next session, by the cadence
    (``sessions_log.cadence``: the cohort's, else the scheme's), is overdue with nothing planned
    from now on:

    * each member is reminded (``session_overdue``) the day after the due date;
    * each coordinator is told (``pair_overdue``) once it is ``plan.overdue_escalation_days``
      overdue.

    Both about the mentorship with the due date as the period: once per overdue spell, and again
    when a later session makes a new due date that passes in its turn. Pairs that have never met
    are the new-mentorship reminders' business; a mentorship waiting for a new mentor (its mentor
    left) is the coordinators' already.
    """
    today = timezone.localdate(at)
    schemes = _by_pk(schemes_at(at, scheme_slug))
    if not schemes:
        return
    dues = [
        due
        for due in cadence.follow_up(
            Mentorship.objects.filter(scheme__in=list(schemes)), today=today
        )
        if not due.never_met and due.overdue and not due.mentorship.needs_rematch
    ]
    planned = set(
        MentoringSession.objects.filter(
            mentorship__in=[due.mentorship.pk for due in dues],
            status=SessionStatus.PLANNED,
            starts_at__gte=at,
        ).values_list("mentorship_id", flat=True)
    )
    coordinators = Coordinators()
    for due in dues:
        mentorship = due.mentorship
        if mentorship.pk in planned:
            continue
        scheme = schemes[mentorship.scheme_id]
        members = list(mentorship.members.all())
        context = {
            "scheme": scheme.name,
            "mentorship_id": mentorship.pk,
            "due_on": _day(due.next_due),
            "last_met": _day(due.last_met),
            "days_overdue": due.days_overdue,
            "cadence": due.rule.description if due.rule else "",
        }
        period = due.next_due.isoformat()
        for member in members:
            if not _is_active(member):
                continue
            is_mentor = member.role == MENTOR
            link = reverse(
                "session_plan" if is_mentor else "mentorship_sessions", args=[mentorship.pk]
            )
            yield Reminder(
                kind="session_overdue",
                recipient=member.enrolment.person.user,
                about=mentorship,
                period=period,
                context={
                    **context,
                    "others": _names([m for m in members if m.pk != member.pk]),
                    "is_mentor": is_mentor,
                },
                link=link,
                scheme=scheme,
            )
        if due.days_overdue < plan_for(scheme).overdue_escalation_days:
            continue
        for coordinator in coordinators.of(scheme):
            yield Reminder(
                kind="pair_overdue",
                recipient=coordinator,
                about=mentorship,
                period=period,
                context={**context, "names": _names(members)},
                link=reverse("admin:matching_mentorship_change", args=[mentorship.pk]),
                scheme=scheme,
            )


for job in (
    Job(
        name="remind-employer-confirmation",
        find=find_employer_confirmations,
        kinds=("employer_confirmation_reminder", "employer_not_confirmed"),
    ),
    Job(name="remind-pre-session-agenda", find=find_agenda_reminders, kinds=("agenda_reminder",)),
    Job(
        name="remind-post-session-forms",
        find=find_post_session_forms,
        kinds=("reflection_reminder", "session_record_reminder"),
    ),
    Job(
        name="remind-overdue-sessions",
        find=find_overdue_sessions,
        kinds=("session_overdue", "pair_overdue"),
    ),
):
    register_job(job)
