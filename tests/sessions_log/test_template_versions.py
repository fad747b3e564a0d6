"""Template versions: an edit of a template nobody has answered changes it in place; an edit of
one in use makes the next version, and the old answers keep reading back against theirs;
unsound questions change nothing; a scheme customises a default into its own version 1."""

import copy

import pytest

from sessions_log import form_templates
from sessions_log.errors_templates import TemplateError, TemplateRefusal
from sessions_log.form_templates import current_template, customise_for_scheme, new_version
from sessions_log.models import FormKind, FormResponse, FormTemplate, Readers
from sessions_log.questions import read_back
from tests.factories import PersonFactory, UserFactory
from tests.schemes.factories import SchemeFactory
from tests.sessions_log.factories import FormTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory()


def answered(template, **answers) -> FormResponse:
    return FormResponse.objects.create(
        template=template, author=PersonFactory(), answers=answers or {"key_issues": "Workload"}
    )


def edit(template, by, **changes):
    fields = {
        "title": template.title,
        "introduction": template.introduction,
        "closing_note": template.closing_note,
        "readers": template.readers,
        "questions": copy.deepcopy(template.questions),
        **changes,
    }
    return new_version(template, by=by, **fields)


def reworded(questions, key, text):
    return [{**q, "text": text} if q["key"] == key else q for q in questions]


def test_an_unanswered_template_is_edited_in_place(editor):
    template = FormTemplateFactory()
    questions = reworded(template.questions, "key_issues", "What were the key issues?")
    saved = edit(template, editor, title="Reflection", questions=questions)
    assert saved.pk == template.pk
    template.refresh_from_db()
    assert (template.version, template.is_current, template.title) == (1, True, "Reflection")
    assert template.questions[0]["text"] == "What were the key issues?"
    assert FormTemplate.objects.filter(family=template.family).count() == 1


def test_a_template_in_use_gets_a_new_version_and_the_old_one_is_retired(editor):
    template = FormTemplateFactory()
    response = answered(template)
    questions = reworded(template.questions, "key_issues", "What were the key issues?")
    saved = edit(template, editor, questions=questions, readers=Readers.PAIR)
    template.refresh_from_db()
    assert saved.pk != template.pk
    assert (saved.family, saved.scheme_id, saved.kind) == (template.family, None, template.kind)
    assert (saved.version, saved.is_current, saved.created_by) == (2, True, editor)
    assert saved.readers == Readers.PAIR
    assert (template.version, template.is_current, template.readers) == (1, False, Readers.AUTHOR)
    response.refresh_from_db()
    assert response.template_id == template.pk
    assert FormTemplate.objects.get(family=template.family, is_current=True) == saved


def test_an_old_answer_still_reads_back_against_the_questions_it_answered(editor):
    template = FormTemplateFactory()
    response = answered(template, key_issues="Workload", unexpected="no")
    edit(template, editor, questions=reworded(template.questions, "key_issues", "Main issues?"))
    response = FormResponse.objects.select_related("template").get(pk=response.pk)
    assert read_back(response.template.questions, "mentee", response.answers) == [
        ("What are the key issues that arose?", "Workload"),
        ("Did any unexpected issues arise?", "No"),
    ]


def test_keys_carry_across_versions_so_answers_compare(editor):
    template = FormTemplateFactory()
    answered(template)
    saved = edit(template, editor, questions=reworded(template.questions, "key_issues", "Issues?"))
    assert [q["key"] for q in saved.questions] == [q["key"] for q in template.questions]


def test_versions_count_on_from_the_latest(editor):
    template = FormTemplateFactory()
    answered(template)
    second = edit(template, editor, title="Second")
    answered(second)
    third = edit(second, editor, title="Third")
    assert third.version == 3
    assert list(
        FormTemplate.objects.filter(family=template.family, is_current=True).values_list(
            "version", flat=True
        )
    ) == [3]


def test_an_edit_that_changes_nothing_makes_no_version(editor):
    template = FormTemplateFactory()
    answered(template)
    assert edit(template, editor) == template
    assert FormTemplate.objects.filter(family=template.family).count() == 1


@pytest.mark.parametrize("in_use", [False, True])
def test_unsound_questions_are_refused_and_nothing_changes(editor, in_use):
    template = FormTemplateFactory()
    if in_use:
        answered(template)
    before = (template.title, copy.deepcopy(template.questions), True)
    broken = [*template.questions, {"key": "key_issues", "type": "essay", "text": ""}]
    with pytest.raises(TemplateError) as refusal:
        edit(template, editor, title="Changed", questions=broken)
    assert refusal.value.code == TemplateRefusal.INVALID_QUESTIONS
    assert refusal.value.field == "questions"
    assert "Question 4: the key “key_issues” is used twice." in refusal.value.reasons
    template.refresh_from_db()
    assert (template.title, template.questions, template.is_current) == before
    assert FormTemplate.objects.filter(family=template.family).count() == 1


def test_a_replaced_version_cannot_be_edited(editor):
    template = FormTemplateFactory()
    answered(template)
    edit(template, editor, title="Second")
    template.refresh_from_db()
    with pytest.raises(TemplateError) as refusal:
        edit(template, editor, title="Edited old")
    assert refusal.value.code == TemplateRefusal.NOT_CURRENT


def test_a_new_version_takes_a_handful_of_queries(editor, django_assert_max_num_queries):
    template = FormTemplateFactory()
    answered(template)
    with django_assert_max_num_queries(8):
        edit(template, editor, title="Second")


# schemes' own templates -------------------------------------------------------------------------
@pytest.fixture
def default():
    """The shipped default post-session reflection."""
    return FormTemplate.objects.get(family="post-session-reflection", scheme=None, is_current=True)


def test_customising_copies_a_default_into_the_schemes_own_version_1(editor, default):
    scheme = SchemeFactory()
    own = customise_for_scheme(default, scheme, by=editor)
    assert (own.family, own.scheme, own.version, own.is_current) == (
        default.family,
        scheme,
        1,
        True,
    )
    assert (own.questions, own.readers, own.title) == (
        default.questions,
        default.readers,
        default.title,
    )
    assert current_template(scheme, FormKind.POST_SESSION) == own
    assert current_template(SchemeFactory(), FormKind.POST_SESSION) == default


def test_editing_a_schemes_own_template_leaves_the_default_and_other_schemes_alone(editor, default):
    scheme = SchemeFactory()
    own = customise_for_scheme(default, scheme, by=editor)
    answered(own)
    saved = edit(own, editor, title="Our reflection")
    default.refresh_from_db()
    assert (saved.scheme, saved.version) == (scheme, 2)
    assert (default.title, default.is_current) == (
        "Mentee reflection template document – post-session",
        True,
    )
    assert form_templates.current_templates(scheme)[FormKind.POST_SESSION] == saved
    assert form_templates.current_templates(SchemeFactory())[FormKind.POST_SESSION] == default


def test_a_scheme_customises_a_default_once(editor, default):
    scheme = SchemeFactory()
    customise_for_scheme(default, scheme, by=editor)
    with pytest.raises(TemplateError) as refusal:
        customise_for_scheme(default, scheme, by=editor)
    assert refusal.value.code == TemplateRefusal.ALREADY_CUSTOMISED


def test_only_a_default_is_customised(editor, default):
    own = customise_for_scheme(default, SchemeFactory(), by=editor)
    with pytest.raises(TemplateError) as refusal:
        customise_for_scheme(own, SchemeFactory(), by=editor)
    assert refusal.value.code == TemplateRefusal.NOT_A_DEFAULT
