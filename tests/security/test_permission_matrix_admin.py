"""The admin's pages for every registered model × every kind of staff user → the expected answer.

Each registered ModelAdmin's changelist, add, change, delete and history pages, and its old-style
object URL, are asked for the model's record in the world (ICS A's, or a shared list's). Each
model names, for each staff role, one access level (``READ``, ``OUT``, ``NONE``, …) fixing its
six answers; another ICS's coordinator gets 404 for a record that is not theirs wherever they may
otherwise use the model. A model registered without a row here fails the test. The URL patterns
these pages make are listed by ``tests.security.matrix.admin_model_rows`` for the every-pattern
check in ``test_permission_matrix``.

A module of its own so that the suite's workers run it beside the page matrix.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from tests.security.matrix import (  # noqa: F401  (fixtures)
    ADMIN_LOGIN,
    ADMIN_VIEWS,
    DUMP,
    STAFF,
    clients_fixture,
    fetch,
    registered_models,
    world_fixture,
)

pytestmark = pytest.mark.django_db


# the admin ------------------------------------------------------------------------------------


@dataclass
class AdminModel:
    """A registered model: its record in the world and each staff role's statuses for its
    changelist, add, change, delete and history pages (in that order)."""

    record: object
    access: dict

    def url(self, model, view: str, world) -> str:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
        if view in ("changelist", "add"):
            return reverse(name)
        return reverse(name, args=[self.record(world).pk])

    def expected(self, role: str) -> list:
        if role not in STAFF:
            return [ADMIN_LOGIN] * (len(ADMIN_VIEWS) + 1)
        return [int(t) if t.isdigit() else t for t in self.access[role].split()]


def attr(name):
    return lambda w: getattr(w, name)


# Each staff role's answers for a model's changelist, add, change, delete and history pages, and
# the old-style object URL (a redirect to its change page for staff).
ALL = "200 200 200 200 200 R"  # everything (a superuser, where the admin allows it)
KEEP = "200 200 200 403 200 R"  # view, add and change; never delete
EDIT = "200 200 200 200 200 R"  # view, add, change and delete in their scope
READ = "200 403 200 403 200 R"  # read-only
OUT_ADD = "200 200 404 404 404 R"  # may add in their own scope; this record is not theirs: 404
OUT = "200 403 404 404 404 R"  # a list of their own scope; this record is not theirs: 404
NO_SCOPED = "403 403 404 404 404 R"  # no permission, and the record is outside their scope
NONE = "403 403 403 403 403 R"  # no permission at all (superusers' models)


def staff(other_coordinator, coordinator, finance, superuser) -> dict:
    return dict(zip(STAFF, (other_coordinator, coordinator, finance, superuser), strict=True))


COORDINATORS_KEEP = staff(OUT_ADD, KEEP, NO_SCOPED, ALL)
COORDINATORS_READ = staff(OUT, READ, NO_SCOPED, READ)
SUPERUSERS_ONLY = staff(NONE, NONE, NONE, ALL)
SUPERUSERS_READ = staff(NONE, NONE, NONE, READ)
TERMS = staff(KEEP, KEEP, NONE, ALL)  # the shared lists of sectors, scopes and focus areas

ADMIN_MODELS = {
    "auth.group": AdminModel(attr("group"), SUPERUSERS_ONLY),
    "otp_totp.totpdevice": AdminModel(attr("totp"), SUPERUSERS_ONLY),
    "otp_static.staticdevice": AdminModel(attr("static"), SUPERUSERS_ONLY),
    "axes.accessattempt": AdminModel(attr("access_attempt"), SUPERUSERS_READ),
    "axes.accessfailurelog": AdminModel(attr("access_failure"), SUPERUSERS_READ),
    "auditlog.logentry": AdminModel(attr("change"), COORDINATORS_READ),
    "mentoring.accessevent": AdminModel(attr("access_event"), COORDINATORS_READ),
    "mentoring.organisation": AdminModel(attr("organisation"), staff(OUT_ADD, KEEP, OUT, ALL)),
    "mentoring.sector": AdminModel(attr("sector"), TERMS),
    "mentoring.scopeofpractice": AdminModel(attr("scope_of_practice"), TERMS),
    "mentoring.focusarea": AdminModel(attr("focus_area"), TERMS),
    "mentoring.person": AdminModel(lambda w: w.mona.person, COORDINATORS_KEEP),
    "mentoring.professionalregistration": AdminModel(attr("registration"), COORDINATORS_KEEP),
    "mentoring.trainingrecord": AdminModel(attr("training"), staff(OUT_ADD, EDIT, NO_SCOPED, ALL)),
    "mentoring.workingrelationship": AdminModel(
        attr("relationship"), staff(OUT_ADD, EDIT, NO_SCOPED, ALL)
    ),
    "mentoring.invitation": AdminModel(
        attr("invitation"), staff(OUT, READ, NO_SCOPED, "200 403 200 200 200 R")
    ),
    "mentoring.roleassignment": AdminModel(attr("role_assignment"), SUPERUSERS_ONLY),
    "mentoring.user": AdminModel(lambda w: w.mona.person.user, SUPERUSERS_ONLY),
    "mentoring.notification": AdminModel(attr("notification"), COORDINATORS_READ),
    # Job runs are the same for every ICS; their per-scheme counts show to superusers only.
    "mentoring.jobrun": AdminModel(attr("job_run"), staff(READ, READ, NONE, READ)),
    "schemes.scheme": AdminModel(attr("scheme"), COORDINATORS_KEEP),
    "schemes.application": AdminModel(attr("application"), COORDINATORS_READ),
    "schemes.enrolment": AdminModel(attr("mona"), COORDINATORS_READ),
    "schemes.eligibilitycheck": AdminModel(attr("check"), COORDINATORS_READ),
    "schemes.ratecard": AdminModel(attr("rate_card"), staff(OUT, READ, KEEP, KEEP)),
    "matching.matchingpolicy": AdminModel(attr("policy"), COORDINATORS_KEEP),
    "matching.matchinground": AdminModel(attr("round"), staff(OUT_ADD, KEEP, NO_SCOPED, KEEP)),
    "matching.mentorship": AdminModel(attr("pair"), staff(OUT_ADD, KEEP, NO_SCOPED, KEEP)),
    "matching.conflictflag": AdminModel(attr("flag"), COORDINATORS_READ),
    "matching.rematchrequest": AdminModel(attr("rematch"), COORDINATORS_READ),
    "sessions_log.formresponse": AdminModel(attr("reflection"), COORDINATORS_READ),
    "sessions_log.mentoringsession": AdminModel(attr("session"), COORDINATORS_READ),
    "sessions_log.employerconfirmation": AdminModel(attr("confirmation"), COORDINATORS_READ),
    "sessions_log.formtemplate": AdminModel(attr("reflection_template"), COORDINATORS_READ),
    "reimbursement.claim": AdminModel(attr("claim"), staff(OUT, READ, READ, READ)),
    "reimbursement.paymentrun": AdminModel(
        attr("approved_run"), staff(NO_SCOPED, NO_SCOPED, READ, READ)
    ),
    "reimbursement.adjustment": AdminModel(
        attr("adjustment"), staff(NO_SCOPED, NO_SCOPED, KEEP, KEEP)
    ),
    "reimbursement.budgetallocation": AdminModel(attr("budget"), staff(OUT, READ, KEEP, KEEP)),
}


# Without staff rights everyone is sent to the admin's sign-in before any model page is looked
# at (``AdminSite.admin_view``): the model pages are asked as the anonymous visitor and as a
# mentor; every role is asked the admin's own pages above, the index among them.
ADMIN_MODEL_ROLES = ("anonymous", "mentor", *STAFF)


def test_who_gets_what_from_each_admin_model_page(world, clients):
    models = registered_models()
    unknown = sorted(set(models) - set(ADMIN_MODELS))
    stale = sorted(set(ADMIN_MODELS) - set(models))
    assert not unknown and not stale, (
        f"registered in the admin without a row in ADMIN_MODELS: {unknown}\n"
        f"rows in ADMIN_MODELS for models no longer registered: {stale}"
    )
    found, dump = [], []
    for label, model in sorted(models.items()):
        row = ADMIN_MODELS[label]
        got = {role: [] for role in ADMIN_MODEL_ROLES}
        for view in ADMIN_VIEWS:
            url = row.url(model, view, world)
            for role in ADMIN_MODEL_ROLES:
                got[role].append(fetch(clients[role], url))
        legacy = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{row.record(world).pk}/"
        for role in ADMIN_MODEL_ROLES:
            got[role].append(fetch(clients[role], legacy))
        if DUMP:
            dump.append(
                f'    "{label}": '
                + ", ".join(f'"{r}": "{" ".join(map(str, got[r]))}"' for r in STAFF)
            )
            continue
        for role in ADMIN_MODEL_ROLES:
            expected = row.expected(role)
            if got[role] != expected:
                found.append(f"{label} as {role}: expected {expected}, got {got[role]}")
    if DUMP:
        print("\n".join(dump))
    assert not found, "\n".join(found)
