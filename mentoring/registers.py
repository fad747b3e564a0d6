"""What each professional register's numbers and statuses look like. Pure, no database.

Sources: the GMC reference number and the GPhC registration number are 7 digits; an NMC PIN is
two digits, a letter, four digits and a letter (e.g. 12A3456E). Physician associates are on the
GMC's register since December 2024 and hold a 7-digit GMC reference number. Only the GMC register
carries a licence to practise; provisional registration exists for doctors (and, for a time, for
pharmacists); "registered without a licence" is a GMC status.
"""

import re

NUMBER_FORMATS = {
    "GMC": (re.compile(r"^\d{7}$"), "a GMC reference number is 7 digits, like 1234567"),
    "GPHC": (re.compile(r"^\d{7}$"), "a GPhC registration number is 7 digits, like 2071234"),
    "NMC": (
        re.compile(r"^\d{2}[A-Z]\d{4}[A-Z]$"),
        "an NMC PIN is 2 digits, a letter, 4 digits and a letter, like 12A3456E",
    ),
    "PA": (re.compile(r"^\d{7}$"), "a PA register number is the 7-digit GMC reference number"),
}

LICENSED_REGISTERS = {"GMC"}
STATUSES_BY_REGISTER = {
    "GMC": {"registered", "provisional", "registered_without_licence", "suspended", "erased"},
    "GPHC": {"registered", "provisional", "suspended", "erased"},
    "NMC": {"registered", "suspended", "erased"},
    "PA": {"registered", "suspended", "erased"},
}
# On the GMC register these statuses fix the licence; provisional doctors may hold either.
LICENCE_BY_STATUS = {
    "registered": True,
    "registered_without_licence": False,
    "suspended": False,
    "erased": False,
}


def normalise_number(number: str) -> str:
    return (number or "").strip().upper().replace(" ", "")


def number_problem(register: str, number: str) -> str | None:
    """Why ``number`` is not a valid number on ``register``, or None when it is."""
    pattern, explanation = NUMBER_FORMATS[register]
    if not pattern.match(normalise_number(number)):
        return f"“{number}” is not a valid number: {explanation}."
    return None


def status_problem(register: str, status: str) -> str | None:
    if status not in STATUSES_BY_REGISTER[register]:
        return f"“{status}” is not a status used on the {register} register."
    return None


def licence_problem(register: str, status: str, licence: bool | None) -> str | None:
    """Why the licence to practise contradicts the status, or None when they agree."""
    if register not in LICENSED_REGISTERS:
        if licence is not None:
            return f"the {register} register has no licence to practise: leave it blank."
        return None
    if licence is None:
        return "say whether the doctor holds a licence to practise (yes or no)."
    expected = LICENCE_BY_STATUS.get(status)
    if expected is not None and licence != expected:
        label = status.replace("_", " ")
        return (
            f"a GMC status of “{label}” means the licence to practise must be "
            f"{'yes' if expected else 'no'}."
        )
    return None
