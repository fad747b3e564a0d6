"""How good a mentor is for a mentee, for every pair at once — numpy, no Django.

A round's people are loaded once into a :class:`Features` (one row per mentee, one per mentor,
sets as bitmasks, the sparse relationship conflicts as index pairs); :func:`score_rows` then gives
a whole block of mentee rows against every mentor in a few array operations, with
:data:`FORBIDDEN` where a pair is a hard conflict. :func:`breakdown` explains one chosen pair in
the same terms, so what a coordinator reads is exactly what the solver used.

Scores are integers: each criterion's weight (0–100, set per scheme) times its value in [0, 1],
times 100, minus the penalty of each conflict the scheme set to *penalty*.

For a whole round, :class:`Scorer` does the same faster: every dense criterion of a pair is a
small integer (a shared bit, an equal code, a count of shared focus areas), so a pair's score is
looked up in a table that :func:`combine` itself built over every combination, and the few sparse
pairs (rankings, relationship conflicts) are scored exactly and written over it. The arithmetic is
therefore the same as :func:`breakdown`'s, to the last unit.
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
        mentee = np.asarray(self.mentee, np.int64).ravel()
        mentor = np.asarray(self.mentor, np.int64).ravel()
        key = mentee * (1 << 32) + mentor
        if self.value is None:
            key = np.sort(key)
        else:
            order = np.argsort(key, kind="stable")
            key = key[order]
            self.value = np.asarray(self.value, np.float64).ravel()[order]
        self.mentee, self.mentor = key >> 32, key & 0xFFFFFFFF
        self.__dict__["_key"] = (self.mentee, self.mentor, key)

    def __len__(self):
        return len(self.mentee)

    @property
    def key(self) -> np.ndarray:
        """``mentee * 2**32 + mentor``, sorted: what lookups search (kept, not rebuilt per call)."""
        mentee, mentor, key = self.__dict__.get("_key", (None, None, None))
        if mentee is not self.mentee or mentor is not self.mentor:
            key = self.mentee * (1 << 32) + self.mentor
            self.__dict__["_key"] = (self.mentee, self.mentor, key)
        return key

    def contains(self, mentee: np.ndarray, mentor: np.ndarray) -> np.ndarray:
        """Whether each aligned (mentee, mentor) pair is in the set."""
        if not len(self):
            return np.zeros(np.broadcast(mentee, mentor).shape, bool)
        key = self.key
        probe = np.asarray(mentee, np.int64) * (1 << 32) + np.asarray(mentor, np.int64)
        at = np.clip(np.searchsorted(key, probe), 0, len(key) - 1)
        return key[at] == probe

    def in_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The pairs whose mentee is one of ``rows``: (position in ``rows``, mentor, index)."""
        return _in_rows(self.key, rows)


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


def _in_rows(key: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For sorted pair keys, the pairs whose mentee is one of ``rows`` (which may repeat):
    (position in ``rows``, mentor, index into ``key``)."""
    rows = np.asarray(rows, np.int64)
    lo = np.searchsorted(key, rows * (1 << 32))
    counts = np.searchsorted(key, (rows + 1) * (1 << 32)) - lo
    position = np.repeat(np.arange(len(rows)), counts)
    at = np.arange(len(position)) + np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return position, key[at] & 0xFFFFFFFF, at


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
    return _assemble(
        shape=np.broadcast(e, m).shape,
        sector=_overlaps(me.sectors[e], mo.sectors[m]),
        scope=_overlaps(me.scope[e], mo.scope[m]),
        region=(me.region[e] == mo.region[m]) & (me.region[e] >= 0),
        shared=_count(me.focus[e] & mo.focus[m]),
        wanted=_count(me.focus[e]),
        same_organisation=me.organisation[e] == mo.organisation[m],
        same_department=(me.department[e] == mo.department[m]) & (me.department[e] >= 0),
        cohort=f.cohort_value[e],
        ranking=sparse["ranking"],
        supervisor_of_supervisor=sparse["supervisor_of_supervisor"],
        shared_line_manager=sparse["shared_line_manager"],
        hard=sparse["relationship"] | (me.person[e] == mo.person[m]),
    )


def _assemble(
    *,
    shape,
    sector,
    scope,
    region,
    shared,
    wanted,
    same_organisation,
    same_department,
    cohort,
    ranking,
    supervisor_of_supervisor,
    shared_line_manager,
    hard,
) -> dict:
    """The parts :func:`combine` adds up, always in this order (so every path rounds alike)."""
    values = {
        "same_sector": sector,
        "same_scope": scope,
        "same_region": region,
        "focus_overlap": np.divide(
            shared, wanted, out=np.zeros(np.broadcast(shared, wanted).shape), where=wanted > 0
        ),
        "different_organisation": ~same_organisation,
        "cohort_priority": np.broadcast_to(cohort, shape),
        "mentee_ranking": ranking,
    }
    conflicts = {
        "same_organisation": same_organisation,
        "same_department": same_department,
        "supervisor_of_supervisor": supervisor_of_supervisor,
        "shared_line_manager": shared_line_manager,
    }
    return {"values": values, "conflicts": conflicts, "hard": hard}


def _sparse_values(pairs: Pairs, e, m) -> np.ndarray:
    shape = np.broadcast(e, m).shape
    if not len(pairs):
        return np.zeros(shape)
    key = pairs.key
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


TABLE_LIMIT = 1 << 22  # entries of a Scorer's lookup table; beyond it, the plain array path


class Scorer:
    """Scores of mentee rows against every mentor for one round and policy, fast.

    Built once per round: each dense criterion the policy uses becomes a small integer per pair
    (a bit for an overlap or an equality, the count of shared focus areas), and ``table`` holds
    the score of every combination for every kind of mentee (cohort value, focus areas wanted),
    computed by :func:`combine` — so a block of pairs costs a few narrow-integer array operations
    and one lookup. Pairs in the sparse sets are scored exactly once, up front, and written over
    the looked-up values; relationship conflicts and the same person are FORBIDDEN."""

    def __init__(self, f: Features, policy: Policy):
        self.f, self.policy = f, policy
        me, mo = f.mentees, f.mentors
        self.n_mentors = len(mo)

        def weight(name):
            return policy.weights.get(name, 0)

        def mode(name):
            return policy.conflicts.get(name, OFF)

        # (name, "overlap", mentee words, mentor words) or (name, "equal", codes, codes)
        self._bits = []
        if weight("same_sector"):
            self._bits.append(("same_sector", "overlap", *_packed(me.sectors, mo.sectors)))
        if weight("same_scope"):
            self._bits.append(("same_scope", "overlap", *_packed(me.scope, mo.scope)))
        if weight("same_region"):
            self._bits.append(("same_region", "equal", *_codes(me.region, mo.region, True)))
        if weight("different_organisation") or mode("same_organisation") in (HARD, PENALTY):
            codes = _codes(me.organisation, mo.organisation, False)
            self._bits.append(("same_organisation", "equal", *codes))
        if mode("same_department") in (HARD, PENALTY):
            codes = _codes(me.department, mo.department, True)
            self._bits.append(("same_department", "equal", *codes))
        self._focus = _packed(me.focus, mo.focus) if weight("focus_overlap") else None

        self.table, self._row_base = self._build_table(weight)
        self._exact_key, self._exact_score = self._exact_pairs(weight, mode)
        self._forbidden_key = self._forbidden_pairs(mode)
        self._scratch: dict[tuple, np.ndarray] = {}

    def scratch(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        """A work array kept from block to block: at these sizes, fresh arrays cost more in the
        kernel's page faults than the arithmetic done in them."""
        dtype = np.dtype(dtype)
        size = int(np.prod(shape))
        buffer = self._scratch.get((name, dtype))
        if buffer is None or len(buffer) < size:
            buffer = self._scratch[(name, dtype)] = np.empty(size, dtype)
        return buffer[:size].reshape(shape)

    def _build_table(self, weight):
        f, n_e = self.f, len(self.f.mentees)
        nbits = len(self._bits)
        n_shared = 1
        wanted = np.zeros(n_e, np.int64)
        if self._focus is not None:
            n_shared = 1 + sum(_bits_of(a.dtype) for a in self._focus[0])
            wanted = _count(f.mentees.focus).astype(np.int64).reshape(n_e)
        cohort = np.asarray(f.cohort_value)
        if not weight("cohort_priority"):
            cohort = np.zeros(n_e, cohort.dtype)
        cohorts, cohort_code = np.unique(cohort, return_inverse=True)
        wanted_span = int(wanted.max(initial=0)) + 1
        groups, group = np.unique(cohort_code * wanted_span + wanted, return_inverse=True)
        width = (1 << nbits) * n_shared
        self._width = width
        if len(groups) * width > TABLE_LIMIT:
            return None, None
        code = np.arange(width)[None, :]
        bit = {name: ((code >> i) & 1).astype(bool) for i, (name, *_) in enumerate(self._bits)}
        no = np.zeros((1, width), bool)
        shape = (len(groups), width)
        parts = _assemble(
            shape=shape,
            sector=bit.get("same_sector", no),
            scope=bit.get("same_scope", no),
            region=bit.get("same_region", no),
            shared=code >> nbits,
            wanted=(groups % wanted_span)[:, None],
            same_organisation=bit.get("same_organisation", no),
            same_department=bit.get("same_department", no),
            cohort=cohorts[groups // wanted_span][:, None],
            ranking=np.zeros(shape),
            supervisor_of_supervisor=no,
            shared_line_manager=no,
            hard=np.zeros(shape, bool),
        )
        table = combine(parts, self.policy).ravel()
        return table, group.reshape(n_e).astype(np.intp) * width

    def _exact_pairs(self, weight, mode):
        """Pairs whose score a sparse set changes (a ranking, a conflict with a penalty):
        scored exactly, once."""
        f = self.f
        sets = [f.ranking] if weight("mentee_ranking") else []
        sets += [
            pairs
            for name, pairs in (
                ("supervisor_of_supervisor", f.supervisor_of_supervisor),
                ("shared_line_manager", f.shared_line_manager),
            )
            if mode(name) == PENALTY
        ]
        key = _merged([p.key for p in sets])
        e, m = key >> 32, key & 0xFFFFFFFF
        return key, combine(components(f, self.policy, e, m), self.policy)

    def _forbidden_pairs(self, mode):
        f = self.f
        sets = [f.relationship.key, _same_person(f.mentees.person, f.mentors.person)]
        sets += [
            pairs.key
            for name, pairs in (
                ("supervisor_of_supervisor", f.supervisor_of_supervisor),
                ("shared_line_manager", f.shared_line_manager),
            )
            if mode(name) == HARD
        ]
        return _merged(sets)

    def block(self, start: int, stop: int) -> np.ndarray:
        """Scores of the consecutive mentees ``start:stop`` against every mentor."""
        return self.rows(np.arange(start, stop))

    def rows(self, rows: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Scores of the mentees ``rows`` against every mentor: an int32 array (rows, mentors),
        written into ``out`` when given (a caller scoring many blocks reuses one)."""
        rows = np.asarray(rows, np.int64).reshape(-1)
        shape = (len(rows), self.n_mentors)
        out = np.empty(shape, np.int32) if out is None else out
        if self.table is None:
            e, m = rows[:, None], np.arange(self.n_mentors)[None, :]
            out[...] = combine(components(self.f, self.policy, e, m), self.policy)
            return out
        self._dense(rows, out)
        at_row, mentor, at = _in_rows(self._exact_key, rows)
        out[at_row, mentor] = self._exact_score[at]
        at_row, mentor, _ = _in_rows(self._forbidden_key, rows)
        out[at_row, mentor] = FORBIDDEN
        return out

    def _dense(self, rows: np.ndarray, out: np.ndarray) -> None:
        """The looked-up scores: each pair's table column is its shared focus count followed by
        one bit per criterion, built Horner-fashion (double, add the bit) in a narrow integer."""
        shape = (len(rows), self.n_mentors)
        width = self._width
        dtype = np.uint8 if width <= 1 << 8 else np.uint16 if width <= 1 << 16 else np.uint32
        code = None
        if self._focus is not None:
            for a, b in zip(*self._focus, strict=True):
                both = self.scratch("both", shape, a.dtype)
                np.bitwise_and(a[rows][:, None], b[None, :], out=both)
                if code is None:
                    code = np.bitwise_count(both, out=self.scratch("code", shape, dtype))
                else:
                    np.add(code, np.bitwise_count(both), out=code)
        for _, kind, a, b in reversed(self._bits):
            hit = self.scratch("hit", shape, bool)
            if kind == "equal":
                np.equal(a[rows][:, None], b[None, :], out=hit)
            else:
                for i, (aw, bw) in enumerate(zip(a, b, strict=True)):
                    both = self.scratch("both", shape, aw.dtype)
                    np.bitwise_and(aw[rows][:, None], bw[None, :], out=both)
                    if i:
                        np.logical_or(hit, both != 0, out=hit)
                    else:
                        np.not_equal(both, 0, out=hit)
            if code is None:
                code = self.scratch("code", shape, dtype)
                np.copyto(code, hit)
            else:
                np.add(code, code, out=code)
                np.add(code, hit, out=code)
        base = self._row_base[rows][:, None]
        if code is None:
            out[...] = self.table[base]
            return
        index = np.add(code, base, out=self.scratch("index", shape, np.intp))
        np.take(self.table, index, out=out, mode="clip")  # indices are in range by construction


def _merged(keys: list[np.ndarray]) -> np.ndarray:
    """Sorted pair keys into one sorted array (repeats are harmless to lookups)."""
    keys = [k for k in keys if len(k)]
    if not keys:
        return np.zeros(0, np.int64)
    return keys[0] if len(keys) == 1 else np.sort(np.concatenate(keys))


def _bits_of(dtype) -> int:
    return np.dtype(dtype).itemsize * 8


def _packed(a: np.ndarray, b: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Bitmasks cut down to the bits both sides use somewhere, in the narrowest unsigned words —
    the same overlaps and shared counts, in an eighth of the memory traffic."""
    a = np.asarray(a, np.uint64).reshape(len(a), -1)
    b = np.asarray(b, np.uint64).reshape(len(b), -1)
    words = max(a.shape[1], b.shape[1])
    a = np.pad(a, ((0, 0), (0, words - a.shape[1])))
    b = np.pad(b, ((0, 0), (0, words - b.shape[1])))
    used = np.bitwise_or.reduce(a, axis=0) & np.bitwise_or.reduce(b, axis=0)
    positions = [(w, t) for w in range(words) for t in range(64) if int(used[w]) >> t & 1]
    n = max(len(positions), 1)
    dtype = next(
        d for d in (np.uint8, np.uint16, np.uint32, np.uint64) if min(n, 64) <= _bits_of(d)
    )
    out_a = [np.zeros(len(a), dtype) for _ in range(0, n, 64)]
    out_b = [np.zeros(len(b), dtype) for _ in range(0, n, 64)]
    for j, (w, t) in enumerate(positions):
        for src, out in ((a, out_a), (b, out_b)):
            bit = (src[:, w] >> np.uint64(t)) & np.uint64(1)
            out[j // 64] |= (bit << np.uint64(j % 64)).astype(dtype)
    return out_a, out_b


def _codes(a: np.ndarray, b: np.ndarray, blank: bool) -> tuple[np.ndarray, np.ndarray]:
    """Small integer codes equal exactly where ``a == b`` (and, with ``blank``, ``a >= 0``)."""
    a = np.asarray(a, np.int64).reshape(-1)
    b = np.asarray(b, np.int64).reshape(-1)
    if blank:
        a, b = np.where(a >= 0, a, -1), np.where(b >= 0, b, -2)
    values, code = np.unique(np.concatenate([a, b]), return_inverse=True)
    dtype = np.int16 if len(values) < 1 << 15 else np.int32 if len(values) < 1 << 31 else np.int64
    code = code.reshape(-1).astype(dtype)
    return code[: len(a)], code[len(a) :]


def _same_person(mentee_person: np.ndarray, mentor_person: np.ndarray) -> np.ndarray:
    """Sorted pair keys of a mentee row and a mentor row that are the same person."""
    mentee_person = np.asarray(mentee_person, np.int64)
    order = np.argsort(mentor_person, kind="stable")
    ordered = np.asarray(mentor_person, np.int64)[order]
    lo = np.searchsorted(ordered, mentee_person, "left")
    counts = np.searchsorted(ordered, mentee_person, "right") - lo
    e = np.repeat(np.arange(len(mentee_person)), counts)
    at = np.arange(len(e)) + np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return np.sort(e * (1 << 32) + order[at])


def score_rows(f: Features, policy: Policy, rows: np.ndarray) -> np.ndarray:
    """Scores of the mentees ``rows`` against every mentor: an int32 array (rows, mentors)."""
    return Scorer(f, policy).rows(rows)


def score_block(f: Features, policy: Policy, start: int, stop: int) -> np.ndarray:
    """Scores of the consecutive mentees ``start:stop`` against every mentor (a solver making
    many blocks keeps one :class:`Scorer` instead)."""
    return Scorer(f, policy).block(start, stop)


def breakdown(f: Features, policy: Policy, e: int, m: int) -> dict:
    """Why a pair scored what it did: each criterion's weight, value and points; each penalty."""
    return breakdowns(f, policy, np.array([e]), np.array([m]))[0]


def breakdowns(features, policy, e: np.ndarray, m: np.ndarray) -> list[dict]:
    """:func:`breakdown` for many aligned pairs at once (one array pass, not one per pair)."""
    if not len(e):
        return []
    parts = components(features, policy, e, m)
    totals = combine(parts, policy)
    values = {name: parts["values"][name].astype(float).tolist() for name in CRITERIA}
    clashes = {
        name: parts["conflicts"][name].tolist()
        for name in CONFLICTS
        if policy.conflicts.get(name) == PENALTY
    }
    out = []
    for i in range(len(e)):
        criteria = {}
        for name, label in CRITERIA.items():
            weight = policy.weights.get(name, 0)
            value = values[name][i]
            criteria[name] = {
                "label": label,
                "weight": weight,
                "value": round(value, 3),
                "points": round(weight * value, 2),
            }
        penalties = {
            name: {"label": CONFLICTS[name], "points": -policy.penalty}
            for name, hit in clashes.items()
            if hit[i]
        }
        total = int(totals[i])
        out.append(
            {
                "criteria": criteria,
                "penalties": penalties,
                "score": None if total == FORBIDDEN else total / UNIT,
            }
        )
    return out
