"""Helpers for the Playwright tests: accessibility checks with axe-core."""

from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

_RUN_AXE = """
tags => axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
})
"""


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """WCAG 2.0/2.1/2.2 A and AA violations on the page as it is now, of the given impacts.

    Each is a dict with the rule ``id``, its ``impact``, ``help`` text, ``help_url`` and the CSS
    ``targets`` of the failing elements — enough for a useful assertion message.
    """
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(
            f"{AXE_SCRIPT} is missing: run `bash scripts/build_static.sh` (it installs axe-core)."
        )
    # Evaluated through DevTools rather than added as a <script> tag (page.add_script_tag): the
    # service's Content Security Policy rightly refuses inline scripts, and the browser tests run
    # with that policy enforced, as users' browsers do.
    page.evaluate(AXE_SCRIPT.read_text())
    results = page.evaluate(_RUN_AXE, list(WCAG_TAGS))
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "help_url": violation["helpUrl"],
            "targets": [" ".join(map(str, node["target"])) for node in violation["nodes"]],
        }
        for violation in results["violations"]
        if violation["impact"] in impacts
    ]


def describe(violations: list[dict]) -> str:
    """One line per violation, for assertion messages."""
    return "\n".join(
        f"{v['impact']}: {v['id']} — {v['help']} ({v['help_url']}) at {', '.join(v['targets'])}"
        for v in violations
    )


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def sign_in(page, live_server, email: str) -> None:
    """Sign in as ``email`` (the test password), by keyboard, starting from no session.

    Staff, and anyone else with an authenticator app, then type the app's current code, as they
    must before any page (issue 10); staff without one are given one first.
    """
    from django.contrib.auth import get_user_model
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.auth import totp_device
    from tests.factories import TEST_PASSWORD

    user = get_user_model().objects.get(email__iexact=email)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None and (user.is_staff or user.is_superuser):
        device = totp_device(user)
    if device is not None:
        # django-otp refuses a code from a time step already used; two sign-ins within 30 s
        # would otherwise fail.
        device.last_t = -1
        device.throttling_failure_count = 0
        device.throttling_failure_timestamp = None
        device.save()

    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.keyboard.press("Enter")
    if device is not None:
        page.wait_for_url(live_server.url + "/accounts/two-factor/**")
        code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        page.locator("input[name=code]").fill(f"{code:0{device.digits}d}")
        page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")


def press(page, locator, key: str = "Enter") -> None:
    """Focus ``locator`` and press ``key``: how a keyboard user follows a link or a button."""
    locator.focus()
    page.keyboard.press(key)


def type_into(page, locator, text: str) -> None:
    """Replace what ``locator`` holds by typing ``text``, as a keyboard user would."""
    locator.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
