"""The registry of eligibility rule types. Each is a pure function of a person's facts, the
scheme, its parameters and a date, giving passed / failed / unknown, a reason in plain words and
the date the result stops holding. Schemes choose rules, parameters and severity as data.

Where a rule comes from:
* gmc_full_with_licence, on_performers_list, not_interim_suspended, min_clinical_sessions_per_week,
  intends_extra_mentoring_session — Supporting Mentors Scheme guidance 2021/22: "Hold full
  registration and a licence to practise with the General Medical Council", "Meet the requirements
  for remaining on the NHS England GP Performers List", "Not be subject to interim suspension under
  section 41A of the Medical Act 1983", "at least three clinical sessions per week and intending to
  conduct one additional session of mentoring per week".
* mentoring_training — GP scheme: "ILM5 in Coaching and Mentoring, or similar"; "Where a GP
  already holds a mentorship qualification there is no need for them to undertake any additional
  training" (planned training is accepted: funding follows the plan). PA guidance: the mentor
  "must have completed specific mentorship training" (Royal College of Physicians courses,
  e-Learning for Healthcare medical mentoring programme).
* on_register, min_years_qualified — PA guidance: "A PA on the PAMVR with relevant experience
  ideally more than 3 years post qualification".
* min_years_prescribing, independent_prescriber, max_years_prescribing — pharmacist IP pilot:
  mentors "actively prescribing for three or more years"; mentees "qualified prescribers with little
  or no experience utilising their prescribing skills".
* newly_qualified, works_in_primary_care — PA preceptorships: "newly qualified physician
  associates working in primary care", "taking their first job in primary care".
"""

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django import forms
from django.core.exceptions import ValidationError

from mentoring.models import Organisation, Profession, Register, TrainingKind
from schemes.facts import PersonFacts, SchemeFacts


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RuleResult:
    """``valid_until`` is the last day the result holds (inclusive), like a licence's expiry."""

    outcome: Outcome
    reason: str
    valid_until: datetime.date | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    evaluate: Callable[[PersonFacts, SchemeFacts, dict, datetime.date], RuleResult]
    describe_with: Callable[[dict], str]
    params: Callable[[], dict[str, forms.Field]] = dict

    def describe(self, params: dict) -> str:
        try:
            return self.describe_with(params)
        except (KeyError, TypeError, ValueError):
            return self.title


RULES: dict[str, Rule] = {}


def rule(code: str, title: str, describe: Callable[[dict], str], params=dict):
    def register(evaluate):
        RULES[code] = Rule(code, title, evaluate, describe, params)
        return evaluate

    return register


# dates ------------------------------------------------------------------------------------------
ONE_DAY = datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def years_and_months(start: datetime.date, end: datetime.date) -> str:
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    years, months = divmod(max(months, 0), 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if months or not years:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts)


def register_label(code: str) -> str:
    return {"GMC": "GMC", "GPHC": "GPhC", "NMC": "NMC", "PA": "PA register"}.get(code, code)


# parameters -----------------------------------------------------------------------------------
def whole_number(label, minimum=0):
    return forms.IntegerField(label=label, min_value=minimum)


def sessions():
    return {
        "minimum": forms.DecimalField(
            label="fewest clinical sessions a week", min_value=0, max_value=14, decimal_places=1
        )
    }


def years():
    return {"years": whole_number("years", minimum=1)}


def register_choice():
    return {"register": forms.ChoiceField(label="register", choices=Register.choices)}


def clean_params(code: str, params) -> dict:
    """Validate a rule's parameters against its type; refusals name the parameter."""
    if not isinstance(params, dict):
        raise ValidationError(
            {"params": 'The parameters must be a JSON object, like {"years": 3}.'}
        )
    fields = RULES[code].params()
    unknown = sorted(set(params) - set(fields))
    if unknown:
        allowed = ", ".join(fields) or "none"
        raise ValidationError(
            {"params": f"“{unknown[0]}” is not a parameter of this rule (it takes: {allowed})."}
        )
    form = type("ParamsForm", (forms.Form,), dict(fields))(data=params)
    if not form.is_valid():
        name, messages = next(iter(form.errors.items()))
        raise ValidationError({"params": f"{name}: {messages[0]}"})
    return {name: _json_value(value) for name, value in form.cleaned_data.items()}


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    return value


# the rules ------------------------------------------------------------------------------------
def _gmc(person: PersonFacts):
    return person.registration("GMC")


NO_GMC = RuleResult(Outcome.UNKNOWN, "No GMC registration is on file.")


def _professions():
    return {
        "professions": forms.MultipleChoiceField(label="professions", choices=Profession.choices)
    }


def _profession_description(params):
    return "Is a " + " or ".join(dict(Profession.choices)[v] for v in params["professions"])


@rule("profession_is", "Profession", _profession_description, params=_professions)
def profession_is(person, scheme, params, on_date):
    labels = dict(Profession.choices)
    if person.profession in params["professions"]:
        return RuleResult(Outcome.PASSED, f"Is a {labels[person.profession]}.")
    wanted = " or ".join(labels[v] for v in params["professions"])
    actual = labels.get(person.profession, person.profession)
    return RuleResult(Outcome.FAILED, f"Is a {actual}, not a {wanted}.")


@rule(
    "gmc_full_with_licence",
    "Full GMC registration with a licence to practise",
    lambda p: "Full registration and a licence to practise with the GMC",
)
def gmc_full_with_licence(person, scheme, params, on_date):
    registration = _gmc(person)
    if registration is None:
        return NO_GMC
    if registration.valid_until and registration.valid_until < on_date:
        return RuleResult(
            Outcome.FAILED,
            f"The GMC registration on file lapsed on {long_date(registration.valid_until)}.",
        )
    reasons = {
        "provisional": "Provisionally registered with the GMC: that is not full registration.",
        "registered_without_licence": "Registered with the GMC without a licence to practise.",
        "suspended": "GMC registration is suspended.",
        "erased": "Erased from the GMC register.",
    }
    if registration.status in reasons:
        return RuleResult(Outcome.FAILED, reasons[registration.status])
    if not registration.licence_to_practise:
        return RuleResult(Outcome.FAILED, "Holds no licence to practise with the GMC.")
    return RuleResult(
        Outcome.PASSED,
        f"Fully registered with the GMC ({registration.number}) with a licence to practise.",
        registration.valid_until,
    )


@rule(
    "on_performers_list",
    "On the Medical Performers List",
    lambda p: "On the NHS England Medical Performers List",
)
def on_performers_list(person, scheme, params, on_date):
    registration = _gmc(person)
    if registration is None:
        return NO_GMC
    if registration.on_performers_list:
        return RuleResult(Outcome.PASSED, "On the NHS England Medical Performers List.")
    return RuleResult(Outcome.FAILED, "Not on the NHS England Medical Performers List.")


@rule(
    "not_interim_suspended",
    "Not under interim suspension (s41A)",
    lambda p: "Not under interim suspension under section 41A of the Medical Act 1983",
)
def not_interim_suspended(person, scheme, params, on_date):
    registration = _gmc(person)
    if registration is None:
        return NO_GMC
    if registration.interim_suspension:
        return RuleResult(
            Outcome.FAILED,
            "Subject to interim suspension under section 41A of the Medical Act 1983.",
        )
    return RuleResult(Outcome.PASSED, "Not subject to interim suspension (section 41A).")


@rule(
    "min_clinical_sessions_per_week",
    "Clinical sessions a week",
    lambda p: f"At least {p['minimum']} clinical sessions a week",
    params=sessions,
)
def min_clinical_sessions_per_week(person, scheme, params, on_date):
    minimum = Decimal(str(params["minimum"]))
    if person.clinical_sessions_per_week is None:
        return RuleResult(
            Outcome.UNKNOWN, "The number of clinical sessions worked a week is not recorded."
        )
    worked = Decimal(str(person.clinical_sessions_per_week))
    text = f"Works {worked.normalize():f} clinical sessions a week (at least {minimum.normalize():f} needed)."
    return RuleResult(Outcome.PASSED if worked >= minimum else Outcome.FAILED, text)


@rule(
    "intends_extra_mentoring_session",
    "Intends an extra weekly mentoring session",
    lambda p: "Intends one additional weekly session of mentoring",
)
def intends_extra_mentoring_session(person, scheme, params, on_date):
    if person.intends_extra_session is None:
        return RuleResult(
            Outcome.UNKNOWN,
            "Has not said whether they intend one additional weekly session of mentoring.",
        )
    if person.intends_extra_session:
        return RuleResult(Outcome.PASSED, "Intends one additional weekly session of mentoring.")
    return RuleResult(Outcome.FAILED, "Does not intend an additional weekly session of mentoring.")


def training_params():
    return {
        "accepted_kinds": forms.MultipleChoiceField(
            label="accepted qualifications", choices=TrainingKind.choices
        ),
        "planned_ok": forms.BooleanField(label="planned training is enough", required=False),
    }


def _training_description(params):
    kinds = ", ".join(dict(TrainingKind.choices)[k] for k in params["accepted_kinds"])
    when = "completed or planned" if params.get("planned_ok") else "completed"
    return f"Mentoring training {when}: {kinds}"


@rule("mentoring_training", "Mentoring training", _training_description, params=training_params)
def mentoring_training(person, scheme, params, on_date):
    labels = dict(TrainingKind.choices)
    accepted = [t for t in person.training if t.kind in params["accepted_kinds"]]
    completed = [t for t in accepted if t.status == "completed" and t.date <= on_date]
    current = [t for t in completed if t.valid_until is None or t.valid_until >= on_date]
    if current:
        best = max(current, key=lambda t: (t.valid_until or datetime.date.max, t.date))
        return RuleResult(
            Outcome.PASSED,
            f"Completed {labels[best.kind]} on {long_date(best.date)}: an existing qualification counts.",
            best.valid_until,
        )
    if completed:
        latest = max(completed, key=lambda t: t.valid_until)
        return RuleResult(
            Outcome.FAILED, f"{labels[latest.kind]} expired on {long_date(latest.valid_until)}."
        )
    planned = [t for t in accepted if t.status == "planned" or t.date > on_date]
    if planned:
        first = min(planned, key=lambda t: t.date)
        if params.get("planned_ok"):
            return RuleResult(
                Outcome.PASSED,
                f"{labels[first.kind]} is planned for {long_date(first.date)}: planned training is enough for this scheme.",
            )
        return RuleResult(
            Outcome.FAILED,
            f"{labels[first.kind]} is only planned (for {long_date(first.date)}): this scheme needs mentoring training completed.",
        )
    if person.training:
        held = ", ".join(sorted({labels[t.kind] for t in person.training}))
        wanted = ", ".join(labels[k] for k in params["accepted_kinds"])
        return RuleResult(
            Outcome.FAILED, f"Has {held}, which this scheme does not accept (it accepts: {wanted})."
        )
    return RuleResult(Outcome.UNKNOWN, "No mentoring training is on file.")


@rule(
    "on_register",
    "On a professional register",
    lambda p: (
        f"On the {register_label(p['register'])} register"
        if p["register"] != "PA"
        else "On the PA register"
    ),
    params=register_choice,
)
def on_register(person, scheme, params, on_date):
    label = register_label(params["register"])
    registration = person.registration(params["register"])
    if registration is None:
        return RuleResult(Outcome.UNKNOWN, f"No {label} registration is on file.")
    if registration.valid_until and registration.valid_until < on_date:
        return RuleResult(
            Outcome.FAILED,
            f"The {label} registration on file lapsed on {long_date(registration.valid_until)}.",
        )
    if registration.status in ("registered", "provisional", "registered_without_licence"):
        return RuleResult(
            Outcome.PASSED, f"Registered ({label} {registration.number}).", registration.valid_until
        )
    return RuleResult(
        Outcome.FAILED, f"{label} registration is {registration.status.replace('_', ' ')}."
    )


def _qualified_on(person, register):
    registrations = [person.registration(register)] if register else person.registrations
    dates = [r.qualified_on for r in registrations if r and r.qualified_on]
    return min(dates) if dates else None


def _years_register_params():
    return {
        **years(),
        "register": forms.ChoiceField(label="register", choices=Register.choices, required=False),
    }


@rule(
    "min_years_qualified",
    "Years since qualifying",
    lambda p: f"At least {p['years']} years since qualifying",
    params=_years_register_params,
)
def min_years_qualified(person, scheme, params, on_date):
    qualified = _qualified_on(person, params.get("register"))
    if qualified is None:
        return RuleResult(Outcome.UNKNOWN, "The date they qualified is not on file.")
    since = years_and_months(qualified, on_date)
    threshold = add_years(qualified, params["years"])
    if threshold <= on_date:
        return RuleResult(
            Outcome.PASSED, f"Qualified {since} ago (at least {params['years']} years)."
        )
    return RuleResult(
        Outcome.FAILED,
        f"Qualified {since} ago, less than {params['years']} years (that changes on {long_date(threshold)}).",
        threshold - ONE_DAY,
    )


def _prescriber_since(person):
    dates = [
        r.independent_prescriber_since
        for r in person.registrations
        if r.independent_prescriber_since
    ]
    return min(dates) if dates else None


NO_PRESCRIBING = RuleResult(
    Outcome.UNKNOWN, "No independent prescribing qualification date is on file."
)


@rule(
    "min_years_prescribing",
    "Years actively prescribing",
    lambda p: f"Actively prescribing for at least {p['years']} years",
    params=years,
)
def min_years_prescribing(person, scheme, params, on_date):
    since = _prescriber_since(person)
    if since is None:
        return NO_PRESCRIBING
    threshold = add_years(since, params["years"])
    span = years_and_months(since, on_date)
    if threshold <= on_date:
        return RuleResult(
            Outcome.PASSED,
            f"An independent prescriber for {span} (at least {params['years']} years).",
        )
    return RuleResult(
        Outcome.FAILED,
        f"An independent prescriber for {span}, less than {params['years']} years (that changes on {long_date(threshold)}).",
        threshold - ONE_DAY,
    )


@rule(
    "independent_prescriber",
    "Independent prescriber",
    lambda p: "Holds an independent prescribing qualification",
)
def independent_prescriber(person, scheme, params, on_date):
    since = _prescriber_since(person)
    if since is None:
        return NO_PRESCRIBING
    return RuleResult(Outcome.PASSED, f"An independent prescriber since {long_date(since)}.")


@rule(
    "max_years_prescribing",
    "Little prescribing experience",
    lambda p: f"An independent prescriber for less than {p['years']} years",
    params=years,
)
def max_years_prescribing(person, scheme, params, on_date):
    since = _prescriber_since(person)
    if since is None:
        return NO_PRESCRIBING
    until = add_years(since, params["years"])
    span = years_and_months(since, on_date)
    if on_date < until:
        return RuleResult(
            Outcome.PASSED,
            f"An independent prescriber for {span} (less than {params['years']} years).",
            until - ONE_DAY,
        )
    return RuleResult(
        Outcome.FAILED, f"An independent prescriber for {span}: more than {params['years']} years."
    )


def _newly_qualified_params():
    return {
        "within_months": whole_number("months since qualifying", minimum=1),
        "register": forms.ChoiceField(label="register", choices=Register.choices, required=False),
    }


@rule(
    "newly_qualified",
    "Newly qualified",
    lambda p: f"Qualified within the last {p['within_months']} months",
    params=_newly_qualified_params,
)
def newly_qualified(person, scheme, params, on_date):
    qualified = _qualified_on(person, params.get("register"))
    if qualified is None:
        return RuleResult(Outcome.UNKNOWN, "The date they qualified is not on file.")
    until = add_months(qualified, params["within_months"])
    if on_date < until:
        return RuleResult(
            Outcome.PASSED,
            f"Qualified on {long_date(qualified)}: newly qualified.",
            until - ONE_DAY,
        )
    return RuleResult(
        Outcome.FAILED,
        f"Qualified on {long_date(qualified)}, more than {params['within_months']} months ago.",
    )


PRIMARY_CARE_KINDS = {Organisation.Kind.PRACTICE, Organisation.Kind.PCN}
PRIMARY_CARE_SECTOR = "primary care teams and gp practices"


@rule(
    "works_in_primary_care",
    "Works in primary care",
    lambda p: "Works in primary care (a practice or PCN)",
)
def works_in_primary_care(person, scheme, params, on_date):
    if person.organisation_kind in PRIMARY_CARE_KINDS or PRIMARY_CARE_SECTOR in {
        s.lower() for s in person.sectors
    }:
        return RuleResult(Outcome.PASSED, f"Works in primary care ({person.organisation_name}).")
    return RuleResult(
        Outcome.FAILED, f"Works at {person.organisation_name}, which is not in primary care."
    )


# evaluating a set of rules --------------------------------------------------------------------
@dataclass(frozen=True)
class RuleVerdict:
    code: str
    title: str
    severity: str
    outcome: Outcome
    reason: str
    valid_until: datetime.date | None

    @property
    def blocks(self) -> bool:
        return self.severity == "required" and self.outcome != Outcome.PASSED

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "result": str(self.outcome),
            "severity": self.severity,
            "reason": self.reason,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


@dataclass(frozen=True)
class Verdict:
    rules: tuple[RuleVerdict, ...]
    on_date: datetime.date

    @property
    def eligible(self) -> bool:
        """Eligible only when every required rule passed: a failed or unknown one blocks."""
        return not any(r.blocks for r in self.rules)

    @property
    def blocking(self) -> list[RuleVerdict]:
        return [r for r in self.rules if r.blocks]

    @property
    def warnings(self) -> list[RuleVerdict]:
        return [r for r in self.rules if r.severity == "advisory" and r.outcome != Outcome.PASSED]

    @property
    def valid_until(self) -> datetime.date | None:
        """The last day on which every passing required result still holds."""
        dates = [
            r.valid_until
            for r in self.rules
            if r.severity == "required" and r.outcome == Outcome.PASSED and r.valid_until
        ]
        return min(dates) if dates else None

    def summary(self) -> str:
        if self.eligible:
            return (
                "Eligible"
                + (f" — with {len(self.warnings)} warning(s)" if self.warnings else "")
                + "."
            )
        return "Not eligible: " + " ".join(r.reason for r in self.blocking)


def evaluate(
    rule_rows, person: PersonFacts, scheme: SchemeFacts, on_date: datetime.date
) -> Verdict:
    """``rule_rows``: (code, params, severity) for each of the scheme's rules for the role."""
    verdicts = []
    for code, params, severity in rule_rows:
        definition = RULES[code]
        result = definition.evaluate(person, scheme, params, on_date)
        verdicts.append(
            RuleVerdict(
                code,
                definition.describe(params),
                severity,
                result.outcome,
                result.reason,
                result.valid_until,
            )
        )
    return Verdict(tuple(verdicts), on_date)
