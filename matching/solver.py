"""The optimal assignment of mentees to mentors: OR-Tools' min-cost flow, no Django.

The network: source → each mentee (capacity 1) → each mentor it may be matched with → sink,
where a mentor's arcs to the sink carry its remaining capacity; with load spreading they are
parallel arcs of capacity 1 whose cost rises by ``spread_step`` for each extra mentee, which keeps
the optimum exact. A source → sink bypass lets a mentee stay unmatched. Each mentee arc costs
minus (its cohort's level weight + the pair's score); the level weights are so far apart that the
optimum matches as many mentees as possible, the higher-priority cohorts first, and only then
maximises the total score.

Large rounds keep only each mentee's best ``keep`` mentors (ties broken by a seeded hash, never by
chance order; every candidate kept for a mentee with few; the greedy baseline's pairs always
kept). That pruning must never cost a match, so after each solve an alternating-path search over
*all* conflict-free pairs looks for a mentee who could still be matched, or matched instead of a
lower-priority one; the arcs it finds are added and the flow solved again until there is none.
"""

import time
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from matching.scoring import FORBIDDEN, Features, Policy, reorder, score_block, score_rows

SOURCE, SINK = 0, 1


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


def _tiebreak(e: np.ndarray, m: np.ndarray, seed: int) -> np.ndarray:
    """A deterministic value in [0, 1) per pair, so equal scores are not all cut the same way."""
    h = e.astype(np.uint64) * np.uint64(0x9E3779B1) + m.astype(np.uint64) * np.uint64(0x85EBCA77)
    h = (h + np.uint64(seed) * np.uint64(0xC2B2AE3D)) & np.uint64(0xFFFFFFFF)
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(0x2C1B3C6D)) & np.uint64(0xFFFFFFFF)
    h ^= h >> np.uint64(12)
    return h.astype(np.float64) / 2.0**32


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
        self.keys, first = np.unique(keys, return_index=True)
        self.scores = scores[first]
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
    keep: int = 50,
    full_limit: int = 2_000_000,
    seed: int = 0,
    block: int = 1024,
) -> tuple[Assignment, Assignment]:
    """The optimal assignment and, from the same scoring pass, the greedy baseline."""
    timings: dict[str, float] = {}
    n_e, n_m = len(f.mentees), len(f.mentors)
    capacity = np.asarray(capacity, np.int64).clip(min=0)
    order = np.argsort(np.asarray(f.level, np.int64), kind="stable")
    if (order != np.arange(n_e)).any():
        result, greedy = solve(
            reorder(f, order),
            policy,
            capacity,
            spread_step=spread_step,
            keep=keep,
            full_limit=full_limit,
            seed=seed,
            block=block,
        )
        result.mentee, greedy.mentee = order[result.mentee], order[greedy.mentee]
        return result, greedy
    level = np.asarray(f.level, np.int64)
    prune = n_e * n_m > full_limit

    started = time.perf_counter()
    arcs = _Arcs(max(n_m, 1))
    greedy_room = capacity.copy()
    greedy_e, greedy_m, greedy_s = [], [], []
    has_candidate = np.zeros(n_e, bool)
    for at in range(0, n_e, block):
        rows = np.arange(at, min(at + block, n_e))
        scores = score_block(f, policy, at, at + len(rows))
        allowed = (scores != FORBIDDEN) & (capacity > 0)[None, :]
        has_candidate[rows] = allowed.any(axis=1)
        _greedy(rows, scores, allowed, greedy_room, greedy_e, greedy_m, greedy_s)
        if not prune:
            r, c = np.nonzero(allowed)
            arcs.add(rows[r], c, scores[r, c])
            continue
        key = np.where(
            allowed, scores + _tiebreak(rows[:, None], np.arange(n_m)[None, :], seed), -np.inf
        )
        k = min(keep, n_m)
        best = np.argpartition(-key, k - 1, axis=1)[:, :k]
        r = np.repeat(np.arange(len(rows)), k)
        c = best.ravel()
        ok = allowed[r, c]
        arcs.add(rows[r[ok]], c[ok], scores[r[ok], c[ok]])
    greedy = Assignment(
        np.array(greedy_e, np.int64), np.array(greedy_m, np.int64), np.array(greedy_s, np.int32)
    )
    if prune:
        arcs.add(greedy.mentee, greedy.mentor, greedy.score)
    timings["scoring"] = time.perf_counter() - started

    started = time.perf_counter()
    solves = repairs = 0
    while True:
        n_arcs = arcs.freeze()
        chosen = _min_cost_flow(arcs, level, capacity, spread_step, n_e, n_m)
        solves += 1
        if not prune:
            break
        extra = _improving_arcs(f, policy, capacity, level, has_candidate, arcs, chosen, block)
        if extra is None:
            break
        repairs += 1
        arcs.add(*extra)
    timings["solve"] = time.perf_counter() - started
    result = Assignment(
        arcs.mentee[chosen],
        arcs.mentor[chosen],
        arcs.scores[chosen],
        timings=timings,
        stats={"arcs": n_arcs, "solves": solves, "repairs": repairs, "pruned": int(prune)},
    )
    return result, greedy


def _greedy(rows, scores, allowed, room, out_e, out_m, out_s) -> None:
    """Each mentee in priority order takes their best-scoring mentor with room left."""
    for i, e in enumerate(rows):
        usable = allowed[i] & (room > 0)
        if not usable.any():
            continue
        m = int(np.argmax(np.where(usable, scores[i], np.iinfo(np.int64).min)))
        room[m] -= 1
        out_e.append(int(e))
        out_m.append(m)
        out_s.append(int(scores[i, m]))


def _min_cost_flow(arcs, level, capacity, spread_step, n_e, n_m) -> np.ndarray:
    """Indices into ``arcs`` of the pairs in the optimal flow."""
    e, m, s = arcs.mentee, arcs.mentor, arcs.scores.astype(np.int64)
    load_cost = spread_step * int(capacity.max(initial=0))
    span = int(np.abs(s).max(initial=0)) + load_cost + 1
    gap = n_e * span + 1
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


def _improving_arcs(f, policy, capacity, level, has_candidate, arcs, chosen, block):
    """Arcs over all conflict-free pairs that let the flow match one more mentee, or a
    higher-priority mentee instead of a lower one; None when the assignment cannot improve.

    A breadth-first search along alternating paths (unmatched mentee → mentor → that mentor's
    mentee → another mentor …), one priority level at a time, scoring each visited mentee's row
    afresh so no pair the pruning dropped is missed."""
    n_e, n_m = len(f.mentees), len(f.mentors)
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
                scores = score_rows(f, policy, rows)
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
