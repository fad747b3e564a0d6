from django.apps import AppConfig


class ReimbursementConfig(AppConfig):
    name = "reimbursement"
    verbose_name = "Claims and payments"

    def ready(self):
        from mentoring.demo import register_demo_step
        from mentoring.imports import register_importer
        from mentoring.models import Role
        from mentoring.roles import grant_group_permissions
        from reimbursement import audit, demo, notification_kinds, reminders  # noqa: F401  (registers)
        from reimbursement.imports import ClaimImporter

        register_importer(ClaimImporter)
        register_demo_step(demo.STEP)
        grant_group_permissions(
            Role.COORDINATOR,
            {
                "reimbursement.claim": ["view", "change"],
                "reimbursement.budgetallocation": ["view"],
                "schemes.ratecard": ["view"],
                "schemes.rate": ["view"],
            },
        )
        grant_group_permissions(
            Role.FINANCE,
            {
                "reimbursement.claim": ["view"],
                "reimbursement.paymentrun": ["view", "change"],
                "reimbursement.paymentline": ["view"],
                "reimbursement.adjustment": ["view", "add"],
                "reimbursement.budgetallocation": ["view", "add", "change"],
                "schemes.ratecard": ["view", "add", "change"],
                "schemes.rate": ["view", "add", "change"],
            },
        )
        from reimbursement import privacy  # noqa: F401  (registers its part of data rights)
