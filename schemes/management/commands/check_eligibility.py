import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from mentoring.models import Person
from mentoring.models.accounts import normalise_email
from schemes.models import ParticipantRole, Scheme
from schemes.services import verdict_in_context


class Command(BaseCommand):
    help = "Check a person against a scheme's eligibility rules, today or on a given date."

    def add_arguments(self, parser):
        parser.add_argument("--scheme", required=True, help="the scheme's slug")
        parser.add_argument("--email", required=True, help="the person's e-mail address")
        parser.add_argument(
            "--role", choices=ParticipantRole.values, default=ParticipantRole.MENTOR
        )
        parser.add_argument(
            "--on", dest="on_date", help="the date to check on, YYYY-MM-DD (default today)"
        )
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options):
        scheme = Scheme.objects.filter(slug=options["scheme"]).first()
        if scheme is None:
            raise CommandError(f"No scheme has the slug “{options['scheme']}”.")
        email = normalise_email(options["email"])
        person = Person.objects.filter(user__email=email).first()
        if person is None:
            raise CommandError(f"Nobody on the register has the email address “{email}”.")
        on_date = None
        if options["on_date"]:
            try:
                on_date = datetime.date.fromisoformat(options["on_date"])
            except ValueError as exc:
                raise CommandError(
                    f"--on: “{options['on_date']}” is not a date like 2026-04-01."
                ) from exc
        verdict = verdict_in_context(
            person=person, scheme=scheme, role=options["role"], on_date=on_date
        )
        if options["format"] == "json":
            payload = {
                "eligible": verdict.eligible,
                "rules": [
                    {
                        "code": r.code,
                        "result": str(r.outcome),
                        "severity": r.severity,
                        "reason": r.reason,
                    }
                    for r in verdict.rules
                ],
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        self.stdout.write(
            f"{person.full_name} as {options['role']} on {scheme.name}: {verdict.summary()}"
        )
        for r in verdict.rules:
            self.stdout.write(f"  [{r.outcome}] ({r.severity}) {r.title}: {r.reason}")
