import datetime

import pytest
import time_machine
from django.core import mail

from mentoring.models import TrainingRecord
from schemes import services, tasks
from schemes.errors import SchemeError, SchemeRefusal
from schemes.models import EligibilityCheck, Enrolment
from tests.schemes.world import MENTOR_ANSWERS, gp_mentor, world

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0), tick=False):
        yield


@pytest.fixture
def ics():
    return world()


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def enrolled_mentor(ics, **registration) -> Enrolment:
    gp = ics["schemes"]["gp-supporting-mentors"]
    application = services.submit_application(
        person=gp_mentor(ics["practice"], **registration),
        scheme=gp,
        role="mentor",
        answers=MENTOR_ANSWERS,
    )
    return services.approve_application(
        application=application, decided_by=ics["coordinator"], joined_on=datetime.date(2026, 1, 5)
    )


def test_the_nightly_recheck_pauses_a_mentor_who_becomes_suspended(ics, deliver):
    enrolment = enrolled_mentor(ics)
    enrolment.person.registrations.update(interim_suspension=True)
    mail.outbox.clear()

    with deliver():
        result = tasks.recheck_mentors.apply().get()

    enrolment.refresh_from_db()
    assert result == {"checked": 1, "paused": [enrolment.pk]}
    assert (enrolment.status, enrolment.paused_on) == ("paused", TODAY)
    assert "section 41A of the Medical Act 1983" in enrolment.pause_reason
    assert EligibilityCheck.objects.filter(purpose="nightly", eligible=False).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [enrolment.person.user.email, "coordinator@example.nhs.uk"]
    )


def test_running_the_recheck_again_pauses_and_tells_nobody_twice(ics, deliver):
    enrolment = enrolled_mentor(ics)
    enrolment.person.registrations.update(interim_suspension=True)
    with deliver():
        services.recheck_mentors()
    mail.outbox.clear()

    with deliver():
        outcome = services.recheck_mentors()

    assert outcome.paused == []
    assert mail.outbox == []


def test_a_lapsed_registration_pauses_from_the_day_after_it_lapsed(ics):
    enrolment = enrolled_mentor(ics, valid_until=datetime.date(2026, 12, 31))
    assert enrolment.eligible_until == datetime.date(2026, 12, 31)

    with time_machine.travel(datetime.datetime(2027, 1, 4, 2, 30), tick=False):
        services.recheck_mentors()

    enrolment.refresh_from_db()
    assert enrolment.paused_on == datetime.date(2027, 1, 1)
    assert "lapsed on 31 December 2026" in enrolment.pause_reason


def test_the_recheck_keeps_eligible_until_current(ics):
    enrolment = enrolled_mentor(ics)
    enrolment.person.registrations.update(valid_until=datetime.date(2027, 3, 31))
    services.recheck_mentors()
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.eligible_until) == ("active", datetime.date(2027, 3, 31))


def test_a_paused_mentor_is_resumed_only_once_they_meet_the_rules_again(ics):
    enrolment = enrolled_mentor(ics)
    registrations = enrolment.person.registrations
    registrations.update(interim_suspension=True)
    services.recheck_mentors()

    with pytest.raises(SchemeError) as refusal:
        services.resume_enrolment(enrolment=enrolment, by=ics["coordinator"])
    assert refusal.value.code == SchemeRefusal.NOT_ELIGIBLE

    registrations.update(interim_suspension=False)
    services.resume_enrolment(enrolment=enrolment, by=ics["coordinator"])
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.paused_on) == ("active", None)
    assert EligibilityCheck.objects.filter(purpose="resume", eligible=True).exists()


def funded(enrolment) -> Enrolment:
    enrolment.funded_training = TrainingRecord.objects.get(person=enrolment.person)
    enrolment.save()
    return enrolment


def test_leaving_within_the_minimum_stay_after_funded_training_flags_the_cost_recoverable(ics):
    enrolment = funded(enrolled_mentor(ics))
    services.leave_scheme(
        enrolment=enrolment, left_on=datetime.date(2026, 11, 1), kind="left", reason="Moved away."
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "left"
    assert enrolment.training_cost_recoverable


def test_an_exemption_reason_clears_the_flag(ics):
    enrolment = funded(enrolled_mentor(ics))
    services.leave_scheme(
        enrolment=enrolment,
        left_on=datetime.date(2026, 11, 1),
        kind="withdrew",
        reason="Ill health.",
        exemption="Retirement on health grounds.",
    )
    enrolment.refresh_from_db()
    assert not enrolment.training_cost_recoverable


def test_an_exemption_recorded_later_clears_the_flag(ics):
    enrolment = funded(enrolled_mentor(ics))
    services.leave_scheme(
        enrolment=enrolment, left_on=datetime.date(2026, 11, 1), kind="left", reason="Moved."
    )
    services.record_recovery_exemption(
        enrolment=enrolment, reason="Ill health.", by=ics["coordinator"]
    )
    assert not Enrolment.objects.get(pk=enrolment.pk).training_cost_recoverable


@pytest.mark.parametrize(
    ("left_on", "training_funded", "recoverable"),
    [
        (datetime.date(2027, 1, 5), True, False),  # joined 5 January 2026: stayed 12 months
        (datetime.date(2027, 1, 4), True, True),  # a day short
        (datetime.date(2026, 11, 1), False, False),  # training not funded by the scheme
    ],
)
def test_the_flag_depends_on_the_minimum_stay_and_funded_training(
    ics, left_on, training_funded, recoverable
):
    enrolment = enrolled_mentor(ics)
    if training_funded:
        funded(enrolment)
    with time_machine.travel(datetime.datetime(2027, 2, 1, 12, 0), tick=False):
        services.leave_scheme(enrolment=enrolment, left_on=left_on, kind="left", reason="Moved.")
    assert Enrolment.objects.get(pk=enrolment.pk).training_cost_recoverable is recoverable


@pytest.mark.parametrize(
    ("left_on", "code"),
    [
        (datetime.date(2025, 12, 31), SchemeRefusal.LEAVE_BEFORE_JOINING),
        (datetime.date(2026, 11, 24), SchemeRefusal.LEAVE_IN_FUTURE),
    ],
)
def test_impossible_leaving_dates_are_refused(ics, left_on, code):
    enrolment = enrolled_mentor(ics)
    with pytest.raises(SchemeError) as refusal:
        services.leave_scheme(enrolment=enrolment, left_on=left_on, kind="left", reason="x")
    assert refusal.value.code == code
    assert Enrolment.objects.get(pk=enrolment.pk).left_on is None


def test_nobody_leaves_twice(ics):
    enrolment = enrolled_mentor(ics)
    services.leave_scheme(enrolment=enrolment, left_on=TODAY, kind="left", reason="x")
    with pytest.raises(SchemeError) as refusal:
        services.leave_scheme(enrolment=enrolment, left_on=TODAY, kind="left", reason="x")
    assert refusal.value.code == SchemeRefusal.ALREADY_LEFT


def test_leaving_frees_the_person_to_be_enrolled_again_later(ics):
    enrolment = enrolled_mentor(ics)
    services.leave_scheme(enrolment=enrolment, left_on=TODAY, kind="left", reason="Sabbatical.")
    application = services.submit_application(
        person=enrolment.person, scheme=enrolment.scheme, role="mentor", answers=MENTOR_ANSWERS
    )
    again = services.approve_application(application=application, decided_by=ics["coordinator"])
    assert again.pk != enrolment.pk
