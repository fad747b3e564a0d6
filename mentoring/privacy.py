"""Data rights (UK GDPR): what the service holds about a person, erasing a person who has left,
and how long each kind of data is kept.

Each app knows its own data, so each registers its part here — in its ``privacy.py``, imported
from its AppConfig.ready() — the way ``mentoring.scoping.extend_people_scope`` works: this module
never imports a higher app. A part may give:

* ``sections(user, person)`` — what the app holds *about* the person or *written by* them, as
  :class:`Section` rows of plain values, each section read in a fixed number of queries. Never
  another person's words given in confidence: a mentee's reason for asking for a different
  mentor, their private reflection (even one shared with the mentor), a mentor's private notes.
* ``still_open(person)`` — plain sentences naming what is not finished (an active enrolment, an
  open mentorship, a claim waiting for a decision or a payment run not yet approved): erasure
  is refused while there is any.
* ``erase(person, erasure)`` — removes the app's personal details and free text about the person,
  keeping what the money and the figures need (amounts, dates, runs, references) under
  :attr:`Erasure.pseudonym`. Returns counts of rows changed, by name.
* ``retention`` — :class:`RetentionRule` objects: what goes once older than its period
  (``settings.RETENTION_DAYS``); applied daily by :func:`apply_retention`.
"""

import datetime
import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from mentoring.models import (
    Invitation,
    JobRun,
    Notification,
    NotificationPreference,
    Person,
    ProfessionalRegistration,
    RoleAssignment,
    TrainingRecord,
    User,
    WorkingRelationship,
)

logger = logging.getLogger(__name__)

Row = dict[str, Any]
ERASED_DOMAIN = "erased.invalid"
RETENTION_JOB = "apply-retention"
RETENTION_BATCH = 1000


@dataclass(frozen=True)
class Section:
    """One part of a person's data: ``key`` names it in the JSON, ``title`` heads it in the PDF
    and on the page; ``rows`` hold plain values only (strings, numbers, booleans, lists)."""

    key: str
    title: str
    rows: list[Row]
    note: str = ""


@dataclass(frozen=True)
class Erasure:
    """What every app's eraser needs, gathered before anything changes: the person, who asked,
    the pseudonym that replaces their name where a record must stay, and every way they were
    named (so text elsewhere that quotes them can be cleaned)."""

    person: Person
    by: User | None
    pseudonym: str
    email: str
    at: datetime.datetime
    names: tuple[str, ...]


@dataclass(frozen=True)
class RetentionRule:
    """One kind of data with a retention period (``settings.RETENTION_DAYS[kind]``).

    ``expired(cutoff)`` gives the rows past their period (older than ``cutoff``); ``remove(ids)``
    removes one batch of them (by default: deletes them) and returns how many went.
    """

    kind: str
    description: str
    model: type[models.Model]
    expired: Callable[[datetime.datetime], models.QuerySet]
    remove: Callable[[list[int]], int] | None = None


@dataclass
class Part:
    name: str
    order: int
    sections: Callable[[User, Person | None], list[Section]] | None = None
    still_open: Callable[[Person], list[str]] | None = None
    erase: Callable[[Person, Erasure], dict[str, int]] | None = None
    retention: tuple[RetentionRule, ...] = ()


_parts: dict[str, Part] = {}


def register_part(
    name: str,
    *,
    order: int,
    sections=None,
    still_open=None,
    erase=None,
    retention: Iterable[RetentionRule] = (),
) -> None:
    """Called by each app's privacy.py; ``order`` follows the apps' layering (mentoring 0 …)."""
    _parts[name] = Part(name, order, sections, still_open, erase, tuple(retention))


def parts() -> list[Part]:
    return sorted(_parts.values(), key=lambda part: part.order)


class ErasureRefused(Exception):
    """Erasure was refused; ``code`` says why, ``open_items`` lists what is still open."""

    STILL_OPEN = "still_open"
    ALREADY_ERASED = "already_erased"

    def __init__(self, code: str, message: str, open_items: Iterable[str] = ()):
        super().__init__(message)
        self.code = code
        self.message = message
        self.open_items = list(open_items)


# plain values ---------------------------------------------------------------------------------
def plain(value):
    """A value as JSON has it: dates and times in ISO 8601 (London time), money as "289.00"."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, models.Model):
        return str(value)
    return value


def row(**values) -> Row:
    return {key: plain(value) for key, value in values.items()}


def display(instance: models.Model, field_name: str) -> str:
    """The label of a choice field's value ("Approved"), or "" when blank."""
    value = getattr(instance, field_name)
    return getattr(instance, f"get_{field_name}_display")() if value else ""


# subject access -------------------------------------------------------------------------------
def _subject(subject: Person | User) -> tuple[User, Person | None]:
    if isinstance(subject, Person):
        return subject.user, subject
    return subject, Person.objects.filter(user=subject).select_related("organisation").first()


def sections_of(subject: Person | User) -> list[Section]:
    """Every section of the subject's data, app by app, in a fixed number of queries."""
    user, person = _subject(subject)
    found = []
    for part in parts():
        if part.sections is not None:
            found.extend(part.sections(user, person))
    return found


def personal_data(subject: Person | User) -> dict[str, list[Row]]:
    """The person's data as a dict of sections (key → rows), for the JSON download."""
    return {section.key: section.rows for section in sections_of(subject)}


def download(subject: Person | User) -> dict:
    """The whole JSON document: when it was made, for whom, and every section."""
    user, _ = _subject(subject)
    return {
        "service": settings.SERVICE_NAME,
        "generated_at": plain(timezone.now()),
        "email": user.email,
        "sections": personal_data(subject),
    }


# erasure --------------------------------------------------------------------------------------
def pseudonym_code(person: Person) -> str:
    """Six hex digits, the same for the person every time, not reversible without the key."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"erased-person:{person.pk}".encode(), hashlib.sha256
    )
    return digest.hexdigest()[:6].upper()


def pseudonym_of(person: Person) -> str:
    return f"Erased person {pseudonym_code(person)}"


def erased_email(user: User) -> str:
    return f"erased-{user.pk}@{ERASED_DOMAIN}"


def is_erased(user: User) -> bool:
    return user.email.endswith(f"@{ERASED_DOMAIN}")


def still_open(person: Person) -> list[str]:
    """What stops the person being erased, in plain sentences (empty: they have left)."""
    found = []
    for part in parts():
        if part.still_open is not None:
            found.extend(part.still_open(person))
    return found


def _allow_erasure_through_protections() -> None:
    """Tell the database this transaction is an erasure. PostgreSQL keeps the setting until the
    transaction ends (``SET LOCAL``); a trigger that guards an approved payment run may let a
    change through when ``current_setting('mentoring.erasure', true) = 'on'`` — and only then.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL mentoring.erasure = 'on'")


def _audit_erasure(person: Person, by: User | None, counts: dict) -> None:
    """One change-log entry (django-auditlog) saying that, and by whom, the person's data was
    erased — with counts, never the values removed — and a log line."""
    from auditlog.models import LogEntry

    person = Person.objects.select_related("user").get(pk=person.pk)
    LogEntry.objects.log_create(
        person,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={"personal data": ["held", "erased"]},
        actor=by,
        additional_data={
            **(getattr(person, "get_additional_data", lambda: None)() or {}),
            "erased": counts,
        },
    )
    logger.info(
        "Personal data of person %s erased by user %s: %s",
        person.pk,
        getattr(by, "pk", None),
        counts,
    )


def erase(person: Person, *, by: User | None) -> dict[str, dict[str, int]]:
    """Remove the person's personal details and free text, keeping the money under a pseudonym.

    Refused (:class:`ErasureRefused`) unless the person has left: nothing still open. Runs every
    app's eraser, the highest app first (so they still find the original names), in one
    transaction with the person's row locked; django-auditlog is kept from writing the old values
    into new audit rows. The user stays — deactivated, with an unusable password — because audit
    rows and finance records point at it.
    """
    from auditlog.context import disable_auditlog

    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("user").get(pk=person.pk)
        if is_erased(person.user):
            raise ErasureRefused(
                ErasureRefused.ALREADY_ERASED, "This person's details have already been erased."
            )
        open_items = still_open(person)
        if open_items:
            raise ErasureRefused(
                ErasureRefused.STILL_OPEN,
                "This person cannot be erased yet: they have not left. Still open: "
                + "; ".join(open_items)
                + ".",
                open_items,
            )
        _allow_erasure_through_protections()
        user = person.user
        names = {user.get_full_name(), user.email, person.work_email}
        if user.first_name and user.last_name:
            names.add(f"{user.last_name}, {user.first_name}")
        erasure = Erasure(
            person=person,
            by=by,
            pseudonym=pseudonym_of(person),
            email=erased_email(user),
            at=timezone.now(),
            names=tuple(sorted((n for n in names if n and len(n) > 2), key=len, reverse=True)),
        )
        counts = {}
        with disable_auditlog():
            for part in reversed(parts()):
                if part.erase is not None:
                    counts[part.name] = part.erase(person, erasure)
        _audit_erasure(person, by, counts)
    return counts


def scrub(text: str, erasure: Erasure) -> str:
    """``text`` with every way the person was named replaced by their pseudonym."""
    for name in erasure.names:
        text = text.replace(name, erasure.pseudonym)
    return text


def names_q(field_name: str, erasure: Erasure) -> Q:
    """Rows whose ``field_name`` mentions the person by any of their names."""
    q = Q(pk__in=[])
    for name in erasure.names:
        q |= Q(**{f"{field_name}__contains": name})
    return q


# retention ------------------------------------------------------------------------------------
@dataclass
class RetentionReport:
    """What one retention pass found and removed, per kind of data."""

    at: datetime.datetime
    dry_run: bool
    found: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    cutoffs: dict[str, datetime.datetime] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        out = []
        for kind, count in self.found.items():
            done = count if self.dry_run else self.removed.get(kind, 0)
            out.append(
                f"{kind}: {verb} {done} — {self.descriptions[kind]} "
                f"before {timezone.localtime(self.cutoffs[kind]):%-d %B %Y}"
            )
        return out


def retention_rules() -> list[RetentionRule]:
    return [rule for part in parts() for rule in part.retention]


def retention_days(kind: str) -> int:
    return int(settings.RETENTION_DAYS[kind])


def _delete_batch(model: type[models.Model]) -> Callable[[list[int]], int]:
    def remove(ids: list[int]) -> int:
        _deleted, by_model = model.objects.filter(pk__in=ids).delete()
        return by_model.get(model._meta.label, 0)

    return remove


def apply_retention(
    *, at: datetime.datetime | None = None, dry_run: bool = False, batch: int = RETENTION_BATCH
) -> RetentionReport:
    """Remove what is past its retention period, kind by kind, ``batch`` rows a transaction.

    A dry run only counts. Audit rows are never touched (no rule names them) and no claim or
    payment line is removed within the finance period.
    """
    at = at or timezone.now()
    report = RetentionReport(at=at, dry_run=dry_run)
    for rule in retention_rules():
        cutoff = at - datetime.timedelta(days=retention_days(rule.kind))
        report.cutoffs[rule.kind] = cutoff
        report.descriptions[rule.kind] = rule.description
        ids = list(rule.expired(cutoff).order_by("pk").values_list("pk", flat=True))
        report.found[rule.kind] = len(ids)
        if dry_run:
            continue
        remove = rule.remove or _delete_batch(rule.model)
        removed = 0
        for start in range(0, len(ids), batch):
            with transaction.atomic():
                removed += remove(ids[start : start + batch])
        report.removed[rule.kind] = removed
    return report


def run_retention_job(*, at: datetime.datetime | None = None) -> tuple[JobRun, RetentionReport]:
    """The daily job: apply retention, keep a JobRun with counts per kind, log the report."""
    from mentoring.reminders import recorded

    with recorded(RETENTION_JOB, at=at) as run:
        report = apply_retention(at=at)
        run.found = sum(report.found.values())
        run.sent = sum(report.removed.values())
        run.summary = {
            "removed": report.removed,
            "cutoffs": {kind: plain(cutoff) for kind, cutoff in report.cutoffs.items()},
        }
    for line in report.lines():
        logger.info("Retention %s", line)
    return run, report


# the mentoring app's own part -----------------------------------------------------------------
def _account_sections(user: User, person: Person | None) -> list[Section]:
    roles = [
        row(role=display(a, "role"), organisation=a.organisation.name, granted_at=a.granted_at)
        for a in RoleAssignment.objects.filter(user=user).select_related("organisation")
    ]
    invitation = Invitation.objects.filter(user=user).first()
    preference = NotificationPreference.objects.filter(user=user).first()
    sections = [
        Section(
            "account",
            "Your account",
            [
                row(
                    email=user.email,
                    first_name=user.first_name,
                    last_name=user.last_name,
                    date_joined=user.date_joined,
                    last_login=user.last_login,
                    active=user.is_active,
                    staff_roles=roles,
                    invited_at=invitation.created_at if invitation else None,
                    invitation_accepted_at=invitation.accepted_at if invitation else None,
                    notification_delivery=preference.get_delivery_display() if preference else "",
                    notifications_turned_off=preference.muted if preference else [],
                )
            ],
        )
    ]
    if person is not None:
        sections += _person_sections(person)
    sections.append(
        Section(
            "notifications",
            "Messages sent to you",
            [
                row(
                    subject=n.subject,
                    summary=n.summary,
                    status=n.get_status_display(),
                    created_at=n.created_at,
                    sent_at=n.sent_at,
                    read_at=n.read_at,
                )
                for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
            ],
        )
    )
    return sections


def _person_sections(person: Person) -> list[Section]:
    person = (
        Person.objects.filter(pk=person.pk)
        .select_related("organisation")
        .prefetch_related("sectors", "scopes_of_practice", "focus_areas")
        .get()
    )
    details = row(
        profession=person.get_profession_display(),
        organisation=person.organisation.name,
        department=person.department,
        region=person.region,
        clinical_sessions_per_week=person.clinical_sessions_per_week,
        work_email=person.work_email,
        work_phone=person.work_phone,
        payee_reference=person.payee_reference,
        mentor_profile=person.profile,
        sectors=[t.name for t in person.sectors.all()],
        scopes_of_practice=[t.name for t in person.scopes_of_practice.all()],
        focus_areas=[t.name for t in person.focus_areas.all()],
        on_the_register_since=person.created_at,
        last_changed=person.updated_at,
    )
    registrations = [
        row(
            register=r.get_register_display(),
            number=r.number,
            status=r.get_status_display(),
            licence_to_practise=r.licence_to_practise,
            on_performers_list=r.on_performers_list,
            interim_suspension=r.interim_suspension,
            qualified_on=r.qualified_on,
            independent_prescriber_since=r.independent_prescriber_since,
            valid_until=r.valid_until,
            verified_on=r.verified_on,
            verification_source=r.verification_source,
        )
        for r in ProfessionalRegistration.objects.filter(person=person).order_by("register")
    ]
    training = [
        row(
            qualification=t.get_kind_display(),
            status=t.get_status_display(),
            date=t.date,
            valid_until=t.valid_until,
            funded_by=t.funded_by.name if t.funded_by else "",
            cost=t.cost,
            evidence_file=t.evidence.name.rsplit("/", 1)[-1] if t.evidence else "",
        )
        for t in TrainingRecord.objects.filter(person=person)
        .select_related("funded_by")
        .order_by("date", "pk")
    ]
    relationships = [
        row(
            relationship=f"{r.get_kind_display()} of you",
            person=r.supervisor.user.get_full_name(),
            start_date=r.start_date,
            end_date=r.end_date,
        )
        for r in WorkingRelationship.objects.filter(supervisee=person)
        .select_related("supervisor__user")
        .order_by("start_date", "pk")
    ] + [
        row(
            relationship=f"You are their {r.get_kind_display().lower()}",
            person=r.supervisee.user.get_full_name(),
            start_date=r.start_date,
            end_date=r.end_date,
        )
        for r in WorkingRelationship.objects.filter(supervisor=person)
        .select_related("supervisee__user")
        .order_by("start_date", "pk")
    ]
    return [
        Section("person", "Your entry on the register", [details]),
        Section("registrations", "Professional registrations", registrations),
        Section("training", "Mentoring training", training),
        Section("working_relationships", "Working relationships", relationships),
    ]


def _erase_people_register(person: Person, erasure: Erasure) -> dict[str, int]:
    """Personal details go; the user stays, deactivated, renamed to the pseudonym."""
    from django.contrib.auth.hashers import make_password

    user = person.user
    counts = {
        "registrations": ProfessionalRegistration.objects.filter(person=person).delete()[0],
        "working_relationships": WorkingRelationship.objects.filter(
            Q(supervisor=person) | Q(supervisee=person)
        ).delete()[0],
        "notifications": Notification.objects.filter(recipient=user).delete()[0],
        "role_assignments": RoleAssignment.objects.filter(user=user).delete()[0],
    }
    NotificationPreference.objects.filter(user=user).delete()
    Invitation.objects.filter(user=user).delete()
    for record in TrainingRecord.objects.filter(person=person).exclude(evidence=""):
        record.evidence.delete(save=False)
    counts["training_evidence"] = (
        TrainingRecord.objects.filter(person=person).exclude(evidence="").update(evidence="")
    )
    # Others' messages that quote the person (a coordinator's "new application from …").
    quoted = Notification.objects.filter(
        names_q("subject", erasure) | names_q("summary", erasure)
    ).only("pk", "subject", "summary")
    for notification in quoted:
        Notification.objects.filter(pk=notification.pk).update(
            subject=scrub(notification.subject, erasure)[:200],
            summary=scrub(notification.summary, erasure),
        )
    counts["messages_quoting_them"] = len(quoted)
    person.sectors.clear()
    person.scopes_of_practice.clear()
    person.focus_areas.clear()
    Person.objects.filter(pk=person.pk).update(
        department="",
        region="",
        clinical_sessions_per_week=None,
        work_email="",
        work_phone="",
        payee_reference="",
        profile="",
        updated_at=erasure.at,
    )
    user.groups.clear()
    user.user_permissions.clear()
    User.objects.filter(pk=user.pk).update(
        email=erasure.email,
        first_name="Erased",
        last_name=f"person {pseudonym_code(person)}",
        password=make_password(None),
        is_active=False,
        is_staff=False,
        is_superuser=False,
        last_login=None,
    )
    _remove_second_factors(user)
    counts["people"] = 1
    return counts


def _remove_second_factors(user: User) -> None:
    """An erased account signs in no more: its authenticator and backup codes go."""
    from django_otp import devices_for_user

    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()


def _expired_notifications(cutoff):
    finished = [
        Notification.Status.SENT,
        Notification.Status.IN_DIGEST,
        Notification.Status.MUTED,
        Notification.Status.FAILED,
    ]
    return Notification.objects.filter(created_at__lt=cutoff, status__in=finished)


def _expired_job_runs(cutoff):
    return JobRun.objects.filter(started_at__lt=cutoff).exclude(outcome=JobRun.Outcome.RUNNING)


register_part(
    "mentoring",
    order=0,
    sections=_account_sections,
    erase=_erase_people_register,
    retention=(
        RetentionRule(
            "notifications",
            "messages (in-app and e-mailed) sent, muted or given up on",
            Notification,
            _expired_notifications,
        ),
        RetentionRule("job_runs", "records of scheduled job runs", JobRun, _expired_job_runs),
    ),
)
