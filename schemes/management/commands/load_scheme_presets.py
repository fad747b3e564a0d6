from django.core.management.base import BaseCommand, CommandError

from mentoring.models import Organisation
from schemes.presets import load_presets


class Command(BaseCommand):
    help = (
        "Create, for an ICS, the GP Supporting Mentors Scheme, PA preceptorship mentoring and "
        "pharmacist IP mentoring schemes with the source documents' rules. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="the owning organisation's code")

    def handle(self, *args, **options):
        code = options["organisation"].strip().upper()
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            raise CommandError(f"No organisation has the code “{code}”.")
        for scheme, created in load_presets(organisation=organisation):
            state = "created" if created else "already present, left as it is"
            self.stdout.write(f"{scheme.slug}: {state}")
