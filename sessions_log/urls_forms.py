"""Pages for forms: a mentorship's forms, new, edit, read, share; surveys; my reflections."""

from django.urls import path

from sessions_log import views_forms as views

urlpatterns = [
    path(
        "mentorships/<int:mentorship_id>/forms/",
        views.mentorship_forms,
        name="mentorship_forms",
    ),
    path(
        "mentorships/<int:mentorship_id>/forms/<str:kind>/new/",
        views.form_response_new,
        name="form_response_new",
    ),
    path("forms/<int:pk>/", views.form_response_detail, name="form_response_detail"),
    path("forms/<int:pk>/edit/", views.form_response_edit, name="form_response_edit"),
    path("forms/<int:pk>/share/", views.form_response_share, name="form_response_share"),
    path(
        "surveys/<int:enrolment_id>/<str:kind>/",
        views.survey_response,
        name="survey_response",
    ),
    path("my-reflections/", views.my_reflections, name="my_reflections"),
    path("my-reflections/pdf/", views.my_reflections_pdf, name="my_reflections_pdf"),
]
