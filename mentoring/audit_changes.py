"""Every change of a record people change, through django-auditlog — never what a person wrote
in confidence (issue 10, ASVS 7.1.3, 7.2.2).

Each app registers its own models in ``<app>/audit.py`` (imported from its ``ready()``) with
``track``; this module registers the people register, the logins and roles, and the second
factors and lockouts of django-otp and django-axes.

What is kept out of a change's log entry:

* free text a person wrote or that was written about them (reflections and responses, notes,
  reasons, statements, feedback) is excluded: the entry says the field changed, nothing more;
* identifiers that are personal (registration numbers, payee references) are masked to their
  last two characters;
* every entry names its row by kind and id ("professional registration 12"), never by the
  row's own name: names (``__str__``) carry people's names, registration numbers, the text of
  an action or a conflict — and an entry, being final, would keep them after an erasure;
* a login's name and e-mail are masked like identifiers, for the same reason.

Not registered, on purpose: notifications and job runs (written by every reminder and every
beat tick, they are records of what was sent, not data people change); eligibility checks
(written in bulk by the nightly job, and themselves a dated record that is never edited); payment
lines and items (written by one INSERT … SELECT when a run is built, which fires no signal —
the run's own status changes are tracked, and an approved run never changes); django-axes'
attempts while they count (only their deletion, an unlock, is recorded); OTP tokens (secrets).

Each entry carries, in ``additional_data``, the ids that place it in a coordinator's scope
(person, organisation, scheme) read from the row's own foreign keys — no extra query — so the
audit admin can show a coordinator the entries of their organisations, deleted rows included.
``track`` gives the model the ``get_additional_data`` method auditlog asks for; a model with no
scope (users, second factors) is the superusers' to audit.
"""

from collections.abc import Callable

from auditlog.models import LogEntry
from auditlog.receivers import log_create, log_update
from auditlog.registry import auditlog
from django.db.models import QuerySet
from django.db.models.signals import post_save, pre_delete, pre_save
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentoring.models import (
    FocusArea,
    Invitation,
    NotificationPreference,
    Organisation,
    Person,
    ProfessionalRegistration,
    RoleAssignment,
    ScopeOfPractice,
    Sector,
    TrainingRecord,
    User,
    WorkingRelationship,
)
from mentoring.models.audit import AuditRowIsFinal

MASK = "mentoring.audit_changes.mask"

_scope_fields: dict[type, dict[str, str]] = {}
# Scope keys above "person" and "organisation" that higher apps resolve (e.g. "scheme"): each
# takes a staff user and returns the ids (a values("pk") queryset) of such rows in their scope.
_scope_extensions: dict[str, Callable[[object], QuerySet]] = {}


def mask(value: str) -> str:
    """All but the last two characters hidden: enough to tell two values apart in an audit, not
    enough to use one."""
    value = str(value)
    if value in ("", "None"):
        return value
    return "*" * max(len(value) - 2, 2) + value[-2:]


def track(
    model,
    *,
    exclude: tuple[str, ...] = (),
    mask_fields: tuple[str, ...] = (),
    include: tuple[str, ...] = (),
    m2m: tuple[str, ...] = (),
    scope: dict[str, str] | None = None,
) -> None:
    """Registers ``model``'s changes. ``scope`` maps scope keys to attribute names on the row
    (e.g. ``{"person": "person_id"}``)."""
    auditlog.register(
        model,
        include_fields=list(include) or None,
        exclude_fields=list(exclude),
        mask_fields=list(mask_fields),
        mask_callable=MASK if mask_fields else None,
        m2m_fields=set(m2m),
    )
    if scope:
        _scope_fields[model] = dict(scope)
        model.get_additional_data = _additional_data


def extend_audit_scope(key: str, ids_in_scope: Callable[[object], QuerySet]) -> None:
    """A higher app says how to find the rows a staff user may see for scope ``key``."""
    _scope_extensions[key] = ids_in_scope


def scope_extensions() -> dict[str, Callable[[object], QuerySet]]:
    return dict(_scope_extensions)


def _additional_data(instance) -> dict[str, int] | None:
    """What auditlog stores beside a change (it calls the row's ``get_additional_data``): the
    ids that place it in a scope."""
    fields = _scope_fields.get(type(instance), {})
    found = {key: getattr(instance, attribute, None) for key, attribute in fields.items()}
    return {key: value for key, value in found.items() if value is not None} or None


def _before_entry_saved(sender, instance: LogEntry, raw=False, **kwargs):
    if instance.pk is not None and not instance._state.adding:
        raise AuditRowIsFinal("Change log entries are never changed.")
    model = instance.content_type.model_class() if instance.content_type_id else None
    if model is not None:
        instance.object_repr = f"{model._meta.verbose_name} {instance.object_pk}"


def _before_entry_deleted(sender, instance, **kwargs):
    raise AuditRowIsFinal("Change log entries are never deleted.")


pre_save.connect(_before_entry_saved, sender=LogEntry, dispatch_uid="mentoring.audit_changes.repr")
pre_delete.connect(
    _before_entry_deleted, sender=LogEntry, dispatch_uid="mentoring.audit_changes.final"
)


def _register_people_register() -> None:
    from axes.models import AccessAttempt

    track(
        User,
        exclude=("password", "last_login"),
        mask_fields=("email", "first_name", "last_name"),
        m2m=("groups", "user_permissions"),
    )
    track(RoleAssignment, scope={"organisation": "organisation_id"})
    track(Invitation)
    track(NotificationPreference)
    track(Organisation, scope={"organisation": "pk"})
    for term in (Sector, ScopeOfPractice, FocusArea):
        track(term)
    track(
        Person,
        mask_fields=("payee_reference",),
        m2m=("sectors", "scopes_of_practice", "focus_areas"),
        scope={"person": "pk", "organisation": "organisation_id"},
    )
    track(
        ProfessionalRegistration,
        mask_fields=("number",),
        scope={"person": "person_id"},
    )
    track(TrainingRecord, scope={"person": "person_id"})
    track(WorkingRelationship, scope={"person": "supervisee_id"})
    # A second factor added, confirmed, renamed or reset (deleted) — never its secret key.
    for device in (TOTPDevice, StaticDevice):
        track(device, include=("user", "name", "confirmed"))
    # An unlock: who (the account typed) and from where, as the lockout recorded them. Only the
    # deletion: the failures themselves are counted by axes, not audited twice.
    track(AccessAttempt, include=("username", "ip_address", "failures_since_start"))
    for signal, receiver in ((post_save, log_create), (pre_save, log_update)):
        signal.disconnect(
            sender=AccessAttempt, dispatch_uid=auditlog._dispatch_uid(signal, receiver)
        )


_register_people_register()
