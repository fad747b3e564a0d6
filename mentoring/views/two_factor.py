"""The two-factor pages: enter a code after the password, set up an authenticator app, backup
codes, and confirming it is you (password and a code) before a sensitive action.

``next`` (checked to be on this site) is carried through every step in the query string: the
forms post back to their own address, query string included.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from mentoring import two_factor
from mentoring.forms import form_helper

NEW_CODES_SESSION_KEY = "two_factor_new_backup_codes"


def code_field(*, backup_allowed: bool) -> forms.CharField:
    hint = "The 6-digit code your authenticator app shows now"
    return forms.CharField(
        label="Code",
        max_length=20,
        help_text=f"{hint}, or one of your backup codes" if backup_allowed else hint,
        error_messages={"required": "Enter the code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "nhsuk-input--width-10",
            }
        ),
    )


class CodeForm(forms.Form):
    def __init__(self, *args, backup_allowed: bool = True, submit_label: str = "Continue", **kw):
        super().__init__(*args, **kw)
        self.fields["code"] = code_field(backup_allowed=backup_allowed)
        self.helper = form_helper(submit_label)


class ConfirmForm(forms.Form):
    """The password and a code again: someone at an unlocked, unattended computer has neither."""

    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["code"] = code_field(backup_allowed=True)
        self.helper = form_helper("Confirm")
        self.device = None

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        same = authenticate(self.request, username=user.get_username(), password=password)
        if same is None or same.pk != user.pk:
            raise forms.ValidationError("The password is not right")
        return password

    def clean(self):
        cleaned = super().clean()
        if "password" in cleaned and "code" in cleaned:
            try:
                self.device = two_factor.verify(user=self.request.user, code=cleaned["code"])
            except two_factor.TwoFactorError as refusal:
                self.add_error("code", refusal.message)
        return cleaned


def _to_setup(request, next_url: str):
    return redirect(two_factor.with_next("two_factor_setup", next_url))


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """After the password: a code from the app, or a backup code."""
    next_url = two_factor.safe_next(request)
    if two_factor.is_verified(request):
        return redirect(next_url)
    if not two_factor.has_app(request.user):
        return _to_setup(request, next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.verify(user=request.user, code=form.cleaned_data["code"])
        except two_factor.TwoFactorError as refusal:
            form.add_error("code", refusal.message)
        else:
            two_factor.mark_verified(request, device)
            return redirect(next_url)
    return render(request, "two_factor/verify.html", {"form": form})


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up an authenticator app: scan the QR code or type the secret, then enter a code."""
    next_url = two_factor.safe_next(request)
    if two_factor.has_app(request.user):
        if not two_factor.is_verified(request):
            return redirect(two_factor.with_next("two_factor_verify", next_url))
        return render(request, "two_factor/already_set_up.html", {"next_url": next_url})
    device = two_factor.start_enrolment(user=request.user)
    form = CodeForm(request.POST or None, backup_allowed=False, submit_label="Confirm")
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_enrolment(device=device, code=form.cleaned_data["code"])
        except two_factor.TwoFactorError as refusal:
            form.add_error("code", refusal.message)
        else:
            two_factor.mark_verified(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            return redirect(two_factor.with_next("two_factor_backup_codes", next_url))
    return render(
        request,
        "two_factor/setup.html",
        {
            "form": form,
            "secret": two_factor.secret_of(device),
            "qr_code": mark_safe(two_factor.qr_code_svg(device)),  # noqa: S308  # nosec B308 B703 -- an SVG of paths that qrcode drew here, no text from anyone
            "required": two_factor.required_for(request.user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@two_factor.require_recent_verification(methods=("POST",), again="make new codes")
def backup_codes(request):
    """New backup codes are shown once; afterwards only how many are left, and a way to replace them."""
    if not two_factor.has_app(request.user):
        return _to_setup(request, two_factor.safe_next(request))
    if request.method == "POST":
        codes = two_factor.regenerate_backup_codes(user=request.user)
        messages.success(request, "Your new backup codes are below. The old ones no longer work.")
    else:
        codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    return render(
        request,
        "two_factor/backup_codes.html",
        {
            "codes": codes,
            "left": two_factor.backup_codes_left(request.user),
            "next_url": two_factor.safe_next(request),
        },
    )


@sensitive_post_parameters("password", "code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def confirm(request):
    """Confirm it is you (password and a code) before approving, exporting or changing roles."""
    next_url = two_factor.safe_next(request)
    if not two_factor.has_app(request.user):
        return _to_setup(request, next_url)
    form = ConfirmForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        two_factor.mark_verified(request, form.device)
        return redirect(next_url)
    return render(request, "two_factor/confirm.html", {"form": form})
