"""Whether a mentor may be matched with a mentee, and if not, why — in plain words.

The solver never proposes a forbidden pair because it scores with the same rules
(``matching.scoring``); every other way a pair can come about — a coordinator's pairing or swap,
a mentee's choice, publishing a round, the admin — asks :func:`pair_problems` first.
"""

import datetime

import numpy as np

from matching import loading
from matching.models import ConflictMode, MatchingPolicy
from matching.scoring import components
from mentoring.models import WorkingRelationship
from schemes.models import Enrolment, EnrolmentStatus, ParticipantRole


def policy_for(scheme) -> MatchingPolicy:
    """The scheme's policy, or the defaults (unsaved: reading a page never writes a row)."""
    return MatchingPolicy.objects.filter(scheme=scheme).first() or MatchingPolicy(scheme=scheme)


def relationship_sentences(a, b, on_date: datetime.date) -> list[str]:
    """Each current working relationship between people ``a`` and ``b``, either direction."""
    rels = (
        WorkingRelationship.objects.current(on_date)
        .filter(supervisor__in=[a, b], supervisee__in=[a, b])
        .select_related("supervisor__user", "supervisee__user")
    )
    return [
        f"{rel.supervisor.full_name} is {rel.supervisee.full_name}'s "
        f"{rel.get_kind_display().lower()}: a mentor is never their mentee's line manager, "
        "supervisor or designated prescribing practitioner."
        for rel in rels
    ]


def mentor_problems(mentor: Enrolment, on_date: datetime.date, *, extra: int = 0) -> list[str]:
    """Why this mentor cannot take one more mentee today (``extra``: mentees already promised
    to them elsewhere, e.g. other proposals accepted in the same round)."""
    from schemes.services import verdict_for_enrolment

    name, scheme = mentor.person.full_name, mentor.scheme
    if mentor.role != ParticipantRole.MENTOR:
        return [f"{name} is not a mentor on {scheme}."]
    if mentor.left_on:
        return [f"{name} left {scheme} on {mentor.left_on:%-d %B %Y}."]
    problems = []
    if mentor.status == EnrolmentStatus.PAUSED:
        problems.append(f"{name} is paused on {scheme} and takes no new mentees.")
    if mentor.not_taking_mentees_until and mentor.not_taking_mentees_until > on_date:
        problems.append(
            f"{name} is not taking new mentees until {mentor.not_taking_mentees_until:%-d %B %Y}."
        )
    capacity = mentor.capacity or scheme.mentor_capacity_max
    load = loading.mentor_loads([mentor.pk]).get(mentor.pk, 0) + extra
    if load >= capacity:
        problems.append(f"{name} has no room: {load} of {capacity} mentees already.")
    verdict = verdict_for_enrolment(mentor, on_date)
    if not verdict.eligible:
        reasons = " ".join(r.reason for r in verdict.blocking)
        problems.append(f"{name} does not meet the rules of {scheme} today: {reasons}")
    return problems


def pair_problems(
    mentor: Enrolment,
    mentee: Enrolment,
    *,
    on_date: datetime.date,
    check_mentor: bool = True,
    extra_load: int = 0,
    allow_open_mentorship: bool = False,
) -> list[str]:
    """Every reason the pair may not be matched; empty when it may."""
    scheme = mentee.scheme
    mentor_name, mentee_name = mentor.person.full_name, mentee.person.full_name
    if mentor.scheme_id != mentee.scheme_id:
        return [f"{mentor_name} and {mentee_name} are not on the same scheme."]
    if mentor.person_id == mentee.person_id:
        return [f"{mentee_name} cannot be their own mentor."]
    problems = []
    if mentee.role != ParticipantRole.MENTEE:
        problems.append(f"{mentee_name} is not a mentee on {scheme}.")
    elif mentee.left_on or mentee.status != EnrolmentStatus.ACTIVE:
        problems.append(f"{mentee_name} is not an active mentee on {scheme}.")
    elif not allow_open_mentorship and mentee.memberships.filter(is_open=True).exists():
        problems.append(f"{mentee_name} already has a proposed or active mentor on {scheme}.")
    if check_mentor:
        problems += mentor_problems(mentor, on_date, extra=extra_load)
    problems += conflict_sentences(mentor, mentee, on_date=on_date)
    return problems


def _parts(mentor: Enrolment, mentee: Enrolment, on_date, policy: MatchingPolicy) -> dict:
    features = loading.load_pair(mentor, mentee, on_date)
    return components(features, policy.as_policy(), np.array([0]), np.array([0]))


def setting_conflicts(
    mentor: Enrolment, mentee: Enrolment, on_date: datetime.date, policy: MatchingPolicy
) -> list[tuple[str, bool, str]]:
    """The scheme's own conflicts (not *off*) between the two: (name, is hard, sentence)."""
    parts = _parts(mentor, mentee, on_date, policy)
    a, b = mentor.person, mentee.person
    wording = {
        "same_organisation": f"{a.full_name} and {b.full_name} both work at {b.organisation}, "
        "and this scheme pairs people from different organisations.",
        "same_department": f"{a.full_name} and {b.full_name} both work in {b.department} at "
        f"{b.organisation}, and this scheme pairs people from different departments.",
        "supervisor_of_supervisor": f"{a.full_name} and {b.full_name} are two levels apart in "
        "a reporting or supervision line, and this scheme never pairs them.",
        "shared_line_manager": f"{a.full_name} and {b.full_name} share a line manager, and "
        "this scheme does not pair peers from the same team.",
    }
    found = []
    for name, clash in parts["conflicts"].items():
        mode = getattr(policy, name)
        if bool(clash[0]) and mode != ConflictMode.OFF:
            found.append((name, mode == ConflictMode.HARD, wording[name]))
    return found


def conflict_sentences(
    mentor: Enrolment, mentee: Enrolment, *, on_date: datetime.date
) -> list[str]:
    """Why the two may never be paired: a working relationship either way, or a conflict the
    scheme set to *hard*."""
    sentences = relationship_sentences(mentor.person_id, mentee.person_id, on_date)
    policy = policy_for(mentee.scheme)
    sentences += [s for _, hard, s in setting_conflicts(mentor, mentee, on_date, policy) if hard]
    return sentences
