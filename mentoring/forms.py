"""Account forms: signing in, registering, choosing a password, asking for a reset link.

Messages follow the NHS.UK style ("Enter your email address"), and nothing a form says reveals
whether an address has an account.
"""

import datetime
import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.utils import timezone

from mentoring.email_limits import may_send_account_email
from mentoring.models import NotificationPreference, User
from mentoring.notifications import notify

INVALID_LOGIN = "Enter a correct email address and password"
MISMATCH_MESSAGE = "The passwords do not match"


def form_helper(submit_label: str) -> FormHelper:
    """A helper for pages that put the error summary above their h1 themselves."""
    helper = FormHelper()
    helper.add_input(Submit("continue", submit_label))
    helper.show_error_summary = False
    return helper


def password_hint() -> str:
    """The password rules in plain words, from the validators actually configured."""
    min_length = next(
        (
            validator.min_length
            for validator in password_validation.get_default_password_validators()
            if isinstance(validator, MinimumLengthValidator)
        ),
        None,
    )
    length = f"Use at least {min_length} characters. " if min_length else ""
    return (
        f"{length}Do not use a common password, only numbers, or something close to your name "
        "or email address."
    )


def email_field(**kwargs) -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        **kwargs,
    )


def new_password_fields(label1: str, label2: str) -> tuple[forms.CharField, forms.CharField]:
    password1 = forms.CharField(
        label=label1,
        strip=False,
        error_messages={"required": "Enter a password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=label2,
        strip=False,
        error_messages={"required": "Enter the password again"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    return password1, password2


class NewPasswordMixin:
    """Checks a new password typed twice.

    The validators' messages go by the first box, where the password is chosen; a mismatch goes
    by the second. (Django puts both by the second, which points people at the wrong box.)
    """

    password_fields = ("password1", "password2")

    def set_password_hint(self):
        self.fields[self.password_fields[0]].help_text = password_hint()

    def check_new_password(self, user: User) -> None:
        name1, name2 = self.password_fields
        password1 = self.cleaned_data.get(name1)
        password2 = self.cleaned_data.get(name2)
        if password1:
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error(name1, error)
        if password1 and password2 and password1 != password2:
            self.add_error(name2, forms.ValidationError(MISMATCH_MESSAGE, code="mismatch"))


class LoginForm(auth_forms.AuthenticationForm):
    """E-mail and password. Every failure gets the same message, so it never says which was wrong."""

    username = email_field()
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": INVALID_LOGIN,
        "inactive": INVALID_LOGIN,
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.helper = form_helper("Sign in")


class RegistrationForm(NewPasswordMixin, forms.Form):
    """Self-registration: the account stays inactive until the address is confirmed."""

    email = email_field(
        help_text="Use your work email address. We will send a link to it to confirm it is yours."
    )
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        error_messages={"required": "Enter your first name"},
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        error_messages={"required": "Enter your last name"},
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    password1, password2 = new_password_fields("Create a password", "Confirm your password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_password_hint()
        self.helper = form_helper("Create account")

    def clean(self):
        cleaned = super().clean()
        # An unsaved user lets the similarity validator compare the password with the name and
        # address; the account itself is created by the service, not here.
        candidate = User(
            email=cleaned.get("email", ""),
            first_name=cleaned.get("first_name", ""),
            last_name=cleaned.get("last_name", ""),
        )
        self.check_new_password(candidate)
        return cleaned


class SetPasswordForm(NewPasswordMixin, auth_forms.SetPasswordForm):
    """Choosing a password from an invitation or a reset link.

    ``save`` is Django's (used by the reset view); the invitation view calls its service instead.
    """

    password_fields = ("new_password1", "new_password2")
    new_password1, new_password2 = new_password_fields("New password", "Confirm new password")

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.set_password_hint()
        self.helper = form_helper("Save password")
        # The page draws the <form> tag, with a hidden username field so password managers
        # save the new password against the right account.
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = forms.Form.clean(self)
        self.check_new_password(self.user)
        return cleaned


def _same_address(a: str, b: str) -> bool:
    """Django's comparison for reset addresses: Unicode-normalised and case-folded."""
    return (
        unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Sends the reset link as a Notification, so it is recorded, retried and sent at most once.

    People who were invited but never set a password may use it too: the link proves they own
    the mailbox, and the reset confirm view then marks their invitation accepted.
    """

    email = email_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("Send reset link")

    def get_users(self, email):
        candidates = User._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in candidates if _same_address(email, user.email))

    def save(self, **kwargs):
        """Same outcome whether or not the address has an account, or has had its hour's share
        of account e-mails (``mentoring.email_limits``): the view always says "sent"."""
        email = self.cleaned_data["email"]
        for user in self.get_users(email):
            if not may_send_account_email(user):
                continue
            notify(
                kind="password_reset",
                recipient=user,
                about=user,
                period=timezone.now().isoformat(),
            )


class DateInput(forms.MultiWidget):
    """Day, month and year in three boxes: the NHS.UK date input pattern.

    The crispy pack draws the three boxes itself; rendered outside it, they are plain text inputs.
    """

    def __init__(self, attrs=None):
        number = {"inputmode": "numeric"}
        widgets = {
            "day": forms.TextInput({**number, "autocomplete": "off"}),
            "month": forms.TextInput({**number, "autocomplete": "off"}),
            "year": forms.TextInput({**number, "autocomplete": "off"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value.count("-") == 2:
            # What was typed, from value_from_datadict, without the ISO zero padding.
            year, month, day = (
                str(int(part)) if part.isdigit() else part for part in value.split("-")
            )
            return [day, month, year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        day, month, year = (
            (data.get(f"{name}_{part}") or "").strip() for part in ("day", "month", "year")
        )
        if not (day or month or year):
            return None
        try:
            return datetime.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            # Keep what was typed, so the field's "Enter a real date" error shows it again.
            return f"{year}-{month}-{day}"


class DateField(forms.DateField):
    """A date typed as day, month and year, with NHS.UK wording for its errors."""

    widget = DateInput

    default_error_messages = {"invalid": "Enter a real date, like 27 3 2024"}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)


class NotificationSettingsForm(forms.Form):
    """Which optional messages a person wants e-mailed, and whether one by one or once a day."""

    delivery = forms.ChoiceField(
        label="How should we e-mail your reminders?",
        choices=NotificationPreference.Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how we should e-mail your reminders"},
    )
    wanted = forms.MultipleChoiceField(
        label="Which reminders should we e-mail you?",
        help_text="Untick the ones you do not want by e-mail. They will still be listed on your "
        "notifications page. Messages about your account and decisions about you are always "
        "e-mailed.",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, preference: NotificationPreference, kinds, **kwargs):
        codes = [kind.code for kind in kinds]
        initial = {
            "delivery": preference.delivery,
            "wanted": [code for code in codes if code not in preference.muted],
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.codes = codes
        self.fields["wanted"].choices = [(kind.code, kind.label or kind.subject) for kind in kinds]
        if not kinds:
            del self.fields["wanted"]
        self.helper = form_helper("Save settings")

    def muted(self) -> list[str]:
        wanted = set(self.cleaned_data.get("wanted", []))
        return [code for code in self.codes if code not in wanted]
