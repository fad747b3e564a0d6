"""The people ``benchmarks/load.py`` simulates, for locust (run by it, not by hand).

Each simulated person signs in once with an account of their own — read from the JSON file named
by ``LOAD_ACCOUNTS``, which the benchmark writes after seeding — and then, pausing 1–3 s between
actions as a person would:

* a **mentor** reads their home page and logs sessions: the plan form (GET, then POST a session
  held in the last fortnight) and the "what happened" form (GET, then POST "held");
* a **mentee** reads their home page and writes post-session reflections (GET the form, POST it);
* a **coordinator** lists the register in the admin: people filtered by profession and region,
  and searched by surname or registration number;
* **finance** open their home page and download an approved payment run's CSV export.

Staff are asked for a second factor after their password (``/accounts/two-factor/``, one field,
``code``), either straight from the login or from the first page they open: the code is computed
from the account's TOTP key in the JSON. A code is accepted once per 30 s per device, so no two
simulated staff share an account. Should no redirect lead there, nothing more is asked.

Requests are named by page (``name=``), so locust's statistics group per page, not per URL.
The measurement starts once every simulated person has signed in: the statistics are reset then,
the time is written to ``LOAD_STARTED`` and locust stops ``LOAD_SECONDS`` later. Sign-ins are
deliberately slow (PBKDF2) and all crowd into the ramp-up, which no real morning does; their
times are written separately to ``LOAD_LOGINS`` when locust stops.
"""

import binascii
import datetime
import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text())
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGINS: list[dict] = []
SIGNING_IN = {"done": 0}


def _pool(kind: str, *, shared: bool):
    """Hands out the accounts of one kind in turn; staff accounts only once each."""
    accounts = ACCOUNTS[kind]
    return itertools.cycle(accounts) if shared else iter(accounts)


POOLS = {
    "mentors": _pool("mentors", shared=True),
    "mentees": _pool("mentees", shared=True),
    "coordinators": _pool("coordinators", shared=False),
    "finance": _pool("finance", shared=False),
}


def totp_code(device: dict) -> str:
    from django_otp.oath import TOTP

    key = binascii.unhexlify(device["key"])
    return str(
        TOTP(key, device["step"], device["t0"], device["digits"], device["drift"]).token()
    ).zfill(device["digits"])


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    kind = ""

    def on_start(self):
        try:
            self.account = next(POOLS[self.kind])
            self.sign_in()
        except StopIteration:
            raise StopUser() from None  # more simulated staff than seeded staff accounts
        finally:
            self.signed_in_or_gave_up()

    def signed_in_or_gave_up(self) -> None:
        """The last person through starts the measurement."""
        SIGNING_IN["done"] += 1
        if SIGNING_IN["done"] != int(os.environ["LOAD_USERS"]):
            return
        runner = self.environment.runner
        runner.stats.reset_all()
        Path(os.environ["LOAD_STARTED"]).write_text(str(time.time()))
        gevent.spawn_later(float(os.environ["LOAD_SECONDS"]), runner.quit)

    def csrf_of(self, response) -> str:
        found = CSRF.search(response.text or "")
        return found.group(1) if found else ""

    def expect(self, response, status: int, what: str) -> bool:
        if response.status_code != status:
            response.failure(f"{what}: expected {status}, got {response.status_code}")
            return False
        response.success()
        return True

    def sign_in(self) -> None:
        started = time.perf_counter()
        form = self.client.get("/accounts/login/", name="login (form)")
        with self.client.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": self.csrf_of(form),
                "username": self.account["email"],
                "password": ACCOUNTS["password"],
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            ok = self.expect(response, 302, "login")
            location = response.headers.get("Location", "")
        location = self.second_factor_step(location) if ok else ""
        second_factor = bool(location)
        if second_factor:
            page = self.client.get(location, name="two-factor (form)")
            # A code is good for its 30 s window (and one either side): one that waited longer
            # in an overloaded server's queue is refused, and a person types the next one.
            for attempt in range(3):
                with self.client.post(
                    location,
                    {"csrfmiddlewaretoken": self.csrf_of(page), "code": totp_code(self.account)},
                    name="two-factor" if attempt == 0 else "two-factor (next code)",
                    allow_redirects=False,
                    catch_response=True,
                ) as response:
                    ok = self.expect(response, 302, "two-factor")
                    page = response
                if ok:
                    break
                gevent.sleep(31 - time.time() % 30)
        LOGINS.append(
            {
                "kind": self.kind,
                "seconds": time.perf_counter() - started,
                "ok": ok,
                "second_factor": second_factor,
            }
        )
        if not ok:
            raise StopUser()

    def second_factor_step(self, location: str) -> str:
        """Where the login's redirects lead to the two-factor page, if they do: straight there, or
        through the page asked for, which sends anyone not yet verified on to it."""
        for _ in range(3):
            if "/accounts/two-factor/" in location:
                return location
            if not location:
                return ""
            response = self.client.get(location, name="login (next page)", allow_redirects=False)
            location = response.headers.get("Location", "") if response.is_redirect else ""
        return ""

    def submit(self, url: str, form_name: str, post_name: str, data: dict) -> str | None:
        """GET a form, POST it with its CSRF token; a valid post redirects (a 200 is the form
        again, with errors). Returns where it redirected to."""
        page = self.client.get(url, name=form_name)
        with self.client.post(
            url,
            {"csrfmiddlewaretoken": self.csrf_of(page), **data},
            name=post_name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if self.expect(response, 302, post_name):
                return response.headers.get("Location", "")
        return None


class Mentor(Person):
    weight = 5
    kind = "mentors"

    @task(2)
    def home(self):
        self.client.get("/", name="mentor: home")

    @task(1)
    def log_a_session(self):
        mentorship = self.account["mentorship"]
        held = datetime.date.today() - datetime.timedelta(days=random.randint(1, 14))
        location = self.submit(
            f"/mentorships/{mentorship}/sessions/plan/",
            "mentor: plan a session (form)",
            "mentor: plan a session (post)",
            {
                "date_day": str(held.day),
                "date_month": str(held.month),
                "date_year": str(held.year),
                "time": f"{random.randint(8, 17):02d}:00",
                "duration_minutes": "60",
                "mode": random.choice(["video", "in_person", "phone"]),
                "location": "Practice meeting room",
            },
        )
        found = re.search(r"/sessions/(\d+)/", location or "")
        if found:
            self.submit(
                f"/sessions/{found.group(1)}/log/",
                "mentor: log what happened (form)",
                "mentor: log what happened (post)",
                {"outcome": "held"},
            )


class Mentee(Person):
    weight = 5
    kind = "mentees"

    @task(1)
    def home(self):
        self.client.get("/", name="mentee: home")

    @task(1)
    def reflect(self):
        self.submit(
            f"/mentorships/{self.account['mentorship']}/forms/post_session/new/",
            "mentee: reflection (form)",
            "mentee: reflection (post)",
            {
                "key_issues": "Saying no to extra lists; handing over at the end of clinic.",
                "areas_to_tackle": "Agree a handover routine with the practice manager by May.",
                "unexpected_issues": "",
                "action": "submit",
            },
        )


class Coordinator(Person):
    fixed_count = int(os.environ.get("LOAD_COORDINATORS", "3"))
    kind = "coordinators"

    @task(2)
    def filter_register(self):
        profession = random.choice(["gp", "pa"])
        region = random.choice(ACCOUNTS["regions"])
        self.client.get(
            f"/admin/mentoring/person/?profession__exact={profession}&region={region}",
            name="coordinator: register, filtered",
        )

    @task(2)
    def search_register(self):
        term = random.choice(ACCOUNTS["searches"])
        self.client.get(
            f"/admin/mentoring/person/?q={term}&profession__exact=gp",
            name="coordinator: register, filtered and searched",
        )

    @task(1)
    def list_register(self):
        self.client.get("/admin/mentoring/person/", name="coordinator: register")


class Finance(Person):
    fixed_count = int(os.environ.get("LOAD_FINANCE", "2"))
    kind = "finance"

    @task(1)
    def home(self):
        self.client.get("/finance/", name="finance: home")

    @task(2)
    def export(self):
        with self.client.get(
            f"/finance/runs/{ACCOUNTS['run_reference']}/export.csv",
            name="finance: payment run CSV",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or not response.text.lstrip("\ufeff").startswith(
                ACCOUNTS["csv_header"]
            ):
                response.failure(f"export: {response.status_code}, {response.text[:80]!r}")


@events.quitting.add_listener
def _write_logins(environment, **kwargs):
    path = os.environ.get("LOAD_LOGINS")
    if path:
        Path(path).write_text(json.dumps(LOGINS))
