"""What the fuzzing found, kept as plain examples so that each stays fixed whatever the random
search tries next time."""

import time

import pytest
from django.urls import reverse

from mentoring import two_factor
from mentoring.imports import run_import
from mentoring.models import Organisation, RoleAssignment
from sessions_log.models import FormResponse
from tests.auth import sign_in
from tests.factories import UserFactory
from tests.fuzz.test_form_pages import claims_scene, reflection_page
from tests.mentoring.imports import codes_of, errors_of

pytestmark = pytest.mark.django_db


def test_a_repeated_blank_column_name_is_named_as_blank():
    result = run_import(
        "training",
        b",,status,date\nasha.patel@example.nhs.uk,ilm5,completed,2021-06-30\n",
    )
    assert codes_of(result)[0] == (1, "(blank)", "repeated_column")
    assert errors_of(result)[0] == (
        "line 1: (blank): this column appears more than once in the header row."
    )


def test_a_value_too_long_to_read_is_reported_on_its_line_in_plain_words():
    data = b"code,name,kind,parent_code\nQWE,An ICB,icb,\nQRT," + b"x" * 200_000 + b",icb,\n"

    result = run_import("organisations", data)

    assert errors_of(result) == [
        "line 3: row: the file cannot be read as CSV: a value is longer than 131,072 "
        "characters (is a closing quote missing?)."
    ]
    assert not Organisation.objects.exists()


def test_a_null_character_in_an_answer_is_an_error_by_the_question_not_a_server_error(client):
    page = reflection_page(claims_scene())
    sign_in(client, page.user)

    response = client.post(page.url, {"key_issues": "Rota\x00 gaps"})

    assert response.status_code == 200
    assert response.context["form"].errors["key_issues"] == ["Null characters are not allowed."]
    assert 'id="id_key_issues_error"' in response.content.decode()
    assert not FormResponse.objects.exists()


@pytest.mark.parametrize("posted", [" ", "x", "1 OR 1=1"])
def test_granting_a_role_to_something_that_is_not_an_id_says_choose_one(client, posted):
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    session = client.session
    session[two_factor.VERIFIED_AT_SESSION_KEY] = int(time.time())
    session.save()

    response = client.post(
        reverse("admin:mentoring_roleassignment_add"),
        {"user": posted, "role": "coordinator", "organisation": posted},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"user", "organisation"}
    assert not RoleAssignment.objects.exists()
