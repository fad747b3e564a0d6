"""The baseline survey, sent when someone is enrolled, and the end-of-programme survey, sent when
they complete: each answered once from the link in its notification, by the enrolled person
only, with the questions of their role; fixed once submitted; read by coordinators only in
aggregate."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Notification
from mentoring.notifications import render
from schemes import services as scheme_services
from sessions_log import responses
from sessions_log.errors_responses import ResponseError, ResponseRefusal
from sessions_log.models import FormKind, FormResponse, Readers
from tests.matching.pairs import Scene
from tests.schemes.factories import ApplicationFactory
from tests.sessions_log.factories import FormTemplateFactory
from tests.sessions_log.forms_cast import sign_in

pytestmark = pytest.mark.django_db

SURVEY_QUESTIONS = [
    {
        "key": "role",
        "type": "single_choice",
        "text": "Are you a mentor or a mentee?",
        "choices": ["Mentor", "Mentee"],
    },
    {
        "key": "confidence_prescribing",
        "type": "scale",
        "text": "How confident do you feel in prescribing?",
        "min": 1,
        "max": 5,
        "required": True,
        "roles": ["mentee"],
    },
    {
        "key": "confidence_mentoring",
        "type": "scale",
        "text": "How confident do you feel as a mentor?",
        "min": 1,
        "max": 5,
        "required": True,
        "roles": ["mentor"],
    },
]


@pytest.fixture
def scene():
    scene = Scene()
    for kind in (FormKind.BASELINE_SURVEY, FormKind.END_SURVEY):
        FormTemplateFactory(
            scheme=scene.scheme,
            kind=kind,
            readers=Readers.COORDINATORS_AGGREGATE,
            title=FormKind(kind).label,
            questions=SURVEY_QUESTIONS,
        )
    return scene


def survey_url(enrolment, kind=FormKind.BASELINE_SURVEY):
    return reverse("survey_response", args=[enrolment.pk, kind])


def test_someone_enrolled_from_their_application_is_sent_the_baseline_survey_once(
    scene, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(
        mentee=True,
        scheme=scene.scheme,
        cohort=scene.others,
        person__user__email="enid@example.nhs.uk",
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        enid = scheme_services.approve_application(
            application=application, decided_by=scene.coordinator
        )
    enid.save()  # saved again: not sent again

    (sent,) = Notification.objects.filter(kind="survey_baseline")
    assert sent.recipient == enid.person.user
    message = render(sent)
    assert survey_url(enid) in message.body
    assert scene.scheme.name in message.subject
    assert message.subject in [m.subject for m in mail.outbox]


def test_an_enrolment_made_without_an_application_finds_the_survey_in_its_forms(client, scene):
    enid = scene.mentee("Enid Mentee")  # as an import or the demo would make it

    listed = sign_in(client, enid.person.user).get(reverse("my_reflections")).text

    assert not Notification.objects.filter(kind="survey_baseline").exists()
    assert f'href="{survey_url(enid)}"' in listed


def test_the_survey_link_opens_for_the_enrolled_person_only(client, scene):
    enid, otto = scene.mentee("Enid Mentee"), scene.mentee("Otto Other")

    as_enid = sign_in(client, enid.person.user).get(survey_url(enid))
    as_otto = sign_in(client, otto.person.user).get(survey_url(enid))
    as_coordinator = sign_in(client, scene.coordinator).get(survey_url(enid))
    client.logout()
    anonymous = client.get(survey_url(enid))

    assert as_enid.status_code == 200
    assert (as_otto.status_code, as_coordinator.status_code) == (404, 404)
    assert anonymous.status_code == 302
    assert "Only you can read your answers." in as_enid.text


def test_a_mentee_answers_the_mentee_questions_once(client, scene):
    enid = scene.mentee("Enid Mentee")
    sign_in(client, enid.person.user)

    page = client.get(survey_url(enid))
    client.post(survey_url(enid), {"action": "submit", "confidence_prescribing": "2"})
    again = client.get(survey_url(enid))

    fields = page.context["form"].fields
    assert "confidence_prescribing" in fields and "confidence_mentoring" not in fields
    answered = FormResponse.objects.get()
    assert (answered.enrolment, answered.mentorship, answered.author) == (enid, None, enid.person)
    assert answered.answers == {"confidence_prescribing": 2}
    assert answered.status == "submitted"
    assert again["Location"] == reverse("form_response_detail", args=[answered.pk])
    edit = client.post(
        reverse("form_response_edit", args=[answered.pk]), {"confidence_prescribing": "5"}
    )
    assert edit["Location"] == reverse("form_response_detail", args=[answered.pk])
    answered.refresh_from_db()
    assert answered.answers == {"confidence_prescribing": 2}


def test_a_mentor_is_asked_the_mentor_questions(client, scene):
    mona = scene.mentor("Mona Mentor")
    sign_in(client, mona.person.user)

    refused = client.post(survey_url(mona), {"action": "submit", "confidence_prescribing": "2"})
    client.post(survey_url(mona), {"action": "submit", "confidence_mentoring": "4"})

    assert refused.status_code == 200
    assert list(refused.context["form"].errors) == ["confidence_mentoring"]
    assert FormResponse.objects.get().answers == {"confidence_mentoring": 4}


def test_a_draft_survey_is_picked_up_where_it_was_left(client, scene):
    enid = scene.mentee("Enid Mentee")
    sign_in(client, enid.person.user)

    client.post(survey_url(enid), {"action": "draft", "role": "Mentee"})
    draft = FormResponse.objects.get()
    back = client.get(survey_url(enid))
    listed = client.get(reverse("my_reflections")).text

    assert draft.status == "draft"
    assert back["Location"] == reverse("form_response_edit", args=[draft.pk])
    assert "Finish the baseline survey for" in listed


def test_the_end_of_programme_survey_opens_only_once_sent(client, scene):
    enid = scene.mentee("Enid Mentee")
    sign_in(client, enid.person.user)
    before = client.get(survey_url(enid, FormKind.END_SURVEY))
    with pytest.raises(ResponseError) as refusal:
        responses.start_survey(
            by=enid.person.user,
            enrolment=enid,
            kind=FormKind.END_SURVEY,
            answers={"confidence_prescribing": 4},
            submit=True,
        )

    scheme_services.leave_scheme(
        enrolment=enid, left_on=timezone.localdate(), kind="completed", reason="Finished."
    )
    after = client.get(survey_url(enid, FormKind.END_SURVEY))
    listed = client.get(reverse("my_reflections")).text

    assert before.status_code == 404
    assert refusal.value.code == ResponseRefusal.SURVEY_NOT_SENT
    assert Notification.objects.filter(kind="survey_end", recipient=enid.person.user).exists()
    assert after.status_code == 200
    assert "Answer the end-of-programme survey for" in listed


def test_leaving_without_completing_sends_no_end_survey(scene):
    enid = scene.mentee("Enid Mentee")

    scheme_services.leave_scheme(
        enrolment=enid, left_on=timezone.localdate(), kind="withdrew", reason="Moved away."
    )

    assert not Notification.objects.filter(kind="survey_end").exists()


def test_surveys_to_answer_disappear_once_answered(client, scene):
    enid = scene.mentee("Enid Mentee")
    sign_in(client, enid.person.user)

    before = client.get(reverse("my_reflections")).text
    client.post(survey_url(enid), {"action": "submit", "confidence_prescribing": "3"})
    after = client.get(reverse("my_reflections")).text

    assert "Answer the baseline survey for" in before
    assert "baseline survey for" not in after


def test_a_survey_answer_is_not_another_kind_of_form(client, scene):
    enid = scene.mentee("Enid Mentee")
    sign_in(client, enid.person.user)

    assert client.get(survey_url(enid, FormKind.POST_SESSION)).status_code == 404
    with pytest.raises(ResponseError) as refusal:
        responses.start_survey(
            by=enid.person.user,
            enrolment=enid,
            kind=FormKind.POST_SESSION,
            answers={},
            submit=False,
        )
    assert refusal.value.code == ResponseRefusal.NOT_A_SURVEY
