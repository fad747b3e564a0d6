"""Uploaded files are personal data: each download is checked, nothing is served publicly."""

from pathlib import PurePosixPath

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

from mentoring import audit
from mentoring.models.people import EVIDENCE_PREFIX
from mentoring.scoping import people_visible_to


@login_required
def protected_media(request, path):
    parts = PurePosixPath(path).parts
    if len(parts) != 3 or parts[0] != EVIDENCE_PREFIX or not parts[1].isdigit() or ".." in parts:
        raise Http404
    person_id = int(parts[1])
    own = hasattr(request.user, "person") and request.user.person.pk == person_id
    if not own and not people_visible_to(request.user).filter(pk=person_id).exists():
        raise Http404
    if not default_storage.exists(path):
        raise Http404
    audit.record_export(request, "training evidence", person=person_id, download=True)
    return FileResponse(default_storage.open(path, "rb"), as_attachment=True, filename=parts[2])
