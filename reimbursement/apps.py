from django.apps import AppConfig


class ReimbursementConfig(AppConfig):
    name = "reimbursement"
