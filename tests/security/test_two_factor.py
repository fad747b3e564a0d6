"""Two-factor authentication (issue 10, point 1): staff cannot reach any staff page, admin page,
export or file without a verified second factor; enrolment, backup codes, throttling, reset by
another superuser, and asking again (password and code) before approving, exporting or granting."""

import time
from urllib.parse import quote

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentoring import two_factor
from mentoring.models import Notification, Role, RoleAssignment
from reimbursement import runs
from reimbursement.models import RunStatus
from tests.auth import sign_in, totp_device
from tests.factories import IcbFactory, PersonFactory, UserFactory
from tests.reimbursement.scene import ClaimScene
from tests.reimbursement.test_exports import approved_weeks, built, mondays_in, month_before_last

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"
BACKUP_CODES = "/accounts/two-factor/backup-codes/"
CONFIRM = "/accounts/two-factor/confirm/"


def code_of(device: TOTPDevice, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def to(step: str, url: str) -> str:
    return f"{step}?next={quote(url, safe='')}"


# the world ----------------------------------------------------------------------------------------
@pytest.fixture
def scene(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scene = ClaimScene()
    scene.superuser = UserFactory(is_staff=True, is_superuser=True, email="root@example.nhs.uk")
    approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:1])
    scene.run = runs.approve_run(run=built(scene), by=scene.finance)
    scene.training.evidence.save("ilm5.pdf", ContentFile(b"%PDF-1.4 certificate"))
    return scene


def users(scene) -> dict:
    return {
        "coordinator": scene.coordinator,
        "finance": scene.finance,
        "superuser": scene.superuser,
    }


URLS = {
    "staff page": lambda s: reverse("reports_home"),
    "admin page": lambda s: reverse("admin:index"),
    "export": lambda s: reverse("payment_run_csv", args=[s.run.reference]),
    "people export": lambda s: reverse("admin:mentoring_person_export"),
    "media": lambda s: f"/media/{s.training.evidence.name}",
}

# What each role gets once verified: the page's own answer, which two-factor must not change.
VERIFIED = {
    ("coordinator", "staff page"): 200,
    ("coordinator", "admin page"): 200,
    ("coordinator", "export"): 404,
    ("coordinator", "people export"): 200,
    ("coordinator", "media"): 200,
    ("finance", "staff page"): 403,
    ("finance", "admin page"): 200,
    ("finance", "export"): 200,
    ("finance", "people export"): 404,
    ("finance", "media"): 404,
    ("superuser", "staff page"): 200,
    ("superuser", "admin page"): 200,
    ("superuser", "export"): 200,
    ("superuser", "people export"): 200,
    ("superuser", "media"): 200,
}
ROLES_AND_URLS = sorted(VERIFIED)


# enforcement --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "kind"), ROLES_AND_URLS)
def test_staff_with_an_app_but_no_code_yet_are_sent_to_enter_one(client, scene, role, kind):
    user = users(scene)[role]
    totp_device(user)
    sign_in(client, user, verified=False)
    url = URLS[kind](scene)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == to(VERIFY, url)


@pytest.mark.parametrize(("role", "kind"), ROLES_AND_URLS)
def test_staff_with_no_app_are_sent_to_set_one_up(client, scene, role, kind):
    user = users(scene)[role]
    sign_in(client, user, verified=False)
    url = URLS[kind](scene)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == to(SETUP, url)


@pytest.mark.parametrize(("role", "kind"), ROLES_AND_URLS)
def test_verified_staff_get_the_page_itself(client, scene, role, kind):
    sign_in(client, users(scene)[role])
    assert client.get(URLS[kind](scene)).status_code == VERIFIED[(role, kind)]


def test_a_post_to_the_admin_without_a_code_changes_nothing(client, scene):
    totp_device(scene.superuser)
    sign_in(client, scene.superuser, verified=False)
    url = reverse("admin:mentoring_roleassignment_add")

    response = client.post(
        url, {"user": scene.mona.person.user.pk, "role": Role.FINANCE, "organisation": scene.icb.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == to(VERIFY, url)
    assert not RoleAssignment.objects.filter(user=scene.mona.person.user).exists()


def test_a_device_that_is_not_confirmed_does_not_count(client, scene):
    device = totp_device(scene.coordinator)
    sign_in(client, scene.coordinator)
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)

    response = client.get(reverse("admin:index"))

    assert response["Location"] == to(SETUP, reverse("admin:index"))


@pytest.mark.parametrize(
    ("path", "has_app"),
    [(VERIFY, True), (SETUP, False), ("/healthz", True), ("/healthz", False)],
)
def test_the_two_factor_steps_and_the_health_check_stay_open(client, scene, path, has_app):
    if has_app:
        totp_device(scene.coordinator)
    sign_in(client, scene.coordinator, verified=False)
    assert client.get(path).status_code == 200


def test_static_files_stay_open(client, scene):
    totp_device(scene.coordinator)
    sign_in(client, scene.coordinator, verified=False)
    response = client.get("/static/css/app.css")
    assert response.status_code != 302


def test_signing_out_stays_open(client, scene):
    totp_device(scene.coordinator)
    sign_in(client, scene.coordinator, verified=False)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session


def test_a_mentor_without_an_app_is_not_asked(client, scene):
    sign_in(client, scene.mentor_user)
    assert client.get(reverse("my_details")).status_code == 200


def test_a_mentor_who_turned_it_on_is_asked_after_the_password(client, scene):
    device = totp_device(scene.mentor_user)
    sign_in(client, scene.mentor_user)

    asked = client.get(reverse("my_details"))
    answered = client.post(to(VERIFY, reverse("my_details")), {"code": code_of(device)})

    assert asked["Location"] == to(VERIFY, reverse("my_details"))
    assert answered["Location"] == reverse("my_details")
    assert client.get(reverse("my_details")).status_code == 200


def test_my_details_links_to_turning_it_on(client, scene):
    sign_in(client, scene.mentor_user)
    assert f'href="{SETUP}"' in client.get(reverse("my_details")).text


def test_after_the_code_a_link_elsewhere_is_not_followed(client, scene):
    device = totp_device(scene.coordinator)
    sign_in(client, scene.coordinator, verified=False)

    response = client.post(f"{VERIFY}?next=https://evil.example/steal", {"code": code_of(device)})

    assert response["Location"] == reverse("home")
    assert client.session[two_factor.VERIFIED_AT_SESSION_KEY] == pytest.approx(time.time(), abs=5)


# enrolment ----------------------------------------------------------------------------------------
def test_the_setup_page_shows_a_labelled_qr_code_and_the_key_as_text(client, scene):
    sign_in(client, scene.coordinator, verified=False)

    page = client.get(SETUP).text

    device = TOTPDevice.objects.get(user=scene.coordinator)
    assert not device.confirmed
    assert 'role="img" aria-label="QR code to scan with your authenticator app"' in page
    assert two_factor.secret_of(device) in page
    assert 'name="code"' in page


def test_the_key_stays_the_same_when_the_page_is_opened_again(client, scene):
    sign_in(client, scene.coordinator, verified=False)
    first = client.get(SETUP).context["secret"]
    assert client.get(SETUP).context["secret"] == first
    assert TOTPDevice.objects.filter(user=scene.coordinator).count() == 1


def test_a_wrong_code_is_an_error_by_the_field_and_nothing_is_confirmed(client, scene):
    sign_in(client, scene.coordinator, verified=False)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=scene.coordinator)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"

    response = client.post(SETUP, {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": [two_factor.MESSAGES["wrong_code"]]}
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=scene.coordinator).exists()
    assert client.get(reverse("admin:index"))["Location"].startswith(SETUP)


def test_the_right_code_confirms_the_app_and_shows_ten_backup_codes_once(client, scene):
    sign_in(client, scene.coordinator, verified=False)
    client.get(to(SETUP, "/admin/"))
    device = TOTPDevice.objects.get(user=scene.coordinator)

    response = client.post(to(SETUP, "/admin/"), {"code": code_of(device)})
    shown = client.get(response["Location"])
    again = client.get(BACKUP_CODES)

    assert response["Location"] == to(BACKUP_CODES, "/admin/")
    device.refresh_from_db()
    assert device.confirmed
    codes = shown.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=scene.coordinator).values_list("token", flat=True)
    )
    assert all(code in shown.text for code in codes)
    assert again.context["codes"] is None
    assert not any(code in again.text for code in codes)
    assert client.get("/admin/").status_code == 200


def test_someone_with_an_app_cannot_add_another_before_entering_a_code(client, scene):
    totp_device(scene.coordinator)
    sign_in(client, scene.coordinator, verified=False)

    response = client.post(SETUP, {"code": "123456"})

    assert response["Location"] == to(VERIFY, reverse("home"))
    assert TOTPDevice.objects.filter(user=scene.coordinator).count() == 1


def test_a_backup_code_works_once_only(client, scene):
    totp_device(scene.coordinator)
    code = two_factor.regenerate_backup_codes(user=scene.coordinator)[0]
    sign_in(client, scene.coordinator, verified=False)

    first = client.post(VERIFY, {"code": code.upper()})
    client.post(reverse("logout"))
    sign_in(client, scene.coordinator, verified=False)
    second = client.post(VERIFY, {"code": code})

    assert first["Location"] == reverse("home")
    assert second.status_code == 200
    assert second.context["form"].errors == {"code": [two_factor.MESSAGES["wrong_code"]]}
    assert two_factor.backup_codes_left(scene.coordinator) == 9


def test_new_backup_codes_replace_the_old_ones(client, scene):
    old = two_factor.regenerate_backup_codes(user=scene.coordinator)
    sign_in(client, scene.coordinator)

    response = client.post(BACKUP_CODES)

    new = response.context["codes"]
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    assert two_factor.backup_codes_left(scene.coordinator) == 10


def test_wrong_codes_slow_down_guessing(client, scene):
    device = totp_device(scene.coordinator)
    sign_in(client, scene.coordinator, verified=False)
    with time_machine.travel(time.time(), tick=False) as traveller:
        wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
        client.post(VERIFY, {"code": wrong})
        refused = client.post(VERIFY, {"code": code_of(device)})
        device.refresh_from_db()
        failures = device.throttling_failure_count

        traveller.shift(2)
        accepted = client.post(VERIFY, {"code": code_of(device)})

    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "code": [
            "Too many wrong codes. Wait 1 second, then enter the code your app shows at that time"
        ]
    }
    assert failures == 1
    assert accepted["Location"] == reverse("home")
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


# resetting ----------------------------------------------------------------------------------------
def reset_action(client, *users_):
    return client.post(
        reverse("admin:mentoring_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [u.pk for u in users_]},
    )


def test_another_superuser_resets_a_lost_phone_and_it_is_recorded(client, scene):
    totp_device(scene.coordinator)
    two_factor.regenerate_backup_codes(user=scene.coordinator)
    sign_in(client, scene.superuser)

    response = reset_action(client, scene.coordinator)

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=scene.coordinator).exists()
    assert not StaticDevice.objects.filter(user=scene.coordinator).exists()
    told = Notification.objects.get(recipient=scene.coordinator, kind="two_factor_reset")
    assert told.context["reset_by"] == scene.superuser.get_full_name()
    deletions = LogEntry.objects.filter(
        content_type__in=ContentType.objects.get_for_models(TOTPDevice, StaticDevice).values(),
        action=LogEntry.Action.DELETE,
    )
    assert deletions.count() == 2
    assert {entry.actor_id for entry in deletions} == {scene.superuser.pk}


def test_after_a_reset_the_person_is_sent_to_set_up_a_new_app(client, scene):
    sign_in(client, scene.coordinator)
    two_factor.reset_devices(user=scene.coordinator, by=scene.superuser)
    assert client.get("/admin/")["Location"] == to(SETUP, "/admin/")


def test_nobody_resets_their_own(client, scene):
    totp_device(scene.superuser)
    sign_in(client, scene.superuser)

    response = reset_action(client, scene.superuser)

    assert TOTPDevice.objects.filter(user=scene.superuser).count() == 1
    assert said(response) == [f"{scene.superuser.email}: {two_factor.MESSAGES['own_devices']}."]
    with pytest.raises(two_factor.TwoFactorError) as refused:
        two_factor.reset_devices(user=scene.superuser, by=scene.superuser)
    assert refused.value.code == two_factor.TwoFactorRefusal.OWN_DEVICES


def test_resetting_with_an_old_code_asks_again_and_resets_nothing(client, scene):
    totp_device(scene.coordinator)
    sign_in(client, scene.superuser)
    make_stale(client)

    response = reset_action(client, scene.coordinator)

    assert response["Location"] == to(CONFIRM, reverse("admin:mentoring_user_changelist"))
    assert TOTPDevice.objects.filter(user=scene.coordinator).count() == 1


def test_a_coordinator_cannot_reset_anyone(client, scene):
    totp_device(scene.finance)
    sign_in(client, scene.coordinator)

    response = reset_action(client, scene.finance)

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=scene.finance).count() == 1


# asking again before sensitive actions ------------------------------------------------------------
def make_stale(client):
    session = client.session
    session[two_factor.VERIFIED_AT_SESSION_KEY] = int(time.time()) - 301
    session.save()


@pytest.fixture
def fresh_scene(settings, tmp_path):
    """A scene with a draft run only."""
    settings.MEDIA_ROOT = tmp_path
    scene = ClaimScene()
    approved_weeks(scene, scene.mona, mondays_in(month_before_last())[:1])
    scene.run = built(scene)
    return scene


def test_an_old_code_cannot_approve_a_run_until_the_person_confirms(client, fresh_scene):
    scene = fresh_scene
    device = totp_device(scene.finance)
    sign_in(client, scene.finance)
    make_stale(client)
    url = reverse("payment_run_detail", args=[scene.run.reference])

    refused = client.post(url)
    scene.run.refresh_from_db()
    status_after_refusal = scene.run.status
    confirmed = client.post(
        to(CONFIRM, url), {"password": "correct-horse-battery-staple", "code": code_of(device)}
    )
    approved = client.post(url)

    assert refused["Location"] == to(CONFIRM, url)
    assert said(refused) == ["Confirm it is you, then approve again."]
    assert status_after_refusal == RunStatus.DRAFT
    assert confirmed["Location"] == url
    assert approved["Location"] == url
    scene.run.refresh_from_db()
    assert scene.run.status == RunStatus.APPROVED


def test_the_admin_approve_action_also_asks_again(client, fresh_scene):
    scene = fresh_scene
    sign_in(client, scene.finance)
    make_stale(client)
    changelist = reverse("admin:reimbursement_paymentrun_changelist")

    response = client.post(changelist, {"action": "approve", "_selected_action": [scene.run.pk]})

    assert response["Location"] == to(CONFIRM, changelist)
    scene.run.refresh_from_db()
    assert scene.run.status == RunStatus.DRAFT


@pytest.mark.parametrize("name", ["payment_run_csv", "payment_run_xlsx", "payment_run_pdf"])
def test_downloading_a_run_with_an_old_code_asks_again(client, scene, name):
    device = totp_device(scene.finance)
    sign_in(client, scene.finance)
    make_stale(client)
    url = reverse(name, args=[scene.run.reference])

    refused = client.get(url)
    client.post(
        to(CONFIRM, url), {"password": "correct-horse-battery-staple", "code": code_of(device)}
    )
    downloaded = client.get(url)

    assert refused["Location"] == to(CONFIRM, url)
    assert downloaded.status_code == 200
    assert "attachment" in downloaded["Content-Disposition"]


def test_granting_a_role_with_an_old_code_asks_again_and_grants_nothing(client, scene):
    device = totp_device(scene.superuser)
    sign_in(client, scene.superuser)
    make_stale(client)
    url = reverse("admin:mentoring_roleassignment_add")
    mentor = scene.mentor_user
    data = {"user": mentor.pk, "role": Role.FINANCE, "organisation": scene.icb.pk}

    refused = client.post(url, data)
    granted_before = RoleAssignment.objects.filter(user=mentor).exists()
    client.post(
        to(CONFIRM, url), {"password": "correct-horse-battery-staple", "code": code_of(device)}
    )
    granted = client.post(url, data)

    assert refused["Location"] == to(CONFIRM, url)
    assert said(refused) == ["Confirm it is you, then grant the role again."]
    assert granted_before is False
    assert granted.status_code == 302
    assert RoleAssignment.objects.filter(user=mentor, role=Role.FINANCE).count() == 1


def test_removing_a_role_with_an_old_code_asks_again(client, scene):
    sign_in(client, scene.superuser)
    make_stale(client)
    assignment = RoleAssignment.objects.get(user=scene.finance)
    url = reverse("admin:mentoring_roleassignment_delete", args=[assignment.pk])

    response = client.post(url, {"post": "yes"})

    assert response["Location"] == to(CONFIRM, url)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_confirming_with_a_wrong_password_is_an_error_by_the_password(client, scene):
    device = totp_device(scene.finance)
    sign_in(client, scene.finance)
    make_stale(client)

    response = client.post(CONFIRM, {"password": "not-my-password", "code": code_of(device)})

    assert response.status_code == 200
    assert response.context["form"].errors == {"password": ["The password is not right"]}
    assert not two_factor.verified_recently(response.wsgi_request)


def test_a_recent_code_needs_no_confirming(client, scene):
    sign_in(client, scene.finance)
    url = reverse("payment_run_csv", args=[scene.run.reference])
    assert client.get(url).status_code == 200


def test_the_reset_email_tells_the_person_who_reset_it(
    mailoutbox, scene, django_capture_on_commit_callbacks
):
    totp_device(scene.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        two_factor.reset_devices(user=scene.coordinator, by=scene.superuser)
    (message,) = [m for m in mailoutbox if "two-factor" in m.subject]
    assert message.to == [scene.coordinator.email]
    assert scene.superuser.get_full_name() in message.body
    assert "set up an authenticator app again" in message.body


def test_a_person_with_no_role_is_not_touched(client):
    user = PersonFactory(organisation=IcbFactory()).user
    sign_in(client, user)
    assert client.get(reverse("home")).status_code == 200
