"""The audit trail (issue 10, point 5): changes of records, sign-ins, refusals, append-only rows
and who may read them. Views and exports of confidential data: test_audit_views.py."""

import datetime

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from matching.models import RematchRequest
from mentoring import audit
from mentoring.admin_audit import AccessEventAdmin, ChangeLogAdmin
from mentoring.models import AccessAction, AccessEvent, Person, Sector
from mentoring.models.audit import AuditRowIsFinal
from tests.auth import sign_in, totp_device
from tests.factories import (
    TEST_PASSWORD,
    IcbFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    coordinator_of,
)
from tests.security.test_audit_views import SECRET, AuditScene

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"


def entries_for(obj) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).order_by("pk")
    )


def every_column(entry) -> str:
    """All a row holds, as text, to prove something is nowhere in it."""
    return " ".join(str(getattr(entry, field.attname)) for field in entry._meta.concrete_fields)


class Two:
    """Two ICSs, each with a practice, a coordinator and a person on the register."""

    def __init__(self):
        self.icb_a = IcbFactory(name="NHS Example ICB")
        self.icb_b = IcbFactory(name="NHS Elsewhere ICB")
        self.coordinator_a = coordinator_of(self.icb_a)
        self.coordinator_b = coordinator_of(self.icb_b)
        self.person_a = PersonFactory(organisation=OrganisationFactory(parent=self.icb_a))
        self.person_b = PersonFactory(organisation=OrganisationFactory(parent=self.icb_b))


@pytest.fixture
def two():
    return Two()


# changes -----------------------------------------------------------------------------------------
def test_creating_changing_and_deleting_a_person_each_leave_one_change_entry():
    pk = PersonFactory(department="Surgery").pk
    person = Person.objects.get(pk=pk)
    person.department = "Urgent care"
    person.save()
    Person.objects.get(pk=pk).delete()

    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=pk
    ).order_by("pk")
    assert [e.action for e in entries] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]
    assert entries[1].changes_dict == {"department": ["Surgery", "Urgent care"]}
    assert entries[0].additional_data == {"person": pk, "organisation": person.organisation_id}
    assert {e.object_repr for e in entries} == {f"person {pk}"}
    assert person.user.last_name not in " ".join(every_column(e) for e in entries)


def test_a_registration_number_is_masked_in_the_log_and_its_name():
    registration = RegistrationFactory(number="7123456")
    registration.number = "7654399"
    registration.save()

    created, updated = entries_for(registration)
    assert updated.changes_dict == {"number": ["*****56", "*****99"]}
    assert created.object_repr == f"professional registration {registration.pk}"
    for entry in (created, updated):
        assert "7123456" not in every_column(entry)
        assert "7654399" not in every_column(entry)


def test_a_payee_reference_is_masked():
    person = Person.objects.get(pk=PersonFactory(payee_reference="PAYEE-001234").pk)
    person.payee_reference = "PAYEE-009876"
    person.save()

    update = entries_for(person)[-1]
    assert update.changes_dict == {"payee_reference": ["**********34", "**********76"]}


def test_a_reflection_is_logged_without_its_answers():
    reflection = AuditScene().reflection
    entries = entries_for(reflection)

    assert entries[0].action == LogEntry.Action.CREATE
    assert any("shared_with_mentor" in e.changes_dict for e in entries)
    for entry in LogEntry.objects.all():
        assert SECRET not in every_column(entry)
        assert "answers" not in entry.changes_dict


def test_a_mentees_reason_for_another_mentor_is_not_logged():
    scene = AuditScene()
    request = RematchRequest.objects.create(
        mentorship=scene.pair_, mentee=scene.enid, reason="CONFIDENTIAL: my mentor scares me."
    )

    (created,) = entries_for(request)
    assert "reason" not in created.changes_dict
    assert "CONFIDENTIAL" not in every_column(created)


def test_a_change_made_on_a_page_records_who_and_from_where(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    sign_in(client, superuser)

    response = client.post(
        reverse("admin:mentoring_sector_add"), {"name": "Urgent care"}, REMOTE_ADDR=ADDRESS
    )

    assert response.status_code == 302
    (entry,) = entries_for(Sector.objects.get(name="Urgent care"))
    assert (entry.actor, entry.remote_addr) == (superuser, ADDRESS)


def test_a_second_factor_reset_is_logged_without_its_secret():
    user = UserFactory(is_staff=True)
    device = totp_device(user)
    key = device.key
    TOTPDevice.objects.get(pk=device.pk).delete()

    created, deleted = entries_for(device)
    assert deleted.action == LogEntry.Action.DELETE
    assert set(deleted.changes_dict) <= {"user", "name", "confirmed", "id"}
    assert key not in every_column(created) + every_column(deleted)


def test_an_unlock_is_logged_and_the_failures_that_locked_are_not():
    attempt = AccessAttempt.objects.create(
        username="asha@example.nhs.uk", ip_address=ADDRESS, user_agent="x", failures_since_start=5
    )
    assert entries_for(attempt) == []

    AccessAttempt.objects.filter(pk=attempt.pk).delete()

    (unlock,) = entries_for(attempt)
    assert unlock.action == LogEntry.Action.DELETE
    assert unlock.changes_dict["username"][0] == "asha@example.nhs.uk"


# sign-ins --------------------------------------------------------------------------------------
def test_signing_in_and_out_each_leave_one_row(client):
    person = PersonFactory(user__email="asha@example.nhs.uk")

    client.post(
        reverse("login"),
        {"username": "asha@example.nhs.uk", "password": TEST_PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)

    signed_in, signed_out = AccessEvent.objects.order_by("pk")
    assert (signed_in.action, signed_in.actor, signed_in.person, signed_in.ip) == (
        AccessAction.SIGNED_IN,
        person.user,
        person,
        ADDRESS,
    )
    assert (signed_out.action, signed_out.actor, signed_out.ip) == (
        AccessAction.SIGNED_OUT,
        person.user,
        ADDRESS,
    )


@pytest.mark.parametrize("typed", ["asha@example.nhs.uk", "nobody@example.nhs.uk"])
def test_a_failed_sign_in_stores_the_address_and_nothing_about_who(client, typed):
    PersonFactory(user__email="asha@example.nhs.uk")

    client.post(reverse("login"), {"username": typed, "password": "wrong"}, REMOTE_ADDR=ADDRESS)

    (failed,) = AccessEvent.objects.all()
    assert (failed.action, failed.actor, failed.person, failed.ip) == (
        AccessAction.SIGN_IN_FAILED,
        None,
        None,
        ADDRESS,
    )
    assert failed.actor_description == "Someone not signed in"
    assert typed not in every_column(failed)
    assert "asha" not in every_column(failed)


# refusals -----------------------------------------------------------------------------------------
def test_a_forbidden_page_leaves_one_refused_row(client, two):
    sign_in(client, two.coordinator_a)

    response = client.get(reverse("admin:mentoring_roleassignment_changelist"))

    assert response.status_code == 403
    refused = AccessEvent.objects.filter(action=AccessAction.REFUSED)
    assert [(r.actor, r.status, r.path) for r in refused] == [
        (two.coordinator_a, 403, reverse("admin:mentoring_roleassignment_changelist"))
    ]


def test_another_icss_person_is_not_found_and_that_is_recorded(client, two):
    sign_in(client, two.coordinator_a)
    url = reverse("admin:mentoring_person_change", args=[two.person_b.pk])

    response = client.get(url, REMOTE_ADDR=ADDRESS)

    assert response.status_code == 404
    (refused,) = AccessEvent.objects.filter(action=AccessAction.REFUSED)
    assert (refused.actor, refused.status, refused.path, refused.ip) == (
        two.coordinator_a,
        404,
        url,
        ADDRESS,
    )
    assert not AccessEvent.objects.filter(action=AccessAction.VIEWED).exists()


def test_anonymous_and_static_not_founds_are_not_recorded(client, two):
    client.get("/no-such-page/")
    sign_in(client, two.coordinator_a)
    client.get("/static/no-such-file.css")

    assert not AccessEvent.objects.filter(action=AccessAction.REFUSED).exists()


# append-only ------------------------------------------------------------------------------------
@pytest.fixture
def event():
    return audit.record(None, action=AccessAction.VIEWED, what="professional registration")


def test_an_access_row_cannot_be_changed_or_deleted_through_the_orm(event):
    event.what = "something else"
    with pytest.raises(AuditRowIsFinal):
        event.save()
    with pytest.raises(AuditRowIsFinal):
        event.delete()
    with pytest.raises(AuditRowIsFinal):
        AccessEvent.objects.filter(pk=event.pk).update(what="x")
    with pytest.raises(AuditRowIsFinal):
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert AccessEvent.objects.get(pk=event.pk).what == "professional registration"


def test_a_change_entry_cannot_be_changed_or_deleted_through_the_orm():
    entry = entries_for(PersonFactory())[0]
    entry.object_repr = "forged"
    with pytest.raises(AuditRowIsFinal), transaction.atomic():
        entry.save()
    with pytest.raises(AuditRowIsFinal), transaction.atomic():
        entry.delete()
    with pytest.raises(AuditRowIsFinal), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="forged")


@pytest.mark.parametrize("table", ["mentoring_accessevent", "auditlog_logentry"])
@pytest.mark.parametrize("statement", ["UPDATE {} SET id = id", "DELETE FROM {}"])
def test_the_database_refuses_update_and_delete(event, table, statement):
    PersonFactory()
    assert connection.vendor == "postgresql"
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table))
    assert AccessEvent.objects.exists() and LogEntry.objects.exists()


def test_only_the_retention_job_removes_old_access_rows(event):
    AccessEvent.objects.create(
        at=timezone.now() - datetime.timedelta(days=400), action=AccessAction.VIEWED, what="claim"
    )

    removed = audit.purge_before(timezone.now() - datetime.timedelta(days=365))

    assert removed == 1
    assert list(AccessEvent.objects.all()) == [event]


def test_only_the_retention_job_removes_old_change_entries():
    kept = entries_for(PersonFactory())[0]
    LogEntry.objects.create(
        timestamp=timezone.now() - datetime.timedelta(days=400),
        content_type=kept.content_type,
        object_pk="1",
        object_repr="person 1",
        action=LogEntry.Action.CREATE,
    )

    removed = audit.purge_changes_before(timezone.now() - datetime.timedelta(days=365))

    assert removed == 1
    assert kept in LogEntry.objects.all()


@pytest.mark.parametrize("model_admin", [AccessEventAdmin, ChangeLogAdmin])
def test_nobody_adds_changes_or_deletes_audit_rows_in_the_admin(model_admin):
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    model = AccessEvent if model_admin is AccessEventAdmin else LogEntry
    registered = admin.site._registry[model]

    assert type(registered) is model_admin
    assert registered.has_view_permission(request)
    assert not registered.has_add_permission(request)
    assert not registered.has_change_permission(request)
    assert not registered.has_delete_permission(request)
    assert registered.get_actions(request) == {}


def test_a_superusers_delete_of_an_audit_row_is_forbidden(client, event):
    sign_in(client, UserFactory(is_superuser=True, is_staff=True))

    response = client.post(
        reverse("admin:mentoring_accessevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert AccessEvent.objects.filter(pk=event.pk).exists()


# who reads the audit -----------------------------------------------------------------------------
def viewed_about(person):
    return audit.record(None, action=AccessAction.VIEWED, what="claim", person=person)


def test_a_coordinator_sees_the_access_rows_of_their_scope_only(client, two):
    mine, theirs = viewed_about(two.person_a), viewed_about(two.person_b)
    sign_in(client, two.coordinator_a)

    listed = client.get(reverse("admin:mentoring_accessevent_changelist"))
    own = client.get(reverse("admin:mentoring_accessevent_change", args=[mine.pk]))
    other = client.get(reverse("admin:mentoring_accessevent_change", args=[theirs.pk]))

    assert list(listed.context["cl"].result_list) == [mine]
    assert (own.status_code, other.status_code) == (200, 404)


def test_a_coordinator_sees_the_changes_of_their_scope_only(client, two):
    sign_in(client, two.coordinator_a)
    mine, theirs = entries_for(two.person_a)[0], entries_for(two.person_b)[0]

    listed = client.get(reverse("admin:auditlog_logentry_changelist"), {"q": ""})
    own = client.get(reverse("admin:auditlog_logentry_change", args=[mine.pk]))
    other = client.get(reverse("admin:auditlog_logentry_change", args=[theirs.pk]))

    shown = set(listed.context["cl"].result_list)
    assert mine in shown and theirs not in shown
    assert (own.status_code, other.status_code) == (200, 404)


def test_a_superuser_sees_every_audit_row(client, two):
    rows = [viewed_about(two.person_a), viewed_about(two.person_b)]
    sign_in(client, UserFactory(is_superuser=True, is_staff=True))

    listed = client.get(reverse("admin:mentoring_accessevent_changelist"))

    assert set(listed.context["cl"].result_list) >= set(rows)


@pytest.mark.parametrize(
    "url", ["admin:mentoring_accessevent_changelist", "admin:auditlog_logentry_changelist"]
)
def test_the_audit_lists_take_the_same_queries_for_many_rows(
    client, two, url, django_assert_max_num_queries
):
    sign_in(client, two.coordinator_a)
    client.get(reverse(url))  # warm the content type cache
    for _ in range(3):
        viewed_about(two.person_a)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse(url))
    for _ in range(30):
        viewed_about(PersonFactory(organisation=two.person_a.organisation))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(url)).status_code == 200
