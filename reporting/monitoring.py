"""The monitoring return: what a scheme reports for a period (issue 9 §1) — the GP Supporting
Mentors Scheme's "Primary Care Monitoring Survey" figures (mentors trained, matches after a formal
first meeting, the mean clinical sessions) and the operational counts around them (mentees waiting,
sessions held, people who paused, left or withdrew).

Each figure is one of two kinds:

* ``in_period`` — events dated inside the period (first days and last days included): a first
  meeting, a session's start (UK time), a leaving date, a training completion.
* ``at_end`` — a snapshot on the period's last day, rebuilt from the dates on the records
  (``joined_on``, ``left_on``, ``paused_on``, ``started_on``, ``ended_on``, when a mentorship was
  proposed), not from today's statuses, so last year's return reads the same next year. Where the
  records keep no history the snapshot uses what they say today:

  - pauses: only the current pause is kept (``paused_on``, cleared on resuming). A mentor counts
    as paused at the end when their pause began by then and they are still paused (or left while
    paused); a pause that ended before today is not known, so that mentor counts as active;
  - training: records keep no date they were planned on, so a training planned today, or completed
    only after the last day, counts as under way at the end;
  - a mentee's cohort and a mentor's clinical sessions a week are the values on the enrolment today.

Every figure is counted in the database, GROUP BY scheme, in four queries whatever the number of
schemes and people (:func:`monitoring_returns`).

Each figure's ``records`` is the admin list of the records behind it (scoped to the coordinator's
schemes as every admin list is), made only of lookups the admin allows: a ``list_filter`` of that
admin or a plain field of the model. Where such a list can say exactly what was counted, it is
given; a snapshot link ("on the register on the last day") can only say "not left", so it is given
only when the counts prove it lists exactly the records counted — no one counted has left, been
paused, met or ended since (always so for a period ending today). Figures the admin cannot list
have none: mentors trained or in training (the training records admin has no scheme filter), and
mentees supported or waiting (they depend on their mentorships).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import (
    Avg,
    Count,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone

from matching.models import Mentorship, MentorshipMember
from mentoring.models import TrainingRecord, TrainingStatus
from reporting.figures import AT_END, IN_PERIOD, Figure, Period, Section
from schemes.models import Cohort, Enrolment, LeaveKind, ParticipantRole, Scheme
from schemes.rules import add_months
from sessions_log.models import MentoringSession, SessionStatus

MENTOR, MENTEE = ParticipantRole.MENTOR, ParticipantRole.MENTEE
MENTORS, MENTEES, MATCHES, SESSIONS = "Mentors", "Mentees", "Matches", "Sessions"

# What the cross-scheme table shows, one column each; every return has these figures.
HEADLINE_CODES = (
    "mentors_active",
    "mentors_trained",
    "mentees_supported",
    "mentees_waiting",
    "matches_made",
    "sessions_held",
)

GP_SURVEY = (
    "Supporting Mentors Scheme guidance 2021/22, Programme evaluation: "
    "Primary Care Monitoring Survey"
)
GP_MONITORING = "Supporting Mentors Scheme guidance 2021/22, what systems are asked to do"
PHARMACY_PILOT = "Pharmacist Independent Prescribing mentoring pilot report"

TRAINED_QUOTE = (
    "“How many GPs that have been trained as mentors as part of the Supporting Mentors Scheme?”"
)
MATCH_QUOTE = (
    "“How many mentor/mentee matches have taken place (where a formal first introductory meeting "
    "has taken place and they have been 'registered' locally as a pair)?”"
)
SESSIONS_QUOTE = (
    "“What is the average number (mean) of clinical sessions delivered in addition to "
    "mentorship session?”"
)
SUPPORTED_QUOTE = "“numbers of GPs supported on the scheme”"
WITHDRAWN_QUOTE = (
    "“Three mentors withdrew for capacity reasons and one mentee later withdrew as they felt it "
    "did not align with their current job plan.”"
)
NOT_RECORDED = "not_recorded"
LEAVE_WORDS = {**dict(LeaveKind.choices), "": "How they left was not recorded"}
SESSION_WORDS = {
    SessionStatus.HELD: "held",
    SessionStatus.CANCELLED: "cancelled",
    SessionStatus.DID_NOT_ATTEND: "where someone did not attend",
}


# links to the records behind a figure -------------------------------------------------------------
@dataclass(frozen=True)
class _Link:
    """An admin list filtered to one scheme and ``lookups``: each lookup a list filter's parameter
    or a plain field of the model, which is what the admin allows in its query string.

    The scheme is asked for as ``scheme=<id>`` (a lookup on a field the admin's scheme filter is
    on), not the filter's own ``scheme__id__exact``: a "related only" filter with fewer than two
    choices for the user hides itself and then drops its parameter, listing every scheme's rows."""

    changelist: str
    scheme_lookup: str
    lookups: tuple[tuple[str, object], ...]

    def q(self) -> Q:
        return Q(*self.lookups)

    def path(self, scheme_id: int) -> str:
        query = [(self.scheme_lookup, scheme_id), *((k, _query_text(v)) for k, v in self.lookups)]
        return f"{reverse(self.changelist)}?{urlencode(query)}"


def _query_text(value) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _enrolments(**lookups) -> _Link:
    return _Link("admin:schemes_enrolment_changelist", "scheme", tuple(lookups.items()))


def _mentorships(**lookups) -> _Link:
    return _Link("admin:matching_mentorship_changelist", "scheme", tuple(lookups.items()))


def _sessions(**lookups) -> _Link:
    return _Link(
        "admin:sessions_log_mentoringsession_changelist",
        "mentorship__scheme",
        tuple(lookups.items()),
    )


@dataclass(frozen=True)
class _Counted:
    """A count of the rows matching ``where`` within each scheme, and the admin list of them.

    ``same`` says the link's lookups are ``where`` itself, so it always lists exactly the rows
    counted. Otherwise the query also counts the rows the link lists and the rows both in it and
    counted: when all three agree the two sets are the same and the link is given."""

    code: str
    where: Q
    link: _Link | None = None
    same: bool = False

    def aggregates(self) -> dict:
        counts = {self.code: Count("pk", filter=self.where)}
        if self.link is not None and not self.same:
            counts[f"{self.code}__listed"] = Count("pk", filter=self.link.q())
            counts[f"{self.code}__both"] = Count("pk", filter=self.where & self.link.q())
        return counts

    def records(self, row: dict, scheme_id: int, own: str) -> str:
        """The admin's list where it lists exactly the rows counted, else ``own``: the report's
        own list of them (:func:`records_of`), exact by construction."""
        if self.link is None:
            return own
        agree = self.same or (
            row.get(self.code, 0)
            == row.get(f"{self.code}__listed", 0)
            == row.get(f"{self.code}__both", 0)
        )
        return self.link.path(scheme_id) if agree else own


# the period's edges -------------------------------------------------------------------------------
def _midnight(day: datetime.date) -> datetime.datetime:
    """The start of ``day`` in UK time, as the admin's ``__date`` lookups read it."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class _Edges:
    start: datetime.date
    end: datetime.date

    @property
    def from_time(self) -> datetime.datetime:
        return _midnight(self.start)

    @property
    def until_time(self) -> datetime.datetime:
        """The first moment after the period (exclusive)."""
        return _midnight(self.end + datetime.timedelta(days=1))

    def on_register(self) -> Q:
        """An enrolment on the register on the last day: joined by then, not left by then."""
        return Q(joined_on__lte=self.end) & (Q(left_on__isnull=True) | Q(left_on__gt=self.end))

    def active(self) -> Q:
        """On the register on the last day and not paused then."""
        return self.on_register() & (Q(paused_on__isnull=True) | Q(paused_on__gt=self.end))

    def paused(self) -> Q:
        """On the register on the last day and paused by then (the current pause only)."""
        return self.on_register() & Q(paused_on__lte=self.end)

    def left_in_period(self) -> Q:
        return Q(left_on__gte=self.start, left_on__lte=self.end)


# the counts ---------------------------------------------------------------------------------------
def _first_trained_on():
    """The first mentoring training an enrolment's person completed within the scheme: on or
    after joining (or the training the scheme funded, whenever it was), and not after leaving."""
    records = TrainingRecord.objects.filter(
        person=OuterRef("person"), status=TrainingStatus.COMPLETED
    ).filter(
        Q(date__gte=OuterRef("joined_on")) | Q(pk=OuterRef("funded_training")),
        date__lte=Coalesce(OuterRef("left_on"), Value(datetime.date.max), output_field=DateField()),
    )
    return Subquery(records.order_by("date").values("date")[:1], output_field=DateField())


def _mentee_memberships(edges: _Edges):
    """A mentee enrolment's memberships in a mentorship open on the last day and in one that had
    met by then (a match), as subqueries of the enrolment."""
    members = MentorshipMember.objects.filter(enrolment=OuterRef("pk"), role=MENTEE)
    not_ended = Q(mentorship__ended_on__isnull=True) | Q(mentorship__ended_on__gt=edges.end)
    open_then = members.filter(not_ended, mentorship__created_at__lt=edges.until_time)
    met_then = members.filter(not_ended, mentorship__started_on__lte=edges.end)
    return open_then, met_then


def _enrolment_counts(edges: _Edges) -> list[_Counted]:
    end = edges.end
    on_register, active = edges.on_register(), edges.active()
    training = TrainingRecord.objects.filter(person=OuterRef("person"))
    completed_by_end = training.filter(status=TrainingStatus.COMPLETED, date__lte=end)
    under_way = training.filter(Q(status=TrainingStatus.PLANNED) | Q(date__gt=end))
    open_then, met_then = _mentee_memberships(edges)
    counted = []
    for role in (MENTOR, MENTEE):
        is_role = Q(role=role)
        counted += [
            _Counted(
                f"{role}s_enrolled",
                is_role & on_register,
                _enrolments(role__exact=role, joined_on__lte=end, left_on__isnull=True),
            ),
            _Counted(
                f"{role}s_left",
                is_role & edges.left_in_period(),
                _enrolments(role__exact=role, left_on__gte=edges.start, left_on__lte=end),
                same=True,
            ),
        ]
        for kind in [*LeaveKind.values, ""]:
            counted.append(
                _Counted(
                    f"{role}s_left_{kind or NOT_RECORDED}",
                    is_role & edges.left_in_period() & Q(leave_kind=kind),
                    _enrolments(
                        role__exact=role,
                        left_on__gte=edges.start,
                        left_on__lte=end,
                        leave_kind__exact=kind,
                    ),
                    same=True,
                )
            )
    mentor = Q(role=MENTOR)
    counted += [
        _Counted(
            "mentors_active",
            mentor & active,
            _enrolments(
                role__exact=MENTOR, joined_on__lte=end, left_on__isnull=True, paused_on__isnull=True
            ),
        ),
        _Counted(
            "mentors_paused",
            mentor & edges.paused(),
            _enrolments(
                role__exact=MENTOR, joined_on__lte=end, left_on__isnull=True, paused_on__lte=end
            ),
        ),
        _Counted(
            "mentors_with_clinical_sessions",
            mentor & active & Q(clinical_sessions_per_week__isnull=False),
            _enrolments(
                role__exact=MENTOR,
                joined_on__lte=end,
                left_on__isnull=True,
                paused_on__isnull=True,
                clinical_sessions_per_week__isnull=False,
            ),
        ),
        _Counted(
            "mentors_trained_in_period",
            mentor
            & Q(joined_on__lte=end, first_trained_on__gte=edges.start, first_trained_on__lte=end),
        ),
        _Counted("mentors_trained", mentor & Q(joined_on__lte=end, first_trained_on__lte=end)),
        _Counted(
            "mentors_in_training",
            mentor & on_register & ~Exists(completed_by_end) & Exists(under_way),
        ),
        _Counted("mentees_supported", Q(role=MENTEE) & on_register & Exists(met_then)),
        _Counted(
            "mentees_supported_no_cohort",
            Q(role=MENTEE, cohort__isnull=True) & on_register & Exists(met_then),
        ),
        _Counted("mentees_waiting", Q(role=MENTEE) & on_register & ~Exists(open_then)),
    ]
    return counted


def _mentorship_counts(edges: _Edges) -> list[_Counted]:
    end = edges.end
    not_met = Q(started_on__isnull=True) | Q(started_on__gt=end)
    not_ended = Q(ended_on__isnull=True) | Q(ended_on__gt=end)
    return [
        _Counted(
            "matches_made",
            Q(started_on__gte=edges.start, started_on__lte=end),
            _mentorships(started_on__gte=edges.start, started_on__lte=end),
            same=True,
        ),
        _Counted(
            "proposals_never_met",
            Q(created_at__lt=edges.until_time) & not_met & not_ended,
            _mentorships(created_at__date__lte=end, started_on__isnull=True, ended_on__isnull=True),
        ),
    ]


def _session_counts(edges: _Edges) -> list[_Counted]:
    # Counted by the start's UK date (the query is limited to the period's moments); the link
    # asks the admin for the same UK dates.
    return [
        _Counted(
            f"sessions_{status}",
            Q(status=status),
            _sessions(
                status__exact=status,
                starts_at__date__gte=edges.start,
                starts_at__date__lte=edges.end,
            ),
            same=True,
        )
        for status in SESSION_WORDS
    ]


def _grouped(queryset, group: str, counted: list[_Counted], **extra) -> dict[int, dict]:
    aggregates = {k: v for c in counted for k, v in c.aggregates().items()}
    rows = queryset.order_by().values(group).annotate(**aggregates, **extra)
    return {row[group]: row for row in rows}


def _cohorts(scheme_ids: list[int], edges: _Edges) -> dict[int, list[dict]]:
    """Every cohort of the schemes, with its mentees supported at the end (0 included)."""
    _, met_then = _mentee_memberships(edges)
    supported = (
        Enrolment.objects.filter(cohort=OuterRef("pk"), role=MENTEE)
        .filter(edges.on_register(), Exists(met_then))
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cohorts = (
        Cohort.objects.filter(scheme_id__in=scheme_ids)
        .annotate(supported=Coalesce(Subquery(supported, output_field=IntegerField()), 0))
        .order_by("scheme", "priority", "name")
        .values("scheme", "slug", "name", "supported")
    )
    by_scheme: dict[int, list[dict]] = {}
    for cohort in cohorts:
        by_scheme.setdefault(cohort["scheme"], []).append(cohort)
    return by_scheme


# the return ---------------------------------------------------------------------------------------
def monitoring_returns(schemes: Iterable[Scheme], period: Period) -> dict[int, list[Section]]:
    """The monitoring return of each scheme for ``period``, by scheme id — four queries in all."""
    schemes = list(schemes)
    scheme_ids = [scheme.pk for scheme in schemes]
    if not scheme_ids:
        return {}
    edges = _Edges(period.start, period.end)
    enrolment_counts = _enrolment_counts(edges)
    mentorship_counts = _mentorship_counts(edges)
    session_counts = _session_counts(edges)
    mean_of = "mentors_clinical_sessions_mean"
    enrolments = _grouped(
        Enrolment.objects.filter(scheme_id__in=scheme_ids).alias(
            first_trained_on=_first_trained_on()
        ),
        "scheme",
        enrolment_counts,
        **{mean_of: Avg("clinical_sessions_per_week", filter=Q(role=MENTOR) & edges.active())},
    )
    mentorships = _grouped(
        Mentorship.objects.filter(scheme_id__in=scheme_ids), "scheme", mentorship_counts
    )
    sessions = _grouped(
        MentoringSession.objects.filter(
            mentorship__scheme_id__in=scheme_ids,
            starts_at__gte=edges.from_time,
            starts_at__lt=edges.until_time,
        ),
        "mentorship__scheme",
        session_counts,
    )
    cohorts = _cohorts(scheme_ids, edges)
    slugs = {scheme.pk: scheme.slug for scheme in schemes}
    returns = {}
    for scheme_id in scheme_ids:
        rows = (
            enrolments.get(scheme_id, {}),
            mentorships.get(scheme_id, {}),
            sessions.get(scheme_id, {}),
        )
        figures = {}
        for counted, row in zip(
            (enrolment_counts, mentorship_counts, session_counts), rows, strict=True
        ):
            for c in counted:
                own = records_path(slugs[scheme_id], c.code, period)
                figures[c.code] = (row.get(c.code, 0), c.records(row, scheme_id, own))
        figures[mean_of] = (
            _one_place(rows[0].get(mean_of)),
            figures["mentors_with_clinical_sessions"][1],
        )
        returns[scheme_id] = _sections(
            figures,
            cohorts.get(scheme_id, []),
            lambda code, s=slugs[scheme_id]: records_path(s, code, period),
        )
    return returns


def monitoring_return(scheme: Scheme, period: Period) -> list[Section]:
    """One scheme's monitoring return for ``period``."""
    return monitoring_returns([scheme], period)[scheme.pk]


# the records behind a figure ----------------------------------------------------------------------
def _cohort_code(slug: str) -> str:
    return f"mentees_supported_cohort_{slug.replace('-', '_')}"


def records_path(slug: str, code: str, period: Period) -> str:
    query = urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})
    return f"{reverse('scheme_figure_records', args=[slug, code])}?{query}"


# What a figure's records are (the records page draws each its own way).
ENROLMENT_RECORDS, MENTORSHIP_RECORDS, SESSION_RECORDS = "enrolments", "mentorships", "sessions"


def records_of(scheme: Scheme, period: Period, code: str) -> tuple[str, QuerySet] | None:
    """What a figure of the return counted, as a queryset of enrolments, mentorships or sessions,
    filtered by the very conditions that counted them; None for a code the return has not."""
    edges = _Edges(period.start, period.end)
    people = ("person__user", "cohort")
    if code == "mentors_clinical_sessions_mean":
        code = "mentors_with_clinical_sessions"
    for counted in _enrolment_counts(edges):
        if counted.code == code:
            return ENROLMENT_RECORDS, _enrolments_of(scheme).filter(counted.where).select_related(
                *people
            )
    cohort = next((c for c in scheme.cohorts.all() if _cohort_code(c.slug) == code), None)
    if cohort is not None:
        _, met_then = _mentee_memberships(edges)
        supported = Q(role=MENTEE, cohort=cohort) & edges.on_register() & Exists(met_then)
        return ENROLMENT_RECORDS, _enrolments_of(scheme).filter(supported).select_related(*people)
    members = Prefetch(
        "members",
        queryset=MentorshipMember.objects.select_related("enrolment__person__user").order_by(
            "-role", "pk"
        ),
    )
    for counted in _mentorship_counts(edges):
        if counted.code == code:
            mentorships = Mentorship.objects.filter(scheme=scheme).filter(counted.where)
            return MENTORSHIP_RECORDS, mentorships.prefetch_related(members).order_by(
                "created_at", "pk"
            )
    for counted in _session_counts(edges):
        if counted.code == code:
            sessions = MentoringSession.objects.filter(
                mentorship__scheme=scheme,
                starts_at__gte=edges.from_time,
                starts_at__lt=edges.until_time,
            ).filter(counted.where)
            return SESSION_RECORDS, sessions.prefetch_related(
                Prefetch("mentorship__members", queryset=members.queryset)
            ).order_by("starts_at", "pk")
    return None


def _enrolments_of(scheme: Scheme) -> QuerySet:
    return (
        Enrolment.objects.filter(scheme=scheme)
        .alias(first_trained_on=_first_trained_on())
        .order_by("person__user__last_name", "person__user__first_name", "pk")
    )


def _one_place(mean) -> Decimal | None:
    if mean is None:
        return None
    return Decimal(str(mean)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# the figures in words -----------------------------------------------------------------------------
ON_REGISTER = "joined on or before the last day of the period and not left by then"


def _sections(values: dict[str, tuple], cohorts: list[dict], own) -> list[Section]:
    def figure(section, code, label, kind, definition, source=""):
        value, records = values[code]
        return Figure(section, code, label, kind, value, definition, source, records)

    mentors = [
        figure(
            MENTORS,
            "mentors_enrolled",
            "Mentors enrolled",
            AT_END,
            f"Mentors on the scheme's register on the last day of the period: {ON_REGISTER}. "
            "Paused mentors are included.",
        ),
        figure(
            MENTORS,
            "mentors_active",
            "Mentors active",
            AT_END,
            "Mentors enrolled on the last day of the period who were not paused then.",
        ),
        figure(
            MENTORS,
            "mentors_paused",
            "Mentors paused",
            AT_END,
            "Mentors enrolled on the last day of the period whose pause had begun by then "
            "(the reason is on each record). Only a pause still in force, or in force when they "
            "left, is kept: a mentor who has since resumed counts as active.",
        ),
        figure(
            MENTORS,
            "mentors_trained_in_period",
            "Mentors trained",
            IN_PERIOD,
            "Mentors who completed their mentoring training within the scheme in the period "
            "(a completed training record, such as ILM Level 5 in Coaching and Mentoring, dated on "
            "or after joining and not after leaving, or the training the scheme funded), counted "
            "once, on the first. A qualification held before joining does not count: “Where a GP "
            "already holds a mentorship qualification there is no need for them to undertake any "
            f"additional training”. {TRAINED_QUOTE}",
            GP_SURVEY,
        ),
        figure(
            MENTORS,
            "mentors_trained",
            "Mentors trained, in all",
            AT_END,
            "Mentors who had completed their mentoring training within the scheme by the last "
            "day of the period (as above), including those who have left since. "
            f"{TRAINED_QUOTE}",
            GP_SURVEY,
        ),
        figure(
            MENTORS,
            "mentors_in_training",
            "Mentors in training",
            AT_END,
            "Mentors enrolled on the last day of the period with no mentoring training completed "
            "by then but some planned (or completed only later, taken to be under way then).",
        ),
        figure(
            MENTORS,
            "mentors_clinical_sessions_mean",
            "Mean clinical sessions a week of active mentors",
            AT_END,
            "The mean of the clinical sessions a week (of 4 hours 10 minutes) recorded on the "
            "enrolments of the mentors active on the last day of the period, to 1 decimal place; "
            "mentors with none recorded are left out, and there is nothing to report if no one "
            f"has one. {SESSIONS_QUOTE}",
            GP_SURVEY,
        ),
        *_leavers(figure, values, MENTORS, MENTOR, "Mentors who left"),
    ]
    mentees = [
        figure(
            MENTEES,
            "mentees_enrolled",
            "Mentees enrolled",
            AT_END,
            f"Mentees on the scheme's register on the last day of the period: {ON_REGISTER}.",
        ),
        figure(
            MENTEES,
            "mentees_supported",
            "Mentees supported",
            AT_END,
            "Mentees enrolled on the last day of the period who were in a match then: a "
            "mentorship whose formal first meeting had been held by then and that had not ended. "
            f"The guidance asks systems to monitor the {SUPPORTED_QUOTE}.",
            GP_MONITORING,
        ),
    ]
    if cohorts:
        for cohort in cohorts:
            mentees.append(
                Figure(
                    MENTEES,
                    _cohort_code(cohort["slug"]),
                    f"Mentees supported: {cohort['name']}",
                    AT_END,
                    cohort["supported"],
                    f"Of the mentees supported on the last day of the period, those in the "
                    f"cohort “{cohort['name']}” (their cohort today).",
                    records=own(_cohort_code(cohort["slug"])),
                )
            )
        mentees.append(
            figure(
                MENTEES,
                "mentees_supported_no_cohort",
                "Mentees supported: not in a cohort",
                AT_END,
                "Of the mentees supported on the last day of the period, those in no cohort.",
            )
        )
    mentees += [
        figure(
            MENTEES,
            "mentees_waiting",
            "Mentees waiting",
            AT_END,
            "Mentees enrolled on the last day of the period with no open mentorship then (none "
            "proposed by then that had not ended): never matched, or their mentorship had ended.",
        ),
        *_leavers(figure, values, MENTEES, MENTEE, "Mentees who left (withdrawals)"),
    ]
    matches = [
        figure(
            MATCHES,
            "matches_made",
            "Matches made",
            IN_PERIOD,
            "Mentorships whose first meeting, held and attended by a mentor and a mentee, was in "
            f"the period; a group counts once. {MATCH_QUOTE}",
            GP_SURVEY,
        ),
        figure(
            MATCHES,
            "proposals_never_met",
            "Proposals not yet met",
            AT_END,
            "Mentorships proposed on or before the last day of the period and still open then, "
            "whose first meeting had not been held by then.",
        ),
    ]
    sessions = [
        figure(
            SESSIONS,
            f"sessions_{status}",
            f"Sessions {words}",
            IN_PERIOD,
            f"Mentoring sessions logged as {SessionStatus(status).label.lower()} whose start "
            "(UK time) falls in the period.",
        )
        for status, words in SESSION_WORDS.items()
    ]
    return [
        Section(MENTORS, mentors),
        Section(MENTEES, mentees),
        Section(MATCHES, matches),
        Section(SESSIONS, sessions),
    ]


def _leavers(figure, values, section: str, role: str, label: str) -> list[Figure]:
    """The people who left in the period, then one figure for each way of leaving that happened."""
    figures = [
        figure(
            section,
            f"{role}s_left",
            label,
            IN_PERIOD,
            f"{role.capitalize()}s whose leaving date falls in the period, however they left; "
            "each way of leaving that happened follows, and the reason given is on each record. "
            f"The pharmacist pilot reported its withdrawals this way: {WITHDRAWN_QUOTE}",
            PHARMACY_PILOT,
        )
    ]
    for kind in [*LeaveKind.values, ""]:
        code = f"{role}s_left_{kind or NOT_RECORDED}"
        if values[code][0]:
            figures.append(
                figure(
                    section,
                    code,
                    f"{label}: {LEAVE_WORDS[kind].lower()}",
                    IN_PERIOD,
                    f"Of the {role}s who left in the period, those recorded as: "
                    f"{LEAVE_WORDS[kind].lower()}.",
                )
            )
    return figures


# by month, for the chart --------------------------------------------------------------------------
def by_month(scheme: Scheme, period: Period) -> list[tuple[datetime.date, int, int]]:
    """For each month the period touches (its first day), the matches made and sessions held on
    the period's days in that month, counted as in the return. Two queries."""
    edges = _Edges(period.start, period.end)
    matches = (
        Mentorship.objects.filter(
            scheme=scheme, started_on__gte=period.start, started_on__lte=period.end
        )
        .order_by()
        .annotate(month=TruncMonth("started_on"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    held = (
        MentoringSession.objects.filter(
            mentorship__scheme=scheme,
            status=SessionStatus.HELD,
            starts_at__gte=edges.from_time,
            starts_at__lt=edges.until_time,
        )
        .order_by()
        .annotate(month=TruncMonth("starts_at", output_field=DateField()))
        .values("month")
        .annotate(n=Count("pk"))
    )
    made = {row["month"]: row["n"] for row in matches}
    sessions = {row["month"]: row["n"] for row in held}
    months = []
    month = period.start.replace(day=1)
    while month <= period.end:
        months.append((month, made.get(month, 0), sessions.get(month, 0)))
        month = add_months(month, 1)
    return months
