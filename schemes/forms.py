"""The application form: a mentor's or a mentee's answers, and — for someone who registered
themselves and is not on the register yet — who they are and where they work.

Messages follow the NHS.UK style ("Enter …", "Select …"). The scheme's own checks (an intake
open, no application already waiting, not already enrolled) stay in ``services.submit_application``;
its refusals come back onto this form as errors, and nothing is saved.
"""

from decimal import Decimal

from crispy_forms.layout import HTML, Layout
from django import forms

from mentoring.forms import form_helper
from mentoring.models import FocusArea, Organisation, Person, Profession, User
from schemes import services
from schemes.errors import SchemeError, SchemeRefusal
from schemes.models import Application, ParticipantRole, Scheme

PERSON_FIELDS = ("profession", "organisation", "department", "region", "work_email", "work_phone")
MAX_SESSIONS = Decimal("14")


def _heading(text: str) -> HTML:
    return HTML(f'<h2 class="nhsuk-heading-m">{text}</h2>')


class ApplicationForm(forms.Form):
    """Answers to a scheme, as a mentor or as a mentee; fields depend on the role and scheme.

    ``person`` is the applicant's register entry, or None for a user who is not on the register:
    they then also say who they are (the ``PERSON_FIELDS``).
    """

    def __init__(self, *args, scheme: Scheme, role: str, person: Person | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme, self.role, self.person = scheme, role, person
        if person is None:
            self.fields.update(self._person_fields())
        if role == ParticipantRole.MENTOR:
            self.fields.update(self._mentor_fields())
        else:
            self.fields.update(self._mentee_fields())
        self.helper = form_helper("Submit application")
        if person is None:
            about_you = [name for name in self.fields if name in PERSON_FIELDS]
            answers = [name for name in self.fields if name not in PERSON_FIELDS]
            self.helper.layout = Layout(
                _heading("About you"), *about_you, _heading("Your application"), *answers
            )

    # fields -------------------------------------------------------------------------------------
    def _person_fields(self) -> dict[str, forms.Field]:
        return {
            "profession": forms.ChoiceField(
                label="What is your profession?",
                choices=Profession.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Select your profession"},
            ),
            "organisation": forms.ModelChoiceField(
                label="Which organisation do you work for?",
                help_text=(
                    "Your practice, primary care network, trust or training hub. If it is not "
                    "listed, contact the scheme's coordinator."
                ),
                queryset=Organisation.objects.order_by("name"),
                empty_label="Choose your organisation",
                error_messages={
                    "required": "Select the organisation you work for",
                    "invalid_choice": "Select the organisation you work for from the list",
                },
            ),
            "department": forms.CharField(
                label="Department or team",
                max_length=200,
                required=False,
            ),
            "region": forms.CharField(
                label="Region",
                help_text="For example, London or North East and Yorkshire",
                max_length=100,
                required=False,
            ),
            "work_email": forms.EmailField(
                label="Work email address",
                help_text="Leave this blank if it is the address you sign in with.",
                max_length=254,
                required=False,
                error_messages={
                    "invalid": "Enter an email address in the correct format, like name@example.nhs.uk"
                },
                widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            ),
            "work_phone": forms.CharField(
                label="Work phone number",
                max_length=30,
                required=False,
                widget=forms.TextInput(
                    attrs={"type": "tel", "autocomplete": "tel", "class": "nhsuk-input--width-20"}
                ),
            ),
        }

    def _mentor_fields(self) -> dict[str, forms.Field]:
        scheme = self.scheme
        fields = {
            "motivation": forms.CharField(
                label="Your statement of motivation",
                help_text="Why you want to be a mentor on this scheme and what you would bring to it.",
                widget=forms.Textarea(attrs={"rows": 6}),
                error_messages={"required": "Enter your statement of motivation"},
            ),
            "clinical_sessions_per_week": forms.DecimalField(
                label="How many clinical sessions do you work a week?",
                help_text="A session is 4 hours 10 minutes. You can use halves, like 3.5.",
                min_value=0,
                max_value=MAX_SESSIONS,
                max_digits=3,
                decimal_places=1,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "class": "nhsuk-input--width-4"}
                ),
                error_messages={
                    "required": "Enter how many clinical sessions you work a week",
                    "invalid": "Enter the number of clinical sessions as a number, like 4 or 3.5",
                    "min_value": "The number of clinical sessions cannot be less than 0",
                    "max_value": "The number of clinical sessions must be 14 or fewer",
                    "max_digits": "The number of clinical sessions must be 14 or fewer",
                    "max_whole_digits": "The number of clinical sessions must be 14 or fewer",
                    "max_decimal_places": "Enter the number of clinical sessions to one decimal place at most, like 3.5",
                },
            ),
            "intends_extra_session": forms.TypedChoiceField(
                label="Do you intend to do one additional weekly session of mentoring?",
                help_text="Mentoring takes one session a week on top of your clinical sessions.",
                choices=[
                    ("yes", "Yes, I intend to do one additional weekly session of mentoring"),
                    ("no", "No"),
                ],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Select yes if you intend to do one additional weekly session of mentoring"
                },
            ),
        }
        focus_areas = FocusArea.objects.order_by("name")
        if focus_areas.exists():
            fields["focus_areas"] = forms.ModelMultipleChoiceField(
                label="Which areas would you like to focus on as a mentor?",
                help_text="Select all that apply.",
                queryset=focus_areas,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        low, high = scheme.mentor_capacity_min, scheme.mentor_capacity_max
        if low != high:
            fields["preferred_mentees"] = forms.IntegerField(
                label="How many mentees would you like to take?",
                help_text=f"Mentors on this scheme take between {low} and {high} mentees.",
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}
                ),
                error_messages={
                    "required": "Enter how many mentees you would like to take",
                    "invalid": f"Enter the number of mentees as a whole number, like {low}",
                },
            )
        fields["mentoring_plan"] = forms.CharField(
            label="Your mentoring plan",
            help_text=(
                "How you will mentor: how often you will meet your mentees, where, and what you "
                "expect to cover. Training funding is released only once your plan is in place."
            ),
            widget=forms.Textarea(attrs={"rows": 6}),
            error_messages={"required": "Enter your mentoring plan"},
        )
        return fields

    def _mentee_fields(self) -> dict[str, forms.Field]:
        fields = {}
        cohorts = self.scheme.cohorts.order_by("priority", "name")
        if cohorts.exists():
            fields["cohort"] = forms.ModelChoiceField(
                label="Which of these groups are you in?",
                queryset=cohorts,
                empty_label=None,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Select the group you are in",
                    "invalid_choice": "Select one of the groups listed",
                },
            )
        fields["hopes"] = forms.CharField(
            label="What do you want from mentoring?",
            help_text="For example, support with a new role, career choices or your confidence.",
            widget=forms.Textarea(attrs={"rows": 6}),
            error_messages={"required": "Enter what you want from mentoring"},
        )
        return fields

    # validation ---------------------------------------------------------------------------------
    def clean_preferred_mentees(self):
        number = self.cleaned_data["preferred_mentees"]
        low, high = self.scheme.mentor_capacity_min, self.scheme.mentor_capacity_max
        if not low <= number <= high:
            raise forms.ValidationError(
                f"Enter a number from {low} to {high}: mentors on this scheme take between "
                f"{low} and {high} mentees",
                code="capacity_out_of_range",
            )
        return number

    # saving -------------------------------------------------------------------------------------
    def answers(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in PERSON_FIELDS}
        if self.role == ParticipantRole.MENTOR and "preferred_mentees" not in self.fields:
            data["preferred_mentees"] = self.scheme.mentor_capacity_min
        return data

    def person_details(self) -> dict:
        details = {k: v for k, v in self.cleaned_data.items() if k in PERSON_FIELDS}
        if self.role == ParticipantRole.MENTOR:
            details["clinical_sessions_per_week"] = self.cleaned_data["clinical_sessions_per_week"]
        return details

    def submit(self, *, user: User) -> Application | None:
        """Apply through the service; a refusal becomes an error on this form (None returned)."""
        try:
            if self.person is None:
                return services.apply_as_new_person(
                    user=user,
                    details=self.person_details(),
                    scheme=self.scheme,
                    role=self.role,
                    answers=self.answers(),
                )
            return services.submit_application(
                person=self.person, scheme=self.scheme, role=self.role, answers=self.answers()
            )
        except SchemeError as refusal:
            self.add_error(
                refusal.field if refusal.field in self.fields else None,
                forms.ValidationError(self._refusal_message(refusal), code=str(refusal.code)),
            )
            return None

    def _refusal_message(self, refusal: SchemeError) -> str:
        if refusal.code == SchemeRefusal.ALREADY_ENROLLED:
            # The service's wording is written for coordinators ("<name> is already enrolled…").
            role = ParticipantRole(self.role).label.lower()
            return f"You are already enrolled on {self.scheme} as a {role}."
        return refusal.message
