"""The notifications page lists the signed-in user's own notifications, newest first, 25 a page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Notification
from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_notifications(user, count, *, read=False, subject="Reminder {n}", **fields):
    """``count`` notifications one minute apart, the last one the newest."""
    start = timezone.now() - timedelta(minutes=count)
    made = Notification.objects.bulk_create(
        Notification(
            kind="invitation",
            recipient=user,
            period=f"{subject}-{n}",
            subject=subject.format(n=n),
            summary=f"Summary of {subject.format(n=n)}",
            read_at=timezone.now() if read else None,
            **fields,
        )
        for n in range(count)
    )
    for n, notification in enumerate(made):
        Notification.objects.filter(pk=notification.pk).update(
            created_at=start + timedelta(minutes=n)
        )
    return made


def page_html(client, user, **params) -> str:
    sign_in(client, user)
    response = client.get(reverse("notifications"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_notifications_page_needs_signing_in(client):
    response = client.get(reverse("notifications"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_only_my_own_notifications(client):
    me, someone_else = UserFactory(), UserFactory()
    make_notifications(me, 2, subject="Mine {n}")
    make_notifications(someone_else, 2, subject="Theirs {n}")

    html = page_html(client, me)

    assert "Mine 0" in html and "Mine 1" in html
    assert "Theirs" not in html


def test_it_lists_the_newest_first(client):
    me = UserFactory()
    make_notifications(me, 3, subject="Message {n}")

    html = page_html(client, me)

    assert html.index("Message 2") < html.index("Message 1") < html.index("Message 0")


def test_unread_notifications_are_marked_in_words_not_only_colour(client):
    me = UserFactory()
    make_notifications(me, 1, subject="Old news {n}", read=True)
    make_notifications(me, 1, subject="Fresh news {n}")

    html = page_html(client, me)

    items = html.split('<li class="app-notification')[1:]  # each notification's own markup
    fresh = next(item for item in items if "Fresh news 0" in item)
    old = next(item for item in items if "Old news 0" in item)
    assert ">Unread</strong>" in fresh
    assert "Unread" not in old
    assert "You have 1 unread notification." in html


def test_it_shows_25_a_page_with_pagination(client):
    me = UserFactory()
    make_notifications(me, 30, subject="Item {n:02d}")

    first = page_html(client, me)
    second = page_html(client, me, page=2)

    assert first.count('<li class="app-notification') == 25
    assert "Item 29" in first and "Item 05" in first and "Item 04" not in first
    assert second.count('<li class="app-notification') == 5
    assert "Item 04" in second and "Item 00" in second
    assert 'class="nhsuk-pagination nhsuk-pagination--numbered"' in first
    assert 'href="?page=2" class="nhsuk-pagination__next" rel="next"' in first
    assert 'aria-current="page">2</a>' in second


def test_a_page_number_out_of_range_shows_the_last_page(client):
    me = UserFactory()
    make_notifications(me, 3)

    html = page_html(client, me, page=99)

    assert "Reminder 0" in html


def test_the_query_count_does_not_grow_with_the_number_of_notifications(
    client, django_assert_max_num_queries
):
    me = UserFactory()
    make_notifications(me, 60)
    sign_in(client, me)

    with django_assert_max_num_queries(7):
        client.get(reverse("notifications"))
    with django_assert_max_num_queries(7):
        client.get(reverse("notifications"), {"page": 3})


def test_mark_all_as_read_marks_only_my_own(client):
    me, someone_else = UserFactory(), UserFactory()
    make_notifications(me, 3)
    make_notifications(someone_else, 2)
    sign_in(client, me)

    response = client.post(reverse("notifications"), follow=True)

    assert response.redirect_chain == [(reverse("notifications"), 302)]
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=someone_else, read_at__isnull=True).count() == 2
    html = response.content.decode()
    assert "All your notifications are marked as read." in html
    assert "Unread</strong>" not in html
    assert "Mark all as read" not in html


def test_with_no_notifications_it_says_so(client):
    html = page_html(client, UserFactory())

    assert "You have no notifications." in html
    assert "nhsuk-pagination" not in html


def test_links_are_followed_only_within_the_site(client):
    me = UserFactory()
    make_notifications(me, 1, subject="Inside {n}", link="/me/")
    make_notifications(me, 1, subject="Outside {n}", link="https://evil.example.com/")

    html = page_html(client, me)

    assert '<a href="/me/">Inside 0</a>' in html
    assert "evil.example.com" not in html
    assert "Outside 0" in html
