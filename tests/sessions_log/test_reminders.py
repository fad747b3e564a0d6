"""The sessions reminders, travelling in time: the line manager's confirmation (seeds/000: "The
Employer should ensure this contact has taken place"), the pre-session agenda, the reflection and
session record after a session, and overdue sessions by the scheme's cadence (seeds/001: "one
hour of mentorship every four weeks"). Each goes at the right moment, to the right people, once.

The clock (time-machine) stands where each step happens, so the rows' own times (a request made,
a session held) are what they would be in production; jobs run at a London moment."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from matching import services as matching
from mentoring.models import Notification
from mentoring.reminders import JOBS
from schemes.models import EnrolmentStatus, ReminderPlan
from sessions_log import services
from sessions_log.models import EmployerConfirmation, FormKind, FormResponse
from tests.factories import PersonFactory, WorkingRelationshipFactory
from tests.reminders import due_at, london, run, sent
from tests.sessions_log.factories import FormTemplateFactory
from tests.sessions_log.sessions_scene import SessionScene

pytestmark = pytest.mark.django_db

COORDINATOR = "coord@example.nhs.uk"


@pytest.fixture
def clock(time_machine):
    """Stand at a London moment: ``clock("2026-11-02T10:00")``."""

    def move(moment: str | datetime.datetime) -> None:
        time_machine.move_to(london(moment) if isinstance(moment, str) else moment, tick=False)

    move("2026-11-02T10:00")
    return move


def run_at(clock, job: str, text: str):
    """Run ``job`` as the beat would at that London moment (the clock stands there too)."""
    clock(text)
    return sent(run(job, text))


def submit(person, kind, session, mentorship):
    """A form the person submitted about the session (the rows only: the forms' own tests cover
    writing them)."""
    return FormResponse.objects.create(
        template=FormTemplateFactory(kind=kind),
        author=person,
        mentorship=mentorship,
        session=session,
        status=FormResponse.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )


def draft(person, kind, session, mentorship):
    return FormResponse.objects.create(
        template=FormTemplateFactory(kind=kind),
        author=person,
        mentorship=mentorship,
        session=session,
    )


def held(scene, mentorship, mentor, clock, start: str, *, mentees=None, attended=None):
    """A session planned to start at ``start`` (London), then logged as held an hour later."""
    session = scene.plan(mentorship, mentor, starts_at=london(start), mentees=mentees)
    clock(london(start) + datetime.timedelta(hours=1))
    return services.log_session(
        session=session, by=mentor.person.user, outcome="held", attended=attended
    )


def emails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


# remind-employer-confirmation -------------------------------------------------------------------
EMPLOYER = "remind-employer-confirmation"


@pytest.fixture
def employer(clock, django_capture_on_commit_callbacks):
    """Asked on Monday 2 November 2026: Lena, Enid's line manager. Nora has no line manager on
    record, so nobody could be asked. The plan's default: 14 days, from 09:00."""
    scene = SessionScene(employer_confirms_contact=True)
    scene.lena = PersonFactory(
        user__email="lena@example.nhs.uk", user__first_name="Lena", user__last_name="Manager"
    )
    scene.mona = scene.mentor("Mona Mentor", capacity=4)
    scene.enid = scene.mentee("Enid Mentee")
    scene.nora = scene.mentee("Nora Nomanager")
    WorkingRelationshipFactory(supervisor=scene.lena, supervisee=scene.enid.person)
    with django_capture_on_commit_callbacks(execute=True):
        scene.enid_pair = scene.pair(scene.mona, scene.enid)
        scene.nora_pair = scene.pair(scene.mona, scene.nora)
    scene.confirmation = EmployerConfirmation.objects.get(mentorship=scene.enid_pair)
    return scene


def test_nobody_is_told_before_the_days_have_passed(employer, clock):
    assert run_at(clock, EMPLOYER, "2026-11-15T09:15") == []
    assert run_at(clock, EMPLOYER, "2026-11-16T08:15") == []


def test_the_line_manager_is_reminded_and_coordinators_told_after_the_days(employer, clock):
    assert run_at(clock, EMPLOYER, "2026-11-16T09:15") == [
        ("employer_confirmation_reminder", "lena@example.nhs.uk"),
        ("employer_not_confirmed", COORDINATOR),
        ("employer_not_confirmed", COORDINATOR),
    ]


def test_the_employer_reminders_go_once(employer, clock):
    run_at(clock, EMPLOYER, "2026-11-16T09:15")

    assert run_at(clock, EMPLOYER, "2026-11-16T10:15") == []
    assert run_at(clock, EMPLOYER, "2026-12-01T09:15") == []


def test_a_confirmation_of_both_is_not_chased(employer, clock):
    services.confirm_employer(
        confirmation=employer.confirmation, by=employer.lena.user, contact=True, protected_time=True
    )

    assert run_at(clock, EMPLOYER, "2026-11-16T09:15") == [("employer_not_confirmed", COORDINATOR)]


def test_a_half_confirmation_is_chased_for_what_is_missing(employer, clock):
    services.confirm_employer(
        confirmation=employer.confirmation,
        by=employer.lena.user,
        contact=True,
        protected_time=False,
    )
    clock("2026-11-16T09:15")

    [reminder] = [
        n for n in run(EMPLOYER, "2026-11-16T09:15") if n.kind == "employer_confirmation_reminder"
    ]

    assert reminder.summary.endswith("please confirm protected time.")


def test_an_ended_mentorship_is_not_chased(employer, clock):
    for pair in (employer.enid_pair, employer.nora_pair):
        matching.end_mentorship(mentorship=pair, reason="coordinator", by=None, offer_next=False)

    assert run_at(clock, EMPLOYER, "2026-11-16T09:15") == []


def test_a_scheme_where_the_employer_does_not_confirm_has_no_such_reminders(employer, clock):
    employer.scheme.employer_confirms_contact = False
    employer.scheme.save()

    assert run_at(clock, EMPLOYER, "2026-11-16T09:15") == []


def test_the_plan_sets_the_days_and_the_hour(employer, clock):
    ReminderPlan.objects.create(
        scheme=employer.scheme, employer_confirmation_days=7, send_from_hour=14
    )

    assert run_at(clock, EMPLOYER, "2026-11-09T13:15") == []
    assert len(run_at(clock, EMPLOYER, "2026-11-09T14:15")) == 3


def test_a_line_manager_added_later_is_left_to_the_next_planned_session(employer, clock):
    WorkingRelationshipFactory(supervisee=employer.nora.person)

    assert run_at(clock, EMPLOYER, "2026-11-16T09:15") == [
        ("employer_confirmation_reminder", "lena@example.nhs.uk"),
        ("employer_not_confirmed", COORDINATOR),
    ]


def test_the_employer_emails_say_what_to_do_and_link_to_it(
    employer, clock, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    clock("2026-11-16T09:15")
    with django_capture_on_commit_callbacks(execute=True):
        run(EMPLOYER, "2026-11-16T09:15")

    [reminder] = emails_to("lena@example.nhs.uk")
    assert reminder.subject == (
        f"Reminder: please confirm Enid Mentee's mentoring on {employer.scheme.name}"
    )
    assert reverse("employer_confirmation", args=[employer.confirmation.pk]) in reminder.body
    assert "first contact and protected time" in reminder.body
    told = {m.subject: m for m in emails_to(COORDINATOR)}
    nora = told[
        f"Not confirmed by the employer: Nora Nomanager's mentoring on {employer.scheme.name}"
    ]
    assert "No line manager is on record for Nora Nomanager" in nora.body
    assert reverse("admin:mentoring_workingrelationship_add") in nora.body
    enid = told[f"Not confirmed by the employer: Enid Mentee's mentoring on {employer.scheme.name}"]
    assert "Lena Manager, Enid Mentee's line manager, has not confirmed" in enid.body
    assert (
        reverse("admin:sessions_log_employerconfirmation_change", args=[employer.confirmation.pk])
        in enid.body
    )


def test_the_employer_finder_makes_a_fixed_number_of_queries(
    employer, clock, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            mentor = employer.mentor(f"Mentor{n} Many", capacity=4)
            mentee = employer.mentee(f"Mentee{n} Many")
            WorkingRelationshipFactory(supervisee=mentee.person)
            employer.pair(mentor, employer.mentee(f"Lonely{n} Many"))
            employer.pair(mentor, mentee)

    with django_assert_max_num_queries(5):
        found = list(JOBS[EMPLOYER].find(london("2026-11-16T09:15"), None))

    assert len(found) == 4 + 8  # the managers asked, the coordinator about each mentorship


# remind-pre-session-agenda ----------------------------------------------------------------------
AGENDA = "remind-pre-session-agenda"


@pytest.fixture
def agenda(clock):
    """Enid's session on Thursday 12 November 2026 at 14:00; the plan's default asks 2 days
    before, from 09:00."""
    scene = SessionScene(uses_pre_session_form=True)
    scene.mona = scene.mentor("Mona Mentor", capacity=4)
    scene.enid = scene.mentee("Enid Mentee")
    scene.enid_pair = scene.pair(scene.mona, scene.enid)
    scene.session = scene.plan(scene.enid_pair, scene.mona, starts_at=london("2026-11-12T14:00"))
    return scene


def test_the_agenda_is_not_asked_for_too_early(agenda, clock):
    assert run_at(clock, AGENDA, "2026-11-09T09:20") == []
    assert run_at(clock, AGENDA, "2026-11-10T08:20") == []


def test_the_mentee_is_asked_for_the_agenda_days_before(agenda, clock):
    assert run_at(clock, AGENDA, "2026-11-10T09:20") == [("agenda_reminder", "enid@example.nhs.uk")]


def test_the_agenda_reminder_goes_once(agenda, clock):
    run_at(clock, AGENDA, "2026-11-10T09:20")

    assert run_at(clock, AGENDA, "2026-11-10T10:20") == []
    assert run_at(clock, AGENDA, "2026-11-12T09:20") == []


def test_a_submitted_agenda_is_not_asked_for(agenda, clock):
    submit(agenda.enid.person, FormKind.PRE_SESSION, agenda.session, agenda.enid_pair)

    assert run_at(clock, AGENDA, "2026-11-10T09:20") == []


def test_a_session_that_has_started_is_past_asking(agenda, clock):
    agenda.session.starts_at = london("2026-11-10T09:00")
    agenda.session.save()

    assert run_at(clock, AGENDA, "2026-11-10T09:20") == []


def test_a_late_tick_on_the_day_still_asks_before_the_start(agenda, clock):
    assert run_at(clock, AGENDA, "2026-11-12T13:20") == [("agenda_reminder", "enid@example.nhs.uk")]


def test_a_cancelled_session_needs_no_agenda(agenda, clock):
    services.log_session(session=agenda.session, by=agenda.mona.person.user, outcome="cancelled")

    assert run_at(clock, AGENDA, "2026-11-10T09:20") == []


def test_a_scheme_without_the_pre_session_form_asks_for_none(agenda, clock):
    agenda.scheme.uses_pre_session_form = False
    agenda.scheme.save()

    assert run_at(clock, AGENDA, "2026-11-10T09:20") == []


def test_only_the_mentees_a_group_session_is_with_are_asked(agenda, clock):
    eve, fay = agenda.mentee("Eve Grouped"), agenda.mentee("Fay Grouped")
    group = agenda.group(agenda.mona, eve, fay)
    member = group.members.get(enrolment=eve)
    agenda.plan(group, agenda.mona, starts_at=london("2026-11-12T16:00"), mentees=[member])

    assert run_at(clock, AGENDA, "2026-11-10T09:20") == [
        ("agenda_reminder", "enid@example.nhs.uk"),
        ("agenda_reminder", "eve@example.nhs.uk"),
    ]


def test_the_agenda_email_links_to_the_form_about_the_session(
    agenda, clock, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    clock("2026-11-10T09:20")
    with django_capture_on_commit_callbacks(execute=True):
        run(AGENDA, "2026-11-10T09:20")

    [email] = emails_to("enid@example.nhs.uk")
    assert email.subject == (
        "Plan your agenda for your mentoring session on Thursday 12 November 2026 at 14:00"
    )
    new = reverse("form_response_new", args=[agenda.enid_pair.pk, FormKind.PRE_SESSION])
    assert f"{new}?session={agenda.session.pk}" in email.body
    assert "Mona Mentor" in email.body


def test_a_started_agenda_is_linked_to_carry_on(agenda, clock):
    started = draft(agenda.enid.person, FormKind.PRE_SESSION, agenda.session, agenda.enid_pair)
    clock("2026-11-10T09:20")

    [reminder] = run(AGENDA, "2026-11-10T09:20")

    assert reminder.link == reverse("form_response_edit", args=[started.pk])


def test_the_agenda_finder_makes_a_fixed_number_of_queries(
    agenda, clock, django_assert_max_num_queries
):
    for n in range(3):
        mentor = agenda.mentor(f"Mentor{n} Many", capacity=4)
        pair = agenda.pair(mentor, agenda.mentee(f"Mentee{n} Many"))
        session = agenda.plan(pair, mentor, starts_at=london("2026-11-11T15:00"))
        if n % 2:
            draft(pair.members.get(role="mentee").enrolment.person, "pre_session", session, pair)

    with django_assert_max_num_queries(5):
        found = list(JOBS[AGENDA].find(london("2026-11-10T09:20"), None))

    assert len(found) == 4


# remind-post-session-forms ----------------------------------------------------------------------
POST = "remind-post-session-forms"


@pytest.fixture
def after(clock):
    """Mona and Enid met on Monday 2 November 2026 at 10:00; the plan's default asks for the
    forms a day after, from 09:00."""
    clock("2026-11-02T08:00")
    scene = SessionScene()
    scene.mona = scene.mentor("Mona Mentor", capacity=4)
    scene.enid = scene.mentee("Enid Mentee")
    scene.enid_pair = scene.pair(scene.mona, scene.enid)
    scene.session = held(scene, scene.enid_pair, scene.mona, clock, "2026-11-02T10:00")
    return scene


BOTH = [
    ("reflection_reminder", "enid@example.nhs.uk"),
    ("session_record_reminder", "mona@example.nhs.uk"),
]


def test_the_forms_are_not_asked_for_too_early(after, clock):
    assert run_at(clock, POST, "2026-11-02T23:25") == []
    assert run_at(clock, POST, "2026-11-03T08:25") == []


def test_the_mentee_and_mentor_are_asked_for_their_forms_the_day_after(after, clock):
    assert run_at(clock, POST, "2026-11-03T09:25") == BOTH


def test_the_post_session_reminders_go_once(after, clock):
    run_at(clock, POST, "2026-11-03T09:25")

    assert run_at(clock, POST, "2026-11-03T10:25") == []
    assert run_at(clock, POST, "2026-11-10T09:25") == []


def test_written_forms_are_not_asked_for(after, clock):
    submit(after.enid.person, FormKind.POST_SESSION, after.session, after.enid_pair)
    services.save_session_record(
        session=after.session,
        by=after.mona.person.user,
        answers={"planned_agenda": "The duty doctor rota"},
        submit=True,
    )

    assert run_at(clock, POST, "2026-11-03T09:25") == []


def test_a_draft_session_record_is_still_asked_for(after, clock):
    services.save_session_record(
        session=after.session, by=after.enid.person.user, answers={"planned_agenda": "Rota"}
    )

    assert ("session_record_reminder", "mona@example.nhs.uk") in run_at(
        clock, POST, "2026-11-03T09:25"
    )


def test_a_locked_session_asks_for_no_record(after, clock):
    services.lock_session(session=after.session, by=after.mona.person.user)

    assert run_at(clock, POST, "2026-11-03T09:25") == [
        ("reflection_reminder", "enid@example.nhs.uk")
    ]


def test_a_mentee_who_did_not_attend_writes_no_reflection(after, clock):
    eve, fay = after.mentee("Eve Grouped"), after.mentee("Fay Grouped")
    group = after.group(after.mona, eve, fay)
    came = group.members.get(enrolment=eve)
    held(after, group, after.mona, clock, "2026-11-02T14:00", attended=[came])

    assert run_at(clock, POST, "2026-11-03T09:25") == [
        ("reflection_reminder", "enid@example.nhs.uk"),
        ("reflection_reminder", "eve@example.nhs.uk"),
        ("session_record_reminder", "mona@example.nhs.uk"),
        ("session_record_reminder", "mona@example.nhs.uk"),
    ]


def test_sessions_over_a_month_old_are_history(after, clock):
    """A deployment's first run does not mail people about sessions long behind them."""
    assert run_at(clock, POST, "2026-12-03T09:25") == []


def test_someone_who_left_the_scheme_is_not_asked(after, clock):
    after.enid.status = EnrolmentStatus.LEFT
    after.enid.left_on = datetime.date(2026, 11, 2)
    after.enid.save()

    assert run_at(clock, POST, "2026-11-03T09:25") == [
        ("session_record_reminder", "mona@example.nhs.uk")
    ]


def test_the_post_session_emails_link_to_the_forms(
    after, clock, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    clock("2026-11-03T09:25")
    with django_capture_on_commit_callbacks(execute=True):
        run(POST, "2026-11-03T09:25")

    [reflection] = emails_to("enid@example.nhs.uk")
    assert reflection.subject == "Reflect on your mentoring session of 2 November 2026"
    new = reverse("form_response_new", args=[after.enid_pair.pk, FormKind.POST_SESSION])
    assert f"{new}?session={after.session.pk}" in reflection.body
    [record] = emails_to("mona@example.nhs.uk")
    assert (
        record.subject
        == "Complete the session record for your mentoring session of 2 November 2026"
    )
    assert reverse("session_record", args=[after.session.pk]) in record.body
    assert "Enid Mentee" in record.body


def test_the_post_session_finder_makes_a_fixed_number_of_queries(
    after, clock, django_assert_max_num_queries
):
    clock("2026-11-02T08:00")
    for n in range(3):
        mentor = after.mentor(f"Mentor{n} Many", capacity=4)
        pair = after.pair(mentor, after.mentee(f"Mentee{n} Many"))
        session = held(after, pair, mentor, clock, f"2026-11-02T{10 + n}:00")
        if n % 2:
            submit(pair.members.get(role="mentee").enrolment.person, "post_session", session, pair)

    with django_assert_max_num_queries(5):
        found = list(JOBS[POST].find(london("2026-11-03T09:25"), None))

    assert len(found) == 3 + 4  # reflections not submitted, records not written


# remind-overdue-sessions ------------------------------------------------------------------------
OVERDUE = "remind-overdue-sessions"


@pytest.fixture
def overdue(clock):
    """Mona and Enid last met on Monday 5 October 2026; every 4 weeks makes the next due by
    2 November. The plan's default tells the coordinators 14 days after that."""
    clock("2026-10-05T08:00")
    scene = SessionScene()
    scene.mona = scene.mentor("Mona Mentor", capacity=4)
    scene.enid = scene.mentee("Enid Mentee")
    scene.enid_pair = scene.pair(scene.mona, scene.enid)
    held(scene, scene.enid_pair, scene.mona, clock, "2026-10-05T10:00")
    return scene


PAIR = [
    ("session_overdue", "enid@example.nhs.uk"),
    ("session_overdue", "mona@example.nhs.uk"),
]


def test_the_pair_is_not_reminded_before_the_session_is_overdue(overdue, clock):
    assert run_at(clock, OVERDUE, "2026-11-02T09:30") == []
    assert run_at(clock, OVERDUE, "2026-11-03T08:30") == []


def test_the_pair_is_reminded_the_day_after_the_session_was_due(overdue, clock):
    assert run_at(clock, OVERDUE, "2026-11-03T09:30") == PAIR


def test_the_coordinators_are_told_once_overdue_by_the_plans_days(overdue, clock):
    run_at(clock, OVERDUE, "2026-11-03T09:30")

    assert run_at(clock, OVERDUE, "2026-11-15T09:30") == []
    assert run_at(clock, OVERDUE, "2026-11-16T09:30") == [("pair_overdue", COORDINATOR)]


def test_the_overdue_reminders_go_once_a_spell(overdue, clock):
    run_at(clock, OVERDUE, "2026-11-16T09:30")

    assert run_at(clock, OVERDUE, "2026-11-16T10:30") == []
    assert run_at(clock, OVERDUE, "2026-11-30T09:30") == []


def test_a_new_overdue_spell_reminds_again(overdue, clock):
    run_at(clock, OVERDUE, "2026-11-16T09:30")
    held(overdue, overdue.enid_pair, overdue.mona, clock, "2026-11-20T10:00")

    assert run_at(clock, OVERDUE, "2026-12-18T09:30") == []
    assert run_at(clock, OVERDUE, "2026-12-19T09:30") == PAIR


def test_a_pair_with_a_session_planned_is_not_chased(overdue, clock):
    clock("2026-11-01T10:00")
    overdue.plan(overdue.enid_pair, overdue.mona, starts_at=london("2026-11-20T10:00"))

    assert run_at(clock, OVERDUE, "2026-11-16T09:30") == []


def test_a_pair_that_never_met_is_left_to_the_new_mentorship_reminders(overdue, clock):
    overdue.pair(overdue.mona, overdue.mentee("Nina Nevermet"))

    assert run_at(clock, OVERDUE, "2026-12-01T09:30") == [("pair_overdue", COORDINATOR), *PAIR]


def test_an_ended_pair_is_not_chased_for_sessions(overdue, clock):
    matching.end_mentorship(
        mentorship=overdue.enid_pair, reason="completed", by=None, offer_next=False
    )

    assert run_at(clock, OVERDUE, "2026-11-16T09:30") == []


def test_the_cohorts_cadence_comes_before_the_schemes(overdue, clock):
    overdue.others.meet_every_weeks = 8
    overdue.others.save()

    assert run_at(clock, OVERDUE, "2026-11-16T09:30") == []
    assert run_at(clock, OVERDUE, "2026-12-01T09:30") == PAIR


def test_the_overdue_emails_link_to_planning_and_to_the_admin(
    overdue, clock, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    clock("2026-11-16T09:30")
    with django_capture_on_commit_callbacks(execute=True):
        run(OVERDUE, "2026-11-16T09:30")

    [mentor] = emails_to("mona@example.nhs.uk")
    assert mentor.subject == f"Your next mentoring session on {overdue.scheme.name} is overdue"
    assert reverse("session_plan", args=[overdue.enid_pair.pk]) in mentor.body
    assert "due by 2 November 2026" in mentor.body and "every 4 weeks" in mentor.body
    [mentee] = emails_to("enid@example.nhs.uk")
    assert reverse("mentorship_sessions", args=[overdue.enid_pair.pk]) in mentee.body
    [coordinator] = emails_to(COORDINATOR)
    assert coordinator.subject == (
        f"Overdue: Mona Mentor and Enid Mentee on {overdue.scheme.name} have not met since "
        "5 October 2026"
    )
    assert "14 days overdue" in coordinator.body
    assert reverse("admin:matching_mentorship_change", args=[overdue.enid_pair.pk]) in (
        coordinator.body
    )


def test_the_dry_run_lists_what_would_go_and_sends_nothing(overdue, clock):
    clock("2026-11-16T09:30")

    assert due_at(OVERDUE, "2026-11-16T09:30") == [("pair_overdue", COORDINATOR), *PAIR]
    assert not Notification.objects.filter(kind__in=["session_overdue", "pair_overdue"]).exists()


def test_the_overdue_finder_makes_a_fixed_number_of_queries(
    overdue, clock, django_assert_max_num_queries
):
    clock("2026-10-05T08:00")
    for n in range(3):
        mentor = overdue.mentor(f"Mentor{n} Many", capacity=4)
        pair = overdue.pair(mentor, overdue.mentee(f"Mentee{n} Many"))
        held(overdue, pair, mentor, clock, f"2026-10-05T{10 + n}:00")
        clock("2026-10-05T08:00")

    with django_assert_max_num_queries(5):
        found = list(JOBS[OVERDUE].find(london("2026-11-16T09:30"), None))

    assert len(found) == 4 * 3  # each pair, and the coordinator about each
