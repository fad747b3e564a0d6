"""Matching rounds against the database: who takes part, what is proposed, the command."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from matching import rounds, services
from matching.errors import MatchingError
from matching.models import MatchingRound, Mentorship, Proposal
from schemes.models import EnrolmentStatus
from tests.factories import WorkingRelationshipFactory
from tests.matching.pairs import Scene

pytestmark = pytest.mark.django_db


def _pairs(outcome):
    return {(p["mentor"], p["mentee"]) for p in outcome.proposals}


def test_a_round_proposes_the_best_conflict_free_pairs_and_stores_why():
    scene = Scene()
    anna = scene.mentor("Anna Mentor", capacity=1, region="London")
    scene.mentor("Bola Mentor", capacity=1, region="Leeds")
    cara = scene.mentee("Cara Mentee", region="London")
    dev = scene.mentee("Dev Mentee", region="Leeds")
    WorkingRelationshipFactory(supervisor=anna.person, supervisee=dev.person)

    outcome = rounds.run_round(scene.scheme, by=scene.coordinator)

    assert _pairs(outcome) == {
        ("anna@example.nhs.uk", "cara@example.nhs.uk"),
        ("bola@example.nhs.uk", "dev@example.nhs.uk"),
    }
    proposal = Proposal.objects.get(mentee=cara)
    region = proposal.breakdown["criteria"]["same_region"]
    assert region == {"label": "Same region", "weight": 20, "value": 1.0, "points": 20.0}
    assert proposal.score == proposal.breakdown["score"]
    assert outcome.round.status == MatchingRound.Status.READY
    assert set(outcome.round.timings) == {"load", "scoring", "solve", "save"}


def test_a_line_manager_is_never_proposed_even_when_nobody_else_has_room():
    scene = Scene()
    manager = scene.mentor("Maya Manager", capacity=3)
    report = scene.mentee("Ravi Report")
    WorkingRelationshipFactory(supervisor=report.person, supervisee=manager.person)  # reverse

    outcome = rounds.run_round(scene.scheme)

    assert outcome.matched == 0
    assert outcome.unmatched == ["ravi@example.nhs.uk"]


def test_priority_cohorts_are_matched_first_when_mentors_are_short():
    scene = Scene()
    scene.mentor("Anna Mentor", capacity=1)
    scene.mentee("Olly Other", cohort=scene.others, region="Leeds")
    scene.mentee("Fay Fellow", cohort=scene.fellows, region="Leeds")

    outcome = rounds.run_round(scene.scheme, dry_run=True)

    assert outcome.unmatched == ["olly@example.nhs.uk"]


def test_who_takes_part():
    scene = Scene()
    scene.mentor("Anna Able", capacity=2)
    paused = scene.mentor("Pam Paused", capacity=2)
    paused.status, paused.paused_on = EnrolmentStatus.PAUSED, datetime.date(2026, 1, 1)
    paused.save()
    away = scene.mentor("Ned Away", capacity=2)
    away.not_taking_mentees_until = datetime.date(2099, 1, 1)
    away.save()
    expired = scene.mentor("Eve Expired", capacity=2)
    expired.eligible_until = datetime.date(2020, 1, 1)
    expired.save()
    full = scene.mentor("Fred Full", capacity=1)
    already = scene.mentee("Al Ready")
    services.create_mentorship(mentors=[full], mentees=[already], source="manual", by=None)
    scene.mentee("Cara Mentee")
    scene.mentee("Dev Mentee")
    scene.mentee("Ed Extra")

    outcome = rounds.run_round(scene.scheme, dry_run=True)

    assert {p["mentor"] for p in outcome.proposals} == {"anna@example.nhs.uk"}
    assert outcome.matched == 2
    assert len(outcome.unmatched) == 1
    assert "al@example.nhs.uk" not in outcome.unmatched


def test_a_dry_run_saves_nothing():
    scene = Scene()
    scene.mentor("Anna Mentor")
    scene.mentee("Cara Mentee")

    outcome = rounds.run_round(scene.scheme, dry_run=True)

    assert outcome.round is None and outcome.matched == 1
    assert not MatchingRound.objects.exists() and not Proposal.objects.exists()


def test_the_command_prints_the_json_the_issue_asks_for(capsys):
    scene = Scene()
    scene.mentor("Anna Mentor", capacity=1)
    scene.mentee("Cara Mentee", region="London")
    scene.mentee("Dev Mentee", region="Leeds", practice=0)
    scene.scheme.matching_policy.same_organisation = "hard"
    scene.scheme.matching_policy.save()

    call_command("run_matching", scheme=scene.scheme.slug, format="json")
    saved = json.loads(capsys.readouterr().out)

    round_ = MatchingRound.objects.get()
    assert saved["round"] == round_.pk
    assert saved["matched"] == 1
    assert saved["unmatched"] == ["dev@example.nhs.uk"]
    [proposal] = saved["proposals"]
    assert proposal["mentor"] == "anna@example.nhs.uk"
    assert proposal["mentee"] == "cara@example.nhs.uk"
    assert proposal["score"] == Proposal.objects.get().score

    call_command("run_matching", scheme=scene.scheme.slug, format="json", dry_run=True)
    dry = json.loads(capsys.readouterr().out)
    assert dry["round"] is None and MatchingRound.objects.count() == 1


def test_the_command_refuses_an_unknown_scheme():
    with pytest.raises(CommandError, match="No scheme has the slug “nope”"):
        call_command("run_matching", scheme="nope")


def test_accept_swap_and_publish():
    scene = Scene()
    anna = scene.mentor("Anna Mentor", capacity=1)
    bola = scene.mentor("Bola Mentor", capacity=1)
    cara = scene.mentee("Cara Mentee")
    outcome = rounds.run_round(scene.scheme, by=scene.coordinator)
    proposal = outcome.round.proposals.get()
    other = bola if proposal.mentor == anna else anna

    rounds.swap_mentor(proposal=proposal, mentor=other, by=scene.coordinator)
    rounds.set_status(matching_round=outcome.round, proposal_ids=[proposal.pk], accept=True)
    assert rounds.publish(matching_round=outcome.round, by=scene.coordinator) == 1

    mentorship = Mentorship.objects.get()
    assert mentorship.status == Mentorship.Status.PROPOSED
    assert {m.enrolment for m in mentorship.members.all()} == {other, cara}
    outcome.round.refresh_from_db()
    assert outcome.round.status == MatchingRound.Status.PUBLISHED
    with pytest.raises(MatchingError, match="only a round ready for review"):
        rounds.set_status(matching_round=outcome.round, proposal_ids=[proposal.pk], accept=False)


def test_a_swap_to_a_conflicting_mentor_is_refused_and_changes_nothing():
    scene = Scene()
    scene.mentor("Anna Mentor", capacity=1)
    manager = scene.mentor("Maya Manager", capacity=1)
    cara = scene.mentee("Cara Mentee")
    WorkingRelationshipFactory(supervisor=manager.person, supervisee=cara.person, kind="dpp")
    proposal = rounds.run_round(scene.scheme).round.proposals.get()

    with pytest.raises(MatchingError) as refusal:
        rounds.swap_mentor(proposal=proposal, mentor=manager, by=scene.coordinator)

    assert refusal.value.field == "mentor"
    assert (
        "Maya Manager is Cara Mentee's designated prescribing practitioner: a mentor is never "
        "their mentee's line manager, supervisor or designated prescribing practitioner."
    ) in refusal.value.reasons
    proposal.refresh_from_db()
    assert proposal.mentor.person.full_name == "Anna Mentor"


def test_a_swap_may_not_overfill_a_mentor_within_the_round():
    scene = Scene()
    anna = scene.mentor("Anna Mentor", capacity=1, region="London")
    scene.mentor("Bola Mentor", capacity=1, region="Leeds")
    scene.mentee("Cara Mentee", region="London")
    dev = scene.mentee("Dev Mentee", region="Leeds")
    matching_round = rounds.run_round(scene.scheme).round
    dev_proposal = matching_round.proposals.get(mentee=dev)

    with pytest.raises(MatchingError, match="Anna Mentor has no room: 1 of 1 mentees already"):
        rounds.swap_mentor(proposal=dev_proposal, mentor=anna, by=scene.coordinator)


def test_publishing_rechecks_every_pair_and_publishes_nothing_if_one_now_conflicts():
    scene = Scene()
    anna = scene.mentor("Anna Mentor", capacity=1, region="London")
    scene.mentor("Bola Mentor", capacity=1, region="Leeds")
    cara = scene.mentee("Cara Mentee", region="London")
    scene.mentee("Dev Mentee", region="Leeds")
    matching_round = rounds.run_round(scene.scheme).round
    rounds.set_status(
        matching_round=matching_round,
        proposal_ids=matching_round.proposals.values_list("pk", flat=True),
        accept=True,
    )
    WorkingRelationshipFactory(supervisor=anna.person, supervisee=cara.person)

    with pytest.raises(MatchingError, match="Anna Mentor is Cara Mentee's line manager"):
        rounds.publish(matching_round=matching_round, by=scene.coordinator)

    assert not Mentorship.objects.exists()
    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.READY


def test_a_round_runs_a_constant_number_of_queries(django_assert_max_num_queries):
    def scene_with(n):
        scene = Scene()
        for i in range(n):
            scene.mentor(f"Mentor{n}x{i} Smith", capacity=2)
            scene.mentee(f"Mentee{n}x{i} Jones")
            scene.mentee(f"Other{n}x{i} Jones")
        return scene

    small, large = scene_with(1), scene_with(12)
    with django_assert_max_num_queries(20) as small_queries:
        rounds.run_round(small.scheme)
    with django_assert_max_num_queries(len(small_queries) + 2):
        outcome = rounds.run_round(large.scheme)
    assert outcome.matched == 24


def test_bulk_accept_refuses_a_pair_that_conflicts_since_the_round():
    scene = Scene()
    anna = scene.mentor("Anna Mentor", capacity=1, region="London")
    scene.mentor("Bola Mentor", capacity=1, region="Leeds")
    cara = scene.mentee("Cara Mentee", region="London")
    scene.mentee("Dev Mentee", region="Leeds")
    matching_round = rounds.run_round(scene.scheme).round
    WorkingRelationshipFactory(
        supervisor=cara.person, supervisee=anna.person, kind="clinical_supervisor"
    )
    every = list(matching_round.proposals.values_list("pk", flat=True))

    with pytest.raises(MatchingError, match="Cara Mentee is Anna Mentor's clinical supervisor"):
        rounds.set_status(matching_round=matching_round, proposal_ids=every, accept=True)

    assert not matching_round.proposals.filter(status=Proposal.Status.ACCEPTED).exists()
    assert rounds.set_status(matching_round=matching_round, proposal_ids=every, accept=False) == 2


def test_publishing_refuses_a_mentor_filled_since_and_a_mentee_matched_elsewhere():
    scene = Scene()
    anna = scene.mentor("Anna Mentor", capacity=1)
    cara = scene.mentee("Cara Mentee")
    matching_round = rounds.run_round(scene.scheme).round
    rounds.set_status(
        matching_round=matching_round,
        proposal_ids=matching_round.proposals.values_list("pk", flat=True),
        accept=True,
    )
    services.create_mentorship(
        mentors=[anna], mentees=[scene.mentee("Dev Mentee")], source="manual", by=None
    )
    services.create_mentorship(
        mentors=[scene.mentor("Bola Mentor")], mentees=[cara], source="manual", by=None
    )

    with pytest.raises(MatchingError) as refusal:
        rounds.publish(matching_round=matching_round, by=scene.coordinator)

    assert refusal.value.reasons == [
        "Anna Mentor has room for 0 more mentees, but 1 is accepted in this round.",
        f"Cara Mentee is no longer an active mentee without a mentor on {scene.scheme}.",
    ]
    assert Mentorship.objects.filter(source="round").count() == 0
