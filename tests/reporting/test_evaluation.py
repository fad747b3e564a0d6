"""The evaluation from the baseline and end-of-programme surveys: exact figures from a known set of
answers, small numbers suppressed (the 4 / 5 boundary, small answers, and the answer that
subtraction would give away), the paired change over people who answered both, free text only
where the respondent allowed quoting, and nothing from drafts, other schemes or other periods."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from reporting import periods
from reporting.evaluation import (
    ConfidenceBar,
    confidence_chart_data,
    evaluation,
    evaluations,
    free_text,
)
from reporting.figures import IN_PERIOD, SUPPRESSED
from sessions_log.models import FormKind, FormResponse, FormTemplate
from sessions_log.responses import checked_answers
from tests.schemes.factories import (
    MenteeEnrolmentFactory,
    MentorEnrolmentFactory,
    SchemeFactory,
)

pytestmark = pytest.mark.django_db

QUARTER = periods.quarter(datetime.date(2026, 4, 1))  # April to June 2026
IN_QUARTER = datetime.date(2026, 5, 12)
BEFORE = datetime.date(2026, 1, 20)

BASELINE_ANSWERS = {
    "region": "London",
    "scope_of_practice": "Hypertension",
    "sectors": ["Primary Care Teams and GP practices"],
    "prescribing_frequency": "Weekly",
    "ip_qualification_year": "2024",
    "been_mentor": "no",
    "currently_mentee": "no",
    "may_quote": "no",
}
END_ANSWERS = {
    "reasons_for_enrolling": ["Increase prescribing confidence"],
    "used_contract": "no",
    "meetings_held": "Twice",
    "meeting_mode": "Virtual",
    "improved_understanding": "yes",
    "organisational_support": "yes",
    "support_received": ["Protected time"],
    "plans_to_continue": "Yes",
    "may_quote": "no",
}
MENTEE_END = {
    "role": "Mentee",
    "registered_ip": "yes",
    "prescribing_frequency": "Weekly",
    "recommend_having_mentor": "yes",
}
MENTOR_END = {"role": "Mentor", "recommend_being_mentor": "yes", "is_dpp": "yes"}


def survey(kind: str) -> FormTemplate:
    return FormTemplate.objects.get(kind=kind, scheme=None, is_current=True)


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def answer(enrolment, kind, answers, *, on=IN_QUARTER, submitted_at=None, draft=False):
    """A response stored exactly as the survey page stores it (the same form cleans it)."""
    template = survey(kind)
    cleaned = checked_answers(template, enrolment.role, answers, submit=not draft)
    return FormResponse.objects.create(
        template=template,
        author=enrolment.person,
        enrolment=enrolment,
        answers=cleaned,
        status=FormResponse.Status.DRAFT if draft else FormResponse.Status.SUBMITTED,
        submitted_at=None if draft else (submitted_at or at(on)),
    )


def baseline(enrolment, confidence, *, on=BEFORE, **answers):
    key = "prescribing_confidence" if enrolment.role == "mentee" else "mentoring_confidence"
    return answer(
        enrolment,
        FormKind.BASELINE_SURVEY,
        {**BASELINE_ANSWERS, key: confidence, **answers},
        on=on,
    )


def end(enrolment, confidence, *, on=IN_QUARTER, submitted_at=None, draft=False, **answers):
    if enrolment.role == "mentee":
        own = {**MENTEE_END, "prescribing_confidence": confidence}
    else:
        own = {**MENTOR_END, "mentoring_confidence": confidence}
    return answer(
        enrolment,
        FormKind.END_SURVEY,
        {**END_ANSWERS, **own, **answers},
        on=on,
        submitted_at=submitted_at,
        draft=draft,
    )


def figures(sections) -> dict:
    return {figure.code: figure.value for section in sections for figure in section.figures}


def mentees(scheme, count):
    return [MenteeEnrolmentFactory(scheme=scheme) for _ in range(count)]


@pytest.fixture
def scheme():
    return SchemeFactory(name="Pharmacist IP mentoring")


@pytest.fixture
def known(scheme):
    """Ten mentees answer the baseline in the period (five 2s, five 3s); seven of them and three
    newcomers answer the end survey; one mentor answers both."""
    group = mentees(scheme, 10)
    for enrolment, score in zip(group, [2] * 5 + [3] * 5, strict=True):
        baseline(enrolment, score, on=IN_QUARTER)
    newcomers = mentees(scheme, 3)
    for enrolment in group[:5]:  # from 2 to 4
        end(enrolment, 4, plans_to_continue="Yes")
    for enrolment in group[5:7]:  # 3 and still 3
        end(enrolment, 3, plans_to_continue="Uncertain", recommend_having_mentor="no")
    for enrolment in newcomers:  # no baseline: 5
        end(
            enrolment,
            5,
            plans_to_continue="Uncertain",
            recommend_having_mentor="no",
            support_received=["Funding for training"],
        )
    mentor = MentorEnrolmentFactory(scheme=scheme)
    baseline(mentor, 4, on=IN_QUARTER)
    end(mentor, 5, plans_to_continue="Uncertain")
    return group


def test_the_figures_of_a_known_set_of_answers_are_exact(scheme, known):
    got = figures(evaluation(scheme, QUARTER))

    assert got["baseline_responses"] == 11
    assert got["end_responses"] == 11
    # Prescribing confidence at baseline: five 2s and five 3s.
    assert got["baseline_prescribing_confidence_answered"] == 10
    assert got["baseline_prescribing_confidence_mean"] == Decimal("2.5")
    assert [got[f"baseline_prescribing_confidence_score_{n}"] for n in range(1, 6)] == [
        0,
        5,
        5,
        0,
        0,
    ]
    # At the end: five 4s, two 3s, three 5s — the 2 and the 3 hidden, being 1 to 4 people.
    assert got["end_prescribing_confidence_answered"] == 10
    assert got["end_prescribing_confidence_mean"] == Decimal("4.1")
    assert [got[f"end_prescribing_confidence_score_{n}"] for n in range(1, 6)] == [
        0,
        0,
        SUPPRESSED,
        5,
        SUPPRESSED,
    ]
    # Paired: five went from 2 to 4, two stayed at 3: 10 / 7.
    assert got["paired_prescribing_confidence_answered"] == 7
    assert got["paired_prescribing_confidence_mean_change"] == Decimal("1.4")
    # Plans to continue: 5 yes, 0 no, 6 uncertain (with the mentor).
    assert got["plans_to_continue_answered"] == 11
    assert got["plans_to_continue_yes"] == 5
    assert got["plans_to_continue_yes_percent"] == Decimal("45.5")
    assert got["plans_to_continue_no"] == 0
    assert got["plans_to_continue_no_percent"] == Decimal("0.0")
    assert got["plans_to_continue_uncertain"] == 6
    assert got["plans_to_continue_uncertain_percent"] == Decimal("54.5")
    # Organisational support: everyone; protected time: all but the three newcomers.
    assert got["organisational_support_answered"] == 11
    assert got["organisational_support_yes"] == 11
    assert got["organisational_support_yes_percent"] == Decimal("100.0")
    assert got["organisational_support_no"] == 0
    # 8 of 11 had protected time: the 3 without are hidden, and so the 8 (11 − 8 = 3).
    assert got["protected_time_answered"] == 11
    assert got["protected_time_yes"] == SUPPRESSED
    assert got["protected_time_yes_percent"] == SUPPRESSED
    assert got["protected_time_no"] == SUPPRESSED
    assert got["protected_time_no_percent"] == SUPPRESSED


def test_every_evaluation_figure_is_of_the_period_with_a_definition_and_source(scheme, known):
    sections = evaluation(scheme, QUARTER)

    assert [s.title for s in sections] == [
        "Survey responses",
        "Prescribing confidence (mentees)",
        "Confidence as a mentor (mentors)",
        "Would recommend",
        "Plans to continue",
        "Organisational support",
        "Protected time",
    ]
    for section in sections:
        for figure in section.figures:
            assert figure.kind == IN_PERIOD
            assert figure.section == section.title
            assert figure.definition and figure.source.startswith("seeds/003")


def test_a_question_answered_by_one_person_shows_fewer_than_5_for_every_figure(scheme, known):
    got = figures(evaluation(scheme, QUARTER))

    mentor = [code for code in got if "mentoring_confidence" in code]
    assert len(mentor) == 2 * 7 + 2
    assert all(got[code] == SUPPRESSED for code in mentor)  # the zeros too: they would tell
    assert got["recommend_being_mentor_answered"] == SUPPRESSED
    assert got["recommend_being_mentor_yes_percent"] == SUPPRESSED


@pytest.mark.parametrize("people, shown", [(4, False), (5, True)])
def test_an_aggregate_from_fewer_than_5_people_is_suppressed_and_from_5_is_shown(
    scheme, people, shown
):
    for enrolment in mentees(scheme, people):
        baseline(enrolment, 3)
        end(enrolment, 4)

    got = figures(evaluation(scheme, periods.between(BEFORE, QUARTER.end)))

    expected = {
        "baseline_prescribing_confidence_answered": people,
        "baseline_prescribing_confidence_mean": Decimal("3.0"),
        "baseline_prescribing_confidence_score_3": people,
        "baseline_prescribing_confidence_score_1": 0,
        "end_prescribing_confidence_mean": Decimal("4.0"),
        "paired_prescribing_confidence_answered": people,
        "paired_prescribing_confidence_mean_change": Decimal("1.0"),
        "recommend_having_mentor_yes": people,
        "recommend_having_mentor_yes_percent": Decimal("100.0"),
        "recommend_having_mentor_no": 0,
        "baseline_responses": people,
    }
    assert {code: got[code] for code in expected} == (
        expected if shown else dict.fromkeys(expected, SUPPRESSED)
    )


def test_a_small_answer_is_hidden_and_so_is_the_one_that_would_give_it_away(scheme):
    group = mentees(scheme, 9)
    for enrolment in group[:6]:
        end(enrolment, 4)
    for enrolment in group[6:]:
        end(enrolment, 4, recommend_having_mentor="no")

    got = figures(evaluation(scheme, QUARTER))

    # 9 answered, 3 said no: 9 − 6 would tell the 3, so the 6 is hidden as well.
    assert got["recommend_having_mentor_answered"] == 9
    assert got["recommend_having_mentor_no"] == SUPPRESSED
    assert got["recommend_having_mentor_yes"] == SUPPRESSED
    assert got["recommend_having_mentor_yes_percent"] == SUPPRESSED
    # Everyone answered 4: a bucket of 9 and zeros, nothing to hide.
    assert got["end_prescribing_confidence_score_4"] == 9
    assert got["end_prescribing_confidence_score_5"] == 0


def test_of_three_answers_only_the_smallest_other_is_hidden_with_a_small_one(scheme):
    group = mentees(scheme, 16)
    plans = ["Yes"] * 2 + ["No"] * 5 + ["Uncertain"] * 9
    for enrolment, plan in zip(group, plans, strict=True):
        end(enrolment, 4, plans_to_continue=plan)

    got = figures(evaluation(scheme, QUARTER))

    assert got["plans_to_continue_yes"] == SUPPRESSED
    assert got["plans_to_continue_no"] == SUPPRESSED
    assert got["plans_to_continue_uncertain"] == 9
    assert got["plans_to_continue_uncertain_percent"] == Decimal("56.3")


def test_the_paired_change_is_only_over_people_who_answered_both_surveys(scheme):
    paired = mentees(scheme, 5)
    for enrolment in paired:
        baseline(enrolment, 2)
        end(enrolment, 3)
    for enrolment in mentees(scheme, 5):  # no baseline: would pull a naive change up
        end(enrolment, 5)
    for enrolment in mentees(scheme, 5):  # no end survey: would pull it down the other way
        baseline(enrolment, 5)
    earlier = MenteeEnrolmentFactory(scheme=scheme, person=paired[0].person, left=True)
    baseline(earlier, 1)  # the same person's baseline for an earlier enrolment: not theirs

    got = figures(evaluation(scheme, periods.between(BEFORE, QUARTER.end)))

    assert got["baseline_prescribing_confidence_mean"] == Decimal("3.3")  # (10 + 25 + 1) / 11
    assert got["end_prescribing_confidence_mean"] == Decimal("4.0")
    assert got["paired_prescribing_confidence_answered"] == 5
    assert got["paired_prescribing_confidence_mean_change"] == Decimal("1.0")


def test_a_baseline_answered_after_the_end_survey_is_not_paired(scheme):
    for enrolment in mentees(scheme, 5):
        end(enrolment, 3, on=datetime.date(2026, 5, 1))
        baseline(enrolment, 1, on=datetime.date(2026, 5, 2))

    got = figures(evaluation(scheme, QUARTER))

    assert got["paired_prescribing_confidence_answered"] == 0
    assert got["paired_prescribing_confidence_mean_change"] is None


def test_the_paired_change_counts_a_baseline_from_an_earlier_period(scheme):
    for enrolment in mentees(scheme, 5):
        baseline(enrolment, 4, on=BEFORE)
        end(enrolment, 3)

    got = figures(evaluation(scheme, QUARTER))

    assert got["baseline_prescribing_confidence_answered"] == 0
    assert got["baseline_prescribing_confidence_mean"] is None
    assert got["paired_prescribing_confidence_answered"] == 5
    assert got["paired_prescribing_confidence_mean_change"] == Decimal("-1.0")


def test_drafts_are_never_counted(scheme):
    group = mentees(scheme, 6)
    for enrolment in group[:5]:
        end(enrolment, 4)
    end(group[5], 1, draft=True, recommend_having_mentor="no")
    baseline_draft = answer(
        group[0], FormKind.BASELINE_SURVEY, {"prescribing_confidence": 1}, draft=True
    )
    assert baseline_draft.status == FormResponse.Status.DRAFT

    got = figures(evaluation(scheme, QUARTER))

    assert got["end_responses"] == 5
    assert got["end_prescribing_confidence_score_1"] == 0
    assert got["recommend_having_mentor_no"] == 0
    assert got["baseline_responses"] == 0
    assert got["paired_prescribing_confidence_answered"] == 0


def test_another_schemes_responses_are_never_counted(scheme):
    for enrolment in mentees(scheme, 5):
        end(enrolment, 4)
    other = SchemeFactory()
    for enrolment in mentees(other, 7):
        baseline(enrolment, 1, on=IN_QUARTER)
        end(enrolment, 1, recommend_having_mentor="no")

    got = figures(evaluation(scheme, QUARTER))
    theirs = figures(evaluation(other, QUARTER))

    assert got["end_responses"] == 5
    assert got["baseline_responses"] == 0
    assert got["end_prescribing_confidence_mean"] == Decimal("4.0")
    assert got["recommend_having_mentor_no"] == 0
    assert theirs["end_prescribing_confidence_score_1"] == 7
    assert theirs["recommend_having_mentor_yes"] == 0


def test_a_response_counts_in_the_period_of_the_london_day_it_was_submitted(scheme):
    group = mentees(scheme, 10)
    last_day, next_day = QUARTER.end, QUARTER.end + datetime.timedelta(days=1)
    for enrolment in group[:5]:  # 23:30 BST on 30 June is 22:30 UTC: in the quarter
        end(enrolment, 2, submitted_at=at(last_day, 23, 30))
    for enrolment in group[5:]:  # 00:10 BST on 1 July is still 30 June in UTC: not in it
        end(enrolment, 5, submitted_at=at(next_day, 0, 10))

    got = figures(evaluation(scheme, QUARTER))
    july = figures(evaluation(scheme, periods.month(next_day)))

    assert got["end_responses"] == 5
    assert got["end_prescribing_confidence_mean"] == Decimal("2.0")
    assert july["end_responses"] == 5
    assert july["end_prescribing_confidence_mean"] == Decimal("5.0")


def test_no_answers_give_zero_counts_and_no_means(scheme):
    got = figures(evaluation(scheme, QUARTER))

    assert got["end_responses"] == 0
    assert got["end_prescribing_confidence_mean"] is None
    assert got["paired_prescribing_confidence_mean_change"] is None
    assert got["plans_to_continue_yes"] == 0
    assert got["plans_to_continue_yes_percent"] is None


def test_the_confidence_chart_has_each_questions_means_before_and_after(scheme, known):
    assert confidence_chart_data(scheme, QUARTER) == [
        ConfidenceBar("Prescribing confidence (mentees)", Decimal("2.5"), Decimal("4.1")),
        ConfidenceBar("Confidence as a mentor (mentors)", SUPPRESSED, SUPPRESSED),
    ]


WHY_YES = "My mentor helped me think through complex prescribing decisions."
WHY_NO = "We could not find time to meet."


def test_free_text_is_listed_only_where_the_respondent_allowed_quoting(scheme):
    group = mentees(scheme, 6)
    end(group[0], 4, may_quote="yes", recommend_having_mentor_why=WHY_YES)
    end(group[1], 4, may_quote="no", recommend_having_mentor_why="Please do not quote me.")
    end(
        group[2],
        4,
        may_quote="yes",
        used_contract="yes",
        contract_beneficial="no",
        contract_beneficial_why=WHY_NO,
        scope_of_practice="ignored",
    )
    baseline(group[3], 2, on=IN_QUARTER, may_quote="yes", introduction_wishes="Case studies.")
    baseline(group[4], 2, on=IN_QUARTER, introduction_wishes="Not this one.")
    end(group[5], 4, draft=True, may_quote="yes", recommend_having_mentor_why="A draft.")

    assert free_text(scheme, QUARTER) == [
        (
            "What would you find most beneficial to be included in the introduction to "
            "mentoring session?",
            "Case studies.",
        ),
        (
            "Would you recommend having an experienced independent prescribing mentor to "
            "colleagues? Why?",
            WHY_YES,
        ),
        ("Did you find this beneficial? Why?", WHY_NO),
    ]


def test_free_text_is_not_listed_while_fewer_than_5_people_answered(scheme):
    group = mentees(scheme, 5)
    for enrolment in group[:4]:
        end(enrolment, 4, may_quote="yes", recommend_having_mentor_why=WHY_YES)

    assert free_text(scheme, QUARTER) == []

    end(group[4], 4)
    assert (
        free_text(scheme, QUARTER)
        == [
            (
                "Would you recommend having an experienced independent prescribing mentor to "
                "colleagues? Why?",
                WHY_YES,
            )
        ]
        * 4
    )


def test_free_text_of_another_scheme_or_period_is_not_listed(scheme):
    for enrolment in mentees(scheme, 5):
        end(enrolment, 4)
    for enrolment in mentees(SchemeFactory(), 5):
        end(enrolment, 4, may_quote="yes", recommend_having_mentor_why="Elsewhere.")
    for enrolment in mentees(scheme, 5):
        end(enrolment, 4, on=BEFORE, may_quote="yes", recommend_having_mentor_why="Earlier.")

    assert free_text(scheme, QUARTER) == []


def test_the_evaluation_of_several_schemes_runs_a_constant_number_of_queries(
    django_assert_max_num_queries,
):
    schemes = [SchemeFactory() for _ in range(4)]
    for number, each in enumerate(schemes):
        for enrolment in mentees(each, 5 + number):
            baseline(enrolment, 2, on=IN_QUARTER)
            end(enrolment, 3 + number % 3)
        mentor = MentorEnrolmentFactory(scheme=each)
        baseline(mentor, 4, on=IN_QUARTER)
        end(mentor, 5)

    with django_assert_max_num_queries(2):
        result = evaluations(schemes, QUARTER)

    assert set(result) == {each.pk for each in schemes}
    for number, each in enumerate(schemes):
        got = figures(result[each.pk])
        assert got["end_prescribing_confidence_answered"] == 5 + number
        assert got["paired_prescribing_confidence_mean_change"] == Decimal(1 + number % 3)
        assert result[each.pk] == evaluation(each, QUARTER)
