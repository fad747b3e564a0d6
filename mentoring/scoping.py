"""What a staff user may see: the organisations they are assigned and everything below them —
and, through extensions registered by higher apps, everyone taking part in those organisations'
schemes, wherever they work.

Everything that lists or exports register data goes through these functions, so a coordinator of
one ICS never sees another's people; an object outside scope is simply not found (404).
Superusers see everything. Anyone else sees nothing here (fail closed).
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from mentoring.models import Organisation, Person, Role, RoleAssignment

# Each extension takes the organisation paths in a user's scope and returns a filter on Person
# for more people that user may see (e.g. applicants to their schemes). Registered in ready().
PeopleScopeExtension = Callable[[list[str]], Q]
_people_extensions: list[PeopleScopeExtension] = []


def extend_people_scope(extension: PeopleScopeExtension) -> None:
    if extension not in _people_extensions:
        _people_extensions.append(extension)


def _scope_paths(user, role: Role) -> list[str]:
    """The user's organisation paths for ``role``, read once per user object (i.e. per request)."""
    cache = user.__dict__.setdefault("_mentoring_scope_paths", {})
    if role not in cache:
        cache[role] = list(
            RoleAssignment.objects.filter(user=user, role=role).values_list(
                "organisation__path", flat=True
            )
        )
    return cache[role]


def paths_q(paths: list[str], prefix: str = "") -> Q:
    """Rows whose organisation (reached through ``prefix``) lies at or below any of ``paths``."""
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def organisation_q(user, role: Role = Role.COORDINATOR, *, prefix: str = "") -> Q | None:
    """A filter for rows whose organisation (reached through ``prefix``) is in ``user``'s scope.

    None means "no restriction" (a superuser); an empty scope gives a filter that matches nothing.
    """
    if user.is_superuser:
        return None
    paths = _scope_paths(user, role) if user.is_authenticated and user.is_active else []
    return paths_q(paths, prefix)


def organisations_visible_to(user, role: Role = Role.COORDINATOR) -> QuerySet[Organisation]:
    q = organisation_q(user, role)
    queryset = Organisation.objects.all()
    return queryset if q is None else queryset.filter(q)


def people_q(user, role: Role = Role.COORDINATOR) -> Q | None:
    """The filter on Person behind ``people_visible_to`` (None: everyone)."""
    if user.is_superuser:
        return None
    paths = _scope_paths(user, role) if user.is_authenticated and user.is_active else []
    if not paths:
        return Q(pk__in=[])
    q = paths_q(paths, "organisation__")
    for extension in _people_extensions:
        q |= extension(paths)
    return q


def people_visible_to(user, role: Role = Role.COORDINATOR) -> QuerySet[Person]:
    q = people_q(user, role)
    queryset = Person.objects.all()
    return queryset if q is None else queryset.filter(q)
