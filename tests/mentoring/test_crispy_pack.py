"""The "nhsuk" crispy template pack draws NHS.UK form markup for ``{% crispy %}`` and ``|crispy``:
labels, hints, errors by their field and an error summary whose links land on the fields."""

from html.parser import HTMLParser

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template

from mentoring.forms import DateField, form_helper


class Elements(HTMLParser):
    """Every start tag in a page, with its attributes, for checking ids and references."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def find(self, tag=None, **attrs) -> list[dict]:
        return [
            found
            for name, found in self.elements
            if (tag is None or name == tag)
            and all(found.get(key.rstrip("_")) == value for key, value in attrs.items())
        ]

    def one(self, tag=None, **attrs) -> dict:
        matches = self.find(tag, **attrs)
        assert len(matches) == 1, f"{len(matches)} <{tag} {attrs}> found"
        return matches[0]

    def ids(self) -> set[str]:
        return {found["id"] for _, found in self.elements if "id" in found}


class EverythingForm(forms.Form):
    name = forms.CharField(help_text="As it appears on your registration")
    email = forms.EmailField()
    sessions = forms.IntegerField(required=False)
    website = forms.URLField(required=False, assume_scheme="https")
    started = DateField(help_text="For example, 27 3 2024")
    notes = forms.CharField(widget=forms.Textarea, required=False)
    region = forms.ChoiceField(choices=[("", "Choose a region"), ("ldn", "London")])
    agree = forms.BooleanField(label="I agree to the ground rules")
    modes = forms.MultipleChoiceField(
        choices=[("video", "Video"), ("phone", "Phone")], widget=forms.CheckboxSelectMultiple
    )
    role = forms.ChoiceField(
        choices=[("mentor", "Mentor"), ("mentee", "Mentee")], widget=forms.RadioSelect
    )
    evidence = forms.FileField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)

    def clean(self):
        raise forms.ValidationError("Something about the whole form is wrong")


INVALID = {
    "name": "",
    "email": "not-an-email",
    "sessions": "many",
    "started_day": "31",
    "started_month": "2",
    "started_year": "2024",
    "region": "",
}


def render_filter(form) -> str:
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


def render_tag(form) -> str:
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))


RENDERERS = [pytest.param(render_filter, id="filter"), pytest.param(render_tag, id="tag")]


def with_helper(form):
    form.helper = FormHelper()
    form.helper.add_input(Submit("save", "Save"))
    return form


@pytest.mark.parametrize("render", RENDERERS)
def test_every_visible_input_has_a_label(render):
    html = render(with_helper(EverythingForm()))
    page = Elements(html)

    label_targets = {label["for"] for label in page.find("label")}
    for tag in ("input", "select", "textarea"):
        for element in page.find(tag):
            if element.get("type") not in ("hidden", "submit"):
                assert element["id"] in label_targets, element
    legends = [f for name, f in page.elements if name == "legend"]
    assert len(legends) == 3  # date, checkbox group, radios


@pytest.mark.parametrize("render", RENDERERS)
def test_the_error_summary_comes_first_and_links_to_each_field(render):
    form = with_helper(EverythingForm(data=INVALID))
    html = render(form)
    page = Elements(html)

    summary = page.one("div", class_="nhsuk-error-summary")
    assert summary["tabindex"] == "-1"
    assert page.one("div", role="alert")
    assert html.index("nhsuk-error-summary") < html.index('class="nhsuk-form-group')
    links = {a["href"] for a in page.find("a")}
    assert {
        "#id_name",
        "#id_email",
        "#id_sessions",
        "#id_started_0",
        "#id_region",
        "#id_agree",
        "#id_modes_0",
        "#id_role_0",
    } <= links
    for link in links:
        assert link[1:] in page.ids(), f"{link} points at nothing"
    assert "Something about the whole form is wrong" in html


@pytest.mark.parametrize("render", RENDERERS)
def test_errors_sit_by_their_field_with_a_hidden_prefix_and_are_announced(render):
    html = render(with_helper(EverythingForm(data=INVALID)))
    page = Elements(html)

    email = page.one("input", id="id_email")
    assert "nhsuk-input--error" in email["class"]
    assert email["aria-describedby"] == "id_email_error"
    assert email["aria-invalid"] == "true"
    assert page.one("span", id="id_email_error")["class"] == "nhsuk-error-message"
    assert (
        '<span class="nhsuk-u-visually-hidden">Error: </span>Enter a valid email address.' in html
    )
    assert "nhsuk-form-group nhsuk-form-group--error" in html

    name = page.one("input", id="id_name")
    assert name["aria-describedby"] == "id_name_helptext id_name_error"
    assert page.one("div", id="id_name_helptext")["class"] == "nhsuk-hint"

    assert "nhsuk-select--error" in page.one("select", id="id_region")["class"]
    radios = page.one("fieldset", **{"aria-describedby": "id_role_error"})
    assert radios is not None
    date = page.one("fieldset", role="group")
    assert date["aria-describedby"] == "id_started_helptext id_started_error"
    assert "Enter a real date" in html


@pytest.mark.parametrize("render", RENDERERS)
def test_widgets_use_nhsuk_components(render):
    form = with_helper(EverythingForm(initial={"role": "mentee", "modes": ["phone"]}))
    page = Elements(render(form))

    assert "nhsuk-input" in page.one("input", id="id_name")["class"]
    assert page.one("input", id="id_email")["type"] == "email"
    assert "nhsuk-textarea" in page.one("textarea", id="id_notes")["class"]
    assert "nhsuk-select" in page.one("select", id="id_region")["class"]
    assert "nhsuk-checkboxes__input" in page.one("input", id="id_agree")["class"]
    assert page.one("input", id="id_modes_1")["class"] == "nhsuk-checkboxes__input"
    assert "checked" in page.one("input", id="id_modes_1")
    assert page.one("input", id="id_role_1")["class"] == "nhsuk-radios__input"
    assert "checked" in page.one("input", id="id_role_1")
    assert "nhsuk-file-upload__input" in page.one("input", id="id_evidence")["class"]
    assert page.one("div", **{"data-module": "nhsuk-password-input"})
    day, month, year = (page.one("input", id=f"id_started_{n}") for n in range(3))
    assert [day["name"], month["name"], year["name"]] == [
        "started_day",
        "started_month",
        "started_year",
    ]
    assert "nhsuk-input--width-4" in year["class"]


def test_the_tag_renders_the_form_with_csrf_novalidate_and_an_nhsuk_button():
    form = with_helper(EverythingForm())
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": form, "csrf_token": "token123"})
    )
    page = Elements(html)

    form_tag = page.one("form")
    assert form_tag["method"] == "post"
    assert "novalidate" in form_tag
    assert page.one("input", name="csrfmiddlewaretoken")["value"] == "token123"
    assert page.one("button", type="submit")["class"] == "nhsuk-button"


def test_optional_fields_say_so_in_their_label():
    html = render_filter(EverythingForm())

    assert "Sessions (optional)" in html
    assert "Name (optional)" not in html


def test_a_layout_fieldset_becomes_an_nhsuk_fieldset_with_a_legend():
    form = EverythingForm()
    form.helper = FormHelper()
    form.helper.layout = Layout(Fieldset("About you", "name", "email"))
    html = render_tag(form)

    assert (
        '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">About you</legend>'
        in (html)
    )
    assert 'id="id_name"' in html
    assert 'id="id_region"' not in html


def test_pages_can_move_the_error_summary_to_the_top_of_main():
    form = EverythingForm(data=INVALID)
    form.helper = form_helper("Save")

    inside = render_tag(form)
    top = Template('{% include "nhsuk/error_summary.html" %}').render(Context({"form": form}))

    assert "nhsuk-error-summary" not in inside
    assert "nhsuk-error-message" in inside
    assert 'href="#id_started_0"' in top


def test_a_valid_date_reaches_cleaned_data_and_comes_back_when_redisplayed():
    form = EverythingForm(
        data={**INVALID, "started_day": "5", "started_month": "11", "started_year": "2024"},
        files={"evidence": SimpleUploadedFile("cert.pdf", b"%PDF")},
    )
    form.is_valid()

    assert str(form.cleaned_data["started"]) == "2024-11-05"
    page = Elements(render_filter(form))
    assert page.one("input", id="id_started_0")["value"] == "5"
    assert page.one("input", id="id_started_2")["value"] == "2024"


def test_an_impossible_date_is_refused_and_kept_as_typed():
    form = EverythingForm(data=INVALID)

    assert form.errors["started"] == ["Enter a real date, like 27 3 2024"]
    page = Elements(render_filter(form))
    assert page.one("input", id="id_started_0")["value"] == "31"
    assert page.one("input", id="id_started_1")["value"] == "2"
