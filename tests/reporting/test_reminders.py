"""The scheduled returns (job ``send-scheme-returns``): on each scheme's return day (UK date)
from its send hour, each coordinator of the scheme is told once that last month's monitoring return is
ready, with its headline figures and a link to it; in April and October, where the scheme asks,
also the six-monthly report. Queries grow with schemes, never with people or rows."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import reporting.notification_kinds
import reporting.reminders  # noqa: F401  (registered by the app once wired; idempotent)
from mentoring.models import JobRun, NotificationPreference
from mentoring.notifications import KINDS, optional_kinds
from mentoring.reminders import JOBS, run_job
from reporting import monitoring, periods
from reporting.reminders import (
    HEADLINE,
    MONTHLY,
    SIX_MONTHLY,
    previous_six_months,
    return_path,
)
from schemes.models import Enrolment, EnrolmentStatus, ReminderPlan
from tests.factories import IcbFactory, OrganisationFactory, coordinator_of
from tests.reminders import due_at, london, run, sent
from tests.schemes.factories import (
    MenteeEnrolmentFactory,
    MentorEnrolmentFactory,
    SchemeFactory,
)
from tests.sessions_log.sessions_scene import SessionScene

pytestmark = pytest.mark.django_db

JOB = "send-scheme-returns"
# Friday 5 March 2027: the default return day; February's return goes from 09:00.
DAY = "2027-03-05"


@pytest.fixture(autouse=True)
def frozen():
    """The scene is built early on 5 March 2027, London time; the job runs at the ``at`` given."""
    with time_machine.travel(london(f"{DAY}T07:00"), tick=False):
        yield


@pytest.fixture
def scene():
    scene = SessionScene()  # NHS Match ICB's scheme; coordinator coord@example.nhs.uk of the ICB
    scene.second = coordinator_of(scene.icb, email="second@example.nhs.uk")
    scene.far_icb = IcbFactory(name="NHS Far ICB")
    scene.far_scheme = SchemeFactory(owner=scene.far_icb)
    scene.far_coordinator = coordinator_of(scene.far_icb, email="far@example.nhs.uk")
    return scene


def plan(scheme, **fields):
    ReminderPlan.objects.update_or_create(scheme=scheme, defaults=fields)


def about(scheme):
    return f"schemes.scheme:{scheme.pk}"


def mine(notifications):
    """(kind, e-mail, about, period) of each: who heard about which scheme and period."""
    return sorted((n.kind, n.recipient.email, n.about, n.period) for n in notifications)


# when -------------------------------------------------------------------------------------------
def test_nothing_goes_the_day_before_or_after(scene):
    assert run(JOB, "2027-03-04T12:00") == []
    assert run(JOB, "2027-03-06T12:00") == []


def test_nothing_goes_before_the_schemes_send_hour(scene):
    assert run(JOB, f"{DAY}T08:59") == []
    plan(scene.scheme, send_from_hour=14)

    assert mine(run(JOB, f"{DAY}T13:10")) == [
        (MONTHLY, "far@example.nhs.uk", about(scene.far_scheme), "2027-02")
    ]
    assert len(run(JOB, f"{DAY}T14:10")) == 2


def test_on_the_day_each_coordinator_hears_of_their_own_schemes_return_once(scene):
    got = run(JOB, f"{DAY}T09:10")

    assert mine(got) == [
        (MONTHLY, "coord@example.nhs.uk", about(scene.scheme), "2027-02"),
        (MONTHLY, "far@example.nhs.uk", about(scene.far_scheme), "2027-02"),
        (MONTHLY, "second@example.nhs.uk", about(scene.scheme), "2027-02"),
    ]
    assert {n.scheme for n in got if n.recipient == scene.coordinator} == {scene.scheme.slug}
    assert run(JOB, f"{DAY}T09:10") == []
    assert run(JOB, f"{DAY}T16:10") == []


def test_one_scheme_only_when_asked(scene):
    assert sent(run(JOB, f"{DAY}T09:10", scheme=scene.far_scheme.slug)) == [
        (MONTHLY, "far@example.nhs.uk")
    ]
    assert sent(run(JOB, f"{DAY}T10:10")) == [
        (MONTHLY, "coord@example.nhs.uk"),
        (MONTHLY, "second@example.nhs.uk"),
    ]


def test_the_dry_run_lists_what_would_go_and_sends_nothing(scene):
    assert due_at(JOB, f"{DAY}T09:10", scheme=scene.scheme.slug) == [
        (MONTHLY, "coord@example.nhs.uk"),
        (MONTHLY, "second@example.nhs.uk"),
    ]
    assert len(run(JOB, f"{DAY}T09:10", scheme=scene.scheme.slug)) == 2  # the dry run sent none
    assert due_at(JOB, f"{DAY}T09:10", scheme=scene.scheme.slug) == []


def test_the_day_is_the_uk_date():
    """00:30 on 5 April in London is still 4 April in UTC: the return goes (BST)."""
    scene = SessionScene()
    plan(scene.scheme, send_from_hour=0)
    at = datetime.datetime(2027, 4, 4, 23, 30, tzinfo=datetime.UTC)

    outcome = run_job(JOB, at=at, scheme=scene.scheme.slug)

    assert (outcome.outcome, outcome.sent) == (JobRun.Outcome.SUCCEEDED, 1)
    assert run(JOB, "2027-04-04T23:30", scheme=scene.scheme.slug) == []


def test_a_scheme_that_chose_another_day_hears_on_that_day(scene):
    plan(scene.scheme, monthly_return_day=20)

    assert sent(run(JOB, f"{DAY}T09:10", scheme=scene.scheme.slug)) == []
    assert sent(run(JOB, "2027-03-19T23:10", scheme=scene.scheme.slug)) == []
    got = run(JOB, "2027-03-20T09:10", scheme=scene.scheme.slug)
    assert mine(got) == [
        (MONTHLY, "coord@example.nhs.uk", about(scene.scheme), "2027-02"),
        (MONTHLY, "second@example.nhs.uk", about(scene.scheme), "2027-02"),
    ]

    plan(scene.scheme, monthly_return_day=25)  # moved after it went: still once a month
    assert run(JOB, "2027-03-25T09:10", scheme=scene.scheme.slug) == []
    assert {n.period for n in run(JOB, "2027-04-25T09:10", scheme=scene.scheme.slug)} == {"2027-03"}


def test_no_coordinator_no_message_and_no_figures(scene, django_assert_max_num_queries):
    lonely = SchemeFactory()

    with django_assert_max_num_queries(2):  # the schemes, its coordinators
        found = list(JOBS[JOB].find(london(f"{DAY}T09:10"), lonely.slug))

    assert found == []


def test_a_scheme_that_ended_last_month_gets_its_last_return_and_no_more(scene):
    scene.scheme.ends_on = datetime.date(2027, 2, 10)
    scene.scheme.save()
    scene.far_scheme.starts_on = datetime.date(2027, 3, 1)  # nothing to report for February
    scene.far_scheme.save()

    assert sent(run(JOB, f"{DAY}T09:10")) == [
        (MONTHLY, "coord@example.nhs.uk"),
        (MONTHLY, "second@example.nhs.uk"),
    ]
    assert sent(run(JOB, "2027-04-05T09:10")) == [(MONTHLY, "far@example.nhs.uk")]


# six-monthly ------------------------------------------------------------------------------------
def test_the_six_monthly_report_goes_in_april_and_october_where_the_scheme_asks(scene):
    plan(scene.scheme, six_monthly_reports=True)

    assert {n.kind for n in run(JOB, f"{DAY}T09:10")} == {MONTHLY}  # March: none

    april = run(JOB, "2027-04-05T09:10")
    assert mine(april) == [
        (MONTHLY, "coord@example.nhs.uk", about(scene.scheme), "2027-03"),
        (MONTHLY, "far@example.nhs.uk", about(scene.far_scheme), "2027-03"),
        (MONTHLY, "second@example.nhs.uk", about(scene.scheme), "2027-03"),
        (SIX_MONTHLY, "coord@example.nhs.uk", about(scene.scheme), "2026-10..2027-03"),
        (SIX_MONTHLY, "second@example.nhs.uk", about(scene.scheme), "2026-10..2027-03"),
    ]
    assert run(JOB, "2027-04-05T15:10") == []

    for month in ("05", "06", "07", "08", "09"):
        assert {n.kind for n in run(JOB, f"2027-{month}-05T09:10")} == {MONTHLY}

    october = [n for n in run(JOB, "2027-10-05T09:10") if n.kind == SIX_MONTHLY]
    assert mine(october) == [
        (SIX_MONTHLY, "coord@example.nhs.uk", about(scene.scheme), "2027-04..2027-09"),
        (SIX_MONTHLY, "second@example.nhs.uk", about(scene.scheme), "2027-04..2027-09"),
    ]


def test_the_six_monthly_report_goes_on_the_schemes_own_day(scene):
    plan(scene.scheme, six_monthly_reports=True, monthly_return_day=12)

    assert run(JOB, "2027-04-05T09:10", scheme=scene.scheme.slug) == []
    assert sent(run(JOB, "2027-04-12T09:10", scheme=scene.scheme.slug)) == [
        (MONTHLY, "coord@example.nhs.uk"),
        (MONTHLY, "second@example.nhs.uk"),
        (SIX_MONTHLY, "coord@example.nhs.uk"),
        (SIX_MONTHLY, "second@example.nhs.uk"),
    ]


def test_the_six_months_are_october_to_march_and_april_to_september():
    april = previous_six_months(datetime.date(2027, 4, 5))
    october = previous_six_months(datetime.date(2026, 10, 28))

    assert (april.start, april.end, april.label) == (
        datetime.date(2026, 10, 1),
        datetime.date(2027, 3, 31),
        "October 2026 to March 2027",
    )
    assert (october.start, october.end, october.label) == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 9, 30),
        "April 2026 to September 2026",
    )


# kinds ------------------------------------------------------------------------------------------
def test_coordinators_may_turn_them_off_or_take_them_in_the_digest(scene):
    for code in (MONTHLY, SIX_MONTHLY):
        kind = KINDS[code]
        assert (kind.essential, kind.digestible) == (False, True)
        assert kind in optional_kinds()
    assert KINDS[MONTHLY].label == "The monthly monitoring return of each scheme you coordinate"
    NotificationPreference.objects.create(user=scene.second, muted=[MONTHLY])

    assert due_at(JOB, f"{DAY}T09:10", scheme=scene.scheme.slug) == [
        (MONTHLY, "coord@example.nhs.uk")
    ]
    assert JOBS[JOB].kinds == (MONTHLY, SIX_MONTHLY)


# the e-mails ------------------------------------------------------------------------------------
@pytest.fixture
def history(scene):
    """February 2027 on the scheme: Mona (active) met Nina on the 10th, a session held; Mark was
    paused on the 20th; Wendy and Will wait for a mentor. Mona and Nina met again on 1 March."""
    mona = scene.mentor("Mona Mentor")
    mark = scene.mentor("Mark Mentor")
    Enrolment.objects.filter(pk=mark.pk).update(
        status=EnrolmentStatus.PAUSED, paused_on=datetime.date(2027, 2, 20)
    )
    nina = scene.mentee("Nina Mentee")
    scene.mentee("Wendy Waiting")
    scene.mentee("Will Waiting")
    with time_machine.travel(london("2027-02-01T10:00"), tick=False):
        pair = scene.pair(mona, nina)
    with time_machine.travel(london("2027-02-10T12:00"), tick=False):
        scene.held(pair, mona, starts_at=london("2027-02-10T10:00"))
    scene.held(pair, mona, starts_at=london("2027-03-01T10:00"))
    return scene


def emails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_the_return_lists_its_headline_figures_and_links_to_the_month(
    history, django_capture_on_commit_callbacks
):
    scheme = history.scheme
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        [first, _] = run(JOB, f"{DAY}T09:10", scheme=scheme.slug)

    link = f"/reports/{scheme.slug}/?from=2027-02-01&to=2027-02-28"
    assert first.link == link
    assert (
        first.summary == "Mentors active: 1; Mentees waiting: 2; Matches made: 1; Sessions held: 1"
    )
    [email] = emails_to("coord@example.nhs.uk")
    assert email.subject == f"{scheme.name}: the monitoring return for February 2027 is ready"
    for line in (
        "* Mentors active (on 28 February 2027): 1",
        "* Mentees waiting (on 28 February 2027): 2",
        "* Matches made (in February 2027): 1",
        "* Sessions held (in February 2027): 1",
        f"Open the return: {settings.SITE_URL.rstrip('/')}{link}",
    ):
        assert line in email.body
    html = email.alternatives[0][0]
    assert link.replace("&", "&amp;") in html
    assert "Mentors active" in html and "(on 28 February 2027)" in html
    assert len(emails_to("second@example.nhs.uk")) == 1


def test_the_figures_are_the_returns_own(history):
    """The e-mail says what the return page says: the same figures, worked out the same way."""
    [got, _] = run(JOB, f"{DAY}T09:10", scheme=history.scheme.slug)
    sections = monitoring.monitoring_return(
        history.scheme, periods.month(datetime.date(2027, 2, 1))
    )
    page = {f.code: f for section in sections for f in section.figures}

    assert [(f["label"], f["value"]) for f in got.context["figures"]] == [
        (page[code].label, str(page[code].value)) for code in HEADLINE
    ]


def test_the_six_monthly_report_covers_october_to_march(
    history, django_capture_on_commit_callbacks
):
    scheme = history.scheme
    plan(scheme, six_monthly_reports=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        got = run(JOB, "2027-04-05T09:10", scheme=scheme.slug)

    [six] = [n for n in got if n.kind == SIX_MONTHLY and n.recipient == history.coordinator]
    link = f"/reports/{scheme.slug}/?from=2026-10-01&to=2027-03-31"
    assert six.link == link
    [email] = [m for m in emails_to("coord@example.nhs.uk") if "six-monthly" in m.subject]
    assert email.subject == (
        f"{scheme.name}: the six-monthly report for October 2026 to March 2027 is ready"
    )
    for line in (
        "* Mentors active (on 31 March 2027): 1",
        "* Mentees waiting (on 31 March 2027): 2",
        "* Matches made (in October 2026 to March 2027): 1",
        "* Sessions held (in October 2026 to March 2027): 2",
    ):
        assert line in email.body
    assert f"Open the report: {settings.SITE_URL.rstrip('/')}{link}" in email.body
    monthly = [m for m in emails_to("coord@example.nhs.uk") if m is not email]
    assert [m.subject for m in monthly] == [
        f"{scheme.name}: the monitoring return for March 2027 is ready"
    ]
    assert "* Sessions held (in March 2027): 1" in monthly[0].body


def test_the_link_is_the_return_pages_path():
    """Written out until the report pages are part of the site: it must be their path."""
    period = periods.month(datetime.date(2027, 2, 1))
    page = reverse("scheme_report", urlconf="reporting.urls", args=["gp-mentors"])

    assert return_path("gp-mentors", period) == f"{page}?from=2027-02-01&to=2027-02-28"


# queries ----------------------------------------------------------------------------------------
def _people(scheme, n):
    practice = OrganisationFactory(parent=scheme.owner)
    for _ in range(n):
        MentorEnrolmentFactory(scheme=scheme, person__organisation=practice)
        MenteeEnrolmentFactory(scheme=scheme, person__organisation=practice)


def _queries(at):
    with CaptureQueriesContext(connection) as captured:
        found = list(JOBS[JOB].find(at, None))
    return len(captured), found


def test_the_finder_makes_a_few_queries_a_scheme_however_many_people(
    scene, django_assert_max_num_queries
):
    plan(scene.scheme, six_monthly_reports=True)
    at = london("2027-04-05T09:10")
    _people(scene.scheme, 2)
    few, found = _queries(at)
    assert len(found) == 5

    for _ in range(3):
        icb = IcbFactory()
        scheme = SchemeFactory(owner=icb)
        plan(scheme, six_monthly_reports=True)
        coordinator_of(icb)
        coordinator_of(icb)
        _people(scheme, 5)
    _people(scene.scheme, 5)

    # the schemes; each scheme's coordinators; four for the monthly returns of them all and four
    # for the six-monthly reports.
    with django_assert_max_num_queries(1 + 5 + 4 + 4):
        found = list(JOBS[JOB].find(at, None))
    many, _ = _queries(at)

    assert len(found) == 5 + 3 * 2 * 2
    assert many == few + 3  # one more a scheme: its coordinators
