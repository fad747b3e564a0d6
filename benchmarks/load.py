"""How the whole service holds up under a working day's load — people signed in to the pages,
gunicorn in front, PostgreSQL behind, a Celery worker building a payment run at the same time.
A benchmark to run by hand, not a test:

    bash scripts/services.sh .venv/bin/python -m benchmarks.load
    bash scripts/services.sh .venv/bin/python -m benchmarks.load --users 50 --minutes 3

It needs locust, which the normal setup does not install: ``pip install -e '.[load]'``. It needs
PostgreSQL and Redis: ``scripts/services.sh`` starts throwaway ones and sets ``DATABASE_URL`` and
``REDIS_URL``. Everything is written to a scratch database (``test_load_benchmark``) created
beside the configured one and dropped at the end.

What runs:

* the scratch database, migrated and seeded with one ICB (four PCNs, twenty practices) running
  two preset schemes — the GP Supporting Mentors Scheme (paid £289 a week) and PA preceptorship —
  with ``--mentors`` mentors (200) and twice as many mentees, each mentee in an active
  one-to-one mentorship with three sessions held; GP mentors' weekly claims since April (paid
  before October, approved since), October's payment run built and approved; three
  coordinators and two finance staff, each with a confirmed TOTP device. Every simulated person
  has an account of their own (the accounts, passwords and TOTP keys go to a JSON file for the
  locustfile);
* gunicorn on 127.0.0.1 (``--workers`` sync workers, 4 by default for 2 cores) serving
  ``mentoring.wsgi`` with DEBUG off and WhiteNoise (collectstatic into a temporary STATIC_ROOT
  first, plain copies: the simulated people fetch pages, not assets), and a Celery worker on the
  Redis broker, as in production;
* locust, headless, ``--users`` simulated people (50) started at ``--spawn-rate`` a second, each
  pausing 1–3 s between actions: mentors, mentees, coordinators and finance doing what
  ``benchmarks/locustfile.py`` says. The measurement starts once every one of them has signed in
  (the statistics are reset then) and lasts ``--minutes`` (3): the steady state of a working
  day. The sign-ins — deliberately slow (PBKDF2), and all crowded into the ramp-up as no real
  morning is — are reported on their own;
* a third of the way in, the monthly beat job's task (``build_payment_runs``, last month) is
  sent to the worker, as Celery beat would send it; two thirds in, it is sent again, as a
  repeated tick would be.

What is printed: requests a second, the median, 95th and 99th percentile latency and the failures
for each page and overall (from locust's CSV statistics), the sign-in times, then whether the
payment run the worker built is correct: it covers exactly the approved claims of the month not
paid before, each claim once, and its total is their sum — checked against the claims table.
"""

import argparse
import binascii
import contextlib
import csv
import datetime
import importlib.util
import io
import json
import logging
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.payment_run import (
    create_scratch,
    drop_scratch,
    machine,
    say,
    server_version,
    setup_django,
    step,
)

SCRATCH = "test_load_benchmark"
BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "Load-benchmark-2026"  # noqa: S105 — the scratch database's accounts, dropped at the end
EMAIL_DOMAIN = "load.example.nhs.uk"
REGIONS = ["London", "Kent, Surrey and Sussex", "South East", "East of England"]
TARGET_P95_MS = 500
PAGE_WIDTH = 48


def locust_missing() -> bool:
    """Looked up, not imported: importing locust monkey-patches this process for gevent."""
    return importlib.util.find_spec("locust") is None


# --- seeding ----------------------------------------------------------------------------------


@dataclass
class Seeded:
    accounts: dict
    icb_id: int
    month: datetime.date
    counts: dict = field(default_factory=dict)


def _organisations():
    from mentoring.models import Organisation

    def make(code, name, kind, parent=None):
        organisation = Organisation(code=code, name=name, kind=kind, parent=parent)
        organisation.save()  # keeps ``path``
        return organisation

    icb = make("QLD", "NHS Loadshire Integrated Care Board", "icb")
    practices = []
    for p in range(4):
        pcn = make(f"U8{p:04d}", f"Loadshire PCN {p + 1}", "pcn", icb)
        practices += [
            make(f"Y8{p}{n:03d}", f"Surgery {p + 1}.{n + 1}", "practice", pcn) for n in range(5)
        ]
    return icb, practices


def _people(rng, fake, practices, profession, count, prefix, start, *, mentor):
    """``count`` people with logins, registrations and the same (fast to set) password hash."""
    from django.contrib.auth.hashers import make_password

    from mentoring.models import Person, ProfessionalRegistration, Register, User

    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{n:03d}@{EMAIL_DOMAIN}",
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                password=password,
            )
            for n in range(count)
        ]
    )
    people = Person.objects.bulk_create(
        [
            Person(
                user=user,
                profession=profession,
                organisation=rng.choice(practices),
                department="General practice",
                region=rng.choice(REGIONS),
                clinical_sessions_per_week=Decimal(rng.choice(["4", "5", "6", "7"])),
                work_email=user.email,
                profile="Happy to meet by video or in person." if mentor else "",
                payee_reference=f"LOAD-{prefix.upper()}-{n:03d}" if mentor else "",
            )
            for n, user in enumerate(users)
        ]
    )
    register = Register.GMC if profession == "gp" else Register.PA
    ProfessionalRegistration.objects.bulk_create(
        [
            ProfessionalRegistration(
                person=person,
                register=register,
                number=f"{start + n:07d}",
                status="registered",
                licence_to_practise=True if profession == "gp" else None,
                on_performers_list=profession == "gp",
                qualified_on=datetime.date(2005 if mentor else 2025, 8, 1),
            )
            for n, person in enumerate(people)
        ]
    )
    for person, user in zip(people, users, strict=True):
        person.user = user
    return people


def _staff(icb, rng):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mentoring.models import Role, User
    from mentoring.roles import grant_role

    staff = {"coordinators": [], "finance": []}
    for kind, role, count in (
        ("coordinators", Role.COORDINATOR, 3),
        ("finance", Role.FINANCE, 2),
    ):
        for n in range(count):
            user = User.objects.create_user(
                f"{kind}{n}@{EMAIL_DOMAIN}",
                password=PASSWORD,
                first_name=kind.capitalize().rstrip("s"),
                last_name=f"Number {n + 1}",
            )
            grant_role(user=user, role=role, organisation=icb)
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            staff[kind].append(
                {
                    "email": user.email,
                    "key": binascii.hexlify(device.bin_key).decode(),
                    "step": device.step,
                    "t0": device.t0,
                    "digits": device.digits,
                    "drift": device.drift,
                    "user": user,
                }
            )
    return staff


def _mentorships(scheme, mentors, mentees, rng, today):
    """One-to-one mentorships, active since May, with three held sessions each."""
    from matching.models import Mentorship, MentorshipMember
    from schemes.models import Enrolment
    from sessions_log.models import Attendance, MentoringSession

    cohort = scheme.cohorts.order_by("priority", "pk").first()
    mentor_enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                person=person,
                scheme=scheme,
                role="mentor",
                capacity=4,
                clinical_sessions_per_week=person.clinical_sessions_per_week,
                joined_on=datetime.date(today.year - 1, 3, 1),
            )
            for person in mentors
        ]
    )
    mentee_enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                person=person,
                scheme=scheme,
                role="mentee",
                cohort=cohort,
                joined_on=datetime.date(today.year, 4, 15),
            )
            for person in mentees
        ]
    )
    started = datetime.date(today.year, 5, 1)
    pairs = [
        (mentor_enrolments[n % len(mentor_enrolments)], mentee)
        for n, mentee in enumerate(mentee_enrolments)
    ]
    mentorships = Mentorship.objects.bulk_create(
        [
            Mentorship(scheme=scheme, status="active", source="manual", started_on=started)
            for _ in pairs
        ]
    )
    members = MentorshipMember.objects.bulk_create(
        [
            MentorshipMember(
                mentorship=mentorship,
                enrolment=enrolment,
                role=enrolment.role,
                response="accepted",
                first_attended_on=started,
            )
            for mentorship, pair in zip(mentorships, pairs, strict=True)
            for enrolment in pair
        ]
    )
    sessions = MentoringSession.objects.bulk_create(
        [
            MentoringSession(
                mentorship=mentorship,
                starts_at=datetime.datetime.combine(
                    today - datetime.timedelta(days=28 * k + rng.randint(5, 20)),
                    datetime.time(rng.randint(8, 17)),
                    tzinfo=datetime.UTC,
                ),
                duration_minutes=60,
                mode=rng.choice(["in_person", "video", "phone"]),
                status="held",
                created_by=pair[0].person.user,
            )
            for mentorship, pair in zip(mentorships, pairs, strict=True)
            for k in range(3)
        ]
    )
    by_mentorship = {}
    for member in members:
        by_mentorship.setdefault(member.mentorship_id, []).append(member)
    Attendance.objects.bulk_create(
        [
            Attendance(session=session, member=member, attended=True)
            for session in sessions
            for member in by_mentorship[session.mentorship_id]
        ]
    )
    return [
        (pair[0].person, pair[1].person, mentorship.pk)
        for pair, mentorship in zip(pairs, mentorships, strict=True)
    ]


def _claims(scheme, mentors, coordinator_email, rng, today, month):
    """Weekly claims since April through the claims import (every rule applied): paid before
    October — by the system before this one — and approved since."""
    from mentoring.imports import run_import
    from reimbursement import claims, runs

    paid_before = runs.previous_month(month)  # the month of the run finance exports
    first = claims.week_of(datetime.date(today.year, 4, 7))
    lines = ["email,scheme,kind,claim_date,status,decided_by_email"]
    for person in mentors:
        monday = first
        while monday <= runs.month_end(month):
            if rng.random() < 0.85:
                status = "paid" if monday < paid_before else "approved"
                lines.append(
                    f"{person.user.email},{scheme.slug},mentoring,{monday},{status},"
                    f"{coordinator_email}"
                )
            monday += datetime.timedelta(weeks=1)
    result = run_import("claims", io.BytesIO("\n".join(lines).encode()))
    if not result.ok:
        raise SystemExit(f"The benchmark's claims did not import: {result.errors[:3]}")
    return len(lines) - 1


def seed(args, rng) -> Seeded:
    from django.db import connection, transaction
    from django.utils import timezone
    from faker import Faker

    from reimbursement import runs, selectors
    from schemes.models import Scheme
    from schemes.presets import load_presets

    fake = Faker("en_GB")
    fake.seed_instance(args.seed)
    today = timezone.localdate()
    month = runs.previous_month(today)
    gp_mentors = args.mentors * 3 // 4
    pa_mentors = args.mentors - gp_mentors
    with transaction.atomic():
        icb, practices = _organisations()
        load_presets(organisation=icb)
        schemes = {s.profession: s for s in Scheme.objects.filter(owner=icb)}
        gp, pa = schemes["gp"], schemes["pa"]
        staff = _staff(icb, rng)
        people = {
            "gp mentors": _people(rng, fake, practices, "gp", gp_mentors, "gpmentor", 7_300_000, mentor=True),
            "gp mentees": _people(rng, fake, practices, "gp", 2 * gp_mentors, "gpmentee", 7_400_000, mentor=False),
            "pa mentors": _people(rng, fake, practices, "pa", pa_mentors, "pamentor", 7_500_000, mentor=True),
            "pa mentees": _people(rng, fake, practices, "pa", 2 * pa_mentors, "pamentee", 7_600_000, mentor=False),
        }  # fmt: skip
        pairs = _mentorships(gp, people["gp mentors"], people["gp mentees"], rng, today)
        pairs += _mentorships(pa, people["pa mentors"], people["pa mentees"], rng, today)
        claim_count = _claims(
            gp, people["gp mentors"], staff["coordinators"][0]["email"], rng, today, month
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        exported = runs.build_run(organisation=icb, period=runs.previous_month(month)).run
        runs.approve_run(run=exported, by=staff["finance"][0]["user"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    surnames = sorted({p.user.last_name for p in people["gp mentors"]})
    accounts = {
        "password": PASSWORD,
        "mentors": [{"email": m.user.email, "mentorship": pk} for m, _, pk in pairs],
        "mentees": [{"email": e.user.email, "mentorship": pk} for _, e, pk in pairs],
        "coordinators": [
            {k: v for k, v in s.items() if k != "user"} for s in staff["coordinators"]
        ],
        "finance": [{k: v for k, v in s.items() if k != "user"} for s in staff["finance"]],
        "regions": REGIONS,
        "searches": [*rng.sample(surnames, min(20, len(surnames))), "7300012", "73000"],
        "run_reference": exported.reference,
        "csv_header": ",".join(selectors.CSV_COLUMNS),
    }
    # A mentor has two mentorships: each mentor's account once, with the first of them.
    first_of = {}
    for account in accounts["mentors"]:
        first_of.setdefault(account["email"], account)
    accounts["mentors"] = list(first_of.values())
    rng.shuffle(accounts["mentors"])
    rng.shuffle(accounts["mentees"])
    counts = {
        "mentors": args.mentors,
        "mentees": len(accounts["mentees"]),
        "mentorships": len(pairs),
        "sessions": 3 * len(pairs),
        "claims": claim_count,
        f"lines in {exported.reference}": exported.lines.count(),
    }
    return Seeded(accounts=accounts, icb_id=icb.pk, month=month, counts=counts)


# --- the servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{SCRATCH}"))


class Processes:
    """The subprocesses this benchmark starts, each with its log; stopped in reverse order."""

    def __init__(self, work: Path):
        self.work = work
        self.started: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = self.work / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 — our own executables, no shell
                command,
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((name, process, log))
        return process

    def check(self) -> None:
        for name, process, log in self.started:
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with {process.returncode}:\n{tail(log)}")

    def stop(self) -> None:
        for _name, process, _log in reversed(self.started):
            if process.poll() is None:
                process.terminate()
        for _name, process, _log in reversed(self.started):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def server_env(work: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentoring.settings",
        "DATABASE_URL": scratch_url(),
        "DEBUG": "false",
        "SECRET_KEY": binascii.hexlify(os.urandom(32)).decode(),
        "VAR_DIR": str(work / "var"),
        "STATIC_ROOT": str(work / "static"),
        # Copied, not compressed: the simulated people fetch pages, not the (cached) assets.
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "EMAIL_URL": "dummymail://",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def wait_for_http(url: str, processes: Processes, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check()
        with (
            contextlib.suppress(OSError),
            # The URL is our own gunicorn on 127.0.0.1, http only.
            urllib.request.urlopen(url, timeout=5) as response,  # noqa: S310  # nosec B310
        ):
            if response.status == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def wait_for_worker(processes: Processes, timeout: float = 60) -> None:
    from mentoring.tasks import ping

    result = ping.delay()
    deadline = time.monotonic() + timeout
    while not result.ready():
        processes.check()
        if time.monotonic() > deadline:
            raise SystemExit("The Celery worker did not answer a ping")
        time.sleep(0.2)


def start_servers(args, work: Path, processes: Processes) -> str:
    env = server_env(work)
    (work / "var").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    port = free_port()
    processes.start(
        "gunicorn",
        [
            str(VENV_BIN / "gunicorn"),
            "mentoring.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            "--worker-class=sync",
            "--timeout=60",
        ],
        env,
    )
    processes.start(
        "celery",
        [
            str(VENV_BIN / "celery"),
            "-A",
            "mentoring",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            f"--hostname=load-{os.getpid()}@%h",
        ],
        env,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/healthz", processes)
    wait_for_worker(processes)
    return url


# --- the payment run during the load ------------------------------------------------------------


@dataclass
class Build:
    sent_at: float
    seconds: float | None = None
    outcome: list | None = None
    error: str = ""


def build_during_load(started_file: Path, seconds: float, builds: list[Build]) -> None:
    """Once the measurement has started (the locustfile writes the time), send the beat job's
    task a third and two thirds of the way through, and wait for each answer."""
    from reimbursement.tasks import build_payment_runs

    while not started_file.exists():
        time.sleep(0.5)
    started = float(started_file.read_text())
    for offset in (seconds / 3, 2 * seconds / 3):
        time.sleep(max(0.0, started + offset - time.time()))
        build = Build(sent_at=time.time() - started)
        builds.append(build)
        sent = time.perf_counter()
        try:
            build.outcome = build_payment_runs.delay().get(timeout=300)
        except Exception as error:  # reported, not raised: the load goes on
            build.error = repr(error)
        build.seconds = time.perf_counter() - sent


def check_run(seeded: Seeded) -> tuple[bool, list[str]]:
    """The run built during the load covers exactly the month's approved, not yet paid claims,
    each once, at the amount approved; its lines and total add up to them."""
    from django.db.models import Count, F, Sum

    from reimbursement import runs
    from reimbursement.models import Claim, PaymentItem, PaymentLine, PaymentRun

    run = PaymentRun.objects.filter(organisation_id=seeded.icb_id, period=seeded.month).first()
    if run is None:
        return False, ["no payment run was built for the month"]
    scheme_ids = list(runs.schemes_paid_by(run.organisation).values_list("pk", flat=True))
    expected = Claim.objects.filter(
        scheme_id__in=scheme_ids,
        status="approved",
        period_start__lte=runs.month_end(seeded.month),
    )
    expected_ids = set(expected.values_list("pk", flat=True))
    items = PaymentItem.objects.filter(run=run)
    item_claims = list(items.values_list("claim_id", flat=True))
    claims_total = expected.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    items_total = items.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    lines_total = PaymentLine.objects.filter(run=run).aggregate(total=Sum("total_amount"))[
        "total"
    ] or Decimal("0.00")
    paid_twice = (
        PaymentItem.objects.values("claim_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    wrong_amounts = items.exclude(amount=F("claim__amount")).count()
    earlier_in_run = items.exclude(claim__status="approved").count()
    checks = [
        (f"run {run.reference} ({run.status}) built", True),
        (
            f"covers the {len(expected_ids):,} approved claims of {seeded.month:%B %Y} and "
            f"before, not paid before: {len(item_claims):,} items",
            set(item_claims) == expected_ids and len(item_claims) == len(expected_ids),
        ),
        ("no claim in two payment items (ever, any run)", paid_twice == 0),
        ("no claim already paid in an earlier run", earlier_in_run == 0),
        ("each item's amount is its claim's approved amount", wrong_amounts == 0),
        (
            f"total £{run.total_amount:,} = the claims' £{claims_total:,} = the items' "
            f"£{items_total:,} = the lines' £{lines_total:,}",
            run.total_amount == claims_total == items_total == lines_total,
        ),
        (f"claim count {run.claim_count:,} = items", run.claim_count == len(item_claims)),
    ]
    return all(ok for _, ok in checks), [f"{'ok ' if ok else 'NO '} {text}" for text, ok in checks]


# --- locust and its figures ---------------------------------------------------------------------


def run_locust(args, url: str, work: Path, accounts_path: Path) -> Path:
    prefix = work / "locust"
    env = {
        **os.environ,
        "LOAD_ACCOUNTS": str(accounts_path),
        "LOAD_LOGINS": str(work / "logins.json"),
        "LOAD_STARTED": str(work / "started"),
        "LOAD_USERS": str(args.users),
        "LOAD_SECONDS": str(args.minutes * 60),
        "LOAD_COORDINATORS": str(args.coordinators),
        "LOAD_FINANCE": str(args.finance),
    }
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(BASE_DIR / "benchmarks" / "locustfile.py"),
        "--headless",
        f"--users={args.users}",
        f"--spawn-rate={args.spawn_rate}",
        # A cap only: the locustfile stops the load --minutes after everyone has signed in.
        f"--run-time={int(args.minutes * 60 + 600)}s",
        f"--host={url}",
        f"--csv={prefix}",
        "--only-summary",
        "--stop-timeout=10",
        "--loglevel=WARNING",
    ]
    with (work / "locust.log").open("wb") as log:
        subprocess.run(  # noqa: S603 — exits 1 when any request failed: read from the CSV
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise SystemExit(f"locust wrote no statistics:\n{tail(work / 'locust.log')}")
    return prefix


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    maximum: float


def read_stats(prefix: Path) -> list[Row]:
    rows = []
    with Path(f"{prefix}_stats.csv").open(newline="") as file:
        for line in csv.DictReader(file):
            if not int(line["Request Count"]):
                continue
            ms = {
                column: float(line[column]) if line[column] not in ("", "N/A") else float("nan")
                for column in ("50%", "95%", "99%", "Max Response Time")
            }
            rows.append(
                Row(
                    name=line["Name"] if line["Type"] else "Aggregated",
                    requests=int(line["Request Count"]),
                    failures=int(line["Failure Count"]),
                    rps=float(line["Requests/s"]),
                    p50=ms["50%"],
                    p95=ms["95%"],
                    p99=ms["99%"],
                    maximum=ms["Max Response Time"],
                )
            )
    return rows


def failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as file:
        return [
            f"{line['Occurrences']}× {line['Name']}: {line['Error']}"
            for line in csv.DictReader(file)
        ]


def print_stats(rows: list[Row]) -> bool:
    say(
        f"\n{'page':<{PAGE_WIDTH}} {'requests':>8} {'req/s':>6} {'p50':>6} {'p95':>6} "
        f"{'p99':>6} {'max':>6} {'failed':>6}"
    )
    ok = True
    for row in rows:
        overall = row.name == "Aggregated"
        if overall:
            say("-" * (PAGE_WIDTH + 52))
        within = row.p95 < TARGET_P95_MS and row.failures == 0
        ok &= within
        say(
            f"{'overall' if overall else row.name:<{PAGE_WIDTH}} {row.requests:>8,} "
            f"{row.rps:>6.1f} {row.p50:>6.0f} {row.p95:>6.0f} {row.p99:>6.0f} "
            f"{row.maximum:>6.0f} {row.failures:>6}{'' if within else '  ← over target'}"
        )
    say("(milliseconds; locust rounds percentiles above 100 ms to two significant figures)")
    return ok


def print_logins(path: Path) -> None:
    if not path.exists():
        say("sign-ins: none recorded")
        return
    logins = json.loads(path.read_text())
    for kind in ("mentors", "mentees", "coordinators", "finance"):
        times = sorted(entry["seconds"] for entry in logins if entry["kind"] == kind)
        if not times:
            continue
        failed = sum(1 for entry in logins if entry["kind"] == kind and not entry["ok"])
        second = any(e["second_factor"] for e in logins if e["kind"] == kind)
        say(
            f"  {kind:<13} {len(times):>3} sign-ins{' with a TOTP code' if second else ''}: "
            f"median {statistics.median(times) * 1000:.0f} ms, slowest {times[-1] * 1000:.0f} ms"
            f"{f', {failed} FAILED' if failed else ''}"
        )


# --- main -----------------------------------------------------------------------------------------


def run(args) -> bool:
    rng = random.Random(args.seed)
    load = os.getloadavg()
    with step(f"seeding {args.mentors} mentors, {2 * args.mentors} mentees and staff"):
        seeded = seed(args, rng)
    say("  " + ", ".join(f"{v:,} {k}" for k, v in seeded.counts.items()))
    work = Path(tempfile.mkdtemp(prefix="load-benchmark-"))
    accounts_path = work / "accounts.json"
    accounts_path.write_text(json.dumps(seeded.accounts))
    processes = Processes(work)
    try:
        with step(f"starting gunicorn ({args.workers} sync workers) and a Celery worker"):
            url = start_servers(args, work, processes)
        say(f"  {url}; logs in {work}")
        builds: list[Build] = []
        builder = threading.Thread(
            target=build_during_load,
            args=(work / "started", args.minutes * 60, builds),
            daemon=True,
        )
        builder.start()
        with step(
            f"locust: {args.users} users ({args.coordinators} coordinators, {args.finance} "
            f"finance, the rest mentors and mentees), started at {args.spawn_rate:g}/s; "
            f"{args.minutes:g} min measured once all have signed in"
        ):
            prefix = run_locust(args, url, work, accounts_path)
        during = os.getloadavg()
        builder.join(timeout=300)
        processes.check()
    finally:
        processes.stop()

    say(
        f"\nmachine: {machine()}, PostgreSQL {server_version()}; load average (1 min) "
        f"{load[0]:.2f} before, {during[0]:.2f} at the end of the load"
    )
    rows = read_stats(prefix)
    within = print_stats(rows)
    for failure in failures(prefix):
        say(f"  failure: {failure}")
    say("\nsign-ins (before the measurement, not in the figures above):")
    print_logins(work / "logins.json")

    say("\npayment run built by the Celery worker during the load:")
    for n, build in enumerate(builds, start=1):
        outcome = build.outcome or []
        say(
            f"  tick {n} sent at {build.sent_at:.0f} s: "
            + (
                f"answered in {build.seconds:.1f} s, {outcome}"
                if not build.error
                else f"FAILED: {build.error}"
            )
        )
    correct, lines = check_run(seeded)
    for line in lines:
        say(f"  {line}")
    built = len(builds) == 2 and not any(b.error for b in builds)
    say(
        f"\ntarget — p95 under {TARGET_P95_MS} ms and no failures on every page: "
        f"{'met' if within else 'NOT met'}; payment run built and correct: "
        f"{'yes' if built and correct else 'NO'}"
    )
    if not args.keep_logs:
        shutil.rmtree(work, ignore_errors=True)
    return within and built and correct


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated people (50)")
    parser.add_argument("--minutes", type=float, default=3, help="how long the load lasts (3)")
    parser.add_argument("--spawn-rate", type=float, default=2, help="users started a second (2)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (4)")
    parser.add_argument("--mentors", type=int, default=200, help="mentors seeded (200)")
    parser.add_argument("--coordinators", type=int, default=3, choices=range(4))
    parser.add_argument("--finance", type=int, default=2, choices=range(3))
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    args = parser.parse_args(argv)
    if args.users < args.coordinators + args.finance + 2 or args.mentors < 4:
        parser.error("--users must leave room for mentors and mentees; --mentors at least 4")
    if locust_missing():
        raise SystemExit(
            "This benchmark needs locust, which the normal setup does not install:\n"
            "    .venv/bin/pip install -e '.[load]'"
        )
    if not os.environ.get("REDIS_URL"):
        raise SystemExit(
            "This benchmark needs Redis and PostgreSQL (REDIS_URL is not set). Run it with\n"
            "    bash scripts/services.sh .venv/bin/python -m benchmarks.load"
        )

    setup_django()
    logging.getLogger("reimbursement").setLevel(logging.WARNING)
    started = time.perf_counter()
    original = create_scratch(SCRATCH, "benchmarks.load")
    say(f"scratch database {SCRATCH} created beside {original}")
    try:
        ok = run(args)
    finally:
        from django.db import connection

        connection.close()
        drop_scratch(original)
        say(f"scratch database dropped; {time.perf_counter() - started:.0f} s in all")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
