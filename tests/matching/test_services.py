"""Mentorships: every path refuses a conflict, answers and declines, meetings, endings, flags."""

import datetime

import pytest
from django.core import mail

from matching import services
from matching.errors import MatchingError
from matching.models import (
    ConflictFlag,
    EndReason,
    MatchingPolicy,
    Mentorship,
    MentorshipMember,
    RematchRequest,
)
from mentoring.models import Notification
from schemes import services as scheme_services
from tests.factories import PersonFactory, WorkingRelationshipFactory
from tests.matching.pairs import Scene

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def pair(mentor, mentee, **kwargs):
    return services.create_mentorship(
        mentors=[mentor], mentees=[mentee], source="manual", by=None, **kwargs
    )


@pytest.mark.parametrize(
    "kind", ["line_manager", "clinical_supervisor", "educational_supervisor", "dpp"]
)
@pytest.mark.parametrize("mentor_is_above", [True, False])
def test_a_working_relationship_either_way_is_refused_by_hand(kind, mentor_is_above):
    scene = Scene()
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    above, below = (mentor, mentee) if mentor_is_above else (mentee, mentor)
    WorkingRelationshipFactory(supervisor=above.person, supervisee=below.person, kind=kind)

    with pytest.raises(MatchingError) as refusal:
        pair(mentor, mentee)

    assert f"{above.person.full_name} is {below.person.full_name}'s " in refusal.value.message
    assert not Mentorship.objects.exists()


def test_an_ended_relationship_is_no_conflict():
    scene = Scene()
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    WorkingRelationshipFactory(
        supervisor=mentor.person,
        supervisee=mentee.person,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    assert pair(mentor, mentee).status == Mentorship.Status.PROPOSED


def test_the_supervisors_own_supervisor_is_refused_when_the_scheme_says_hard():
    scene = Scene(supervisor_of_supervisor="hard")
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    middle = PersonFactory()
    WorkingRelationshipFactory(supervisor=mentor.person, supervisee=middle)
    WorkingRelationshipFactory(supervisor=middle, supervisee=mentee.person, kind="dpp")

    with pytest.raises(MatchingError, match="two levels apart"):
        pair(mentor, mentee)


def test_peers_sharing_a_line_manager_are_allowed_where_the_scheme_runs_peer_mentoring():
    scene = Scene(shared_line_manager="off")
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    boss = PersonFactory()
    WorkingRelationshipFactory(supervisor=boss, supervisee=mentor.person)
    WorkingRelationshipFactory(supervisor=boss, supervisee=mentee.person)
    assert pair(mentor, mentee, kind="peer").kind == "peer"

    MatchingPolicy.objects.filter(scheme=scene.scheme).update(shared_line_manager="hard")
    other = scene.mentee("Dev Mentee")
    WorkingRelationshipFactory(supervisor=boss, supervisee=other.person)
    with pytest.raises(MatchingError, match="share a line manager"):
        pair(mentor, other)


def test_the_same_organisation_is_refused_only_when_hard():
    scene = Scene(same_organisation="hard")
    mentor = scene.mentor("Anna Mentor", practice=0)
    with pytest.raises(MatchingError, match="both work at"):
        pair(mentor, scene.mentee("Cara Mentee", practice=0))
    assert pair(mentor, scene.mentee("Dev Mentee", practice=1))


def test_nobody_mentors_themselves():
    scene = Scene()
    mentor = scene.mentor("Anna Mentor")
    from schemes.models import Enrolment

    self_mentee = Enrolment.objects.create(
        scheme=scene.scheme, person=mentor.person, role="mentee", joined_on=TODAY
    )
    with pytest.raises(MatchingError, match="Anna Mentor cannot be their own mentor"):
        pair(mentor, self_mentee)


def test_a_paused_away_or_full_mentor_is_refused_with_each_reason():
    scene = Scene()
    mentor = scene.mentor("Anna Mentor", capacity=1)
    pair(mentor, scene.mentee("Cara Mentee"))
    mentor.status, mentor.paused_on = "paused", TODAY
    mentor.not_taking_mentees_until = TODAY + datetime.timedelta(days=30)
    mentor.save()

    with pytest.raises(MatchingError) as refusal:
        pair(mentor, scene.mentee("Dev Mentee"))

    reasons = refusal.value.reasons
    assert "Anna Mentor is paused on" in reasons[0]
    assert "is not taking new mentees until" in reasons[1]
    assert reasons[2] == "Anna Mentor has no room: 1 of 1 mentees already."


def test_a_mentor_who_no_longer_meets_the_rules_is_refused():
    scene = Scene()
    from tests.schemes.factories import EligibilityRuleFactory

    EligibilityRuleFactory(
        scheme=scene.scheme, code="min_clinical_sessions_per_week", params={"minimum": "3"}
    )
    mentor = scene.mentor("Anna Mentor")
    mentor.clinical_sessions_per_week = 2
    mentor.save()
    with pytest.raises(MatchingError, match="does not meet the rules of"):
        pair(mentor, scene.mentee("Cara Mentee"))


def test_a_mentee_has_one_open_mentorship_per_scheme_even_at_the_database():
    scene = Scene()
    mentee = scene.mentee("Cara Mentee")
    first = pair(scene.mentor("Anna Mentor"), mentee)
    with pytest.raises(MatchingError, match="already has a proposed or active mentor"):
        pair(scene.mentor("Bola Mentor"), mentee)

    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        MentorshipMember.objects.create(
            mentorship=Mentorship.objects.create(scheme=scene.scheme, source="manual"),
            enrolment=mentee,
            role="mentee",
        )
    assert first.members.count() == 2


def test_choosing_a_conflicting_mentor_is_refused():
    scene = Scene(mode="choice")
    manager = scene.mentor("Maya Manager")
    scene.mentor("Anna Mentor")
    mentee = scene.mentee("Cara Mentee")
    WorkingRelationshipFactory(supervisor=manager.person, supervisee=mentee.person)

    assert [m for m, _, _ in services.shortlist(mentee)] == [
        scene.scheme.enrolments.get(person__user__email="anna@example.nhs.uk").pk
    ]
    with pytest.raises(MatchingError, match="Maya Manager is Cara Mentee's line manager"):
        services.choose_mentor(mentee=mentee, mentor=manager, user=mentee.person.user)
    assert not Mentorship.objects.exists()


def test_a_choice_waits_for_the_mentor_and_a_decline_asks_the_mentee_to_choose_again(
    django_capture_on_commit_callbacks,
):
    scene = Scene(mode="choice")
    anna = scene.mentor("Anna Mentor")
    bola = scene.mentor("Bola Mentor")
    mentee = scene.mentee("Cara Mentee")

    mentorship = services.choose_mentor(mentee=mentee, mentor=anna, user=mentee.person.user)
    members = {m.role: m for m in mentorship.members.all()}
    assert members["mentee"].response == "accepted" and members["mentor"].response == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        services.respond(mentorship=mentorship, user=anna.person.user, accept=False)

    mentorship.refresh_from_db()
    assert mentorship.end_reason == EndReason.MENTOR_DECLINED
    assert Notification.objects.filter(kind="choose_again", recipient=mentee.person.user).exists()
    assert [m for m, _, _ in services.shortlist(mentee)] == [bola.pk]


def test_a_decline_offers_the_next_best_mentor(django_capture_on_commit_callbacks):
    scene = Scene()
    first = scene.mentor("Anna Mentor", region="London")
    second = scene.mentor("Bola Mentor", region="Leeds")
    scene.mentor("Cal Mentor", region="Leeds", practice=1)  # same practice as the mentee: less
    mentee = scene.mentee("Cara Mentee", region="London")
    mentorship = pair(first, mentee)

    with django_capture_on_commit_callbacks(execute=True):
        services.respond(mentorship=mentorship, user=mentee.person.user, accept=False)

    offered = Mentorship.objects.exclude(pk=mentorship.pk).get()
    assert offered.source == "next_offer"
    assert {m.enrolment for m in offered.members.all()} == {second, mentee}
    with pytest.raises(MatchingError, match="no longer waiting for an answer"):
        services.respond(mentorship=mentorship, user=first.person.user, accept=True)


def test_only_members_may_answer():
    scene = Scene()
    mentorship = pair(scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee"))
    outsider = scene.mentee("Dev Mentee")
    with pytest.raises(MatchingError, match="not part of this mentorship"):
        services.respond(mentorship=mentorship, user=outsider.person.user, accept=True)


def test_a_mentorship_counts_as_a_match_only_after_a_first_meeting_attended():
    scene = Scene()
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    mentorship = pair(mentor, mentee)

    with pytest.raises(MatchingError, match="a mentor and a mentee both attended"):
        services.record_meeting(mentorship=mentorship, held_on=TODAY, attended=[mentor], by=None)
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.PROPOSED

    services.record_meeting(
        mentorship=mentorship, held_on=TODAY, attended=[mentor, mentee], by=None
    )
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ACTIVE and mentorship.started_on == TODAY


def test_in_a_group_each_mentee_counts_from_the_first_meeting_they_attend():
    scene = Scene()
    mentor = scene.mentor("Anna Mentor", capacity=3)
    cara, dev = scene.mentee("Cara Mentee"), scene.mentee("Dev Mentee")
    group = services.create_mentorship(
        mentors=[mentor], mentees=[cara, dev], source="manual", by=None, kind="group"
    )
    earlier = TODAY - datetime.timedelta(days=28)
    services.record_meeting(mentorship=group, held_on=earlier, attended=[mentor, cara], by=None)
    services.record_meeting(mentorship=group, held_on=TODAY, attended=[mentor, cara, dev], by=None)

    firsts = {m.enrolment: m.first_attended_on for m in group.members.all()}
    assert firsts == {mentor: earlier, cara: earlier, dev: TODAY}


def test_a_group_needs_room_for_all_its_mentees():
    scene = Scene()
    mentor = scene.mentor("Anna Mentor", capacity=1)
    with pytest.raises(MatchingError, match="no room"):
        services.create_mentorship(
            mentors=[mentor],
            mentees=[scene.mentee("Cara Mentee"), scene.mentee("Dev Mentee")],
            source="manual",
            by=None,
            kind="group",
        )


def test_a_rematch_request_is_confidential(django_capture_on_commit_callbacks):
    scene = Scene()
    mentor = scene.mentor("Anna Mentor")
    scene.mentor("Bola Mentor")
    mentee = scene.mentee("Cara Mentee")
    mentorship = pair(mentor, mentee)
    reason = "We clash on how to approach my portfolio."

    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_rematch(
            mentorship=mentorship, user=mentee.person.user, reason=reason
        )

    assert RematchRequest.objects.get() == request
    told = Notification.objects.filter(recipient=mentor.person.user).latest("pk")
    assert told.kind == "mentorship_ended"
    mentor_mail = [m for m in mail.outbox if mentor.person.user.email in m.to]
    for text in [told.subject, told.summary, *(m.body for m in mentor_mail)]:
        assert reason not in text and "different mentor" not in text
    assert Notification.objects.filter(
        kind="rematch_requested", recipient=scene.coordinator
    ).exists()
    offered = Mentorship.objects.exclude(pk=mentorship.pk).get()
    assert mentor not in {m.enrolment for m in offered.members.all()}


def test_a_rematch_request_needs_a_reason_and_a_mentee():
    scene = Scene()
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    mentorship = pair(mentor, mentee)
    with pytest.raises(MatchingError, match="Tell us why"):
        services.request_rematch(mentorship=mentorship, user=mentee.person.user, reason="  ")
    with pytest.raises(MatchingError, match="Only a mentee"):
        services.request_rematch(mentorship=mentorship, user=mentor.person.user, reason="x")
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.PROPOSED


def test_either_side_may_stop_after_the_first_meeting_and_the_mentee_is_offered_another(
    django_capture_on_commit_callbacks,
):
    scene = Scene()
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    scene.mentor("Bola Mentor")
    mentorship = pair(mentor, mentee)
    with pytest.raises(MatchingError, match="once the first meeting"):
        services.not_continuing(mentorship=mentorship, user=mentor.person.user)
    services.record_meeting(
        mentorship=mentorship, held_on=TODAY, attended=[mentor, mentee], by=None
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.not_continuing(mentorship=mentorship, user=mentor.person.user)

    mentorship.refresh_from_db()
    assert mentorship.end_reason == EndReason.NOT_CONTINUING
    assert Mentorship.objects.filter(status="proposed", source="next_offer").count() == 1


def test_a_relationship_recorded_later_flags_the_mentorship_at_once(
    django_capture_on_commit_callbacks,
):
    scene = Scene()
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    mentorship = pair(mentor, mentee)

    with django_capture_on_commit_callbacks(execute=True):
        WorkingRelationshipFactory(supervisor=mentor.person, supervisee=mentee.person)

    flag = ConflictFlag.objects.get(mentorship=mentorship)
    assert flag.hard and "Anna Mentor is Cara Mentee's line manager" in flag.reason
    assert Notification.objects.filter(kind="conflict_flagged", recipient=scene.coordinator)
    with pytest.raises(MatchingError, match="never allowed"):
        services.resolve_flag(flag=flag, end=False, note="They get on well.", by=scene.coordinator)

    services.resolve_flag(flag=flag, end=True, note="Line manager.", by=scene.coordinator)
    flag.refresh_from_db()
    mentorship.refresh_from_db()
    assert flag.resolution == "ended" and mentorship.end_reason == EndReason.CONFLICT


def test_a_penalty_conflict_found_later_may_stand_with_a_reason(
    django_capture_on_commit_callbacks,
):
    scene = Scene(shared_line_manager="penalty")
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    mentorship = pair(mentor, mentee)
    boss = PersonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        WorkingRelationshipFactory(supervisor=boss, supervisee=mentor.person)
        WorkingRelationshipFactory(supervisor=boss, supervisee=mentee.person)

    flag = ConflictFlag.objects.get(mentorship=mentorship)
    assert not flag.hard
    with pytest.raises(MatchingError, match="Record why"):
        services.resolve_flag(flag=flag, end=False, note=" ", by=scene.coordinator)
    services.resolve_flag(
        flag=flag, end=False, note="Different sites, agreed by both.", by=scene.coordinator
    )
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.PROPOSED


def test_a_paused_mentors_mentees_are_flagged_for_rematch_and_coordinators_told():
    scene = Scene()
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    mentorship = pair(mentor, mentee)

    scheme_services.pause_enrolment(
        enrolment=mentor, on_date=TODAY, reason="Interim suspension (s41A)."
    )

    mentorship.refresh_from_db()
    assert mentorship.needs_rematch
    assert Notification.objects.filter(kind="mentees_need_rematch", recipient=scene.coordinator)


def test_a_mentee_who_leaves_ends_their_mentorship():
    scene = Scene()
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    mentorship = pair(mentor, mentee)

    scheme_services.leave_scheme(enrolment=mentee, left_on=TODAY, kind="withdrew", reason="Moved")

    mentorship.refresh_from_db()
    assert mentorship.end_reason == EndReason.MENTEE_LEFT
    assert not MentorshipMember.objects.filter(is_open=True).exists()


def test_availability_is_checked():
    scene = Scene()
    mentor = scene.mentor("Anna Mentor", capacity=4)
    user = mentor.person.user
    with pytest.raises(MatchingError, match="from 1 to 8"):
        services.update_availability(enrolment=mentor, capacity=9, not_taking_until=None, user=user)
    with pytest.raises(MatchingError, match="must be in the future"):
        services.update_availability(
            enrolment=mentor, capacity=2, not_taking_until=TODAY, user=user
        )
    mentor.refresh_from_db()
    assert mentor.capacity == 4
    services.update_availability(enrolment=mentor, capacity=2, not_taking_until=None, user=user)
    mentor.refresh_from_db()
    assert mentor.capacity == 2
