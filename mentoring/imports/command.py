from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mentoring.imports import IMPORTERS, run_import


class ImportCommand(BaseCommand):
    """``manage.py import_<kind> FILE.csv``: all-or-nothing; every bad row on stderr; exit 1."""

    kind: str

    def create_parser(self, prog_name, subcommand, **kwargs):
        columns = ",".join(IMPORTERS[self.kind].columns)
        self.help = f"Import {self.kind} from a CSV file with the columns {columns}."
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8, with a header row)")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        result = run_import(self.kind, path)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(result.summary())
        self.stdout.write(result.summary())
