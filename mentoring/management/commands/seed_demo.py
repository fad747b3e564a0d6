from django.core.management.base import BaseCommand

from mentoring.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Build a realistic demo ICS (deterministic) and print one login per role."

    def handle(self, *args, **options):
        summary = seed_demo()
        verb = "Built" if summary.created else "Already present:"
        counts = ", ".join(f"{n} {label}" for label, n in summary.counts.items())
        self.stdout.write(f"{verb} demo data — {counts}.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for login in summary.logins:
            self.stdout.write(f"  {login.role:<12} {login.email:<36} {login.note}")
