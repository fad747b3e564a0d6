from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching and mentorships"

    def ready(self):
        from django.db.models.signals import post_save

        from matching import audit, demo, notification_kinds, receivers, reminders  # noqa: F401
        from mentoring.demo import register_demo_step
        from mentoring.models import Role, WorkingRelationship
        from mentoring.roles import grant_group_permissions
        from schemes.signals import enrolment_left, enrolment_paused

        post_save.connect(
            receivers.relationship_saved,
            sender=WorkingRelationship,
            dispatch_uid="matching-relationship-saved",
        )
        enrolment_paused.connect(receivers.enrolment_changed, dispatch_uid="matching-paused")
        enrolment_left.connect(receivers.enrolment_changed, dispatch_uid="matching-left")
        register_demo_step(demo.STEP)
        grant_group_permissions(
            Role.COORDINATOR,
            {
                "matching.matchingpolicy": ["view", "add", "change"],
                "matching.matchinground": ["view", "add", "change"],
                "matching.proposal": ["view", "change"],
                "matching.mentorship": ["view", "add", "change"],
                "matching.mentorshipmember": ["view"],
                "matching.conflictflag": ["view", "change"],
                "matching.rematchrequest": ["view", "change"],
                "matching.mentorpreference": ["view"],
            },
        )
        from matching import privacy  # noqa: F401  (registers its part of data rights)
