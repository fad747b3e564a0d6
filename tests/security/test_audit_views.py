"""Views, exports and downloads of confidential data leave one access audit row each — who,
what, whose, from where, never the content — and a person sees who viewed their record."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from mentoring.models import AccessAction, AccessEvent
from mentoring.models.people import EVIDENCE_PREFIX
from reimbursement import claims, runs
from sessions_log import responses, services
from sessions_log.models import FormKind, Readers
from tests.auth import sign_in
from tests.factories import RegistrationFactory, UserFactory
from tests.reimbursement.scene import ClaimScene
from tests.reimbursement.test_exports import mondays_in, month_before_last
from tests.sessions_log.factories import FormTemplateFactory
from tests.sessions_log.sessions_scene import days_ago

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.7"
SECRET = "SECRET reflection: I struggled with the on-call rota."
SECRET_RECORD = "SECRET agenda: the complaint about me."
SECRET_ACTIVITY = "SECRET activity: a meeting about my health."
NUMBER = "7123456"
Q4 = "from=2026-01-01&to=2026-03-31"


class AuditScene(ClaimScene):
    """The claims scene (NHS Match ICB; Mona mentors Enid) with a held session and its record,
    Enid's reflection shared with Mona, Mona's registration, an approved payment run that pays
    her, a submitted claim and her training evidence on file."""

    def __init__(self):
        super().__init__()
        mona, enid = self.mona.person, self.enid.person
        self.session = self.held(self.pair_, self.mona, starts_at=days_ago(3))
        self.record = services.save_session_record(
            session=self.session,
            by=mona.user,
            answers={"planned_agenda": SECRET_RECORD},
            submit=True,
        )
        FormTemplateFactory(scheme=self.scheme, kind=FormKind.POST_SESSION, readers=Readers.AUTHOR)
        reflection = responses.start_response(
            by=enid.user,
            mentorship=self.pair_,
            kind=FormKind.POST_SESSION,
            answers={"key_issues": SECRET, "unexpected": "no"},
            submit=True,
            session=self.session,
        )
        self.reflection = responses.share(by=enid.user, response=reflection, shared=True)
        self.registration = RegistrationFactory(person=mona, number=NUMBER)

    def with_money(self):
        for monday in mondays_in(month_before_last())[:2]:
            self.approved(monday)
        self.run = runs.approve_run(run=self.build(month_before_last()).run, by=self.finance)
        self.submitted = self.claim(claims.week_of(timezone.localdate()), activity=SECRET_ACTIVITY)
        return self


@pytest.fixture
def scene():
    return AuditScene()


def users(scene):
    return {
        "coordinator": scene.coordinator,
        "finance": scene.finance,
        "mentor": scene.mona.person.user,
        "mentee": scene.enid.person.user,
    }


def only_row_of(client, user, url, method="get", data=None) -> AccessEvent:
    """Signs ``user`` in, asks for ``url`` once, and returns the one audit row it left."""
    sign_in(client, user)
    before = AccessEvent.objects.order_by("pk").values_list("pk", flat=True).last() or 0
    response = getattr(client, method)(url, data or {}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200, response.status_code
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    (row,) = AccessEvent.objects.filter(pk__gt=before)
    return row


def assert_no_content_in_the_audit():
    for row in AccessEvent.objects.all():
        text = " ".join(str(getattr(row, f.attname)) for f in row._meta.concrete_fields)
        for secret in (SECRET, SECRET_RECORD, SECRET_ACTIVITY, NUMBER):
            assert secret not in text


# views -------------------------------------------------------------------------------------------
VIEWS = {
    # name: (who, url of the scene, what, whose (person of the scene))
    "registration in the admin": (
        "coordinator",
        lambda s: reverse(
            "admin:mentoring_professionalregistration_change", args=[s.registration.pk]
        ),
        "professional registration",
        "mona",
    ),
    "person in the admin": (
        "coordinator",
        lambda s: reverse("admin:mentoring_person_change", args=[s.mona.person.pk]),
        "person's record and registrations",
        "mona",
    ),
    "shared reflection": (
        "mentor",
        lambda s: reverse("form_response_detail", args=[s.reflection.pk]),
        "shared post-session reflection",
        "enid",
    ),
    "session record": (
        "mentee",
        lambda s: reverse("session_detail", args=[s.session.pk]),
        "session record",
        "mona",
    ),
    "form response in the admin": (
        "coordinator",
        lambda s: reverse("admin:sessions_log_formresponse_change", args=[s.reflection.pk]),
        "form response",
        "enid",
    ),
    "claim": (
        "mentor",
        lambda s: reverse("claim_detail", args=[s.submitted.pk]),
        "claim",
        "mona",
    ),
    "claim in the admin": (
        "coordinator",
        lambda s: reverse("admin:reimbursement_claim_change", args=[s.submitted.pk]),
        "claim",
        "mona",
    ),
}


@pytest.mark.parametrize("name", VIEWS)
def test_each_view_of_confidential_data_leaves_one_row_without_the_content(client, scene, name):
    who, url, what, whose = VIEWS[name]
    scene.with_money()
    user = users(scene)[who]

    row = only_row_of(client, user, url(scene))

    assert (row.action, row.actor, row.what) == (AccessAction.VIEWED, user, what)
    assert row.person == getattr(scene, whose).person
    assert (row.ip, row.method, row.path) == (ADDRESS, "GET", url(scene))
    assert row.content_type is not None and row.object_id is not None
    assert_no_content_in_the_audit()


# exports and downloads --------------------------------------------------------------------------
EXPORTS = {
    # name: (who, url, method, data, action, what, whose: person attribute or "icb" organisation)
    "payment run CSV": ("finance", lambda s: reverse("payment_run_csv", args=[s.run.reference])),
    "payment run XLSX": ("finance", lambda s: reverse("payment_run_xlsx", args=[s.run.reference])),
    "payment run PDF": ("finance", lambda s: reverse("payment_run_pdf", args=[s.run.reference])),
    "ledger CSV": ("finance", lambda s: reverse("ledger_csv", args=[s.scheme.slug])),
    "report CSV": (
        "coordinator",
        lambda s: reverse("scheme_report_download", args=[s.scheme.slug, "csv"]) + "?" + Q4,
    ),
    "report XLSX": (
        "coordinator",
        lambda s: reverse("scheme_report_download", args=[s.scheme.slug, "xlsx"]) + "?" + Q4,
    ),
    "report PDF": (
        "coordinator",
        lambda s: reverse("scheme_report_download", args=[s.scheme.slug, "pdf"]) + "?" + Q4,
    ),
    "people register CSV": ("coordinator", lambda s: reverse("admin:mentoring_person_export")),
}
EXPORT_WHAT = {
    "payment run CSV": ("payment run export", "icb"),
    "payment run XLSX": ("payment run export", "icb"),
    "payment run PDF": ("payment run export", "icb"),
    "ledger CSV": ("ledger export", "icb"),
    "report CSV": ("report (csv)", "icb"),
    "report XLSX": ("report (xlsx)", "icb"),
    "report PDF": ("report (pdf)", "icb"),
    "people register CSV": ("people register export", None),
}


@pytest.mark.parametrize("name", EXPORTS)
def test_each_export_leaves_one_row(client, scene, name):
    who, url = EXPORTS[name]
    what, organisation = EXPORT_WHAT[name]
    scene.with_money()
    user = users(scene)[who]

    row = only_row_of(client, user, url(scene))

    assert (row.action, row.actor, row.what, row.ip) == (
        AccessAction.EXPORTED,
        user,
        what,
        ADDRESS,
    )
    assert row.organisation == (scene.icb if organisation else None)
    assert_no_content_in_the_audit()


def test_the_form_responses_export_leaves_one_row(client, scene):
    url = reverse("admin:sessions_log_formresponse_changelist")
    data = {"action": "download_csv", "_selected_action": [scene.reflection.pk]}

    row = only_row_of(client, scene.coordinator, url, "post", data)

    assert (row.action, row.actor, row.what) == (
        AccessAction.EXPORTED,
        scene.coordinator,
        "form responses export (no answers)",
    )


def test_a_remittance_download_is_recorded_against_the_mentor(client, scene):
    scene.with_money()
    mona = scene.mona.person

    row = only_row_of(client, mona.user, reverse("my_remittance_pdf", args=[scene.run.reference]))

    assert (row.action, row.what, row.person, row.object_id) == (
        AccessAction.DOWNLOADED,
        "remittance",
        mona,
        scene.run.pk,
    )


def test_downloading_own_reflections_is_recorded(client, scene):
    enid = scene.enid.person

    row = only_row_of(client, enid.user, reverse("my_reflections_pdf"))

    assert (row.action, row.what, row.person, row.actor) == (
        AccessAction.DOWNLOADED,
        "own reflections and forms",
        enid,
        enid.user,
    )
    assert_no_content_in_the_audit()


def test_downloading_training_evidence_is_recorded(client, scene):
    mona = scene.mona.person
    path = default_storage.save(f"{EVIDENCE_PREFIX}/{mona.pk}/certificate.pdf", ContentFile(b"%"))
    try:
        row = only_row_of(client, scene.coordinator, reverse("protected_media", args=[path]))
    finally:
        default_storage.delete(path)

    assert (row.action, row.what, row.person, row.actor) == (
        AccessAction.DOWNLOADED,
        "training evidence",
        mona,
        scene.coordinator,
    )


# who viewed my record ---------------------------------------------------------------------------
VIEWED = reverse("my_record_views")


def test_a_person_sees_a_coordinators_view_of_their_registration_but_not_their_own(client, scene):
    mona = scene.mona.person
    registration_url = reverse(
        "admin:mentoring_professionalregistration_change", args=[scene.registration.pk]
    )
    coordinators = only_row_of(client, scene.coordinator, registration_url)
    own = only_row_of(client, mona.user, reverse("my_reflections_pdf"))
    assert own.person == mona

    response = client.get(VIEWED)

    assert list(response.context["page"]) == [coordinators]
    html = response.content.decode()
    assert scene.coordinator.get_full_name() in html
    assert "A coordinator of NHS Match ICB" in html
    assert "Viewed: professional registration" in html
    assert "own reflections" not in html


def test_the_page_says_when_nobody_has_viewed_the_record(client, scene):
    sign_in(client, scene.enid.person.user)

    response = client.get(VIEWED)

    assert list(response.context["page"]) == []
    assert "Nobody else has viewed your record yet." in response.content.decode()


def test_someone_not_on_the_register_sees_the_empty_page(client):
    sign_in(client, UserFactory())

    assert "Nobody else has viewed your record yet." in client.get(VIEWED).content.decode()


def test_my_details_links_to_who_viewed_my_record(client, scene):
    sign_in(client, scene.mona.person.user)

    assert f'href="{VIEWED}"' in client.get(reverse("my_details")).content.decode()


def test_the_page_takes_the_same_queries_for_many_views(
    client, scene, django_assert_max_num_queries
):
    from mentoring import audit

    mona = scene.mona.person
    sign_in(client, mona.user)
    viewers = [scene.coordinator, scene.finance, UserFactory(is_superuser=True, is_staff=True)]

    def viewed(times):
        for i in range(times):
            audit.record(
                None,
                action=AccessAction.VIEWED,
                what="claim",
                person=mona,
                actor=viewers[i % 3],
            )

    viewed(2)
    client.get(VIEWED)
    with django_assert_max_num_queries(20) as few:
        client.get(VIEWED)
    viewed(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(VIEWED)
    assert len(response.context["page"]) == 32
