"""``/healthz``: is this web process able to do its job? For load balancers, Docker and monitoring.

Checks the database (a trivial query) and the Celery broker (a connection with a short timeout, so
the check never hangs). In the embedded mode tasks run in-process, so there is no broker to reach
and "eager" counts as healthy. Errors name only the exception type: details such as host names and
passwords go to the server log, never into a response anyone can read.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mentoring.celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def _query_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _connect_to_broker() -> None:
    options = {"socket_connect_timeout": BROKER_TIMEOUT_SECONDS, "socket_timeout": 2}
    with celery_app.connection_for_write(
        connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=options
    ) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)


def database_status() -> str:
    try:
        _query_database()
    except Exception as exc:
        logger.warning("Health check: database unavailable", exc_info=True)
        return f"error: {type(exc).__name__}"
    return "ok"


def broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "eager"
    try:
        _connect_to_broker()
    except Exception as exc:
        logger.warning("Health check: Celery broker unavailable", exc_info=True)
        return f"error: {type(exc).__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    database = database_status()
    broker = broker_status()
    healthy = database == "ok" and broker in ("ok", "eager")
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
