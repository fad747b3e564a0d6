import json

from django.core.management.base import BaseCommand, CommandError

from mentoring.models import Organisation
from reimbursement import runs, selectors
from reimbursement.errors import ReimbursementError


class Command(BaseCommand):
    help = (
        "Build (or bring up to date) the draft payment run of a month: for one paying "
        "organisation, or for every one. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month paid, as YYYY-MM")
        parser.add_argument("--organisation", help="the paying organisation's code")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, month, organisation, format, **options):
        try:
            period = runs.parse_month(month)
            payer = None
            if organisation:
                payer = Organisation.objects.filter(code__iexact=organisation).first()
                if payer is None:
                    raise CommandError(f"No organisation has the code {organisation}.")
                if not runs.paying_organisations().filter(pk=payer.pk).exists():
                    raise CommandError(f"{payer.name} pays no scheme's mentors.")
            outcomes = runs.build_month(period=period, organisation=payer)
        except ReimbursementError as refusal:
            raise CommandError(refusal.message) from refusal
        summaries = [selectors.run_summary(o.run, created=o.created) for o in outcomes]
        if format == "json":
            self.stdout.write(json.dumps(summaries[0] if payer else summaries, indent=2))
            return
        if not summaries:
            self.stdout.write("No organisation pays mentors: nothing to build.")
        for summary in summaries:
            state = "created" if summary["created"] else "already there"
            self.stdout.write(
                f"{summary['run']} ({summary['status']}, {state}): "
                f"{len(summary['lines'])} lines, £{summary['total_amount']}"
            )
