"""The matching reminders, by time travel: proposals nobody answered (``remind-unanswered-
proposals``) and new pairs who have not met (``remind-new-mentorships``).

Every pair here is proposed on Monday 2 November 2026 at 14:00 (UK time) on a scheme with the
default plan: reminders from 09:00, answer reminder after 3 days (Thursday 5th), deadline after 7
(Monday 9th), contact reminder after 1 day (Tuesday 3rd), no first meeting after 28 (Monday 30th).
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from matching import services
from matching.models import EndReason, MatchingPolicy, Mentorship, MentorshipStatus, Source
from mentoring.models import Notification
from mentoring.reminders import JOBS, Stale
from schemes import services as scheme_services
from schemes.models import ReminderPlan
from tests.factories import IcbFactory, OrganisationFactory, coordinator_of
from tests.matching.pairs import Scene
from tests.reminders import due_at, london, run, sent
from tests.schemes.factories import CohortFactory, SchemeFactory

pytestmark = pytest.mark.django_db

ANSWER = "remind-unanswered-proposals"
NEW = "remind-new-mentorships"
PROPOSED_AT = "2026-11-02T14:00"
ANNA, BEN, CARA, DAN, COORD = (
    "anna@example.nhs.uk",
    "ben@example.nhs.uk",
    "cara@example.nhs.uk",
    "dan@example.nhs.uk",
    "coord@example.nhs.uk",
)


@pytest.fixture
def scene():
    return Scene(mode="allocation")


def another_scene() -> Scene:
    """A second scheme, of another ICB with its own coordinator (``Scene`` fixes the e-mail)."""
    other = Scene.__new__(Scene)
    other.icb = IcbFactory(name="NHS Other ICB")
    other.practices = [OrganisationFactory(parent=other.icb) for _ in range(3)]
    other.scheme = SchemeFactory(owner=other.icb, mentor_capacity_min=1)
    MatchingPolicy.objects.create(scheme=other.scheme)
    other.others = CohortFactory(scheme=other.scheme, name="Mid-career GPs", priority=2)
    other.coordinator = coordinator_of(other.icb, email="coord2@example.nhs.uk")
    return other


def proposed(mentorship: Mentorship, at: str = PROPOSED_AT) -> Mentorship:
    """Back-date the proposal (``created_at`` is set on insert, so it is moved afterwards)."""
    Mentorship.objects.filter(pk=mentorship.pk).update(created_at=london(at))
    mentorship.refresh_from_db()
    return mentorship


def pair(scene, mentor="Anna Mentor", mentee="Cara Mentee", **kwargs) -> Mentorship:
    mentor = scene.mentor(mentor) if isinstance(mentor, str) else mentor
    mentee = scene.mentee(mentee) if isinstance(mentee, str) else mentee
    return proposed(
        services.create_mentorship(
            mentors=[mentor], mentees=[mentee], source=Source.MANUAL, by=None, **kwargs
        )
    )


def answer(mentorship: Mentorship, email: str, accept: bool = True) -> None:
    member = mentorship.members.get(enrolment__person__user__email=email)
    services.respond(mentorship=mentorship, user=member.enrolment.person.user, accept=accept)


def kinds_about(mentorship: Mentorship, notifications) -> list[tuple[str, str]]:
    return sent([n for n in notifications if n.about == f"matching.mentorship:{mentorship.pk}"])


# remind-unanswered-proposals: the reminder -------------------------------------------------------
def test_nobody_is_reminded_before_the_reminder_day_or_before_the_schemes_hour(scene):
    pair(scene)
    assert run(ANSWER, "2026-11-04T23:05") == []
    assert run(ANSWER, "2026-11-05T08:05") == []


def test_both_members_who_have_not_answered_are_reminded_once(scene):
    pair(scene)
    assert sent(run(ANSWER, "2026-11-05T09:05")) == [
        ("proposal_unanswered", ANNA),
        ("proposal_unanswered", CARA),
    ]
    assert run(ANSWER, "2026-11-05T09:05") == []
    assert run(ANSWER, "2026-11-06T09:05") == []


def test_someone_who_has_answered_is_not_reminded(scene):
    mentorship = pair(scene)
    answer(mentorship, ANNA)
    assert sent(run(ANSWER, "2026-11-05T09:05")) == [("proposal_unanswered", CARA)]


def test_a_mentees_request_reminds_only_the_mentor_who_must_answer():
    scene = Scene(mode="choice")
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    proposed(services.choose_mentor(mentee=mentee, mentor=mentor, user=mentee.person.user))
    assert sent(run(ANSWER, "2026-11-05T09:05")) == [("proposal_unanswered", ANNA)]


def test_an_ended_or_declined_proposal_is_not_reminded(scene):
    answer(pair(scene), CARA, accept=False)
    assert run(ANSWER, "2026-11-05T09:05") == []
    assert run(ANSWER, "2026-11-09T09:05") == []


def test_a_proposal_whose_mentor_was_paused_is_left_to_the_coordinators(scene):
    mentorship = pair(scene)
    mentor = mentorship.members.get(role="mentor").enrolment
    scheme_services.pause_enrolment(
        enrolment=mentor, on_date=datetime.date(2026, 11, 3), reason="Licence lapsed."
    )
    assert run(ANSWER, "2026-11-05T09:05") == []
    assert run(ANSWER, "2026-11-09T09:05") == []
    assert Mentorship.objects.get(pk=mentorship.pk).status == MentorshipStatus.PROPOSED


def test_a_scheme_that_has_ended_sends_nothing(scene):
    pair(scene)
    scene.scheme.ends_on = datetime.date(2026, 11, 4)
    scene.scheme.save()
    assert run(ANSWER, "2026-11-05T09:05") == []


def test_the_schemes_own_days_and_hour_are_used(scene):
    ReminderPlan.objects.create(
        scheme=scene.scheme, send_from_hour=14, answer_reminder_days=1, answer_deadline_days=2
    )
    pair(scene)
    assert run(ANSWER, "2026-11-03T13:05") == []
    assert sent(run(ANSWER, "2026-11-03T14:05")) == [
        ("proposal_unanswered", ANNA),
        ("proposal_unanswered", CARA),
    ]


def test_the_reminder_email_says_by_when_and_links_to_the_match(
    scene, django_capture_on_commit_callbacks
):
    mentorship = pair(scene)
    with django_capture_on_commit_callbacks(execute=True):
        run(ANSWER, "2026-11-05T09:05")
    to_anna = next(m for m in mail.outbox if m.to == [ANNA])
    assert to_anna.subject == (
        f"Please accept or decline your mentoring match on {scene.scheme.name}"
    )
    assert "Please answer by 9 November 2026." in to_anna.body
    assert "the match will end and Cara Mentee will be offered another mentor" in to_anna.body
    assert reverse("mentorship_detail", args=[mentorship.pk]) in to_anna.body
    to_cara = next(m for m in mail.outbox if m.to == [CARA])
    assert "we will let the scheme coordinators know" in to_cara.body


# remind-unanswered-proposals: the deadline -------------------------------------------------------
def test_a_mentor_who_never_answers_lapses_at_the_deadline_and_the_mentee_gets_the_next_mentor(
    scene, django_capture_on_commit_callbacks
):
    mentorship = pair(scene)
    scene.mentor("Ben Mentor")
    run(ANSWER, "2026-11-05T09:05")
    assert run(ANSWER, "2026-11-08T09:05") == []
    assert run(ANSWER, "2026-11-09T08:05") == []

    with django_capture_on_commit_callbacks(execute=True):
        lapsed = run(ANSWER, "2026-11-09T09:05")

    assert sent(lapsed) == [
        ("mentorship_ended", CARA),
        ("proposal_lapsed", ANNA),
        ("proposal_lapsed_coordinator", COORD),
    ]
    mentorship.refresh_from_db()
    assert mentorship.status == MentorshipStatus.ENDED
    assert mentorship.end_reason == EndReason.NO_ANSWER
    assert mentorship.ended_on == datetime.date(2026, 11, 9)
    offered = Mentorship.objects.get(source=Source.NEXT_OFFER)
    assert {m.enrolment.person.user.email for m in offered.members.all()} == {BEN, CARA}
    assert run(ANSWER, "2026-11-09T10:05") == []
    assert kinds_about(mentorship, run(ANSWER, "2026-11-16T09:05")) == []
    assert Mentorship.objects.filter(source=Source.NEXT_OFFER).count() == 1


def test_where_mentees_choose_a_lapsed_request_asks_the_mentee_to_choose_again_once(
    django_capture_on_commit_callbacks,
):
    scene = Scene(mode="choice")
    mentor, mentee = scene.mentor("Anna Mentor"), scene.mentee("Cara Mentee")
    chosen = proposed(services.choose_mentor(mentee=mentee, mentor=mentor, user=mentee.person.user))

    with django_capture_on_commit_callbacks(execute=True):
        run(ANSWER, "2026-11-09T09:05")
    with django_capture_on_commit_callbacks(execute=True):
        run(ANSWER, "2026-11-10T09:05")

    assert Notification.objects.filter(kind="choose_again").count() == 1
    assert Mentorship.objects.get(pk=chosen.pk).end_reason == EndReason.NO_ANSWER
    assert Mentorship.objects.count() == 1


def test_a_late_run_sends_the_lapse_and_not_a_reminder_to_answer(scene):
    pair(scene)
    assert sent(run(ANSWER, "2026-11-12T09:05")) == [
        ("mentorship_ended", CARA),
        ("proposal_lapsed", ANNA),
        ("proposal_lapsed_coordinator", COORD),
    ]


def test_a_mentee_who_never_answers_is_left_to_the_coordinators_and_nothing_ends(scene):
    mentorship = pair(scene)
    answer(mentorship, ANNA)
    run(ANSWER, "2026-11-05T09:05")
    assert sent(run(ANSWER, "2026-11-09T09:05")) == [("proposal_unanswered_coordinator", COORD)]
    assert run(ANSWER, "2026-11-10T09:05") == []
    assert Mentorship.objects.get(pk=mentorship.pk).status == MentorshipStatus.PROPOSED


def test_a_late_run_about_a_silent_mentee_tells_only_the_coordinators(scene):
    answer(pair(scene), ANNA)
    assert sent(run(ANSWER, "2026-11-10T09:05")) == [("proposal_unanswered_coordinator", COORD)]


def test_a_group_whose_mentors_both_stay_silent_ends_once(scene):
    mentees = [scene.mentee("Cara Mentee"), scene.mentee("Dan Mentee")]
    group = proposed(
        services.create_mentorship(
            mentors=[scene.mentor("Anna Mentor"), scene.mentor("Ben Mentor")],
            mentees=mentees,
            source=Source.MANUAL,
            by=None,
            kind="group",
        )
    )
    notifications = run(ANSWER, "2026-11-09T09:05")
    assert kinds_about(group, notifications) == [
        ("mentorship_ended", CARA),
        ("mentorship_ended", DAN),
        ("proposal_lapsed", ANNA),
        ("proposal_lapsed", BEN),
        ("proposal_lapsed_coordinator", COORD),
    ]
    assert Mentorship.objects.get(pk=group.pk).end_reason == EndReason.NO_ANSWER


def test_a_lapse_found_before_the_mentor_answered_ends_nothing(scene):
    mentorship = pair(scene)
    (lapse,) = [
        r for r in JOBS[ANSWER].find(london("2026-11-09T09:05"), None) if r.then is not None
    ]
    answer(mentorship, ANNA)
    with pytest.raises(Stale):
        lapse.then()
    assert Mentorship.objects.get(pk=mentorship.pk).status == MentorshipStatus.PROPOSED


def test_the_dry_run_lists_the_lapse_and_ends_nothing(scene):
    mentorship = pair(scene)
    assert due_at(ANSWER, "2026-11-09T09:05") == [
        ("proposal_lapsed", ANNA),
        ("proposal_lapsed_coordinator", COORD),
    ]
    assert Mentorship.objects.get(pk=mentorship.pk).status == MentorshipStatus.PROPOSED


def test_the_lapse_emails_name_the_pair_and_link_to_the_match_and_the_admin(
    scene, django_capture_on_commit_callbacks
):
    mentorship = pair(scene)
    with django_capture_on_commit_callbacks(execute=True):
        run(ANSWER, "2026-11-09T09:05")
    name = scene.scheme.name
    by_subject = {m.subject: m for m in mail.outbox}
    to_anna = by_subject[f"Your mentoring match on {name} has ended: it was not answered in time"]
    assert to_anna.to == [ANNA]
    assert reverse("mentorship_detail", args=[mentorship.pk]) in to_anna.body
    to_coord = by_subject[f"Match not answered on {name}: Anna Mentor did not reply to Cara Mentee"]
    assert to_coord.to == [COORD]
    assert reverse("admin:matching_mentorship_change", args=[mentorship.pk]) in to_coord.body


def test_the_coordinators_email_about_a_silent_mentee_says_who_to_contact(
    scene, django_capture_on_commit_callbacks
):
    mentorship = pair(scene)
    answer(mentorship, ANNA)
    with django_capture_on_commit_callbacks(execute=True):
        run(ANSWER, "2026-11-09T09:05")
    (to_coord,) = [m for m in mail.outbox if m.to == [COORD]]
    assert to_coord.subject == f"Match still not answered on {scene.scheme.name}: Cara Mentee"
    assert "Please contact Cara Mentee" in to_coord.body
    assert reverse("admin:matching_mentorship_change", args=[mentorship.pk]) in to_coord.body


def test_finding_unanswered_proposals_takes_a_constant_number_of_queries(
    scene, django_assert_max_num_queries
):
    for n in range(4):
        pair(scene, f"Mentor{n} Person", f"Mentee{n} Person")
    answer(pair(scene, "Anna Mentor", "Cara Mentee"), ANNA)
    other = another_scene()
    pair(other, "Ben Mentor", "Dan Mentee")

    with django_assert_max_num_queries(5):
        found = list(JOBS[ANSWER].find(london("2026-11-09T09:05"), None))
    assert len(found) == 4 * 2 + 1 + 2


# remind-new-mentorships ---------------------------------------------------------------------------
def accepted(scene, **kwargs) -> Mentorship:
    mentorship = pair(scene, **kwargs)
    answer(mentorship, ANNA)
    return mentorship


def test_no_contact_reminder_before_the_day_or_the_schemes_hour(scene):
    accepted(scene)
    assert run(NEW, "2026-11-02T20:05") == []
    assert run(NEW, "2026-11-03T08:05") == []


def test_the_mentor_who_accepted_is_reminded_to_contact_the_mentee_once(scene):
    accepted(scene)
    assert sent(run(NEW, "2026-11-03T09:05")) == [("contact_your_mentee", ANNA)]
    assert run(NEW, "2026-11-03T09:05") == []
    assert run(NEW, "2026-11-10T09:05") == []


def test_a_mentor_who_has_not_answered_is_not_asked_to_make_contact(scene):
    pair(scene)
    assert run(NEW, "2026-11-03T09:05") == []
    assert run(NEW, "2026-11-30T09:05") == []


def test_with_no_first_meeting_the_mentor_and_the_coordinators_are_told_once(scene):
    accepted(scene)
    run(NEW, "2026-11-03T09:05")
    assert run(NEW, "2026-11-29T09:05") == []
    assert run(NEW, "2026-11-30T08:05") == []
    assert sent(run(NEW, "2026-11-30T09:05")) == [
        ("no_first_meeting", ANNA),
        ("no_first_meeting_coordinator", COORD),
    ]
    assert run(NEW, "2026-11-30T10:05") == []
    assert run(NEW, "2026-12-07T09:05") == []


def test_a_mentor_who_accepts_after_the_first_meeting_day_is_not_also_asked_to_make_contact(
    scene,
):
    mentorship = pair(scene)
    run(NEW, "2026-11-03T09:05")
    answer(mentorship, ANNA)
    assert sent(run(NEW, "2026-11-30T09:05")) == [
        ("no_first_meeting", ANNA),
        ("no_first_meeting_coordinator", COORD),
    ]


def test_a_pair_who_have_met_hear_nothing(scene):
    mentorship = accepted(scene)
    services.record_meeting(
        mentorship=mentorship,
        held_on=datetime.date(2026, 11, 2),
        attended=[m.enrolment for m in mentorship.members.all()],
        by=None,
    )
    assert run(NEW, "2026-11-03T09:05") == []
    assert run(NEW, "2026-11-30T09:05") == []


def test_an_ended_mentorship_hears_nothing(scene):
    mentorship = accepted(scene)
    mentee = mentorship.members.get(role="mentee").enrolment
    scheme_services.leave_scheme(
        enrolment=mentee, left_on=datetime.date(2026, 11, 2), kind="left", reason="Moved away."
    )
    assert Mentorship.objects.get(pk=mentorship.pk).status == MentorshipStatus.ENDED
    assert run(NEW, "2026-11-03T09:05") == []
    assert run(NEW, "2026-11-30T09:05") == []


def test_a_pair_whose_mentor_was_paused_is_left_to_the_coordinators(scene):
    mentorship = accepted(scene)
    scheme_services.pause_enrolment(
        enrolment=mentorship.members.get(role="mentor").enrolment,
        on_date=datetime.date(2026, 11, 2),
        reason="Licence lapsed.",
    )
    assert run(NEW, "2026-11-03T09:05") == []
    assert run(NEW, "2026-11-30T09:05") == []


def test_another_schemes_run_sends_nothing_for_this_one(scene):
    accepted(scene)
    other = another_scene()
    assert run(NEW, "2026-11-03T09:05", scheme=other.scheme.slug) == []
    assert sent(run(NEW, "2026-11-03T09:05", scheme=scene.scheme.slug)) == [
        ("contact_your_mentee", ANNA)
    ]


def test_the_new_mentorship_emails_say_what_to_do_and_link_to_the_right_page(
    scene, django_capture_on_commit_callbacks
):
    mentorship = accepted(scene)
    with django_capture_on_commit_callbacks(execute=True):
        run(NEW, "2026-11-03T09:05")
        run(NEW, "2026-11-30T09:05")
    page = reverse("mentorship_detail", args=[mentorship.pk])
    contact, again = [m for m in mail.outbox if m.to == [ANNA]]
    assert contact.subject == "Please contact Cara Mentee to arrange your first mentoring meeting"
    assert "agree your first meeting by 30 November 2026" in contact.body
    assert page in contact.body
    assert again.subject == "You have not yet had a first meeting with Cara Mentee"
    assert page in again.body
    (to_coord,) = [m for m in mail.outbox if m.to == [COORD]]
    assert to_coord.subject == (
        f"No first meeting yet on {scene.scheme.name}: Anna Mentor and Cara Mentee"
    )
    assert "after 28 days no first meeting is recorded" in to_coord.body
    assert reverse("admin:matching_mentorship_change", args=[mentorship.pk]) in to_coord.body


def test_finding_new_mentorships_takes_a_constant_number_of_queries(
    scene, django_assert_max_num_queries
):
    for n in range(4):
        answer(pair(scene, f"Mentor{n} Person", f"Mentee{n} Person"), f"mentor{n}@example.nhs.uk")
    pair(scene, "Anna Mentor", "Cara Mentee")
    other = another_scene()
    answer(pair(other, "Ben Mentor", "Dan Mentee"), BEN)

    with django_assert_max_num_queries(5):
        found = list(JOBS[NEW].find(london("2026-11-30T09:05"), None))
    assert (
        sorted(r.kind for r in found)
        == ["no_first_meeting"] * 5 + ["no_first_meeting_coordinator"] * 5
    )
