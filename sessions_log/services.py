"""Every write about mentoring sessions: planning, changing and logging them, the pair's session
record, actions, a mentor's private notes, locking, and the employer's confirmation.

Each checks who is asking — a mentor of the mentorship for the session itself, either member for
the session record, the action's owner for ticking it off — and refuses with a
:class:`~sessions_log.errors_sessions.SessionError`, so nothing is saved. A locked session's
details, attendance, record and actions do not change. Notifications go out after commit.

Attendance rows name who a session is with (every mentee of the mentorship, or one of a group);
``attended`` is set when the session is logged.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matching import services as matching
from matching.errors import MatchingError
from matching.models import Mentorship, MentorshipKind, MentorshipMember, MentorshipStatus
from mentoring.models import Person, RelationshipKind, User, WorkingRelationship
from mentoring.notifications import notify
from mentoring.scoping import organisation_q
from schemes.models import ParticipantRole
from sessions_log import questions
from sessions_log.errors_sessions import SessionError, SessionRefusal
from sessions_log.form_templates import current_template
from sessions_log.models import (
    Action,
    Attendance,
    EmployerConfirmation,
    FormKind,
    FormResponse,
    MentoringSession,
    PrivateNote,
    SessionMode,
    SessionStatus,
)

logger = logging.getLogger(__name__)

DURATION_MIN, DURATION_MAX = 1, 480
MENTOR_LOCK = "Locked by the mentor"
COORDINATOR_LOCK = "Locked by a coordinator"
LOCKS_PEOPLE_MAY_LIFT = {MENTOR_LOCK, COORDINATOR_LOCK}
OUTCOMES = (SessionStatus.HELD, SessionStatus.CANCELLED, SessionStatus.DID_NOT_ATTEND)


# who is asking ----------------------------------------------------------------------------------
def member_of(mentorship: Mentorship, user: User | None) -> MentorshipMember | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        MentorshipMember.objects.select_related("enrolment__person__user")
        .filter(mentorship=mentorship, enrolment__person__user=user)
        .first()
    )


def _member(mentorship: Mentorship, user: User) -> MentorshipMember:
    member = member_of(mentorship, user)
    if member is None:
        raise SessionError(SessionRefusal.NOT_A_MEMBER, "You are not part of this mentorship.")
    return member


def _in_session(session: MentoringSession, user: User) -> MentorshipMember:
    """A mentor of the mentorship, or a mentee the session is with (a group's session may be with
    one mentee only)."""
    member = _member(session.mentorship, user)
    if (
        member.role == ParticipantRole.MENTEE
        and not session.attendance.filter(member=member).exists()
    ):
        raise SessionError(SessionRefusal.NOT_A_MEMBER, "You were not part of this session.")
    return member


def _mentor(mentorship: Mentorship, user: User) -> MentorshipMember:
    member = _member(mentorship, user)
    if member.role != ParticipantRole.MENTOR:
        raise SessionError(
            SessionRefusal.MENTOR_ONLY, "Only the mentor can do this for a mentoring session."
        )
    return member


def coordinates(user: User | None, mentorship: Mentorship) -> bool:
    """A superuser, or a coordinator of the organisation that owns the mentorship's scheme."""
    if user is None or not user.is_authenticated:
        return False
    scope = organisation_q(user, prefix="scheme__owner__")
    return scope is None or Mentorship.objects.filter(scope, pk=mentorship.pk).exists()


def _locked_row(session: MentoringSession) -> MentoringSession:
    return (
        MentoringSession.objects.select_for_update(of=("self",))
        .select_related("mentorship__scheme")
        .get(pk=session.pk)
    )


def _refuse_if_locked(session: MentoringSession) -> None:
    if session.is_locked:
        raise SessionError(
            SessionRefusal.LOCKED,
            f"This session is locked ({session.locked_reason.lower() or 'locked'}), so it cannot "
            "be changed or deleted.",
        )


def _check_duration(minutes) -> None:
    if not isinstance(minutes, int) or not DURATION_MIN <= minutes <= DURATION_MAX:
        raise SessionError(
            SessionRefusal.DURATION,
            f"Enter a length from {DURATION_MIN} to {DURATION_MAX} minutes.",
            field="duration_minutes",
        )


def _check_open(mentorship: Mentorship) -> None:
    if mentorship.status == MentorshipStatus.ENDED:
        raise SessionError(SessionRefusal.MENTORSHIP_ENDED, "This mentorship has ended.")


def _invitees(mentorship: Mentorship, mentees) -> list[MentorshipMember]:
    """The mentees a session is with: those given (each a mentee of this mentorship), or all."""
    all_mentees = list(mentorship.members.filter(role=ParticipantRole.MENTEE).order_by("pk"))
    if not mentees:
        return all_mentees
    by_id = {m.pk: m for m in all_mentees}
    chosen = [by_id.get(getattr(m, "pk", m)) for m in mentees]
    if None in chosen:
        raise SessionError(
            SessionRefusal.NOT_INVITED,
            "Choose mentees of this mentorship for the session.",
            field="mentees",
        )
    return list(dict.fromkeys(chosen))


def _others(session: MentoringSession, by: User | None) -> list[User]:
    """Everyone the session is with except ``by``: its mentees and the mentorship's mentors."""
    members = MentorshipMember.objects.filter(
        Q(role=ParticipantRole.MENTOR) | Q(attendance__session=session),
        mentorship_id=session.mentorship_id,
    ).select_related("enrolment__person__user")
    users = {m.enrolment.person.user for m in members}
    return sorted((u for u in users if by is None or u.pk != by.pk), key=lambda u: u.pk)


def _session_context(session: MentoringSession) -> dict:
    local = timezone.localtime(session.starts_at)
    return {
        "scheme": session.mentorship.scheme.name,
        "session_id": session.pk,
        "mentorship_id": session.mentorship_id,
        "when": f"{local:%A} {local.day} {local:%B %Y at %H:%M}",
        "duration_minutes": session.duration_minutes,
        "mode": session.get_mode_display(),
        "location": session.location,
    }


# planning and changing --------------------------------------------------------------------------
def plan_session(
    *,
    mentorship: Mentorship,
    by: User,
    starts_at: datetime.datetime,
    duration_minutes: int,
    mode: str,
    location: str = "",
    mentees: list[MentorshipMember] | None = None,
) -> MentoringSession:
    """A mentor plans a session with every mentee of the mentorship, or with some of a group.
    The others are told, with the session as a calendar file; on a scheme where the employer
    confirms contact, the mentee's line manager is asked (once) to confirm."""
    with transaction.atomic():
        mentorship = (
            Mentorship.objects.select_for_update().select_related("scheme").get(pk=mentorship.pk)
        )
        _mentor(mentorship, by)
        _check_open(mentorship)
        _check_duration(duration_minutes)
        if mode not in SessionMode.values:
            raise SessionError(SessionRefusal.EMPTY, "Choose how you will meet.", field="mode")
        invitees = _invitees(mentorship, mentees)
        session = MentoringSession.objects.create(
            mentorship=mentorship,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            mode=mode,
            location=location.strip(),
            created_by=by,
        )
        Attendance.objects.bulk_create(
            Attendance(session=session, member=member, attended=False) for member in invitees
        )
        for user in _others(session, by):
            notify(
                kind="session_planned",
                recipient=user,
                about=session,
                context={**_session_context(session), "planned_by": by.get_full_name()},
            )
        if mentorship.scheme.employer_confirms_contact:
            request_employer_confirmation(mentorship=mentorship)
    return session


def update_session(
    *,
    session: MentoringSession,
    by: User,
    starts_at: datetime.datetime,
    duration_minutes: int,
    mode: str,
    location: str = "",
    mentees: list[MentorshipMember] | None = None,
) -> MentoringSession:
    """A mentor changes when, how long, how or where — not once the session is locked, and a
    held session cannot move into the future. Others hear of a change to a planned session."""
    with transaction.atomic():
        session = _locked_row(session)
        _mentor(session.mentorship, by)
        _refuse_if_locked(session)
        _check_duration(duration_minutes)
        if session.status == SessionStatus.HELD and starts_at > timezone.now():
            raise SessionError(
                SessionRefusal.HELD_IN_FUTURE,
                "A session that was held cannot be in the future.",
                field="date",
            )
        location = location.strip()
        changed = (session.starts_at, session.duration_minutes, session.mode, session.location) != (
            starts_at,
            duration_minutes,
            mode,
            location,
        )
        session.starts_at = starts_at
        session.duration_minutes = duration_minutes
        session.mode = mode
        session.location = location
        session.save()
        if mentees is not None and session.status == SessionStatus.PLANNED:
            invitees = _invitees(session.mentorship, mentees)
            if {a.member_id for a in session.attendance.all()} != {m.pk for m in invitees}:
                session.attendance.all().delete()
                Attendance.objects.bulk_create(
                    Attendance(session=session, member=m, attended=False) for m in invitees
                )
        if changed and session.status == SessionStatus.PLANNED:
            for user in _others(session, by):
                notify(
                    kind="session_changed",
                    recipient=user,
                    about=session,
                    period=session.updated_at.isoformat(),
                    context=_session_context(session),
                )
    return session


def log_session(
    *,
    session: MentoringSession,
    by: User,
    outcome: str,
    attended: list[MentorshipMember] | None = None,
) -> MentoringSession:
    """A mentor logs a session as held, cancelled or did not attend. For a held group session,
    ``attended`` names the mentees who came (a one-to-one mentee attended). A held session counts
    as each attendee's meeting in matching, which makes the mentorship active after the first;
    both members are then asked to complete the mentoring agreement."""
    if outcome not in OUTCOMES:
        raise SessionError(
            SessionRefusal.EMPTY, "Choose what happened to the session.", field="outcome"
        )
    with transaction.atomic():
        session = _locked_row(session)
        mentorship = session.mentorship
        mentor = _mentor(mentorship, by)
        _refuse_if_locked(session)
        if outcome == SessionStatus.HELD and session.starts_at > timezone.now():
            raise SessionError(
                SessionRefusal.HELD_IN_FUTURE,
                "A session cannot be logged as held before it has started.",
                field="outcome",
            )
        rows = list(session.attendance.select_related("member__enrolment"))
        came: set[int] = set()
        if outcome == SessionStatus.HELD:
            if attended is None and len(rows) == 1:
                came = {rows[0].member_id}
            else:
                came = {getattr(m, "pk", m) for m in attended or []}
                if came - {row.member_id for row in rows}:
                    raise SessionError(
                        SessionRefusal.NOT_INVITED,
                        "Choose only mentees this session was with.",
                        field="attended",
                    )
            if not came:
                raise SessionError(
                    SessionRefusal.NOBODY_ATTENDED,
                    "Choose who attended. If no mentee came, log it as did not attend.",
                    field="attended",
                )
        for row in rows:
            row.attended = row.member_id in came
        Attendance.objects.bulk_update(rows, ["attended"])
        session.status = outcome
        session.save(update_fields=["status", "updated_at"])
        if outcome == SessionStatus.HELD:
            was_active = mentorship.status == MentorshipStatus.ACTIVE
            try:
                mentorship = matching.record_meeting(
                    mentorship=mentorship,
                    held_on=timezone.localdate(session.starts_at),
                    attended=[mentor.enrolment]
                    + [row.member.enrolment for row in rows if row.member_id in came],
                    by=by,
                )
            except MatchingError as refusal:
                raise SessionError(SessionRefusal.MENTORSHIP_ENDED, *refusal.reasons) from None
            if not was_active and mentorship.status == MentorshipStatus.ACTIVE:
                _ask_for_agreement(mentorship)
    return session


def _ask_for_agreement(mentorship: Mentorship) -> None:
    members = mentorship.members.select_related("enrolment__person__user")
    for member in members:
        notify(
            kind="session_first_held",
            recipient=member.enrolment.person.user,
            about=mentorship,
            context={"scheme": mentorship.scheme.name, "mentorship_id": mentorship.pk},
        )


def delete_session(*, session: MentoringSession, by: User) -> None:
    """A mentor deletes a planned session nobody has written about yet (otherwise, cancel it)."""
    with transaction.atomic():
        session = _locked_row(session)
        _mentor(session.mentorship, by)
        _refuse_if_locked(session)
        if session.status != SessionStatus.PLANNED:
            raise SessionError(
                SessionRefusal.NOT_PLANNED,
                "Only a planned session can be deleted. Log it as cancelled instead.",
            )
        if FormResponse.objects.filter(session=session).exists():
            raise SessionError(
                SessionRefusal.HAS_RESPONSES,
                "Someone has already written about this session, so it cannot be deleted. "
                "Log it as cancelled instead.",
            )
        session.delete()


# locking ----------------------------------------------------------------------------------------
def lock_session(
    *, session: MentoringSession, by: User | None, reason: str = ""
) -> MentoringSession:
    """Lock a held session against changes and deletion: its mentor, a coordinator of its scheme,
    or (``by=None``) the system, e.g. when a claim rests on it."""
    with transaction.atomic():
        session = _locked_row(session)
        if by is not None:
            if coordinates(by, session.mentorship) and member_of(session.mentorship, by) is None:
                reason = reason or COORDINATOR_LOCK
            else:
                _mentor(session.mentorship, by)
                reason = MENTOR_LOCK
        if session.status != SessionStatus.HELD:
            raise SessionError(SessionRefusal.NOT_HELD, "Only a held session can be locked.")
        if session.is_locked:
            return session
        session.locked_at = timezone.now()
        session.locked_reason = (reason or MENTOR_LOCK)[:200]
        session.save(update_fields=["locked_at", "locked_reason", "updated_at"])
    return session


def unlock_session(*, session: MentoringSession, by: User | None) -> MentoringSession:
    """Lift a lock. A mentor lifts only their own; a coordinator a mentor's or a coordinator's;
    any other lock (a claim's) only the system that set it (``by=None``)."""
    with transaction.atomic():
        session = _locked_row(session)
        if not session.is_locked:
            raise SessionError(SessionRefusal.NOT_LOCKED, "This session is not locked.")
        if by is not None:
            if coordinates(by, session.mentorship) and member_of(session.mentorship, by) is None:
                allowed = LOCKS_PEOPLE_MAY_LIFT
            else:
                _mentor(session.mentorship, by)
                allowed = {MENTOR_LOCK}
            if session.locked_reason not in allowed:
                raise SessionError(
                    SessionRefusal.LOCKED_BY_CLAIM,
                    f"This session is locked ({session.locked_reason.lower()}) and cannot be "
                    "unlocked here.",
                )
        session.locked_at = None
        session.locked_reason = ""
        session.save(update_fields=["locked_at", "locked_reason", "updated_at"])
    return session


# the session record -----------------------------------------------------------------------------
def session_record_of(session: MentoringSession) -> FormResponse | None:
    """The pair's shared session record of a session, if anyone has started it."""
    return (
        FormResponse.objects.filter(session=session, template__kind=FormKind.SESSION_RECORD)
        .select_related("template", "last_edited_by")
        .order_by("pk")
        .first()
    )


def record_template(session: MentoringSession):
    """The template a session's record is (or will be) written against."""
    record = session_record_of(session)
    if record is not None:
        return record.template
    return current_template(session.mentorship.scheme, FormKind.SESSION_RECORD)


def save_session_record(
    *, session: MentoringSession, by: User, answers: dict, submit: bool = False
) -> FormResponse:
    """Either member writes the session record (the planned agenda beforehand, the rest after).
    One record per session, shared by the pair; it is completed once the session is held."""
    with transaction.atomic():
        session = _locked_row(session)
        member = _in_session(session, by)
        _refuse_if_locked(session)
        record = session_record_of(session)
        if submit and session.status != SessionStatus.HELD:
            raise SessionError(
                SessionRefusal.NOT_HELD,
                "You can complete the session record once the session is logged as held. "
                "Save it as a draft until then.",
            )
        if record is None:
            template = current_template(session.mentorship.scheme, FormKind.SESSION_RECORD)
            if template is None:
                raise SessionError(
                    SessionRefusal.NO_TEMPLATE, "This scheme has no session record form yet."
                )
            record = FormResponse(
                template=template,
                author=member.enrolment.person,
                mentorship=session.mentorship,
                session=session,
            )
        # A member edits the questions their role sees; answers to the others' questions stay.
        mine = set()
        for question in questions.for_role(record.template.questions, member.role):
            mine |= {question["key"], f"{question['key']}_other"}
        kept = {key: value for key, value in record.answers.items() if key not in mine}
        record.answers = {**kept, **answers}
        record.last_edited_by = by
        if submit and record.status != FormResponse.Status.SUBMITTED:
            record.status = FormResponse.Status.SUBMITTED
            record.submitted_at = timezone.now()
        record.save()
    return record


# actions ----------------------------------------------------------------------------------------
def add_action(
    *,
    session: MentoringSession,
    by: User,
    text: str,
    owner: MentorshipMember,
    due_on: datetime.date | None = None,
) -> Action:
    """The mentor records an issue for action with its owner (a member) and due date; open
    actions are shown on every later session until done."""
    text = text.strip()
    with transaction.atomic():
        session = _locked_row(session)
        _mentor(session.mentorship, by)
        _refuse_if_locked(session)
        if not text:
            raise SessionError(SessionRefusal.EMPTY, "Enter the action.", field="text")
        if owner is None or owner.mentorship_id != session.mentorship_id:
            raise SessionError(
                SessionRefusal.OWNER,
                "Choose someone in this mentorship to own the action.",
                field="owner",
            )
        return Action.objects.create(session=session, text=text, owner=owner, due_on=due_on)


def complete_action(*, action: Action, by: User, on_date: datetime.date | None = None) -> Action:
    """The action's owner or a mentor of the mentorship marks it done."""
    with transaction.atomic():
        action = (
            Action.objects.select_for_update(of=("self",))
            .select_related("session__mentorship", "owner__enrolment__person")
            .get(pk=action.pk)
        )
        member = _member(action.session.mentorship, by)
        if member.role != ParticipantRole.MENTOR and member.pk != action.owner_id:
            raise SessionError(
                SessionRefusal.OWNER, "Only the action's owner or the mentor can mark it done."
            )
        if action.done_on is None:
            action.done_on = on_date or timezone.localdate()
            action.save(update_fields=["done_on"])
    return action


# private notes ----------------------------------------------------------------------------------
def save_private_note(*, session: MentoringSession, by: User, text: str) -> PrivateNote | None:
    """A mentor's own notes on a session, which nobody else reads; empty text deletes them.
    They are the mentor's, so a lock on the session does not hold them."""
    member = _mentor(session.mentorship, by)
    text = text.strip()
    author = member.enrolment.person
    with transaction.atomic():
        if not text:
            PrivateNote.objects.filter(session=session, author=author).delete()
            return None
        note, _ = PrivateNote.objects.update_or_create(
            session=session, author=author, defaults={"text": text}
        )
    return note


# the employer's confirmation --------------------------------------------------------------------
def line_manager_of(person: Person, on_date: datetime.date | None = None) -> Person | None:
    """The person's current line manager on record (the latest to start, if several)."""
    relationship = (
        WorkingRelationship.objects.current(on_date or timezone.localdate())
        .filter(supervisee=person, kind=RelationshipKind.LINE_MANAGER)
        .select_related("supervisor__user")
        .order_by("-start_date", "-pk")
        .first()
    )
    return relationship.supervisor if relationship else None


def request_employer_confirmation(*, mentorship: Mentorship) -> EmployerConfirmation | None:
    """On a scheme that asks it, the mentee's line manager confirms that first contact took place
    and protected time is agreed. Once per mentorship; None if the scheme does not ask, if it is a
    group, or if no line manager is on record."""
    mentorship = Mentorship.objects.select_related("scheme").get(pk=mentorship.pk)
    if (
        not mentorship.scheme.employer_confirms_contact
        or mentorship.kind == MentorshipKind.GROUP
        or mentorship.status == MentorshipStatus.ENDED
    ):
        return None
    existing = EmployerConfirmation.objects.filter(mentorship=mentorship).first()
    if existing is not None:
        return existing
    members = list(mentorship.members.select_related("enrolment__person__user"))
    mentee = next((m for m in members if m.role == ParticipantRole.MENTEE), None)
    mentor = next((m for m in members if m.role == ParticipantRole.MENTOR), None)
    if mentee is None or mentor is None:
        return None
    manager = line_manager_of(mentee.enrolment.person)
    if manager is None:
        return None
    with transaction.atomic():
        confirmation, created = EmployerConfirmation.objects.get_or_create(
            mentorship=mentorship, defaults={"line_manager": manager}
        )
        if created:
            notify(
                kind="employer_confirmation_requested",
                recipient=manager.user,
                about=confirmation,
                context={
                    "scheme": mentorship.scheme.name,
                    "mentee": mentee.enrolment.person.full_name,
                    "mentor": mentor.enrolment.person.full_name,
                    "confirmation_id": confirmation.pk,
                },
            )
    return confirmation


def confirm_employer(
    *, confirmation: EmployerConfirmation, by: User, contact: bool, protected_time: bool
) -> EmployerConfirmation:
    """The line manager confirms first contact, protected time, or both (each once, kept)."""
    with transaction.atomic():
        confirmation = (
            EmployerConfirmation.objects.select_for_update(of=("self",))
            .select_related("line_manager")
            .get(pk=confirmation.pk)
        )
        if by is None or confirmation.line_manager.user_id != by.pk:
            raise SessionError(
                SessionRefusal.NOT_LINE_MANAGER,
                "Only the mentee's line manager on record can confirm this.",
            )
        already = confirmation.contact_confirmed_at or confirmation.protected_time_agreed_at
        if not (contact or protected_time) and not already:
            raise SessionError(
                SessionRefusal.NOTHING_CONFIRMED,
                "Tick what you can confirm.",
                field="contact_confirmed",
            )
        now = timezone.now()
        if contact and confirmation.contact_confirmed_at is None:
            confirmation.contact_confirmed_at = now
        if protected_time and confirmation.protected_time_agreed_at is None:
            confirmation.protected_time_agreed_at = now
        confirmation.save(update_fields=["contact_confirmed_at", "protected_time_agreed_at"])
    return confirmation


def mentorship_saved(sender, instance, created, raw=False, **kwargs):
    """A new mentorship on a scheme where the employer confirms contact: ask the line manager once
    its members exist (they are saved after the mentorship row, in the same transaction)."""
    if not created or raw:
        return
    if not instance.scheme.employer_confirms_contact:
        return
    pk = instance.pk

    def ask():
        mentorship = Mentorship.objects.filter(pk=pk).first()
        if mentorship is not None:
            request_employer_confirmation(mentorship=mentorship)

    transaction.on_commit(ask, robust=True)
