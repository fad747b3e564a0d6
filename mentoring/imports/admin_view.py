"""The admin page where coordinators upload a register spreadsheet."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse

from mentoring.imports import IMPORTERS, run_import
from mentoring.roles import is_coordinator


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file contains",
        choices=[],
        help_text="The columns each kind of file needs are listed below the form.",
    )
    file = forms.FileField(
        label="CSV file",
        help_text="Saved from your spreadsheet as “CSV UTF-8”, with the column names in the first row.",
        error_messages={"required": "Choose the CSV file to import."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, i.label) for kind, i in IMPORTERS.items()]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the most that can be imported at once "
                f"is {filesizeformat(settings.IMPORT_MAX_BYTES)}. Split it into smaller files."
            )
        return upload


def import_view(request):
    if not (request.user.is_superuser or is_coordinator(request.user)):
        raise PermissionDenied
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = run_import(
                form.cleaned_data["kind"], form.cleaned_data["file"], user=request.user
            )
            if result.ok:
                messages.success(request, f"Imported {result.summary()}.")
                return redirect("admin:mentoring_import")
            for error in result.errors:
                if error.column == "file":
                    # A problem with the file as a whole (too many rows, not CSV…) is also
                    # said by the file field, where the person will choose another.
                    form.add_error("file", error.message[:1].upper() + error.message[1:])
    else:
        form = ImportForm()
    context = {
        **admin.site.each_context(request),
        "title": "Import the register from a spreadsheet",
        "form": form,
        "result": result,
        "columns": {importer.label: ",".join(importer.columns) for importer in IMPORTERS.values()},
    }
    return TemplateResponse(
        request, "admin/mentoring/import.html", context, status=400 if result else 200
    )
