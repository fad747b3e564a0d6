"""Signing in and getting an account: login, self-registration, e-mail verification,
invitations and password reset.

None of these pages says whether an address has an account, and no password is ever e-mailed:
every route sends a signed, expiring link (see ``mentoring.invitations`` and ``mentoring.tokens``).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from mentoring import invitations
from mentoring.email_limits import may_send_account_email
from mentoring.forms import LoginForm, PasswordResetForm, RegistrationForm, SetPasswordForm
from mentoring.models import User
from mentoring.models.accounts import normalise_email

REGISTRATION_EMAIL_KEY = "registration_email"


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def locked_out(request, original_response=None, credentials=None):
    """The page django-axes answers with once sign-in is locked (``AXES_LOCKOUT_CALLABLE``).

    It reads the same whichever address was typed, known or not, so it tells nobody who has
    an account; 429 says the same to a script.
    """
    response = render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": settings.AXES_COOLOFF_MINUTES},
        status=429,
    )
    add_never_cache_headers(response)
    return response


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def register(request):
    """Create an account; the "check your email" page is the same whether or not it already existed."""
    if request.user.is_authenticated:
        return redirect("home")
    if "sent" in request.GET:
        return render(
            request,
            "registration/register_sent.html",
            {"email": request.session.get(REGISTRATION_EMAIL_KEY, "")},
        )
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        existing = User.objects.filter(email=normalise_email(form.cleaned_data["email"])).first()
        if existing is not None and not may_send_account_email(existing):
            # Over the hour's cap: nothing is sent or changed, in the time a registration takes.
            User().set_password(form.cleaned_data["password1"])
        else:
            invitations.register(
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        request.session[REGISTRATION_EMAIL_KEY] = form.cleaned_data["email"]
        return redirect(reverse("register") + "?sent")
    return render(
        request,
        "registration/register.html",
        {"form": form, "link_days": settings.EMAIL_VERIFICATION_TIMEOUT_DAYS},
    )


@never_cache
@require_http_methods(["GET"])
def verify_email(request, token):
    user = invitations.verify_email(token)
    return render(request, "registration/verify_email.html", {"verified": user is not None})


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    """Choose a password from a coordinator's invitation, then go straight in."""
    user = invitations.invitation_user(token)
    if user is None:
        return render(request, "registration/invitation_invalid.html")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitations.accept_invitation(user=user, password=form.cleaned_data["new_password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your password is set and you are signed in.")
        return redirect("home")
    return render(
        request, "registration/accept_invitation.html", {"form": form, "invited_user": user}
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, but the e-mail goes out as a Notification (see the form)."""

    form_class = PasswordResetForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password from a reset link; for an invited person it also accepts the invitation."""

    form_class = SetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        invitations.mark_invitation_accepted(form.user)
        return response
