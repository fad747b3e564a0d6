"""The mentor register a coordinator sees for each of their schemes: filtered by status,
organisation, focus area and capacity, paginated, in a constant number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import FocusArea
from tests.auth import sign_in
from tests.factories import IcbFactory, OrganisationFactory, PersonFactory, coordinator_of
from tests.schemes.factories import (
    ApplicationFactory,
    MenteeEnrolmentFactory,
    MentorEnrolmentFactory,
    SchemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme():
    return SchemeFactory(owner=IcbFactory())


@pytest.fixture
def coordinator(client, scheme):
    user = coordinator_of(scheme.owner)
    sign_in(client, user)
    return user


def mentor(scheme, first_name, **fields):
    person_fields = {
        k.removeprefix("person__"): v for k, v in fields.items() if k.startswith("person__")
    }
    enrolment_fields = {k: v for k, v in fields.items() if not k.startswith("person__")}
    person = PersonFactory(
        user__first_name=first_name,
        user__last_name="Mentor",
        organisation=person_fields.pop("organisation", None) or OrganisationFactory(),
        **person_fields,
    )
    return MentorEnrolmentFactory(scheme=scheme, person=person, **enrolment_fields)


def names(page: str) -> list[str]:
    """The mentors' names in the register table, in order."""
    return re.findall(r'<th class="nhsuk-table__cell" scope="row"><a [^>]+>([^<]+)</a>', page)


def register(client, scheme, **params) -> str:
    response = client.get(reverse("mentor_register", args=[scheme.slug]), params)
    assert response.status_code == 200
    return response.text


def test_it_lists_the_schemes_mentors_with_the_register_columns(client, coordinator, scheme):
    practice = OrganisationFactory(name="Riverside Surgery")
    mentor(
        scheme,
        "Ada",
        person__organisation=practice,
        capacity=6,
        joined_on=datetime.date(2025, 9, 1),
        eligible_until=datetime.date(2027, 3, 31),
    )
    MenteeEnrolmentFactory(scheme=scheme, person__user__first_name="Mina")
    mentor(SchemeFactory(owner=scheme.owner), "Otto")

    page = register(client, scheme)

    assert names(page) == ["Ada Mentor"]
    for text in ("Riverside Surgery", ">Active</strong>", ">6<", "1 Sep 2025", "31 Mar 2027"):
        assert text in page
    assert "1 mentor" in page


def test_by_default_it_shows_current_mentors_and_can_show_those_who_left(
    client, coordinator, scheme
):
    mentor(scheme, "Ada")
    mentor(scheme, "Bea", paused=True)
    mentor(scheme, "Cal", left=True)

    assert names(register(client, scheme)) == ["Ada Mentor", "Bea Mentor"]
    assert names(register(client, scheme, status="active")) == ["Ada Mentor"]
    assert names(register(client, scheme, status="paused")) == ["Bea Mentor"]
    assert names(register(client, scheme, status="left")) == ["Cal Mentor"]
    assert names(register(client, scheme, status="any")) == [
        "Ada Mentor",
        "Bea Mentor",
        "Cal Mentor",
    ]
    page = register(client, scheme, status="any")
    assert "Paused</strong>" in page and "since 5 Jan 2026" in page
    assert "Left</strong>" in page and "on 31 Jan 2026" in page


def test_it_filters_by_organisation_offering_only_the_mentors_organisations(
    client, coordinator, scheme
):
    riverside = OrganisationFactory(name="Riverside Surgery")
    hillview = OrganisationFactory(name="Hillview Surgery")
    OrganisationFactory(name="Nobody Works Here")
    mentor(scheme, "Ada", person__organisation=riverside)
    mentor(scheme, "Bea", person__organisation=hillview)

    page = register(client, scheme, organisation=riverside.pk)

    assert names(page) == ["Ada Mentor"]
    assert "Hillview Surgery" in page  # still offered in the filter
    assert "Nobody Works Here" not in page


def test_it_filters_by_focus_area_on_the_register_or_the_application(client, coordinator, scheme):
    leadership = FocusArea.objects.create(name="Leadership")
    wellbeing = FocusArea.objects.create(name="Wellbeing")
    ada = mentor(scheme, "Ada")
    ada.person.focus_areas.set([leadership, wellbeing])
    bea = mentor(scheme, "Bea")
    bea.application = ApplicationFactory(
        scheme=scheme, person=bea.person, status="approved", focus_areas=[leadership]
    )
    bea.save()
    mentor(scheme, "Cal").person.focus_areas.set([wellbeing])

    assert names(register(client, scheme, focus_area=leadership.pk)) == ["Ada Mentor", "Bea Mentor"]
    assert names(register(client, scheme, focus_area=wellbeing.pk)) == ["Ada Mentor", "Cal Mentor"]


def test_it_filters_by_capacity(client, coordinator, scheme):
    mentor(scheme, "Ada", capacity=4)
    mentor(scheme, "Bea", capacity=6)
    mentor(scheme, "Cal", capacity=8)

    page = register(client, scheme, capacity=6)

    assert names(page) == ["Bea Mentor", "Cal Mentor"]
    assert "2 mentors match your filters" in page


def test_filters_combine(client, coordinator, scheme):
    riverside = OrganisationFactory()
    mentor(scheme, "Ada", capacity=8, person__organisation=riverside)
    mentor(scheme, "Bea", capacity=4, person__organisation=riverside)
    mentor(scheme, "Cal", capacity=8)

    assert names(register(client, scheme, organisation=riverside.pk, capacity=5)) == ["Ada Mentor"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"capacity": "lots"}, "capacity", "Enter the number of mentees as a whole number, like 4"),
        ({"capacity": "-1"}, "capacity", "The number of mentees cannot be less than 0"),
        ({"status": "retired"}, "status", "Select a status from the list"),
        ({"organisation": "999999"}, "organisation", "Select an organisation from the list"),
    ],
)
def test_a_bad_filter_is_explained_by_its_field(
    client, coordinator, scheme, params, field, message
):
    mentor(scheme, "Ada")

    page = register(client, scheme, **params)

    assert f'id="id_{field}_error"' in page
    assert message in page
    assert "There is a problem" in page
    assert "<title>Error: " in page


def test_the_filter_form_is_an_accessible_get_form(client, coordinator, scheme):
    page = register(client, scheme)

    start = page.index('<form method="get"')
    form = page[start : page.index("</form>", start)]
    for field, label in (
        ("status", "Status"),
        ("organisation", "Organisation"),
        ("focus_area", "Focus area"),
        ("capacity", "Takes at least this many mentees"),
    ):
        assert re.search(rf'<label class="nhsuk-label[^"]*" for="id_{field}">\s*{label}', form)
    assert '<button class="nhsuk-button nhsuk-button--secondary"' in form
    assert 'type="submit">Apply filters</button>' in form
    assert 'role="status"' in page


def test_the_results_count_is_in_the_title_and_announced(client, coordinator, scheme):
    for name in ("Ada", "Bea", "Cal"):
        mentor(scheme, name, capacity=8)

    page = register(client, scheme, capacity=8)

    assert "<title>Mentor register: 3 mentors" in page
    assert re.search(r'role="status">\s*3 mentors found\.', page)


def test_an_empty_register_says_how_mentors_join(client, coordinator, scheme):
    page = register(client, scheme)

    assert "No one is on the scheme as a mentor yet." in page


def test_pages_keep_the_filters(client, coordinator, scheme):
    riverside = OrganisationFactory()
    for n in range(30):
        mentor(scheme, f"Mentor{n:02d}", capacity=6, person__organisation=riverside)

    page = register(client, scheme, capacity=5)
    second = register(client, scheme, capacity=5, page=2)

    assert len(names(page)) == 25
    assert len(names(second)) == 5
    assert 'href="?capacity=5&amp;page=2"' in page
    assert "Showing 26 to 30 of 30." in second


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_register_takes_a_constant_number_of_queries(
    client, coordinator, scheme, django_assert_max_num_queries
):
    areas = [FocusArea.objects.create(name=f"Area {n}") for n in range(3)]

    def add_mentors(n):
        for _ in range(n):
            enrolment = mentor(scheme, "M", person__organisation=OrganisationFactory())
            enrolment.person.focus_areas.set(areas)

    url = reverse("mentor_register", args=[scheme.slug]) + f"?focus_area={areas[0].pk}"
    add_mentors(5)
    with_five = count_queries(client, url)
    add_mentors(45)

    with django_assert_max_num_queries(with_five):
        page = client.get(url).text
    assert "50 mentors match your filters" in page
    assert len(names(page)) == 25
