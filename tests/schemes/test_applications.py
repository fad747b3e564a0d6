import pytest
from django.core import mail

from mentoring.models import Notification
from schemes import services
from schemes.errors import SchemeError, SchemeRefusal
from schemes.models import ApplicationStatus, EligibilityCheck, Enrolment
from tests.factories import UserFactory
from tests.schemes.world import MENTOR_ANSWERS, gp_fellow, gp_mentor, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def ics():
    return world()


@pytest.fixture
def gp(ics):
    return ics["schemes"]["gp-supporting-mentors"]


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def apply(person, scheme, **answers):
    return services.submit_application(
        person=person, scheme=scheme, role="mentor", answers={**MENTOR_ANSWERS, **answers}
    )


def test_an_application_stores_the_verdict_and_tells_the_coordinators(ics, gp, deliver):
    with deliver():
        application = apply(gp_mentor(ics["practice"]), gp)

    check = application.eligibility_check
    assert check.purpose == EligibilityCheck.Purpose.APPLICATION
    assert check.eligible
    assert [r["code"] for r in check.results][:2] == ["profession_is", "gmc_full_with_licence"]
    assert [m.to for m in mail.outbox] == [["coordinator@example.nhs.uk"]]
    assert "New application to GP Supporting Mentors Scheme" in mail.outbox[0].subject


def test_an_ineligible_applicant_can_apply_and_the_check_says_why(ics, gp):
    application = apply(gp_mentor(ics["practice"], sessions="2"), gp, clinical_sessions_per_week=2)
    reasons = [
        r["reason"] for r in application.eligibility_check.results if r["result"] != "passed"
    ]
    assert reasons == ["Works 2 clinical sessions a week (at least 3 needed)."]


def test_applying_outside_an_intake_is_refused(ics, gp):
    gp.intakes.all().delete()
    with pytest.raises(SchemeError) as refusal:
        apply(gp_mentor(ics["practice"]), gp)
    assert refusal.value.code == SchemeRefusal.INTAKE_CLOSED


def test_applying_twice_is_refused(ics, gp):
    person = gp_mentor(ics["practice"])
    apply(person, gp)
    with pytest.raises(SchemeError) as refusal:
        apply(person, gp)
    assert refusal.value.code == SchemeRefusal.ALREADY_APPLIED


def test_approval_enrols_with_a_capacity_in_the_schemes_range_and_e_mails_the_applicant(
    ics, gp, deliver
):
    person = gp_mentor(ics["practice"])
    application = apply(person, gp, preferred_mentees=12)
    mail.outbox.clear()

    with deliver():
        enrolment = services.approve_application(
            application=application, decided_by=ics["coordinator"]
        )

    assert (enrolment.role, enrolment.capacity, enrolment.status) == ("mentor", 8, "active")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert EligibilityCheck.objects.filter(
        purpose="decision", person=person, checked_by=ics["coordinator"]
    ).exists()
    assert [m.subject for m in mail.outbox] == [
        "You are now a mentor on GP Supporting Mentors Scheme",
        "A short survey as you start on GP Supporting Mentors Scheme",
    ]


def test_an_applicant_who_does_not_meet_the_rules_cannot_be_approved(ics, gp):
    application = apply(gp_mentor(ics["practice"], interim_suspension=True), gp)
    with pytest.raises(SchemeError) as refusal:
        services.approve_application(application=application, decided_by=ics["coordinator"])
    assert refusal.value.code == SchemeRefusal.NOT_ELIGIBLE
    assert "section 41A" in refusal.value.message
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Enrolment.objects.exists()


def test_a_capacity_outside_the_range_is_refused(ics, gp):
    application = apply(gp_mentor(ics["practice"]), gp)
    with pytest.raises(SchemeError) as refusal:
        services.approve_application(
            application=application, decided_by=ics["coordinator"], capacity=9
        )
    assert refusal.value.code == SchemeRefusal.CAPACITY_OUT_OF_RANGE
    assert (
        refusal.value.message
        == "A mentor on GP Supporting Mentors Scheme takes between 4 and 8 mentees."
    )


def test_rejection_e_mails_the_feedback_and_how_to_reapply_through_a_celery_task(ics, gp, deliver):
    application = apply(gp_mentor(ics["practice"]), gp)
    mail.outbox.clear()

    with deliver():
        services.reject_application(
            application=application,
            decided_by=ics["coordinator"],
            feedback="We have all the mentors our budget allows this year.",
            how_to_reapply="Apply again when the next intake opens in April.",
        )

    notification = Notification.objects.get(kind="application_rejected")
    assert notification.status == "sent"
    (message,) = mail.outbox
    assert message.to == [application.person.user.email]
    assert "We have all the mentors our budget allows this year." in message.body
    assert "Apply again when the next intake opens in April." in message.body


def test_rejection_without_feedback_is_refused(ics, gp):
    application = apply(gp_mentor(ics["practice"]), gp)
    with pytest.raises(SchemeError) as refusal:
        services.reject_application(
            application=application, decided_by=ics["coordinator"], feedback=" ", how_to_reapply="x"
        )
    assert refusal.value.code == SchemeRefusal.FEEDBACK_REQUIRED


def test_over_the_cap_approved_mentors_wait_in_order_and_join_when_a_place_frees(ics, gp, deliver):
    gp.mentor_cap = 1
    gp.save()
    first, second, third = (apply(gp_mentor(ics["practice"]), gp) for _ in range(3))

    def decide(application):
        return services.approve_application(application=application, decided_by=ics["coordinator"])

    enrolled = decide(first)
    assert decide(third) is None
    assert decide(second) is None
    mail.outbox.clear()

    with deliver():
        services.leave_scheme(
            enrolment=enrolled, left_on=enrolled.joined_on, kind="left", reason="Retired."
        )

    third.refresh_from_db()
    second.refresh_from_db()
    assert third.status == ApplicationStatus.APPROVED
    assert second.status == ApplicationStatus.WAITING_LIST
    assert [m.subject for m in mail.outbox] == [
        "You are now a mentor on GP Supporting Mentors Scheme",
        "A short survey as you start on GP Supporting Mentors Scheme",
    ]


def test_the_waiting_list_passes_over_someone_who_no_longer_meets_the_rules(ics, gp):
    gp.mentor_cap = 1
    gp.save()
    holder = apply(gp_mentor(ics["practice"]), gp)
    lapsed_person = gp_mentor(ics["practice"])
    lapsed, next_in_line = apply(lapsed_person, gp), apply(gp_mentor(ics["practice"]), gp)
    enrolment = services.approve_application(application=holder, decided_by=ics["coordinator"])
    services.approve_application(application=lapsed, decided_by=ics["coordinator"])
    services.approve_application(application=next_in_line, decided_by=ics["coordinator"])
    lapsed_person.registrations.update(interim_suspension=True)

    services.leave_scheme(
        enrolment=enrolment, left_on=enrolment.joined_on, kind="left", reason="Moved."
    )

    lapsed.refresh_from_db()
    next_in_line.refresh_from_db()
    assert lapsed.status == ApplicationStatus.WAITING_LIST
    assert next_in_line.status == ApplicationStatus.APPROVED


def test_a_mentee_is_enrolled_in_a_cohort(ics):
    gp = ics["schemes"]["gp-supporting-mentors"]
    fellows = gp.cohorts.get(slug="gp-fellows")
    application = services.submit_application(
        person=gp_fellow(ics["practice"]),
        scheme=gp,
        role="mentee",
        answers={"cohort": fellows, "hopes": "Settle in."},
    )
    enrolment = services.approve_application(application=application, decided_by=ics["coordinator"])
    assert (enrolment.role, enrolment.cohort, enrolment.capacity) == ("mentee", fellows, None)


def test_a_cohort_of_another_scheme_is_refused(ics):
    pa_cohort = ics["schemes"]["pa-preceptorship"].cohorts.first()
    with pytest.raises(SchemeError) as refusal:
        services.submit_application(
            person=gp_fellow(ics["practice"]),
            scheme=ics["schemes"]["gp-supporting-mentors"],
            role="mentee",
            answers={"cohort": pa_cohort},
        )
    assert refusal.value.code == SchemeRefusal.COHORT_OF_ANOTHER_SCHEME


def test_a_decided_application_cannot_be_decided_again(ics, gp):
    application = apply(gp_mentor(ics["practice"]), gp)
    services.approve_application(application=application, decided_by=UserFactory())
    with pytest.raises(SchemeError) as refusal:
        services.approve_application(application=application, decided_by=UserFactory())
    assert refusal.value.code == SchemeRefusal.NOT_SUBMITTED
