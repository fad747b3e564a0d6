from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "People register"

    def ready(self):
        from django.db.models.signals import post_migrate

        from mentoring import notification_kinds  # noqa: F401  (registers the kinds)
        from mentoring.roles import sync_staff_groups

        post_migrate.connect(sync_staff_groups, dispatch_uid="mentoring.sync_staff_groups")
