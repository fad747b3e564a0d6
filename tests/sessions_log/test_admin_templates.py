"""The form templates admin: what a coordinator sees (the defaults, read-only, and their own
schemes' templates — another ICS's are a 404), editing through versions, questions checked in
plain words, and customising a default for a scheme."""

import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from sessions_log.form_templates import customise_for_scheme
from sessions_log.models import FormResponse, FormTemplate, Readers
from tests.auth import sign_in
from tests.factories import IcbFactory, PersonFactory, UserFactory, coordinator_of, finance_of
from tests.schemes.factories import SchemeFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:sessions_log_formtemplate_changelist"


def change_url(template):
    return reverse("admin:sessions_log_formtemplate_change", args=[template.pk])


def default(family="post-session-reflection"):
    return FormTemplate.objects.get(family=family, scheme=None, is_current=True)


class Ics:
    """An ICS with a coordinator and a scheme that has its own reflection template."""

    def __init__(self, name):
        self.icb = IcbFactory(name=name)
        self.coordinator = coordinator_of(self.icb)
        self.scheme = SchemeFactory(owner=self.icb, name=f"{name} scheme")
        self.template = customise_for_scheme(default(), self.scheme, by=self.coordinator)


@pytest.fixture
def ours():
    return Ics("NHS Thameside ICB")


@pytest.fixture
def theirs():
    return Ics("NHS Elsewhere ICB")


def form_data(template, **changes):
    data = {
        "title": template.title,
        "introduction": template.introduction,
        "closing_note": template.closing_note,
        "readers": template.readers,
        "questions": json.dumps(template.questions),
        "_save": "Save",
    }
    return {**data, **changes}


def answered(template):
    return FormResponse.objects.create(
        template=template, author=PersonFactory(), answers={"key_issues": "Rota gaps"}
    )


# who sees what ----------------------------------------------------------------------------------
def test_a_coordinator_lists_the_defaults_and_their_own_schemes_templates(client, ours, theirs):
    sign_in(client, ours.coordinator)
    response = client.get(reverse(CHANGELIST))
    listed = set(response.context["cl"].result_list)
    assert ours.template in listed and default() in listed
    assert theirs.template not in listed
    assert theirs.scheme.name.encode() not in response.content


def test_the_scheme_filter_offers_only_the_coordinators_schemes(client, ours, theirs):
    sign_in(client, ours.coordinator)
    response = client.get(reverse(CHANGELIST), {"scheme": str(ours.scheme.pk)})
    assert list(response.context["cl"].result_list) == [ours.template]
    filters = response.context["cl"].filter_specs[0]
    offered = [label for _, label in filters.lookup_choices]
    assert ours.scheme.name in offered and theirs.scheme.name not in offered


@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_another_ics_schemes_template_is_a_404(client, ours, theirs, page):
    sign_in(client, ours.coordinator)
    url = reverse(f"admin:sessions_log_formtemplate_{page}", args=[theirs.template.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(theirs.template, title="Hijacked")).status_code == 404
    theirs.template.refresh_from_db()
    assert theirs.template.title != "Hijacked"


def test_a_default_is_read_only_for_a_coordinator(client, ours):
    sign_in(client, ours.coordinator)
    template = default("session-record")
    response = client.get(change_url(template))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert b'name="questions"' not in response.content
    assert b"Customise for a scheme" in response.content
    assert client.post(change_url(template), form_data(template, title="Ours")).status_code == 403
    template.refresh_from_db()
    assert template.title == "Mentoring template document"


def test_a_superuser_may_edit_a_default(client):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    template = default("session-record")
    response = client.post(change_url(template), form_data(template, introduction="Fill it in."))
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.introduction, template.version) == ("Fill it in.", 1)


def test_finance_may_not_open_the_templates(client, ours):
    sign_in(client, finance_of(ours.icb))
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_the_changelist_takes_a_fixed_number_of_queries(
    client, ours, django_assert_max_num_queries
):
    for family in ("session-record", "mentoring-agreement", "end-survey"):
        customise_for_scheme(default(family), ours.scheme, by=ours.coordinator)
    sign_in(client, ours.coordinator)
    with django_assert_max_num_queries(14):
        assert client.get(reverse(CHANGELIST)).status_code == 200


# editing ----------------------------------------------------------------------------------------
def test_the_change_page_shows_the_questions_as_they_read(client, ours):
    sign_in(client, ours.coordinator)
    response = client.get(change_url(ours.template))
    assert b"What are the key issues that arose in this session?" in response.content
    assert b"only for mentees" in response.content
    assert b"Version 1</a> (current)" in response.content


def test_editing_an_unanswered_template_changes_it_in_place(client, ours):
    sign_in(client, ours.coordinator)
    questions = [*ours.template.questions]
    questions[0] = {**questions[0], "text": "What were the key issues?"}
    response = client.post(
        change_url(ours.template), form_data(ours.template, questions=json.dumps(questions))
    )
    assert response.status_code == 302
    ours.template.refresh_from_db()
    assert (ours.template.version, ours.template.questions[0]["text"]) == (
        1,
        "What were the key issues?",
    )


def test_editing_a_template_in_use_makes_a_new_version_and_says_so(client, ours):
    sign_in(client, ours.coordinator)
    response_to_old = answered(ours.template)
    page = client.get(change_url(ours.template))
    assert b"1 answer already uses this version" in page.content
    response = client.post(
        change_url(ours.template),
        form_data(ours.template, readers=Readers.PAIR, _continue="Save and continue"),
    )
    new = FormTemplate.objects.get(family=ours.template.family, scheme=ours.scheme, version=2)
    assert response.status_code == 302
    assert response["Location"] == change_url(new)
    assert (new.is_current, new.readers, new.created_by) == (True, Readers.PAIR, ours.coordinator)
    ours.template.refresh_from_db()
    assert (ours.template.is_current, ours.template.readers) == (False, Readers.AUTHOR)
    response_to_old.refresh_from_db()
    assert response_to_old.template == ours.template
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "saved as version 2" in message and "stay with version 1" in message


def test_a_replaced_version_is_read_only(client, ours):
    sign_in(client, ours.coordinator)
    answered(ours.template)
    client.post(change_url(ours.template), form_data(ours.template, title="Second"))
    response = client.get(change_url(ours.template))
    assert response.context["has_change_permission"] is False
    assert b"This version has been replaced" in response.content
    assert client.post(change_url(ours.template), form_data(ours.template)).status_code == 403


def test_questions_that_are_not_json_are_refused_saying_where(client, ours):
    sign_in(client, ours.coordinator)
    broken = json.dumps(ours.template.questions, indent=2).replace('",\n', '"\n', 1)
    response = client.post(change_url(ours.template), form_data(ours.template, questions=broken))
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["questions"]
    assert "not valid JSON" in error and "on line 4" in error
    assert escape(broken).encode() in response.content  # what was typed is kept to be mended


def test_unsound_questions_are_refused_in_plain_words_and_nothing_changes(client, ours):
    sign_in(client, ours.coordinator)
    answered(ours.template)
    questions = [*ours.template.questions, {"key": "key_issues", "type": "scale", "text": "How?"}]
    response = client.post(
        change_url(ours.template),
        form_data(ours.template, title="Changed", questions=json.dumps(questions)),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["questions"]
    assert "Question 4: the key “key_issues” is used twice." in errors
    assert "Question 4: a scale needs whole numbers min < max." in errors
    ours.template.refresh_from_db()
    assert ours.template.title != "Changed"
    assert FormTemplate.objects.filter(scheme=ours.scheme).count() == 1


# customising a default --------------------------------------------------------------------------
def test_the_customise_action_gives_a_scheme_its_own_copy(client, ours):
    sign_in(client, ours.coordinator)
    agreement = default("mentoring-agreement")
    response = client.post(
        reverse(CHANGELIST), {"action": "customise", "_selected_action": [agreement.pk]}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert list(page.context["form"].fields["scheme"].queryset) == [ours.scheme]
    response = client.post(
        reverse("admin:sessions_log_formtemplate_customise"),
        {"ids": [agreement.pk], "scheme": ours.scheme.pk},
    )
    own = FormTemplate.objects.get(family="mentoring-agreement", scheme=ours.scheme)
    assert response["Location"] == change_url(own)
    assert (own.version, own.questions, own.created_by) == (
        1,
        agreement.questions,
        ours.coordinator,
    )


def test_a_coordinator_cannot_customise_for_another_ics_scheme(client, ours, theirs):
    sign_in(client, ours.coordinator)
    agreement = default("mentoring-agreement")
    response = client.post(
        reverse("admin:sessions_log_formtemplate_customise"),
        {"ids": [agreement.pk], "scheme": theirs.scheme.pk},
    )
    assert response.status_code == 200
    assert "scheme" in response.context["form"].errors
    assert not FormTemplate.objects.filter(family="mentoring-agreement", scheme=theirs.scheme)


def test_customising_again_is_refused_with_a_message(client, ours):
    sign_in(client, ours.coordinator)
    response = client.post(
        reverse("admin:sessions_log_formtemplate_customise"),
        {"ids": [default().pk], "scheme": ours.scheme.pk},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("already has its own" in m for m in messages)
    assert FormTemplate.objects.filter(scheme=ours.scheme).count() == 1


def test_only_defaults_in_scope_are_customised(client, ours, theirs):
    sign_in(client, ours.coordinator)
    response = client.post(
        reverse("admin:sessions_log_formtemplate_customise"),
        {"ids": [theirs.template.pk], "scheme": ours.scheme.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(CHANGELIST)
    assert FormTemplate.objects.filter(scheme=ours.scheme).count() == 1
