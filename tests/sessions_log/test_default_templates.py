"""The default form templates: the two forms of seeds/000 word for word, the surveys as close to
seeds/003's appendices as a product for every scheme allows, and every default shipped by the
data migration exactly as ``sessions_log.default_templates`` has it."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from sessions_log import default_templates as defaults
from sessions_log import questions as question_format
from sessions_log.form_templates import current_template
from sessions_log.models import FormKind, FormTemplate, Readers

pytestmark = pytest.mark.django_db

SEEDS = Path(os.environ.get("SEEDS_DIR") or Path(settings.BASE_DIR) / "docs" / "sources")
BY_FAMILY = {default["family"]: default for default in defaults.DEFAULTS}


def seed(name: str) -> str:
    path = SEEDS / name
    if not path.exists():
        pytest.fail(
            f"The source document {path} is missing: these tests compare the defaults with it "
            "(set SEEDS_DIR to the folder of the seeds).",
            pytrace=False,
        )
    return path.read_text(encoding="utf-8")


def between(text: str, start: str, end: str | None) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin) if end else len(text)]


def normalised(text: str) -> str:
    """Markup gone, any run of whitespace (the seeds' no-break spaces too) one space, any case."""
    return re.sub(r"\s+", " ", re.sub(r"</?u>", "", text)).strip().casefold()


# seeds/000, word for word ------------------------------------------------------------------------
SESSION_FORM = ("session-record", "Mentoring template document", "Mentee reflection template")
REFLECTION_FORM = ("post-session-reflection", "Mentee reflection template document", None)


@pytest.mark.parametrize("family, start, end", [SESSION_FORM, REFLECTION_FORM])
def test_each_question_and_help_of_the_000_forms_is_the_source_word_for_word(family, start, end):
    form = between(seed(defaults.SEED_000), start, end)
    position = 0
    for question in BY_FAMILY[family]["questions"]:
        for words in filter(None, [question["text"], question.get("help")]):
            found = form.find(words, position)
            assert found >= 0, f"{words!r} is not in the source's form (or not in its order)"
            position = found + len(words)


@pytest.mark.parametrize("family, start, end", [SESSION_FORM, REFLECTION_FORM])
def test_the_000_forms_have_every_question_of_the_source_and_nothing_else(family, start, end):
    form = between(seed(defaults.SEED_000), start, end)
    lines = [line.strip() for line in form.splitlines()[1:] if line.strip()]
    header = {"Date:", "Mentor:", "Location:", "Mentee:"}
    closing = BY_FAMILY[family]["closing_note"]
    ours = [
        words
        for question in BY_FAMILY[family]["questions"]
        for words in filter(None, [question["text"], question.get("help")])
    ]
    assert [line for line in lines if line not in header and line != closing] == ours


def test_the_session_records_header_fields_are_the_sessions_data_not_questions():
    texts = {q["text"].rstrip(":") for q in BY_FAMILY["session-record"]["questions"]}
    assert texts.isdisjoint({"Date", "Mentor", "Location", "Mentee"})


def test_the_000_titles_and_the_reflections_closing_line_are_the_sources():
    source = seed(defaults.SEED_000)
    assert BY_FAMILY["session-record"]["title"] in source
    assert BY_FAMILY["post-session-reflection"]["title"] in source
    closing = BY_FAMILY["post-session-reflection"]["closing_note"]
    assert closing == (
        "Once completed keep this form safe for future reflection, you might like to share this "
        "form with your mentor."
    )
    assert closing in source


def test_the_session_record_is_the_pairs_and_the_reflection_the_mentees_own():
    assert BY_FAMILY["session-record"]["readers"] == Readers.PAIR
    assert BY_FAMILY["post-session-reflection"]["readers"] == Readers.AUTHOR
    assert [q["key"] for q in BY_FAMILY["session-record"]["questions"]] == [
        "planned_agenda",
        "since_last_session",
        "progress_on_last_agenda",
        "issues_for_action",
    ]


# seeds/003's surveys ----------------------------------------------------------------------------
# Where a survey's wording is not the appendix's (compared ignoring case and spacing), the source
# words it comes from: "the pilot" becomes "the programme", typos are mended, and the quoting
# question is this product's (the report promises published work stays anonymous).
EDITED = {
    ("baseline-survey", "scope_of_practice"): "Please indicated your scope of prescribing practice",
    ("baseline-survey", "sectors"): "Please indicate the sector (s) you work in",
    ("baseline-survey", "may_quote"): "published work will remain anonymous",
    ("end-survey", "prescribing_frequency"): "How often do you use your prescribing skills after "
    "completing the mentoring pilot",
    ("end-survey", "prescribing_confidence"): "how confident do you feel in prescribing after "
    "completing the mentoring pilot",
    ("end-survey", "mentoring_confidence"): "how confident do you feel as a mentor after "
    "completing the mentoring pilot",
    ("end-survey", "considered_dpp"): "Have you considered working towards becoming a DPP since "
    "participating in this pilot",
    ("end-survey", "working_towards_dpp"): "currently working towards becoming a DPP",
    ("end-survey", "reasons_for_enrolling"): "Why did you initially enrol into this pilot",
    ("end-survey", "meetings_held"): "How many times did you meet with your mentor/mentee during "
    "the pilot",
    ("end-survey", "improved_understanding"): "I have an improved understanding of the role of a "
    "mentor since participating in the pilot",
    ("end-survey", "organisational_support"): "Did you receive organisational support for your "
    "participation in this pilot",
    ("end-survey", "may_quote"): "published work will remain anonymous",
}
EDITED_CHOICES = {"Protected time": "Protect time"}
SURVEYS = ["baseline-survey", "end-survey"]


@pytest.fixture(scope="module")
def appendices():
    return normalised(between(seed(defaults.SEED_003), "Appendix 1 – Initial background", None))


@pytest.mark.parametrize("family", SURVEYS)
def test_each_survey_question_is_the_appendixs_or_a_listed_edit_of_it(family, appendices):
    for question in BY_FAMILY[family]["questions"]:
        words = EDITED.get((family, question["key"]), question["text"].rstrip("?."))
        assert normalised(words) in appendices, f"{question['key']}: {words!r}"


@pytest.mark.parametrize("family", SURVEYS)
def test_each_survey_answer_and_scale_label_is_the_appendixs(family, appendices):
    for question in BY_FAMILY[family]["questions"]:
        for choice in question.get("choices", []) + list(question.get("labels", {}).values()):
            words = EDITED_CHOICES.get(choice, choice)
            assert normalised(words) in appendices, f"{question['key']}: {choice!r}"


def test_the_confidence_scales_are_1_to_5_with_the_sources_labels():
    for family in SURVEYS:
        for question in BY_FAMILY[family]["questions"]:
            if question["type"] == "scale":
                assert (question["min"], question["max"]) == (1, 5)
                assert question["labels"]["1"] == "Not at all confident"
                assert question["labels"]["5"] == "Confident"


def test_confidence_and_prescribing_keep_one_key_before_and_after():
    """So the evaluation compares the baseline with the end of the programme."""
    baseline = {q["key"] for q in BY_FAMILY["baseline-survey"]["questions"]}
    end = {q["key"] for q in BY_FAMILY["end-survey"]["questions"]}
    for key in ("prescribing_confidence", "mentoring_confidence", "prescribing_frequency"):
        assert key in baseline and key in end


def test_the_end_surveys_mentor_branch_is_the_sources_go_to_question_6():
    questions = {q["key"]: q for q in BY_FAMILY["end-survey"]["questions"]}
    assert questions["registered_ip"]["show_if"] == {"key": "role", "equals": "Mentee"}
    assert questions["mentoring_confidence"]["show_if"] == {"key": "role", "equals": "Mentor"}
    assert questions["considered_dpp"]["show_if"] == {"key": "is_dpp", "equals": "no"}
    assert "show_if" not in questions["reasons_for_enrolling"]


@pytest.mark.parametrize(
    "family", ["baseline-survey", "end-survey", "end-feedback"], ids=lambda family: family
)
def test_forms_read_only_in_aggregate_ask_whether_free_text_may_be_quoted(family):
    assert BY_FAMILY[family]["readers"] == Readers.COORDINATORS_AGGREGATE
    may_quote = next(q for q in BY_FAMILY[family]["questions"] if q["key"] == "may_quote")
    assert may_quote["type"] == "yes_no"
    assert may_quote["required"] is True


def test_the_end_feedback_asks_the_mentee_whether_coordinators_may_read_it():
    questions = {q["key"]: q for q in BY_FAMILY["end-feedback"]["questions"]}
    assert questions["allow_coordinators_to_read"]["type"] == "yes_no"
    assert question_format.answered_by(BY_FAMILY["end-feedback"]["questions"]) == {"mentee"}


@pytest.mark.parametrize(
    "family, roles",
    [
        ("pre-session-agenda", {"mentee"}),
        ("post-session-reflection", {"mentee"}),
        ("mentor-structure", {"mentor"}),
        ("session-record", {"mentor", "mentee"}),
        ("mentoring-agreement", {"mentor", "mentee"}),
        ("development-plan", {"mentor", "mentee"}),
    ],
)
def test_each_form_is_answered_by_the_roles_it_is_for(family, roles):
    assert question_format.answered_by(BY_FAMILY[family]["questions"]) == roles


# every default ----------------------------------------------------------------------------------
def test_there_is_one_default_of_every_kind():
    assert sorted(default["kind"] for default in defaults.DEFAULTS) == sorted(FormKind.values)


@pytest.mark.parametrize("family", sorted(BY_FAMILY))
def test_each_default_is_sound_and_names_its_source_document(family):
    default = BY_FAMILY[family]
    assert question_format.validate(default["questions"]) == []
    assert default["readers"] in Readers.values
    named = [name for name in os.listdir(SEEDS) if name in default["source"]]
    assert named, f"{family}'s source names no seed document"


@pytest.mark.parametrize("family", sorted(BY_FAMILY))
def test_the_migration_shipped_each_default_as_the_code_has_it(family):
    default = BY_FAMILY[family]
    shipped = FormTemplate.objects.get(family=family, scheme=None, is_current=True)
    assert shipped.version == 1
    assert {field: getattr(shipped, field) for field in defaults.FIELDS} == {
        field: default[field] for field in defaults.FIELDS
    }


@pytest.mark.parametrize("kind", FormKind.values)
def test_every_scheme_finds_a_current_template_of_every_kind(kind):
    template = current_template(None, kind)
    assert template is not None and template.scheme_id is None


def test_installing_the_defaults_again_changes_nothing():
    before = FormTemplate.objects.count()
    assert defaults.install_missing(FormTemplate) == 0
    assert FormTemplate.objects.count() == before


def test_a_missing_default_is_put_back_and_the_others_are_left_alone():
    FormTemplate.objects.filter(family="mentor-structure").delete()
    agreement = FormTemplate.objects.get(family="mentoring-agreement")
    assert defaults.install_missing(FormTemplate) == 1
    assert FormTemplate.objects.get(family="mentor-structure", scheme=None).version == 1
    assert FormTemplate.objects.get(family="mentoring-agreement") == agreement


@pytest.mark.django_db(transaction=True)
def test_the_defaults_come_back_after_the_database_is_flushed():
    """As between tests that use transactions (browser journeys): post_migrate puts them back."""
    call_command("flush", interactive=False, verbosity=0)
    assert sorted(
        FormTemplate.objects.filter(scheme=None, is_current=True).values_list("family", flat=True)
    ) == sorted(BY_FAMILY)
