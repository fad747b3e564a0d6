"""The restore drill (docs/backups.md): ``scripts/backup.sh`` dumps the test database and the
media files, ``scripts/restore.sh`` restores them into a fresh database, and the service run on
the restored copy passes its checks, has every migration applied and gives the very same bytes
for an approved payment run's CSV export. Only on PostgreSQL, as in production.

The backup and the checks run as subprocesses, as an operator would run them; the world is
committed first (``transaction=True``) so that ``pg_dump`` sees it.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from reimbursement import exports
from tests.conftest import BASE_DIR, _database_url
from tests.reimbursement.scene import ClaimScene
from tests.reimbursement.test_exports import (
    approved_run,
    approved_weeks,
    mentor_with_mentee,
    mondays_in,
    month_before_last,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("real_database"),
]

EXPORT = """
import sys
import django
django.setup()
from reimbursement import exports
from reimbursement.models import PaymentRun
run = PaymentRun.objects.get(reference=sys.argv[1])
sys.stdout.buffer.write(b"".join(exports.csv_response(run).streaming_content))
"""
EVIDENCE = b"%PDF-1.4 certificate of the mentoring course\n"


def url_for(name: str) -> str:
    return _database_url({**connection.settings_dict, "NAME": name})


def environment(tmp_path: Path, *, database_url: str, media: Path) -> dict:
    """What an operator's shell would have: the database and media of one installation."""
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "mentoring.settings",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "restore-drill-" + "x" * 50,
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }


def run(command: list[str], env: dict, *, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, check=False)
    if ok:
        assert result.returncode == 0, (
            f"{' '.join(command)} exited with {result.returncode}:\n"
            f"{result.stdout.decode(errors='replace')}\n{result.stderr.decode(errors='replace')}"
        )
    return result


def backup(tmp_path: Path, media: Path) -> Path:
    env = environment(tmp_path, database_url=url_for(connection.settings_dict["NAME"]), media=media)
    result = run(["bash", "scripts/backup.sh", str(tmp_path / "backups")], env)
    made = Path(result.stdout.decode().strip().splitlines()[-1])
    assert made.parent == tmp_path / "backups"
    assert sorted(p.name for p in made.iterdir()) == [
        "MANIFEST",
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
    ]
    return made


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped at the end (whatever happens)."""
    name = f"{connection.settings_dict['NAME']}_restored"
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


@pytest.fixture
def world(tmp_path, settings):
    """A paid scheme, two mentors' approved weekly claims, an approved run, a file uploaded."""
    settings.MEDIA_ROOT = tmp_path / "media"
    scene = ClaimScene()
    period = month_before_last()
    approved_weeks(scene, scene.mona, mondays_in(period))
    approved_weeks(scene, mentor_with_mentee(scene, "Ravi Mentor"), mondays_in(period)[:2])
    run_ = approved_run(scene, period)
    scene.training.evidence.save("certificate.pdf", ContentFile(EVIDENCE))
    return run_, scene.training


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_restored_backup_passes_the_checks_and_exports_the_same_payment_run(
    tmp_path, world, fresh_database
):
    run_, evidence = world
    assert run_.status == "approved" and run_.claim_count == len(mondays_in(run_.period)) + 2
    original = b"".join(exports.csv_response(run_).streaming_content)
    media = tmp_path / "media"
    made = backup(tmp_path, media)

    restored_media = tmp_path / "restored-media"
    env = environment(tmp_path, database_url=url_for(fresh_database), media=restored_media)
    run(["bash", "scripts/restore.sh", str(made)], env)

    check = run([sys.executable, "manage.py", "check"], env)
    assert b"System check identified no issues" in check.stdout
    run([sys.executable, "manage.py", "migrate", "--check"], env)
    plan = run([sys.executable, "manage.py", "showmigrations", "--plan"], env).stdout.decode()
    assert plan.count("[X]") > 0
    assert "[ ]" not in plan
    exported = run([sys.executable, "-c", EXPORT, run_.reference], env).stdout
    assert exported == original
    assert digest(restored_media / evidence.evidence.name) == digest(media / evidence.evidence.name)


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(tmp_path, world):
    run_, _ = world
    made = backup(tmp_path, tmp_path / "media")
    env = environment(
        tmp_path,
        database_url=url_for(connection.settings_dict["NAME"]),
        media=tmp_path / "other-media",
    )
    result = run(["bash", "scripts/restore.sh", str(made)], env, ok=False)
    assert result.returncode == 1
    assert b"is not empty" in result.stderr
    assert not (tmp_path / "other-media").exists()
    run_.refresh_from_db()
    assert run_.status == "approved"


def test_restore_refuses_a_damaged_backup(tmp_path, world, fresh_database):
    made = backup(tmp_path, tmp_path / "media")
    dump = made / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-100])
    env = environment(
        tmp_path, database_url=url_for(fresh_database), media=tmp_path / "restored-media"
    )
    result = run(["bash", "scripts/restore.sh", str(made)], env, ok=False)
    assert result.returncode == 1
    assert b"checksums do not match" in result.stderr
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [fresh_database])
        assert cursor.fetchone() == (1,)
    empty = run(
        [
            "psql",
            "--no-psqlrc",
            "-Atc",
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            url_for(fresh_database),
        ],
        env,
    )
    assert empty.stdout.strip() == b"0"
