"""Each person chooses which optional reminders are e-mailed, and one by one or in a daily digest."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from mentoring.models import NotificationPreference
from mentoring.notifications import KINDS, optional_kinds
from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("notification_settings")


def test_it_needs_signing_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_every_optional_kind_is_offered_by_its_label_and_ticked_by_default(client):
    sign_in(client, UserFactory())
    html = client.get(URL).content.decode()

    kinds = optional_kinds()
    assert kinds, "the apps register optional reminders"
    for kind in kinds:
        assert kind.label, f"{kind.code} needs a label for this page"
        assert f'value="{kind.code}"' in html
        assert escape(kind.label) in html
    assert html.count("checked") >= len(kinds) + 1  # every kind, and "each as it happens"
    for code in ("password_reset", "invitation", "claim_approved"):
        assert f'value="{code}"' not in html, "essential kinds are not offered"


def test_saving_turns_off_the_unticked_and_chooses_the_digest(client):
    user = UserFactory()
    sign_in(client, user)
    kinds = [k.code for k in optional_kinds()]
    keep = kinds[:1]

    response = client.post(URL, {"delivery": "daily", "wanted": keep}, follow=True)

    assert "Your notification settings are saved." in response.content.decode()
    preference = NotificationPreference.objects.get(user=user)
    assert preference.delivery == "daily"
    assert sorted(preference.muted) == sorted(set(kinds) - set(keep))
    form = client.get(URL).context["form"]
    assert form["delivery"].value() == "daily"
    assert sorted(form["wanted"].value()) == sorted(keep)


def test_saving_again_replaces_the_earlier_choice(client):
    user = UserFactory()
    sign_in(client, user)
    client.post(URL, {"delivery": "daily", "wanted": []})
    client.post(URL, {"delivery": "each", "wanted": [k.code for k in optional_kinds()]})

    preference = NotificationPreference.objects.get(user=user)
    assert (preference.delivery, preference.muted) == ("each", [])


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"wanted": []}, "delivery", "Choose how we should e-mail your reminders"),
        ({"delivery": "hourly"}, "delivery", "Select a valid choice"),
        ({"delivery": "each", "wanted": ["password_reset"]}, "wanted", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_by_the_field_and_changes_nothing(client, data, field, message):
    user = UserFactory()
    NotificationPreference.objects.create(user=user, delivery="daily", muted=["x"])
    sign_in(client, user)

    response = client.post(URL, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    assert f'href="#id_{field}' in html
    assert response.context["form"].errors[field]
    preference = NotificationPreference.objects.get(user=user)
    assert (preference.delivery, preference.muted) == ("daily", ["x"])


def test_the_notifications_page_links_to_the_settings(client):
    sign_in(client, UserFactory())
    assert URL in client.get(reverse("notifications")).content.decode()


def test_each_optional_kind_says_what_it_is_and_every_kind_has_templates():
    from django.template.loader import get_template

    for kind in KINDS.values():
        if kind.code.startswith("test_"):
            continue
        get_template(f"{kind.template}.txt")
        get_template(f"{kind.template}.html")
