from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Monitoring returns, evaluation, charts and report exports: reads every app, writes none of
    their data, and nothing imports it (the top of the dependency chain)."""

    name = "reporting"
    verbose_name = "Reports"

    def ready(self):
        from reporting import notification_kinds, reminders  # noqa: F401  (registers)
