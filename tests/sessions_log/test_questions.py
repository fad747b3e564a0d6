"""The question engine: checking a template's questions, the form a role sees, branches, drafts
and submissions, wrong answers refused by the field, and answers read back in words."""

import copy

import pytest

from sessions_log import default_templates as defaults
from sessions_log.questions import (
    OTHER,
    REQUIRED_MESSAGE,
    ResponseForm,
    answered_by,
    for_role,
    read_back,
    shown,
    validate,
)

BASELINE = defaults.BASELINE_SURVEY["questions"]
END_SURVEY = defaults.END_SURVEY["questions"]
SCALE = {
    "key": "confidence",
    "type": "scale",
    "text": "How confident are you?",
    "min": 0,
    "max": 5,
    "labels": {"0": "Not at all", "5": "Very"},
    "required": True,
}
DATE = {"key": "next_meeting", "type": "date", "text": "When will you meet?"}
SECTORS = {
    "key": "sectors",
    "type": "multiple_choice",
    "text": "Which sectors?",
    "choices": ["Acute", "Community"],
    "other": True,
    "required": True,
}
REGION = {
    "key": "region",
    "type": "single_choice",
    "text": "Which region?",
    "choices": ["London", "Kent"],
    "other": True,
}


def form(data, questions, role="mentee", submitting=True):
    response_form = ResponseForm(data, questions=questions, role=role, submitting=submitting)
    response_form.is_valid()
    return response_form


def codes(response_form, field):
    return [error["code"] for error in response_form.errors.get_json_data().get(field, [])]


# checking questions -----------------------------------------------------------------------------
def question(**settings):
    return {"key": "q", "type": "text", "text": "A question?", **settings}


@pytest.mark.parametrize(
    "questions, problem",
    [
        ([], "at least one question"),
        ([question(), question()], "used twice"),
        ([question(type="essay")], "the type must be one of"),
        ([question(text="  ")], "has no text"),
        ([question(key="two words")], "letters, digits and underscores"),
        ([question(key=["q"])], "letters, digits and underscores"),
        ([question(roles=["coordinator"])], "roles must be"),
        ([question(roles="mentor")], "roles must be"),
        ([question(required="yes")], "true or false"),
        ([question(requried=True)], "“requried” is not a setting"),
        ([{**SCALE, "min": 5, "max": 1}], "whole numbers min < max"),
        ([{**SCALE, "labels": {"9": "Off the scale"}}], "labels must give text"),
        ([question(type="single_choice")], "needs choices"),
        ([{**REGION, "choices": ["London", "London"]}], "listed twice"),
        ([{**REGION, "choices": ["London", OTHER]}], "not as a choice"),
        ([question(other=True)], "only on a choice question"),
        ([question(show_if={"key": "later", "equals": "yes"})], "an earlier question's key"),
        (
            [question(key="a", type="yes_no"), question(show_if={"key": "a", "equals": "maybe"})],
            "answers that “a” can have (yes, no)",
        ),
        (
            [question(key="a", type="yes_no"), question(show_if={"key": "a"})],
            'either "equals"',
        ),
        ([REGION, question(key="region_other")], "taken by an earlier “Other” box"),
    ],
)
def test_unsound_questions_are_refused_in_plain_words(questions, problem):
    problems = validate(questions)
    assert any(problem in p for p in problems), problems


def test_a_question_that_is_not_a_dict_is_refused_without_crashing():
    assert validate(["What?", 3]) == [
        "Question 1 is not a question.",
        "Question 2 is not a question.",
    ]


@pytest.mark.parametrize("default", defaults.DEFAULTS, ids=lambda default: default["family"])
def test_every_default_is_sound(default):
    assert validate(default["questions"]) == []


# roles and branches -----------------------------------------------------------------------------
def test_each_role_sees_only_its_questions():
    mentor = {q["key"] for q in for_role(BASELINE, "mentor")}
    mentee = {q["key"] for q in for_role(BASELINE, "mentee")}
    assert "mentoring_confidence" in mentor and "mentoring_confidence" not in mentee
    assert "prescribing_confidence" in mentee and "prescribing_confidence" not in mentor
    assert {"region", "sectors", "may_quote"} <= mentor & mentee
    assert "prescribing_confidence" not in ResponseForm(questions=BASELINE, role="mentor").fields
    assert answered_by(BASELINE) == {"mentor", "mentee"}


def test_the_mentor_branch_skips_the_mentee_questions():
    keys = [q["key"] for q in shown(END_SURVEY, "mentor", {"role": "Mentor"})]
    assert "mentoring_confidence" in keys and "registered_ip" not in keys
    keys = [q["key"] for q in shown(END_SURVEY, "mentee", {"role": "Mentee"})]
    assert "registered_ip" in keys and "mentoring_confidence" not in keys


def end_survey_answers(**answers):
    """A complete mentor's end-of-programme survey, with ``answers`` changed."""
    base = {
        "role": "Mentor",
        "mentoring_confidence": "4",
        "recommend_being_mentor": "yes",
        "is_dpp": "yes",
        "reasons_for_enrolling": ["Personal interest"],
        "used_contract": "no",
        "meetings_held": "Twice",
        "meeting_mode": "Virtual",
        "improved_understanding": "yes",
        "organisational_support": "no",
        "no_support_reasons": "Did not inform my organisation",
        "plans_to_continue": "Yes",
        "may_quote": "no",
    }
    return {**base, **answers}


def test_a_complete_mentor_survey_is_submitted_without_the_mentee_questions():
    response_form = form(end_survey_answers(), END_SURVEY, role="mentor")
    assert response_form.is_valid(), response_form.errors
    assert "registered_ip" not in response_form.answers
    assert response_form.answers["mentoring_confidence"] == 4


def test_a_question_is_required_only_when_its_branch_is_shown():
    response_form = form(end_survey_answers(role="Mentee"), END_SURVEY)
    assert codes(response_form, "registered_ip") == ["required"]
    assert codes(response_form, "prescribing_confidence") == ["required"]
    assert "mentoring_confidence" not in response_form.errors


def test_branches_follow_branches():
    """Not a DPP → have you considered it → if not, why not (each required once shown)."""
    response_form = form(end_survey_answers(is_dpp="no"), END_SURVEY, role="mentor")
    assert codes(response_form, "considered_dpp") == ["required"]
    assert "dpp_reasons_not" not in response_form.errors
    response_form = form(end_survey_answers(is_dpp="no", considered_dpp="no"), END_SURVEY)
    assert codes(response_form, "dpp_reasons_not") == ["required"]
    response_form = form(end_survey_answers(is_dpp="yes", considered_dpp="no"), END_SURVEY)
    assert response_form.is_valid(), response_form.errors
    assert "considered_dpp" not in response_form.answers


@pytest.mark.parametrize("held, asked", [("Nil", True), ("Once", True), ("Twice", False)])
def test_a_branch_may_follow_any_of_several_answers(held, asked):
    response_form = form(end_survey_answers(meetings_held=held, meeting_mode=""), END_SURVEY)
    assert ("meetings_fewer_why" in response_form.errors) is asked
    assert ("meeting_mode" in response_form.errors) is (held != "Nil")


def test_answers_to_hidden_questions_are_not_kept():
    response_form = form(
        end_survey_answers(registered_ip="yes", is_dpp="yes", considered_dpp="no"),
        END_SURVEY,
        role="mentor",
    )
    assert response_form.is_valid(), response_form.errors
    assert "registered_ip" not in response_form.answers
    assert "considered_dpp" not in response_form.answers


def test_what_was_typed_into_a_hidden_question_is_not_checked():
    response_form = form(end_survey_answers(prescribing_confidence="abc"), END_SURVEY)
    assert response_form.is_valid(), response_form.errors


# drafts and submissions -------------------------------------------------------------------------
def test_a_draft_may_leave_required_questions_unanswered():
    response_form = form({}, END_SURVEY, submitting=False)
    assert response_form.is_valid()
    assert response_form.answers == {}


def test_submitting_needs_every_required_question_shown():
    response_form = form({}, END_SURVEY)
    assert response_form.errors["role"] == [REQUIRED_MESSAGE]
    assert "registered_ip" not in response_form.errors  # hidden until the role is given


def test_other_please_state_needs_its_box_on_submitting():
    response_form = form({"sectors": ["Acute", OTHER]}, [SECTORS])
    assert codes(response_form, "sectors_other") == ["required"]
    response_form = form({"sectors": ["Acute", OTHER], "sectors_other": " Academia "}, [SECTORS])
    assert response_form.is_valid()
    assert response_form.answers == {"sectors": ["Acute", OTHER], "sectors_other": "Academia"}


def test_a_draft_may_choose_other_before_saying_what_it_is():
    assert form({"region": OTHER}, [REGION], submitting=False).is_valid()


def test_the_other_box_is_not_kept_unless_other_is_chosen():
    response_form = form({"region": "Kent", "region_other": "Surrey"}, [REGION])
    assert response_form.answers == {"region": "Kent"}


# wrong answers are refused by the field ---------------------------------------------------------
@pytest.mark.parametrize(
    "q, value, message",
    [
        (SCALE, "abc", "Choose a number from 0 to 5"),
        (SCALE, "6", "Choose a number from 0 to 5"),
        (SCALE, "-1", "Choose a number from 0 to 5"),
        (DATE, "2026-02-30", "Enter a real date"),
        (DATE, "next week", "Enter a real date"),
        ({**DATE, "key": "agreed", "type": "yes_no"}, "maybe", "Choose yes or no"),
        (REGION, "Mars", "Choose one of the answers listed"),
        (SECTORS, ["Acute", "Space"], "Choose from the answers listed"),
    ],
)
def test_an_answer_of_the_wrong_type_is_refused_by_its_field(q, value, message):
    for submitting in (True, False):
        response_form = form({q["key"]: value}, [q], submitting=submitting)
        assert not response_form.is_valid()
        assert [error for error in response_form.errors[q["key"]] if message in error], (
            response_form.errors
        )
        assert len(response_form.errors[q["key"]]) == 1  # not also "Answer this question"


def test_answers_are_stored_as_json():
    response_form = form({"confidence": "0", "next_meeting": "2026-03-27"}, [SCALE, DATE])
    assert response_form.answers == {"confidence": 0, "next_meeting": "2026-03-27"}


# reading answers back ---------------------------------------------------------------------------
def test_answers_read_back_in_words():
    questions = [
        SCALE,
        DATE,
        SECTORS,
        REGION,
        {"key": "agreed", "type": "yes_no", "text": "Agreed?"},
        {"key": "note", "type": "long_text", "text": "Anything else?"},
    ]
    answers = {
        "confidence": 5,
        "next_meeting": "2026-03-27",
        "sectors": ["Acute", OTHER],
        "sectors_other": "Academia",
        "region": "Kent",
        "agreed": "no",
    }
    assert read_back(questions, "mentee", answers) == [
        ("How confident are you?", "5 – Very"),
        ("When will you meet?", "27 March 2026"),
        ("Which sectors?", "Acute, Other: Academia"),
        ("Which region?", "Kent"),
        ("Agreed?", "No"),
        ("Anything else?", "Not answered"),
    ]


def test_a_scale_point_without_a_label_reads_back_with_its_range():
    assert read_back([SCALE], None, {"confidence": 3}) == [
        ("How confident are you?", "3 (of 0 to 5)")
    ]


def test_hidden_questions_are_left_out_of_the_read_back():
    rows = dict(read_back(END_SURVEY, None, {"role": "Mentor", "is_dpp": "yes"}))
    assert "Are you currently a designated prescribing practitioner (DPP)?" in rows
    assert not any("GPhC" in text for text in rows)


def test_reading_back_does_not_change_the_template():
    questions = copy.deepcopy(END_SURVEY)
    read_back(questions, "mentor", {"role": "Mentor"})
    assert questions == END_SURVEY
