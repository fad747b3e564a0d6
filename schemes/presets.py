"""The three schemes of the source documents, as configuration an ICS can load and then edit.

Each rule carries the words it comes from. Numbers the documents do not fix (a PA mentor's
capacity, the pharmacy programme's length) are sensible defaults, marked as such.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mentoring.models import Organisation
from schemes.models import Cohort, EligibilityRule, Rate, RateCard, Scheme

GP_GUIDANCE = "Supporting Mentors Scheme guidance 2021/22"
PA_GUIDANCE = "NHS England guidance: mentorship for PA preceptees"
PHARMACY_PILOT = "Pharmacist Independent Prescribing Mentoring Pilot"
GP_RATES_FROM = datetime.date(2021, 4, 1)


@dataclass
class Preset:
    suffix: str
    name: str
    profession: str
    description: str
    scheme: dict
    cohorts: list[dict]
    mentor_rules: list[tuple]
    mentee_rules: list[tuple]
    extra: dict = field(default_factory=dict)
    rate_card: dict | None = None
    rates: list[tuple] = field(default_factory=list)


REQUIRED, ADVISORY = "required", "advisory"

PRESETS = [
    Preset(
        suffix="gp-supporting-mentors",
        name="GP Supporting Mentors Scheme",
        profession="gp",
        description=(
            "Experienced GPs mentor GPs new to general practice, above all GP fellows, for one "
            "extra weekly session of mentoring, with funded training leading to a recognised "
            "mentoring qualification."
        ),
        scheme={"mentor_capacity_min": 4, "mentor_capacity_max": 8, "minimum_stay_months": 12},
        cohorts=[
            {
                "slug": "gp-fellows",
                "name": "GP fellows",
                "priority": 1,
                "session_minutes": 60,
                "meet_every_weeks": 4,
                "description": "Fellows should expect one hour of mentorship every four weeks.",
            },
            {"slug": "mid-career", "name": "Mid-career GPs making career choices", "priority": 2},
            {"slug": "new-partners", "name": "New GP partners", "priority": 3},
            {
                "slug": "retention-scheme",
                "name": "GPs leaving the National GP Retention Scheme",
                "priority": 4,
            },
            {
                "slug": "locums-to-salaried",
                "name": "Locums moving into salaried roles",
                "priority": 5,
            },
            {"slug": "returners", "name": "GPs returning to the profession", "priority": 6},
        ],
        mentor_rules=[
            (
                "profession_is",
                {"professions": ["gp"]},
                REQUIRED,
                f"{GP_GUIDANCE}: a scheme for GPs",
            ),
            (
                "gmc_full_with_licence",
                {},
                REQUIRED,
                f"{GP_GUIDANCE}: “Hold full registration and a licence to practise with the General Medical Council”",
            ),
            (
                "on_performers_list",
                {},
                REQUIRED,
                f"{GP_GUIDANCE}: “Meet the requirements for remaining on the NHS England GP Performers List”",
            ),
            (
                "not_interim_suspended",
                {},
                REQUIRED,
                f"{GP_GUIDANCE}: “Not be subject to interim suspension under section 41A of the Medical Act 1983”",
            ),
            (
                "min_clinical_sessions_per_week",
                {"minimum": "3"},
                REQUIRED,
                f"{GP_GUIDANCE}: “at least three clinical sessions per week” (4 hours 10 minutes each)",
            ),
            (
                "intends_extra_mentoring_session",
                {},
                REQUIRED,
                f"{GP_GUIDANCE}: “intending to conduct one additional session of mentoring per week”",
            ),
            (
                "mentoring_training",
                {"accepted_kinds": ["ilm5", "ilm7", "other"], "planned_ok": True},
                REQUIRED,
                f"{GP_GUIDANCE}: “ILM5 in Coaching and Mentoring, or similar”; an existing qualification "
                "exempts; training is funded once a mentoring plan is in place",
            ),
        ],
        mentee_rules=[
            (
                "profession_is",
                {"professions": ["gp"]},
                REQUIRED,
                f"{GP_GUIDANCE}: mentoring for GPs",
            ),
            ("on_register", {"register": "GMC"}, ADVISORY, "GPs are on the GMC register"),
        ],
        rate_card={
            "claim_unit": "week",
            "training_cap": 4,
            "training_unit_cost": Decimal("2500.00"),
        },
        rates=[
            (
                "mentoring",
                Decimal("289.00"),
                GP_RATES_FROM,
                f"{GP_GUIDANCE}: “one session every week to the value of £289”",
            ),
            (
                "training",
                Decimal("289.00"),
                GP_RATES_FROM,
                f"{GP_GUIDANCE}: “up to £1,156 (four mentoring sessions) for time attending "
                "their training”",
            ),
        ],
    ),
    Preset(
        suffix="pa-preceptorship",
        name="PA preceptorship mentoring",
        profession="pa",
        description=(
            "Every physician associate in a funded preceptorship has a trained mentor for the "
            "preceptorship year — never their line manager, clinical or educational supervisor."
        ),
        scheme={
            "mentor_capacity_min": 1,
            "mentor_capacity_max": 4,
            "sessions_per_year_min": 2,
            "sessions_per_year_max": 4,
            "planned_mentorship_months": 12,
            "employer_confirms_contact": True,
        },
        cohorts=[{"slug": "preceptees", "name": "PA preceptees", "priority": 1}],
        mentor_rules=[
            (
                "profession_is",
                {"professions": ["pa"]},
                REQUIRED,
                f"{PA_GUIDANCE}: “To be a PA mentor an individual must be: A PA”",
            ),
            ("on_register", {"register": "PA"}, REQUIRED, f"{PA_GUIDANCE}: “A PA on the PAMVR”"),
            (
                "min_years_qualified",
                {"years": 3, "register": "PA"},
                ADVISORY,
                f"{PA_GUIDANCE}: “ideally more than 3 years post qualification”",
            ),
            (
                "mentoring_training",
                {"accepted_kinds": ["rcp", "elfh", "ilm5", "ilm7", "other"], "planned_ok": False},
                REQUIRED,
                f"{PA_GUIDANCE}: “must have completed specific mentorship training”",
            ),
        ],
        mentee_rules=[
            ("profession_is", {"professions": ["pa"]}, REQUIRED, f"{PA_GUIDANCE}: PA preceptees"),
            (
                "on_register",
                {"register": "PA"},
                REQUIRED,
                f"{PA_GUIDANCE}: PAs join the register before preceptorship",
            ),
            (
                "newly_qualified",
                {"within_months": 12, "register": "PA"},
                REQUIRED,
                f"{PA_GUIDANCE}: “newly qualified physician associates”",
            ),
            (
                "works_in_primary_care",
                {},
                REQUIRED,
                f"{PA_GUIDANCE}: “taking their first job in primary care”",
            ),
        ],
        extra={
            "capacity": "The guidance does not fix a mentor's number of preceptees: 1 to 4 is a default."
        },
    ),
    Preset(
        suffix="pharmacy-ip",
        name="Pharmacist independent prescriber mentoring",
        profession="pharmacist",
        description=(
            "Pharmacists who have been actively prescribing for three or more years mentor newly "
            "qualified independent prescribers with little or no prescribing experience, paired "
            "by scope of practice and sector, for at least two sessions."
        ),
        scheme={
            "mentor_capacity_min": 1,
            "mentor_capacity_max": 1,
            "min_sessions_in_programme": 2,
            "planned_mentorship_months": 3,
            "uses_pre_session_form": True,
        },
        cohorts=[
            {
                "slug": "new-prescribers",
                "name": "Newly qualified independent prescribers",
                "priority": 1,
            }
        ],
        mentor_rules=[
            (
                "profession_is",
                {"professions": ["pharmacist"]},
                REQUIRED,
                f"{PHARMACY_PILOT}: pharmacist IPs",
            ),
            ("on_register", {"register": "GPHC"}, REQUIRED, "Pharmacists are on the GPhC register"),
            (
                "min_years_prescribing",
                {"years": 3},
                REQUIRED,
                f"{PHARMACY_PILOT}: “Mentors to be actively prescribing for three or more years”",
            ),
        ],
        mentee_rules=[
            (
                "profession_is",
                {"professions": ["pharmacist"]},
                REQUIRED,
                f"{PHARMACY_PILOT}: pharmacist IPs",
            ),
            ("on_register", {"register": "GPHC"}, REQUIRED, "Pharmacists are on the GPhC register"),
            (
                "independent_prescriber",
                {},
                REQUIRED,
                f"{PHARMACY_PILOT}: “Mentees to have an independent prescribing qualification”",
            ),
            (
                "max_years_prescribing",
                {"years": 2},
                ADVISORY,
                f"{PHARMACY_PILOT}: “with little to no experience of prescribing” (a qualification under 2 years old is the proxy)",
            ),
        ],
        extra={"capacity": "The pilot formed pairs: one mentee a mentor."},
    ),
]


def slug_for(organisation: Organisation, preset: Preset) -> str:
    return f"{organisation.code.lower()}-{preset.suffix}"


def financial_year_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def load_presets(*, organisation: Organisation) -> list[tuple[Scheme, bool]]:
    """Create the three schemes for ``organisation`` if they are not there yet.

    An existing scheme is left exactly as its coordinators have configured it.
    """
    loaded = []
    with transaction.atomic():
        for preset in PRESETS:
            slug = slug_for(organisation, preset)
            scheme = Scheme.objects.filter(slug=slug).first()
            if scheme is not None:
                loaded.append((scheme, False))
                continue
            scheme = Scheme(
                slug=slug,
                name=preset.name,
                owner=organisation,
                profession=preset.profession,
                description=preset.description,
                starts_on=financial_year_start(timezone.localdate()),
                **preset.scheme,
            )
            scheme.full_clean()
            scheme.save()
            for cohort in preset.cohorts:
                Cohort.objects.create(scheme=scheme, **cohort)
            for role, rules in (("mentor", preset.mentor_rules), ("mentee", preset.mentee_rules)):
                for position, (code, params, severity, source) in enumerate(rules):
                    rule = EligibilityRule(
                        scheme=scheme,
                        role=role,
                        code=code,
                        params=params,
                        severity=severity,
                        position=position,
                        source=source,
                    )
                    rule.full_clean()
                    rule.save()
            add_rate_card(scheme, preset)
            loaded.append((scheme, True))
    return loaded


def add_rate_card(scheme: Scheme, preset: Preset) -> RateCard | None:
    """The preset's rate card and rates for ``scheme``; none for an unpaid scheme."""
    if preset.rate_card is None:
        return None
    card = RateCard.objects.create(scheme=scheme, **preset.rate_card)
    for kind, amount, effective_from, source in preset.rates:
        rate = Rate(
            rate_card=card, kind=kind, amount=amount, effective_from=effective_from, source=source
        )
        rate.full_clean()
        rate.save()
    return card
