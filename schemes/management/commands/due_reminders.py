import datetime
import json
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mentoring.reminders import due
from schemes.models import Scheme

LONDON = ZoneInfo("Europe/London")


def parse_moment(text: str) -> datetime.datetime:
    """``YYYY-MM-DDTHH:MM`` in UK local time (Europe/London, with summer time)."""
    try:
        moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise CommandError(
            f"--at {text!r} is not a moment: give it as YYYY-MM-DDTHH:MM, UK time, "
            "e.g. 2026-12-07T09:30."
        ) from None
    return moment.replace(tzinfo=LONDON)


class Command(BaseCommand):
    help = (
        "List the reminders that would be sent at a moment (UK time; now by default), for every "
        "scheme or one, without sending anything or changing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", help="the moment, as YYYY-MM-DDTHH:MM in UK local time")
        parser.add_argument("--scheme", help="only this scheme (its short name, the slug)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, at, scheme, format, **options):
        moment = parse_moment(at) if at else timezone.now()
        if scheme is not None and not Scheme.objects.filter(slug=scheme).exists():
            raise CommandError(f"No scheme has the short name {scheme!r}.")
        reminders = due(moment, scheme=scheme)
        if format == "json":
            self.stdout.write(json.dumps([r.as_json() for r in reminders], indent=2))
            return
        when = timezone.localtime(moment).strftime("%d %B %Y at %H:%M")
        if not reminders:
            self.stdout.write(f"Nothing would be sent on {when}.")
            return
        self.stdout.write(f"{len(reminders)} reminder(s) would be sent on {when}:")
        for reminder in reminders:
            self.stdout.write(f"  {reminder.kind} → {reminder.recipient.email} ({reminder.key})")
