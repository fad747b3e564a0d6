"""Every refusal an import can give: a stable code and its plain-English message, in one place.

Messages are written for a coordinator fixing a spreadsheet. Tests assert on the codes.
"""

from enum import StrEnum


class ImportRefusal(StrEnum):
    FILE_TOO_BIG = "file_too_big"
    FILE_NOT_UTF8 = "file_not_utf8"
    FILE_NOT_CSV = "file_not_csv"
    FILE_EMPTY = "file_empty"
    TOO_MANY_ROWS = "too_many_rows"
    MISSING_COLUMN = "missing_column"
    UNEXPECTED_COLUMN = "unexpected_column"
    REPEATED_COLUMN = "repeated_column"
    WRONG_NUMBER_OF_VALUES = "wrong_number_of_values"
    INVALID = "invalid"
    DUPLICATE_ROW = "duplicate_row"
    UNKNOWN_ORGANISATION = "unknown_organisation"
    UNKNOWN_PERSON = "unknown_person"
    OWN_PARENT = "own_parent"
    PARENT_CYCLE = "parent_cycle"
    ORGANISATION_OUT_OF_SCOPE = "organisation_out_of_scope"
    ROOT_NEEDS_SUPERUSER = "root_needs_superuser"
    PERSON_OUT_OF_SCOPE = "person_out_of_scope"
    EMAIL_USED_ELSEWHERE = "email_used_elsewhere"
    NUMBER_HELD_BY_ANOTHER = "number_held_by_another"
    OTHER_NUMBER_ON_REGISTER = "other_number_on_register"
    SELF_SUPERVISION = "self_supervision"


MESSAGES = {
    ImportRefusal.FILE_TOO_BIG: "the file is {size}; the most that can be imported at once is {limit}. Split it into smaller files.",
    ImportRefusal.FILE_NOT_UTF8: "the file is not UTF-8 text (byte {position} cannot be read). In your spreadsheet, save it as “CSV UTF-8”.",
    ImportRefusal.FILE_NOT_CSV: "the file cannot be read as CSV: {reason}.",
    ImportRefusal.FILE_EMPTY: "the file is empty: it needs a header row ({columns}) and at least one row.",
    ImportRefusal.TOO_MANY_ROWS: "the file has more than {limit} rows. Split it into smaller files.",
    ImportRefusal.MISSING_COLUMN: "this column is missing from the header row. The columns are: {columns}.",
    ImportRefusal.UNEXPECTED_COLUMN: "“{column}” is not a column of this import. The columns are: {columns}.",
    ImportRefusal.REPEATED_COLUMN: "this column appears more than once in the header row.",
    ImportRefusal.WRONG_NUMBER_OF_VALUES: "this row has {found} values but the header row has {expected} columns.",
    ImportRefusal.INVALID: "{message}",
    ImportRefusal.DUPLICATE_ROW: "duplicate of line {line}.",
    ImportRefusal.UNKNOWN_ORGANISATION: "no organisation has the code “{code}”. Import it with import_organisations first, or check the spelling.",
    ImportRefusal.UNKNOWN_PERSON: "nobody on the register has the email address “{email}”. Import them with import_people first.",
    ImportRefusal.OWN_PARENT: "an organisation cannot be its own parent.",
    ImportRefusal.PARENT_CYCLE: "“{code}” would end up inside itself: the parents form a loop ({chain}).",
    ImportRefusal.ORGANISATION_OUT_OF_SCOPE: "“{code}” is not one of the organisations you coordinate.",
    ImportRefusal.ROOT_NEEDS_SUPERUSER: "an organisation without a parent can only be added by an administrator: give it one of your organisations as its parent.",
    ImportRefusal.PERSON_OUT_OF_SCOPE: "“{email}” is not one of the people you coordinate.",
    ImportRefusal.EMAIL_USED_ELSEWHERE: "“{email}” is already used by someone outside your organisations. Ask an administrator to move them.",
    ImportRefusal.NUMBER_HELD_BY_ANOTHER: "{register} number {number} already belongs to someone else on the register.",
    ImportRefusal.OTHER_NUMBER_ON_REGISTER: "this person already has {register} number {existing} on file. Correct it in the admin if it has changed.",
    ImportRefusal.SELF_SUPERVISION: "a person cannot supervise themselves.",
}


def message_for(code: ImportRefusal, /, **values) -> str:
    return MESSAGES[code].format(**values)
