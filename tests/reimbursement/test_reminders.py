"""The reimbursement reminders, in time travel: unclaimed weeks, the month-end claims cut-off and
finance told of a draft payment run — at the right moment, to the right people, once.

The scene is built with the clock at ``NOW`` (after every moment the jobs run at), so sessions
can be logged as held and claimed; each job is then run at a London moment of its own.
"""

import datetime

import pytest
import time_machine
from django.core import mail

from mentoring.models import JobRun, Notification
from reimbursement import claims, runs
from reimbursement.models import RunStatus
from reimbursement.reminders import (
    find_claims_cut_off,
    find_runs_built,
    find_unclaimed_weeks,
    latest_due_week,
)
from schemes.models import ClaimKind, EnrolmentStatus, ReminderPlan
from schemes.models import ClaimUnit as SchemeUnit
from tests.factories import IcbFactory, OrganisationFactory, coordinator_of, finance_of
from tests.reimbursement.scene import ClaimScene
from tests.reminders import LONDON, due_at, london, run, sent

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 1, 20, 12, tzinfo=LONDON)
MONA = "mona@example.nhs.uk"
WEEKS = "remind-unclaimed-weeks"
CUT_OFF = "remind-claims-cut-off"
FINANCE = "tell-finance-runs-built"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def scene():
    return ClaimScene()


def held(scene, when: str, mentor=None, mentorship=None):
    """A session logged as held at the London moment ``when`` (e.g. "2026-11-03T10:00")."""
    return scene.held(mentorship or scene.pair_, mentor or scene.mona, starts_at=london(when))


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def weeks_in(notification) -> list[str]:
    return [w["monday"] for w in notification.context["weeks"]]


# remind-unclaimed-weeks -------------------------------------------------------------------------
def test_the_latest_due_week_ended_the_set_days_ago():
    # The week of Monday 2 November ends at midnight on Sunday 8th: 7 days later is the 16th.
    assert latest_due_week(day("2026-11-16"), 7) == day("2026-11-02")
    assert latest_due_week(day("2026-11-15"), 7) == day("2026-10-26")


def test_a_held_week_is_not_reminded_of_before_the_set_days_after_it_ended(scene):
    held(scene, "2026-11-03T10:00")

    assert run(WEEKS, "2026-11-15T10:35") == []
    assert run(WEEKS, "2026-11-16T08:35") == []  # before the scheme's hour (9:00)


def test_a_held_week_not_claimed_is_reminded_of_once(scene):
    held(scene, "2026-11-03T10:00")

    told = run(WEEKS, "2026-11-16T09:35")

    assert sent(told) == [("week_unclaimed", MONA)]
    assert told[0].period == "2026-11-02"
    assert told[0].about == f"schemes.enrolment:{scene.mona.pk}"
    assert weeks_in(told[0]) == ["2026-11-02"]
    assert run(WEEKS, "2026-11-16T10:35") == []
    assert run(WEEKS, "2026-11-19T09:35") == []
    assert due_at(WEEKS, "2026-11-19T09:35") == []


def test_several_unclaimed_weeks_make_one_message_listing_them(scene):
    held(scene, "2026-11-03T10:00")
    held(scene, "2026-11-05T10:00")
    held(scene, "2026-11-10T10:00")

    told = run(WEEKS, "2026-11-23T09:35")

    assert sent(told) == [("week_unclaimed", MONA)]
    assert told[0].period == "2026-11-09"
    assert weeks_in(told[0]) == ["2026-11-02", "2026-11-09"]
    assert told[0].subject.startswith("You have not claimed for 2 weeks of mentoring on")


def test_a_new_unclaimed_week_is_a_new_reminder_that_lists_the_older_one_too(scene):
    held(scene, "2026-11-03T10:00")
    assert len(run(WEEKS, "2026-11-16T09:35")) == 1
    held(scene, "2026-11-10T10:00")

    told = run(WEEKS, "2026-11-23T09:35")

    assert told[0].period == "2026-11-09"
    assert weeks_in(told[0]) == ["2026-11-02", "2026-11-09"]


def test_a_claimed_week_is_left_out_and_a_rejected_claim_does_not_count(scene):
    held(scene, "2026-11-03T10:00")
    held(scene, "2026-11-10T10:00")
    held(scene, "2026-11-17T10:00")
    scene.claim(day("2026-11-03"))
    rejected = scene.claim(day("2026-11-10"))
    claims.reject_claim(claim=rejected, by=scene.coordinator, reason="Wrong week.")

    told = run(WEEKS, "2026-11-30T09:35")

    assert weeks_in(told[0]) == ["2026-11-09", "2026-11-16"]


def test_nothing_is_due_when_every_week_is_claimed(scene):
    held(scene, "2026-11-03T10:00")
    scene.claim(day("2026-11-03"))

    assert run(WEEKS, "2026-11-16T09:35") == []


def test_weeks_before_joining_and_while_paused_are_not_claimable_so_not_reminded_of(scene):
    held(scene, "2026-11-03T10:00")
    held(scene, "2026-11-10T10:00")
    held(scene, "2026-11-17T10:00")
    type(scene.mona).objects.filter(pk=scene.mona.pk).update(
        joined_on=day("2026-11-09"),
        status=EnrolmentStatus.PAUSED,
        paused_on=day("2026-11-16"),
    )

    told = run(WEEKS, "2026-11-30T09:35")

    assert weeks_in(told[0]) == ["2026-11-09"]


def test_weeks_after_leaving_are_not_reminded_of_but_those_before_are(scene):
    held(scene, "2026-11-03T10:00")
    held(scene, "2026-11-10T10:00")
    type(scene.mona).objects.filter(pk=scene.mona.pk).update(
        status=EnrolmentStatus.LEFT, left_on=day("2026-11-05"), leave_kind="left"
    )

    told = run(WEEKS, "2026-11-23T09:35")

    assert told[0].period == "2026-11-02"
    assert weeks_in(told[0]) == ["2026-11-02"]


def test_at_most_the_twelve_latest_due_weeks_are_listed(scene):
    held(scene, "2026-08-11T10:00")  # the week of 10 August: the 13th back from 2 November
    held(scene, "2026-08-18T10:00")  # the week of 17 August: the 12th
    held(scene, "2026-11-03T10:00")

    told = run(WEEKS, "2026-11-16T09:35")

    assert weeks_in(told[0]) == ["2026-08-17", "2026-11-02"]


def test_the_schemes_plan_sets_the_days_and_the_hour(scene):
    ReminderPlan.objects.create(scheme=scene.scheme, send_from_hour=13, unclaimed_week_days=2)
    held(scene, "2026-11-03T10:00")

    assert run(WEEKS, "2026-11-10T13:35") == []
    assert run(WEEKS, "2026-11-11T12:35") == []
    assert sent(run(WEEKS, "2026-11-11T13:35")) == [("week_unclaimed", MONA)]


def test_a_scheme_paid_per_meeting_or_not_paid_has_no_weekly_reminder(scene):
    held(scene, "2026-11-03T10:00")
    for unit in (SchemeUnit.MEETING, SchemeUnit.NONE):
        scene.card.claim_unit = unit
        scene.card.save()

        assert run(WEEKS, "2026-11-16T09:35") == []


def test_only_the_mentor_is_reminded_not_the_mentee(scene):
    held(scene, "2026-11-03T10:00")

    assert {n.recipient.email for n in run(WEEKS, "2026-11-16T09:35")} == {MONA}


def test_the_unclaimed_weeks_email_says_which_weeks_and_links_to_the_claim_form(
    scene, django_capture_on_commit_callbacks
):
    held(scene, "2026-11-03T10:00")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        run(WEEKS, "2026-11-16T09:35")

    [message] = mail.outbox
    assert message.to == [MONA]
    assert message.subject == f"You have not claimed for 1 week of mentoring on {scene.scheme.name}"
    assert "the week beginning 2 November 2026" in message.body
    assert "/claims/new/" in message.body


def test_finding_unclaimed_weeks_takes_the_same_queries_for_many_mentors(
    scene, django_assert_max_num_queries
):
    for n, name in enumerate(["Max Mentor", "Meg Mentor", "Mike Mentor"]):
        mentor = scene.mentor(name, practice=n % 3)
        pair = scene.pair(mentor, scene.mentee(f"Mentee{n} Person"))
        held(scene, "2026-11-03T10:00", mentor, pair)
        held(scene, "2026-11-10T10:00", mentor, pair)
    held(scene, "2026-11-03T10:00")
    held(scene, "2026-11-10T10:00")
    scene.claim(day("2026-11-03"))

    with django_assert_max_num_queries(7):
        found = list(find_unclaimed_weeks(london("2026-11-23T09:35"), None))

    assert len(found) == 4


# remind-claims-cut-off --------------------------------------------------------------------------
def test_the_cut_off_reminder_waits_for_the_last_days_of_the_month(scene):
    held(scene, "2026-12-08T10:00")

    assert run(CUT_OFF, "2026-12-27T09:40") == []
    assert run(CUT_OFF, "2026-12-28T08:40") == []


def test_the_cut_off_reminder_goes_once_a_month_listing_what_is_not_claimed(scene):
    held(scene, "2026-12-01T10:00")  # the week of Monday 30 November, claimed with December's
    held(scene, "2026-12-08T10:00")
    held(scene, "2026-12-15T10:00")
    scene.claim(day("2026-12-15"))

    told = run(CUT_OFF, "2026-12-28T09:40")

    assert sent(told) == [("claims_cut_off", MONA)]
    assert told[0].period == "2026-12"
    assert told[0].context["items"] == [
        "the week beginning 30 November 2026",
        "the week beginning 7 December 2026",
    ]
    assert run(CUT_OFF, "2026-12-28T10:40") == []
    assert run(CUT_OFF, "2026-12-31T09:40") == []


def test_next_months_cut_off_is_a_new_reminder(scene):
    held(scene, "2026-12-08T10:00")
    assert len(run(CUT_OFF, "2026-12-28T09:40")) == 1
    held(scene, "2027-01-05T10:00")

    told = run(CUT_OFF, "2027-01-28T09:40")

    assert told[0].period == "2027-01"
    assert told[0].context["items"] == ["the week beginning 4 January 2027"]


def test_nothing_held_this_month_or_all_claimed_means_no_cut_off_reminder(scene):
    held(scene, "2026-11-24T10:00")  # last month
    held(scene, "2026-12-08T10:00")
    scene.claim(day("2026-12-08"))

    assert run(CUT_OFF, "2026-12-28T09:40") == []


def test_a_scheme_paid_per_meeting_lists_the_meetings_not_claimed():
    scene = ClaimScene(unit=SchemeUnit.MEETING)
    first = held(scene, "2026-12-01T10:00")
    held(scene, "2026-12-08T10:00")
    claims.submit_claim(
        person=scene.mona.person,
        scheme=scene.scheme,
        kind=ClaimKind.MENTORING,
        claimed_date=day("2026-12-01"),
        by=scene.mentor_user,
        session=first,
    )

    told = run(CUT_OFF, "2026-12-28T09:40")

    assert told[0].context["items"] == ["the meeting on 8 December 2026"]
    assert told[0].subject == "Claim for your December 2026 mentoring by 31 December 2026"


def test_an_unpaid_scheme_has_no_cut_off_reminder():
    scene = ClaimScene(unit=SchemeUnit.NONE)
    held(scene, "2026-12-08T10:00")

    assert run(CUT_OFF, "2026-12-28T09:40") == []


def test_the_plans_cut_off_days_count_back_from_the_months_last_day(scene):
    ReminderPlan.objects.create(scheme=scene.scheme, claims_cutoff_days_before=0)
    held(scene, "2026-12-08T10:00")

    assert run(CUT_OFF, "2026-12-30T09:40") == []
    assert sent(run(CUT_OFF, "2026-12-31T09:40")) == [("claims_cut_off", MONA)]


def test_the_cut_off_email_says_when_claims_close_and_links_to_the_claim_form(
    scene, django_capture_on_commit_callbacks
):
    held(scene, "2026-12-08T10:00")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        run(CUT_OFF, "2026-12-28T09:40")

    [message] = mail.outbox
    assert message.subject == "Claim for your December 2026 mentoring by 31 December 2026"
    assert "the week beginning 7 December 2026" in message.body
    assert "/claims/new/" in message.body


def test_finding_the_cut_off_takes_the_same_queries_for_many_mentors(
    scene, django_assert_max_num_queries
):
    for n, name in enumerate(["Max Mentor", "Meg Mentor", "Mike Mentor"]):
        mentor = scene.mentor(name, practice=n % 3)
        pair = scene.pair(mentor, scene.mentee(f"Mentee{n} Person"))
        held(scene, "2026-12-08T10:00", mentor, pair)
        held(scene, "2026-12-15T10:00", mentor, pair)
    held(scene, "2026-12-08T10:00")

    with django_assert_max_num_queries(7):
        found = list(find_claims_cut_off(london("2026-12-28T09:40"), None))

    assert len(found) == 4


# tell-finance-runs-built ------------------------------------------------------------------------
NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def built(scene):
    """November's draft run of the scene's ICB, paying one approved week."""
    held(scene, "2026-11-03T10:00")
    scene.approved(day("2026-11-03"))
    return scene.build(NOVEMBER).run


def test_finance_is_told_nothing_before_a_run_is_built(scene):
    held(scene, "2026-11-03T10:00")
    scene.approved(day("2026-11-03"))

    assert run(FINANCE, "2026-12-01T05:50") == []


def test_finance_for_the_payer_is_told_of_a_draft_run_once(scene, built):
    told = run(FINANCE, "2026-12-01T06:50")

    assert sent(told) == [("payment_run_built", scene.finance.email)]
    assert told[0].about == f"reimbursement.paymentrun:{built.pk}"
    assert told[0].period == "28900p-1c-1l"
    assert run(FINANCE, "2026-12-01T07:50") == []
    assert run(FINANCE, "2026-12-05T03:50") == []


def test_finance_above_the_payer_is_told_but_not_finance_below_it_or_elsewhere(scene, built):
    region = OrganisationFactory(kind="other")
    scene.icb.parent = region
    scene.icb.save()
    above = finance_of(region)
    finance_of(scene.practices[0])
    finance_of(IcbFactory())
    coordinator_of(scene.icb)

    told = run(FINANCE, "2026-12-01T06:50")

    assert sent(told) == sorted(
        [("payment_run_built", scene.finance.email), ("payment_run_built", above.email)]
    )


def test_a_rebuild_that_changes_the_run_tells_finance_again_and_one_that_does_not_does_not(
    scene, built
):
    run(FINANCE, "2026-12-01T06:50")
    scene.build(NOVEMBER)

    assert run(FINANCE, "2026-12-02T06:50") == []

    held(scene, "2026-11-10T10:00")
    scene.approved(day("2026-11-10"))
    scene.build(NOVEMBER)
    told = run(FINANCE, "2026-12-02T07:50")

    assert sent(told) == [("payment_run_built", scene.finance.email)]
    assert told[0].period == "57800p-2c-1l"


def test_an_approved_or_empty_run_is_not_announced(scene, built):
    runs.approve_run(run=built, by=scene.finance)
    scene.build(datetime.date(2026, 10, 1))  # October: nothing to pay

    assert run(FINANCE, "2026-12-01T06:50") == []
    assert built.__class__.objects.get(pk=built.pk).status == RunStatus.APPROVED


def test_the_monthly_build_tells_finance_at_once(scene):
    from reimbursement import tasks

    held(scene, "2026-11-03T10:00")
    scene.approved(day("2026-11-03"))

    with time_machine.travel(london("2026-12-01T06:00"), tick=False):
        tasks.build_payment_runs()

    told = Notification.objects.filter(kind="payment_run_built")
    assert [n.recipient for n in told] == [scene.finance]
    assert JobRun.objects.filter(job=FINANCE, sent=1).exists()


def test_the_run_built_email_gives_the_total_and_links_to_the_run(
    scene, built, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        run(FINANCE, "2026-12-01T06:50")

    [message] = mail.outbox
    assert message.to == [scene.finance.email]
    assert message.subject == f"Payment run {built.reference} is ready to review: £289.00"
    assert f"/finance/runs/{built.reference}/" in message.body


def test_finding_built_runs_takes_the_same_queries_for_many_runs_and_finance_users(
    scene, django_assert_max_num_queries
):
    for month in (9, 10, 11):
        held(scene, f"2026-{month:02d}-03T10:00")
        scene.approved(day(f"2026-{month:02d}-03"))
        scene.build(datetime.date(2026, month, 1))
    for _ in range(2):
        finance_of(scene.icb)
    finance_of(IcbFactory())

    with django_assert_max_num_queries(2):
        found = list(find_runs_built(london("2026-12-01T06:50"), None))

    assert len(found) == 9
