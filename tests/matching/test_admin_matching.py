"""The coordinators' matching admin: policies, rounds (run, review, accept, swap, publish),
mentorships (pair by hand, end, first meeting, conflict flags) and rematch requests."""

import datetime

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from matching import rounds, services
from matching.models import (
    ConflictFlag,
    MatchingPolicy,
    MatchingRound,
    Mentorship,
    Proposal,
    RematchRequest,
    Source,
)
from tests.auth import sign_in
from tests.factories import IcbFactory, WorkingRelationshipFactory, coordinator_of, finance_of
from tests.matching.pairs import Scene
from tests.schemes.factories import SchemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return Scene()


@pytest.fixture
def outsider():
    """A coordinator of another ICS, with a scheme of their own."""
    icb = IcbFactory(name="NHS Elsewhere ICB")
    SchemeFactory(owner=icb, name="Elsewhere scheme")
    return coordinator_of(icb, email="outsider@example.nhs.uk")


def ready_round(scene, pairs=1) -> MatchingRound:
    for i in range(pairs):
        scene.mentor(f"Mentor{i} Smith", capacity=1)
        scene.mentee(f"Mentee{i} Jones")
    return rounds.run_round(scene.scheme, by=scene.coordinator).round


def proposed(scene, mentor, mentee) -> Mentorship:
    return services.create_mentorship(
        mentors=[mentor], mentees=[mentee], source=Source.MANUAL, by=scene.coordinator
    )


def round_url(matching_round, **query):
    url = reverse("admin:matching_matchinground_change", args=[matching_round.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def errors_of(response, field):
    return response.context["form"].errors.get(field, [])


# scoping ----------------------------------------------------------------------------------------
@pytest.fixture
def everything(scene):
    matching_round = ready_round(scene)
    proposal = matching_round.proposals.get()
    mentorship = proposed(scene, scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee"))
    flag = ConflictFlag.objects.create(
        mentorship=mentorship, conflict="same_department", hard=False, reason="Same team."
    )
    rematch = RematchRequest.objects.create(
        mentorship=mentorship, mentee=mentorship.members.get(role="mentee").enrolment, reason="X"
    )
    policy = scene.scheme.matching_policy
    return {
        "policy": reverse("admin:matching_matchingpolicy_change", args=[policy.pk]),
        "round": round_url(matching_round),
        "proposals": reverse("admin:matching_matchinground_proposals", args=[matching_round.pk]),
        "swap": reverse("admin:matching_proposal_swap", args=[matching_round.pk, proposal.pk]),
        "publish": reverse("admin:matching_matchinground_publish", args=[matching_round.pk]),
        "mentorship": reverse("admin:matching_mentorship_change", args=[mentorship.pk]),
        "end": reverse("admin:matching_mentorship_end", args=[mentorship.pk]),
        "meeting": reverse("admin:matching_mentorship_meeting", args=[mentorship.pk]),
        "flag": reverse("admin:matching_mentorship_flag", args=[mentorship.pk, flag.pk]),
        "conflictflag": reverse("admin:matching_conflictflag_change", args=[flag.pk]),
        "rematch": reverse("admin:matching_rematchrequest_change", args=[rematch.pk]),
        "handled": reverse("admin:matching_rematchrequest_handled", args=[rematch.pk]),
    }


PAGES = [
    "policy",
    "round",
    "proposals",
    "swap",
    "publish",
    "mentorship",
    "end",
    "meeting",
    "flag",
    "conflictflag",
    "rematch",
    "handled",
]


@pytest.mark.parametrize("page", PAGES)
def test_a_coordinator_of_another_ics_gets_404_on_every_page(client, everything, outsider, page):
    sign_in(client, outsider)
    assert client.get(everything[page]).status_code == 404
    assert client.post(everything[page], {"decision": "accept"}).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_the_schemes_own_coordinator_may_open_every_page(client, everything, scene, page):
    sign_in(client, scene.coordinator)
    assert client.get(everything[page]).status_code in (200, 302)


@pytest.mark.parametrize(
    "model", ["matchingpolicy", "matchinground", "mentorship", "conflictflag", "rematchrequest"]
)
def test_lists_show_only_the_coordinators_own_schemes(client, everything, scene, outsider, model):
    url = reverse(f"admin:matching_{model}_changelist")
    sign_in(client, scene.coordinator)
    assert scene.scheme.name in client.get(url).content.decode()
    sign_in(client, outsider)
    response = client.get(url)
    assert response.status_code == 200
    assert scene.scheme.name not in response.content.decode()


def test_finance_staff_do_not_see_rematch_requests(client, everything, scene):
    sign_in(client, finance_of(scene.icb))
    assert client.get(reverse("admin:matching_rematchrequest_changelist")).status_code == 403
    assert client.get(everything["rematch"]).status_code in (403, 404)


# policies ---------------------------------------------------------------------------------------
def test_a_weight_over_100_and_a_shortlist_of_0_are_refused_by_their_fields(client, scene):
    policy = scene.scheme.matching_policy
    sign_in(client, scene.coordinator)
    data = {k: v for k, v in model_to_dict(policy).items() if k not in ("id", "scheme")}
    data.update(weight_same_sector=150, shortlist_size=0)

    response = client.post(reverse("admin:matching_matchingpolicy_change", args=[policy.pk]), data)

    form = response.context["adminform"].form
    assert form.errors["weight_same_sector"] == ["Enter a whole number from 0 to 100."]
    assert form.errors["shortlist_size"] == ["Enter a whole number from 1 to 20."]
    policy.refresh_from_db()
    assert (policy.weight_same_sector, policy.shortlist_size) == (30, 5)


def test_a_coordinator_cannot_give_another_icss_scheme_a_policy(client, scene, outsider):
    theirs = SchemeFactory(owner=IcbFactory())
    sign_in(client, scene.coordinator)
    response = client.post(
        reverse("admin:matching_matchingpolicy_add"),
        {**model_to_dict(scene.scheme.matching_policy, exclude=["id"]), "scheme": theirs.pk},
    )
    assert response.context["adminform"].form.errors["scheme"]
    assert not MatchingPolicy.objects.filter(scheme=theirs).exists()


def test_the_policy_page_explains_each_setting(client, scene):
    sign_in(client, scene.coordinator)
    page = client.get(
        reverse("admin:matching_matchingpolicy_change", args=[scene.scheme.matching_policy.pk])
    ).content.decode()
    assert "always hard conflicts" in page
    assert "0 to 100; 0 ignores it" in page


# running a round --------------------------------------------------------------------------------
def test_running_a_round_creates_it_running_and_enqueues_the_task_after_commit(
    client, scene, django_capture_on_commit_callbacks
):
    scene.mentor("Anna Mentor")
    scene.mentee("Cara Mentee")
    sign_in(client, scene.coordinator)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("admin:matching_matchinground_add"), {"scheme": scene.scheme.pk}
        )

    matching_round = MatchingRound.objects.get()
    assert response.url == round_url(matching_round)
    assert (matching_round.status, matching_round.created_by) == ("running", scene.coordinator)
    assert len(callbacks) == 1
    callbacks[0]()
    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.READY
    assert matching_round.proposals.count() == 1


def test_a_coordinator_cannot_run_a_round_of_another_ics(client, scene, outsider):
    sign_in(client, outsider)
    response = client.post(reverse("admin:matching_matchinground_add"), {"scheme": scene.scheme.pk})
    assert errors_of(response, "scheme")
    assert not MatchingRound.objects.exists()


def test_a_second_round_is_refused_while_one_is_running(client, scene):
    MatchingRound.objects.create(scheme=scene.scheme, status="running")
    sign_in(client, scene.coordinator)
    response = client.post(reverse("admin:matching_matchinground_add"), {"scheme": scene.scheme.pk})
    assert errors_of(response, "scheme")[0].startswith(
        f"A round of {scene.scheme} is already running: wait for it to finish."
    )
    assert MatchingRound.objects.count() == 1


def test_a_running_round_shows_progress_without_reloading_the_page(client, scene):
    matching_round = MatchingRound.objects.create(scheme=scene.scheme, status="running")
    sign_in(client, scene.coordinator)

    page = client.get(round_url(matching_round)).content.decode()
    assert "Matching in progress" in page
    assert 'http-equiv="refresh"' not in page
    assert "js/round-progress" in page
    assert ">Refresh the page</a>" in page


def test_a_failed_round_says_so_and_offers_a_new_one(client, scene):
    matching_round = MatchingRound.objects.create(
        scheme=scene.scheme, status="failed", error="The database went away."
    )
    sign_in(client, scene.coordinator)
    page = client.get(round_url(matching_round)).content.decode()
    assert "Matching failed" in page
    assert "The database went away." in page


# reviewing a round ------------------------------------------------------------------------------
def test_the_round_page_shows_each_proposal_with_its_breakdown_and_the_unmatched(client, scene):
    scene.mentor("Anna Mentor", capacity=1)
    scene.mentee("Cara Mentee", cohort=scene.fellows)
    scene.mentee("Dev Mentee")
    matching_round = rounds.run_round(scene.scheme).round
    sign_in(client, scene.coordinator)

    response = client.get(round_url(matching_round))

    page = response.content.decode()
    assert "Anna Mentor" in page
    assert "Cara Mentee" in page
    assert "Same sector" in page
    assert "Mentee&#x27;s cohort priority" in page
    assert "How far it holds" in page
    assert "Unmatched mentees (1)" in page
    assert "dev@example.nhs.uk" in page
    assert "Suggested (1)" in page


def test_accepting_selected_proposals_in_bulk(client, scene):
    matching_round = ready_round(scene, pairs=3)
    chosen = list(matching_round.proposals.values_list("pk", flat=True)[:2])
    sign_in(client, scene.coordinator)

    response = client.post(
        reverse("admin:matching_matchinground_proposals", args=[matching_round.pk]),
        {"decision": "accept", "proposal": chosen},
        follow=True,
    )

    assert "2 proposals accepted." in response.content.decode()
    statuses = dict(matching_round.proposals.values_list("pk", "status"))
    assert sorted(statuses.values()) == ["accepted", "accepted", "suggested"]
    assert {pk for pk, s in statuses.items() if s == "accepted"} == set(chosen)


def test_accepting_every_suggested_proposal_at_once(client, scene):
    matching_round = ready_round(scene, pairs=3)
    sign_in(client, scene.coordinator)
    client.post(
        reverse("admin:matching_matchinground_proposals", args=[matching_round.pk]),
        {"decision": "accept_all"},
    )
    assert set(matching_round.proposals.values_list("status", flat=True)) == {"accepted"}


def test_rejecting_selected_proposals(client, scene):
    matching_round = ready_round(scene, pairs=2)
    chosen = matching_round.proposals.first()
    sign_in(client, scene.coordinator)
    client.post(
        reverse("admin:matching_matchinground_proposals", args=[matching_round.pk]),
        {"decision": "reject", "proposal": [chosen.pk]},
    )
    chosen.refresh_from_db()
    assert chosen.status == Proposal.Status.REJECTED


def test_swapping_in_the_mentees_line_manager_is_refused_by_the_field_and_changes_nothing(
    client, scene
):
    scene.mentor("Anna Mentor", capacity=1)
    manager = scene.mentor("Maya Manager", capacity=1)
    cara = scene.mentee("Cara Mentee")
    WorkingRelationshipFactory(supervisor=manager.person, supervisee=cara.person)
    matching_round = rounds.run_round(scene.scheme).round
    proposal = matching_round.proposals.get()
    sign_in(client, scene.coordinator)

    response = client.post(
        reverse("admin:matching_proposal_swap", args=[matching_round.pk, proposal.pk]),
        {"mentor": manager.pk},
    )

    assert response.status_code == 200
    assert errors_of(response, "mentor") == [
        "Maya Manager is Cara Mentee's line manager: a mentor is never their mentee's line "
        "manager, supervisor or designated prescribing practitioner."
    ]
    proposal.refresh_from_db()
    assert (proposal.mentor.person.full_name, proposal.status) == ("Anna Mentor", "suggested")


def test_swapping_the_mentor_by_hand_rescores_and_accepts_the_proposal(client, scene):
    anna = scene.mentor("Anna Mentor", capacity=1, region="London")
    bola = scene.mentor("Bola Mentor", capacity=1, region="Leeds")
    scene.mentee("Cara Mentee", region="London")
    matching_round = rounds.run_round(scene.scheme).round
    proposal = matching_round.proposals.get()
    assert proposal.mentor == anna
    sign_in(client, scene.coordinator)

    page = client.get(
        reverse("admin:matching_proposal_swap", args=[matching_round.pk, proposal.pk])
    ).content.decode()
    assert "Bola Mentor" in page
    response = client.post(
        reverse("admin:matching_proposal_swap", args=[matching_round.pk, proposal.pk]),
        {"mentor": bola.pk},
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.mentor, proposal.status, proposal.swapped_by) == (
        bola,
        "accepted",
        scene.coordinator,
    )
    assert proposal.breakdown["criteria"]["same_region"]["value"] == 0


# publishing -------------------------------------------------------------------------------------
def test_the_publish_confirmation_lists_the_accepted_pairs(client, scene):
    matching_round = ready_round(scene, pairs=2)
    rounds.set_status(
        matching_round=matching_round,
        proposal_ids=[matching_round.proposals.first().pk],
        accept=True,
    )
    sign_in(client, scene.coordinator)
    page = client.get(
        reverse("admin:matching_matchinground_publish", args=[matching_round.pk])
    ).content.decode()
    assert "Publish 1 mentorship" in page
    assert not Mentorship.objects.exists()


def test_publishing_creates_the_mentorships(client, scene):
    matching_round = ready_round(scene, pairs=2)
    rounds.set_status(
        matching_round=matching_round,
        proposal_ids=matching_round.proposals.values_list("pk", flat=True),
        accept=True,
    )
    sign_in(client, scene.coordinator)

    response = client.post(
        reverse("admin:matching_matchinground_publish", args=[matching_round.pk]), follow=True
    )

    assert Mentorship.objects.filter(source="round", proposal__round=matching_round).count() == 2
    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.PUBLISHED
    page = response.content.decode()
    assert "2 mentorships proposed from round" in page
    assert "Mentor0 Smith" in page and "Mentee1 Jones" in page


def test_publishing_lists_every_refusal_and_publishes_nothing(client, scene):
    matching_round = ready_round(scene, pairs=2)
    rounds.set_status(
        matching_round=matching_round,
        proposal_ids=matching_round.proposals.values_list("pk", flat=True),
        accept=True,
    )
    for proposal in matching_round.proposals.select_related("mentor__person", "mentee__person"):
        WorkingRelationshipFactory(
            supervisor=proposal.mentor.person, supervisee=proposal.mentee.person
        )
    sign_in(client, scene.coordinator)

    response = client.post(
        reverse("admin:matching_matchinground_publish", args=[matching_round.pk])
    )

    assert response.status_code == 200
    assert len(response.context["problems"]) == 2
    page = response.content.decode()
    assert "Nothing was published" in page
    for proposal in matching_round.proposals.all():
        mentor, mentee = proposal.mentor.person.full_name, proposal.mentee.person.full_name
        assert f"{mentor} is {mentee}&#x27;s line manager" in page
    assert not Mentorship.objects.exists()
    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.READY


# mentorships ------------------------------------------------------------------------------------
def pair_by_hand(client, scene, mentors, mentees, kind="one_to_one"):
    return client.post(
        reverse("admin:matching_mentorship_add"),
        {
            "scheme": scene.scheme.pk,
            "kind": kind,
            "mentors": [m.pk for m in mentors],
            "mentees": [m.pk for m in mentees],
        },
    )


def test_pairing_by_hand_proposes_the_mentorship(client, scene):
    anna, cara = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    sign_in(client, scene.coordinator)

    response = pair_by_hand(client, scene, [anna], [cara])

    mentorship = Mentorship.objects.get()
    assert response.url == reverse("admin:matching_mentorship_change", args=[mentorship.pk])
    assert (mentorship.source, mentorship.status, mentorship.created_by) == (
        "manual",
        "proposed",
        scene.coordinator,
    )
    assert mentorship.breakdown["criteria"]


def test_pairing_a_line_manager_by_hand_is_refused_by_the_field_and_nothing_is_saved(client, scene):
    manager, cara = scene.mentor("Maya Manager"), scene.mentee("Cara Mentee")
    WorkingRelationshipFactory(supervisor=manager.person, supervisee=cara.person)
    sign_in(client, scene.coordinator)

    response = pair_by_hand(client, scene, [manager], [cara])

    assert response.status_code == 200
    assert errors_of(response, "mentors") == [
        "Maya Manager is Cara Mentee's line manager: a mentor is never their mentee's line "
        "manager, supervisor or designated prescribing practitioner."
    ]
    assert not Mentorship.objects.exists()


def test_a_one_to_one_pairing_needs_one_mentor_and_one_mentee(client, scene):
    anna, bola = scene.mentor("Anna Mentor"), scene.mentor("Bola Mentor")
    sign_in(client, scene.coordinator)
    response = pair_by_hand(client, scene, [anna, bola], [scene.mentee("Cara Mentee")])
    assert errors_of(response, "mentors") == ["Choose one mentor, or make it a group."]
    assert not Mentorship.objects.exists()


def test_the_mentorship_page_shows_members_breakdown_and_flags(client, scene):
    mentorship = proposed(scene, scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee"))
    ConflictFlag.objects.create(
        mentorship=mentorship, conflict="same_department", hard=False, reason="They share a team."
    )
    sign_in(client, scene.coordinator)
    page = client.get(
        reverse("admin:matching_mentorship_change", args=[mentorship.pk])
    ).content.decode()
    assert "Anna Mentor" in page and "Cara Mentee" in page
    assert "Same region" in page
    assert "They share a team." in page
    assert "Resolve this flag" in page
    assert "End the mentorship" in page


def test_ending_selected_mentorships_asks_for_a_reason_then_ends_them(client, scene):
    mentorship = proposed(scene, scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee"))
    sign_in(client, scene.coordinator)
    url = reverse("admin:matching_mentorship_changelist")
    chosen = {"action": "end_selected", "_selected_action": [mentorship.pk]}

    form = client.post(url, chosen)
    assert "Why it ends" in form.content.decode()
    missing = client.post(url, {**chosen, "reason": "", "note": ""})
    assert errors_of(missing, "reason") == ["Choose why the mentorship ends."]
    mentorship.refresh_from_db()
    assert mentorship.status == "proposed"

    client.post(url, {**chosen, "reason": "coordinator", "note": "Paired in error."})

    mentorship.refresh_from_db()
    assert (mentorship.status, mentorship.end_reason, mentorship.end_note) == (
        "ended",
        "coordinator",
        "Paired in error.",
    )


def test_recording_a_first_meeting_makes_the_mentorship_active(client, scene):
    anna, cara = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    mentorship = proposed(scene, anna, cara)
    members = {m.enrolment_id: m.pk for m in mentorship.members.all()}
    held_on = timezone.localdate() - datetime.timedelta(days=3)
    sign_in(client, scene.coordinator)

    response = client.post(
        reverse("admin:matching_mentorship_meeting", args=[mentorship.pk]),
        {"held_on": held_on.isoformat(), "attended": [members[anna.pk], members[cara.pk]]},
    )

    assert response.status_code == 302
    mentorship.refresh_from_db()
    assert (mentorship.status, mentorship.started_on) == ("active", held_on)


def test_a_meeting_only_the_mentor_attended_is_refused_and_changes_nothing(client, scene):
    anna, cara = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    mentorship = proposed(scene, anna, cara)
    mentor_member = mentorship.members.get(role="mentor")
    sign_in(client, scene.coordinator)

    response = client.post(
        reverse("admin:matching_mentorship_meeting", args=[mentorship.pk]),
        {"held_on": timezone.localdate().isoformat(), "attended": [mentor_member.pk]},
    )

    assert errors_of(response, "attended") == [
        "A meeting counts only when a mentor and a mentee both attended it."
    ]
    mentorship.refresh_from_db()
    assert mentorship.status == "proposed"


def test_a_hard_conflict_flag_cannot_be_allowed_to_stand(client, scene):
    mentorship = proposed(scene, scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee"))
    flag = ConflictFlag.objects.create(
        mentorship=mentorship, conflict="relationship", hard=True, reason="A line manager."
    )
    url = reverse("admin:matching_mentorship_flag", args=[mentorship.pk, flag.pk])
    sign_in(client, scene.coordinator)

    page = client.get(url).content.decode()
    assert "Allow it to stand" not in page
    response = client.post(url, {"decision": "allow", "note": "They get on well."})

    assert response.context["form"].non_field_errors() == [
        "This conflict is never allowed: the mentorship must end."
    ]
    flag.refresh_from_db()
    assert flag.resolution == "open"


def test_a_penalty_conflict_flag_may_stand_with_a_reason(client, scene):
    mentorship = proposed(scene, scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee"))
    flag = ConflictFlag.objects.create(
        mentorship=mentorship, conflict="same_department", hard=False, reason="Same team."
    )
    url = reverse("admin:matching_mentorship_flag", args=[mentorship.pk, flag.pk])
    sign_in(client, scene.coordinator)

    missing = client.post(url, {"decision": "allow", "note": ""})
    assert errors_of(missing, "note") == ["Record why, in a sentence or two."]
    client.post(url, {"decision": "allow", "note": "Different sites; they never work together."})

    flag.refresh_from_db()
    mentorship.refresh_from_db()
    assert (flag.resolution, flag.resolved_by, mentorship.status) == (
        "allowed",
        scene.coordinator,
        "proposed",
    )


def test_ending_the_mentorship_from_a_flag(client, scene):
    mentorship = proposed(scene, scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee"))
    flag = ConflictFlag.objects.create(
        mentorship=mentorship, conflict="relationship", hard=True, reason="A line manager."
    )
    sign_in(client, scene.coordinator)
    client.post(
        reverse("admin:matching_mentorship_flag", args=[mentorship.pk, flag.pk]),
        {"decision": "end", "note": "Her line manager since May."},
    )
    mentorship.refresh_from_db()
    flag.refresh_from_db()
    assert (mentorship.status, mentorship.end_reason, flag.resolution) == (
        "ended",
        "conflict",
        "ended",
    )


def test_the_mentorship_list_filters_open_conflict_flags_and_needs_rematch(client, scene):
    flagged = proposed(scene, scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee"))
    ConflictFlag.objects.create(
        mentorship=flagged, conflict="same_department", hard=False, reason="Same team."
    )
    rematch = proposed(scene, scene.mentor("Bola Mentor"), scene.mentee("Dev Mentee"))
    Mentorship.objects.filter(pk=rematch.pk).update(needs_rematch=True)
    sign_in(client, scene.coordinator)
    url = reverse("admin:matching_mentorship_changelist")

    with_flags = client.get(url, {"open_flag": "yes"}).context["cl"].result_list
    needing = client.get(url, {"needs_rematch": "1"}).context["cl"].result_list

    assert [m.pk for m in with_flags] == [flagged.pk]
    assert [m.pk for m in needing] == [rematch.pk]


# rematch requests -------------------------------------------------------------------------------
def test_a_rematch_request_shows_its_reason_and_is_marked_handled(client, scene):
    mentorship = proposed(scene, scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee"))
    cara = mentorship.members.get(role="mentee").enrolment
    request = services.request_rematch(
        mentorship=mentorship, user=cara.person.user, reason="We do not get on."
    )
    sign_in(client, scene.coordinator)
    url = reverse("admin:matching_rematchrequest_change", args=[request.pk])
    assert "We do not get on." in client.get(url).content.decode()

    client.post(reverse("admin:matching_rematchrequest_handled", args=[request.pk]))

    request.refresh_from_db()
    assert request.handled_by == scene.coordinator
    assert request.handled_at is not None


# query counts -----------------------------------------------------------------------------------
def test_the_proposal_list_runs_a_constant_number_of_queries(
    client, scene, django_assert_max_num_queries
):
    small = ready_round(scene, pairs=1)
    for i in range(1, 20):
        scene.mentor(f"Mentor{i} Smith", capacity=1)
        scene.mentee(f"Mentee{i} Jones")
    large = rounds.run_round(scene.scheme).round
    assert large.proposals.count() == 20
    sign_in(client, scene.coordinator)
    client.get(round_url(small))

    with django_assert_max_num_queries(30) as few:
        client.get(round_url(small))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(round_url(large))
    assert len(response.context["rows"]) == 20


@pytest.mark.parametrize(
    "model", ["matchingpolicy", "matchinground", "mentorship", "conflictflag", "rematchrequest"]
)
def test_lists_run_a_constant_number_of_queries(
    client, scene, model, django_assert_max_num_queries
):
    def more(n):
        for _ in range(n):
            i = Mentorship.objects.count()
            mentorship = proposed(
                scene, scene.mentor(f"Mentor{i} Smith"), scene.mentee(f"Mentee{i} Jones")
            )
            ConflictFlag.objects.create(
                mentorship=mentorship, conflict="same_department", hard=False, reason="Team."
            )
            RematchRequest.objects.create(
                mentorship=mentorship,
                mentee=mentorship.members.get(role="mentee").enrolment,
                reason="Why.",
            )
            MatchingRound.objects.create(scheme=scene.scheme, status="ready")
            MatchingPolicy.objects.create(scheme=SchemeFactory(owner=scene.icb))

    url = reverse(f"admin:matching_{model}_changelist")
    sign_in(client, scene.coordinator)
    more(1)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    more(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
