"""Apply the retention periods now (the daily "apply-retention" job does the same), or with
``--dry-run`` only say what would go."""

from django.core.management.base import BaseCommand

from mentoring import privacy


class Command(BaseCommand):
    help = "Removes data older than its retention period (settings.RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say what would be removed; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            report = privacy.apply_retention(dry_run=True)
        else:
            _, report = privacy.run_retention_job()
        for line in report.lines():
            self.stdout.write(line)
