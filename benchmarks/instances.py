"""Generated matching instances shaped like real rounds, for the benchmark and the property tests.

People cluster the way an ICS does: a few regions, organisations of a few dozen staff, a handful
of sectors and focus areas — so many pairs tie, which is what makes pruning dangerous. About
``conflict_rate`` of all pairs are working relationships (hard conflicts).
"""

import numpy as np

from matching.scoring import Features, Pairs, People, Policy

DEFAULT_WEIGHTS = {
    "same_sector": 30,
    "same_scope": 10,
    "same_region": 20,
    "focus_overlap": 40,
    "different_organisation": 10,
    "cohort_priority": 20,
    "mentee_ranking": 50,
}


def default_policy(**conflicts) -> Policy:
    return Policy(weights=dict(DEFAULT_WEIGHTS), conflicts=conflicts, penalty=20)


def _people(rng, n, *, person_offset, organisations, regions, sectors, focus):
    org = rng.integers(0, organisations, n)
    dept = org * 4 + rng.integers(0, 4, n)
    return People(
        person=np.arange(person_offset, person_offset + n, dtype=np.int64),
        organisation=org.astype(np.int64),
        department=dept.astype(np.int64),
        region=(org % regions).astype(np.int64),
        sectors=(np.uint64(1) << rng.integers(0, sectors, n).astype(np.uint64))[:, None],
        scope=(np.uint64(1) << rng.integers(0, 3, n).astype(np.uint64))[:, None],
        focus=rng.integers(0, 1 << focus, n).astype(np.uint64)[:, None],
    )


def instance(
    n_mentors: int,
    n_mentees: int,
    *,
    seed: int = 0,
    conflict_rate: float = 0.02,
    capacity: tuple[int, int] = (4, 8),
    levels: int = 3,
    ranked: float = 0.1,
    diversity: int = 1,
):
    """Features and remaining capacities; ``diversity`` 0 makes everyone alike (all scores tie)."""
    rng = np.random.default_rng(seed)
    organisations = max(1, (n_mentors + n_mentees) // 40)
    shape = dict(
        organisations=organisations if diversity else 1,
        regions=5 if diversity else 1,
        sectors=4 if diversity else 1,
        focus=6 if diversity else 1,
    )
    mentees = _people(rng, n_mentees, person_offset=n_mentors, **shape)
    if not diversity:
        mentees.focus[:] = 1
    mentors = _people(rng, n_mentors, person_offset=0, **shape)
    if not diversity:
        mentors.focus[:] = 1
    n_conflicts = int(conflict_rate * n_mentors * n_mentees)
    relationship = Pairs(
        rng.integers(0, n_mentees, n_conflicts), rng.integers(0, n_mentors, n_conflicts)
    )
    n_ranked = int(ranked * n_mentees)
    rankers = rng.choice(n_mentees, n_ranked, replace=False) if n_ranked else np.zeros(0, int)
    rank_e = np.repeat(rankers, 3)
    rank_m = rng.integers(0, n_mentors, len(rank_e)) if n_mentors else np.zeros(0, int)
    value = np.tile([1.0, 2 / 3, 1 / 3], len(rankers))
    keep = np.unique(rank_e * max(n_mentors, 1) + rank_m, return_index=True)[1]
    level = rng.integers(0, levels, n_mentees).astype(np.int64)
    features = Features(
        mentees=mentees,
        mentors=mentors,
        level=level,
        cohort_value=1 - level / max(levels, 1),
        relationship=relationship,
        supervisor_of_supervisor=Pairs(),
        shared_line_manager=Pairs(),
        ranking=Pairs(rank_e[keep], rank_m[keep], value[keep]),
    )
    caps = rng.integers(capacity[0], capacity[1] + 1, n_mentors).astype(np.int64)
    return features, caps
