"""Scheduled reminders: what is due at a moment, found by each app, recorded once through ``notify``.

Each app's ``reminders.py`` registers :class:`Job` objects whose ``find(at, scheme)`` yields the
:class:`Reminder` objects due at ``at`` (an aware datetime) — for every scheme, or only the one
with slug ``scheme``. Finders only read: anything a reminder should *do* (end a proposal that was
never answered, offer the next mentor) is its ``then``, run once, in the same transaction that
claims the reminder's key — so a dry run (``due_reminders``) changes nothing, and a duplicate
beat tick or a second worker neither sends nor does anything twice.

:func:`run_job` is what the beat schedule calls (through ``mentoring.tasks.run_reminder_job``); it
keeps a :class:`~mentoring.models.JobRun` for the coordinators' scheduled-jobs page.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from mentoring.models import JobRun, Notification, User
from mentoring.notifications import KINDS, about_key, notify, preferences_of, route

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    """One message due to one person. ``scheme`` is the scheme it concerns (any object with
    ``slug`` and ``owner_id``): its coordinators see the message in their list."""

    kind: str
    recipient: User
    about: models.Model | str
    period: str = ""
    context: dict = field(default_factory=dict)
    link: str = ""
    scheme: object | None = None
    then: Callable[[], object] | None = None

    @property
    def key(self) -> str:
        return "|".join((self.kind, str(self.recipient.pk), about_key(self.about), self.period))

    @property
    def scheme_slug(self) -> str:
        return getattr(self.scheme, "slug", "") or ""

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "recipient": self.recipient.email,
            "about": about_key(self.about),
            "key": self.key,
        }


class Stale(Exception):
    """Raised by a reminder's ``then`` when the world changed since the finder read it (the
    proposal was answered meanwhile): the reminder is undone and skipped, not a failure."""


Finder = Callable[[datetime, str | None], Iterable[Reminder]]


@dataclass(frozen=True)
class Job:
    """A scheduled reminder job: its name in ``mentoring.beat.JOBS`` and how it finds what is due."""

    name: str
    find: Finder
    kinds: tuple[str, ...] = ()


JOBS: dict[str, Job] = {}


def register_job(job: Job) -> Job:
    JOBS[job.name] = job
    return job


def due(
    at: datetime | None = None, *, scheme: str | None = None, jobs: Iterable[str] | None = None
) -> list[Reminder]:
    """Every reminder that would be sent at ``at``: due, its key not yet claimed, and not of a
    kind its recipient turned off. Reads only."""
    at = at or timezone.now()
    found = [r for name in (jobs or sorted(JOBS)) for r in JOBS[name].find(at, scheme)]
    claimed = claimed_keys(found)
    preferences = preferences_of(r.recipient for r in found)
    seen: set[str] = set()
    wanted = []
    for reminder in found:
        if reminder.key in claimed or reminder.key in seen:
            continue
        preference = preferences[reminder.recipient.pk]
        if route(KINDS[reminder.kind], preference) == Notification.Status.MUTED:
            continue
        seen.add(reminder.key)
        wanted.append(reminder)
    return wanted


def claimed_keys(reminders: list[Reminder]) -> set[str]:
    """The keys among ``reminders`` already recorded: one query per kind."""
    by_kind: dict[str, set[str]] = {}
    for reminder in reminders:
        by_kind.setdefault(reminder.kind, set()).add(about_key(reminder.about))
    claimed = set()
    for kind, abouts in by_kind.items():
        rows = Notification.objects.filter(kind=kind, about__in=abouts).values_list(
            "recipient_id", "about", "period"
        )
        claimed.update("|".join((kind, str(r), a, p)) for r, a, p in rows)
    return claimed


@contextmanager
def recorded(job: str, *, at: datetime | None = None) -> Iterator[JobRun]:
    """Keep a JobRun for one run of a scheduled job: running, then succeeded or failed."""
    now = timezone.now()
    run = JobRun.objects.create(job=job, started_at=now, at=at or now)
    try:
        yield run
    except Exception as error:
        run.outcome = JobRun.Outcome.FAILED
        run.error = f"{type(error).__name__}: {error}"[:2000]
        run.finished_at = timezone.now()
        run.save()
        raise
    if run.outcome == JobRun.Outcome.RUNNING:
        run.outcome = JobRun.Outcome.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()


def run_job(name: str, *, at: datetime | None = None, scheme: str | None = None) -> JobRun:
    """Record every reminder due at ``at`` (now unless replayed): each once, by its key.

    A reminder whose recording (or ``then``) fails is left for the next run and counted; the
    run's outcome is then *failed* with the first error, and the others still go.
    """
    job = JOBS[name]
    at = at or timezone.now()
    with recorded(name, at=at) as run:
        found = list(job.find(at, scheme))
        claimed = claimed_keys(found)
        preferences = preferences_of(r.recipient for r in found if r.key not in claimed)
        sent, failed, stale, by_scheme = 0, 0, 0, Counter()
        first_error = ""
        for reminder in found:
            if reminder.key in claimed:
                continue
            try:
                with transaction.atomic():
                    notification = notify(
                        kind=reminder.kind,
                        recipient=reminder.recipient,
                        about=reminder.about,
                        period=reminder.period,
                        context=reminder.context,
                        link=reminder.link,
                        organisation_id=getattr(reminder.scheme, "owner_id", None),
                        scheme=reminder.scheme_slug,
                        preference=preferences[reminder.recipient.pk],
                    )
                    if notification is not None and reminder.then is not None:
                        reminder.then()
            except Stale:
                stale += 1
                continue
            except Exception as error:
                logger.exception("Reminder %s failed", reminder.key)
                failed += 1
                first_error = first_error or f"{reminder.key}: {type(error).__name__}: {error}"
                continue
            claimed.add(reminder.key)
            if notification is not None:
                sent += 1
                by_scheme[reminder.scheme_slug] += 1
        run.found = len(found)
        run.sent = sent
        run.by_scheme = dict(by_scheme)
        run.summary = {"failed": failed, "stale": stale}
        if failed:
            run.outcome = JobRun.Outcome.FAILED
            run.error = first_error[:2000]
    return run


_scheme_scope: list[Callable[[User], set[str] | None]] = []


def set_scheme_scope(slugs_visible_to: Callable[[User], set[str] | None]) -> None:
    """The schemes app says which scheme slugs a user coordinates (None: all of them)."""
    _scheme_scope[:] = [slugs_visible_to]


def scheme_slugs_visible_to(user: User) -> set[str] | None:
    return _scheme_scope[0](user) if _scheme_scope else None
