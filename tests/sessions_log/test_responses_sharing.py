"""Sharing a private reflection with the mentor, and taking it back: only its author, only once
submitted, only a mentee's own form; the mentor is told once, never what it says."""

import pytest
from django.urls import reverse

from mentoring.models import Notification
from sessions_log.models import FormKind
from tests.sessions_log.forms_cast import Cast, sign_in

pytestmark = pytest.mark.django_db

SECRET = "SECRET-ANSWER about my portfolio"


def test_sharing_and_unsharing_opens_and_closes_the_reflection_to_the_mentor(client):
    cast = Cast()
    template = cast.template()
    reflection = cast.response(template)
    detail = reverse("form_response_detail", args=[reflection.pk])
    share = reverse("form_response_share", args=[reflection.pk])
    mentor = cast.users["own_mentor"]

    sign_in(client, mentor)
    before = client.get(detail).status_code
    sign_in(client, cast.users["author"])
    client.post(share, {"share": "yes"})
    sign_in(client, mentor)
    while_shared = client.get(detail)
    sign_in(client, cast.users["author"])
    client.post(share, {"share": "no"})
    client.post(share, {"share": "yes"})
    client.post(share, {"share": "no"})
    sign_in(client, mentor)
    after = client.get(detail).status_code

    assert (before, while_shared.status_code, after) == (404, 200, 404)
    assert SECRET in while_shared.text
    told = Notification.objects.filter(kind="form_shared")
    assert [n.recipient for n in told] == [mentor]  # once, however often it is shared
    assert SECRET not in f"{told[0].subject} {told[0].summary} {told[0].context}"
    reflection.refresh_from_db()
    assert (reflection.shared_with_mentor, reflection.shared_at) == (False, None)


def test_a_draft_is_shared_only_once_submitted(client):
    cast = Cast()
    draft = cast.response(cast.template(), submitted=False)
    sign_in(client, cast.users["author"])

    page = client.post(
        reverse("form_response_share", args=[draft.pk]), {"share": "yes"}, follow=True
    )

    assert "Submit the form before you share it." in page.text
    draft.refresh_from_db()
    assert draft.shared_with_mentor is False


def test_a_mentors_own_form_is_not_shared_with_a_mentor(client):
    cast = Cast()
    structure = cast.response(cast.template(kind=FormKind.MENTOR_STRUCTURE), author=cast.mona)
    sign_in(client, cast.users["own_mentor"])

    page = client.post(reverse("form_response_share", args=[structure.pk]), {"share": "yes"})

    assert page.status_code == 404
