"""The evaluation of a scheme from its baseline and end-of-programme surveys (``seeds/003…``'s
appendices 1 and 3): confidence before and after, would recommend, plans to continue,
organisational support and protected time — and the free-text answers people said may be quoted.

**Which responses.** Submitted responses only (drafts never count) to a survey of the scheme's
enrolments, counted in the period when the day they were *submitted* (Europe/London) falls in it.
The figures read the answers by question key (``prescribing_confidence``, ``plans_to_continue``…),
which stays the same across versions of a template and in a scheme's own copy of the defaults.
A respondent is one response: each enrolled person answers each survey once per enrolment.

**Paired change.** Among the end-of-programme answers in the period, those whose author also
submitted the baseline survey for the same enrolment (at any date before their end survey: the
baseline usually lies in an earlier period) and answered the same question in both: the mean of
(end score − baseline score).

**Small numbers are suppressed** so that nobody is identifiable, in pages and exports alike (they
all read these figures). A figure shows :data:`~reporting.figures.SUPPRESSED` ("fewer than 5")
instead of its value when

1. it is drawn from fewer than :data:`~reporting.figures.SMALL_NUMBER` (5) people: every figure of
   a question (counts, percentages, mean) when 1–4 people answered it; the mean change when 1–4
   people answered both surveys;
2. it is a count of 1–4 people, even out of more (a bucket of 3 could identify them), and the
   percentage beside it;
3. it would give a hidden count away by subtraction: when exactly one answer's count of a question
   is hidden under rule 2, the next smallest non-zero count is hidden too (the people who answered
   are shown, and the answers add up to them).

A count of 0 and a question nobody answered (mean None: nothing to report) are shown as they are.
Means are Decimals to 1 place, percentages to 1 place of the people who answered that question.

**Free text.** Both surveys end with ``may_quote`` ("May we quote your free-text answers
(anonymously)?"): :func:`free_text` lists the long free-text answers of those who said yes and of
nobody else, without names, and none at all while fewer than 5 people submitted a survey of the
scheme in the period (a quote is not anonymous among three). Short text answers (scope of practice,
year qualified, "Other, please state" boxes) are facts about a person, not views to quote, and are
never listed.

Every figure is counted in the database (conditional aggregates grouped by scheme):
:func:`evaluations` runs two queries whatever the number of schemes and people.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from reporting.figures import IN_PERIOD, SMALL_NUMBER, SUPPRESSED, Figure, Period, Section, Value
from sessions_log.default_templates import (
    BASELINE_SURVEY,
    CONFIDENCE_LABELS,
    END_SURVEY,
    MAY_QUOTE,
    SEED_003,
)
from sessions_log.models import FormKind, FormResponse

BASELINE_SOURCE = f"seeds/{SEED_003} (Pharmacist IP mentoring pilot), Appendix 1: enrolment survey"
END_SOURCE = f"seeds/{SEED_003} (Pharmacist IP mentoring pilot), Appendix 3: evaluation survey"
SCORES = (1, 2, 3, 4, 5)
ONE_PLACE = Decimal("0.1")
PROTECTED_TIME = "Protected time"
SURVEYS = (FormKind.BASELINE_SURVEY, FormKind.END_SURVEY)


def _asked(survey: dict, key: str) -> str:
    return next(q["text"] for q in survey["questions"] if q["key"] == key)


# what is evaluated -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    """A 1–5 confidence question asked in both surveys."""

    key: str
    title: str
    who: str
    baseline_question: str
    end_question: str


SCALES = (
    Scale(
        "prescribing_confidence",
        "Prescribing confidence (mentees)",
        "mentees",
        _asked(BASELINE_SURVEY, "prescribing_confidence"),
        _asked(END_SURVEY, "prescribing_confidence"),
    ),
    Scale(
        "mentoring_confidence",
        "Confidence as a mentor (mentors)",
        "mentors",
        _asked(BASELINE_SURVEY, "mentoring_confidence"),
        _asked(END_SURVEY, "mentoring_confidence"),
    ),
)


@dataclass(frozen=True)
class Answer:
    code: str
    label: str
    chosen: Q  # over the end survey's ``a_<key>`` aliases


@dataclass(frozen=True)
class Question:
    """A question of the end-of-programme survey reported as counts of each answer."""

    code: str
    section: str
    title: str  # who was asked what, in a few words
    asked: str  # the survey's words, quoted in the definitions
    answered: Q
    answers: tuple[Answer, ...]


def _is(key: str, value: str) -> Q:
    return Q(**{f"a_{key}": value})


def _answered(key: str) -> Q:
    return Q(**{f"a_{key}__isnull": False})


def _answer_list(key: str, values: tuple[tuple[str, str], ...]) -> tuple[Answer, ...]:
    return tuple(Answer(code, label, _is(key, code)) for code, label in values)


YES_NO = (("yes", "Yes"), ("no", "No"))
HAD_PROTECTED_TIME = Q(a_support_received__contains=f'"{PROTECTED_TIME}"')

QUESTIONS = (
    Question(
        "recommend_having_mentor",
        "Would recommend",
        "Mentees: would recommend having an experienced independent prescribing mentor",
        _asked(END_SURVEY, "recommend_having_mentor"),
        _answered("recommend_having_mentor"),
        _answer_list("recommend_having_mentor", YES_NO),
    ),
    Question(
        "recommend_being_mentor",
        "Would recommend",
        "Mentors: would recommend being an independent prescribing mentor",
        _asked(END_SURVEY, "recommend_being_mentor"),
        _answered("recommend_being_mentor"),
        _answer_list("recommend_being_mentor", YES_NO),
    ),
    Question(
        "plans_to_continue",
        "Plans to continue",
        "Planning to continue the mentor/mentee arrangement",
        _asked(END_SURVEY, "plans_to_continue"),
        _answered("plans_to_continue"),
        _answer_list(
            "plans_to_continue", (("Yes", "Yes"), ("No", "No"), ("Uncertain", "Uncertain"))
        ),
    ),
    Question(
        "organisational_support",
        "Organisational support",
        "Received organisational support for taking part",
        _asked(END_SURVEY, "organisational_support"),
        _answered("organisational_support"),
        _answer_list("organisational_support", YES_NO),
    ),
    Question(
        "protected_time",
        "Protected time",
        "Given protected time by their organisation",
        f"{_asked(END_SURVEY, 'organisational_support')} — "
        f"{_asked(END_SURVEY, 'support_received')} “{PROTECTED_TIME}”",
        _answered("organisational_support"),
        (
            Answer("yes", "Yes", _answered("organisational_support") & HAD_PROTECTED_TIME),
            Answer(
                "no",
                "No",
                _answered("organisational_support")
                & (Q(a_support_received__isnull=True) | ~HAD_PROTECTED_TIME),
            ),
        ),
    ),
)
CHOICE_KEYS = ("recommend_having_mentor", "recommend_being_mentor", "plans_to_continue")
CHOICE_KEYS += ("organisational_support", "support_received")


# the queries ------------------------------------------------------------------------------------
def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def submitted_in(period: Period, scheme_ids, kinds=SURVEYS) -> QuerySet:
    """Submitted survey responses of these schemes' enrolments, submitted on a day of the period
    (Europe/London)."""
    return FormResponse.objects.filter(
        template__kind__in=kinds,
        status=FormResponse.Status.SUBMITTED,
        enrolment__scheme_id__in=list(scheme_ids),
        submitted_at__gte=_moment(period.start),
        submitted_at__lt=_moment(period.end + datetime.timedelta(days=1)),
    )


def _score(key: str):
    return Cast(KT(f"answers__{key}"), IntegerField())


def _words(key: str):
    """An answer as plain text (a list as its JSON). The cast keeps SQLite from comparing the
    other side as JSON."""
    return Cast(KT(f"answers__{key}"), TextField())


def _counted(prefix: str, answered: Q, buckets: dict[str, Q]) -> dict:
    """How many answered (responses and distinct people) and how many gave each answer."""
    aggregates = {
        f"{prefix}__n": Count("pk", filter=answered),
        f"{prefix}__people": Count("author_id", distinct=True, filter=answered),
    }
    for code, chosen in buckets.items():
        aggregates[f"{prefix}__{code}"] = Count("pk", filter=answered & chosen)
    return aggregates


def _scale_aggregates(prefix: str, key: str) -> dict:
    answered = Q(**{f"s_{key}__isnull": False})
    buckets = {str(score): Q(**{f"s_{key}": score}) for score in SCORES}
    return {
        **_counted(f"{prefix}_{key}", answered, buckets),
        f"{prefix}_{key}__sum": Sum(f"s_{key}", filter=answered),
    }


def _by_scheme(responses: QuerySet, aggregates: dict) -> dict[int, dict]:
    rows = responses.values(scheme=F("enrolment__scheme_id")).annotate(**aggregates).order_by()
    return {row.pop("scheme"): row for row in rows}


def _baseline_figures(scheme_ids, period: Period) -> dict[int, dict]:
    responses = submitted_in(period, scheme_ids, [FormKind.BASELINE_SURVEY]).alias(
        **{f"s_{scale.key}": _score(scale.key) for scale in SCALES}
    )
    aggregates = {
        "baseline__n": Count("pk"),
        "baseline__people": Count("author_id", distinct=True),
    }
    for scale in SCALES:
        aggregates |= _scale_aggregates("baseline", scale.key)
    return _by_scheme(responses, aggregates)


def _baseline_score(key: str) -> Subquery:
    """The score the end survey's author gave in their baseline survey of the same enrolment."""
    earlier = (
        FormResponse.objects.filter(
            template__kind=FormKind.BASELINE_SURVEY,
            status=FormResponse.Status.SUBMITTED,
            enrolment_id=OuterRef("enrolment_id"),
            author_id=OuterRef("author_id"),
            submitted_at__lte=OuterRef("submitted_at"),
        )
        .order_by("submitted_at", "pk")
        .annotate(score=_score(key))
        .values("score")[:1]
    )
    return Subquery(earlier, output_field=IntegerField())


def _end_figures(scheme_ids, period: Period) -> dict[int, dict]:
    responses = submitted_in(period, scheme_ids, [FormKind.END_SURVEY]).alias(
        **{f"s_{scale.key}": _score(scale.key) for scale in SCALES},
        **{f"b_{scale.key}": _baseline_score(scale.key) for scale in SCALES},
        **{f"a_{key}": _words(key) for key in CHOICE_KEYS},
    )
    aggregates = {"end__n": Count("pk"), "end__people": Count("author_id", distinct=True)}
    for scale in SCALES:
        aggregates |= _scale_aggregates("end", scale.key)
        both = Q(**{f"s_{scale.key}__isnull": False, f"b_{scale.key}__isnull": False})
        aggregates |= _counted(f"paired_{scale.key}", both, {})
        aggregates[f"paired_{scale.key}__sum"] = Sum(
            F(f"s_{scale.key}") - F(f"b_{scale.key}"), filter=both
        )
    for question in QUESTIONS:
        buckets = {answer.code: answer.chosen for answer in question.answers}
        aggregates |= _counted(question.code, question.answered, buckets)
    return _by_scheme(responses, aggregates)


# suppression -------------------------------------------------------------------------------------
def _small(people: int) -> bool:
    return 0 < people < SMALL_NUMBER


def shown_count(count: int, people: int) -> Value:
    """A count as it may be shown: rules 1 and 2 of the module's docstring."""
    if _small(people) or _small(count):
        return SUPPRESSED
    return count


def shown_counts(counts: dict[str, int], people: int) -> dict[str, Value]:
    """The counts of each answer of one question, with rules 1–3 applied."""
    shown = {code: shown_count(count, people) for code, count in counts.items()}
    hidden = [code for code, value in shown.items() if value == SUPPRESSED]
    if len(hidden) == 1:
        others = [code for code, count in counts.items() if code not in hidden and count > 0]
        if others:
            shown[min(others, key=lambda code: (counts[code], code))] = SUPPRESSED
    return shown


def _percent(shown: Value, count: int, n: int) -> Value:
    if shown == SUPPRESSED:
        return SUPPRESSED
    if not n:
        return None
    return (Decimal(count * 100) / Decimal(n)).quantize(ONE_PLACE, ROUND_HALF_UP)


def _mean(total, n: int, people: int) -> Value:
    if _small(people):
        return SUPPRESSED
    if not n:
        return None
    return (Decimal(total) / Decimal(n)).quantize(ONE_PLACE, ROUND_HALF_UP)


# the figures -------------------------------------------------------------------------------------
def _figure(section: str, code: str, label: str, value: Value, definition: str, source: str):
    return Figure(section, code, label, IN_PERIOD, value, definition, source)


def _responses_section(base: dict, end: dict) -> Section:
    title = "Survey responses"
    return Section(
        title,
        [
            _figure(
                title,
                "baseline_responses",
                "Baseline (enrolment) surveys completed",
                shown_count(base.get("baseline__n", 0), base.get("baseline__people", 0)),
                "Baseline surveys submitted in the period: one a person for each enrolment, "
                "usually when they join the scheme.",
                BASELINE_SOURCE,
            ),
            _figure(
                title,
                "end_responses",
                "End-of-programme surveys completed",
                shown_count(end.get("end__n", 0), end.get("end__people", 0)),
                "End-of-programme evaluation surveys submitted in the period: one a person for "
                "each enrolment, sent when they complete the programme.",
                END_SOURCE,
            ),
        ],
    )


def _distribution(title, code, when, scale: Scale, row: dict, asked: str, source) -> list[Figure]:
    prefix = f"{code}_{scale.key}"
    n, people = row.get(f"{prefix}__n", 0), row.get(f"{prefix}__people", 0)
    counts = {str(score): row.get(f"{prefix}__{score}", 0) for score in SCORES}
    shown = shown_counts(counts, people)
    figures = [
        _figure(
            title,
            f"{prefix}_answered",
            f"{when}: {scale.who} who answered",
            shown_count(n, people),
            f"The {scale.who} who answered “{asked}” in a {when.lower()} survey submitted in "
            "the period.",
            source,
        ),
        _figure(
            title,
            f"{prefix}_mean",
            f"{when}: mean score (1 to 5)",
            _mean(row.get(f"{prefix}__sum"), n, people),
            f"The average of their answers to “{asked}”, from 1 (not at all confident) to 5 "
            "(confident), to 1 decimal place.",
            source,
        ),
    ]
    for score in SCORES:
        words = CONFIDENCE_LABELS[str(score)]
        figures.append(
            _figure(
                title,
                f"{prefix}_score_{score}",
                f"{when}: answered {score} – {words}",
                shown[str(score)],
                f"How many of them answered {score} – “{words}”.",
                source,
            )
        )
    return figures


def _paired(title: str, scale: Scale, row: dict) -> list[Figure]:
    prefix = f"paired_{scale.key}"
    n, people = row.get(f"{prefix}__n", 0), row.get(f"{prefix}__people", 0)
    return [
        _figure(
            title,
            f"{prefix}_answered",
            f"{scale.who.capitalize()} who answered both surveys",
            shown_count(n, people),
            f"Of the {scale.who} who answered the end-of-programme survey in the period, those "
            "who had answered the same question in their baseline survey (at any earlier date) "
            "for the same enrolment.",
            f"{BASELINE_SOURCE}; {END_SOURCE}",
        ),
        _figure(
            title,
            f"{prefix}_mean_change",
            "Mean change from baseline to end (paired)",
            _mean(row.get(f"{prefix}__sum"), n, people),
            "For each of them, the end score minus their own baseline score; the average of "
            "those changes to 1 decimal place. Above 0: more confident at the end.",
            f"{BASELINE_SOURCE}; {END_SOURCE}",
        ),
    ]


def _scale_section(scale: Scale, base: dict, end: dict) -> Section:
    title = scale.title
    return Section(
        title,
        [
            *_distribution(
                title, "baseline", "Baseline", scale, base, scale.baseline_question, BASELINE_SOURCE
            ),
            *_distribution(
                title, "end", "End of programme", scale, end, scale.end_question, END_SOURCE
            ),
            *_paired(title, scale, end),
        ],
    )


def _question_figures(question: Question, row: dict) -> list[Figure]:
    n, people = row.get(f"{question.code}__n", 0), row.get(f"{question.code}__people", 0)
    counts = {
        answer.code: row.get(f"{question.code}__{answer.code}", 0) for answer in question.answers
    }
    shown = shown_counts(counts, people)
    figures = [
        _figure(
            question.section,
            f"{question.code}_answered",
            f"{question.title}: people who answered",
            shown_count(n, people),
            f"People who answered “{question.asked}” in an end-of-programme survey submitted in "
            "the period.",
            END_SOURCE,
        )
    ]
    for answer in question.answers:
        figures += [
            _figure(
                question.section,
                f"{question.code}_{answer.code.lower()}",
                f"{question.title}: {answer.label}",
                shown[answer.code],
                f"How many of them answered “{answer.label}”.",
                END_SOURCE,
            ),
            _figure(
                question.section,
                f"{question.code}_{answer.code.lower()}_percent",
                f"{question.title}: {answer.label} (%)",
                _percent(shown[answer.code], counts[answer.code], n),
                f"Those who answered “{answer.label}” as a percentage of those who answered, "
                "to 1 decimal place.",
                END_SOURCE,
            ),
        ]
    return figures


def _sections(base: dict, end: dict) -> list[Section]:
    sections = [_responses_section(base, end)]
    sections += [_scale_section(scale, base, end) for scale in SCALES]
    by_title: dict[str, list[Figure]] = {}
    for question in QUESTIONS:
        by_title.setdefault(question.section, []).extend(_question_figures(question, end))
    sections += [Section(title, figures) for title, figures in by_title.items()]
    return sections


def evaluations(schemes, period: Period) -> dict[int, list[Section]]:
    """Each scheme's evaluation for the period, by scheme id, in two queries however many."""
    ids = [scheme.pk for scheme in schemes]
    base = _baseline_figures(ids, period)
    end = _end_figures(ids, period)
    return {pk: _sections(base.get(pk, {}), end.get(pk, {})) for pk in ids}


def evaluation(scheme, period: Period) -> list[Section]:
    """One scheme's evaluation for the period (see the module's docstring for the rules)."""
    return evaluations([scheme], period)[scheme.pk]


# the before / after chart ------------------------------------------------------------------------
class ConfidenceBar(NamedTuple):
    """One question of the before / after chart: each mean a Decimal, SUPPRESSED or None."""

    label: str
    baseline: Value
    end: Value


def confidence_chart_data(
    scheme, period: Period, sections: list[Section] | None = None
) -> list[ConfidenceBar]:
    """The mean confidence at baseline and at the end of the programme, per question, from the
    same (suppressed) figures as :func:`evaluation` — ``sections`` when the caller has them
    already, so the evaluation's queries run once."""
    figures = {
        figure.code: figure.value
        for section in (sections if sections is not None else evaluation(scheme, period))
        for figure in section.figures
    }
    return [
        ConfidenceBar(
            scale.title,
            figures[f"baseline_{scale.key}_mean"],
            figures[f"end_{scale.key}_mean"],
        )
        for scale in SCALES
    ]


# free text ---------------------------------------------------------------------------------------
def _label(question: dict, by_key: dict[str, dict]) -> str:
    """The question's words, after its parent's where it is a bare "Why?"."""
    parent = by_key.get((question.get("show_if") or {}).get("key"))
    if parent is not None and len(question["text"]) < 20:
        return f"{parent['text']} {question['text']}"
    return question["text"]


def free_text(scheme, period: Period) -> list[tuple[str, str]]:
    """(question, answer) for each long free-text answer in the scheme's surveys submitted in the
    period whose author answered yes to ``may_quote``; no names, and sorted by question and then
    by the words, so that one person's answers cannot be followed from question to question.
    Empty while fewer than 5 people submitted a survey of the scheme in the period."""
    responses = submitted_in(period, [scheme.pk])
    if responses.aggregate(people=Count("author_id", distinct=True))["people"] < SMALL_NUMBER:
        return []
    quotable = (
        responses.alias(may_quote=_words(MAY_QUOTE["key"]))
        .filter(may_quote="yes")
        .select_related("template")
        .only("answers", "template_id", "template__kind", "template__questions")
    )
    found: list[tuple[int, int, str, str]] = []
    long_questions: dict[int, tuple[int, list[tuple[int, str, str]]]] = {}
    for response in quotable:
        if response.template_id not in long_questions:  # a template's questions, read once
            questions = response.template.questions
            by_key = {q["key"]: q for q in questions}
            long_questions[response.template_id] = (
                SURVEYS.index(response.template.kind),
                [
                    (position, q["key"], _label(q, by_key))
                    for position, q in enumerate(questions)
                    if q["type"] == "long_text"
                ],
            )
        survey, asked = long_questions[response.template_id]
        for position, key, label in asked:
            text = response.answers.get(key)
            if isinstance(text, str) and text.strip():
                found.append((survey, position, label, text.strip()))
    return [(label, text) for _, _, label, text in sorted(found)]
