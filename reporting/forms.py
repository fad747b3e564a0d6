from django import forms

from mentoring.forms import form_helper
from reporting import periods
from reporting.figures import Period


class PeriodForm(forms.Form):
    """The period a report covers, from a GET query (``?from=YYYY-MM-DD&to=YYYY-MM-DD``)."""

    start = forms.DateField(
        label="From",
        help_text="The first day, for example 1 April 2026.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the start date of the period",
            "invalid": "Enter the start date as a real date, for example 1 April 2026",
        },
    )
    end = forms.DateField(
        label="To",
        help_text="The last day, included.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the end date of the period",
            "invalid": "Enter the end date as a real date, for example 31 March 2027",
        },
    )

    def __init__(self, data, *, default: Period):
        asked = "from" in data or "to" in data
        super().__init__(
            data if asked else None,
            initial={"start": default.start, "end": default.end},
            auto_id="id_%s",
        )
        self.default = default
        self.helper = form_helper("Show the figures")
        self.helper.form_method = "get"

    def add_prefix(self, field_name):
        return {"start": "from", "end": "to"}.get(field_name, field_name)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            try:
                cleaned["period"] = periods.between(start, end)
            except periods.PeriodError as error:
                self.add_error("end", error.message)
        return cleaned

    @property
    def period(self) -> Period | None:
        """The period asked for; the default when nothing was asked; None when it is wrong."""
        if not self.is_bound:
            return self.default
        return self.cleaned_data.get("period") if self.is_valid() else None
