"""Form fields for spreadsheet cells, with messages that say what would be accepted."""

from django import forms

from mentoring.models.accounts import normalise_email

REQUIRED = {"required": "this value is missing."}


class Code(forms.CharField):
    """An organisation code: trimmed and upper-cased, as ODS codes are written."""

    def __init__(self, **kwargs):
        super().__init__(max_length=20, error_messages=REQUIRED, **kwargs)

    def to_python(self, value):
        return super().to_python(value).upper()


class Email(forms.EmailField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=254,
            error_messages={
                **REQUIRED,
                "invalid": "this is not an email address, like name@example.nhs.uk.",
            },
            **kwargs,
        )

    def to_python(self, value):
        return normalise_email(super().to_python(value))


class Text(forms.CharField):
    def __init__(self, max_length, **kwargs):
        super().__init__(
            max_length=max_length,
            error_messages={
                **REQUIRED,
                "max_length": "this is longer than %(limit_value)d characters.",
            },
            **kwargs,
        )


class Choice(forms.ChoiceField):
    """A value from a fixed list, matched without regard to case; the message lists the choices."""

    def __init__(self, choices, **kwargs):
        values = [value for value, _ in choices]
        self.by_lower = {value.lower(): value for value in values}
        super().__init__(
            choices=[(value, value) for value in values],
            error_messages={
                **REQUIRED,
                "invalid_choice": "“%(value)s” is not one of: " + ", ".join(values) + ".",
            },
            **kwargs,
        )

    def to_python(self, value):
        value = super().to_python(value)
        return self.by_lower.get(value.lower(), value)


class YesNo(forms.Field):
    """``yes`` or ``no``; ``None`` when the cell is blank and the field is optional."""

    default_error_messages = {**REQUIRED, "invalid": "“%(value)s” should be yes or no."}

    def to_python(self, value):
        value = (value or "").strip().lower()
        if value in self.empty_values:
            return None
        if value in ("yes", "y", "true"):
            return True
        if value in ("no", "n", "false"):
            return False
        raise forms.ValidationError(
            self.error_messages["invalid"], code="invalid", params={"value": value}
        )

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class IsoDate(forms.DateField):
    def __init__(self, **kwargs):
        super().__init__(
            input_formats=["%Y-%m-%d"],
            error_messages={
                **REQUIRED,
                "invalid": "this is not a date written as YYYY-MM-DD, like 2024-03-31.",
            },
            **kwargs,
        )


class TermList(forms.CharField):
    """A ``;``-separated list of vocabulary terms (sectors, focus areas…), blanks dropped."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        terms = [term.strip() for term in (value or "").split(";")]
        return [term for term in terms if term]

    def validate(self, value):
        for term in value:
            if len(term) > 100:
                raise forms.ValidationError(f"“{term[:30]}…” is longer than 100 characters.")
