"""Who may read what a form says — one place, used by every page, admin view, export and PDF.

Following each template's ``readers``:

* *author* — its author; the mentor of that mentorship only while the author shares it.
* *pair* — the mentors and mentees of that mentorship (a session record).
* *pair and coordinators* — those, and the coordinators of the scheme (superusers count as
  coordinators here, and only here).
* *coordinators in aggregate only* — its author; coordinators see counts and figures, never
  one person's answers — unless the author answered yes to ``allow_coordinators_to_read`` (the
  end-of-mentorship feedback asks it: "seen by coordinators only in aggregate unless the mentee
  allows").

Everyone else — another mentor, finance, a coordinator for anything but the third kind,
superusers for the others — may see at most *that* a form was completed and when
(:func:`may_see_completion`). A mentor's private notes are theirs alone (:func:`may_read_note`).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from matching.models import MentorshipMember
from mentoring.scoping import organisation_q
from sessions_log.models import Attendance, FormResponse, PrivateNote, Readers


def _member_q(user, role: str | None = None) -> Q:
    members = MentorshipMember.objects.filter(
        mentorship=OuterRef("mentorship"), enrolment__person__user=user
    )
    if role:
        members = members.filter(role=role)
    return Q(Exists(members))


def _in_session_q(user) -> Q:
    """A member of the session's mentorship who was in that session: its mentor, or a mentee
    with an attendance row (in a group, a mentee does not read the record of a session they
    were not part of)."""
    mentor = MentorshipMember.objects.filter(
        mentorship=OuterRef("session__mentorship"), enrolment__person__user=user, role="mentor"
    )
    present = Attendance.objects.filter(
        session=OuterRef("session"), member__enrolment__person__user=user
    )
    return Q(Exists(mentor)) | Q(Exists(present))


def _coordinated_q(user) -> Q | None:
    """Responses about the schemes ``user`` coordinates — through the mentorship, or through the
    enrolment for surveys, which have no mentorship. None: all of them (a superuser)."""
    if user.is_superuser:
        return None
    return organisation_q(user, prefix="mentorship__scheme__owner__") | organisation_q(
        user, prefix="enrolment__scheme__owner__"
    )


def readable_by(user, responses: QuerySet[FormResponse] | None = None) -> QuerySet[FormResponse]:
    """The responses whose content ``user`` may read, as one query."""
    responses = FormResponse.objects.all() if responses is None else responses
    if not user.is_authenticated:
        return responses.none()
    own = Q(author__user=user)
    shared = Q(template__readers=Readers.AUTHOR, shared_with_mentor=True) & _member_q(
        user, "mentor"
    )
    pair = Q(template__readers__in=[Readers.PAIR, Readers.PAIR_AND_COORDINATORS]) & (
        Q(session__isnull=True, mentorship__isnull=False) & _member_q(user)
        | Q(session__isnull=False) & _in_session_q(user)
    )
    allowed = own | shared | pair
    scope = _coordinated_q(user)
    coordinated = Q(template__readers=Readers.PAIR_AND_COORDINATORS) | Q(
        status=FormResponse.Status.SUBMITTED,
        template__readers=Readers.COORDINATORS_AGGREGATE,
        answers__allow_coordinators_to_read="yes",
    )
    allowed |= coordinated if scope is None else coordinated & scope
    return responses.filter(allowed)


def may_read(user, response: FormResponse) -> bool:
    return readable_by(user, FormResponse.objects.filter(pk=response.pk)).exists()


def may_see_completion(user, response: FormResponse) -> bool:
    """That a form was completed, and when: its readers, and the scheme's coordinators."""
    if may_read(user, response):
        return True
    if not user.is_authenticated:
        return False
    scope = _coordinated_q(user)
    return scope is None or FormResponse.objects.filter(scope, pk=response.pk).exists()


def may_read_note(user, note: PrivateNote) -> bool:
    return user.is_authenticated and note.author.user_id == user.pk
