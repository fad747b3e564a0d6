from django.urls import include, path

urlpatterns = [
    path("", include("sessions_log.urls_sessions")),
    path("", include("sessions_log.urls_forms")),
]
