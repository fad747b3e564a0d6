"""The sessions app's part of data rights (``mentoring.privacy``).

A person's download holds the sessions of their mentorships (and whether they attended), the
actions they own, their own private notes, and the forms they may read as the one they concern:
everything they wrote — agendas, reflections, session records, surveys, feedback — and the
pair's shared forms (a session record, the agreement, the development plan), which both members
read anyway. Never a form another person wrote for themselves: a mentee's reflection is not in
the mentor's download even when the mentee shared it with them (sharing let the mentor read it,
it did not make it theirs), and a mentor's private notes are in nobody's download but theirs.
Survey answers are here (not with the schemes app's data) because the survey forms live here.
"""

from django.db.models import Q

from matching.models import MentorshipMember
from mentoring.models import Person, User
from mentoring.privacy import Erasure, RetentionRule, Section, display, register_part, row
from sessions_log import visibility
from sessions_log.models import (
    Action,
    Attendance,
    FormKind,
    FormResponse,
    MentoringSession,
    PrivateNote,
    Readers,
)

SHARED_READERS = [Readers.PAIR, Readers.PAIR_AND_COORDINATORS]
# Written by a person for their own reflection: removed once the mentorship is long over.
REFLECTION_KINDS = [FormKind.PRE_SESSION, FormKind.POST_SESSION]


def _memberships(person: Person):
    return MentorshipMember.objects.filter(enrolment__person=person).values("mentorship_id")


def answered(response: FormResponse) -> list[dict]:
    """The answers with their questions' words, in the template's order."""
    answers = dict(response.answers or {})
    out = []
    for question in response.template.questions or []:
        key = question.get("key")
        if key in answers:
            out.append({"question": question.get("text", key), "answer": answers.pop(key)})
    out += [{"question": key, "answer": value} for key, value in answers.items()]
    return out


def sections(user: User, person: Person | None) -> list[Section]:
    if person is None:
        return []
    attended = dict(
        Attendance.objects.filter(member__enrolment__person=person).values_list(
            "session_id", "attended"
        )
    )
    sessions = [
        row(
            scheme=s.mentorship.scheme.name,
            starts_at=s.starts_at,
            duration_minutes=s.duration_minutes,
            mode=display(s, "mode"),
            location=s.location,
            status=display(s, "status"),
            you_attended=attended.get(s.pk),
        )
        for s in MentoringSession.objects.filter(mentorship__in=_memberships(person))
        .select_related("mentorship__scheme")
        .order_by("starts_at", "pk")
    ]
    actions = [
        row(session_on=a.session.starts_at, action=a.text, due_on=a.due_on, done_on=a.done_on)
        for a in Action.objects.filter(owner__enrolment__person=person)
        .select_related("session")
        .order_by("session__starts_at", "pk")
    ]
    notes = [
        row(session_on=n.session.starts_at, note=n.text, updated_at=n.updated_at)
        for n in PrivateNote.objects.filter(author=person)
        .select_related("session")
        .order_by("session__starts_at", "pk")
    ]
    mine_or_shared = FormResponse.objects.filter(
        Q(author=person)
        | Q(template__readers__in=SHARED_READERS, mentorship__in=_memberships(person))
    )
    responses = [
        row(
            form=r.template.title,
            kind=r.template.get_kind_display(),
            version=r.template.version,
            written_by="You" if r.author_id == person.pk else r.author.user.get_full_name(),
            scheme=(r.mentorship.scheme.name if r.mentorship_id else "")
            or (r.enrolment.scheme.name if r.enrolment_id else ""),
            session_on=r.session.starts_at if r.session_id else None,
            status=r.get_status_display(),
            submitted_at=r.submitted_at,
            shared_with_mentor=r.shared_with_mentor,
            answers=answered(r),
        )
        for r in visibility.readable_by(user, mine_or_shared)
        .select_related(
            "template", "author__user", "mentorship__scheme", "enrolment__scheme", "session"
        )
        .order_by("created_at", "pk")
    ]
    return [
        Section("sessions", "Mentoring sessions", sessions),
        Section("actions", "Actions you own", actions),
        Section("private_notes", "Your private notes on sessions", notes),
        Section("form_responses", "Forms, reflections and surveys", responses),
    ]


def erase(person: Person, erasure: Erasure) -> dict[str, int]:
    """What they wrote goes; that a form was completed, and when, stays for the figures."""
    return {
        "form_responses": FormResponse.objects.filter(author=person).update(answers={}),
        "private_notes": PrivateNote.objects.filter(author=person).delete()[0],
        "actions": Action.objects.filter(owner__enrolment__person=person).update(text=""),
    }


def expired_reflections(cutoff):
    """Agendas and reflections of mentorships that ended before ``cutoff``, not yet emptied."""
    return FormResponse.objects.filter(
        template__kind__in=REFLECTION_KINDS, mentorship__ended_on__lt=cutoff.date()
    ).exclude(answers={})


def empty_answers(ids: list[int]) -> int:
    return FormResponse.objects.filter(pk__in=ids).update(answers={})


def expired_private_notes(cutoff):
    return PrivateNote.objects.filter(session__mentorship__ended_on__lt=cutoff.date())


register_part(
    "sessions_log",
    order=3,
    sections=sections,
    erase=erase,
    retention=(
        RetentionRule(
            "reflections",
            "answers of pre-session agendas and post-session reflections of mentorships that ended",
            FormResponse,
            expired_reflections,
            remove=empty_answers,
        ),
        RetentionRule(
            "private_notes",
            "mentors' private notes on sessions of mentorships that ended",
            PrivateNote,
            expired_private_notes,
        ),
    ),
)
