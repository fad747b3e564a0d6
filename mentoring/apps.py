from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "People register"

    def ready(self):
        from django.db.models.signals import post_migrate

        from mentoring import audit_changes, notification_kinds  # noqa: F401  (registers)
        from mentoring.audit import connect_receivers

        connect_receivers()
        from mentoring import session_limits  # noqa: F401  (stamps the sign-in time)
        from mentoring.roles import sync_staff_groups

        post_migrate.connect(sync_staff_groups, dispatch_uid="mentoring.sync_staff_groups")
        from mentoring import privacy  # noqa: F401  (registers its part of data rights)
