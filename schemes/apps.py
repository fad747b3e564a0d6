from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "schemes"
    verbose_name = "Schemes and enrolment"

    def ready(self):
        from mentoring.demo import register_demo_step
        from mentoring.scoping import extend_people_scope
        from schemes import demo, notification_kinds  # noqa: F401  (registers the kinds)
        from schemes.scoping import scheme_participants

        extend_people_scope(scheme_participants)
        register_demo_step(demo.STEP)
