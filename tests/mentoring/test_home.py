"""The home page shows each role what it can do so far; "My details" shows a person their own
register entry and nobody else's. Also the page layout and the error pages."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.models import FocusArea, Invitation, Notification, Sector
from tests.auth import sign_in
from tests.factories import (
    IcbFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    TrainingRecordFactory,
    UserFactory,
    WorkingRelationshipFactory,
    coordinator_of,
    finance_of,
)

pytestmark = pytest.mark.django_db


def home_html(client, user=None) -> str:
    if user is not None:
        sign_in(client, user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


# Home page, by role


def test_a_visitor_is_told_what_the_service_is_and_offered_sign_in_and_register(client):
    html = home_html(client)

    assert "mentoring schemes" in html.lower()
    assert f'href="{reverse("login")}"' in html
    assert f'href="{reverse("register")}"' in html
    assert "Sign out" not in html


def test_a_coordinator_sees_counts_for_their_own_organisations_only(client):
    icb, elsewhere = IcbFactory(), IcbFactory()
    practice = OrganisationFactory(parent=icb)
    invited = PersonFactory(organisation=practice)
    Invitation.objects.create(user=invited.user, send_count=1)
    accepted = PersonFactory(organisation=icb)
    Invitation.objects.create(user=accepted.user, send_count=1, accepted_at=timezone.now())
    outsider = PersonFactory(organisation=elsewhere)
    Invitation.objects.create(user=outsider.user, send_count=1)
    sign_in(client, coordinator_of(icb))

    response = client.get(reverse("home"))

    assert response.context["coordinator"] == {
        "people": 2,
        "invitations_waiting": 1,
        "organisations": 2,
    }
    html = response.content.decode()
    assert "Coordinating schemes" in html
    for name in (
        "admin:mentoring_person_changelist",
        "admin:mentoring_invitation_changelist",
        "admin:mentoring_organisation_changelist",
        "admin:mentoring_import",
    ):
        assert f'href="{reverse(name)}' in html


def test_a_finance_user_sees_their_organisations_and_that_payments_come_later(client):
    paying, other = IcbFactory(name="North Paying ICB"), IcbFactory(name="South Other ICB")

    html = home_html(client, finance_of(paying))

    assert "North Paying ICB" in html
    assert "South Other ICB" not in html
    assert "payment runs" in html.lower()
    assert "Coordinating schemes" not in html
    assert other.name not in html


def test_a_person_on_the_register_is_pointed_to_their_details_and_notifications(client):
    person = PersonFactory()

    html = home_html(client, person.user)

    assert "Your mentoring" in html
    assert f'href="{reverse("my_details")}"' in html
    assert f'href="{reverse("notifications")}"' in html
    assert "not on a scheme yet" not in html


def test_a_self_registered_user_without_a_register_entry_gets_an_honest_empty_state(client):
    html = home_html(client, UserFactory())

    assert "You are not on a scheme yet" in html
    assert "once its applications open" in html
    assert "Your mentoring" not in html
    assert "Coordinating schemes" not in html


def test_a_superuser_is_offered_the_admin(client):
    html = home_html(client, UserFactory(is_superuser=True, is_staff=True))

    assert "Administration" in html
    assert f'href="{reverse("admin:index")}"' in html
    assert "not on a scheme yet" not in html


def test_someone_with_several_roles_sees_each_of_their_sections(client):
    icb = IcbFactory()
    user = coordinator_of(icb)
    finance_of(icb, email=user.email)
    PersonFactory(user=user, organisation=icb)

    html = home_html(client, user)

    assert "Coordinating schemes" in html
    assert "Finance" in html
    assert "Your mentoring" in html
    assert html.count("<h1") == 1


def test_the_home_page_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    icb = IcbFactory()
    user = coordinator_of(icb)
    finance_of(icb, email=user.email)
    PersonFactory(user=user, organisation=icb)
    PersonFactory.create_batch(5, organisation=icb)
    sign_in(client, user)

    with django_assert_max_num_queries(12):
        client.get(reverse("home"))


# Layout


def test_the_layout_has_a_skip_link_a_single_main_and_british_english(client):
    html = home_html(client, PersonFactory().user)

    assert '<html lang="en-GB">' in html
    assert '<a class="nhsuk-skip-link" data-module="nhsuk-skip-link" href="#maincontent">' in html
    assert html.count('id="maincontent"') == 1
    assert "<title>Home \N{EN DASH} Mentoring schemes</title>" in html
    assert "<script>" not in html and "style=" not in html


def test_signing_out_is_a_form_that_posts_and_admin_is_only_for_staff(client):
    html = home_html(client, PersonFactory().user)
    assert f'action="{reverse("logout")}" method="post"' in html
    assert f'href="{reverse("admin:index")}"' not in html

    staff_html = home_html(client, coordinator_of(IcbFactory()))
    assert f'href="{reverse("admin:index")}"' in staff_html


def test_the_navigation_shows_how_many_notifications_are_unread(client):
    user = UserFactory()
    for number in range(3):
        Notification.objects.create(kind="invitation", recipient=user, period=str(number))

    html = home_html(client, user)

    assert "Notifications (3 unread)" in html


def test_an_unknown_page_is_a_404_in_the_service_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "nhsuk-header" in html


def test_the_500_page_renders_without_a_request_or_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")

    assert "Sorry, there is a problem with the service" in html
    assert "Sign out" not in html
    assert (
        "<title>Sorry, there is a problem with the service \N{EN DASH} Mentoring schemes</title>"
        in html
    )


# My details


def full_person(**kwargs):
    person = PersonFactory(**kwargs)
    person.sectors.add(Sector.objects.create(name=f"Primary care {person.pk}"))
    person.focus_areas.add(FocusArea.objects.create(name=f"Wellbeing {person.pk}"))
    RegistrationFactory(person=person)
    TrainingRecordFactory(person=person)
    return person


def test_my_details_needs_signing_in(client):
    response = client.get(reverse("my_details"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_details_shows_my_own_register_entry_only(client):
    me = full_person(department="Respiratory", work_phone="0113 496 0000")
    boss = PersonFactory(user__first_name="Bernadette", user__last_name="Okafor")
    mentee = PersonFactory(user__first_name="Callum", user__last_name="Ferreira")
    WorkingRelationshipFactory(supervisor=boss, supervisee=me)
    WorkingRelationshipFactory(
        supervisor=me,
        supervisee=mentee,
        kind="clinical_supervisor",
        end_date=datetime.date(2024, 12, 31),
    )
    stranger = full_person(department="Cardiology", work_phone="0207 946 0999")
    sign_in(client, me.user)

    html = client.get(reverse("my_details")).content.decode()

    assert "Respiratory" in html and "0113 496 0000" in html
    assert f"Primary care {me.pk}" in html and f"Wellbeing {me.pk}" in html
    assert me.registrations.get().number in html
    assert "ILM Level 5 in Coaching and Mentoring" in html
    assert "Bernadette Okafor" in html and "Your line manager" in html
    assert "Callum Ferreira" in html and "You are their clinical supervisor" in html
    assert "Cardiology" not in html and "0207 946 0999" not in html
    assert stranger.registrations.get().number not in html
    assert f"Primary care {stranger.pk}" not in html


def test_my_details_without_a_register_entry_is_a_friendly_empty_state(client):
    user = UserFactory(email="just.me@example.nhs.uk")
    sign_in(client, user)

    html = client.get(reverse("my_details")).content.decode()

    assert "You are not on the register" in html
    assert "just.me@example.nhs.uk" in html


def test_my_details_takes_the_same_queries_however_much_is_recorded(client):
    sparse = PersonFactory()
    rich = full_person()
    for other in PersonFactory.create_batch(3):
        WorkingRelationshipFactory(supervisor=other, supervisee=rich)
        WorkingRelationshipFactory(supervisor=rich, supervisee=other, kind="dpp")
    rich.sectors.add(*[Sector.objects.create(name=f"Sector {n}") for n in range(3)])

    sign_in(client, sparse.user)
    with CaptureQueriesContext(connection) as sparse_queries:
        client.get(reverse("my_details"))
    sign_in(client, rich.user)
    with CaptureQueriesContext(connection) as rich_queries:
        client.get(reverse("my_details"))

    assert len(rich_queries) == len(sparse_queries) <= 13
