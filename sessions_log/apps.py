from django.apps import AppConfig


class SessionsLogConfig(AppConfig):
    name = "sessions_log"
    verbose_name = "Sessions and forms"

    def ready(self):
        # --- sessions: notification kinds, the employer confirmation on a new mentorship,
        # coordinators' permissions ------------------------------------------------------------
        from django.db.models.signals import post_save

        from matching.models import Mentorship
        from mentoring.models import Role
        from mentoring.roles import grant_group_permissions
        from sessions_log import (  # noqa: F401  (registers kinds, jobs and the audit trail)
            audit,
            notification_kinds,
            reminders,
            services,
            weekly_digest,
        )

        post_save.connect(
            services.mentorship_saved,
            sender=Mentorship,
            dispatch_uid="sessions-log-mentorship-saved",
        )
        grant_group_permissions(
            Role.COORDINATOR,
            {
                "sessions_log.mentoringsession": ["view", "change"],
                "sessions_log.attendance": ["view"],
                "sessions_log.employerconfirmation": ["view"],
            },
        )
        # --- end of sessions ------------------------------------------------------------------
        # --- form templates: coordinators' permissions, the defaults put back after a flush ---
        from django.db.models.signals import post_migrate

        from mentoring.models import Role
        from mentoring.roles import grant_group_permissions
        from sessions_log.default_templates import install_after_migrate

        post_migrate.connect(
            install_after_migrate, sender=self, dispatch_uid="sessions-log-default-templates"
        )
        grant_group_permissions(
            Role.COORDINATOR, {"sessions_log.formtemplate": ["view", "add", "change"]}
        )
        # --- end of form templates ------------------------------------------------------------
        # --- form responses: notification kinds, the baseline survey on a new enrolment (a
        # post_save of schemes.Enrolment with created=True), the end-of-programme survey when
        # someone completes, the end feedback / development plan when a mentorship ends,
        # coordinators' permission to see (never change) responses --------------------------
        from schemes.models import Enrolment
        from schemes.signals import enrolment_left
        from sessions_log import responses

        responses.register_notification_kinds()
        post_save.connect(
            responses.enrolment_saved,
            sender=Enrolment,
            dispatch_uid="sessions-log-baseline-survey",
        )
        post_save.connect(
            responses.mentorship_saved,
            sender=Mentorship,
            dispatch_uid="sessions-log-mentorship-ended-forms",
        )
        enrolment_left.connect(responses.enrolment_left, dispatch_uid="sessions-log-end-survey")
        grant_group_permissions(Role.COORDINATOR, {"sessions_log.formresponse": ["view"]})
        # --- end of form responses ------------------------------------------------------------
        from sessions_log import privacy  # noqa: F401  (registers its part of data rights)
