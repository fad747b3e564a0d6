"""Bulk import of the people register from spreadsheets (CSV), all-or-nothing and idempotent.

``run_import(kind, source, user=None)`` is the one entry point: the management commands pass no
user (unrestricted); the admin upload passes the coordinator, whose scope limits what may change.
``source`` is a path, the file's bytes, or a file object (binary or text); ``kind`` is one of
``IMPORTERS``. The result says ``ok``, lists ``errors`` (``line N: column: message``, each with
its ``ImportRefusal`` code) and counts what was created, updated and left unchanged.
"""

from mentoring.imports.base import ImportResult, RowError
from mentoring.imports.errors import ImportRefusal
from mentoring.imports.organisations import OrganisationImporter
from mentoring.imports.people import PeopleImporter
from mentoring.imports.people_records import (
    RegistrationImporter,
    RelationshipImporter,
    TrainingImporter,
)

IMPORTERS = {
    importer.kind: importer
    for importer in (
        OrganisationImporter,
        PeopleImporter,
        RegistrationImporter,
        TrainingImporter,
        RelationshipImporter,
    )
}


def register_importer(importer) -> None:
    """Higher apps add their imports (e.g. scheme enrolments) in their ready()."""
    IMPORTERS[importer.kind] = importer


def run_import(kind: str, source, *, user=None) -> ImportResult:
    """Import one CSV file of ``kind``: everything or, if any row is bad, nothing."""
    return IMPORTERS[kind](user=user).run(source)


__all__ = [
    "IMPORTERS",
    "ImportRefusal",
    "ImportResult",
    "RowError",
    "register_importer",
    "run_import",
]
