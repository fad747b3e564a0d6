"""Warning of eligibility ending (``warn-eligibility-ending``), in time travel: the mentor and the
scheme's coordinators, within the plan's days of the end date, once per end date."""

import datetime

import pytest
from django.core import mail

from mentoring.models import TrainingKind, TrainingStatus
from schemes import services
from schemes.models import EligibilityCheck, ReminderPlan
from schemes.reminders import find_eligibility_ending, what_ends
from tests.factories import (
    IcbFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    TrainingRecordFactory,
    coordinator_of,
)
from tests.reminders import due_at, london, run, sent
from tests.schemes.factories import (
    EligibilityRuleFactory,
    MenteeEnrolmentFactory,
    MentorEnrolmentFactory,
    SchemeFactory,
)

pytestmark = pytest.mark.django_db

JOB = "warn-eligibility-ending"
COORDINATOR = "coord@example.nhs.uk"
LICENCE_ENDS = datetime.date(2027, 1, 10)  # 30 days after 11 December 2026
CHECKED_ON = datetime.date(2026, 10, 1)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


class Scene:
    """A GP scheme needing a GMC licence and ILM5, its coordinator, and mentors to add."""

    def __init__(self, coordinator=COORDINATOR):
        self.icb = IcbFactory()
        self.practice = OrganisationFactory(parent=self.icb)
        self.scheme = SchemeFactory(owner=self.icb)
        EligibilityRuleFactory(scheme=self.scheme, code="gmc_full_with_licence", params={})
        EligibilityRuleFactory(
            scheme=self.scheme, code="mentoring_training", params={"accepted_kinds": ["ilm5"]}
        )
        self.coordinator = coordinator_of(self.icb, email=coordinator)

    def mentor(self, email, *, licence_until=None, training_until=None, checked=True, **fields):
        """A mentor whose latest check (as on ``CHECKED_ON``) gives their ``eligible_until``."""
        person = PersonFactory(organisation=self.practice, user__email=email)
        RegistrationFactory(person=person, valid_until=licence_until)
        TrainingRecordFactory(
            person=person,
            kind=TrainingKind.ILM5,
            status=TrainingStatus.COMPLETED,
            date=datetime.date(2023, 5, 1),
            valid_until=training_until,
        )
        enrolment = MentorEnrolmentFactory(scheme=self.scheme, person=person, **fields)
        verdict = services.verdict_for_enrolment(enrolment, on_date=CHECKED_ON)
        assert verdict.eligible
        if checked:
            services.record_check(
                person=person,
                scheme=self.scheme,
                role=enrolment.role,
                verdict=verdict,
                purpose=EligibilityCheck.Purpose.DECISION,
                by=None,
            )
        enrolment.eligible_until = fields.get("eligible_until", verdict.valid_until)
        enrolment.save()
        return enrolment


@pytest.fixture
def scene():
    return Scene()


def test_what_ends_names_the_results_whose_last_day_it_is():
    results = [
        {
            "code": "gmc_full_with_licence",
            "title": "GMC",
            "result": "passed",
            "severity": "required",
            "valid_until": "2027-01-10",
        },
        {
            "code": "newly_qualified",
            "title": "Qualified within the last 12 months",
            "result": "passed",
            "severity": "required",
            "valid_until": "2027-01-10",
        },
        {
            "code": "mentoring_training",
            "title": "Training",
            "result": "passed",
            "severity": "advisory",
            "valid_until": "2027-01-10",
        },
        {
            "code": "on_register",
            "title": "Register",
            "result": "passed",
            "severity": "required",
            "valid_until": "2028-01-10",
        },
    ]

    assert what_ends(results, LICENCE_ENDS, "your") == (
        "your GMC registration and licence to practise and "
        "the rule “Qualified within the last 12 months”"
    )
    assert what_ends([], LICENCE_ENDS, "your") == ""


def test_nothing_is_warned_of_before_the_set_days(scene):
    scene.mentor("mona@example.nhs.uk", licence_until=LICENCE_ENDS)

    assert run(JOB, "2026-12-10T10:45") == []
    assert run(JOB, "2026-12-11T08:45") == []  # before the scheme's hour (9:00)


def test_the_mentor_and_the_coordinator_are_warned_once(scene):
    mona = scene.mentor("mona@example.nhs.uk", licence_until=LICENCE_ENDS)

    told = run(JOB, "2026-12-11T09:45")

    assert sent(told) == [
        ("eligibility_ending", "mona@example.nhs.uk"),
        ("eligibility_ending_coordinator", COORDINATOR),
    ]
    assert {(n.about, n.period) for n in told} == {(f"schemes.enrolment:{mona.pk}", "2027-01-10")}
    assert told[0].context["what"] == "your GMC registration and licence to practise"
    assert run(JOB, "2026-12-11T10:45") == []
    assert run(JOB, "2027-01-02T09:45") == []
    assert due_at(JOB, "2027-01-10T09:45") == []


def test_it_says_when_training_is_what_ends(scene):
    scene.mentor(
        "mona@example.nhs.uk",
        licence_until=day("2030-01-01"),
        training_until=day("2026-12-31"),
    )

    [told] = [n for n in run(JOB, "2026-12-11T09:45") if n.kind == "eligibility_ending"]

    assert told.context["what"] == "your mentoring training"
    assert told.context["until"] == "31 December 2026"


def test_without_a_check_that_says_it_warns_all_the_same(scene):
    scene.mentor("mona@example.nhs.uk", licence_until=LICENCE_ENDS, checked=False)

    told = run(JOB, "2026-12-11T09:45")

    assert [n.context["what"] for n in told] == ["", ""]


def test_a_new_end_date_in_the_window_is_warned_of_again(scene):
    mona = scene.mentor("mona@example.nhs.uk", licence_until=LICENCE_ENDS)
    run(JOB, "2026-12-11T09:45")
    mona.eligible_until = day("2027-01-05")  # the re-check found something ending sooner
    mona.save()

    told = run(JOB, "2026-12-12T09:45")

    assert {n.period for n in told} == {"2027-01-05"}
    assert len(told) == 2


def test_those_left_already_past_not_ending_soon_and_mentees_are_not_warned(scene):
    scene.mentor("left@example.nhs.uk", licence_until=LICENCE_ENDS, left=True)
    scene.mentor("later@example.nhs.uk", licence_until=day("2027-06-30"))
    scene.mentor("past@example.nhs.uk", licence_until=day("2026-12-10"))
    scene.mentor("forever@example.nhs.uk")
    MenteeEnrolmentFactory(
        scheme=scene.scheme,
        person__user__email="mentee@example.nhs.uk",
        eligible_until=LICENCE_ENDS,
    )

    assert run(JOB, "2026-12-11T09:45") == []


def test_a_paused_mentor_is_still_warned(scene):
    scene.mentor(
        "mona@example.nhs.uk", licence_until=LICENCE_ENDS, paused=True, paused_on=CHECKED_ON
    )

    assert len(run(JOB, "2026-12-11T09:45")) == 2


def test_each_coordinator_of_the_scheme_is_warned_not_those_of_another(scene):
    scene.mentor("mona@example.nhs.uk", licence_until=LICENCE_ENDS)
    second = coordinator_of(scene.icb, email="second@example.nhs.uk")
    coordinator_of(IcbFactory(), email="other@example.nhs.uk")

    told = run(JOB, "2026-12-11T09:45")

    assert sorted(n.recipient.email for n in told if n.kind.endswith("coordinator")) == [
        COORDINATOR,
        second.email,
    ]


def test_the_plans_warning_days_and_hour_are_used(scene):
    ReminderPlan.objects.create(scheme=scene.scheme, expiry_warning_days=10, send_from_hour=7)
    scene.mentor("mona@example.nhs.uk", licence_until=LICENCE_ENDS)

    assert run(JOB, "2026-12-30T09:45") == []
    assert run(JOB, "2026-12-31T06:45") == []
    assert len(run(JOB, "2026-12-31T07:45")) == 2


def test_a_scheme_that_has_ended_warns_nobody(scene):
    scene.mentor("mona@example.nhs.uk", licence_until=LICENCE_ENDS)
    scene.scheme.ends_on = day("2026-12-01")
    scene.scheme.save()

    assert run(JOB, "2026-12-11T09:45") == []


def test_the_emails_say_what_ends_and_link_to_the_record_and_the_enrolment(
    scene, django_capture_on_commit_callbacks
):
    mona = scene.mentor("mona@example.nhs.uk", licence_until=LICENCE_ENDS)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        run(JOB, "2026-12-11T09:45")

    by_to = {m.to[0]: m for m in mail.outbox}
    mentor, coordinator = by_to["mona@example.nhs.uk"], by_to[COORDINATOR]
    assert mentor.subject == (
        f"Your mentoring on {scene.scheme.name}: eligibility ends on 10 January 2027"
    )
    assert "your GMC registration and licence to practise ends on 10 January 2027" in mentor.body
    assert "paused from 11 January 2027" in mentor.body
    assert "/me/" in mentor.body
    name = mona.person.full_name
    assert coordinator.subject == (
        f"{name}'s eligibility on {scene.scheme.name} ends on 10 January 2027"
    )
    assert f"{name}'s GMC registration and licence to practise" in coordinator.body
    assert f"/admin/schemes/enrolment/{mona.pk}/change/" in coordinator.body


def test_finding_endings_takes_the_same_queries_for_many_enrolments(
    scene, django_assert_max_num_queries
):
    other = Scene(coordinator="other@example.nhs.uk")
    for n in range(3):
        scene.mentor(f"here{n}@example.nhs.uk", licence_until=LICENCE_ENDS)
        other.mentor(f"there{n}@example.nhs.uk", training_until=LICENCE_ENDS)

    with django_assert_max_num_queries(5):
        found = list(find_eligibility_ending(london("2026-12-11T09:45"), None))

    assert len(found) == 12


def test_a_mentor_who_turned_the_warning_off_is_not_e_mailed_and_the_coordinator_still_is(
    scene, django_capture_on_commit_callbacks
):
    from mentoring.models import Notification, NotificationPreference

    mona = scene.mentor("mona@example.nhs.uk", licence_until=LICENCE_ENDS)
    NotificationPreference.objects.create(user=mona.person.user, muted=["eligibility_ending"])

    assert due_at(JOB, "2026-12-11T09:45") == [("eligibility_ending_coordinator", COORDINATOR)]
    with django_capture_on_commit_callbacks(execute=True):
        told = run(JOB, "2026-12-11T09:45")

    assert [m.to for m in mail.outbox] == [[COORDINATOR]]
    muted = next(n for n in told if n.kind == "eligibility_ending")
    assert muted.status == Notification.Status.MUTED  # still listed on her notifications page
