"""Subject access: a person sees what the service holds about them and downloads all of it, as
JSON (for another service) or a readable PDF. Only ever their own: no id in the URL, so there is
nobody else's to ask for. Nothing is cached on the way (``Cache-Control: no-store``) and each
download is recorded in the access audit (``mentoring.audit``), never its content."""

import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from mentoring import audit, privacy, two_factor
from mentoring.models import Person

PDF_TEMPLATE = "mentoring/my_data_pdf.html"


def _person_of(user) -> Person | None:
    return Person.objects.filter(user=user).select_related("user", "organisation").first()


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def my_data(request):
    person = _person_of(request.user)
    sections = privacy.sections_of(person or request.user)
    return _no_store(
        render(
            request,
            "mentoring/my_data.html",
            {
                "person": person,
                "sections": [
                    {"title": s.title, "count": len(s.rows), "key": s.key} for s in sections
                ],
            },
        )
    )


@login_required
@require_GET
def my_data_json(request):
    person = _person_of(request.user)
    document = privacy.download(person or request.user)
    audit.record_export(
        request, "their own personal data (JSON)", obj=person, person=person, download=True
    )
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return _no_store(response)


@login_required
@require_GET
def my_data_pdf(request):
    person = _person_of(request.user)
    html = render_to_string(
        PDF_TEMPLATE,
        {
            "service_name": settings.SERVICE_NAME,
            "user": request.user,
            "sections": [
                readable(section) for section in privacy.sections_of(person or request.user)
            ],
            "made_at": timezone.localtime(),
        },
    )
    audit.record_export(
        request, "their own personal data (PDF)", obj=person, person=person, download=True
    )
    response = HttpResponse(pdf_of(html), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="my-data.pdf"'
    return _no_store(response)


# the PDF ----------------------------------------------------------------------------------------
def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _lines(value) -> list[str]:
    """A value as lines of text a person reads: lists one item a line, pairs as "a: b"."""
    if value is None or value == "" or value == [] or value == {}:
        return ["—"]
    if value is True:
        return ["Yes"]
    if value is False:
        return ["No"]
    if isinstance(value, dict):
        if set(value) == {"question", "answer"}:
            return [f"{value['question']}", *[f"    {line}" for line in _lines(value["answer"])]]
        return ["; ".join(f"{_label(k)}: {' '.join(_lines(v))}" for k, v in value.items())]
    if isinstance(value, list):
        return [line for item in value for line in _lines(item)]
    return str(value).splitlines() or ["—"]


def readable(section: privacy.Section) -> dict:
    return {
        "title": section.title,
        "rows": [[(_label(k), _lines(v)) for k, v in r.items()] for r in section.rows],
    }


def _fetch_nothing(url, *args, **kwargs):
    raise ValueError(f"The personal data PDF fetches nothing ({url[:40]}).")


def pdf_of(html: str) -> bytes:
    # Imported here: WeasyPrint logs every stylesheet it parses on import; that is not wanted.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_fetch_nothing).write_pdf()


# erasure, from the coordinators' admin ----------------------------------------------------------
REMOVED = [
    "name, e-mail address, work e-mail and phone, department, region, clinical sessions",
    "mentor profile, sectors, scopes of practice and focus areas",
    "professional registrations (numbers and status) and training evidence files",
    "working relationships, messages sent to them, notification choices and invitation",
    "what they wrote: applications' statements, reflections, agendas, survey and form answers, "
    "private notes, actions, requests for a different mentor, what a claim's time was used for",
    "coordinators' notes about them: application feedback, reasons for pausing or leaving",
    "their name in messages, conflict notes and payment lines, replaced by a pseudonym",
]
KEPT = [
    "the account, switched off with no password, so audit records still point at it",
    "claims, payment items, payment lines and adjustments: amounts, dates, runs and references",
    "enrolments, mentorships and sessions as dates and counts, so the scheme's figures stand",
    "the audit of who viewed or changed their record",
]


def may_erase(request) -> bool:
    """Coordinators (of the person's scope: the admin's queryset is scoped) and superusers."""
    from mentoring import roles

    return request.user.is_superuser or roles.is_coordinator(request.user)


def _erase_all(modeladmin, request, people) -> None:
    from django.contrib import messages

    erased = 0
    for person in people:
        name = str(person)
        try:
            privacy.erase(person, by=request.user)
        except privacy.ErasureRefused as refusal:
            modeladmin.message_user(request, f"{name}: {refusal.message}", messages.ERROR)
        else:
            erased += 1
    if erased:
        modeladmin.message_user(
            request,
            f"Personal data erased for {erased} {'person' if erased == 1 else 'people'}.",
            messages.SUCCESS,
        )


def _confirmation(modeladmin, request, people, *, action: bool):
    from django.contrib import admin
    from django.template.response import TemplateResponse

    return TemplateResponse(
        request,
        "admin/mentoring/person/erase.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Erase personal data",
            "opts": modeladmin.model._meta,
            "people": [(person, privacy.still_open(person)) for person in people],
            "removed": REMOVED,
            "kept": KEPT,
            "from_action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


def _confirm_it_is_you(request, back: str):
    """Erasure cannot be undone: like approving a payment run, it asks for the password and a code
    again when the last code is older than REAUTH_MAX_AGE_SECONDS (ASVS 3.7.1); nothing is erased
    until then, and the person comes back to ``back`` afterwards."""
    from django.contrib import messages
    from django.shortcuts import redirect

    if two_factor.verified_recently(request):
        return None
    messages.warning(request, "Confirm it is you, then erase again.")
    return redirect(two_factor.with_next("two_factor_confirm", back))


def erase_personal_data(modeladmin, request, queryset):
    """Admin action: a confirmation page saying what goes and what stays, then the erasure."""
    from django.core.exceptions import PermissionDenied

    if not may_erase(request):
        raise PermissionDenied
    people = list(queryset.select_related("user"))
    if request.POST.get("post") == "yes":
        if again := _confirm_it_is_you(request, reverse("admin:mentoring_person_changelist")):
            return again
        _erase_all(modeladmin, request, people)
        return None
    return _confirmation(modeladmin, request, people, action=True)


erase_personal_data.short_description = "Erase personal data (people who have left)"
erase_personal_data.allowed_permissions = ("change",)


def erase_person_view(modeladmin, request, object_id):
    """One person's erasure page (``admin:mentoring_person_erase``): 404 outside the scope."""
    from django.http import Http404
    from django.shortcuts import redirect

    person = (
        modeladmin.get_queryset(request).filter(pk=object_id).select_related("user").first()
        if str(object_id).isdigit()
        else None
    )
    if person is None or not may_erase(request) or not modeladmin.has_change_permission(request):
        raise Http404("No such person.")
    if request.method == "POST" and request.POST.get("post") == "yes":
        if again := _confirm_it_is_you(request, request.path):
            return again
        _erase_all(modeladmin, request, [person])
        return redirect("admin:mentoring_person_changelist")
    return _confirmation(modeladmin, request, [person], action=False)
