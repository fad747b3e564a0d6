import json

from django.core.management.base import BaseCommand, CommandError

from matching.rounds import run_round
from schemes.models import Scheme


class Command(BaseCommand):
    help = (
        "Match a scheme's unmatched mentees with its available mentors: saves a round of "
        "proposals for coordinators to review (or, with --dry-run, only prints it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scheme", required=True, help="the scheme's slug")
        parser.add_argument("--dry-run", action="store_true", help="print the result, save nothing")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options):
        scheme = Scheme.objects.filter(slug=options["scheme"]).first()
        if scheme is None:
            raise CommandError(f"No scheme has the slug “{options['scheme']}”.")
        outcome = run_round(scheme, dry_run=options["dry_run"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(outcome.as_json(), indent=2))
            return
        where = "dry run, nothing saved" if outcome.round is None else f"round {outcome.round.pk}"
        self.stdout.write(
            f"{scheme}: {outcome.matched} matched, {len(outcome.unmatched)} unmatched ({where}); "
            f"total score {outcome.total_score:g} (greedy would give {outcome.greedy_score:g} "
            f"matching {outcome.greedy_matched})."
        )
        for email in outcome.unmatched:
            self.stdout.write(f"  unmatched: {email}")
