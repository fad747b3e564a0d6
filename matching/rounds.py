"""Matching rounds: solve a whole scheme at once, let coordinators review, swap and publish.

:func:`run_round` loads every unmatched active mentee and every available mentor with room,
solves (``matching.solver``), and saves the proposals with their score breakdowns in bulk — or,
on a dry run, saves nothing. Publishing turns accepted proposals into proposed mentorships
through ``services.create_mentorship``, so each pair is checked again on the day.
"""

import datetime
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import timezone

from matching import conflicts, loading, services
from matching.errors import MatchingError, MatchingRefusal
from matching.models import MatchingRound, Proposal
from matching.scoring import FORBIDDEN, UNIT, breakdowns, combine, components
from matching.solver import solve
from mentoring.models import User
from schemes.models import Enrolment, Scheme


@dataclass
class RoundOutcome:
    round: MatchingRound | None
    matched: int
    unmatched: list[str]
    proposals: list[dict]
    total_score: float
    greedy_matched: int = 0
    greedy_score: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "round": self.round.pk if self.round else None,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "proposals": self.proposals,
        }


def run_round(
    scheme: Scheme,
    *,
    by: User | None = None,
    dry_run: bool = False,
    on_date: datetime.date | None = None,
    matching_round: MatchingRound | None = None,
) -> RoundOutcome:
    """Match the scheme's unmatched mentees now. ``matching_round`` is a round already created
    (status *running*) by the admin, which the Celery task fills in."""
    on_date = on_date or timezone.localdate()
    policy = conflicts.policy_for(scheme)
    timings = {}

    started = time.perf_counter()
    loaded = loading.load(scheme, on_date)
    timings["load"] = time.perf_counter() - started

    result, greedy = solve(
        loaded.features, policy.as_policy(), loaded.capacity, spread_step=policy.step
    )
    timings["scoring"] = result.timings["scoring"]
    timings["solve"] = result.timings["solve"]

    started = time.perf_counter()
    order = np.lexsort((result.mentee, -result.score))
    pairs = [(int(result.mentee[i]), int(result.mentor[i]), int(result.score[i])) for i in order]
    proposals = [
        {
            "mentor": loaded.emails[loaded.mentors[m]],
            "mentee": loaded.emails[loaded.mentees[e]],
            "score": s / UNIT,
        }
        for e, m, s in pairs
    ]
    matched_rows = set(result.mentee.tolist())
    unmatched = sorted(
        loaded.emails[pk] for row, pk in enumerate(loaded.mentees) if row not in matched_rows
    )
    saved = None
    if not dry_run:
        with transaction.atomic():
            saved = matching_round or MatchingRound(scheme=scheme, created_by=by)
            saved.parameters = _parameters(policy)
            saved.mentees_considered = len(loaded.mentees)
            saved.mentors_considered = len(loaded.mentors)
            saved.matched = len(pairs)
            saved.unmatched = unmatched
            saved.total_score = result.total_score / UNIT
            saved.status = MatchingRound.Status.READY
            saved.save()
            explained = breakdowns(
                loaded.features,
                policy.as_policy(),
                np.array([e for e, _, _ in pairs], np.int64),
                np.array([m for _, m, _ in pairs], np.int64),
            )
            Proposal.objects.bulk_create(
                (
                    Proposal(
                        round=saved,
                        mentor_id=loaded.mentors[m],
                        mentee_id=loaded.mentees[e],
                        score=s / UNIT,
                        breakdown=why,
                    )
                    for (e, m, s), why in zip(pairs, explained, strict=True)
                ),
                batch_size=2000,
            )
    timings["save"] = time.perf_counter() - started
    if saved is not None:
        saved.timings = {k: round(v, 4) for k, v in timings.items()}
        saved.save(update_fields=["timings"])
    return RoundOutcome(
        round=saved,
        matched=len(pairs),
        unmatched=unmatched,
        proposals=proposals,
        total_score=result.total_score / UNIT,
        greedy_matched=greedy.matched,
        greedy_score=greedy.total_score / UNIT,
        timings=timings,
    )


RUNNING_ROUND_BLOCKS_FOR = datetime.timedelta(minutes=10)


def start_round(*, scheme: Scheme, by) -> MatchingRound | None:
    """A round of the scheme, *running* until the Celery task has solved it and saved its
    proposals; the task is sent only once the round is committed, so the worker finds it.
    None while another round of the scheme is still running (the scheme row is locked, so two
    coordinators pressing at once start one round)."""
    with transaction.atomic():
        Scheme.objects.select_for_update().filter(pk=scheme.pk).first()
        since = timezone.now() - RUNNING_ROUND_BLOCKS_FOR
        if MatchingRound.objects.filter(
            scheme=scheme, status=MatchingRound.Status.RUNNING, created_at__gte=since
        ).exists():
            return None
        matching_round = MatchingRound.objects.create(
            scheme=scheme, status=MatchingRound.Status.RUNNING, created_by=by
        )
        from matching.tasks import run_matching_round

        transaction.on_commit(lambda: run_matching_round.delay(matching_round.pk))
    return matching_round


def _parameters(policy) -> dict:
    return {
        "mode": policy.mode,
        "weights": policy.as_policy().weights,
        "conflicts": policy.as_policy().conflicts,
        "penalty": policy.conflict_penalty,
        "spread_load": policy.spread_load,
        "spread_step": policy.spread_step,
    }


def _ready(matching_round: MatchingRound) -> None:
    if matching_round.status != MatchingRound.Status.READY:
        raise MatchingError(
            MatchingRefusal.ROUND_NOT_READY,
            f"This round is {matching_round.get_status_display().lower()}: only a round ready "
            "for review can be changed.",
        )


def set_status(*, matching_round: MatchingRound, proposal_ids, accept: bool, on_date=None) -> int:
    """Accept (or reject) proposals in bulk. Accepting checks every pair again, all at once: if
    any now conflicts (say a relationship recorded since the round), nothing is accepted and
    each conflict is given in plain words."""
    _ready(matching_round)
    chosen = matching_round.proposals.filter(pk__in=proposal_ids).exclude(
        status=Proposal.Status.PUBLISHED
    )
    if accept:
        problems = _conflicting(matching_round.scheme, list(chosen), on_date)
        if problems:
            raise MatchingError(MatchingRefusal.CONFLICT, *problems)
    status = Proposal.Status.ACCEPTED if accept else Proposal.Status.REJECTED
    return chosen.update(status=status)


def _conflicting(scheme, proposals: list[Proposal], on_date) -> list[str]:
    """The conflicts among the proposals' pairs: one load and one array pass for all of them,
    then plain words for the few that clash."""
    if not proposals:
        return []
    on_date = on_date or timezone.localdate()
    loaded = loading.load(
        scheme,
        on_date,
        mentees=Enrolment.objects.filter(pk__in={p.mentee_id for p in proposals}),
        mentors=Enrolment.objects.filter(pk__in={p.mentor_id for p in proposals}),
        with_capacity=False,
    )
    mentee_row = {pk: n for n, pk in enumerate(loaded.mentees)}
    mentor_row = {pk: n for n, pk in enumerate(loaded.mentors)}
    e = np.array([mentee_row[p.mentee_id] for p in proposals], np.int64)
    m = np.array([mentor_row[p.mentor_id] for p in proposals], np.int64)
    scores = combine(
        components(loaded.features, conflicts.policy_for(scheme).as_policy(), e, m),
        conflicts.policy_for(scheme).as_policy(),
    )
    problems = []
    for proposal in (p for p, s in zip(proposals, scores, strict=True) if s == FORBIDDEN):
        problems += conflicts.conflict_sentences(proposal.mentor, proposal.mentee, on_date=on_date)
    return problems


def swap_mentor(*, proposal: Proposal, mentor: Enrolment, by: User, on_date=None) -> Proposal:
    """Give a proposal's mentee another mentor by hand: checked like any other pairing, and the
    new mentor must have room for everyone this round already gives them."""
    on_date = on_date or timezone.localdate()
    matching_round = proposal.round
    _ready(matching_round)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        in_round = (
            matching_round.proposals.filter(mentor=mentor)
            .exclude(status=Proposal.Status.REJECTED)
            .exclude(pk=proposal.pk)
            .count()
        )
        problems = conflicts.pair_problems(
            mentor, proposal.mentee, on_date=on_date, extra_load=in_round
        )
        if problems:
            raise MatchingError(MatchingRefusal.CONFLICT, *problems, field="mentor")
        score, explained = services._explain(mentor, proposal.mentee, on_date)
        proposal.mentor = mentor
        proposal.score = score
        proposal.breakdown = explained
        proposal.swapped_by = by
        proposal.status = Proposal.Status.ACCEPTED
        proposal.save()
    return proposal


def publish(*, matching_round: MatchingRound, by: User, on_date=None) -> int:
    """Turn every accepted proposal into a proposed mentorship, all or nothing: if any pair is
    refused today (a relationship recorded since, a mentor paused or now full, a mentee who left
    or was matched elsewhere), nothing is published and every refusal is listed.

    The checks run for all pairs at once — one load, a handful of queries — and the mentorships
    are created in bulk, so publishing a large round takes seconds, not a query per pair."""
    on_date = on_date or timezone.localdate()
    _ready(matching_round)
    accepted = list(
        matching_round.proposals.filter(status=Proposal.Status.ACCEPTED).select_related(
            "mentor__person__user", "mentee__person__user", "mentor__scheme", "mentee__scheme"
        )
    )
    if not accepted:
        raise MatchingError(
            MatchingRefusal.NOTHING_ACCEPTED, "Accept at least one proposal before publishing."
        )
    scheme = matching_round.scheme
    with transaction.atomic():
        mentor_ids = {p.mentor_id for p in accepted}
        mentee_ids = {p.mentee_id for p in accepted}
        list(
            Enrolment.objects.select_for_update(of=("self",))
            .filter(pk__in=mentor_ids | mentee_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        problems = _conflicting(scheme, accepted, on_date)
        problems += _unavailable(scheme, accepted, on_date)
        if problems:
            raise MatchingError(MatchingRefusal.CONFLICT, *problems)
        services.create_proposed_mentorships(accepted, by=by)
        matching_round.proposals.filter(status=Proposal.Status.ACCEPTED).update(
            status=Proposal.Status.PUBLISHED
        )
        matching_round.status = MatchingRound.Status.PUBLISHED
        matching_round.published_at = timezone.now()
        matching_round.published_by = by
        matching_round.save()
    return len(accepted)


def _unavailable(scheme, accepted: list[Proposal], on_date) -> list[str]:
    """Mentors no longer available or without room for everyone accepted for them; mentees no
    longer active or already matched — in a constant number of queries."""
    wanted = Counter(p.mentor_id for p in accepted)
    mentors = {p.mentor_id: p.mentor for p in accepted}
    available = set(
        loading.mentor_candidates(scheme, on_date)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    room = loading.remaining_capacity(list(mentors.values()), scheme)
    problems = []
    for mentor_id, count in wanted.items():
        mentor = mentors[mentor_id]
        if mentor_id not in available:
            problems += conflicts.mentor_problems(mentor, on_date) or [
                f"{mentor.person.full_name} is not taking new mentees on {scheme}."
            ]
        elif room[mentor_id] < count:
            problems.append(
                f"{mentor.person.full_name} has room for {max(room[mentor_id], 0)} more "
                f"mentees, but {count} {'is' if count == 1 else 'are'} accepted in this round."
            )
    mentees = {p.mentee_id: p.mentee for p in accepted}
    active = set(
        loading.unmatched_mentees(scheme).filter(pk__in=mentees).values_list("pk", flat=True)
    )
    for mentee_id, mentee in mentees.items():
        if mentee_id not in active:
            problems.append(
                f"{mentee.person.full_name} is no longer an active mentee without a mentor on "
                f"{scheme}."
            )
    return problems
