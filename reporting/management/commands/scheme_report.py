"""``python manage.py scheme_report --scheme SLUG --from YYYY-MM-DD --to YYYY-MM-DD --format
csv|xlsx|pdf --output FILE``: the monitoring return and evaluation of a scheme, as the report pages
download them.

Everything is checked and the whole file built before anything is written, then it is moved into
place in one step: bad input or a failure leaves no file, not even an empty one.
"""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting import exports, periods
from schemes.models import Scheme


def write_whole(path: Path, content: bytes) -> None:
    """``content`` into ``path`` through a temporary file beside it, renamed over it when whole."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Write a scheme's monitoring return and evaluation for a period as CSV, XLSX or a PDF "
        "report (cover, figures with their definitions, charts, ledger)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scheme", required=True, help="the scheme's slug")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--format", required=True, help="csv, xlsx or pdf")
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args, **options):
        format = options["format"].strip().lower()
        if format not in exports.FORMATS:
            raise CommandError(f"Unknown format “{options['format']}”: choose csv, xlsx or pdf.")
        try:
            period = periods.parse(options["start"], options["end"])
        except periods.PeriodError as error:
            raise CommandError(f"--{error.field}: {error.message}") from None
        scheme = Scheme.objects.select_related("owner").filter(slug=options["scheme"]).first()
        if scheme is None:
            raise CommandError(f"No scheme has the slug “{options['scheme']}”.")
        output = Path(options["output"])
        if output.is_dir():
            raise CommandError(f"--output: {output} is a folder; give the name of a file.")
        if not output.parent.is_dir():
            raise CommandError(f"--output: there is no folder {output.parent} to write into.")

        content = exports.file_content(scheme, period, format)
        try:
            write_whole(output, content)
        except OSError as error:
            raise CommandError(f"--output: could not write {output}: {error.strerror}.") from None
        self.stdout.write(
            f"{scheme.name}, {period.label}: {format.upper()} written to {output} "
            f"({len(content):,} bytes)."
        )
