"""Staff roles: the auth Group gives admin permissions, the RoleAssignment gives the scope."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from mentoring.models import Organisation, Role, RoleAssignment, User

# Which kinds of record each staff group may see and change in the admin (scope is separate).
GROUP_PERMISSIONS = {
    Role.COORDINATOR: {
        "mentoring.organisation": ["view", "add", "change"],
        "mentoring.person": ["view", "add", "change"],
        "mentoring.professionalregistration": ["view", "add", "change"],
        "mentoring.trainingrecord": ["view", "add", "change", "delete"],
        "mentoring.workingrelationship": ["view", "add", "change", "delete"],
        "mentoring.invitation": ["view"],
        "mentoring.sector": ["view", "add", "change"],
        "mentoring.scopeofpractice": ["view", "add", "change"],
        "mentoring.focusarea": ["view", "add", "change"],
        "mentoring.notification": ["view"],
        "mentoring.jobrun": ["view"],
    },
    Role.FINANCE: {
        "mentoring.organisation": ["view"],
    },
}


def grant_group_permissions(role: Role, grants: dict[str, list[str]]) -> None:
    """Higher apps add their models' permissions for a staff group (called in their ready())."""
    for model, actions in grants.items():
        GROUP_PERMISSIONS[role][model] = actions


def sync_staff_groups(**kwargs) -> None:
    """Create the staff groups and set their permissions to exactly GROUP_PERMISSIONS.

    Runs after every ``migrate`` (post_migrate) — and after the test database is flushed — so
    the groups always exist and follow the code as apps add models.
    """
    for role, grants in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [
            (model.split(".")[0], f"{action}_{model.split('.')[1]}")
            for model, actions in grants.items()
            for action in actions
        ]
        permissions = Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        )
        group.permissions.set(
            [p for p in permissions if (p.content_type.app_label, p.codename) in set(wanted)]
        )


def _forget_cached_roles(user) -> None:
    user.__dict__.pop("_mentoring_roles", None)
    user.__dict__.pop("_mentoring_scope_paths", None)


def grant_role(
    *, user: User, role: Role, organisation: Organisation, granted_by: User | None = None
) -> RoleAssignment:
    with transaction.atomic():
        assignment, _ = RoleAssignment.objects.get_or_create(
            user=user, role=role, organisation=organisation, defaults={"granted_by": granted_by}
        )
        user.groups.add(Group.objects.get(name=role))
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    _forget_cached_roles(user)
    return assignment


def revoke_role(*, user: User, role: Role, organisation: Organisation) -> None:
    with transaction.atomic():
        RoleAssignment.objects.filter(user=user, role=role, organisation=organisation).delete()
        if not RoleAssignment.objects.filter(user=user, role=role).exists():
            user.groups.remove(Group.objects.get(name=role))
    _forget_cached_roles(user)


def roles_of(user) -> set[str]:
    """The staff roles a user holds, read once per request object."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_mentoring_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._mentoring_roles = cached
    return cached


def is_coordinator(user) -> bool:
    return Role.COORDINATOR in roles_of(user)


def is_finance(user) -> bool:
    return Role.FINANCE in roles_of(user)
