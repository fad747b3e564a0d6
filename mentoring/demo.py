"""A realistic, deterministic demo ICS for ``manage.py seed_demo``.

One integrated care board with its training hub, a trust, primary care networks and practices;
about 50 mentors and 300 mentees across general practice, physician associates and pharmacy,
with registrations (a few that will fail the schemes' eligibility rules), mentoring training and
line-management and supervision relationships — plus a small second ICS, so that a coordinator
can see that scoping works. Vocabularies come from the source documents (sectors and scopes of
practice from the pharmacist pilot's enrolment survey, focus areas from the GP scheme guidance).
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from faker import Faker

from mentoring.models import (
    FocusArea,
    Organisation,
    Person,
    Profession,
    ProfessionalRegistration,
    Register,
    RegistrationStatus,
    RelationshipKind,
    Role,
    ScopeOfPractice,
    Sector,
    TrainingKind,
    TrainingRecord,
    TrainingStatus,
    User,
    WorkingRelationship,
)
from mentoring.roles import grant_role

SEED = 20261123
DEMO_PASSWORD = "Demo-mentoring-2026"  # noqa: S105 — printed for the demo logins, never used in production
ICB_CODE = "QTS"
OTHER_ICB_CODE = "QRV"
TODAY = datetime.date(2026, 11, 23)
LONDON = ZoneInfo("Europe/London")

SECTORS = [
    "Acute hospital settings",
    "Care homes",
    "Community health trusts",
    "Community pharmacy",
    "Integrated care board",
    "Mental health trusts",
    "Primary care teams and GP practices",
    "Substance misuse services",
]
SCOPES = [
    "Anticoagulation",
    "Hypertension",
    "Gastroenterology",
    "Mental health",
    "Diabetes",
    "Respiratory",
    "HIV",
    "Dermatology",
    "Women's health",
    "Minor illness",
]
FOCUS_AREAS = [
    "Leadership",
    "Career progression",
    "Career planning",
    "Partnership",
    "Issues in clinical practice",
    "Appraisal and revalidation",
    "Returning to practice",
    "Wellbeing and avoiding burnout",
    "Medical education",
    "Prescribing confidence",
]


@dataclass
class Login:
    role: str
    email: str
    note: str


@dataclass
class DemoSummary:
    created: bool
    logins: list[Login] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


LOGINS = [
    Login("admin", "admin@example.org", "superuser: everything, including role assignments"),
    Login("coordinator", "coordinator@example.org", "coordinator of NHS Thameside ICB"),
    Login("coordinator", "coordinator.riverside@example.org", "coordinator of NHS Riverside ICB"),
    Login("finance", "finance@example.org", "finance for NHS Thameside ICB"),
    Login("mentor", "mentor@example.org", "a GP mentor on the register"),
    Login("mentee", "mentee@example.org", "a newly qualified GP (fellow) on the register"),
]


class DemoBuilder:
    def __init__(self):
        self.random = random.Random(SEED)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(SEED)
        self.password_hash = make_password(DEMO_PASSWORD)
        self.used_emails: set[str] = set()
        self.number = 0
        self.people: dict[str, list[Person]] = {}

    # organisations -------------------------------------------------------------------------
    def organisation(self, code, name, kind, parent=None) -> Organisation:
        organisation = Organisation(code=code, name=name, kind=kind, parent=parent)
        organisation.save()
        return organisation

    def build_organisations(self):
        kinds = Organisation.Kind
        self.icb = self.organisation(ICB_CODE, "NHS Thameside Integrated Care Board", kinds.ICB)
        self.hub = self.organisation(
            "QTSTH", "Thameside Training Hub", kinds.TRAINING_HUB, self.icb
        )
        self.trust = self.organisation(
            "RTS", "Thameside University Hospitals NHS Foundation Trust", kinds.TRUST, self.icb
        )
        self.mh_trust = self.organisation(
            "RTM", "Thameside and Wey Mental Health NHS Trust", kinds.TRUST, self.icb
        )
        self.practices: list[Organisation] = []
        places = ["Riverside", "Northgate", "Eastbrook", "Millfield", "Southwark Road", "Hillview"]
        for p, place in enumerate(places, start=1):
            pcn = self.organisation(
                f"U9{p:04d}", f"{place} Primary Care Network", kinds.PCN, self.icb
            )
            for n in range(1, 6):
                street = self.fake.street_name()
                self.practices.append(
                    self.organisation(
                        f"Z9{p}{n:03d}", f"{street} Surgery, {place}", kinds.PRACTICE, pcn
                    )
                )
        self.other_icb = self.organisation(
            OTHER_ICB_CODE, "NHS Riverside Integrated Care Board", kinds.ICB
        )
        self.other_practice = self.organisation(
            "Z8001", "Quayside Medical Centre", kinds.PRACTICE, self.other_icb
        )

    # people --------------------------------------------------------------------------------
    def email_for(self, first, last) -> str:
        base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        email, n = f"{base}@example.org", 1
        while email in self.used_emails:
            n += 1
            email = f"{base}{n}@example.org"
        self.used_emails.add(email)
        return email

    def person(self, profession, organisation, *, email=None, first=None, last=None, **fields):
        first = first or self.fake.first_name()
        last = last or self.fake.last_name()
        email = email or self.email_for(first, last)
        self.used_emails.add(email)
        password = self.password_hash if email in {login.email for login in LOGINS} else None
        user = User(email=email, first_name=first, last_name=last)
        if password:
            user.password = password
        else:
            user.set_unusable_password()
        user.save()
        person = Person.objects.create(
            user=user,
            profession=profession,
            organisation=organisation,
            region=fields.pop("region", "London"),
            work_email=email,
            work_phone=f"020 7946 {self.random.randint(0, 9999):04d}",
            **fields,
        )
        return person

    def registration(self, person, register, **fields):
        self.number += 1
        number = f"{7_100_000 + self.number:07d}"
        if register == Register.GMC:
            fields.setdefault("licence_to_practise", True)
        return ProfessionalRegistration.objects.create(
            person=person,
            register=register,
            number=number,
            verified_on=TODAY - datetime.timedelta(days=self.random.randint(5, 200)),
            verification_source="Demo register extract",
            **fields,
        )

    def tag(self, person, sectors=(), scopes=(), focus=()):
        person.sectors.set([self.sectors[name] for name in sectors])
        person.scopes_of_practice.set([self.scopes[name] for name in scopes])
        person.focus_areas.set([self.focus[name] for name in focus])

    def years_ago(self, low, high) -> datetime.date:
        return TODAY - datetime.timedelta(days=self.random.randint(int(low * 365), int(high * 365)))

    def build_vocabularies(self):
        self.sectors = {name: Sector.objects.get_or_create(name=name)[0] for name in SECTORS}
        self.scopes = {name: ScopeOfPractice.objects.get_or_create(name=name)[0] for name in SCOPES}
        self.focus = {name: FocusArea.objects.get_or_create(name=name)[0] for name in FOCUS_AREAS}

    def build_gp_mentors(self, count=30):
        mentors = []
        # (status, licence, performers list, s41A, sessions): most pass the GP scheme's rules,
        # a few deliberately fail one rule each.
        failing = {
            3: {
                "status": RegistrationStatus.REGISTERED_WITHOUT_LICENCE,
                "licence_to_practise": False,
            },
            7: {"interim_suspension": True},
            11: {"on_performers_list": False},
            15: {"sessions": Decimal("2")},
            19: {"status": RegistrationStatus.PROVISIONAL, "licence_to_practise": True},
        }
        for i in range(count):
            practice = self.random.choice(self.practices)
            special = failing.get(i, {})
            sessions = special.pop(
                "sessions", Decimal(self.random.choice(["3", "4", "4", "5", "6", "7"]))
            )
            extra = (
                {"email": "mentor@example.org", "first": "Priya", "last": "Shah"} if i == 0 else {}
            )
            mentor = self.person(
                Profession.GP,
                practice,
                department="General practice",
                clinical_sessions_per_week=sessions,
                profile=(
                    "GP partner with an interest in "
                    f"{self.random.choice(['leadership', 'medical education', 'portfolio careers'])}; "
                    "happy to meet by video or in person."
                ),
                payee_reference=f"SMS-{1000 + i}",
                **extra,
            )
            self.registration(
                mentor,
                Register.GMC,
                status=special.get("status", RegistrationStatus.REGISTERED),
                licence_to_practise=special.get("licence_to_practise", True),
                on_performers_list=special.get("on_performers_list", True),
                interim_suspension=special.get("interim_suspension", False),
                qualified_on=self.years_ago(8, 30),
            )
            if i % 5 != 4:
                status = TrainingStatus.COMPLETED if i % 3 else TrainingStatus.PLANNED
                TrainingRecord.objects.create(
                    person=mentor,
                    kind=TrainingKind.ILM5,
                    status=status,
                    date=self.years_ago(0.2, 4)
                    if status == TrainingStatus.COMPLETED
                    else TODAY + datetime.timedelta(days=self.random.randint(20, 120)),
                    funded_by=self.icb if status == TrainingStatus.PLANNED else None,
                    cost=Decimal("2500.00") if status == TrainingStatus.PLANNED else None,
                )
            self.tag(
                mentor,
                sectors=["Primary care teams and GP practices"],
                focus=self.random.sample(FOCUS_AREAS[:6] + FOCUS_AREAS[8:9], 3),
            )
            mentors.append(mentor)
        self.people["gp_mentors"] = mentors

    def build_gp_mentees(self, count=150):
        mentees = []
        for i in range(count):
            practice = self.random.choice(self.practices)
            extra = (
                {"email": "mentee@example.org", "first": "Tom", "last": "Okafor"} if i == 0 else {}
            )
            mentee = self.person(
                Profession.GP,
                practice,
                department="General practice",
                clinical_sessions_per_week=Decimal(self.random.choice(["4", "6", "8"])),
                **extra,
            )
            self.registration(
                mentee,
                Register.GMC,
                status=RegistrationStatus.REGISTERED,
                on_performers_list=True,
                qualified_on=self.years_ago(0.1, 2),
            )
            self.tag(
                mentee,
                sectors=["Primary care teams and GP practices"],
                focus=self.random.sample(FOCUS_AREAS[:7], 2),
            )
            mentees.append(mentee)
        self.people["gp_mentees"] = mentees

    def build_pa(self, mentors=10, preceptees=70):
        pa_mentors = []
        for i in range(mentors):
            org = self.random.choice([*self.practices, self.trust])
            mentor = self.person(
                Profession.PA,
                org,
                department="General practice" if org.kind == "practice" else "Acute medicine",
                profile=(
                    "Physician associate in "
                    f"{'general practice' if org.kind == 'practice' else 'acute medicine'}; "
                    "glad to talk through careers, appraisal and settling into a first post."
                ),
            )
            # PA mentors are "ideally more than 3 years post qualification": two are not.
            self.registration(
                mentor,
                Register.PA,
                status=RegistrationStatus.REGISTERED,
                qualified_on=self.years_ago(2, 2.8) if i < 2 else self.years_ago(3.5, 10),
            )
            kind = TrainingKind.RCP if i % 2 else TrainingKind.ELFH
            # The PA mentor "must have completed" training: one has only planned it.
            TrainingRecord.objects.create(
                person=mentor,
                kind=kind,
                status=TrainingStatus.PLANNED if i == 9 else TrainingStatus.COMPLETED,
                date=TODAY + datetime.timedelta(days=60) if i == 9 else self.years_ago(0.5, 3),
            )
            self.tag(
                mentor,
                sectors=["Primary care teams and GP practices"],
                focus=self.random.sample(FOCUS_AREAS[4:8], 2),
            )
            pa_mentors.append(mentor)
        pa_preceptees = []
        for _ in range(preceptees):
            practice = self.random.choice(self.practices)
            preceptee = self.person(Profession.PA, practice, department="General practice")
            self.registration(
                preceptee,
                Register.PA,
                status=RegistrationStatus.REGISTERED,
                qualified_on=self.years_ago(0.05, 0.9),
            )
            self.tag(
                preceptee,
                sectors=["Primary care teams and GP practices"],
                focus=self.random.sample(FOCUS_AREAS[4:8], 2),
            )
            pa_preceptees.append(preceptee)
        self.people["pa_mentors"], self.people["pa_preceptees"] = pa_mentors, pa_preceptees

    def build_pharmacy(self, mentors=10, mentees=80):
        settings_by_sector = {
            "Primary care teams and GP practices": lambda: self.random.choice(self.practices),
            "Acute hospital settings": lambda: self.trust,
            "Mental health trusts": lambda: self.mh_trust,
            "Community pharmacy": lambda: self.random.choice(self.practices),
        }
        for role, count, ip_years in (
            ("mentors", mentors, (3.2, 12)),
            ("mentees", mentees, (0.1, 1.5)),
        ):
            group = []
            for i in range(count):
                sector = self.random.choice(list(settings_by_sector))
                pharmacist = self.person(
                    Profession.PHARMACIST,
                    settings_by_sector[sector](),
                    department="Pharmacy",
                    region=self.random.choice(["London", "London", "Kent, Surrey and Sussex"]),
                    profile=(
                        f"Independent prescriber in {sector.lower()}; happy to share how I built "
                        "confidence and a prescribing scope."
                    )
                    if role == "mentors"
                    else "",
                )
                # Mentors must be "actively prescribing for three or more years": one is not.
                since = (
                    self.years_ago(1.5, 2.5)
                    if role == "mentors" and i == 0
                    else self.years_ago(*ip_years)
                )
                self.registration(
                    pharmacist,
                    Register.GPHC,
                    status=RegistrationStatus.REGISTERED,
                    qualified_on=since - datetime.timedelta(days=365 * 4),
                    independent_prescriber_since=since,
                )
                self.tag(
                    pharmacist,
                    sectors=[sector],
                    scopes=self.random.sample(SCOPES, 2),
                    focus=["Prescribing confidence", self.random.choice(FOCUS_AREAS[:4])],
                )
                group.append(pharmacist)
            self.people[f"pharmacy_{role}"] = group

    def build_relationships(self):
        """Supervision that matching must respect, including a few that conflict with likely pairs."""
        gp_mentors, gp_mentees = self.people["gp_mentors"], self.people["gp_mentees"]
        start = datetime.date(2025, 8, 1)
        relationships = []
        for n, preceptee in enumerate(self.people["pa_preceptees"]):
            supervisor = self.random.choice(gp_mentors)
            relationships.append(
                WorkingRelationship(
                    supervisor=supervisor,
                    supervisee=preceptee,
                    kind=RelationshipKind.CLINICAL_SUPERVISOR,
                    start_date=start,
                )
            )
            if n % 7 == 0:
                relationships.append(
                    WorkingRelationship(
                        supervisor=self.people["pa_mentors"][n % 10],
                        supervisee=preceptee,
                        kind=RelationshipKind.LINE_MANAGER,
                        start_date=start,
                    )
                )
        for n, mentee in enumerate(gp_mentees[:40]):
            relationships.append(
                WorkingRelationship(
                    supervisor=gp_mentors[n % len(gp_mentors)],
                    supervisee=mentee,
                    kind=RelationshipKind.EDUCATIONAL_SUPERVISOR
                    if n % 2
                    else RelationshipKind.LINE_MANAGER,
                    start_date=datetime.date(2024, 8, 7),
                    end_date=datetime.date(2025, 8, 6) if n % 5 == 0 else None,
                )
            )
        pharmacy_mentors = self.people["pharmacy_mentors"]
        for n, mentee in enumerate(self.people["pharmacy_mentees"][:20]):
            relationships.append(
                WorkingRelationship(
                    supervisor=pharmacy_mentors[n % len(pharmacy_mentors)],
                    supervisee=mentee,
                    kind=RelationshipKind.DPP,
                    start_date=datetime.date(2025, 1, 6),
                    end_date=datetime.date(2025, 9, 30),
                )
            )
        WorkingRelationship.objects.bulk_create(relationships)

    def build_staff(self):
        admin_login = User.objects.create_superuser(
            "admin@example.org", first_name="Ada", last_name="Admin"
        )
        admin_login.password = self.password_hash
        admin_login.save(update_fields=["password"])
        for email, first, last, role, organisation in (
            ("coordinator@example.org", "Chloe", "Coordinator", Role.COORDINATOR, self.icb),
            (
                "coordinator.riverside@example.org",
                "Rhys",
                "Rivers",
                Role.COORDINATOR,
                self.other_icb,
            ),
            ("finance@example.org", "Farah", "Finance", Role.FINANCE, self.icb),
        ):
            user = User.objects.create(
                email=email, first_name=first, last_name=last, password=self.password_hash
            )
            grant_role(user=user, role=role, organisation=organisation, granted_by=admin_login)

    def build_other_icb(self, count=5):
        for _ in range(count):
            gp = self.person(
                Profession.GP,
                self.other_practice,
                department="General practice",
                clinical_sessions_per_week=Decimal("6"),
                region="South West",
            )
            self.registration(
                gp,
                Register.GMC,
                status=RegistrationStatus.REGISTERED,
                on_performers_list=True,
                qualified_on=self.years_ago(5, 20),
            )

    def build(self):
        self.build_organisations()
        self.build_vocabularies()
        self.build_staff()
        self.build_gp_mentors()
        self.build_gp_mentees()
        self.build_pa()
        self.build_pharmacy()
        self.build_relationships()
        self.build_other_icb()


@dataclass(frozen=True)
class DemoStep:
    """A later app's part of the demo (its schemes, matches, sessions...), run after the register.

    ``build(rng, today)`` adds its data; ``counts()`` says what there is, for the summary.
    """

    name: str
    build: Callable[[random.Random, datetime.date], None]
    counts: Callable[[], dict[str, int]]


DEMO_STEPS: list[DemoStep] = []


def register_demo_step(step: DemoStep) -> None:
    if all(existing.name != step.name for existing in DEMO_STEPS):
        DEMO_STEPS.append(step)


def seed_demo() -> DemoSummary:
    """Build the demo once; running it again changes nothing and reports the same logins."""
    if Organisation.objects.filter(code=ICB_CODE).exists():
        return DemoSummary(created=False, logins=LOGINS, counts=_counts())
    with transaction.atomic():
        DemoBuilder().build()
        for step in DEMO_STEPS:
            _refresh_planner_statistics()
            step.build(random.Random(f"{SEED}-{step.name}"), TODAY)
        _refresh_planner_statistics()
        _remind(TODAY)
    return DemoSummary(created=True, logins=LOGINS, counts=_counts())


def _remind(today: datetime.date) -> None:
    """Every reminder job, once, at 09:30 on the demo's day: the notification lists and the
    coordinators' scheduled-jobs page then show what the hourly jobs would have done (in the
    embedded mode no Celery beat runs)."""
    from mentoring.reminders import JOBS, run_job

    at = datetime.datetime.combine(today, datetime.time(9, 30), tzinfo=LONDON)
    for name in sorted(JOBS):
        run_job(name, at=at)


def _refresh_planner_statistics() -> None:
    """PostgreSQL plans each query from table statistics, which autovacuum refreshes only after
    a commit: in the one transaction that builds the demo, tables that just grew from empty would
    be planned as empty (nested loops over thousands of rows). ANALYZE is allowed in a
    transaction and sees its own rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _counts() -> dict[str, int]:
    counts = {
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "registrations": ProfessionalRegistration.objects.count(),
        "training records": TrainingRecord.objects.count(),
        "working relationships": WorkingRelationship.objects.count(),
    }
    for step in DEMO_STEPS:
        counts.update(step.counts())
    return counts
