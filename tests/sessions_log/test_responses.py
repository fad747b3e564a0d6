"""Writing forms: drafts and submitting, required questions, answers of the wrong type, who writes
which form and when, sessions, pair forms, the end of a mentorship, template versions."""

import pytest
from django.urls import reverse

from matching import services as matching_services
from matching.models import EndReason
from sessions_log import responses
from sessions_log.errors_responses import ResponseError, ResponseRefusal
from sessions_log.models import FormKind, FormResponse, FormTemplate, Readers
from tests.auth import sign_in
from tests.sessions_log.forms_cast import TYPED_QUESTIONS, Cast, pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return Cast()


def new_url(cast, kind=FormKind.POST_SESSION, mentorship=None):
    return reverse("form_response_new", args=[(mentorship or cast.mentorship).pk, kind])


def post_as(client, user, url, data):
    sign_in(client, user)
    return client.post(url, data)


# drafts and submitting --------------------------------------------------------------------------
def test_a_mentee_saves_a_draft_with_the_required_question_unanswered(client, cast):
    cast.template()

    response = post_as(
        client, cast.enid.person.user, new_url(cast), {"action": "draft", "unexpected": "no"}
    )

    saved = FormResponse.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("form_response_edit", args=[saved.pk])
    assert (saved.status, saved.submitted_at, saved.answers) == (
        "draft",
        None,
        {"unexpected": "no"},
    )
    assert saved.author == cast.enid.person
    assert saved.shared_with_mentor is False


def test_submitting_without_a_required_answer_is_refused_and_saves_nothing(client, cast):
    cast.template()

    response = post_as(
        client, cast.enid.person.user, new_url(cast), {"action": "submit", "key_issues": "  "}
    )

    assert response.status_code == 200
    message = "Answer “What are the key issues that arose?”"
    assert response.context["form"].errors["key_issues"] == [message]
    assert (
        response.text.count("Answer “What are the key issues that arose?”") == 2
    )  # summary, field
    assert "Error: " in response.text.split("</title>")[0]
    assert not FormResponse.objects.exists()


def test_submitting_with_the_required_answers_completes_the_form(client, cast):
    cast.template()

    response = post_as(
        client,
        cast.enid.person.user,
        new_url(cast),
        {"action": "submit", "key_issues": "Time management", "unexpected": "no"},
    )

    saved = FormResponse.objects.get()
    assert response["Location"] == reverse("form_response_detail", args=[saved.pk])
    assert saved.status == "submitted" and saved.submitted_at is not None
    assert saved.answers == {"key_issues": "Time management", "unexpected": "no"}


def test_a_draft_is_submitted_later_and_stays_submitted_when_changed(client, cast):
    template = cast.template()
    draft = cast.response(template, submitted=False, answers={"unexpected": "no"})
    sign_in(client, cast.enid.person.user)
    edit = reverse("form_response_edit", args=[draft.pk])

    refused = client.post(edit, {"action": "submit", "unexpected": "no"})
    client.post(edit, {"action": "submit", "key_issues": "Workload"})
    draft.refresh_from_db()
    first_submitted = draft.submitted_at
    back_to_draft = client.post(edit, {"action": "draft", "key_issues": ""})
    client.post(edit, {"action": "draft", "key_issues": "Workload and rota"})

    assert refused.status_code == 200
    assert back_to_draft.status_code == 200  # a submitted form keeps its required answers
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert draft.submitted_at == first_submitted
    assert draft.answers == {"key_issues": "Workload and rota"}


def test_a_question_hidden_by_an_earlier_answer_is_neither_required_nor_kept(client, cast):
    questions = [
        {"key": "unexpected", "type": "yes_no", "text": "Did anything unexpected arise?"},
        {
            "key": "what",
            "type": "long_text",
            "text": "What was it?",
            "required": True,
            "show_if": {"key": "unexpected", "equals": "yes"},
        },
    ]
    cast.template(questions=questions)
    sign_in(client, cast.enid.person.user)

    page = client.get(new_url(cast)).text
    saved = client.post(new_url(cast), {"action": "submit", "unexpected": "no", "what": "x"})

    assert "Answer this only if your answer to “Did anything unexpected arise?” was “Yes”." in page
    assert saved.status_code == 302
    assert FormResponse.objects.get().answers == {"unexpected": "no"}


def test_required_questions_are_not_marked_optional_and_the_others_are(client, cast):
    cast.template()
    sign_in(client, cast.enid.person.user)

    page = client.get(new_url(cast)).text

    assert "What are the key issues that arose?\n" in page.replace(" (optional)", "!")
    assert "Did any unexpected issues arise? (optional)" in page


# answers of the wrong type ----------------------------------------------------------------------
WRONG = [
    ("confidence", "seven"),
    ("confidence", "9"),
    ("met_on", "31/02/2026"),
    ("met_on", "next Tuesday"),
    ("sector", "Mars"),
    ("areas", "Nowhere"),
    ("recommend", "maybe"),
]


@pytest.mark.parametrize(("field", "value"), WRONG)
def test_an_answer_of_the_wrong_type_is_refused_by_its_field_and_nothing_is_saved(
    client, cast, field, value
):
    cast.template(questions=TYPED_QUESTIONS)

    response = post_as(
        client,
        cast.enid.person.user,
        new_url(cast),
        {"action": "draft", "confidence": "3", field: value},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not FormResponse.objects.exists()


@pytest.mark.parametrize(("field", "value"), WRONG)
def test_the_service_refuses_the_wrong_type_whoever_calls_it(cast, field, value):
    cast.template(questions=TYPED_QUESTIONS)

    with pytest.raises(ResponseError) as refusal:
        responses.start_response(
            by=cast.enid.person.user,
            mentorship=cast.mentorship,
            kind=FormKind.POST_SESSION,
            answers={"confidence": 3, field: value},
            submit=False,
        )

    assert refusal.value.code == ResponseRefusal.INVALID_ANSWERS
    assert list(refusal.value.errors) == [field]
    assert not FormResponse.objects.exists()


def test_answers_of_every_type_are_stored_as_plain_values(client, cast):
    cast.template(questions=TYPED_QUESTIONS)

    post_as(
        client,
        cast.enid.person.user,
        new_url(cast),
        {
            "action": "submit",
            "confidence": "4",
            "met_on": "2026-02-03",
            "sector": "Other, please state",
            "sector_other": "Care homes",
            "areas": ["Leadership", "Career planning"],
            "recommend": "yes",
        },
    )

    assert FormResponse.objects.get().answers == {
        "confidence": 4,
        "met_on": "2026-02-03",
        "sector": "Other, please state",
        "sector_other": "Care homes",
        "areas": ["Leadership", "Career planning"],
        "recommend": "yes",
    }


def test_submitting_other_needs_the_other_answer(client, cast):
    cast.template(questions=TYPED_QUESTIONS)

    response = post_as(
        client,
        cast.enid.person.user,
        new_url(cast),
        {
            "action": "submit",
            "confidence": "3",
            "sector": "Other, please state",
            "sector_other": "",
        },
    )

    assert "sector_other" in response.context["form"].errors
    assert not FormResponse.objects.exists()


# who writes which form, and when ---------------------------------------------------------------
def test_a_mentor_cannot_write_the_mentees_reflection(client, cast):
    cast.template()

    page = post_as(client, cast.mona.person.user, new_url(cast), {"key_issues": "Mine"})

    assert page.status_code == 404
    with pytest.raises(ResponseError) as refusal:
        responses.start_response(
            by=cast.mona.person.user,
            mentorship=cast.mentorship,
            kind=FormKind.POST_SESSION,
            answers={"key_issues": "Mine"},
            submit=True,
        )
    assert refusal.value.code == ResponseRefusal.WRONG_ROLE
    assert not FormResponse.objects.exists()


@pytest.mark.parametrize("who", ["olga", "otto"])
def test_nobody_writes_a_form_on_a_mentorship_they_are_not_part_of(client, cast, who):
    cast.template()
    user = getattr(cast, who).person.user

    page = post_as(client, user, new_url(cast), {"action": "submit", "key_issues": "Mine"})

    assert page.status_code == 404
    with pytest.raises(ResponseError) as refusal:
        responses.start_response(
            by=user,
            mentorship=cast.mentorship,
            kind=FormKind.POST_SESSION,
            answers={"key_issues": "Mine"},
            submit=True,
        )
    assert refusal.value.code == ResponseRefusal.NOT_A_MEMBER
    assert not FormResponse.objects.exists()


def test_the_pre_session_agenda_is_there_only_where_the_scheme_uses_it(client, cast):
    cast.template(kind=FormKind.PRE_SESSION)
    sign_in(client, cast.enid.person.user)
    url = new_url(cast, FormKind.PRE_SESSION)

    without = client.get(url)
    cast.scheme.uses_pre_session_form = True
    cast.scheme.save()
    with_it = client.get(url)

    assert without.status_code == 404
    assert with_it.status_code == 200


def test_an_unknown_kind_or_one_without_a_template_is_not_found(client, cast):
    FormTemplate.objects.filter(kind=FormKind.POST_SESSION).delete()  # the default too
    sign_in(client, cast.enid.person.user)

    assert client.get(new_url(cast, "claim")).status_code == 404
    assert client.get(new_url(cast, FormKind.SESSION_RECORD)).status_code == 404
    assert client.get(new_url(cast, FormKind.POST_SESSION)).status_code == 404  # no template


def test_a_reflection_may_be_about_a_session_of_its_own_mentorship_only(client, cast):
    cast.template()
    held = cast.session()
    cancelled = cast.session(status="cancelled", days_ago=9)
    elsewhere = cast.session(cast.other_mentorship)
    sign_in(client, cast.enid.person.user)

    page = client.get(new_url(cast) + f"?session={held.pk}")
    choices = [c[0].value for c in page.context["form"].fields["about-session"].choices if c[0]]
    wrong = client.post(
        new_url(cast), {"action": "submit", "key_issues": "x", "about-session": elsewhere.pk}
    )
    right = client.post(
        new_url(cast), {"action": "submit", "key_issues": "x", "about-session": held.pk}
    )

    assert choices == [held.pk]
    assert cancelled.pk not in choices
    assert page.context["form"]["about-session"].value() == held.pk
    assert wrong.status_code == 200 and "about-session" in wrong.context["form"].errors
    assert right.status_code == 302
    assert FormResponse.objects.get().session == held
    with pytest.raises(ResponseError) as refusal:
        responses.start_response(
            by=cast.enid.person.user,
            mentorship=cast.mentorship,
            kind=FormKind.POST_SESSION,
            answers={"key_issues": "x"},
            submit=True,
            session=elsewhere,
        )
    assert refusal.value.code == ResponseRefusal.WRONG_SESSION


# pair forms -------------------------------------------------------------------------------------
AGREEMENT = [
    {"key": "objectives", "type": "long_text", "text": "Our objectives", "required": True},
    {
        "key": "hopes",
        "type": "long_text",
        "text": "What the mentee hopes for",
        "roles": ["mentee"],
    },
    {"key": "offer", "type": "long_text", "text": "What the mentor offers", "roles": ["mentor"]},
]


def test_the_agreement_is_one_per_mentorship_and_either_member_edits_it(client, cast):
    cast.template(kind=FormKind.AGREEMENT, readers=Readers.PAIR, questions=AGREEMENT)
    url = new_url(cast, FormKind.AGREEMENT)
    post_as(
        client,
        cast.enid.person.user,
        url,
        {"action": "draft", "objectives": "Settle in", "hopes": "Less stress"},
    )
    agreement = FormResponse.objects.get()

    sign_in(client, cast.mona.person.user)
    opened = client.get(url)
    edit_page = client.get(reverse("form_response_edit", args=[agreement.pk]))
    saved = client.post(
        reverse("form_response_edit", args=[agreement.pk]),
        {"action": "submit", "objectives": "Settle in, and plan a career", "offer": "Monthly"},
    )

    assert opened.status_code == 302
    assert opened["Location"] == reverse("form_response_edit", args=[agreement.pk])
    assert "hopes" not in edit_page.context["form"].fields  # the mentee's own question
    assert saved.status_code == 302
    agreement.refresh_from_db()
    assert FormResponse.objects.count() == 1
    assert agreement.author == cast.enid.person
    assert agreement.last_edited_by == cast.mona.person.user
    assert agreement.status == "submitted"
    assert agreement.answers == {
        "objectives": "Settle in, and plan a career",
        "hopes": "Less stress",
        "offer": "Monthly",
    }


def test_a_second_agreement_is_refused_by_the_service(cast):
    cast.template(kind=FormKind.AGREEMENT, readers=Readers.PAIR, questions=AGREEMENT)
    first = responses.start_response(
        by=cast.enid.person.user,
        mentorship=cast.mentorship,
        kind=FormKind.AGREEMENT,
        answers={},
        submit=False,
    )

    with pytest.raises(ResponseError) as refusal:
        responses.start_response(
            by=cast.mona.person.user,
            mentorship=cast.mentorship,
            kind=FormKind.AGREEMENT,
            answers={"objectives": "Again"},
            submit=True,
        )

    assert refusal.value.code == ResponseRefusal.ALREADY_STARTED
    assert refusal.value.existing == first


def test_the_development_plan_is_written_once_the_pair_have_met(client, cast):
    cast.template(kind=FormKind.DEVELOPMENT_PLAN, readers=Readers.PAIR)
    not_met = pair(cast.scene.mentor("Nina Next"), cast.scene.mentee("Nora New"), met=False)
    sign_in(client, not_met.members.get(role="mentee").enrolment.person.user)

    assert client.get(new_url(cast, FormKind.DEVELOPMENT_PLAN, not_met)).status_code == 404
    sign_in(client, cast.mona.person.user)
    assert client.get(new_url(cast, FormKind.DEVELOPMENT_PLAN)).status_code == 200


def test_the_end_feedback_is_the_mentees_after_the_end_and_fixed_once_submitted(client, cast):
    cast.template(kind=FormKind.END_FEEDBACK, readers=Readers.COORDINATORS_AGGREGATE)
    url = new_url(cast, FormKind.END_FEEDBACK)
    sign_in(client, cast.enid.person.user)
    before_the_end = client.get(url)
    matching_services.end_mentorship(
        mentorship=cast.mentorship, reason=EndReason.COMPLETED, by=None
    )
    sign_in(client, cast.mona.person.user)
    as_mentor = client.get(url)

    sign_in(client, cast.enid.person.user)
    client.post(url, {"action": "submit", "key_issues": "It helped"})
    feedback = FormResponse.objects.get()
    again = client.get(url)
    change = client.post(
        reverse("form_response_edit", args=[feedback.pk]), {"key_issues": "Changed"}
    )

    assert before_the_end.status_code == 404
    assert as_mentor.status_code == 404
    assert again["Location"] == reverse("form_response_detail", args=[feedback.pk])
    assert change["Location"] == reverse("form_response_detail", args=[feedback.pk])
    feedback.refresh_from_db()
    assert feedback.answers == {"key_issues": "It helped"}
    with pytest.raises(ResponseError) as refusal:
        responses.save_response(
            by=cast.enid.person.user, response=feedback, answers={"key_issues": "x"}, submit=True
        )
    assert refusal.value.code == ResponseRefusal.FIXED_ONCE_SUBMITTED


# template versions ------------------------------------------------------------------------------
def test_an_old_response_reads_and_edits_against_its_own_template_version(client, cast):
    first = cast.template(family="reflection")
    old = cast.response(first, answers={"key_issues": "Rota"})
    first.is_current = False
    first.save()
    cast.template(
        family="reflection",
        version=2,
        questions=[{"key": "key_issues", "type": "long_text", "text": "What mattered most?"}],
    )
    sign_in(client, cast.enid.person.user)

    page = client.get(reverse("form_response_detail", args=[old.pk])).text
    edit = client.get(reverse("form_response_edit", args=[old.pk]))
    new = client.get(new_url(cast))

    assert "What are the key issues that arose?" in page and "Rota" in page
    assert "What mattered most?" not in page
    assert edit.context["form"].template == first
    assert "unexpected" in edit.context["form"].fields
    assert new.context["form"].fields["key_issues"].label == "What mattered most?"


# the end of a mentorship ------------------------------------------------------------------------
def test_a_completed_mentorship_asks_for_feedback_a_plan_and_the_end_survey(cast):
    from mentoring.models import Notification

    cast.template(kind=FormKind.END_FEEDBACK, readers=Readers.COORDINATORS_AGGREGATE)
    cast.template(kind=FormKind.DEVELOPMENT_PLAN, readers=Readers.PAIR)
    cast.template(kind=FormKind.END_SURVEY, readers=Readers.COORDINATORS_AGGREGATE)

    matching_services.end_mentorship(
        mentorship=cast.mentorship, reason=EndReason.COMPLETED, by=None
    )
    cast.mentorship.refresh_from_db()
    cast.mentorship.save()  # saved again: nobody is asked twice

    asked = sorted(
        Notification.objects.filter(kind__startswith="form_").values_list(
            "recipient__email", "kind"
        )
    ) + sorted(
        Notification.objects.filter(kind="survey_end").values_list("recipient__email", "kind")
    )
    assert asked == [
        ("enid@example.nhs.uk", "form_development_plan"),
        ("enid@example.nhs.uk", "form_end_feedback"),
        ("mona@example.nhs.uk", "form_development_plan"),
        ("enid@example.nhs.uk", "survey_end"),
        ("mona@example.nhs.uk", "survey_end"),
    ]


def test_a_mentorship_ended_another_way_asks_only_the_mentee_for_feedback(cast):
    from mentoring.models import Notification

    cast.template(kind=FormKind.END_FEEDBACK, readers=Readers.COORDINATORS_AGGREGATE)
    cast.template(kind=FormKind.DEVELOPMENT_PLAN, readers=Readers.PAIR)
    never_met = pair(cast.scene.mentor("Nina Next"), cast.scene.mentee("Nora New"), met=False)

    matching_services.end_mentorship(
        mentorship=cast.mentorship, reason=EndReason.NOT_CONTINUING, by=None
    )
    matching_services.end_mentorship(
        mentorship=never_met, reason=EndReason.MENTEE_DECLINED, by=None
    )

    assert list(
        Notification.objects.filter(kind__startswith="form_").values_list(
            "recipient__email", "kind"
        )
    ) == [("enid@example.nhs.uk", "form_end_feedback")]
