"""Coordinators also see everyone who applies to or takes part in their organisations' schemes,
wherever that person works (a PA mentor from another trust, say)."""

from django.db.models import Q

from mentoring.scoping import paths_q


def scheme_participants(paths: list[str]) -> Q:
    from schemes.models import Application, Enrolment

    owned = paths_q(paths, "scheme__owner__")
    return Q(pk__in=Enrolment.objects.filter(owned).values("person")) | Q(
        pk__in=Application.objects.filter(owned).values("person")
    )
