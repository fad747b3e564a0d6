"""STUB — owned by the front-end helper."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse


class LoginView(auth_views.LoginView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    pass


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    pass


def register(request):
    return HttpResponse("stub")


def verify_email(request, token):
    return HttpResponse("stub")


def accept_invitation(request, token):
    return HttpResponse("stub")
