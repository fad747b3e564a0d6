"""The monitoring return, against a known history: every figure exactly, the period's first and
last days, the financial year's turn (31 March / 1 April), another scheme kept apart, a constant
number of queries, and each figure's link to the records behind it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reporting import periods
from reporting.figures import AT_END, IN_PERIOD
from reporting.monitoring import HEADLINE_CODES, by_month, monitoring_return, monitoring_returns
from sessions_log.models import MentoringSession, SessionStatus
from tests.auth import sign_in
from tests.reporting.history import D, History, at

pytestmark = pytest.mark.django_db

Q4 = periods.quarter(D(2026, 1, 1))  # Q4 2025/26: January to March 2026
Q1 = periods.quarter(D(2026, 4, 1))  # Q1 2026/27: April to June 2026
HELD, CANCELLED, DNA = SessionStatus.HELD, SessionStatus.CANCELLED, SessionStatus.DID_NOT_ATTEND


def gp_history() -> History:
    """The history every test here reads (dates 2025–26; quarters are financial quarters)."""
    h = History()
    mentor, mentee = h.mentor, h.mentee
    ann = mentor("Ann Able", joined_on=D(2025, 4, 1), sessions="4")
    h.training(ann, on=D(2025, 6, 1))  # trained within the scheme, before Q4
    bob = mentor("Bob Best", joined_on=D(2025, 10, 1), sessions="6")
    h.training(bob, on=D(2026, 3, 31))  # trained on Q4's last day
    cat = mentor("Cat Cole", joined_on=D(2025, 10, 1), sessions=None)
    h.training(cat, on=D(2026, 5, 1), planned=True)  # in training
    dan = mentor("Dan Dale", joined_on=D(2025, 4, 1), sessions="3")
    h.training(dan, on=D(2020, 1, 1))  # qualified before joining: not trained by the scheme
    h.pause(dan, on=D(2026, 2, 1))
    eve = mentor("Eve Earl", joined_on=D(2025, 4, 1), sessions="4")
    h.training(eve, on=D(2025, 5, 1), kind="rcp")
    h.leave(eve, on=D(2026, 2, 15), kind="withdrew", reason="No capacity.")
    fay = mentor("Fay Ford", joined_on=D(2025, 4, 1), sessions="3.5")
    h.leave(fay, on=D(2026, 4, 1), kind="left")  # the day after Q4: still there at its end
    gus = mentor("Gus Gray", joined_on=D(2026, 1, 1), sessions="5")
    h.training(gus, on=D(2025, 12, 1), funded=True)  # the scheme paid, before he joined
    hal = mentor("Hal Hart", joined_on=D(2025, 11, 1), sessions="4")
    h.training(hal, on=D(2026, 4, 2))  # completed after Q4: under way at its end
    h.leave(mentor("Ivy Ives", joined_on=D(2025, 4, 1)), on=D(2025, 12, 31))
    h.leave(mentor("Jo Jay", joined_on=D(2025, 4, 1)), on=D(2026, 1, 1), kind="completed")

    kim = mentee("Kim Kay", joined_on=D(2025, 10, 1), cohort=h.fellows)
    lee = mentee("Lee Lane", joined_on=D(2025, 12, 1), cohort=h.fellows)
    max_ = mentee("Max Moss", joined_on=D(2025, 12, 1), cohort=h.mid_career)
    ned = mentee("Ned North", joined_on=D(2025, 11, 1))
    mentee("Ola Orr", joined_on=D(2026, 2, 1), cohort=h.mid_career)
    pat = mentee("Pat Page", joined_on=D(2025, 9, 1), cohort=h.fellows)
    quinn = mentee("Quinn Quay", joined_on=D(2025, 9, 1))
    rae = mentee("Rae Reid", joined_on=D(2026, 3, 1), cohort=h.mid_career)
    mentee("Sam Shaw", joined_on=D(2026, 4, 1), cohort=h.fellows)
    uma = mentee("Uma Urry", joined_on=D(2026, 1, 10))
    vic = mentee("Vic Vale", joined_on=D(2025, 6, 1), cohort=h.mid_career)
    h.leave(quinn, on=D(2026, 3, 15), kind="withdrew", reason="Did not fit my job plan.")
    h.leave(vic, on=D(2026, 3, 31), kind="completed", reason="Finished the year.")

    pair = h.pair
    ann_kim = pair(ann, kim, proposed_at=at(D(2025, 10, 5)), met_on=D(2025, 11, 1))
    bob_lee = pair(bob, lee, proposed_at=at(D(2025, 12, 10)), met_on=D(2026, 3, 31))
    ann_max = pair(ann, max_, proposed_at=at(D(2025, 12, 15)), met_on=D(2026, 1, 1))
    cat_ned = pair(cat, ned, proposed_at=at(D(2026, 3, 31), 23, 30))  # BST: still 31 March
    hal_pat = pair(
        hal, pat, proposed_at=at(D(2025, 9, 10)), met_on=D(2025, 9, 20), ended_on=D(2026, 2, 28)
    )
    pair(
        fay,
        quinn,
        proposed_at=at(D(2025, 9, 5)),
        met_on=D(2025, 10, 1),
        ended_on=D(2026, 3, 15),
        end_reason="mentee_left",
    )
    pair(gus, rae, proposed_at=at(D(2026, 4, 1), 0, 30))  # 1 April UK time (23:30 UTC the 31st)
    bob_uma = pair(bob, uma, proposed_at=at(D(2026, 2, 1)), met_on=D(2026, 4, 1))
    pair(hal, vic, proposed_at=at(D(2025, 6, 10)), met_on=D(2025, 7, 1), ended_on=D(2026, 3, 31))

    h.session(ann_kim, at(D(2025, 12, 31), 23, 30))  # Q3
    h.session(ann_kim, at(D(2026, 1, 1), 0, 30))
    h.session(hal_pat, at(D(2026, 2, 1)))
    h.session(ann_max, at(D(2026, 2, 10)), CANCELLED)
    h.session(ann_kim, at(D(2026, 3, 1)), DNA)
    h.session(cat_ned, at(D(2026, 3, 20)), SessionStatus.PLANNED)
    h.session(bob_lee, at(D(2026, 3, 31), 23, 30))
    h.session(bob_uma, at(D(2026, 4, 1), 0, 30))  # Q1 2026/27
    return h


def other_history() -> History:
    """Another ICB's scheme, busy in the same quarter: none of it may count for the first."""
    h = History()
    zed = h.mentor("Zed Zane", joined_on=D(2025, 4, 1))
    h.training(zed, on=D(2026, 2, 1))
    zoe = h.mentee("Zoe Zell", joined_on=D(2025, 10, 1), cohort=h.fellows)
    pair = h.pair(zed, zoe, proposed_at=at(D(2026, 1, 5)), met_on=D(2026, 1, 20))
    h.session(pair, at(D(2026, 2, 1)))
    h.leave(h.mentee("Zia Zorn", joined_on=D(2025, 10, 1)), on=D(2026, 3, 1), kind="withdrew")
    return h


@pytest.fixture
def history():
    h = gp_history()
    h.other = other_history()
    return h


def values(sections) -> dict:
    return {f.code: f.value for s in sections for f in s.figures}


def figures(sections) -> dict:
    return {f.code: f for s in sections for f in s.figures}


Q4_FIGURES = {
    "mentors_enrolled": 7,  # Ann, Bob, Cat, Dan, Fay, Gus, Hal
    "mentors_active": 6,  # all but Dan
    "mentors_paused": 1,  # Dan
    "mentors_trained_in_period": 1,  # Bob, on 31 March
    "mentors_trained": 4,  # Ann, Bob, Eve (left since), Gus (funded)
    "mentors_in_training": 2,  # Cat (planned), Hal (completed 2 April)
    "mentors_clinical_sessions_mean": Decimal("4.5"),  # (4 + 6 + 3.5 + 5 + 4) / 5
    "mentors_left": 2,
    "mentors_left_withdrew": 1,  # Eve
    "mentors_left_completed": 1,  # Jo, on 1 January
    "mentees_enrolled": 8,  # Kim, Lee, Max, Ned, Ola, Pat, Rae, Uma
    "mentees_supported": 3,  # Kim, Lee (met 31 March), Max (met 1 January)
    "mentees_supported_cohort_gp_fellows": 2,
    "mentees_supported_cohort_mid_career": 1,
    "mentees_supported_no_cohort": 0,
    "mentees_waiting": 3,  # Ola (never matched), Pat (ended), Rae (proposed 1 April)
    "mentees_left": 2,
    "mentees_left_withdrew": 1,  # Quinn
    "mentees_left_completed": 1,  # Vic, on 31 March
    "matches_made": 2,  # Bob–Lee on 31 March, Ann–Max on 1 January
    "proposals_never_met": 2,  # Cat–Ned (31 March 23:30), Bob–Uma (met 1 April)
    "sessions_held": 3,  # 1 January 00:30, 1 February, 31 March 23:30
    "sessions_cancelled": 1,
    "sessions_did_not_attend": 1,
}

Q1_FIGURES = {
    "mentors_enrolled": 6,  # Fay left on 1 April
    "mentors_active": 5,
    "mentors_paused": 1,
    "mentors_trained_in_period": 1,  # Hal, on 2 April
    "mentors_trained": 5,
    "mentors_in_training": 1,  # Cat
    "mentors_clinical_sessions_mean": Decimal("4.8"),  # (4 + 6 + 5 + 4) / 4 = 4.75
    "mentors_left": 1,
    "mentors_left_left": 1,  # Fay
    "mentees_enrolled": 9,  # Sam joined on 1 April
    "mentees_supported": 4,  # Uma met on 1 April
    "mentees_supported_cohort_gp_fellows": 2,
    "mentees_supported_cohort_mid_career": 1,
    "mentees_supported_no_cohort": 1,
    "mentees_waiting": 3,  # Ola, Pat, Sam
    "mentees_left": 0,
    "matches_made": 1,  # Bob–Uma on 1 April
    "proposals_never_met": 2,  # Cat–Ned, Gus–Rae
    "sessions_held": 1,  # 1 April 00:30
    "sessions_cancelled": 0,
    "sessions_did_not_attend": 0,
}


# every figure ---------------------------------------------------------------------------------
def test_every_figure_of_the_quarter_is_exact(history):
    assert values(monitoring_return(history.scheme, Q4)) == Q4_FIGURES


def test_every_figure_of_the_next_quarter_is_exact(history):
    assert values(monitoring_return(history.scheme, Q1)) == Q1_FIGURES


def test_the_sections_come_in_order_with_the_figures_of_each(history):
    sections = monitoring_return(history.scheme, Q4)
    assert [s.title for s in sections] == ["Mentors", "Mentees", "Matches", "Sessions"]
    assert all(f.section == s.title for s in sections for f in s.figures)
    assert [f.code for f in sections[3].figures] == [
        "sessions_held",
        "sessions_cancelled",
        "sessions_did_not_attend",
    ]


def test_each_figure_has_its_kind_and_a_definition_quoting_the_source(history):
    shown = figures(monitoring_return(history.scheme, Q4))
    in_period = {"mentors_trained_in_period", "matches_made", "sessions_held"}
    in_period |= {code for code in shown if "_left" in code or code.startswith("sessions_")}
    assert {c for c, f in shown.items() if f.kind == IN_PERIOD} == in_period
    assert all(f.kind == AT_END for c, f in shown.items() if c not in in_period)
    assert all(f.definition.strip() for f in shown.values())
    assert "formal first introductory meeting has taken place" in shown["matches_made"].definition
    assert "trained as mentors as part of the Supporting Mentors Scheme" in (
        shown["mentors_trained"].definition
    )
    assert "clinical sessions delivered in addition to mentorship session" in (
        shown["mentors_clinical_sessions_mean"].definition
    )
    assert "Supporting Mentors Scheme guidance" in shown["matches_made"].source


def test_each_way_of_leaving_is_a_figure_only_when_someone_left_that_way(history):
    codes = set(figures(monitoring_return(history.scheme, Q4)))
    assert {"mentors_left_withdrew", "mentors_left_completed"} <= codes
    assert "mentors_left_left" not in codes  # Ivy left on 31 December, in Q3
    assert "mentors_left_left" in set(figures(monitoring_return(history.scheme, Q1)))


def test_a_scheme_with_nobody_reports_zeros_the_headline_figures_and_no_mean():
    empty = History()
    shown = values(monitoring_return(empty.scheme, Q4))
    assert set(HEADLINE_CODES) <= set(shown)
    assert shown["mentors_clinical_sessions_mean"] is None
    assert {v for c, v in shown.items() if c != "mentors_clinical_sessions_mean"} == {0}


# the edges of a period -------------------------------------------------------------------------
def test_a_first_meeting_on_the_last_day_of_a_quarter_counts_in_that_quarter_not_the_next(
    history,
):
    march, april = periods.month(D(2026, 3, 1)), periods.month(D(2026, 4, 1))
    assert values(monitoring_return(history.scheme, march))["matches_made"] == 1  # Bob–Lee
    assert values(monitoring_return(history.scheme, april))["matches_made"] == 1  # Bob–Uma only
    assert values(monitoring_return(history.scheme, Q4))["mentees_supported"] == 3


def test_a_first_meeting_on_the_first_day_of_a_quarter_counts_in_it_not_the_one_before(history):
    q3 = periods.quarter(D(2025, 12, 31))
    assert (
        values(monitoring_return(history.scheme, periods.month(D(2026, 1, 1))))["matches_made"] == 1
    )  # Ann–Max on 1 January
    q3_values = values(monitoring_return(history.scheme, q3))
    assert q3_values["matches_made"] == 2  # Ann–Kim in November, Fay–Quinn in October
    assert q3_values["sessions_held"] == 1  # 31 December 23:30, not 1 January 00:30
    assert q3_values["mentors_left"] == 1 and "mentors_left_left" in q3_values  # Ivy


def test_the_financial_year_turns_between_31_march_and_1_april(history):
    year_to_march = values(monitoring_return(history.scheme, periods.financial_year(Q4.end)))
    year_from_april = values(monitoring_return(history.scheme, periods.financial_year(Q1.start)))
    # first meetings: Vic July, Pat September, Quinn October, Kim November, Max 1 January, Lee
    # 31 March — then Uma on 1 April
    assert (year_to_march["matches_made"], year_from_april["matches_made"]) == (6, 1)
    # sessions held: 31 March 23:30 BST in the first year, 1 April 00:30 BST in the second
    assert (year_to_march["sessions_held"], year_from_april["sessions_held"]) == (4, 1)
    # leaving: Vic completed on 31 March, Fay left on 1 April
    assert year_to_march["mentees_left_completed"] == 1
    assert "mentors_left_left" in year_to_march  # Ivy, in December
    assert year_from_april["mentors_left_left"] == 1  # Fay
    # training: Bob on 31 March, Hal on 2 April
    assert year_to_march["mentors_trained_in_period"] == 4  # Ann, Eve, Bob, Gus (funded)
    assert year_from_april["mentors_trained_in_period"] == 1
    # a proposal at 23:30 on 31 March (BST) is open at the year's end; one at 00:30 on 1 April not
    assert year_to_march["proposals_never_met"] == 2  # Cat–Ned, Bob–Uma


def test_at_the_end_figures_are_rebuilt_from_dates_not_from_todays_status(history):
    q4 = values(monitoring_return(history.scheme, Q4))
    # Fay has left since (status "left" today) but was on the register on 31 March
    assert q4["mentors_enrolled"] == 7 and q4["mentors_active"] == 6
    # Bob–Uma is active today, but had not met by 31 March
    assert q4["proposals_never_met"] == 2
    # Pat's mentorship ended in February: waiting at the end, though she was matched in Q4
    assert q4["mentees_waiting"] == 3


def test_another_schemes_records_are_never_counted(history):
    both = monitoring_returns([history.scheme, history.other.scheme], Q4)
    assert values(both[history.scheme.pk]) == Q4_FIGURES
    other = values(both[history.other.scheme.pk])
    assert other["mentors_trained_in_period"] == 1
    assert other["matches_made"] == 1
    assert other["sessions_held"] == 1
    assert other["mentees_left_withdrew"] == 1
    assert other["mentors_enrolled"] == 1 and other["mentees_enrolled"] == 1


# queries ---------------------------------------------------------------------------------------
def test_the_number_of_queries_stays_the_same_as_schemes_and_people_grow(
    history, django_assert_num_queries
):
    with django_assert_num_queries(4):
        monitoring_returns([history.scheme], Q4)
    more = [History(), History(), History(owner=history.icb)]
    for h in more:
        h.busy(pairs=4, on=D(2026, 2, 2))
    history.busy(pairs=6, on=D(2026, 3, 3))
    schemes = [history.scheme, history.other.scheme, *(h.scheme for h in more)]
    with django_assert_num_queries(4):
        returns = monitoring_returns(schemes, Q4)
    assert values(returns[more[0].scheme.pk])["sessions_held"] == 4
    assert values(returns[history.scheme.pk])["matches_made"] == 2 + 6


def test_by_month_takes_two_queries_whatever_the_period(history, django_assert_num_queries):
    with django_assert_num_queries(2):
        by_month(history.scheme, periods.financial_year(Q4.end))


# the chart ---------------------------------------------------------------------------------------
def test_by_month_gives_each_month_its_matches_and_sessions_held(history):
    assert by_month(history.scheme, Q4) == [
        (D(2026, 1, 1), 1, 1),  # Ann–Max; the session at 00:30 on 1 January
        (D(2026, 2, 1), 0, 1),
        (D(2026, 3, 1), 1, 1),  # Bob–Lee; the session at 23:30 on 31 March
    ]


def test_by_month_counts_only_the_periods_days_of_a_month_it_starts_or_ends_in(history):
    period = periods.between(D(2026, 3, 31), D(2026, 4, 1))
    assert by_month(history.scheme, period) == [(D(2026, 3, 1), 1, 1), (D(2026, 4, 1), 1, 1)]
    assert by_month(history.scheme, periods.between(D(2026, 2, 2), D(2026, 2, 28))) == [
        (D(2026, 2, 1), 0, 0)
    ]


# the records behind each figure -------------------------------------------------------------------
def listed(client, path) -> list[int]:
    response = client.get(path)
    assert response.status_code == 200, path
    if path.startswith("/reports/"):  # the report's own list of what it counted
        return sorted(record.pk for record in response.context["page"].paginator.object_list)
    return sorted(response.context["cl"].queryset.values_list("pk", flat=True))


NO_ADMIN_LIST = {
    "mentors_trained_in_period",
    "mentors_trained",
    "mentors_in_training",
    "mentees_supported",
    "mentees_supported_cohort_gp_fellows",
    "mentees_supported_cohort_mid_career",
    "mentees_supported_no_cohort",
    "mentees_waiting",
}
# At the end of Q4, Fay (left on 1 April) and Bob–Uma (met on 1 April) count, but the admin can
# only list "not left" and "not met": those link to the report's own list rather than a wrong one.
CHANGED_SINCE_Q4 = {
    "mentors_enrolled",
    "mentors_active",
    "mentors_clinical_sessions_mean",
    "proposals_never_met",
}


@pytest.mark.parametrize(
    ("period", "without_link"), [(Q4, NO_ADMIN_LIST | CHANGED_SINCE_Q4), (Q1, NO_ADMIN_LIST)]
)
def test_each_records_link_opens_for_a_coordinator_and_lists_exactly_what_was_counted(
    history, client, period, without_link
):
    History(owner=history.icb).busy(pairs=2, on=D(2026, 2, 2))  # the coordinator sees two
    shown = figures(monitoring_return(history.scheme, period))
    assert {c for c, f in shown.items() if f.records.startswith("/reports/")} == without_link
    assert all(f.records for f in shown.values()), "every figure links to its records"
    sign_in(client, history.coordinator)
    for code, figure in shown.items():
        pks = listed(client, figure.records)
        if code == "mentors_clinical_sessions_mean":
            # The active mentors with sessions recorded: Ann, Bob, Gus, Hal, and at the end of Q4
            # Fay too (she left on 1 April).
            assert len(pks) == (5 if period == Q4 else 4), code
        else:
            assert len(pks) == figure.value, code


def test_the_links_list_the_very_records_at_the_edges_of_the_period(history, client):
    History(owner=history.icb).busy(pairs=2, on=D(2026, 3, 31))
    shown = figures(monitoring_return(history.scheme, Q4))
    sign_in(client, history.coordinator)
    people = history.people
    matches = listed(client, shown["matches_made"].records)
    assert matches == sorted(
        m.mentorship_id
        for m in people["Lee Lane"].memberships.all() | people["Max Moss"].memberships.all()
    )
    held = listed(client, shown["sessions_held"].records)
    times = sorted(MentoringSession.objects.filter(pk__in=held).values_list("starts_at", flat=True))
    assert times == [at(D(2026, 1, 1), 0, 30), at(D(2026, 2, 1)), at(D(2026, 3, 31), 23, 30)]
    paused = listed(client, shown["mentors_paused"].records)
    assert paused == [people["Dan Dale"].pk]
    left = listed(client, shown["mentees_left_completed"].records)
    assert left == [people["Vic Vale"].pk]


def test_a_link_lists_nothing_for_a_coordinator_of_another_ics(history, client):
    shown = figures(monitoring_return(history.scheme, Q4))
    sign_in(client, history.other.coordinator)
    assert listed(client, shown["sessions_held"].records) == []
    assert listed(client, shown["mentees_enrolled"].records) == []
    assert listed(client, shown["matches_made"].records) == []


def test_the_links_are_admin_lists_filtered_to_the_scheme(history):
    shown = figures(monitoring_return(history.scheme, Q4))
    scheme = history.scheme.pk
    assert shown["mentors_paused"].records.startswith(
        f"{reverse('admin:schemes_enrolment_changelist')}?scheme={scheme}&role__exact=mentor"
    )
    assert shown["sessions_held"].records.startswith(
        f"{reverse('admin:sessions_log_mentoringsession_changelist')}"
        f"?mentorship__scheme={scheme}&status__exact=held"
    )
    assert shown["matches_made"].records == (
        f"{reverse('admin:matching_mentorship_changelist')}?scheme={scheme}"
        "&started_on__gte=2026-01-01&started_on__lte=2026-03-31"
    )
