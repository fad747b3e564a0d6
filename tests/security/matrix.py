"""The machinery of the permission matrix (``test_permission_matrix*.py``): the URLconf's
patterns, a row of expected answers, what a response answers, the world and a signed-in client
for each role.

Expectations: a status code, or
  ``L`` — sent to sign in (302 to the login page, with ``next``);
  ``A`` — sent to the admin's sign-in (302 to admin:login, with ``next``);
  ``F`` — sent to a two-factor page first (to confirm it is them before an export);
  ``R`` — any other redirect (a page that sends the user on, e.g. the admin login to the index).
"""

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.auth import sign_in
from tests.security.world import ROLES, World

LOGIN, ADMIN_LOGIN, TWO_FACTOR, REDIRECT = "L", "A", "F", "R"
STAFF = ("other_coordinator", "coordinator", "finance", "superuser")
DUMP = os.environ.get("PERMISSION_MATRIX_DUMP")  # print what each pattern answers, to review
ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history")


# the URLconf -----------------------------------------------------------------------------------
def url_patterns(patterns=None, prefix="", namespace=None):
    """(key, route) for every pattern: its ``namespace:name``, or its route if it has no name."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = pattern.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield name or route, route


# rows -----------------------------------------------------------------------------------------
@dataclass
class Row:
    """The expected answer for each of ROLES (space-separated, in order), and the URL's kwargs
    (a function of the world) and query string."""

    expect: str
    kwargs: object = None
    query: str = ""
    path: object = None  # for an unnamed pattern: a function of the world giving the path
    expected: dict = field(init=False)

    def __post_init__(self):
        tokens = self.expect.split()
        assert len(tokens) == len(ROLES), f"{self.expect!r} needs {len(ROLES)} answers"
        if DUMP:
            tokens = ["x"] * len(ROLES)
        self.expected = {
            role: int(token) if token.isdigit() else token
            for role, token in zip(ROLES, tokens, strict=True)
        }

    def url(self, key: str, world: World) -> str:
        if self.path is not None:
            url = self.path(world)
        else:
            url = reverse(key, kwargs=self.kwargs(world) if self.kwargs else None)
        return f"{url}?{self.query}" if self.query else url


# checking -------------------------------------------------------------------------------------
def fetch(client, url: str) -> int | str:
    """What a GET of ``url`` answers: see ``answer``; an exception is named, not raised, so one
    broken page does not hide the rest of the matrix."""
    try:
        return answer(client.get(url))
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"[:200]


def answer(response) -> int | str:
    """The status, or L / A / R for a redirect to the login page, the admin's, or elsewhere."""
    if response.status_code != 302:
        return response.status_code
    location = urlsplit(response["Location"])
    if location.path == reverse("login") and "next=" in location.query:
        return LOGIN
    if location.path == reverse("admin:login") and "next=" in location.query:
        return ADMIN_LOGIN
    if location.path.startswith("/accounts/two-factor/"):
        return TWO_FACTOR
    return REDIRECT


@pytest.fixture(scope="module", name="world")
def world_fixture(django_db_setup, django_db_blocker, tmp_path_factory):
    """Made once for the module (its uploads in a temporary media folder); every test's changes
    are rolled back with it."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield World()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(name="clients")
def clients_fixture(world):
    """A test client for each role, signed in (staff with a verified second factor)."""
    made = {}
    for role in ROLES:
        client = Client()
        user = world.users[role]
        if user is not None:
            sign_in(client, user)
        made[role] = client
    return made


def mismatches(rows: dict, world, clients) -> list[str]:
    found, dump = [], []
    for key, row in rows.items():
        url = row.url(key, world)
        got = {role: fetch(clients[role], url) for role in ROLES}
        if DUMP:
            dump.append(f'    "{key}": Row("{" ".join(str(got[r]) for r in ROLES)}"),  # {url}')
        for role in ROLES:
            if got[role] != row.expected[role]:
                found.append(
                    f"{key} ({url}) as {role}: expected {row.expected[role]}, got {got[role]}"
                )
    if DUMP:
        print("\n".join(dump))
    return found


# the admin's model pages ---------------------------------------------------------------------
def registered_models():
    return {model._meta.label_lower: model for model in admin.site._registry}


def admin_model_rows() -> dict:
    """The keys of the pages the admin makes for each registered model."""
    rows = {}
    for label, model in registered_models().items():
        app, name = model._meta.app_label, model._meta.model_name
        for view in ADMIN_VIEWS:
            rows[f"admin:{app}_{name}_{view}"] = (label, view)
        rows[f"admin/{app}/{name}/<path:object_id>/"] = (label, "redirect")
    return rows
