from django.urls import path

from reporting import views

urlpatterns = [
    path("reports/", views.reports_home, name="reports_home"),
    path("reports/<slug:slug>/", views.scheme_report, name="scheme_report"),
    path("reports/<slug:slug>/evaluation/", views.scheme_evaluation, name="scheme_evaluation"),
    path(
        "reports/<slug:slug>/records/<str:code>/",
        views.figure_records,
        name="scheme_figure_records",
    ),
    path(
        "reports/<slug:slug>/report.<str:format>",
        views.scheme_report_download,
        name="scheme_report_download",
    ),
]
