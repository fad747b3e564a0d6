"""The optimal assignment of mentees to mentors: OR-Tools' min-cost flow, no Django.

The network: source → each mentee (capacity 1) → each mentor it may be matched with → sink,
where a mentor's arcs to the sink carry its remaining capacity; with load spreading they are
parallel arcs of capacity 1 whose cost rises by ``spread_step`` for each extra mentee, which keeps
the optimum exact. A source → sink bypass lets a mentee stay unmatched. Each mentee arc costs
minus (its cohort's level weight + the pair's score); the level weights are so far apart that the
optimum matches as many mentees as possible, the higher-priority cohorts first, and only then
maximises the total score.

Large rounds keep only each mentee's best ``keep`` mentors (ties broken by a seeded rotation, never
by chance order; every candidate kept for a mentee with few), each mentor's best few mentees per
place, and the greedy baseline's pairs. That pruning must never cost a match, so after each solve an alternating-path search over
*all* conflict-free pairs looks for a mentee who could still be matched, or matched instead of a
lower-priority one; the arcs it finds are added and the flow solved again until there is none.
The same search certifies the level weights: pruned rounds first solve with small ones (cheaper
for the flow) and only fall back to the provably sufficient ones if it finds a path the flow
already had. Why this is exact, and what it costs: ``docs/performance.md``.
"""

import time
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from matching.scoring import FORBIDDEN, Features, Policy, Scorer

SOURCE, SINK = 0, 1

# Defaults measured in docs/performance.md: rounds up to FULL_LIMIT pairs are solved over every
# conflict-free pair; larger ones keep each mentee's best KEEP mentors; scoring works through
# blocks of about BLOCK_PAIRS pairs (small enough to stay in cache, large enough to amortise).
KEEP = 32
FULL_LIMIT = 500_000
BLOCK_PAIRS = 1 << 19
# Pruned rounds also keep each mentor's best MENTOR_KEEP mentees per place they have: where
# places are scarce, who gets a mentor is the mentors' choice as much as the mentees'.
MENTOR_KEEP = 8


@dataclass
class Assignment:
    mentee: np.ndarray  # int64 rows of the chosen pairs
    mentor: np.ndarray
    score: np.ndarray  # int32
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def matched(self) -> int:
        return len(self.mentee)

    @property
    def total_score(self) -> int:
        return int(self.score.astype(np.int64).sum())


def _offsets(rows: np.ndarray, n: int, seed: int) -> np.ndarray:
    """A deterministic, well-spread column per mentee row: where its turn through tied mentors
    starts, so mentees whose scores tie do not all keep the same mentors."""
    salt = np.uint64(seed * 0x9E3779B97F4A7C15 % 2**64)
    h = (rows.astype(np.uint64) + salt) * np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(31)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(29)
    return (h % np.uint64(max(n, 1))).astype(np.int64)


class _Arcs:
    """Candidate mentee → mentor arcs, without duplicates."""

    def __init__(self, n_mentors: int):
        self.n_mentors = n_mentors
        self.keys = np.zeros(0, np.int64)
        self.scores = np.zeros(0, np.int32)
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, e: np.ndarray, m: np.ndarray, s: np.ndarray) -> None:
        self._parts.append((e.astype(np.int64) * self.n_mentors + m, s.astype(np.int32)))

    def freeze(self) -> int:
        keys = np.concatenate([self.keys, *(k for k, _ in self._parts)])
        scores = np.concatenate([self.scores, *(s for _, s in self._parts)])
        self._parts = []
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        first = np.ones(len(keys), bool)
        first[1:] = keys[1:] != keys[:-1]
        self.keys, self.scores = keys[first], scores[order][first]
        return len(self.keys)

    @property
    def mentee(self):
        return self.keys // self.n_mentors

    @property
    def mentor(self):
        return self.keys % self.n_mentors


def solve(
    f: Features,
    policy: Policy,
    capacity: np.ndarray,
    *,
    spread_step: int = 0,
    keep: int = KEEP,
    full_limit: int = FULL_LIMIT,
    seed: int = 0,
    block: int | None = None,
) -> tuple[Assignment, Assignment]:
    """The optimal assignment and, from the same scoring pass, the greedy baseline (each mentee
    in priority order takes their best-scoring mentor with room). ``block`` is the number of
    mentee rows scored at once (by default about ``BLOCK_PAIRS`` pairs' worth)."""
    timings: dict[str, float] = {}
    n_e, n_m = len(f.mentees), len(f.mentors)
    capacity = np.asarray(capacity, np.int64).clip(min=0)
    level = np.asarray(f.level, np.int64)
    order = np.argsort(level, kind="stable")  # priority order, for the greedy baseline
    prune = n_e * n_m > full_limit
    k = max(1, min(keep, n_m))
    rows_per_block = max(1, block or BLOCK_PAIRS // max(n_m, 1))

    started = time.perf_counter()
    scorer = Scorer(f, policy)
    closed = np.nonzero(capacity <= 0)[0]
    arcs = _Arcs(max(n_m, 1))
    greedy_room = capacity.copy()
    greedy_e, greedy_m, greedy_s = [], [], []
    has_candidate = np.zeros(n_e, bool)
    mentor_best = _MentorBest(capacity * MENTOR_KEEP) if prune and MENTOR_KEEP > 0 else None
    for at in range(0, n_e if n_m else 0, rows_per_block):
        rows = order[at : at + rows_per_block]
        scores = scorer.rows(rows, out=scorer.scratch("scores", (len(rows), n_m), np.int32))
        if len(closed):
            scores[:, closed] = FORBIDDEN
        if prune:
            e, m, s = _best(rows, scores, k, seed, scorer.scratch)
            if mentor_best:
                mentor_best.offer(rows, scores, scorer.scratch)
        else:
            flat = np.flatnonzero(scores != FORBIDDEN)
            e, m, s = rows[flat // n_m], flat % n_m, scores.ravel()[flat]
        arcs.add(e, m, s)
        has_candidate[e] = True
        _greedy(rows, scores, greedy_room, greedy_e, greedy_m, greedy_s)  # spoils ``scores``
    greedy = Assignment(
        np.array(greedy_e, np.int64), np.array(greedy_m, np.int64), np.array(greedy_s, np.int32)
    )
    if mentor_best:
        arcs.add(*mentor_best.result())
    if prune:
        arcs.add(greedy.mentee, greedy.mentor, greedy.score)
    timings["scoring"] = time.perf_counter() - started

    started = time.perf_counter()
    solves = repairs = 0
    n_arcs = arcs.freeze()
    if (arcs.scores == FORBIDDEN).any():  # cheap insurance: a conflict is never even offered
        raise RuntimeError("a forbidden pair reached the flow")
    # Unpruned, one solve with the level gap that provably puts matches first. Pruned, the
    # alternating-path search checks every solve anyway, so start with a small gap (cheaper for
    # the flow's cost scaling) and widen it only if the search finds a path the flow had.
    safe_gap = not prune
    while True:
        chosen = _min_cost_flow(arcs, level, capacity, spread_step, n_e, n_m, safe_gap)
        solves += 1
        if not prune:
            break
        extra = _improving_arcs(scorer, capacity, level, has_candidate, arcs, chosen)
        if extra is None:
            break
        arcs.add(*extra)
        before, n_arcs = n_arcs, arcs.freeze()
        if n_arcs > before:
            repairs += 1
        elif not safe_gap:
            safe_gap = True
        else:  # with the safe gap the flow cannot have missed a path it had
            raise RuntimeError("the repair found an improving path the min-cost flow missed")
    timings["solve"] = time.perf_counter() - started
    result = Assignment(
        arcs.mentee[chosen],
        arcs.mentor[chosen],
        arcs.scores[chosen],
        timings=timings,
        stats={
            "arcs": n_arcs,
            "solves": solves,
            "repairs": repairs,
            "pruned": int(prune),
            "safe_gap": int(safe_gap),
        },
    )
    return result, greedy


def _best(rows: np.ndarray, scores: np.ndarray, k: int, seed: int, scratch):
    """Each row's best ``k`` allowed mentors (all of them when it has no more than ``k``). Where
    more than fit tie at the cut, a row takes the tied mentors in turn from its own seeded
    starting column (wrapping round), so tied mentees spread over all tied mentors. One
    partition and one pass over the block; no sorting."""
    n_rows, n = scores.shape
    if k >= n:
        flat = np.flatnonzero(scores != FORBIDDEN)
        return rows[flat // n], flat % n, scores.ravel()[flat]
    ordered = scratch("ordered", scores.shape, scores.dtype)
    np.copyto(ordered, scores)
    ordered.partition(n - k, axis=1)
    cut = np.maximum(ordered[:, n - k], FORBIDDEN + 1)  # each row's k-th best score
    flat = np.flatnonzero(
        np.greater_equal(scores, cut[:, None], out=scratch("kept", scores.shape, bool))
    )
    r, c = flat // n, flat % n
    s = scores.ravel()[flat]
    tied = s == cut[r]
    room = k - np.bincount(r[~tied], minlength=n_rows)  # places left at the cut, per row
    ties = np.bincount(r[tied], minlength=n_rows)
    contest = tied & (ties > room)[r]
    if contest.any():
        at = np.nonzero(contest)[0]  # by row, then column
        tr, tc = r[at], c[at]
        position = np.arange(len(at)) - np.searchsorted(tr, tr)
        before = np.bincount(tr[tc < _offsets(rows, n, seed)[tr]], minlength=n_rows)
        turn = (position - before[tr]) % ties[tr]
        won = np.ones(len(r), bool)
        won[at[turn >= room[tr]]] = False
        r, c, s = r[won], c[won], s[won]
    return rows[r], c, s


class _MentorBest:
    """Each mentor's best ``quota`` mentees over all the blocks, earlier (higher-priority) rows
    first among equals. A block offers only the pairs above each mentor's current cut, so after
    the first few blocks hardly any pass; the offers are merged in batches."""

    def __init__(self, quota: np.ndarray):
        self.quota = quota
        self.cut = np.full(len(quota), FORBIDDEN, np.int32)
        self.kept = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32))
        self.offers: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.waiting = 0
        self.batch = max(int(quota.sum()), 1 << 20)

    def offer(self, rows: np.ndarray, scores: np.ndarray, scratch) -> None:
        cut = self.cut
        most = int(self.quota.max(initial=0))
        first = not len(self.kept[0]) and not self.offers
        if first and 0 < most < len(rows):  # no cuts yet: start from this block's own
            own = np.partition(scores, len(rows) - most, axis=0)[len(rows) - most]
            cut = np.maximum(cut, np.maximum(own, FORBIDDEN + 1) - 1)
        above = np.greater(scores, cut[None, :], out=scratch("above", scores.shape, bool))
        flat = np.flatnonzero(above)
        if len(flat):
            n = scores.shape[1]
            self.offers.append((rows[flat // n], flat % n, scores.ravel()[flat]))
            self.waiting += len(flat)
            if first or self.waiting > self.batch:
                self._merge()

    def _merge(self) -> None:
        e, m, s = (np.concatenate(part) for part in zip(self.kept, *self.offers, strict=True))
        self.offers, self.waiting = [], 0
        # by mentor, best score first, then in the order offered (a stable sort)
        order = np.argsort(m * (1 << 32) + ((1 << 31) - 1 - s.astype(np.int64)), kind="stable")
        e, m, s = e[order], m[order], s[order]
        rank = np.arange(len(m)) - np.searchsorted(m, m)
        keep = rank < self.quota[m]
        e, m, s = e[keep], m[keep], s[keep]
        self.kept = (e, m, s)
        n = len(self.quota)
        count = np.bincount(m, minlength=n)
        last = np.searchsorted(m, np.arange(n), "right") - 1
        full = (count >= self.quota) & (count > 0)
        self.cut = np.where(full, s[np.clip(last, 0, None)] if len(s) else FORBIDDEN, FORBIDDEN)
        self.cut = self.cut.astype(np.int32)

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._merge()
        return self.kept


def _greedy(rows, scores, room, out_e, out_m, out_s) -> None:
    """Each mentee in priority order takes their best-scoring mentor with room left (the lowest
    column among equals). A mentor's column is struck out of ``scores`` as they fill up, so a
    mentee whose favourite is full needs one more argmax, not a fresh mask."""
    full = np.nonzero(room <= 0)[0]
    if len(full) == len(room):
        return
    if len(full):
        scores[:, full] = FORBIDDEN
    for i, m in enumerate(scores.argmax(axis=1).tolist()):
        if room[m] <= 0:
            m = int(scores[i].argmax())
        s = int(scores[i, m])
        if s == FORBIDDEN:
            continue
        room[m] -= 1
        if room[m] <= 0:
            scores[i + 1 :, m] = FORBIDDEN
        out_e.append(int(rows[i]))
        out_m.append(m)
        out_s.append(s)


def _min_cost_flow(arcs, level, capacity, spread_step, n_e, n_m, safe_gap=True) -> np.ndarray:
    """Indices into ``arcs`` of the pairs in the flow of least cost, each pair costing minus
    (its cohort's level weight + its score).

    Whatever the level weights, that flow has the best score (less load costs) among flows that
    match the same number of each cohort. Any improvement in who is matched (one more mentee, or
    one of a higher cohort instead of a lower one) is an alternating path that changes each
    mentee's score at most once and one mentor's load, so a level ``gap`` above ``n_e`` times the
    whole score range plus the largest load cost (``safe_gap``) always puts matches first; the
    small gap (one score range) does so for short paths only, and the caller checks."""
    e, m, s = arcs.mentee, arcs.mentor, arcs.scores.astype(np.int64)
    load_cost = spread_step * int(capacity.max(initial=0))
    score_range = int(s.max(initial=0)) - int(min(s.min(initial=0), 0))
    span = max(score_range, 0) + load_cost + 1
    gap = (n_e if safe_gap else 1) * span + 1
    levels = np.unique(level)
    rank = np.searchsorted(levels, level)
    weight = gap + (len(levels) - 1 - rank) * gap

    mentee_node = 2 + np.arange(n_e)
    mentor_node = 2 + n_e + np.arange(n_m)
    tails = [np.full(n_e, SOURCE), mentee_node[e]]
    heads = [mentee_node, mentor_node[m]]
    caps = [np.ones(n_e, np.int64), np.ones(len(e), np.int64)]
    costs = [np.zeros(n_e, np.int64), -(weight[e] + s)]
    if spread_step:
        slot = np.concatenate([np.arange(c) for c in capacity]) if n_m else np.zeros(0, int)
        owner = np.repeat(np.arange(n_m), capacity)
        tails.append(mentor_node[owner])
        heads.append(np.full(len(owner), SINK))
        caps.append(np.ones(len(owner), np.int64))
        costs.append(slot * spread_step)
    else:
        tails.append(mentor_node)
        heads.append(np.full(n_m, SINK))
        caps.append(capacity)
        costs.append(np.zeros(n_m, np.int64))
    tails.append(np.array([SOURCE]))
    heads.append(np.array([SINK]))
    caps.append(np.array([n_e]))
    costs.append(np.array([0]))

    flow = min_cost_flow.SimpleMinCostFlow()
    ids = flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails).astype(np.int32),
        np.concatenate(heads).astype(np.int32),
        np.concatenate(caps).astype(np.int64),
        np.concatenate(costs).astype(np.int64),
    )
    flow.set_nodes_supplies(np.array([SOURCE, SINK], np.int32), np.array([n_e, -n_e], np.int64))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    pair_ids = ids[n_e : n_e + len(e)]
    return np.nonzero(flow.flows(pair_ids) > 0)[0]


def _improving_arcs(scorer, capacity, level, has_candidate, arcs, chosen):
    """Arcs over all conflict-free pairs that let the flow match one more mentee, or a
    higher-priority mentee instead of a lower one; None when the assignment cannot improve.

    A breadth-first search along alternating paths (unmatched mentee → mentor → that mentor's
    mentee → another mentor …), one priority level at a time, scoring each visited mentee's row
    afresh so no pair the pruning dropped is missed."""
    n_e, n_m = len(has_candidate), scorer.n_mentors
    block = max(1, BLOCK_PAIRS // max(n_m, 1))
    mentor_of = np.full(n_e, -1, np.int64)
    mentor_of[arcs.mentee[chosen]] = arcs.mentor[chosen]
    load = np.bincount(arcs.mentor[chosen], minlength=n_m)
    room = capacity - load
    unmatched = (mentor_of < 0) & has_candidate
    if not unmatched.any():
        return None
    matched_levels = level[mentor_of >= 0]
    lowest_matched = matched_levels.max(initial=-1)
    if room.max(initial=0) <= 0 and level[unmatched].min() >= lowest_matched:
        return None
    for r in np.unique(level[unmatched]):
        frontier = np.nonzero(unmatched & (level == r))[0]
        reached = np.zeros(n_m, bool)
        seen = np.zeros(n_e, bool)
        seen[frontier] = True
        tree_e, tree_m, tree_s = [], [], []
        improves = False
        while len(frontier):
            nxt = []
            for at in range(0, len(frontier), block):
                rows = frontier[at : at + block]
                scores = scorer.rows(rows)
                usable = (scores != FORBIDDEN) & (capacity > 0)[None, :] & ~reached[None, :]
                new = np.nonzero(usable.any(axis=0))[0]
                if not len(new):
                    continue
                parent = np.argmax(usable[:, new], axis=0)
                reached[new] = True
                tree_e.append(rows[parent])
                tree_m.append(new)
                tree_s.append(scores[parent, new])
                if (room[new] > 0).any():
                    improves = True
                holders = np.nonzero(np.isin(mentor_of, new) & ~seen)[0]
                seen[holders] = True
                if (level[holders] > r).any():
                    improves = True
                nxt.append(holders)
            frontier = np.concatenate(nxt) if nxt else np.zeros(0, np.int64)
        if improves:
            return np.concatenate(tree_e), np.concatenate(tree_m), np.concatenate(tree_s)
    return None
