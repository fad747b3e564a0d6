"""Production settings pass Django's deployment checks, and refuse to start without a secret key."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "HTTPS": "true",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "mentoring.example.nhs.uk",
}


# Not inherited from the test process: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE.
NOT_INHERITED = {"SECRET_KEY", "DEBUG", "HTTPS", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, env, var_dir):
    clean = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env, "VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deployment_checks_pass_with_production_settings(tmp_path):
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(48)}

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, var_dir=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_over_https_without_a_secret_key(tmp_path):
    # Even with an embedded-mode key lying about in var/: production never falls back to it.
    (tmp_path / "secret_key").write_text(secrets.token_urlsafe(64))

    result = manage("check", env=PRODUCTION, var_dir=tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr
