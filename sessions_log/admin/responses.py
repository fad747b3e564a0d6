"""Form responses in the coordinators' admin: *that* a form was completed, and when — never what
it says, unless ``sessions_log.visibility`` makes the viewer one of its readers (a form whose
template is read by the pair and coordinators).

Scoped to the schemes of the coordinator's organisations, through the mentorship or, for surveys,
the enrolment; anything else is a 404. Read-only: responses change only through their authors.
Not searchable or filterable by what the answers say — including through a crafted query string,
which the admin would otherwise allow on a model's own fields — and the CSV export has no
answers. Finance has no access.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from mentoring import audit
from mentoring.admin import ReadOnlyMixin, ScopedAdmin
from mentoring.admin_audit import RecordsViewsMixin
from mentoring.exports import csv_response
from sessions_log import responses, visibility
from sessions_log.models import FormResponse
from sessions_log.questions import read_back

SCOPE = ("mentorship__scheme__owner__", "enrolment__scheme__owner__")
CONTENT_FIELDS = ("answers",)
EXPORT_COLUMNS = [
    "form",
    "version",
    "kind",
    "author",
    "author email",
    "scheme",
    "mentorship",
    "status",
    "completed at",
]


def _scheme(response: FormResponse):
    if response.mentorship_id:
        return response.mentorship.scheme
    if response.enrolment_id:
        return response.enrolment.scheme
    return None


@admin.register(FormResponse)
class FormResponseAdmin(RecordsViewsMixin, ReadOnlyMixin, ScopedAdmin):
    audit_what = "form response"
    audit_person_field = "author"
    scope_organisation_prefixes = SCOPE
    list_display = (
        "form_title",
        "kind",
        "author_name",
        "scheme",
        "mentorship",
        "status",
        "submitted_at",
    )
    list_filter = ("status", "template__kind")
    list_select_related = (
        "template",
        "author__user",
        "mentorship__scheme",
        "enrolment__scheme",
    )
    search_fields = ("author__user__first_name", "author__user__last_name", "author__user__email")
    search_help_text = "Search by the author's name or email. Answers are never searched."
    ordering = ("-submitted_at", "-created_at")
    fields = (
        "template",
        "author",
        "mentorship",
        "session",
        "enrolment",
        "status",
        "submitted_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    exclude = CONTENT_FIELDS
    actions = ("download_csv",)

    def lookup_allowed(self, lookup, value, request=None):
        """No filtering by answers: ``?answers__…`` would tell, row by row, what they say."""
        if lookup.split("__")[0] in CONTENT_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description="Form", ordering="template__title")
    def form_title(self, response):
        return f"{response.template.title} (version {response.template.version})"

    @admin.display(description="Kind", ordering="template__kind")
    def kind(self, response):
        return response.template.get_kind_display()

    @admin.display(description="Author", ordering="author__user__last_name")
    def author_name(self, response):
        return response.author.full_name

    @admin.display(description="Scheme")
    def scheme(self, response):
        return _scheme(response) or "—"

    def get_fields(self, request, obj=None):
        return (*self.fields, self._content_field(request))

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def _content_field(self, request):
        """The answers, for those ``visibility.may_read`` allows — built per request (the admin
        object is shared between requests), so it knows who is looking."""
        field = getattr(request, "_form_response_content", None)
        if field is not None:
            return field

        @admin.display(description="What it says")
        def content(response):
            if response.pk is None or not visibility.may_read(request.user, response):
                return (
                    "Only the form's readers can see its answers. You can see that it was "
                    "written, by whom, and when it was completed."
                )
            rows = read_back(
                response.template.questions, responses.questions_role(response), response.answers
            )
            return format_html(
                '<dl class="form-answers">{}</dl>',
                format_html_join("", "<dt><strong>{}</strong></dt><dd>{}</dd>", rows),
            )

        request._form_response_content = content
        return content

    @admin.action(description="Download selected as CSV (no answers)")
    def download_csv(self, request, queryset):
        audit.record_export(request, "form responses export (no answers)")
        rows_qs = queryset.select_related(*self.list_select_related).order_by("pk")

        def rows():
            for response in rows_qs.iterator(chunk_size=2000):
                scheme = _scheme(response)
                yield [
                    response.template.title,
                    response.template.version,
                    response.template.get_kind_display(),
                    response.author.full_name,
                    response.author.user.email,
                    scheme.name if scheme else "",
                    response.mentorship_id or "",
                    response.get_status_display(),
                    timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M")
                    if response.submitted_at
                    else "",
                ]

        return csv_response("form-responses.csv", EXPORT_COLUMNS, rows())
