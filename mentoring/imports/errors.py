"""Every refusal an import can give: a stable code and its plain-English message, in one place.

Messages are written for a coordinator fixing a spreadsheet and read after ``line N: column:``,
so they start in lower case and end with a full stop. Tests assert on the codes. The register
rules' own wording (number formats, statuses, the licence) comes from ``mentoring.registers``.
"""

from enum import StrEnum


class ImportRefusal(StrEnum):
    # The file itself (reported on line 1).
    FILE_TOO_BIG = "file_too_big"
    FILE_NOT_UTF8 = "file_not_utf8"
    FILE_NOT_CSV = "file_not_csv"
    FILE_EMPTY = "file_empty"
    TOO_MANY_ROWS = "too_many_rows"
    WRONG_SEPARATOR = "wrong_separator"
    MISSING_COLUMN = "missing_column"
    UNEXPECTED_COLUMN = "unexpected_column"
    REPEATED_COLUMN = "repeated_column"
    # One row on its own.
    WRONG_NUMBER_OF_VALUES = "wrong_number_of_values"
    MISSING_VALUE = "missing_value"
    NOT_ONE_OF = "not_one_of"
    TOO_LONG = "too_long"
    NOT_AN_EMAIL = "not_an_email"
    NOT_A_DATE = "not_a_date"
    NOT_YES_OR_NO = "not_yes_or_no"
    NOT_A_NUMBER_OF_SESSIONS = "not_a_number_of_sessions"
    SESSIONS_OUT_OF_RANGE = "sessions_out_of_range"
    SESSIONS_TOO_PRECISE = "sessions_too_precise"
    TERM_TOO_LONG = "term_too_long"
    NUMBER_PROBLEM = "number_problem"
    STATUS_PROBLEM = "status_problem"
    LICENCE_PROBLEM = "licence_problem"
    PRESCRIBER_BEFORE_QUALIFIED = "prescriber_before_qualified"
    END_BEFORE_START = "end_before_start"
    OWN_PARENT = "own_parent"
    SELF_SUPERVISION = "self_supervision"
    INVALID = "invalid"
    # Against the other rows and the register.
    DUPLICATE_ROW = "duplicate_row"
    UNKNOWN_ORGANISATION = "unknown_organisation"
    UNKNOWN_PERSON = "unknown_person"
    PARENT_CYCLE = "parent_cycle"
    NUMBER_HELD_BY_ANOTHER = "number_held_by_another"
    OTHER_NUMBER_ON_REGISTER = "other_number_on_register"
    # A coordinator's scope (admin uploads only).
    ORGANISATION_OUT_OF_SCOPE = "organisation_out_of_scope"
    ASSIGNED_ORGANISATION = "assigned_organisation"
    ROOT_NEEDS_SUPERUSER = "root_needs_superuser"
    PERSON_OUT_OF_SCOPE = "person_out_of_scope"
    EMAIL_USED_ELSEWHERE = "email_used_elsewhere"
    # Saving.
    CHANGED_WHILE_IMPORTING = "changed_while_importing"


MESSAGES = {
    ImportRefusal.FILE_TOO_BIG: "the file is {size}; the most that can be imported at once is {limit}. Split it into smaller files.",
    ImportRefusal.FILE_NOT_UTF8: "the file is not UTF-8 text (byte {position} cannot be read). In your spreadsheet, save it as “CSV UTF-8”.",
    ImportRefusal.FILE_NOT_CSV: "the file cannot be read as CSV: {reason}.",
    ImportRefusal.FILE_EMPTY: "the file is empty: it needs a header row ({columns}) and at least one row.",
    ImportRefusal.TOO_MANY_ROWS: "the file has more than {limit} rows. Split it into smaller files.",
    ImportRefusal.WRONG_SEPARATOR: "the columns are separated by {separator}, not commas. In your spreadsheet, save it as “CSV UTF-8 (comma delimited)”.",
    ImportRefusal.MISSING_COLUMN: "this column is missing from the header row.",
    ImportRefusal.UNEXPECTED_COLUMN: "“{column}” is not a column of this import. The columns are: {columns}.",
    ImportRefusal.REPEATED_COLUMN: "this column appears more than once in the header row.",
    ImportRefusal.WRONG_NUMBER_OF_VALUES: "this row has {found} values but the header row has {expected} columns.",
    ImportRefusal.MISSING_VALUE: "this value is missing.",
    ImportRefusal.NOT_ONE_OF: "“{value}” is not one of: {choices}.",
    ImportRefusal.TOO_LONG: "this is longer than {limit_value} characters.",
    ImportRefusal.NOT_AN_EMAIL: "this is not an email address, like name@example.nhs.uk.",
    ImportRefusal.NOT_A_DATE: "this is not a date written as YYYY-MM-DD, like 2024-03-31.",
    ImportRefusal.NOT_YES_OR_NO: "“{value}” should be yes or no.",
    ImportRefusal.NOT_A_NUMBER_OF_SESSIONS: "this is not a number of sessions, like 4 or 4.5.",
    ImportRefusal.SESSIONS_OUT_OF_RANGE: "the clinical sessions a week must be between 0 and 14.",
    ImportRefusal.SESSIONS_TOO_PRECISE: "give the sessions to one decimal place at most, like 4.5.",
    ImportRefusal.TERM_TOO_LONG: "“{term}…” is longer than {limit} characters.",
    ImportRefusal.NUMBER_PROBLEM: "{problem}",
    ImportRefusal.STATUS_PROBLEM: "{problem}",
    ImportRefusal.LICENCE_PROBLEM: "{problem}",
    ImportRefusal.PRESCRIBER_BEFORE_QUALIFIED: "this is before the date they qualified.",
    ImportRefusal.END_BEFORE_START: "this is before the start date.",
    ImportRefusal.OWN_PARENT: "an organisation cannot be its own parent.",
    ImportRefusal.SELF_SUPERVISION: "a person cannot supervise themselves.",
    ImportRefusal.INVALID: "{problem}",
    ImportRefusal.DUPLICATE_ROW: "duplicate of line {line}.",
    ImportRefusal.UNKNOWN_ORGANISATION: "no organisation has the code “{code}”. Import it with import_organisations first, or check the spelling.",
    ImportRefusal.UNKNOWN_PERSON: "nobody on the register has the email address “{email}”. Import them with import_people first.",
    ImportRefusal.PARENT_CYCLE: "“{code}” would end up inside itself: the parents form a loop ({chain}).",
    ImportRefusal.NUMBER_HELD_BY_ANOTHER: "{register} number {number} already belongs to someone else on the register.",
    ImportRefusal.OTHER_NUMBER_ON_REGISTER: "this person already has {register} number {existing} on file. Correct it in the admin if it has changed.",
    ImportRefusal.ORGANISATION_OUT_OF_SCOPE: "“{code}” is not one of the organisations you coordinate.",
    ImportRefusal.ASSIGNED_ORGANISATION: "“{code}” is the organisation you are assigned to: only an administrator can change it.",
    ImportRefusal.ROOT_NEEDS_SUPERUSER: "an organisation without a parent can only be added by an administrator: give it one of your organisations as its parent.",
    ImportRefusal.PERSON_OUT_OF_SCOPE: "“{email}” is not one of the people you coordinate.",
    ImportRefusal.EMAIL_USED_ELSEWHERE: "“{email}” is already used by someone outside your organisations. Ask an administrator to move them.",
    ImportRefusal.CHANGED_WHILE_IMPORTING: "the register changed while this file was being imported, so nothing was imported. Import the file again.",
}


def message_for(code: ImportRefusal, /, **values) -> str:
    return MESSAGES[code].format(**values)
