from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "People register"

    def ready(self):
        from mentoring import notification_kinds  # noqa: F401  (registers the kinds)
