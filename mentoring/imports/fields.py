"""Form fields for spreadsheet cells.

Django's own error codes are translated to import refusals (``refusals``), so every message a
coordinator reads comes from ``errors.py``; the fields written here raise refusals directly.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from mentoring.imports.errors import ImportRefusal, message_for
from mentoring.models.accounts import normalise_email


def refusal(code: ImportRefusal, /, **values) -> ValidationError:
    """A validation error that carries an import refusal and its finished message."""
    return ValidationError(message_for(code, **values), code=code)


class CellMixin:
    """What the importer needs to turn one of Django's field errors into a refusal."""

    refusals: dict[str, ImportRefusal] = {}

    def refusal_for(self, error: ValidationError) -> tuple[ImportRefusal, str] | None:
        code = {
            "required": ImportRefusal.MISSING_VALUE,
            "max_length": ImportRefusal.TOO_LONG,
            **self.refusals,
        }.get(error.code)
        if code is None:
            return None
        return code, message_for(code, **(error.params or {}), **self.refusal_values())

    def refusal_values(self) -> dict:
        return {}


class Code(CellMixin, forms.CharField):
    """An organisation code: upper-cased, as ODS codes are written."""

    def __init__(self, **kwargs):
        super().__init__(max_length=20, **kwargs)

    def to_python(self, value):
        return super().to_python(value).upper()


class Email(CellMixin, forms.EmailField):
    refusals = {"invalid": ImportRefusal.NOT_AN_EMAIL}

    def __init__(self, **kwargs):
        super().__init__(max_length=254, **kwargs)

    def to_python(self, value):
        return normalise_email(super().to_python(value))


class Text(CellMixin, forms.CharField):
    def __init__(self, max_length, **kwargs):
        super().__init__(max_length=max_length, **kwargs)


class Choice(CellMixin, forms.ChoiceField):
    """A value from a fixed list, matched without regard to case; the message lists the choices."""

    refusals = {"invalid_choice": ImportRefusal.NOT_ONE_OF}

    def __init__(self, choices, **kwargs):
        self.values = [value for value, _ in choices]
        self.by_lower = {value.lower(): value for value in self.values}
        super().__init__(choices=[(value, value) for value in self.values], **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return self.by_lower.get(value.lower(), value)

    def refusal_values(self):
        return {"choices": ", ".join(self.values)}


def yes_or_no(value: str) -> bool | None:
    """``yes``/``no`` (or y/n, true/false) as a boolean; None for a blank cell."""
    value = (value or "").strip()
    if not value:
        return None
    answer = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}
    if value.lower() not in answer:
        raise refusal(ImportRefusal.NOT_YES_OR_NO, value=value)
    return answer[value.lower()]


class YesNo(CellMixin, forms.Field):
    def to_python(self, value):
        return yes_or_no(value)

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError("", code="required")


class IsoDate(CellMixin, forms.DateField):
    refusals = {"invalid": ImportRefusal.NOT_A_DATE}

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)


class Sessions(CellMixin, forms.DecimalField):
    """Clinical sessions a week: 0 to 14, in tenths; ``4.50`` is read as 4.5."""

    refusals = {
        "invalid": ImportRefusal.NOT_A_NUMBER_OF_SESSIONS,
        "min_value": ImportRefusal.SESSIONS_OUT_OF_RANGE,
        "max_value": ImportRefusal.SESSIONS_OUT_OF_RANGE,
        "max_digits": ImportRefusal.SESSIONS_OUT_OF_RANGE,
        "max_whole_digits": ImportRefusal.SESSIONS_OUT_OF_RANGE,
        "max_decimal_places": ImportRefusal.SESSIONS_TOO_PRECISE,
    }
    tenth = Decimal("0.1")

    def __init__(self, **kwargs):
        super().__init__(
            min_value=Decimal("0"),
            max_value=Decimal("14"),
            max_digits=3,
            decimal_places=1,
            **kwargs,
        )

    def to_python(self, value):
        value = super().to_python(value)
        finite = value is not None and value.is_finite() and abs(value) < 100
        return (
            value.quantize(self.tenth) if finite and value == value.quantize(self.tenth) else value
        )


class TermList(CellMixin, forms.CharField):
    """A ``;``-separated list of vocabulary terms (sectors, focus areas…), blanks dropped."""

    limit = 100

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        terms = [term.strip() for term in (value or "").split(";")]
        return [term for term in terms if term]

    def validate(self, value):
        for term in value:
            if len(term) > self.limit:
                raise refusal(ImportRefusal.TERM_TOO_LONG, term=term[:30], limit=self.limit)
