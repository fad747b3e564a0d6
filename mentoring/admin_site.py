from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import path


def _import_view(request):
    from mentoring.imports.admin_view import import_view

    return import_view(request)


def _scheduled_jobs_view(request):
    from mentoring.admin_jobs import scheduled_jobs_view

    return scheduled_jobs_view(request)


class MentoringAdminSite(admin.AdminSite):
    """The coordinators' admin, with the register's bulk import page beside the model pages."""

    site_header = "Mentoring schemes administration"
    site_title = "Mentoring schemes admin"
    index_title = "Coordinators' admin"

    def get_urls(self):
        return [
            path("mentoring/import/", self.admin_view(_import_view), name="mentoring_import"),
            path(
                "mentoring/jobs/",
                self.admin_view(_scheduled_jobs_view),
                name="mentoring_scheduled_jobs",
            ),
            *super().get_urls(),
        ]


class MentoringAdminConfig(AdminConfig):
    default_site = "mentoring.admin_site.MentoringAdminSite"

    def ready(self):
        super().ready()
        from mentoring import admin_axes  # noqa: F401  (sign-in lockouts, for superusers)
