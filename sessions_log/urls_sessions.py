from django.urls import path

from sessions_log import views_sessions as views

urlpatterns = [
    path("mentorships/<int:pk>/sessions/", views.mentorship_sessions, name="mentorship_sessions"),
    path("mentorships/<int:pk>/sessions/plan/", views.session_plan, name="session_plan"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/change/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/log/", views.session_log, name="session_log"),
    path("sessions/<int:pk>/record/", views.session_record, name="session_record"),
    path("sessions/<int:pk>/actions/new/", views.session_action_new, name="session_action_new"),
    path("sessions/actions/<int:pk>/done/", views.session_action_done, name="session_action_done"),
    path(
        "sessions/<int:pk>/private-notes/", views.session_private_note, name="session_private_note"
    ),
    path("sessions/<int:pk>/lock/", views.session_lock, name="session_lock"),
    path("sessions/<int:pk>/unlock/", views.session_unlock, name="session_unlock"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("sessions/<int:pk>/calendar.ics", views.session_calendar, name="session_calendar"),
    path(
        "employer-confirmations/<int:pk>/",
        views.employer_confirmation,
        name="employer_confirmation",
    ),
]
