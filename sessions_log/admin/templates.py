"""The coordinators' admin for form templates.

A coordinator sees the defaults (read-only: they serve every scheme) and the templates of their
organisations' schemes — another ICS's scheme's templates are a 404. They edit a scheme's current
template's wording, readers and questions (JSON, checked question by question in plain words,
with a readable preview); saving goes through ``form_templates.new_version``, so a template that
already has answers becomes a new version and the answers stay with theirs. "Customise for a
scheme" gives a scheme its own copy of a default to edit.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from mentoring import scoping
from mentoring.admin import ScopedAdmin
from schemes.models import Scheme
from sessions_log import form_templates
from sessions_log import questions as question_format
from sessions_log.errors_templates import TemplateError
from sessions_log.models import FormTemplate

QUESTIONS_HELP = (
    "One question per {…} in a list, in the order shown. Each has a key (letters, digits and "
    "underscores; keep it when you reword a question, so answers compare across versions), a "
    "type (text, long_text, scale, single_choice, multiple_choice, date, yes_no) and its text; "
    'optionally "help", "required": true, "roles": ["mentee"], "show_if": {"key": an earlier '
    'key, "equals": an answer} (or "in": [answers]), "min"/"max"/"labels" for a scale, and '
    '"choices" with "other": true for a choice question.'
)


def visible_schemes(user):
    """The schemes whose owner is one of the user's organisations (or below one)."""
    q = scoping.organisation_q(user, prefix="owner__")
    schemes = Scheme.objects.all() if q is None else Scheme.objects.filter(q)
    return schemes.order_by("name")


# the questions, as JSON and as a reader sees them -----------------------------------------------
class QuestionsField(forms.JSONField):
    """The questions as indented JSON; refused with every problem in plain words."""

    widget = forms.Textarea(
        attrs={"rows": 30, "cols": 100, "class": "vLargeTextField", "spellcheck": "false"}
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", QUESTIONS_HELP)
        super().__init__(**kwargs)

    def to_python(self, value):
        if self.disabled:
            return value
        if value in self.empty_values:
            raise forms.ValidationError("Give the form at least one question.", code="required")
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                "The questions are not valid JSON: %(problem)s on line %(line)s, column "
                "%(column)s. Check for a missing comma or quote mark there.",
                code="invalid",
                params={"problem": error.msg, "line": error.lineno, "column": error.colno},
            ) from error

    def validate(self, value):
        super().validate(value)
        problems = question_format.validate(value)
        if problems:
            raise forms.ValidationError(
                [forms.ValidationError(problem, code="invalid_questions") for problem in problems]
            )

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


def _condition_words(condition: dict, texts: dict[str, str]) -> str:
    answers = [
        question_format.YES_NO.get(str(value), str(value))
        for value in question_format.condition_values(condition)
    ]
    asked = texts.get(condition.get("key"), condition.get("key"))
    return f"only when the answer to “{asked}” is {' or '.join(answers)}"


def _details(q: dict, texts: dict[str, str]) -> list[str]:
    details = [question_format.TYPES.get(q.get("type"), str(q.get("type")))]
    if q.get("type") == "scale":
        labels = q.get("labels", {})
        scale = f"from {q.get('min')} to {q.get('max')}"
        if labels:
            scale += " (" + "; ".join(f"{n} = {label}" for n, label in labels.items()) + ")"
        details.append(scale)
    if q.get("choices"):
        choices = list(q["choices"]) + ([question_format.OTHER] if q.get("other") else [])
        details.append("answers: " + " / ".join(choices))
    details.append("required" if q.get("required") else "optional")
    if q.get("roles"):
        details.append("only for " + " and ".join(f"{role}s" for role in q["roles"]))
    if q.get("show_if"):
        details.append(_condition_words(q["show_if"], texts))
    return details


def questions_preview(questions) -> str:
    """The questions as a numbered list a coordinator can read: text, help, type and answers,
    who sees it and when."""
    if question_format.validate(questions):
        return "—"
    texts = {q["key"]: q["text"] for q in questions}
    items = format_html_join(
        "",
        "<li><strong>{}</strong>{}<br><small>{} · key <code>{}</code></small></li>",
        (
            (
                q["text"],
                format_html("<br><em>{}</em>", q["help"]) if q.get("help") else "",
                "; ".join(_details(q, texts)),
                q["key"],
            )
            for q in questions
        ),
    )
    return format_html('<ol class="form-template-preview">{}</ol>', items)


# forms ------------------------------------------------------------------------------------------
class FormTemplateForm(forms.ModelForm):
    questions = QuestionsField()

    class Meta:
        model = FormTemplate
        fields = ("title", "introduction", "closing_note", "readers", "questions")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.instance.is_current:
            raise forms.ValidationError(
                "This version has been replaced: edit the current version instead.",
                code="not_current",
            )
        return cleaned


class CustomiseForm(forms.Form):
    scheme = forms.ModelChoiceField(
        queryset=Scheme.objects.none(),
        help_text="The scheme gets its own copy (version 1), used instead of the default; "
        "other schemes keep the default.",
    )

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes


class SchemeFilter(admin.SimpleListFilter):
    """By scheme — only the schemes the coordinator may see — or the defaults."""

    title = "scheme"
    parameter_name = "scheme"

    def lookups(self, request, model_admin):
        return [("default", "Defaults (all schemes)")] + [
            (str(scheme.pk), scheme.name) for scheme in visible_schemes(request.user)
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "default":
            return queryset.filter(scheme__isnull=True)
        if value and value.isdigit():
            return queryset.filter(scheme_id=int(value))
        return queryset


# the admin --------------------------------------------------------------------------------------
@admin.register(FormTemplate)
class FormTemplateAdmin(ScopedAdmin):
    form = FormTemplateForm
    list_display = (
        "title",
        "scheme_label",
        "kind",
        "version",
        "is_current",
        "readers",
        "answers",
    )
    list_filter = (SchemeFilter, "kind", "readers", "is_current")
    search_fields = ("title", "family")
    list_select_related = ("scheme",)
    ordering = ("kind", "scheme__name", "family", "-version")
    actions = ["customise"]
    readonly_fields = (
        "preview",
        "family",
        "kind",
        "scheme_label",
        "version",
        "is_current",
        "source",
        "answers",
        "versions",
        "created_at",
        "created_by",
    )
    fieldsets = (
        (None, {"fields": ("title", "introduction", "closing_note", "readers")}),
        ("Questions", {"fields": ("questions", "preview")}),
        (
            "This version",
            {
                "fields": (
                    "family",
                    "kind",
                    "scheme_label",
                    "version",
                    "is_current",
                    "answers",
                    "versions",
                    "source",
                    "created_at",
                    "created_by",
                )
            },
        ),
    )

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .select_related("scheme", "created_by")
            .annotate(response_count=Count("responses"))
        )
        q = scoping.organisation_q(request.user, prefix="scheme__owner__")
        return queryset if q is None else queryset.filter(Q(scheme__isnull=True) | q)

    # permissions: defaults are the superuser's; replaced versions are history -------------------
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return obj.is_current and (obj.scheme_id is not None or request.user.is_superuser)

    def has_delete_permission(self, request, obj=None):
        """Only a superuser, and only a scheme's own template nobody has answered and with no
        other version (the scheme then uses the default again)."""
        if not request.user.is_superuser or obj is None:
            return False
        return (
            obj.scheme_id is not None
            and not obj.responses.exists()
            and not FormTemplate.objects.filter(family=obj.family, scheme=obj.scheme_id)
            .exclude(pk=obj.pk)
            .exists()
        )

    def has_customise_permission(self, request):
        return request.user.has_perm("sessions_log.add_formtemplate")

    # columns and read-only fields ---------------------------------------------------------------
    @admin.display(description="Scheme", ordering="scheme__name")
    def scheme_label(self, obj):
        return obj.scheme.name if obj.scheme_id else "Default (all schemes)"

    @admin.display(description="Answers", ordering="response_count")
    def answers(self, obj):
        count = getattr(obj, "response_count", None)
        return obj.responses.count() if count is None else count

    @admin.display(description="Questions as they read")
    def preview(self, obj):
        return questions_preview(obj.questions) if obj and obj.pk else "—"

    @admin.display(description="All versions")
    def versions(self, obj):
        rows = (
            FormTemplate.objects.filter(family=obj.family, scheme=obj.scheme_id)
            .annotate(response_count=Count("responses"))
            .order_by("-version")
        )
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">Version {}</a>{} — {} answer{}</li>',
                (
                    (
                        reverse("admin:sessions_log_formtemplate_change", args=[row.pk]),
                        row.version,
                        " (current)" if row.is_current else "",
                        row.response_count,
                        "" if row.response_count == 1 else "s",
                    )
                    for row in rows
                ),
            ),
        )

    # the change page ----------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {"customise_url": None, "in_use": 0}
        if obj.scheme_id is None and obj.is_current and self.has_customise_permission(request):
            extra["customise_url"] = self._customise_url([obj.pk])
        if self.has_change_permission(request, obj):
            extra["in_use"] = obj.responses.count()
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def save_model(self, request, obj, form, change):
        """Every edit goes through ``new_version``: in place while unanswered, else a new
        version."""
        data = form.cleaned_data
        try:
            obj.saved_as = form_templates.new_version(
                obj,
                title=data["title"],
                introduction=data["introduction"],
                closing_note=data["closing_note"],
                readers=data["readers"],
                questions=data["questions"],
                by=request.user,
            )
        except TemplateError as refusal:  # replaced meanwhile: the form's check came too early
            raise PermissionDenied(refusal.message) from refusal

    def log_change(self, request, obj, message):
        return super().log_change(request, getattr(obj, "saved_as", obj), message)

    def response_change(self, request, obj):
        saved = getattr(obj, "saved_as", obj)
        if saved.pk == obj.pk:
            return super().response_change(request, saved)
        messages.success(
            request,
            f"“{saved.title}” already had answers, so your changes were saved as version "
            f"{saved.version}, which is used from now on. The answers already given stay with "
            f"version {obj.version}, and read back as they were written.",
        )
        if "_continue" in request.POST:
            target = reverse("admin:sessions_log_formtemplate_change", args=[saved.pk])
        else:
            target = reverse("admin:sessions_log_formtemplate_changelist")
        return HttpResponseRedirect(target)

    # customise for a scheme ---------------------------------------------------------------------
    def get_urls(self):
        return [
            path(
                "customise/",
                self.admin_site.admin_view(self.customise_view),
                name="sessions_log_formtemplate_customise",
            ),
            *super().get_urls(),
        ]

    def _customise_url(self, ids) -> str:
        query = urlencode([("ids", pk) for pk in ids])
        return f"{reverse('admin:sessions_log_formtemplate_customise')}?{query}"

    @admin.action(description="Customise for a scheme", permissions=["customise"])
    def customise(self, request, queryset):
        ids = list(queryset.filter(scheme__isnull=True).values_list("pk", flat=True))
        if not ids:
            self.message_user(
                request,
                "Choose one or more default templates: a scheme's own template is edited, "
                "not customised.",
                messages.WARNING,
            )
            return None
        return HttpResponseRedirect(self._customise_url(ids))

    def customise_view(self, request):
        if not self.has_customise_permission(request):
            raise PermissionDenied
        source = request.POST if request.method == "POST" else request.GET
        ids = [value for value in source.getlist("ids") if value.isdigit()]
        templates = list(
            self.get_queryset(request).filter(pk__in=ids, scheme__isnull=True, is_current=True)
        )
        changelist = reverse("admin:sessions_log_formtemplate_changelist")
        if not templates:
            self.message_user(request, "Choose one or more default templates.", messages.WARNING)
            return HttpResponseRedirect(changelist)
        form = CustomiseForm(
            request.POST if request.method == "POST" else None,
            schemes=visible_schemes(request.user),
        )
        if request.method == "POST" and form.is_valid():
            scheme = form.cleaned_data["scheme"]
            made = []
            for template in templates:
                try:
                    made.append(
                        form_templates.customise_for_scheme(template, scheme, by=request.user)
                    )
                except TemplateError as refusal:
                    self.message_user(request, refusal.message, messages.WARNING)
            for template in made:
                self.log_addition(request, template, [{"added": {}}])
            if made:
                self.message_user(
                    request,
                    f"{scheme} now has its own copy of "
                    + ", ".join(f"“{t.title}”" for t in made)
                    + ": edit it here. Other schemes keep the default.",
                    messages.SUCCESS,
                )
            if len(made) == 1:
                return HttpResponseRedirect(
                    reverse("admin:sessions_log_formtemplate_change", args=[made[0].pk])
                )
            return HttpResponseRedirect(f"{changelist}?scheme={scheme.pk}")
        return TemplateResponse(
            request,
            "admin/sessions_log/formtemplate/customise.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Customise for a scheme",
                "templates": templates,
                "form": form,
            },
        )
