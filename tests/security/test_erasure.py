"""Erasure of a person who has left: personal details and what they wrote go; the money stays,
under a pseudonym; refused while anything is open; only their scope's coordinators may."""

import csv
import datetime
import io
import json
import time

import pytest
import time_machine
from django.contrib.auth.hashers import is_password_usable
from django.core import serializers
from django.urls import reverse

from matching.models import Mentorship, RematchRequest
from mentoring import privacy, two_factor
from mentoring.models import Person, ProfessionalRegistration, User
from reimbursement.models import Claim, PaymentItem, PaymentLine
from schemes import services as schemes
from schemes.models import Application, EligibilityCheck, Enrolment
from sessions_log.models import Action, FormResponse, PrivateNote
from tests.auth import sign_in
from tests.factories import TEST_PASSWORD, IcbFactory, coordinator_of
from tests.security.privacy_scene import (
    ACTIVITY_TEXT,
    NOTE_TEXT,
    RECORD_TEXT,
    TODAY,
    PrivacyScene,
)

pytestmark = pytest.mark.django_db

LEAVE_REASON = "Mona moved to another ICS"


@pytest.fixture
def scene():
    with time_machine.travel(TODAY, tick=False):
        scene = PrivacyScene()
        schemes.leave_scheme(
            enrolment=scene.mona,
            left_on=TODAY.date(),
            kind="left",
            reason=LEAVE_REASON,
            by=scene.coordinator,
        )
        yield scene


def rows_about(person: Person) -> str:
    """Every row that is the person's or about them, serialised: what erasure must have cleaned."""
    querysets = [
        User.objects.filter(pk=person.user_id),
        Person.objects.filter(pk=person.pk),
        ProfessionalRegistration.objects.filter(person=person),
        Application.objects.filter(person=person),
        Enrolment.objects.filter(person=person),
        EligibilityCheck.objects.filter(person=person),
        RematchRequest.objects.filter(mentee__person=person),
        Mentorship.objects.filter(members__enrolment__person=person),
        FormResponse.objects.filter(author=person),
        PrivateNote.objects.filter(author=person),
        Action.objects.filter(owner__enrolment__person=person),
        Claim.objects.filter(person=person),
        PaymentLine.objects.filter(person=person),
    ]
    return "\n".join(serializers.serialize("json", q) for q in querysets)


def money_of(person: Person) -> list:
    return [
        list(Claim.objects.filter(person=person).values_list("pk", "amount", "period_start")),
        list(PaymentItem.objects.filter(claim__person=person).values_list("run_id", "amount")),
        list(
            PaymentLine.objects.filter(person=person).values_list(
                "run_id", "payee_reference", "claim_count", "total_amount"
            )
        ),
    ]


def test_every_personal_field_goes_and_the_user_stays_switched_off(scene):
    mona = scene.mona.person
    before = rows_about(mona)
    assert "Mona" in before and NOTE_TEXT in before and "7123456" in before

    with time_machine.travel(TODAY, tick=False):
        privacy.erase(mona, by=scene.coordinator)

    after = rows_about(mona)
    for gone in (
        "Mona",
        'Mentor"',
        "mona@example.nhs.uk",
        "mona.work@example.nhs.uk",
        "020 7946 0001",
        "I mentor GPs",
        "7123456",
        NOTE_TEXT,
        RECORD_TEXT,
        ACTIVITY_TEXT,
        LEAVE_REASON,
    ):
        assert gone not in after, gone
    user = User.objects.get(pk=mona.user_id)
    code = privacy.pseudonym_code(mona)
    assert (user.email, user.get_full_name(), user.is_active, user.is_staff) == (
        f"erased-{user.pk}@erased.invalid",
        f"Erased person {code}",
        False,
        False,
    )
    assert not is_password_usable(user.password)
    person = Person.objects.get(pk=mona.pk)
    assert (person.department, person.work_phone, person.profile, person.payee_reference) == (
        "",
        "",
        "",
        "",
    )


def test_claims_and_payment_lines_keep_their_money_under_a_pseudonym(scene):
    mona = scene.mona.person
    money = money_of(mona)

    with time_machine.travel(TODAY, tick=False):
        privacy.erase(mona, by=scene.coordinator)

    assert money_of(mona) == money
    line = PaymentLine.objects.get(person=mona)
    pseudonym = f"Erased person {privacy.pseudonym_code(mona)}"
    assert (line.mentor_name, line.sort_name, line.registration_number) == (
        pseudonym,
        pseudonym,
        "",
    )
    assert (line.payee_reference, str(line.total_amount)) == ("PAY-MONA-1", "289.00")


def test_the_runs_export_shows_the_pseudonym_and_the_same_totals(client, scene):
    sign_in(client, scene.finance)
    url = reverse("payment_run_csv", kwargs={"reference": scene.run.reference})
    before = list(csv.reader(io.StringIO(b"".join(client.get(url).streaming_content).decode())))

    with time_machine.travel(TODAY, tick=False):
        privacy.erase(scene.mona.person, by=scene.coordinator)

    after = list(csv.reader(io.StringIO(b"".join(client.get(url).streaming_content).decode())))
    header = after[0]
    name, number = header.index("mentor_name"), header.index("registration_number")
    assert [r[name] for r in before[1:-1]] == ["Mona Mentor"]
    assert [r[name] for r in after[1:-1]] == [privacy.pseudonym_of(scene.mona.person)]
    assert [r[number] for r in after[1:-1]] == [""]
    assert after[-1] == before[-1]  # the TOTAL row
    keep = [
        i for i, column in enumerate(header) if column not in ("mentor_name", "registration_number")
    ]
    assert [[r[i] for i in keep] for r in after] == [[r[i] for i in keep] for r in before]


def test_the_pseudonym_is_the_same_each_time_and_differs_between_people(scene):
    mona, enid = scene.mona.person, scene.enid.person

    assert privacy.pseudonym_code(mona) == privacy.pseudonym_code(Person.objects.get(pk=mona.pk))
    assert privacy.pseudonym_code(mona) != privacy.pseudonym_code(enid)
    assert len(privacy.pseudonym_code(mona)) == 6


def test_the_erased_person_cannot_sign_in(client, scene):
    with time_machine.travel(TODAY, tick=False):
        privacy.erase(scene.mona.person, by=scene.coordinator)
    user = User.objects.get(pk=scene.mona.person.user_id)

    for email in ("mona@example.nhs.uk", user.email):
        client.post(reverse("login"), {"username": email, "password": TEST_PASSWORD})
        assert "_auth_user_id" not in client.session


def test_refused_while_something_is_open_and_nothing_changes(scene):
    enid = scene.enid.person  # still enrolled as a mentee
    before = rows_about(enid)

    with pytest.raises(privacy.ErasureRefused) as refused:
        privacy.erase(enid, by=scene.coordinator)

    assert refused.value.code == "still_open"
    assert refused.value.open_items == [
        f"an enrolment as mentee on {scene.scheme.name} that has not ended"
    ]
    assert rows_about(enid) == before


def test_an_unpaid_claim_keeps_a_mentor_from_being_erased(scene):
    with time_machine.travel(TODAY, tick=False):
        claim = scene.claim(datetime.date(2026, 5, 4))
        # She left after claiming: the claim still waits for a decision.
    mona = scene.mona.person

    with pytest.raises(privacy.ErasureRefused) as refused:
        privacy.erase(mona, by=scene.coordinator)

    assert refused.value.open_items == [
        f"a claim for week of mentoring activity of 4 May 2026 on {scene.scheme.name} waiting "
        "for a decision"
    ]
    assert Claim.objects.get(pk=claim.pk).activity == "Preparation."


def test_erasing_twice_is_refused(scene):
    with time_machine.travel(TODAY, tick=False):
        privacy.erase(scene.mona.person, by=scene.coordinator)

    with pytest.raises(privacy.ErasureRefused) as refused:
        privacy.erase(scene.mona.person, by=scene.coordinator)
    assert refused.value.code == "already_erased"


def test_the_change_log_says_erased_without_the_old_values(scene):
    from auditlog.models import LogEntry

    with time_machine.travel(TODAY, tick=False):
        privacy.erase(scene.mona.person, by=scene.coordinator)

    entry = LogEntry.objects.filter(object_pk=str(scene.mona.person.pk)).latest("pk")
    assert entry.changes_dict == {"personal data": ["held", "erased"]}
    assert entry.actor == scene.coordinator
    assert "Mona" not in json.dumps(entry.changes_dict) + entry.object_repr


# the admin -----------------------------------------------------------------------------------
def erase_url(person) -> str:
    return reverse("admin:mentoring_person_erase", args=[person.pk])


def test_a_coordinator_sees_what_goes_and_what_stays_then_erases(client, scene):
    sign_in(client, scene.coordinator)

    page = client.get(erase_url(scene.mona.person))
    assert page.status_code == 200
    html = page.content.decode()
    assert "What will be removed" in html and "What will be kept" in html
    assert "amounts, dates, runs and references" in html

    with time_machine.travel(TODAY, tick=False):
        response = client.post(erase_url(scene.mona.person), {"post": "yes"})

    assert response.status_code == 302
    assert User.objects.get(pk=scene.mona.person.user_id).email.endswith("@erased.invalid")


def test_the_page_lists_what_is_still_open(client, scene):
    sign_in(client, scene.coordinator)

    html = client.get(erase_url(scene.enid.person)).content.decode()

    assert "Cannot be erased yet" in html
    assert f"an enrolment as mentee on {scene.scheme.name} that has not ended" in html


def test_another_icss_coordinator_gets_404_and_changes_nothing(client, scene):
    sign_in(client, coordinator_of(IcbFactory(), email="other@example.nhs.uk"))
    before = rows_about(scene.mona.person)

    assert client.get(erase_url(scene.mona.person)).status_code == 404
    assert client.post(erase_url(scene.mona.person), {"post": "yes"}).status_code == 404
    assert rows_about(scene.mona.person) == before


def test_finance_staff_cannot_erase(client, scene):
    sign_in(client, scene.finance)

    assert client.post(erase_url(scene.mona.person), {"post": "yes"}).status_code in (403, 404)
    assert User.objects.get(pk=scene.mona.person.user_id).is_active


def test_the_admin_action_asks_then_erases(client, scene):
    sign_in(client, scene.coordinator)
    changelist = reverse("admin:mentoring_person_changelist")
    chosen = {"action": "erase_personal_data", "_selected_action": [scene.mona.person.pk]}

    confirm = client.post(changelist, chosen)
    assert confirm.status_code == 200
    assert "What will be kept" in confirm.content.decode()
    assert User.objects.get(pk=scene.mona.person.user_id).is_active

    with time_machine.travel(TODAY, tick=False):
        done = client.post(changelist, {**chosen, "post": "yes"})

    assert done.status_code == 302
    assert not User.objects.get(pk=scene.mona.person.user_id).is_active


@pytest.mark.parametrize("path", ["page", "action"])
def test_erasing_with_an_old_code_asks_again_and_erases_nothing(client, scene, path):
    """Erasure cannot be undone, so, like approving a payment run, it asks for a fresh code."""
    sign_in(client, scene.coordinator)
    session = client.session
    session[two_factor.VERIFIED_AT_SESSION_KEY] = int(time.time()) - 301
    session.save()
    before = rows_about(scene.mona.person)
    changelist = reverse("admin:mentoring_person_changelist")
    if path == "page":
        url, back = erase_url(scene.mona.person), erase_url(scene.mona.person)
        data = {"post": "yes"}
    else:
        url, back = changelist, changelist
        data = {
            "action": "erase_personal_data",
            "_selected_action": [scene.mona.person.pk],
            "post": "yes",
        }

    response = client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == two_factor.with_next("two_factor_confirm", back)
    assert User.objects.get(pk=scene.mona.person.user_id).is_active
    assert rows_about(scene.mona.person) == before
