"""From the database to the arrays the scorer and solver use, in a constant number of queries.

Who takes part on a date: mentees with an active enrolment and no proposed or active mentorship
on the scheme; mentors with an active enrolment (the nightly re-check pauses those who stop
meeting the rules), whose last check has not expired, who are taking mentees and have room.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Q

from matching.models import MentorPreference, MentorshipMember
from matching.scoring import Features, Pairs, People
from mentoring.models import Person, RelationshipKind, WorkingRelationship
from schemes.models import Application, Cohort, Enrolment, EnrolmentStatus, ParticipantRole, Scheme


@dataclass
class Loaded:
    features: Features
    capacity: np.ndarray  # remaining, per mentor row
    mentors: list[int]  # enrolment ids, one per mentor row
    mentees: list[int]
    emails: dict[int, str]  # enrolment id -> login e-mail


def mentor_candidates(scheme: Scheme, on_date: datetime.date):
    return Enrolment.objects.filter(
        scheme=scheme,
        role=ParticipantRole.MENTOR,
        left_on__isnull=True,
        status=EnrolmentStatus.ACTIVE,
    ).filter(
        Q(eligible_until__isnull=True) | Q(eligible_until__gte=on_date),
        Q(not_taking_mentees_until__isnull=True) | Q(not_taking_mentees_until__lte=on_date),
    )


def unmatched_mentees(scheme: Scheme):
    return Enrolment.objects.filter(
        scheme=scheme,
        role=ParticipantRole.MENTEE,
        left_on__isnull=True,
        status=EnrolmentStatus.ACTIVE,
    ).exclude(memberships__is_open=True)


def mentor_loads(enrolment_ids) -> dict[int, int]:
    """Mentees in each mentor's proposed or active mentorships."""
    rows = (
        MentorshipMember.objects.filter(
            role="mentee",
            is_open=True,
            mentorship__members__enrolment__in=enrolment_ids,
            mentorship__members__role="mentor",
        )
        .values("mentorship__members__enrolment")
        .annotate(n=Count("pk"))
    )
    return {row["mentorship__members__enrolment"]: row["n"] for row in rows}


def remaining_capacity(enrolments: list[Enrolment], scheme: Scheme, ids=None) -> dict[int, int]:
    """``ids``: the same enrolments as a queryset of ids, so a national round does not put
    tens of thousands of ids into one query (SQLite allows 32,766 parameters)."""
    loads = mentor_loads(ids if ids is not None else [e.pk for e in enrolments])
    return {
        e.pk: (e.capacity or scheme.mentor_capacity_max) - loads.get(e.pk, 0) for e in enrolments
    }


def _bitmasks(ids_per_row: list[set[int]], rank: dict[int, int]) -> np.ndarray:
    words = max(1, (len(rank) + 63) // 64)
    bits = np.zeros((len(ids_per_row), words), np.uint64)
    for row, ids in enumerate(ids_per_row):
        for i in ids:
            r = rank[i]
            bits[row, r // 64] |= np.uint64(1) << np.uint64(r % 64)
    return bits


def _m2m(through, person_ids, column) -> dict[int, set[int]]:
    out = defaultdict(set)
    for person_id, value in through.objects.filter(person_id__in=person_ids).values_list(
        "person_id", column
    ):
        out[person_id].add(value)
    return out


def load(
    scheme: Scheme,
    on_date: datetime.date,
    *,
    mentees=None,
    mentors=None,
    with_capacity: bool = True,
) -> Loaded:
    """The round's Features: by default every unmatched mentee and every available mentor with
    room; ``mentees`` / ``mentors`` narrow it to given enrolment querysets (a single pair, a
    shortlist)."""
    mentee_qs = unmatched_mentees(scheme) if mentees is None else mentees
    mentor_qs = mentor_candidates(scheme, on_date) if mentors is None else mentors
    mentee_rows = list(
        mentee_qs.select_related("person__user", "cohort", "application").order_by("pk")
    )
    mentor_rows = list(mentor_qs.select_related("person__user").order_by("pk"))
    if with_capacity:
        room = remaining_capacity(mentor_rows, scheme, mentor_qs.values("pk"))
        mentor_rows = [e for e in mentor_rows if room[e.pk] > 0]
        capacity = np.array([room[e.pk] for e in mentor_rows], np.int64)
    else:
        capacity = np.ones(len(mentor_rows), np.int64)

    person_ids = Person.objects.filter(
        Q(pk__in=mentee_qs.values("person_id")) | Q(pk__in=mentor_qs.values("person_id"))
    ).values("pk")
    sectors = _m2m(Person.sectors.through, person_ids, "sector_id")
    scopes = _m2m(Person.scopes_of_practice.through, person_ids, "scopeofpractice_id")
    focus = _m2m(Person.focus_areas.through, person_ids, "focusarea_id")
    application_ids = mentee_qs.filter(application__isnull=False).values("application_id")
    wanted = defaultdict(set)
    for app_id, area in Application.focus_areas.through.objects.filter(
        application_id__in=application_ids
    ).values_list("application_id", "focusarea_id"):
        wanted[app_id].add(area)

    def ranks(groups):
        ids = sorted({i for g in groups.values() for i in g})
        return {i: n for n, i in enumerate(ids)}

    sector_rank, scope_rank = ranks(sectors), ranks(scopes)
    focus_rank = ranks(
        {"people": set().union(*focus.values()), "wanted": set().union(*wanted.values())}
    )
    regions: dict[str, int] = {}
    departments: dict[tuple[int, str], int] = {}

    def people(rows, *, mentee: bool) -> People:
        persons = [e.person for e in rows]
        return People(
            person=np.array([p.pk for p in persons], np.int64),
            organisation=np.array([p.organisation_id for p in persons], np.int64),
            department=np.array(
                [
                    departments.setdefault(
                        (p.organisation_id, p.department.strip().lower()), len(departments)
                    )
                    if p.department.strip()
                    else -1
                    for p in persons
                ],
                np.int64,
            ),
            region=np.array(
                [
                    regions.setdefault(p.region.strip().lower(), len(regions))
                    if p.region.strip()
                    else -1
                    for p in persons
                ],
                np.int64,
            ),
            sectors=_bitmasks([sectors.get(p.pk, set()) for p in persons], sector_rank),
            scope=_bitmasks([scopes.get(p.pk, set()) for p in persons], scope_rank),
            focus=_bitmasks(
                [
                    focus.get(e.person_id, set())
                    | (wanted.get(e.application_id, set()) if mentee else set())
                    for e in rows
                ],
                focus_rank,
            ),
        )

    priorities = sorted(
        set(Cohort.objects.filter(scheme=scheme).values_list("priority", flat=True))
    )
    level_of = {p: n for n, p in enumerate(priorities)}
    levels = len(priorities) + 1
    level = np.array(
        [level_of[e.cohort.priority] if e.cohort else len(priorities) for e in mentee_rows],
        np.int64,
    )
    cohort_value = np.where(level < len(priorities), 1 - level / max(levels - 1, 1), 0.0)

    mentee_row = {e.pk: n for n, e in enumerate(mentee_rows)}
    mentor_row = {e.pk: n for n, e in enumerate(mentor_rows)}
    mentee_of_person = {e.person_id: n for n, e in enumerate(mentee_rows)}
    mentor_of_person = {e.person_id: n for n, e in enumerate(mentor_rows)}

    relationship, grand, peers = _relationship_pairs(
        person_ids, on_date, mentee_of_person, mentor_of_person
    )
    ranking = _ranking(mentee_qs.values("pk"), mentee_row, mentor_row)
    features = Features(
        mentees=people(mentee_rows, mentee=True),
        mentors=people(mentor_rows, mentee=False),
        level=level,
        cohort_value=cohort_value,
        relationship=relationship,
        supervisor_of_supervisor=grand,
        shared_line_manager=peers,
        ranking=ranking,
    )
    emails = {e.pk: e.person.user.email for e in [*mentee_rows, *mentor_rows]}
    return Loaded(
        features=features,
        capacity=capacity,
        mentors=[e.pk for e in mentor_rows],
        mentees=[e.pk for e in mentee_rows],
        emails=emails,
    )


def _relationship_pairs(person_ids, on_date, mentee_of, mentor_of):
    """Current working relationships touching anyone in the round, as mentee/mentor row pairs:
    direct (either direction), two levels up a chain (either direction), and peers who share a
    line manager. Both links of a chain between two people in the round touch one of them, so
    one query finds them all."""
    rels = list(
        WorkingRelationship.objects.current(on_date)
        .filter(Q(supervisor_id__in=person_ids) | Q(supervisee_id__in=person_ids))
        .values_list("supervisor_id", "supervisee_id", "kind")
    )
    above, below = defaultdict(set), defaultdict(set)
    reports = defaultdict(set)
    for s, t, kind in rels:
        above[t].add(s)
        below[s].add(t)
        if kind == RelationshipKind.LINE_MANAGER:
            reports[s].add(t)

    def pairs(person_pairs):
        e, m = [], []
        for a, b in person_pairs:
            for x, y in ((a, b), (b, a)):
                if x in mentee_of and y in mentor_of:
                    e.append(mentee_of[x])
                    m.append(mentor_of[y])
        return Pairs(np.array(e, np.int64), np.array(m, np.int64)) if e else Pairs()

    direct = pairs((s, t) for s, t, _ in rels)
    grand = pairs((top, bottom) for x in list(below) for top in above[x] for bottom in below[x])
    peer = pairs((a, b) for group in reports.values() for a in group for b in group if a != b)
    return direct, grand, peer


def _ranking(mentee_ids, mentee_row, mentor_row) -> Pairs:
    prefs = defaultdict(list)
    for mentee_id, mentor_id, rank in MentorPreference.objects.filter(
        mentee_id__in=mentee_ids
    ).values_list("mentee_id", "mentor_id", "rank"):
        prefs[mentee_id].append((rank, mentor_id))
    e, m, v = [], [], []
    for mentee_id, ranked in prefs.items():
        ranked.sort()
        n = len(ranked)
        for position, (_, mentor_id) in enumerate(ranked):
            if mentor_id in mentor_row:
                e.append(mentee_row[mentee_id])
                m.append(mentor_row[mentor_id])
                v.append((n - position) / n)
    if not e:
        return Pairs()
    return Pairs(np.array(e), np.array(m), np.array(v))


def load_pair(mentor: Enrolment, mentee: Enrolment, on_date: datetime.date) -> Features:
    """One mentor and one mentee as a round of one (row 0 each side), to check or explain a pair
    with exactly the rules the solver uses."""
    return load(
        mentee.scheme,
        on_date,
        mentees=Enrolment.objects.filter(pk=mentee.pk),
        mentors=Enrolment.objects.filter(pk=mentor.pk),
        with_capacity=False,
    ).features
