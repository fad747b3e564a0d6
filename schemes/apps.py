from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "schemes"
    verbose_name = "Schemes and enrolment"

    def ready(self):
        from mentoring.demo import register_demo_step
        from mentoring.imports import register_importer
        from mentoring.models import Role
        from mentoring.reminders import set_scheme_scope
        from mentoring.roles import grant_group_permissions
        from mentoring.scoping import extend_people_scope
        from schemes import audit, demo, notification_kinds, reminders  # noqa: F401  (registers)
        from schemes.imports import EnrolmentImporter
        from schemes.scoping import scheme_participants
        from schemes.selectors import slugs_visible_to

        extend_people_scope(scheme_participants)
        set_scheme_scope(slugs_visible_to)
        register_importer(EnrolmentImporter)
        register_demo_step(demo.STEP)
        grant_group_permissions(
            Role.COORDINATOR,
            {
                "schemes.scheme": ["view", "add", "change"],
                "schemes.cohort": ["view", "add", "change", "delete"],
                "schemes.intake": ["view", "add", "change", "delete"],
                "schemes.eligibilityrule": ["view", "add", "change", "delete"],
                "schemes.application": ["view", "change"],
                "schemes.enrolment": ["view", "change"],
                "schemes.eligibilitycheck": ["view"],
                "schemes.reminderplan": ["view", "add", "change"],
            },
        )
        from schemes import privacy  # noqa: F401  (registers its part of data rights)
