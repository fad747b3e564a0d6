"""A person's reflections as a PDF: their own completed agendas and reflections and the development
plans of their mentorships, each with its template title, date and questions with answers
(against the version it was written on); never a draft, never what someone else wrote for
themselves — even shared."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_log import pdf
from sessions_log.models import FormKind, Readers
from tests.sessions_log.forms_cast import SECRET, Cast, sign_in

pytestmark = pytest.mark.django_db

URL = reverse("my_reflections_pdf")


@pytest.fixture
def cast():
    return Cast()


def test_it_downloads_a_pdf_of_the_persons_own_reflections(client, cast):
    cast.response(cast.template(title="Mentee reflection template document – post-session"))

    response = sign_in(client, cast.enid.person.user).get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="my-reflections-')
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 2000


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_each_reflection_has_its_title_date_questions_and_answers(cast):
    template = cast.template(title="Mentee reflection template document – post-session")
    reflection = cast.response(
        template, answers={"key_issues": "Rota & <b>workload</b>", "unexpected": "no"}
    )

    html = pdf.reflections_html(user=cast.enid.person.user)

    assert "Mentee reflection template document – post-session" in html
    assert f"Completed on {timezone.localtime(reflection.submitted_at):%-d %B %Y}" in html
    assert "What are the key issues that arose?" in html
    assert "Rota &amp; &lt;b&gt;workload&lt;/b&gt;" in html  # escaped, never markup
    assert "Did any unexpected issues arise?" in html
    assert "with Mona Mentor (mentor)" in html


def test_drafts_and_other_kinds_of_form_are_left_out(cast):
    cast.response(cast.template(title="Draft reflection"), submitted=False)
    cast.response(
        cast.template(kind=FormKind.BASELINE_SURVEY, title="Baseline survey"), survey=True
    )
    cast.response(
        cast.template(kind=FormKind.END_FEEDBACK, title="End feedback"),
        answers={"key_issues": "Feedback"},
    )

    html = pdf.reflections_html(user=cast.enid.person.user)

    assert "Draft reflection" not in html
    assert "Baseline survey" not in html
    assert "End feedback" not in html
    assert "You have no completed reflections yet." in html


def test_a_mentor_never_gets_the_mentees_reflection_even_shared(cast):
    cast.response(cast.template(title="Mentee reflection"), shared=True)

    html = pdf.reflections_html(user=cast.mona.person.user)

    assert SECRET not in html and "Mentee reflection" not in html


@pytest.mark.parametrize("who", ["coordinator", "superuser", "other_mentor"])
def test_nobody_else_gets_anyones_forms(cast, who):
    cast.response(cast.template(readers=Readers.PAIR_AND_COORDINATORS, title="Host form"))
    cast.response(cast.template(kind=FormKind.DEVELOPMENT_PLAN, readers=Readers.PAIR))

    html = pdf.reflections_html(user=cast.users[who])

    assert SECRET not in html


def test_the_development_plan_is_in_both_members_pdfs(cast):
    plan = cast.template(
        kind=FormKind.DEVELOPMENT_PLAN, readers=Readers.PAIR, title="Development plan"
    )
    cast.response(plan, answers={"key_issues": "Appraisal in May"})

    for user in (cast.enid.person.user, cast.mona.person.user):
        html = pdf.reflections_html(user=user)
        assert "Development plan" in html and "Appraisal in May" in html


def test_an_old_reflection_prints_against_its_own_template_version(cast):
    first = cast.template(family="reflection", title="Reflection")
    cast.response(first, answers={"key_issues": "Rota"})
    first.is_current = False
    first.save()
    cast.template(
        family="reflection",
        version=2,
        title="Reflection",
        questions=[{"key": "key_issues", "type": "long_text", "text": "What mattered most?"}],
    )

    html = pdf.reflections_html(user=cast.enid.person.user)

    assert "What are the key issues that arose?" in html
    assert "What mattered most?" not in html


def test_the_pdf_takes_a_constant_number_of_queries(cast, django_assert_max_num_queries):
    template = cast.template()
    cast.response(template)
    with django_assert_max_num_queries(10) as few:
        pdf.reflections_html(user=cast.enid.person.user)
    for _ in range(5):
        cast.response(template)

    with django_assert_max_num_queries(len(few.captured_queries)):
        pdf.reflections_html(user=cast.enid.person.user)
