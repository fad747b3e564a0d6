"""How good a mentor is for a mentee, for every pair at once — numpy, no Django.

A round's people are loaded once into a :class:`Features` (one row per mentee, one per mentor,
sets as bitmasks, the sparse relationship conflicts as index pairs); :func:`score_rows` then gives
a whole block of mentee rows against every mentor in a few array operations, with
:data:`FORBIDDEN` where a pair is a hard conflict. :func:`breakdown` explains one chosen pair in
the same terms, so what a coordinator reads is exactly what the solver used.

Scores are integers: each criterion's weight (0–100, set per scheme) times its value in [0, 1],
times 100, minus the penalty of each conflict the scheme set to *penalty*.
"""

from dataclasses import dataclass, field

import numpy as np

FORBIDDEN = np.iinfo(np.int32).min
UNIT = 100

CRITERIA = {
    "same_sector": "Same sector",
    "same_scope": "Same scope of practice",
    "same_region": "Same region",
    "focus_overlap": "Focus areas the mentee wants that the mentor offers",
    "different_organisation": "Works in a different organisation",
    "cohort_priority": "Mentee's cohort priority",
    "mentee_ranking": "The mentee's own ranking of this mentor",
}

CONFLICTS = {
    "same_organisation": "Works in the same organisation",
    "same_department": "Works in the same department",
    "supervisor_of_supervisor": "Is the supervisor's own supervisor, or the other way round",
    "shared_line_manager": "Shares a line manager with the other",
}

OFF, PENALTY, HARD = "off", "penalty", "hard"


@dataclass
class People:
    """One side of a round, one row per enrolment."""

    person: np.ndarray  # int64 person ids
    organisation: np.ndarray  # int64
    department: np.ndarray  # int64 code of (organisation, department); -1 when blank
    region: np.ndarray  # int64 code; -1 when blank
    sectors: np.ndarray  # uint64 (n, words) bitmask
    scope: np.ndarray  # uint64 (n, words)
    focus: np.ndarray  # uint64 (n, words): mentors offer, mentees want

    def __len__(self):
        return len(self.person)


@dataclass
class Pairs:
    """A sparse set of (mentee row, mentor row) pairs, sorted by mentee for block lookups."""

    mentee: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    mentor: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    value: np.ndarray | None = None

    def __post_init__(self):
        self.mentee = np.asarray(self.mentee, np.int64)
        self.mentor = np.asarray(self.mentor, np.int64)
        order = np.lexsort((self.mentor, self.mentee))
        self.mentee, self.mentor = self.mentee[order], self.mentor[order]
        if self.value is not None:
            self.value = np.asarray(self.value, np.float64)[order]

    def __len__(self):
        return len(self.mentee)

    def contains(self, mentee: np.ndarray, mentor: np.ndarray) -> np.ndarray:
        """Whether each aligned (mentee, mentor) pair is in the set."""
        if not len(self):
            return np.zeros(np.broadcast(mentee, mentor).shape, bool)
        key = self.mentee * (1 << 32) + self.mentor
        probe = np.asarray(mentee, np.int64) * (1 << 32) + np.asarray(mentor, np.int64)
        at = np.clip(np.searchsorted(key, probe), 0, len(key) - 1)
        return key[at] == probe


@dataclass
class Policy:
    weights: dict[str, int]
    conflicts: dict[str, str]  # name -> off / penalty / hard
    penalty: int = 20


@dataclass
class Features:
    mentees: People
    mentors: People
    level: np.ndarray  # int64 per mentee, 0 = the highest-priority cohort
    cohort_value: np.ndarray  # float per mentee in [0, 1]: 1 for the first cohort
    relationship: Pairs  # current working relationships, either direction: always hard
    supervisor_of_supervisor: Pairs
    shared_line_manager: Pairs
    ranking: Pairs  # value: 1 for the mentee's first choice, falling to 1/n for the n-th


def _take_people(p: People, order: np.ndarray) -> People:
    return People(**{name: getattr(p, name)[order] for name in p.__dataclass_fields__})


def _remap(pairs: Pairs, new_row: np.ndarray) -> Pairs:
    return Pairs(new_row[pairs.mentee], pairs.mentor, pairs.value)


def reorder(f: Features, order: np.ndarray) -> Features:
    """The same round with the mentees in ``order`` (the sparse sets re-indexed to match)."""
    new_row = np.empty(len(order), np.int64)
    new_row[order] = np.arange(len(order))
    return Features(
        mentees=_take_people(f.mentees, order),
        mentors=f.mentors,
        level=f.level[order],
        cohort_value=f.cohort_value[order],
        relationship=_remap(f.relationship, new_row),
        supervisor_of_supervisor=_remap(f.supervisor_of_supervisor, new_row),
        shared_line_manager=_remap(f.shared_line_manager, new_row),
        ranking=_remap(f.ranking, new_row),
    )


def _overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a & b).any(axis=-1)


def _count(bits: np.ndarray) -> np.ndarray:
    return np.bitwise_count(bits).sum(axis=-1)


def components(f: Features, policy: Policy, e, m, sparse=None) -> dict[str, np.ndarray]:
    """Each criterion's value in [0, 1] and each conflict as a boolean, for index arrays ``e``
    and ``m`` that broadcast together (a column of mentee rows against a row of mentor rows, or
    two aligned lists of pairs). ``sparse`` may give the sparse sets already laid out densely."""
    if sparse is None:
        sparse = {
            "ranking": _sparse_values(f.ranking, e, m),
            "relationship": f.relationship.contains(e, m),
            "supervisor_of_supervisor": f.supervisor_of_supervisor.contains(e, m),
            "shared_line_manager": f.shared_line_manager.contains(e, m),
        }
    me, mo = f.mentees, f.mentors
    wanted = _count(me.focus[e])
    shared = _count(me.focus[e] & mo.focus[m])
    values = {
        "same_sector": _overlaps(me.sectors[e], mo.sectors[m]),
        "same_scope": _overlaps(me.scope[e], mo.scope[m]),
        "same_region": (me.region[e] == mo.region[m]) & (me.region[e] >= 0),
        "focus_overlap": np.divide(
            shared, wanted, out=np.zeros(np.broadcast(shared, wanted).shape), where=wanted > 0
        ),
        "different_organisation": me.organisation[e] != mo.organisation[m],
        "cohort_priority": np.broadcast_to(f.cohort_value[e], np.broadcast(e, m).shape),
        "mentee_ranking": sparse["ranking"],
    }
    conflicts = {
        "same_organisation": me.organisation[e] == mo.organisation[m],
        "same_department": (me.department[e] == mo.department[m]) & (me.department[e] >= 0),
        "supervisor_of_supervisor": sparse["supervisor_of_supervisor"],
        "shared_line_manager": sparse["shared_line_manager"],
    }
    hard = sparse["relationship"] | (me.person[e] == mo.person[m])
    return {"values": values, "conflicts": conflicts, "hard": hard}


def _sparse_values(pairs: Pairs, e, m) -> np.ndarray:
    shape = np.broadcast(e, m).shape
    if not len(pairs):
        return np.zeros(shape)
    key = pairs.mentee * (1 << 32) + pairs.mentor
    probe = np.asarray(e, np.int64) * (1 << 32) + np.asarray(m, np.int64)
    at = np.clip(np.searchsorted(key, probe), 0, len(key) - 1)
    return np.where(key[at] == probe, pairs.value[at], 0.0)


def combine(parts: dict, policy: Policy) -> np.ndarray:
    """The integer score of each pair, FORBIDDEN where a pair may not be matched."""
    total = np.zeros(parts["hard"].shape, np.float64)
    for name, value in parts["values"].items():
        total += policy.weights.get(name, 0) * UNIT * value
    forbidden = parts["hard"].copy()
    for name, clash in parts["conflicts"].items():
        mode = policy.conflicts.get(name, OFF)
        if mode == HARD:
            forbidden |= clash
        elif mode == PENALTY:
            total -= policy.penalty * UNIT * clash
    score = np.rint(total).astype(np.int32)
    score[forbidden] = FORBIDDEN
    return score


def score_rows(f: Features, policy: Policy, rows: np.ndarray) -> np.ndarray:
    """Scores of the mentees ``rows`` against every mentor: an int32 array (rows, mentors)."""
    e = np.asarray(rows, np.int64)[:, None]
    m = np.arange(len(f.mentors))[None, :]
    return combine(components(f, policy, e, m), policy)


def score_block(f: Features, policy: Policy, start: int, stop: int) -> np.ndarray:
    """Scores of the consecutive mentees ``start:stop`` against every mentor — the fast path:
    the sparse sets are scattered into dense blocks through their sorted mentee index."""
    shape = (stop - start, len(f.mentors))
    sparse = {}
    for name, pairs in (
        ("ranking", f.ranking),
        ("relationship", f.relationship),
        ("supervisor_of_supervisor", f.supervisor_of_supervisor),
        ("shared_line_manager", f.shared_line_manager),
    ):
        dense = np.zeros(shape, np.float64 if name == "ranking" else bool)
        lo, hi = np.searchsorted(pairs.mentee, [start, stop])
        if hi > lo:
            dense[pairs.mentee[lo:hi] - start, pairs.mentor[lo:hi]] = (
                pairs.value[lo:hi] if name == "ranking" else True
            )
        sparse[name] = dense
    e = np.arange(start, stop)[:, None]
    m = np.arange(len(f.mentors))[None, :]
    return combine(components(f, policy, e, m, sparse), policy)


def breakdown(f: Features, policy: Policy, e: int, m: int) -> dict:
    """Why a pair scored what it did: each criterion's weight, value and points; each penalty."""
    parts = components(f, policy, np.array([e]), np.array([m]))
    criteria = {}
    for name, value in parts["values"].items():
        weight = policy.weights.get(name, 0)
        value = float(value[0])
        criteria[name] = {
            "label": CRITERIA[name],
            "weight": weight,
            "value": round(value, 3),
            "points": round(weight * value, 2),
        }
    penalties = {
        name: {"label": CONFLICTS[name], "points": -policy.penalty}
        for name, clash in parts["conflicts"].items()
        if bool(clash[0]) and policy.conflicts.get(name, OFF) == PENALTY
    }
    total = int(combine(parts, policy)[0])
    return {
        "criteria": criteria,
        "penalties": penalties,
        "score": None if total == FORBIDDEN else total / UNIT,
    }
