"""Helpers for the import tests: write a CSV as a coordinator's spreadsheet would."""


def csv_file(*lines: str, bom: bool = False, crlf: bool = False) -> bytes:
    text = ("\r\n" if crlf else "\n").join(lines) + ("\r\n" if crlf else "\n")
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def errors_of(result) -> list[str]:
    return [str(error) for error in result.errors]


def codes_of(result) -> list[tuple[int, str, str]]:
    return [(error.line, error.column, str(error.code)) for error in result.errors]
