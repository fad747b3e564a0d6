"""Test-only URLs that fail on purpose, each with a message no error page may show, in front of
the service's own URLs (the error pages link to them)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection, transaction
from django.http import Http404
from django.urls import include, path

SECRET = "leak-7d1f3 /srv/mentoring/settings.py SECRET_KEY=not-for-your-eyes"
BAD_SQL = "SELECT secret_column FROM leak_7d1f3_no_such_table"


def crash(request):
    raise RuntimeError(SECRET)


def bad_sql(request):
    # In a savepoint, so the test's transaction survives the error.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BAD_SQL)


def refuse(request):
    raise PermissionDenied(SECRET)


def missing(request):
    raise Http404(SECRET)


def suspicious(request):
    raise SuspiciousOperation(SECRET)


urlpatterns = [
    path("errors/crash/", crash),
    path("errors/sql/", bad_sql),
    path("errors/refuse/", refuse),
    path("errors/missing/", missing),
    path("errors/suspicious/", suspicious),
    path("", include("mentoring.urls")),
]
