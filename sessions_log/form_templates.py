"""Which version of which form a scheme uses, and making new versions.

A version that has responses is never changed: :func:`new_version` edits a template in place
only while nobody has answered it, and otherwise makes the next version (same family, same
scheme) and retires the old one, so every response keeps reading back against the questions it
answered. :func:`customise_for_scheme` gives a scheme its own copy of a default to edit.
"""

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q

from sessions_log import questions as question_format
from sessions_log.errors_templates import TemplateError, TemplateRefusal
from sessions_log.models import FormTemplate

EDITABLE = ("title", "introduction", "closing_note", "readers", "questions")


def current_template(scheme, kind: str) -> FormTemplate | None:
    """The scheme's own current template of ``kind`` if it has one, else the default."""
    return (
        FormTemplate.objects.filter(kind=kind, is_current=True)
        .filter(Q(scheme=scheme) | Q(scheme__isnull=True))
        .order_by(F("scheme_id").asc(nulls_last=True), "pk")
        .first()
    )


def current_templates(scheme) -> dict[str, FormTemplate]:
    """Every kind's current template for ``scheme`` (its own where it has one), by kind."""
    chosen: dict[str, FormTemplate] = {}
    rows = (
        FormTemplate.objects.filter(is_current=True)
        .filter(Q(scheme=scheme) | Q(scheme__isnull=True))
        .order_by(F("scheme_id").asc(nulls_last=True), "pk")
    )
    for template in rows:
        chosen.setdefault(template.kind, template)
    return chosen


def has_responses(template: FormTemplate) -> bool:
    return template.responses.exists()


def _refuse_invalid(questions) -> None:
    problems = question_format.validate(questions)
    if problems:
        raise TemplateError(TemplateRefusal.INVALID_QUESTIONS, *problems, field="questions")


@transaction.atomic
def new_version(
    template: FormTemplate,
    *,
    title: str,
    introduction: str,
    closing_note: str,
    readers: str,
    questions: list,
    by,
) -> FormTemplate:
    """Save an edit of ``template``: in place while it has no responses, else as version + 1
    (which becomes current; the old version keeps its responses). Returns the template that now
    holds the edit — the same row, or the new version. Nothing changes if nothing was edited.

    The row is locked first: PostgreSQL makes a response being saved against it wait (its
    foreign key takes a share lock), so no answer lands on questions changed under it.
    """
    _refuse_invalid(questions)
    locked = FormTemplate.objects.select_for_update().get(pk=template.pk)
    if not locked.is_current:
        raise TemplateError(
            TemplateRefusal.NOT_CURRENT,
            f"Version {locked.version} of “{locked.title}” has been replaced; "
            "edit the current version instead.",
        )
    edit = {
        "title": title,
        "introduction": introduction,
        "closing_note": closing_note,
        "readers": readers,
        "questions": questions,
    }
    if all(getattr(locked, field) == value for field, value in edit.items()):
        return locked
    if not has_responses(locked):
        for field, value in edit.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(edit))
        return locked
    latest = FormTemplate.objects.filter(family=locked.family, scheme=locked.scheme_id).aggregate(
        latest=Max("version")
    )["latest"]
    FormTemplate.objects.filter(pk=locked.pk).update(is_current=False)
    return FormTemplate.objects.create(
        family=locked.family,
        scheme_id=locked.scheme_id,
        version=latest + 1,
        kind=locked.kind,
        source=locked.source,
        is_current=True,
        created_by=by,
        **edit,
    )


@transaction.atomic
def customise_for_scheme(template: FormTemplate, scheme, by) -> FormTemplate:
    """A scheme's own copy of a default template (version 1), which it then uses instead of the
    default and may edit without changing any other scheme's form."""
    if template.scheme_id is not None:
        raise TemplateError(
            TemplateRefusal.NOT_A_DEFAULT,
            f"“{template.title}” already belongs to {template.scheme}; "
            "only a default template is customised for a scheme.",
        )
    if FormTemplate.objects.filter(family=template.family, scheme=scheme).exists():
        raise TemplateError(
            TemplateRefusal.ALREADY_CUSTOMISED,
            f"{scheme} already has its own “{template.title}”: edit that one.",
        )
    _refuse_invalid(template.questions)
    try:
        with transaction.atomic():
            return FormTemplate.objects.create(
                family=template.family,
                scheme=scheme,
                version=1,
                kind=template.kind,
                title=template.title,
                introduction=template.introduction,
                closing_note=template.closing_note,
                readers=template.readers,
                questions=template.questions,
                source=template.source,
                is_current=True,
                created_by=by,
            )
    except IntegrityError as clash:  # customised at the same moment by someone else
        raise TemplateError(
            TemplateRefusal.ALREADY_CUSTOMISED,
            f"{scheme} already has its own “{template.title}”: edit that one.",
        ) from clash
