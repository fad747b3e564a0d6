"""Every URL pattern × every kind of user → the expected answer to a GET.

The URLconf is walked (included apps and the admin site too); a pattern without a row here, or a
row for a pattern that no longer exists, fails the suite — so no new page ships unguarded. Each
row's URL points at a record of the world (``tests.security.world``), which belongs to ICS A, to
Mona (mentor) and Enid (mentee); so the columns "other_mentee", "other_mentor" (Otto and Olga, a
pair on the same scheme) and "other_coordinator" (ICS B) ask for someone else's record, and must
get 404 — not 403, not 200 — wherever the URL names a record that is not theirs.

Expectations are a status code or L / A / F / R for a redirect (see ``tests.security.matrix``).

The admin's own pages (index, login, logout, password change, app list, autocomplete, jsi18n,
view on site, the custom pages) have rows here; its model pages are checked per registered
ModelAdmin in ``test_permission_matrix_admin``.

Every view that changes something is also sampled with a POST from someone who may not: it is
refused as expected and not one row of any table changes; where it is simple to, the same POST
from someone who may is shown to change something, so the refusal is not a malformed request.

The whole matrix runs in one test per area with one world, collecting every mismatch into one
message, so a failure lists all of them at once. ``PERMISSION_MATRIX_DUMP=1`` prints what each
pattern answers, in the rows' own syntax, for reviewing a new page's row.
"""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import reverse

from tests.security.matrix import (  # noqa: F401  (fixtures)
    REDIRECT,
    TWO_FACTOR,
    Row,
    admin_model_rows,
    answer,
    clients_fixture,
    mismatches,
    url_patterns,
    world_fixture,
)

pytestmark = pytest.mark.django_db


def pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def slug(w):
    return {"slug": w.scheme.slug}


def run_ref(w):
    return {"reference": w.approved_run.reference}


PERIOD = "from=2024-04-01&to=2099-03-31"

#                 anon mentee mentor o_mentee o_mentor o_coord coord finance super
PAGES = {
    # mentoring: home, accounts, notifications, media -------------------------------------------
    "home": Row("200 200 200 200 200 200 200 200 200"),
    "my_details": Row("L 200 200 200 200 200 200 200 200"),
    "my_record_views": Row("L 200 200 200 200 200 200 200 200"),
    "my_data": Row("L 200 200 200 200 200 200 200 200"),
    "my_data_json": Row("L 200 200 200 200 200 200 200 200"),
    "my_data_pdf": Row("L 200 200 200 200 200 200 200 200"),
    "two_factor_verify": Row("L F F F F R R R R"),
    "two_factor_setup": Row("L 200 200 200 200 200 200 200 200"),
    "two_factor_backup_codes": Row("L F F F F 200 200 200 200"),
    "two_factor_confirm": Row("L F F F F 200 200 200 200"),
    "healthz": Row("200 200 200 200 200 200 200 200 200"),
    "login": Row("200 R R R R R R R R"),
    "logout": Row("405 405 405 405 405 405 405 405 405"),
    "register": Row("200 R R R R R R R R"),
    "verify_email": Row("200 200 200 200 200 200 200 200 200", lambda w: {"token": w.verify_token}),
    "accept_invitation": Row(
        "200 200 200 200 200 200 200 200 200", lambda w: {"token": w.invitation_token}
    ),
    "password_reset": Row("200 200 200 200 200 200 200 200 200"),
    "password_reset_done": Row("200 200 200 200 200 200 200 200 200"),
    "password_reset_confirm": Row(
        "200 200 200 200 200 200 200 200 200", lambda w: {"uidb64": "MQ", "token": "set-password"}
    ),
    "password_reset_complete": Row("200 200 200 200 200 200 200 200 200"),
    "notifications": Row("L 200 200 200 200 200 200 200 200"),
    "notification_settings": Row("L 200 200 200 200 200 200 200 200"),
    "protected_media": Row(
        "L 404 200 404 404 404 200 404 200", lambda w: {"path": w.evidence_path}
    ),
    # schemes -----------------------------------------------------------------------------------
    "scheme_list": Row("L 200 200 200 200 200 200 200 200"),
    "scheme_detail": Row("L 200 200 200 200 200 200 200 200", slug),
    "scheme_apply": Row(
        "L 200 200 200 200 200 200 200 200", lambda w: {"slug": w.scheme.slug, "role": "mentor"}
    ),
    "mentor_register": Row("L 404 404 404 404 404 200 404 200", slug),
    "mentor_profiles": Row("L 200 404 200 404 404 200 404 200", slug),
    "application_detail": Row("L 200 404 404 404 404 404 404 404", pk("application")),
    # matching ----------------------------------------------------------------------------------
    "mentorships": Row("L 200 200 200 200 200 200 200 200"),
    "mentorship_detail": Row("L 200 200 404 404 404 404 404 404", pk("pair")),
    "mentorship_respond": Row("L 405 405 405 405 405 405 405 405", pk("pair")),
    "mentorship_rematch": Row("L 200 404 404 404 404 404 404 404", pk("pair")),
    "mentorship_not_continuing": Row("L 200 200 404 404 404 404 404 404", pk("pair")),
    "availability": Row("L 404 200 404 200 404 404 404 404", slug),
    "shortlist": Row("L 200 404 200 404 404 404 404 404", slug),
    # sessions ----------------------------------------------------------------------------------
    "mentorship_sessions": Row("L 200 200 404 404 404 404 404 404", pk("pair")),
    "session_plan": Row("L 404 200 404 404 404 404 404 404", pk("pair")),
    "session_detail": Row("L 200 200 404 404 404 404 404 404", pk("session")),
    "session_edit": Row("L 404 200 404 404 404 404 404 404", pk("session")),
    "session_log": Row("L 404 200 404 404 404 404 404 404", pk("session")),
    "session_record": Row("L 200 200 404 404 404 404 404 404", pk("session")),
    "session_action_new": Row("L 404 200 404 404 404 404 404 404", pk("session")),
    "session_action_done": Row("L 405 405 405 405 405 405 405 405", pk("action")),
    "session_private_note": Row("L 404 200 404 404 404 404 404 404", pk("session")),
    "session_lock": Row("L 405 405 405 405 405 405 405 405", pk("session")),
    "session_unlock": Row("L 405 405 405 405 405 405 405 405", pk("session")),
    "session_delete": Row("L 404 200 404 404 404 404 404 404", pk("session")),
    "session_calendar": Row("L 200 200 404 404 404 404 404 404", pk("session")),
    "employer_confirmation": Row("L 404 404 404 404 404 404 404 404", pk("confirmation")),
    # forms -------------------------------------------------------------------------------------
    "mentorship_forms": Row(
        "L 200 200 404 404 404 404 404 404", lambda w: {"mentorship_id": w.pair.pk}
    ),
    "form_response_new": Row(
        "L 200 404 404 404 404 404 404 404",
        lambda w: {"mentorship_id": w.pair.pk, "kind": "post_session"},
    ),
    "form_response_detail": Row("L 200 200 404 404 404 404 404 404", pk("reflection")),
    "form_response_edit": Row("L 200 404 404 404 404 404 404 404", pk("reflection")),
    "form_response_share": Row("L 405 405 405 405 405 405 405 405", pk("reflection")),
    "survey_response": Row(
        "L 200 404 404 404 404 404 404 404",
        lambda w: {"enrolment_id": w.enid.pk, "kind": "baseline_survey"},
    ),
    "my_reflections": Row("L 200 200 200 200 200 200 200 200"),
    "my_reflections_pdf": Row("L 200 200 200 200 200 200 200 200"),
    # claims and finance ------------------------------------------------------------------------
    "my_claims": Row("L 200 200 200 200 200 200 200 200"),
    "claim_new": Row("L 403 200 403 200 403 403 403 403"),
    "claim_detail": Row("L 404 200 404 404 404 404 404 404", pk("claim")),
    "finance_home": Row("L 403 403 403 403 403 403 200 200"),
    "payment_run_detail": Row("L 404 404 404 404 404 404 200 200", run_ref),
    "payment_run_csv": Row("L 404 404 404 404 404 404 200 200", run_ref),
    "payment_run_xlsx": Row("L 404 404 404 404 404 404 200 200", run_ref),
    "payment_run_pdf": Row("L 404 404 404 404 404 404 200 200", run_ref),
    "ledger_csv": Row("L 404 404 404 404 404 404 200 200", slug),
    "my_remittances": Row("L 200 200 200 200 200 200 200 200"),
    "my_remittance_pdf": Row("L 404 200 404 404 404 404 404 404", run_ref),
    # reports -----------------------------------------------------------------------------------
    "reports_home": Row("L 403 403 403 403 200 200 403 200"),
    "scheme_report": Row("L 403 403 403 403 404 200 403 200", slug),
    "scheme_evaluation": Row("L 403 403 403 403 404 200 403 200", slug),
    "scheme_figure_records": Row(
        "L 403 403 403 403 404 200 403 200",
        lambda w: {"slug": w.scheme.slug, "code": "mentors_active"},
        query=PERIOD,
    ),
    "scheme_report_download": Row(
        "L 403 403 403 403 404 200 403 200",
        lambda w: {"slug": w.scheme.slug, "format": "csv"},
        query=PERIOD,
    ),
}


def test_every_url_pattern_has_a_row_and_every_row_a_pattern():
    patterns = {key for key, _ in url_patterns()}
    rows = set(PAGES) | set(admin_rows())
    missing = sorted(patterns - rows)
    stale = sorted(rows - patterns)
    assert not missing and not stale, (
        f"URL patterns without a row in the permission matrix: {missing}\n"
        f"rows for patterns that no longer exist: {stale}"
    )


PERSONAL_KWARGS = {"pk", "mentorship_id", "enrolment_id", "reference", "path"}
SOMEONE_ELSE = ("other_mentee", "other_mentor", "other_coordinator")


def test_someone_elses_records_are_not_found_in_the_matrix(world):
    """Every page naming a personal record (a mentorship, session, form, claim, run, remittance,
    file, …) of Mona's or Enid's answers another mentor, another mentee and another ICS's
    coordinator 404 — or 405 to a GET of a POST-only address, which says nothing of the record,
    or sends them to confirm who they are first (F), after which they get the 404."""
    wrong = []
    for key, row in PAGES.items():
        if row.kwargs is None or not PERSONAL_KWARGS & set(row.kwargs(world)):
            continue
        for role in SOMEONE_ELSE:
            if row.expected[role] not in (404, 405, TWO_FACTOR):
                wrong.append(f"{key} as {role}: {row.expected[role]}")
    assert not wrong, "someone else's record must be a 404:\n" + "\n".join(wrong)


def test_who_gets_what_from_each_page(world, clients):
    found = mismatches(PAGES, world, clients)
    assert not found, "\n".join(found)


def admin_object(name, **more):
    return lambda w: {"object_id": getattr(w, name).pk, **{k: f(w) for k, f in more.items()}}


ADMIN_PAGES = {
    #                 anon mentee mentor o_mentee o_mentor o_coord coord finance super
    "admin:index": Row("A A A A A 200 200 200 200"),
    "admin:login": Row("200 200 200 200 200 R R R R"),
    "admin:logout": Row("R R R R R 405 405 405 405"),
    "admin:password_change": Row("A A A A A 200 200 200 200"),
    "admin:password_change_done": Row("A A A A A 200 200 200 200"),
    "admin:app_list": Row("A A A A A 200 200 200 200", lambda w: {"app_label": "schemes"}),
    "admin:autocomplete": Row(
        "A A A A A 200 200 403 200",
        query="app_label=mentoring&model_name=workingrelationship&field_name=supervisor",
    ),
    "admin:jsi18n": Row("A A A A A 200 200 200 200"),
    "admin:view_on_site": Row(
        "A A A A A 404 404 404 404",
        lambda w: {"content_type_id": w.person_type.pk, "object_id": w.mona.person.pk},
    ),
    "admin/(?P<url>.*)$": Row("A A A A A 404 404 404 404", path=lambda w: "/admin/no-such-page/"),
    "admin:mentoring_import": Row("A A A A A 200 200 403 200"),
    "admin:mentoring_scheduled_jobs": Row("A A A A A 200 200 403 200"),
    "admin:mentoring_person_export": Row("A A A A A 200 200 404 200"),
    "admin:mentoring_person_erase": Row(
        "A A A A A 404 200 404 200", lambda w: {"object_id": w.mona.person.pk}
    ),
    "admin:otp_totp_totpdevice_config": Row("A A A A A 403 403 403 403", pk("totp")),
    "admin:otp_totp_totpdevice_qrcode": Row("A A A A A 403 403 403 403", pk("totp")),
    "admin:matching_matchinground_proposals": Row("A A A A A 404 R 404 R", admin_object("round")),
    "admin:matching_proposal_swap": Row(
        "A A A A A 404 200 404 200", admin_object("round", proposal_id=lambda w: w.proposal.pk)
    ),
    "admin:matching_matchinground_publish": Row("A A A A A 404 200 404 200", admin_object("round")),
    "admin:matching_mentorship_end": Row("A A A A A 404 200 404 200", admin_object("pair")),
    "admin:matching_mentorship_meeting": Row("A A A A A 404 200 404 200", admin_object("pair")),
    "admin:matching_mentorship_flag": Row(
        "A A A A A 404 200 404 200", admin_object("pair", flag_id=lambda w: w.flag.pk)
    ),
    "admin:matching_rematchrequest_handled": Row("A A A A A 404 R 404 R", admin_object("rematch")),
    "admin:sessions_log_mentoringsession_follow_up": Row("A A A A A 200 200 403 200"),
    "admin:auth_user_password_change": Row(
        "A A A A A 403 403 403 200", lambda w: {"id": w.mona.person.user.pk}
    ),
    "admin:sessions_log_formtemplate_customise": Row("A A A A A R R 403 R"),
}


def admin_rows() -> dict:
    return {**admin_model_rows(), **ADMIN_PAGES}


def test_who_gets_what_from_the_admins_own_pages(world, clients):
    found = mismatches(ADMIN_PAGES, world, clients)
    assert not found, "\n".join(found)


# refused POSTs change nothing -----------------------------------------------------------------
# Writes that are not the subject of these tests: sessions, the lockout's and the audit's own rows
# (a refused access is recorded on purpose).
UNWATCHED_APPS = {"sessions", "axes", "auditlog"}
UNWATCHED_MODELS = {"mentoring.accessevent"}


def fingerprint() -> dict[str, str]:
    """A digest of every table's rows, to tell whether a request changed anything at all."""
    digests = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or meta.app_label in UNWATCHED_APPS:
                continue
            if meta.label_lower in UNWATCHED_MODELS:
                continue
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608  # nosec B608
                f'FROM "{meta.db_table}" t'
            )
            digests[meta.label_lower] = cursor.fetchone()[0]
    return digests


def changed(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


@dataclass
class Post:
    """A POST that changes something, the role refused it and how, and (``allowed``) a role for
    whom the same POST does change something — so the refusal is not a malformed request."""

    url: object
    refused: str
    status: int | str
    data: object = lambda w: {}
    allowed: str | None = None


def named(name, **kwargs):
    return lambda w: reverse(name, kwargs={k: f(w) for k, f in kwargs.items()})


def of(name):
    return lambda w: getattr(w, name).pk


CHANGELIST = "admin:reimbursement_claim_changelist"
POSTS = {
    "mentorship_respond": Post(
        named("mentorship_respond", pk=of("pair")),
        "other_mentee",
        404,
        lambda w: {"answer": "decline"},
    ),
    "mentorship_rematch": Post(
        named("mentorship_rematch", pk=of("pair")),
        "other_mentee",
        404,
        lambda w: {"reason": "We do not get on."},
        allowed="mentee",
    ),
    "mentorship_not_continuing": Post(
        named("mentorship_not_continuing", pk=of("pair")),
        "other_mentor",
        404,
        lambda w: {"note": "Moving away."},
        allowed="mentor",
    ),
    "availability": Post(
        named("availability", slug=lambda w: w.scheme.slug),
        "coordinator",
        404,
        lambda w: {"capacity": "1"},
        allowed="mentor",
    ),
    "shortlist": Post(
        named("shortlist", slug=lambda w: w.scheme.slug),
        "mentor",
        404,
        lambda w: {"mentor": w.olga.pk},
    ),
    "session_plan": Post(
        named("session_plan", pk=of("pair")),
        "other_mentor",
        403,
        lambda w: {
            "date_day": "1",
            "date_month": "1",
            "date_year": "2099",
            "time": "10:00",
            "duration_minutes": "60",
            "mode": "video",
            "location": "Online",
        },
    ),
    "session_edit": Post(
        named("session_edit", pk=of("session")),
        "mentee",
        403,
        lambda w: {"duration_minutes": "90", "mode": "video", "location": "Online"},
    ),
    "session_log": Post(
        named("session_log", pk=of("session")),
        "other_mentor",
        403,
        lambda w: {"outcome": "cancelled"},
    ),
    "session_record": Post(
        named("session_record", pk=of("session")),
        "other_mentee",
        403,
        lambda w: {"planned_agenda": "Taken over.", "submit": "1"},
    ),
    "session_action_new": Post(
        named("session_action_new", pk=of("session")), "mentee", 403, lambda w: {"text": "Do it."}
    ),
    "session_action_done": Post(
        named("session_action_done", pk=of("action")), "other_mentor", 403, allowed="mentee"
    ),
    "session_private_note": Post(
        named("session_private_note", pk=of("session")),
        "other_mentor",
        403,
        lambda w: {"text": "Mine now."},
        allowed="mentor",
    ),
    "session_lock": Post(
        named("session_lock", pk=of("session")), "other_mentor", 403, allowed="mentor"
    ),
    "session_unlock": Post(named("session_unlock", pk=of("session")), "mentee", 403),
    "session_delete": Post(named("session_delete", pk=of("session")), "other_coordinator", 403),
    "employer_confirmation": Post(
        named("employer_confirmation", pk=of("confirmation")),
        "mentor",
        403,
        lambda w: {"contact_confirmed": "yes", "protected_time_agreed": "yes"},
    ),
    "form_response_new": Post(
        named("form_response_new", mentorship_id=of("pair"), kind=lambda w: "post_session"),
        "other_mentee",
        404,
        lambda w: {"key_issues": "Not mine.", "unexpected": "no"},
    ),
    "form_response_edit": Post(
        named("form_response_edit", pk=of("reflection")),
        "mentor",
        404,
        lambda w: {"key_issues": "Rewritten by the mentor.", "unexpected": "no"},
    ),
    "form_response_share": Post(
        named("form_response_share", pk=of("reflection")),
        "other_mentor",
        404,
        lambda w: {"share": "no"},
        allowed="mentee",
    ),
    "survey_response": Post(
        named(
            "survey_response", enrolment_id=lambda w: w.enid.pk, kind=lambda w: "baseline_survey"
        ),
        "other_mentee",
        404,
        lambda w: {"action": "draft"},
    ),
    "claim_new": Post(
        named("claim_new"),
        "mentee",
        403,
        lambda w: claim_data(w),
        allowed="mentor",
    ),
    "finance_home": Post(
        named("finance_home"),
        "coordinator",
        403,
        lambda w: {"month": f"{w.earlier_month:%Y-%m}", "organisation": w.icb.pk},
        allowed="finance",
    ),
    "payment_run_detail": Post(
        lambda w: reverse("payment_run_detail", args=[w.draft_run.reference]),
        "coordinator",
        404,
        allowed="finance",
    ),
    "admin: approving claims": Post(
        lambda w: reverse(CHANGELIST),
        "other_coordinator",
        REDIRECT,
        lambda w: {"action": "approve", "_selected_action": [w.claim.pk]},
        allowed="coordinator",
    ),
    "admin: approving a run": Post(
        lambda w: reverse("admin:reimbursement_paymentrun_changelist"),
        "coordinator",
        403,
        lambda w: {"action": "approve", "_selected_action": [w.draft_run.pk]},
        allowed="finance",
    ),
    "admin: changing a person": Post(
        lambda w: reverse("admin:mentoring_person_change", args=[w.mona.person.pk]),
        "other_coordinator",
        404,
        lambda w: {"department": "Taken over"},
    ),
    "admin: deleting a person": Post(
        lambda w: reverse("admin:mentoring_person_delete", args=[w.mona.person.pk]),
        "coordinator",
        403,
        lambda w: {"post": "yes"},
    ),
    "admin: erasing a person": Post(
        lambda w: reverse("admin:mentoring_person_erase", args=[w.mona.person.pk]),
        "other_coordinator",
        404,
        lambda w: {"confirm": "yes"},
    ),
    "admin: ending a mentorship": Post(
        lambda w: reverse("admin:matching_mentorship_end", args=[w.pair.pk]),
        "other_coordinator",
        404,
        lambda w: {"reason": "other", "note": "Ended by someone else."},
    ),
    "admin: publishing a round": Post(
        lambda w: reverse("admin:matching_matchinground_publish", args=[w.round.pk]),
        "other_coordinator",
        404,
    ),
    "admin: handling a rematch request": Post(
        lambda w: reverse("admin:matching_rematchrequest_handled", args=[w.rematch.pk]),
        "other_coordinator",
        404,
    ),
    "admin: adding an adjustment": Post(
        lambda w: reverse("admin:reimbursement_adjustment_add"),
        "coordinator",
        403,
        lambda w: {
            "person": w.mona.person.pk,
            "scheme": w.scheme.pk,
            "amount": "50.00",
            "reason": "Paid to myself.",
        },
        allowed="finance",
    ),
}


def claim_data(w) -> dict:
    day = w.open_claim_day
    return {
        "kind": "mentoring",
        "claim_date_day": str(day.day),
        "claim_date_month": str(day.month),
        "claim_date_year": str(day.year),
        "activity": "Preparation and travel.",
    }


def posted(client, url, data):
    try:
        return answer(client.post(url, data))
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"[:200]


def test_a_refused_post_changes_nothing_and_an_allowed_one_does(world, clients):
    """Each POST that changes something, sent by someone who may not: refused as expected, and
    not one row of any table changed; sent by someone who may, it does change something."""
    found = []
    for key, post in POSTS.items():
        url, data = post.url(world), post.data(world)
        savepoint = transaction.savepoint()
        try:
            before = fingerprint()
            got = posted(clients[post.refused], url, data)
            after = fingerprint()
            if got != post.status:
                found.append(f"{key} as {post.refused}: expected {post.status}, got {got}")
            if changed(before, after):
                found.append(f"{key} as {post.refused} changed {changed(before, after)}")
        finally:
            transaction.savepoint_rollback(savepoint)
        if post.allowed is None:
            continue
        savepoint = transaction.savepoint()
        try:
            before = fingerprint()
            got = posted(clients[post.allowed], url, data)
            if not changed(before, fingerprint()):
                found.append(f"{key} as {post.allowed} (allowed) changed nothing: answered {got}")
        finally:
            transaction.savepoint_rollback(savepoint)
    assert not found, "\n".join(found)


def test_the_admins_autocomplete_offers_only_people_in_scope(world, clients):
    """The autocomplete answers every coordinator (200 above); what it lists is their scope."""
    url = reverse("admin:autocomplete") + (
        "?app_label=mentoring&model_name=workingrelationship&field_name=supervisor&term=Mona"
    )

    offered = {
        role: [int(r["id"]) for r in clients[role].get(url).json()["results"]]
        for role in ("coordinator", "other_coordinator")
    }

    assert offered == {"coordinator": [world.mona.person.pk], "other_coordinator": []}
