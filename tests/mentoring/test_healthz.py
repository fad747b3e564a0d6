"""/healthz: 200 when the database and the broker answer, 503 (quickly, without secrets) when not."""

import socket
import time

import pytest
from django.db import OperationalError
from django.urls import reverse

from mentoring.celery import app as celery_app
from mentoring.views import health

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_broker():
    """Tasks go to a broker on a port nobody listens on (with a password that must not leak)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url = f"redis://:hunter2-broker@127.0.0.1:{closed_port()}/0"
    conf.task_always_eager = False
    yield
    conf.broker_url, conf.task_always_eager = saved


def test_it_is_ok_with_the_real_database_and_broker(client, real_database, celery_broker):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_it_counts_eager_tasks_as_healthy_in_the_embedded_mode(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


def test_it_is_unavailable_when_the_broker_cannot_be_reached(client, unreachable_broker):
    started = time.monotonic()
    response = client.get(reverse("healthz"))

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")


def test_it_is_unavailable_when_the_database_fails(client, monkeypatch):
    def refuse():
        raise OperationalError('connection to "db.internal" failed: password=hunter2-db')

    monkeypatch.setattr(health, "_query_database", refuse)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "error: OperationalError",
        "broker": "eager",
    }


def test_it_reveals_no_addresses_or_passwords(client, unreachable_broker, monkeypatch):
    def refuse():
        raise OperationalError('connection to "db.internal" failed: password=hunter2-db')

    monkeypatch.setattr(health, "_query_database", refuse)

    response = client.get(reverse("healthz"))

    text = response.content.decode()
    assert response.status_code == 503
    for secret in ("hunter2", "db.internal", "127.0.0.1", "redis://"):
        assert secret not in text


def test_it_needs_no_login_and_is_not_cached(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_it_rejects_post(client):
    assert client.post(reverse("healthz")).status_code == 405
