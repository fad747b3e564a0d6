"""Every rule type, passing, failing and unknown, with the source documents' own numbers."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from schemes.facts import PersonFacts, RegistrationFacts, SchemeFacts, TrainingFacts
from schemes.rules import RULES, Outcome, add_months, clean_params, evaluate

TODAY = datetime.date(2026, 11, 23)
SCHEME = SchemeFacts(name="Scheme", profession="gp")


def gmc(**fields):
    values = {
        "register": "GMC",
        "number": "1234567",
        "status": "registered",
        "licence_to_practise": True,
        "on_performers_list": True,
        "qualified_on": datetime.date(2005, 8, 3),
    }
    return RegistrationFacts(**{**values, **fields})


def person(**fields):
    values = {
        "profession": "gp",
        "organisation_name": "Riverside Surgery",
        "organisation_kind": "practice",
    }
    return PersonFacts(**{**values, **fields})


def check(code, who, params=None, on_date=TODAY):
    return RULES[code].evaluate(who, SCHEME, clean_params(code, params or {}), on_date)


# GP scheme: GMC registration, performers list, s41A ------------------------------------------
def test_full_gmc_registration_with_a_licence_passes_until_it_lapses():
    result = check(
        "gmc_full_with_licence",
        person(registrations=(gmc(valid_until=datetime.date(2027, 3, 31)),)),
    )
    assert result.outcome == Outcome.PASSED
    assert result.valid_until == datetime.date(2027, 3, 31)


@pytest.mark.parametrize(
    ("status", "licence", "reason"),
    [
        ("registered_without_licence", False, "without a licence to practise"),
        ("provisional", True, "not full registration"),
        ("suspended", False, "suspended"),
        ("erased", False, "Erased"),
    ],
)
def test_anything_but_full_registration_with_a_licence_fails(status, licence, reason):
    result = check(
        "gmc_full_with_licence",
        person(registrations=(gmc(status=status, licence_to_practise=licence),)),
    )
    assert result.outcome == Outcome.FAILED
    assert reason in result.reason


def test_a_lapsed_gmc_registration_fails():
    result = check(
        "gmc_full_with_licence",
        person(registrations=(gmc(valid_until=datetime.date(2026, 11, 22)),)),
    )
    assert result.outcome == Outcome.FAILED
    assert "lapsed on 22 November 2026" in result.reason


@pytest.mark.parametrize(
    "code", ["gmc_full_with_licence", "on_performers_list", "not_interim_suspended"]
)
def test_gmc_rules_are_unknown_without_a_gmc_registration(code):
    result = check(code, person())
    assert result.outcome == Outcome.UNKNOWN
    assert result.reason == "No GMC registration is on file."


def test_the_performers_list_is_required():
    assert check("on_performers_list", person(registrations=(gmc(),))).outcome == Outcome.PASSED
    off = check("on_performers_list", person(registrations=(gmc(on_performers_list=False),)))
    assert off.outcome == Outcome.FAILED
    assert off.reason == "Not on the NHS England Medical Performers List."


def test_s41a_interim_suspension_fails():
    assert check("not_interim_suspended", person(registrations=(gmc(),))).outcome == Outcome.PASSED
    suspended = check(
        "not_interim_suspended", person(registrations=(gmc(interim_suspension=True),))
    )
    assert suspended.outcome == Outcome.FAILED
    assert "section 41A of the Medical Act 1983" in suspended.reason


# GP scheme: sessions and the extra mentoring session -------------------------------------------
@pytest.mark.parametrize(
    ("sessions", "outcome"), [("3", "passed"), ("2", "failed"), ("2.5", "failed"), ("8", "passed")]
)
def test_three_clinical_sessions_a_week_pass_and_two_fail(sessions, outcome):
    result = check(
        "min_clinical_sessions_per_week",
        person(clinical_sessions_per_week=Decimal(sessions)),
        {"minimum": "3"},
    )
    assert result.outcome == outcome
    assert f"Works {sessions} clinical sessions a week (at least 3 needed)." == result.reason


def test_sessions_are_unknown_when_not_recorded():
    assert (
        check("min_clinical_sessions_per_week", person(), {"minimum": 3}).outcome == Outcome.UNKNOWN
    )


@pytest.mark.parametrize(
    ("intends", "outcome"), [(True, "passed"), (False, "failed"), (None, "unknown")]
)
def test_the_extra_weekly_mentoring_session(intends, outcome):
    assert (
        check("intends_extra_mentoring_session", person(intends_extra_session=intends)).outcome
        == outcome
    )


# training ---------------------------------------------------------------------------------------
GP_TRAINING = {"accepted_kinds": ["ilm5", "ilm7", "other"], "planned_ok": True}
PA_TRAINING = {"accepted_kinds": ["rcp", "elfh", "ilm5", "ilm7", "other"], "planned_ok": False}


def test_an_existing_ilm5_exempts_from_training():
    ilm5 = TrainingFacts("ilm5", "completed", datetime.date(2019, 6, 1))
    result = check("mentoring_training", person(training=(ilm5,)), GP_TRAINING)
    assert result.outcome == Outcome.PASSED
    assert "an existing qualification counts" in result.reason


def test_planned_training_is_enough_for_the_gp_scheme_and_not_for_the_pa_scheme():
    planned = (TrainingFacts("ilm5", "planned", datetime.date(2027, 1, 15)),)
    gp = check("mentoring_training", person(training=planned), GP_TRAINING)
    pa = check("mentoring_training", person(profession="pa", training=planned), PA_TRAINING)
    assert gp.outcome == Outcome.PASSED
    assert "planned training is enough" in gp.reason
    assert pa.outcome == Outcome.FAILED
    assert "needs mentoring training completed" in pa.reason


def test_expired_training_fails_and_current_training_gives_its_expiry():
    expired = TrainingFacts(
        "rcp", "completed", datetime.date(2020, 1, 1), datetime.date(2025, 1, 1)
    )
    assert (
        check("mentoring_training", person(training=(expired,)), PA_TRAINING).outcome
        == Outcome.FAILED
    )
    current = TrainingFacts(
        "rcp", "completed", datetime.date(2024, 1, 1), datetime.date(2027, 1, 1)
    )
    assert check(
        "mentoring_training", person(training=(current,)), PA_TRAINING
    ).valid_until == datetime.date(2027, 1, 1)


def test_training_of_a_kind_the_scheme_does_not_accept_fails():
    rcp = TrainingFacts("rcp", "completed", datetime.date(2024, 1, 1))
    result = check("mentoring_training", person(training=(rcp,)), GP_TRAINING)
    assert result.outcome == Outcome.FAILED
    assert "does not accept" in result.reason


def test_no_training_on_file_is_unknown():
    assert check("mentoring_training", person(), GP_TRAINING).outcome == Outcome.UNKNOWN


# PA register and years qualified ----------------------------------------------------------------
def pa_registration(qualified_on, **fields):
    return RegistrationFacts(
        register="PA", number="7654321", status="registered", qualified_on=qualified_on, **fields
    )


def test_on_the_pa_register():
    assert (
        check(
            "on_register",
            person(registrations=(pa_registration(datetime.date(2020, 1, 1)),)),
            {"register": "PA"},
        ).outcome
        == Outcome.PASSED
    )
    assert check("on_register", person(), {"register": "PA"}).outcome == Outcome.UNKNOWN
    erased = pa_registration(
        datetime.date(2020, 1, 1),
    )
    erased = RegistrationFacts(**{**erased.__dict__, "status": "erased"})
    assert (
        check("on_register", person(registrations=(erased,)), {"register": "PA"}).outcome
        == Outcome.FAILED
    )


def test_a_pa_two_years_qualified_fails_the_three_year_rule_and_learns_when_it_changes():
    two_years = person(registrations=(pa_registration(datetime.date(2024, 11, 1)),))
    result = check("min_years_qualified", two_years, {"years": 3, "register": "PA"})
    assert result.outcome == Outcome.FAILED
    assert (
        result.reason
        == "Qualified 2 years ago, less than 3 years (that changes on 1 November 2027)."
    )
    assert result.valid_until == datetime.date(2027, 10, 31)


def test_a_pa_two_years_qualified_is_eligible_with_an_advisory_warning():
    pa = person(
        profession="pa",
        registrations=(pa_registration(datetime.date(2024, 11, 1)),),
        training=(TrainingFacts("rcp", "completed", datetime.date(2025, 5, 1)),),
    )
    verdict = evaluate(
        [
            ("on_register", {"register": "PA"}, "required"),
            ("min_years_qualified", {"years": 3, "register": "PA"}, "advisory"),
            ("mentoring_training", PA_TRAINING, "required"),
        ],
        pa,
        SCHEME,
        TODAY,
    )
    assert verdict.eligible
    assert [w.code for w in verdict.warnings] == ["min_years_qualified"]


def test_years_qualified_unknown_without_a_date():
    assert check("min_years_qualified", person(), {"years": 3}).outcome == Outcome.UNKNOWN


# pharmacy ---------------------------------------------------------------------------------------
def gphc(prescriber_since):
    return RegistrationFacts(
        register="GPHC",
        number="2071234",
        status="registered",
        qualified_on=datetime.date(2010, 7, 1),
        independent_prescriber_since=prescriber_since,
    )


def test_mentors_actively_prescribing_for_three_or_more_years():
    assert (
        check(
            "min_years_prescribing",
            person(registrations=(gphc(datetime.date(2023, 11, 23)),)),
            {"years": 3},
        ).outcome
        == Outcome.PASSED
    )
    assert (
        check(
            "min_years_prescribing",
            person(registrations=(gphc(datetime.date(2023, 11, 24)),)),
            {"years": 3},
        ).outcome
        == Outcome.FAILED
    )
    assert (
        check("min_years_prescribing", person(registrations=(gphc(None),)), {"years": 3}).outcome
        == Outcome.UNKNOWN
    )


def test_mentees_with_little_prescribing_experience():
    new = check(
        "max_years_prescribing",
        person(registrations=(gphc(datetime.date(2026, 1, 10)),)),
        {"years": 2},
    )
    assert new.outcome == Outcome.PASSED
    assert new.valid_until == datetime.date(2028, 1, 9)
    seasoned = check(
        "max_years_prescribing",
        person(registrations=(gphc(datetime.date(2020, 1, 10)),)),
        {"years": 2},
    )
    assert seasoned.outcome == Outcome.FAILED
    assert (
        check("independent_prescriber", person(registrations=(gphc(None),))).outcome
        == Outcome.UNKNOWN
    )
    assert (
        check(
            "independent_prescriber", person(registrations=(gphc(datetime.date(2026, 1, 10)),))
        ).outcome
        == Outcome.PASSED
    )


# PA preceptees ----------------------------------------------------------------------------------
def test_a_newly_qualified_preceptee_passes_until_twelve_months_after_qualifying():
    preceptee = person(
        profession="pa", registrations=(pa_registration(datetime.date(2026, 3, 15)),)
    )
    result = check("newly_qualified", preceptee, {"within_months": 12, "register": "PA"})
    assert result.outcome == Outcome.PASSED
    assert result.valid_until == datetime.date(2027, 3, 14)
    later = check(
        "newly_qualified",
        preceptee,
        {"within_months": 12, "register": "PA"},
        on_date=datetime.date(2027, 3, 15),
    )
    assert later.outcome == Outcome.FAILED


@pytest.mark.parametrize(
    ("kind", "sectors", "outcome"),
    [
        ("practice", (), "passed"),
        ("pcn", (), "passed"),
        ("trust", (), "failed"),
        ("trust", ("Primary care teams and GP practices",), "passed"),
    ],
)
def test_works_in_primary_care(kind, sectors, outcome):
    who = person(organisation_kind=kind, sectors=frozenset(sectors))
    assert check("works_in_primary_care", who).outcome == outcome


def test_profession():
    assert check("profession_is", person(), {"professions": ["gp"]}).outcome == Outcome.PASSED
    result = check("profession_is", person(profession="nurse"), {"professions": ["pa"]})
    assert result.outcome == Outcome.FAILED
    assert result.reason == "Is a Nurse, not a Physician associate."


# the verdict ------------------------------------------------------------------------------------
def test_a_required_rule_that_is_unknown_makes_a_person_ineligible_and_says_what_is_missing():
    verdict = evaluate([("gmc_full_with_licence", {}, "required")], person(), SCHEME, TODAY)
    assert not verdict.eligible
    assert verdict.summary() == "Not eligible: No GMC registration is on file."


def test_an_advisory_rule_never_blocks():
    verdict = evaluate(
        [("on_performers_list", {}, "advisory")],
        person(registrations=(gmc(on_performers_list=False),)),
        SCHEME,
        TODAY,
    )
    assert verdict.eligible


def test_the_verdict_holds_until_the_earliest_expiry_of_a_required_rule():
    registration = gmc(valid_until=datetime.date(2027, 6, 30))
    training = TrainingFacts(
        "ilm5", "completed", datetime.date(2020, 1, 1), datetime.date(2027, 2, 28)
    )
    verdict = evaluate(
        [
            ("gmc_full_with_licence", {}, "required"),
            ("mentoring_training", GP_TRAINING, "required"),
        ],
        person(registrations=(registration,), training=(training,)),
        SCHEME,
        TODAY,
    )
    assert verdict.valid_until == datetime.date(2027, 2, 28)


# parameters -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "params", "message"),
    [
        ("min_clinical_sessions_per_week", {"minimum": "three"}, "minimum: Enter a number."),
        (
            "min_clinical_sessions_per_week",
            {"minimum": -1},
            "minimum: Ensure this value is greater than or equal to 0.",
        ),
        ("min_years_qualified", {"years": "x"}, "years: Enter a whole number."),
        ("min_years_qualified", {}, "years: This field is required."),
        ("on_register", {"register": "HCPC"}, "register: Select a valid choice."),
        (
            "on_performers_list",
            {"colour": "blue"},
            "“colour” is not a parameter of this rule (it takes: none).",
        ),
    ],
)
def test_parameters_of_the_wrong_type_are_refused_by_name(code, params, message):
    with pytest.raises(ValidationError) as refusal:
        clean_params(code, params)
    assert refusal.value.message_dict["params"][0].startswith(message)


@given(
    st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2060, 12, 31)),
    st.integers(0, 240),
)
def test_adding_months_keeps_the_day_or_the_months_last_day(day, months):
    later = add_months(day, months)
    assert (later.year - day.year) * 12 + later.month - day.month == months
    assert later.day == day.day or (
        later.day < day.day and (later + datetime.timedelta(days=1)).day == 1
    )


@given(
    st.decimals(min_value=0, max_value=14, places=1),
    st.decimals(min_value=0, max_value=14, places=1),
)
def test_the_sessions_rule_passes_exactly_when_worked_reaches_the_minimum(worked, minimum):
    result = check(
        "min_clinical_sessions_per_week",
        person(clinical_sessions_per_week=worked),
        {"minimum": str(minimum)},
    )
    assert (result.outcome == Outcome.PASSED) == (worked >= minimum)
