"""Pair scoring (``matching.scoring``), pure numpy: what a breakdown says, which pairs are
forbidden, how each conflict mode behaves, and that the fast paths (``score_block``, ``Scorer``)
give exactly the pair-by-pair arithmetic that ``breakdown`` shows a coordinator."""

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import scoring
from matching.scoring import (
    CONFLICTS,
    CRITERIA,
    FORBIDDEN,
    HARD,
    OFF,
    PENALTY,
    UNIT,
    Features,
    Pairs,
    People,
    Policy,
    Scorer,
    breakdown,
    combine,
    components,
    score_block,
    score_rows,
)

MODES = [OFF, PENALTY, HARD]


# --- random small rounds (also used by test_solver) -------------------------------------------


@st.composite
def rounds(draw, max_mentors=5, max_mentees=6):
    """A random small round: (Features, Policy, capacity) with blanks, shared people, sparse
    conflicts of every kind, rankings, several cohorts and negative scores (penalties)."""
    n_m = draw(st.integers(1, max_mentors))
    n_e = draw(st.integers(1, max_mentees))

    def ints(n, lo, hi):
        return np.array(draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n)), np.int64)

    def masks(n, words, hi):
        values = draw(st.lists(st.integers(0, hi), min_size=n * words, max_size=n * words))
        return np.array(values, np.uint64).reshape(n, words)

    words = draw(st.integers(1, 2))

    def people(n, person):
        return People(
            person=person,
            organisation=ints(n, 0, 2),
            department=ints(n, -1, 3),
            region=ints(n, -1, 2),
            sectors=masks(n, 1, 7),
            scope=masks(n, 1, 3),
            focus=masks(n, words, 15),
        )

    def pairs(max_size, values=False):
        found = draw(
            st.lists(
                st.tuples(st.integers(0, n_e - 1), st.integers(0, n_m - 1)),
                max_size=max_size,
                unique=True,
            )
        )
        e = np.array([a for a, _ in found], np.int64)
        m = np.array([b for _, b in found], np.int64)
        value = None
        if values:
            value = np.array([draw(st.sampled_from([1.0, 2 / 3, 0.5, 1 / 3, 0.25])) for _ in found])
        return Pairs(e, m, value)

    level = ints(n_e, 0, 2)
    features = Features(
        mentees=people(n_e, ints(n_e, 0, n_m + 2 * n_e)),  # some mentees are also mentors
        mentors=people(n_m, np.arange(n_m, dtype=np.int64)),
        level=level,
        cohort_value=1 - level / 3,
        relationship=pairs(4),
        supervisor_of_supervisor=pairs(4),
        shared_line_manager=pairs(4),
        ranking=pairs(6, values=True),
    )
    weight = st.sampled_from([0, 0, 1, 7, 10, 33, 50, 100])
    policy = Policy(
        weights={name: draw(weight) for name in CRITERIA},
        conflicts={name: draw(st.sampled_from(MODES)) for name in CONFLICTS},
        penalty=draw(st.integers(0, 120)),
    )
    capacity = ints(n_m, 0, 3)
    return features, policy, capacity


def reference(f, policy):
    """Every pair's score the slow, obvious way: aligned pair lists through components()."""
    e, m = np.meshgrid(np.arange(len(f.mentees)), np.arange(len(f.mentors)), indexing="ij")
    return combine(components(f, policy, e.ravel(), m.ravel()), policy).reshape(e.shape)


# --- a hand-made pair -------------------------------------------------------------------------


def person(i, *, organisation=1, department=-1, region=-1, sectors=0, scope=0, focus=0):
    return {
        "person": i,
        "organisation": organisation,
        "department": department,
        "region": region,
        "sectors": sectors,
        "scope": scope,
        "focus": focus,
    }


def side(rows):
    return People(
        **{
            key: np.array([[r[key]] for r in rows], np.uint64)
            if key in ("sectors", "scope", "focus")
            else np.array([r[key] for r in rows], np.int64)
            for key in rows[0]
        }
    )


def round_of(mentees, mentors, *, level=None, cohort_value=None, **sparse):
    level = np.zeros(len(mentees), np.int64) if level is None else np.array(level)
    cohort = np.zeros(len(mentees)) if cohort_value is None else np.array(cohort_value)
    return Features(
        mentees=side(mentees),
        mentors=side(mentors),
        level=level,
        cohort_value=cohort,
        relationship=sparse.get("relationship", Pairs()),
        supervisor_of_supervisor=sparse.get("supervisor_of_supervisor", Pairs()),
        shared_line_manager=sparse.get("shared_line_manager", Pairs()),
        ranking=sparse.get("ranking", Pairs()),
    )


WEIGHTS = {
    "same_sector": 30,
    "same_scope": 10,
    "same_region": 20,
    "focus_overlap": 40,
    "different_organisation": 10,
    "cohort_priority": 20,
    "mentee_ranking": 50,
}


def test_breakdown_explains_each_criterion_with_its_weight_value_and_points():
    mentee = person(10, organisation=1, region=3, sectors=0b01, scope=0b10, focus=0b0111)
    mentor = person(0, organisation=2, region=3, sectors=0b11, scope=0b01, focus=0b0011)
    f = round_of([mentee], [mentor], cohort_value=[0.5], ranking=Pairs([0], [0], [2 / 3]))
    policy = Policy(weights=WEIGHTS, conflicts={}, penalty=20)

    why = breakdown(f, policy, 0, 0)

    got = {name: (c["weight"], c["value"], c["points"]) for name, c in why["criteria"].items()}
    assert got == {
        "same_sector": (30, 1.0, 30.0),
        "same_scope": (10, 0.0, 0.0),
        "same_region": (20, 1.0, 20.0),
        "focus_overlap": (40, 0.667, 26.67),  # two of the three areas the mentee wants
        "different_organisation": (10, 1.0, 10.0),
        "cohort_priority": (20, 0.5, 10.0),
        "mentee_ranking": (50, 0.667, 33.33),
    }
    assert all(c["label"] == CRITERIA[name] for name, c in why["criteria"].items())
    assert why["penalties"] == {}
    # 30 + 20 + 26.666… + 10 + 10 + 33.333… = 130 exactly, in hundredths
    assert why["score"] == 130.0
    assert score_rows(f, policy, np.array([0]))[0, 0] == 130 * UNIT


def test_breakdown_lists_each_penalty_and_takes_it_off_the_score():
    mentee = person(10, organisation=1, department=4, sectors=1)
    mentor = person(0, organisation=1, department=4, sectors=1)
    f = round_of([mentee], [mentor], shared_line_manager=Pairs([0], [0]))
    policy = Policy(
        weights={"same_sector": 30},
        conflicts={"same_organisation": PENALTY, "shared_line_manager": PENALTY},
        penalty=25,
    )

    why = breakdown(f, policy, 0, 0)

    assert why["penalties"] == {
        "same_organisation": {"label": CONFLICTS["same_organisation"], "points": -25},
        "shared_line_manager": {"label": CONFLICTS["shared_line_manager"], "points": -25},
    }
    assert why["score"] == 30 - 25 - 25


def test_a_working_relationship_forbids_exactly_the_pairs_it_names():
    people = [person(10 + i) for i in range(2)]
    mentors = [person(i) for i in range(2)]
    # the loader gives each relationship as a (mentee row, mentor row) pair whichever of the two
    # supervises the other; here mentee 0 and mentor 1 are related, nobody else
    f = round_of(people, mentors, relationship=Pairs([0], [1]))
    policy = Policy(weights=WEIGHTS, conflicts={}, penalty=20)

    scores = score_rows(f, policy, np.arange(2))

    assert scores[0, 1] == FORBIDDEN
    assert (scores[[0, 1, 1], [0, 0, 1]] != FORBIDDEN).all()
    assert breakdown(f, policy, 0, 1)["score"] is None


def test_the_same_person_is_never_their_own_mentor_whatever_the_policy():
    f = round_of([person(7), person(8)], [person(7), person(9)])
    nothing = Policy(weights={}, conflicts={}, penalty=0)

    scores = score_rows(f, nothing, np.arange(2))

    assert scores[0, 0] == FORBIDDEN
    assert (scores[[0, 1, 1], [1, 0, 1]] == 0).all()
    assert score_block(f, nothing, 0, 2)[0, 0] == FORBIDDEN


def clash_round(conflict):
    """One mentee and two mentors, identical but for ``conflict`` with mentor 0."""
    mentee = person(10, organisation=1, department=5, sectors=1)
    mentors = [
        person(0, organisation=2, department=6, sectors=1),
        person(1, organisation=2, department=6, sectors=1),
    ]
    sparse = {}
    if conflict == "same_organisation":
        mentors[0]["organisation"] = 1
    elif conflict == "same_department":
        mentors[0]["department"] = 5
    else:
        sparse[conflict] = Pairs([0], [0])
    return round_of([mentee], mentors, **sparse)


@pytest.mark.parametrize("conflict", list(CONFLICTS))
@pytest.mark.parametrize("mode", MODES)
def test_each_conflict_is_ignored_penalised_or_forbidden_as_the_scheme_sets_it(conflict, mode):
    f = clash_round(conflict)
    policy = Policy(weights={"same_sector": 30}, conflicts={conflict: mode}, penalty=12)

    clashing, clear = score_rows(f, policy, np.array([0]))[0]
    why = breakdown(f, policy, 0, 0)

    assert clear == 30 * UNIT
    if mode == OFF:
        assert clashing == clear
        assert why["penalties"] == {}
    elif mode == PENALTY:
        assert clashing == clear - 12 * UNIT
        assert list(why["penalties"]) == [conflict]
        assert why["score"] == 30 - 12
    else:
        assert clashing == FORBIDDEN
        assert why["score"] is None
    assert (score_block(f, policy, 0, 1)[0] == [clashing, clear]).all()


def test_a_blank_region_or_department_never_counts_as_the_same():
    mentee = person(10, region=-1, department=-1)
    mentors = [person(0, region=-1, department=-1), person(1, region=-2, department=-2)]
    f = round_of([mentee], mentors)
    policy = Policy(weights={"same_region": 20}, conflicts={"same_department": HARD}, penalty=20)

    assert (score_rows(f, policy, np.array([0]))[0] == 0).all()
    assert breakdown(f, policy, 0, 0)["criteria"]["same_region"]["value"] == 0


def test_a_mentee_who_wants_no_focus_area_scores_no_focus_overlap():
    f = round_of([person(10, focus=0)], [person(0, focus=0b1111)])
    policy = Policy(weights={"focus_overlap": 40}, conflicts={}, penalty=20)

    assert score_rows(f, policy, np.array([0]))[0, 0] == 0


# --- the fast paths are the same arithmetic ---------------------------------------------------


@settings(deadline=None, max_examples=150)
@given(rounds(max_mentors=7, max_mentees=9), st.data())
def test_score_block_and_score_rows_equal_the_pair_by_pair_scores(case, data):
    f, policy, _ = case
    n_e = len(f.mentees)
    expected = reference(f, policy)
    start = data.draw(st.integers(0, n_e))
    stop = data.draw(st.integers(start, n_e))
    rows = np.array(data.draw(st.lists(st.integers(0, n_e - 1), max_size=12)), np.int64)

    assert np.array_equal(score_rows(f, policy, np.arange(n_e)), expected)
    assert np.array_equal(score_block(f, policy, start, stop), expected[start:stop])
    assert np.array_equal(Scorer(f, policy).rows(rows), expected[rows])
    with mock.patch.object(scoring, "TABLE_LIMIT", 0):  # the plain path, without the table
        assert np.array_equal(Scorer(f, policy).rows(rows), expected[rows])
    e = data.draw(st.integers(0, n_e - 1))
    m = data.draw(st.integers(0, len(f.mentors) - 1))
    score = breakdown(f, policy, e, m)["score"]
    assert score == (None if expected[e, m] == FORBIDDEN else expected[e, m] / UNIT)


def test_wide_focus_masks_and_many_cohorts_score_alike_on_every_path():
    rng = np.random.default_rng(3)
    n_e, n_m = 40, 30

    def people(n, offset):
        return People(
            person=np.arange(offset, offset + n),
            organisation=rng.integers(0, 4, n),
            department=rng.integers(-1, 8, n),
            region=rng.integers(-1, 3, n),
            sectors=rng.integers(0, 2**40, (n, 1)).astype(np.uint64),
            scope=rng.integers(0, 4, (n, 1)).astype(np.uint64),
            focus=rng.integers(0, 2**62, (n, 3)).astype(np.uint64),  # 150-odd focus areas
        )

    f = Features(
        mentees=people(n_e, 100),
        mentors=people(n_m, 0),
        level=np.zeros(n_e, np.int64),
        cohort_value=rng.random(n_e),  # a different value for every mentee
        relationship=Pairs(rng.integers(0, n_e, 30), rng.integers(0, n_m, 30)),
        supervisor_of_supervisor=Pairs(),
        shared_line_manager=Pairs(rng.integers(0, n_e, 30), rng.integers(0, n_m, 30)),
        ranking=Pairs(rng.integers(0, n_e, 20), rng.integers(0, n_m, 20), rng.random(20)),
    )
    policy = Policy(
        weights={name: 7 * (i + 1) for i, name in enumerate(CRITERIA)},
        conflicts={"same_department": PENALTY, "shared_line_manager": PENALTY},
        penalty=33,
    )

    expected = reference(f, policy)

    assert np.array_equal(score_block(f, policy, 0, n_e), expected)
    assert np.array_equal(score_rows(f, policy, np.arange(n_e)[::-1]), expected[::-1])


def test_a_policy_that_weighs_nothing_scores_every_allowed_pair_zero():
    f = round_of([person(10), person(11)], [person(0), person(1)], relationship=Pairs([1], [0]))
    nothing = Policy(weights={}, conflicts={}, penalty=20)

    assert score_block(f, nothing, 0, 2).tolist() == [[0, 0], [FORBIDDEN, 0]]


def test_pairs_are_kept_sorted_with_their_values_and_answer_membership():
    pairs = Pairs([2, 0, 2, 1], [1, 3, 0, 1], [0.1, 0.2, 0.3, 0.4])

    assert pairs.mentee.tolist() == [0, 1, 2, 2]
    assert pairs.mentor.tolist() == [3, 1, 0, 1]
    assert pairs.value.tolist() == [0.2, 0.4, 0.3, 0.1]
    assert pairs.contains(np.array([2, 2, 0, 1]), np.array([0, 2, 3, 3])).tolist() == [
        True,
        False,
        True,
        False,
    ]
    assert not Pairs().contains(np.array([0]), np.array([0])).any()
