from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mentoring.views import (
    accounts,
    health,
    home,
    media,
    notifications,
    privacy,
    two_factor,
    viewed,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("me/", home.my_details, name="my_details"),
    path("me/data/", privacy.my_data, name="my_data"),
    path("me/data.json", privacy.my_data_json, name="my_data_json"),
    path("me/data.pdf", privacy.my_data_pdf, name="my_data_pdf"),
    path("me/viewed/", viewed.my_record_views, name="my_record_views"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/register/", accounts.register, name="register"),
    path("accounts/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path(
        "accounts/two-factor/backup-codes/",
        two_factor.backup_codes,
        name="two_factor_backup_codes",
    ),
    path("accounts/two-factor/confirm/", two_factor.confirm, name="two_factor_confirm"),
    path("accounts/verify/<str:token>/", accounts.verify_email, name="verify_email"),
    path("invitation/<str:token>/", accounts.accept_invitation, name="accept_invitation"),
    path(
        "accounts/password-reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("media/<path:path>", media.protected_media, name="protected_media"),
    path("admin/", admin.site.urls),
    path("", include("schemes.urls")),
    path("", include("matching.urls")),
    path("", include("sessions_log.urls")),
    path("", include("reimbursement.urls")),
    path("", include("reporting.urls")),
]
