"""Fixtures for the whole suite.

* Every test runs Celery tasks eagerly, in-process, unless it is marked ``worker``: those get a
  real Celery worker in a subprocess, fed through the real Redis broker.
* Static files use the plain storage, so no test needs ``collectstatic``; passwords hash fast.
* ``page`` is a fresh context in a real Chromium (Playwright) for ``browser`` tests.

The real PostgreSQL and Redis come from ``bash scripts/test.sh``; tests that need them fail with
a message saying so when they are missing, rather than skipping.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from mentoring.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
USE_THE_TEST_SCRIPT = "Run the suite with `bash scripts/test.sh`, which starts both services."
WORKER_START_TIMEOUT_SECONDS = 60


def pytest_collection_modifyitems(items):
    """A test that uses the worker or the browser carries the marker, so ``-m`` selects it."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "celery_worker" in fixtures and not item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.worker)
        if "page" in fixtures and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- Celery -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Eager Celery for ordinary tests; a real worker for tests marked ``worker``.

    Celery reads its configuration from Django settings once, so pytest-django's ``settings``
    fixture cannot change it: the app's own conf is switched here and restored afterwards.
    """
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = True
    conf.task_eager_propagates = True
    if request.node.get_closest_marker("worker"):
        request.getfixturevalue("celery_worker")
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def require_redis() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.fail(
            f"This test needs the real Redis broker, but REDIS_URL is not set. {USE_THE_TEST_SCRIPT}",
            pytrace=False,
        )
    return url


def require_postgresql() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail(
            f"This test needs the real PostgreSQL, but the database is {connection.vendor} "
            f"(DATABASE_URL is not set). {USE_THE_TEST_SCRIPT}",
            pytrace=False,
        )


@pytest.fixture
def real_database():
    """The test database is PostgreSQL, as in production (fails otherwise)."""
    require_postgresql()


@pytest.fixture
def celery_broker():
    """Tasks go through the real Redis broker in this test, instead of running eagerly."""
    require_redis()
    conf = celery_app.conf
    saved = conf.task_always_eager
    conf.task_always_eager = False
    yield celery_app
    conf.task_always_eager = saved


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    mail_dir: Path
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def emails(self, containing: str = "") -> list[Path]:
        """The messages the worker has sent (one file each), optionally only those with a text."""
        return sorted(
            path
            for path in self.mail_dir.iterdir()
            if containing in path.read_text(errors="replace")
        )


def _database_url(db: dict) -> str:
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    host = quote(db.get("HOST") or "", safe="")
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


try:
    _LIBC = ctypes.CDLL("libc.so.6", use_errno=True)  # loaded here: the child only calls it
except OSError:
    _LIBC = None


def _die_with_parent() -> None:
    """Run in the child before exec: the kernel sends it SIGTERM if pytest dies unexpectedly."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_until_ready(worker: WorkerProcess) -> None:
    from mentoring.tasks import ping

    conf = celery_app.conf
    saved = conf.task_always_eager
    conf.task_always_eager = False
    try:
        result = ping.delay()
        deadline = time.monotonic() + WORKER_START_TIMEOUT_SECONDS
        while not result.ready():
            if worker.process.poll() is not None:
                pytest.fail(
                    f"The Celery worker exited with status {worker.process.returncode} before it "
                    f"answered a ping. Its log:\n{worker.log_tail()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"The Celery worker did not answer a ping within "
                    f"{WORKER_START_TIMEOUT_SECONDS} s. Its log:\n{worker.log_tail()}"
                )
            time.sleep(0.1)
        assert result.get(timeout=5) == "pong"
    finally:
        conf.task_always_eager = saved


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def start_worker(root: Path, *, name: str, env: dict | None = None, args=()) -> WorkerProcess:
    """A ``celery worker`` subprocess on the test database and broker, its log and mail in
    ``root``; ``env`` and ``args`` add to (or override) its environment and command line."""
    redis_url = require_redis()
    require_postgresql()
    from django.db import connection

    mail_dir = root / "mail"
    mail_dir.mkdir()
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "mentoring.settings",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # four slashes: an absolute path
        "VAR_DIR": str(root / "var"),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "mentoring",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
        f"--hostname={name}-{os.getpid()}@%h",
        *args,
    ]
    log_path = root / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
    return WorkerProcess(process=process, mail_dir=mail_dir, log_path=log_path)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory):
    """A real ``celery worker`` in a subprocess, on the test database and the test broker.

    Started by the first test that asks for it, stopped at the end of the session (before the test
    database is dropped). It sends e-mail to files in ``mail_dir``, one file per message.
    """
    worker = start_worker(tmp_path_factory.mktemp("celery-worker"), name="pytest")
    try:
        _wait_until_ready(worker)
        yield worker
    finally:
        _stop(worker.process)


@pytest.fixture
def celery_worker(request, celery_worker_process, celery_broker):
    """The session's real worker, with this test's tasks sent to it through Redis."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and (marker.kwargs.get("transaction") or "transaction" in marker.args)):
        pytest.fail(
            "A worker test needs @pytest.mark.django_db(transaction=True): the worker is another "
            "process and only sees committed rows."
        )
    worker = celery_worker_process
    if worker.process.poll() is not None:
        pytest.fail(f"The Celery worker has exited. Its log:\n{worker.log_tail()}")
    yield worker
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print(f"---- Celery worker log (last lines) ----\n{worker.log_tail()}")


# --- Settings ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _change_log_where_it_is_tested(request):
    """django-auditlog records every change only in the tests about it — those under
    tests/security/ (the audit trail, erasure, two-factor resets, unlocks, the permission matrix)
    and the browser journeys, whose live server runs in another thread, beyond this switch.

    Everywhere else it is switched off for the test's own thread: recording a change of every row
    the factories write cost a quarter of the suite's time, and what it records is asserted where
    it is tested. The application itself always records (nothing in settings turns it off).
    """
    if "security" in request.node.path.parts:
        yield
        return
    from auditlog.context import disable_auditlog

    with disable_auditlog():
        yield


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    """Settings for the whole session (so the live server, started once, has them too).

    * Static files: the manifest storage needs collectstatic; tests serve files straight from the
      finders. STATIC_ROOT is an empty directory, so WhiteNoise neither warns nor serves a stale
      collection.
    * Passwords: a fast hasher. The production one is slow on purpose, which made creating users
      the bulk of the suite's time.
    """
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    static_root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(
        STORAGES=storages,
        STATIC_ROOT=static_root,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield


# --- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (the machine's, not a downloaded one)."""
    # Playwright's sync API runs an event loop in this thread; Django would then refuse ORM calls
    # from the test as "async context". Documented workaround for Playwright with Django:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing. {USE_THE_TEST_SCRIPT} (it installs Chromium).")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-gpu",
                "--no-first-run",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser):
    """A page in a fresh browser context (no cookies or storage shared between tests)."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()
