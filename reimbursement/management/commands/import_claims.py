from mentoring.imports.command import ImportCommand


class Command(ImportCommand):
    kind = "claims"
