"""Filters for a scheme's mentor register (django-filter), shown as an NHS.UK form that submits
by GET, so a filtered register can be bookmarked and shared with colleagues who may see it."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.db.models import Q, QuerySet

from mentoring.models import FocusArea, Organisation
from schemes.models import Enrolment, EnrolmentStatus

CURRENT, ANY = "current", "any"
STATUS_CHOICES = [
    (CURRENT, "Active or paused"),
    (EnrolmentStatus.ACTIVE, "Active"),
    (EnrolmentStatus.PAUSED, "Paused"),
    (EnrolmentStatus.LEFT, "Left the scheme"),
    (ANY, "Any status"),
]


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class MentorRegisterFilter(django_filters.FilterSet):
    """Who is on the register as a mentor: by status (current mentors unless asked otherwise),
    organisation, focus area, capacity and capacity left (the queryset must carry the
    ``capacity_left`` annotation of ``selectors.with_capacity_left``)."""

    status = django_filters.ChoiceFilter(
        label="Status",
        choices=STATUS_CHOICES,
        empty_label=None,
        method="filter_status",
        error_messages={"invalid_choice": "Select a status from the list"},
    )
    organisation = django_filters.ModelChoiceFilter(
        label="Organisation",
        field_name="person__organisation",
        queryset=Organisation.objects.none(),
        empty_label="Any organisation",
        error_messages={"invalid_choice": "Select an organisation from the list"},
    )
    focus_area = django_filters.ModelChoiceFilter(
        label="Focus area",
        queryset=FocusArea.objects.order_by("name"),
        empty_label="Any focus area",
        method="filter_focus_area",
        error_messages={"invalid_choice": "Select a focus area from the list"},
    )
    capacity = WholeNumberFilter(
        label="Takes at least this many mentees",
        field_name="capacity",
        lookup_expr="gte",
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
        error_messages={
            "invalid": "Enter the number of mentees as a whole number, like 4",
            "min_value": "The number of mentees cannot be less than 0",
        },
    )
    capacity_left = WholeNumberFilter(
        label="Has room for at least this many more",
        field_name="capacity_left",
        lookup_expr="gte",
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
        error_messages={
            "invalid": "Enter the number of mentees as a whole number, like 1",
            "min_value": "The number of mentees cannot be less than 0",
        },
    )

    class Meta:
        model = Enrolment
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = CURRENT
        super().__init__(data, *args, **kwargs)
        self.filters["organisation"].queryset = Organisation.objects.filter(
            pk__in=self.queryset.values("person__organisation")
        ).order_by("name")

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == CURRENT:
            return queryset.filter(left_on__isnull=True)
        if value == ANY:
            return queryset
        return queryset.filter(status=value)

    def filter_focus_area(self, queryset: QuerySet, name: str, value: FocusArea) -> QuerySet:
        """On their register entry, or chosen when they applied to this scheme."""
        return queryset.filter(
            Q(person__focus_areas=value) | Q(application__focus_areas=value)
        ).distinct()

    @property
    def helper(self) -> FormHelper:
        """The fields in two rows; the page draws the <form>, its button and the summary."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.show_error_summary = False
        helper.layout = Layout(
            Div(
                *(
                    Div(name, css_class="nhsuk-grid-column-one-third")
                    for name in ("status", "organisation", "focus_area")
                ),
                css_class="nhsuk-grid-row",
            ),
            Div(
                *(
                    Div(name, css_class="nhsuk-grid-column-one-third")
                    for name in ("capacity", "capacity_left")
                ),
                css_class="nhsuk-grid-row",
            ),
        )
        return helper
