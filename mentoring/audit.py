"""Recording who viewed, exported or downloaded confidential data, who signed in or out, and
who was refused — with when and from where, never the content (issue 10, ASVS 7.1.3, 8.3.5).

Views call ``record_view(request, obj, what, person=...)`` or ``record_export(request, what, ...)``
once per request; sign-ins are recorded from Django's auth signals (connected in
``MentoringConfig.ready``) and refusals by ``mentoring.audit_middleware``. Changes of records are
django-auditlog's (see ``mentoring.audit_changes``).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from mentoring.lockout import client_address
from mentoring.models import AccessAction, AccessEvent, Organisation, Person, Role, RoleAssignment


def client_ip(request) -> str | None:
    """The address the request came from, read as the lockout reads it (the client's
    X-Forwarded-For only behind the trusted proxies: ``mentoring.lockout.client_address``)."""
    if request is None:
        return None
    return client_address(request)


def describe_actor(user) -> str:
    """The actor's role as it is now, in words a person reads on "who viewed my record"."""
    if user is None or not user.is_authenticated:
        return "Someone not signed in"
    if user.is_superuser:
        return "A service administrator"
    held: dict[str, list[str]] = {}
    for role, name in RoleAssignment.objects.filter(user=user).values_list(
        "role", "organisation__name"
    ):
        held.setdefault(role, []).append(name)
    parts = []
    if names := held.get(Role.COORDINATOR):
        parts.append(f"a coordinator of {_and(sorted(names))}")
    if names := held.get(Role.FINANCE):
        parts.append(f"finance staff for {_and(sorted(names))}")
    if not parts:
        return "A mentor or mentee"
    text = " and ".join(parts)
    return text[0].upper() + text[1:]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def record(
    request,
    *,
    action: str,
    what: str = "",
    obj=None,
    person: Person | int | None = None,
    organisation: Organisation | int | None = None,
    actor=None,
    status: int | None = None,
) -> AccessEvent:
    """One audit row. ``actor`` defaults to the request's signed-in user; ``person`` and
    ``organisation`` may be given as rows or ids. Nothing typed by the user and nothing the
    object says is stored — only its type and id."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    return AccessEvent.objects.create(
        actor=actor,
        actor_description=describe_actor(actor),
        action=action,
        what=what[:100],
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        person_id=_id(person),
        organisation_id=_id(organisation),
        path=(getattr(request, "path", "") or "")[:500],
        method=(getattr(request, "method", "") or "")[:10],
        ip=client_ip(request),
        status=status,
    )


def _id(row_or_id) -> int | None:
    return getattr(row_or_id, "pk", row_or_id)


def record_view(
    request, obj, what: str, person: Person | int | None = None, **extra
) -> AccessEvent:
    """``request``'s user was shown ``obj`` (about ``person``)."""
    return record(request, action=AccessAction.VIEWED, what=what, obj=obj, person=person, **extra)


def record_export(
    request,
    what: str,
    obj=None,
    person: Person | int | None = None,
    organisation: Organisation | int | None = None,
    *,
    download: bool = False,
) -> AccessEvent:
    """``request``'s user took a file away: an export of many rows, or (``download``) one
    document such as a remittance or their own reflections."""
    action = AccessAction.DOWNLOADED if download else AccessAction.EXPORTED
    return record(
        request, action=action, what=what, obj=obj, person=person, organisation=organisation
    )


# sign-ins -----------------------------------------------------------------------------------------
def on_signed_in(sender, request, user, **kwargs):
    person = Person.objects.filter(user=user).first()
    record(request, action=AccessAction.SIGNED_IN, what="sign-in", actor=user, person=person)


def on_signed_out(sender, request, user, **kwargs):
    """``user`` is None when the session had nobody signed in; that is still a sign-out asked."""
    person = Person.objects.filter(user=user).first() if user is not None else None
    record(request, action=AccessAction.SIGNED_OUT, what="sign-out", actor=user, person=person)


def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    """Only the address and the fact: the e-mail typed may be anyone's, or nobody's, so it is
    neither stored nor linked to an account (that would enumerate who has one)."""
    record(request, action=AccessAction.SIGN_IN_FAILED, what="sign-in")


def connect_receivers() -> None:
    """Called from ``MentoringConfig.ready``: sign-ins recorded, and coordinators may read the
    audit of their scope (the admin scopes the rows)."""
    from django.contrib.auth import signals

    from mentoring.roles import grant_group_permissions

    signals.user_logged_in.connect(on_signed_in, dispatch_uid="mentoring.audit.signed_in")
    signals.user_logged_out.connect(on_signed_out, dispatch_uid="mentoring.audit.signed_out")
    signals.user_login_failed.connect(
        on_sign_in_failed, dispatch_uid="mentoring.audit.sign_in_failed"
    )
    grant_group_permissions(
        Role.COORDINATOR, {"mentoring.accessevent": ["view"], "auditlog.logentry": ["view"]}
    )


# retention ----------------------------------------------------------------------------------------
def purge_before(cutoff) -> int:
    """Removes access audit rows older than ``cutoff`` (the retention job's)."""
    return _purge(AccessEvent.objects.filter(at__lt=cutoff))


def purge_changes_before(cutoff) -> int:
    """Removes change log entries older than ``cutoff`` (the retention job's)."""
    from auditlog.models import LogEntry

    return _purge(LogEntry.objects.filter(timestamp__lt=cutoff))


def _purge(old) -> int:
    """The only way audit rows ever go: the database trigger lets this transaction's DELETE
    through, and the raw delete passes the models' own refusal, which guards every other path."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL mentoring.audit_retention = 'on'")
        return old._raw_delete(old.db)
