"""The report pages: who may see them, the period asked for (and refused), the figures with their
links and definitions, the evaluation's suppression, downloads, and a constant number of queries."""

import datetime

import pytest
from django.urls import reverse

from tests.auth import sign_in
from tests.factories import UserFactory, finance_of
from tests.reporting.history import History
from tests.reporting.test_monitoring import gp_history

pytestmark = pytest.mark.django_db

D = datetime.date
Q4 = "from=2026-01-01&to=2026-03-31"


@pytest.fixture
def history():
    h = gp_history()
    h.other = History()
    return h


def urls(slug: str) -> list[str]:
    return [
        reverse("scheme_report", args=[slug]),
        reverse("scheme_evaluation", args=[slug]),
        reverse("scheme_report_download", args=[slug, "csv"]) + "?" + Q4,
    ]


# who may see what -------------------------------------------------------------------------------
def test_signing_in_is_needed(client, history):
    for url in [reverse("reports_home"), *urls(history.scheme.slug)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["mentee", "finance"])
def test_people_who_do_not_coordinate_are_refused(client, history, who):
    user = UserFactory() if who == "mentee" else finance_of(history.icb)
    sign_in(client, user)
    for url in [reverse("reports_home"), *urls(history.scheme.slug)]:
        assert client.get(url).status_code == 403, url


def test_another_icss_scheme_is_not_found_whatever_is_asked(client, history):
    sign_in(client, history.other.coordinator)
    for url in urls(history.scheme.slug):
        assert client.get(url).status_code == 404, url
        assert client.get(url + ("&" if "?" in url else "?") + "from=x").status_code == 404


def test_a_coordinator_and_a_superuser_open_them(client, history):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    for user in (history.coordinator, superuser):
        sign_in(client, user)
        for url in [reverse("reports_home"), *urls(history.scheme.slug)]:
            assert client.get(url).status_code == 200, (user, url)


def test_the_cross_scheme_view_lists_only_the_coordinators_schemes(client, history):
    second = History(owner=history.icb, name="Second scheme of the ICB")
    sign_in(client, history.coordinator)
    html = client.get(reverse("reports_home") + "?" + Q4).content.decode()
    assert history.scheme.name in html
    assert second.scheme.name in html
    assert history.other.scheme.name not in html


def test_the_menu_offers_reports_to_coordinators_only(client, history):
    sign_in(client, history.coordinator)
    assert reverse("reports_home") in client.get(reverse("home")).content.decode()
    sign_in(client, UserFactory())
    assert reverse("reports_home") not in client.get(reverse("home")).content.decode()


# the period -------------------------------------------------------------------------------------
def test_the_figures_of_the_period_asked_for_with_links_and_definitions(client, history):
    sign_in(client, history.coordinator)
    html = client.get(reverse("scheme_report", args=[history.scheme.slug]) + "?" + Q4)

    text = html.content.decode()
    assert "Q4 2025/26 (January to March 2026)" in text
    assert "In the period" in text and "At the end of the period" in text
    assert "a formal first introductory meeting" in text
    for section in html.context["sections"]:
        for figure in section.figures:
            assert figure.label in text
            if figure.records and figure.value:
                assert figure.records.replace("&", "&amp;") in text
    assert 'role="img"' in text  # the activity chart, with its table
    assert "Matches made" in text


def test_without_dates_it_shows_last_month(client, history):
    sign_in(client, history.coordinator)
    response = client.get(reverse("scheme_report", args=[history.scheme.slug]))
    assert response.status_code == 200
    assert response.context["period"] is not None


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("from=2026-03-31&to=2026-01-01", "to", "The end date must be the same as or after"),
        ("from=2026-02-30&to=2026-03-31", "from", "Enter the start date as a real date"),
        ("from=&to=2026-03-31", "from", "Enter the start date of the period"),
    ],
)
def test_a_wrong_period_is_explained_by_its_box_and_shows_no_figures(
    client, history, query, field, message
):
    sign_in(client, history.coordinator)
    for name in ("scheme_report", "scheme_evaluation"):
        response = client.get(reverse(name, args=[history.scheme.slug]) + "?" + query)
        assert response.status_code == 400
        text = response.content.decode()
        assert message in text
        assert "There is a problem" in text
        assert f'href="#id_{field}' in text
        assert "sections" not in response.context


def test_a_download_for_a_wrong_period_gives_no_file(client, history):
    sign_in(client, history.coordinator)
    url = reverse("scheme_report_download", args=[history.scheme.slug, "csv"])
    for query in ("from=2026-03-31&to=2026-01-01", ""):
        response = client.get(url + "?" + query)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "Content-Disposition" not in response


def test_an_unknown_format_is_not_found(client, history):
    sign_in(client, history.coordinator)
    url = reverse("scheme_report_download", args=[history.scheme.slug, "docx"]) + "?" + Q4
    assert client.get(url).status_code == 404


# downloads --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "format, content_type",
    [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ],
)
def test_each_download_is_a_file_of_its_kind(client, history, format, content_type):
    sign_in(client, history.coordinator)
    url = reverse("scheme_report_download", args=[history.scheme.slug, format]) + "?" + Q4
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "attachment" in response["Content-Disposition"]
    assert history.scheme.slug in response["Content-Disposition"]


# the evaluation ---------------------------------------------------------------------------------
def test_the_evaluation_page_says_fewer_than_5_rather_than_a_small_figure(client, history):
    from tests.reporting.test_evaluation import baseline

    for n in range(3):
        mentee = history.mentee(f"Eva Small{n}", joined_on=D(2025, 10, 1))
        baseline(mentee, 3, on=D(2026, 2, 1))
    sign_in(client, history.coordinator)
    response = client.get(reverse("scheme_evaluation", args=[history.scheme.slug]) + "?" + Q4)

    text = response.content.decode()
    assert response.status_code == 200
    assert "fewer than 5" in text
    assert "No written answers may be shared for this period." in text


# queries ----------------------------------------------------------------------------------------
def test_the_pages_run_a_constant_number_of_queries(client, history, django_assert_max_num_queries):
    sign_in(client, history.coordinator)
    pages = [reverse("reports_home") + "?" + Q4] + [
        u + "?" + Q4 for u in urls(history.scheme.slug)[:2]
    ]
    counts = {}
    for page in pages:
        with django_assert_max_num_queries(40) as captured:
            assert client.get(page).status_code == 200
        counts[page] = len(captured)

    history.busy(pairs=15, on=D(2026, 2, 1))
    for n in range(3):
        History(owner=history.icb, name=f"Another scheme {n}").busy(pairs=3, on=D(2026, 2, 1))
    for page in pages:
        with django_assert_max_num_queries(counts[page]):
            assert client.get(page).status_code == 200, page


# the records behind a figure --------------------------------------------------------------------
def test_the_records_page_of_a_figure_lists_what_was_counted(client, history):
    sign_in(client, history.coordinator)
    response = client.get(reverse("scheme_report", args=[history.scheme.slug]) + "?" + Q4)
    waiting = next(
        f for s in response.context["sections"] for f in s.figures if f.code == "mentees_waiting"
    )
    page = client.get(waiting.records)
    assert page.status_code == 200
    assert page.context["page"].paginator.count == waiting.value
    assert waiting.label in page.content.decode()


def test_the_records_page_refuses_what_it_should(client, history):
    url = reverse("scheme_figure_records", args=[history.scheme.slug, "mentees_waiting"])
    sign_in(client, history.other.coordinator)
    assert client.get(url + "?" + Q4).status_code == 404
    sign_in(client, history.coordinator)
    unknown = reverse("scheme_figure_records", args=[history.scheme.slug, "no_such_figure"])
    assert client.get(unknown + "?" + Q4).status_code == 404
    response = client.get(url + "?from=2026-03-31&to=2026-01-01")
    assert response.status_code == 400
    assert "The end date must be the same as or after" in response.content.decode()


def test_the_records_page_costs_the_same_however_many(
    client, history, django_assert_max_num_queries
):
    sign_in(client, history.coordinator)
    url = reverse("scheme_figure_records", args=[history.scheme.slug, "mentors_enrolled"])
    with django_assert_max_num_queries(30) as captured:
        client.get(url + "?" + Q4)
    history.busy(pairs=15, on=D(2026, 2, 1))
    with django_assert_max_num_queries(len(captured)):
        assert client.get(url + "?" + Q4).status_code == 200
