"""The PostgreSQL connection's settings: JIT off unless a deployment asks for it."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_postgresql_runs_this_apps_queries_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
