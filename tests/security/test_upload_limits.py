"""Uploads are limited in size and rows, and say so by the field; nothing is saved. A request body
larger than Django accepts gets the plain 400 page, never a traceback.

The uploads: the register import page (``mentoring.imports.admin_view``: IMPORT_MAX_BYTES and
IMPORT_MAX_ROWS) and a training record's evidence (the model's own 10 MB limit, the same in the
training record admin and the person page's inline, which share the model field).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from mentoring.models import Organisation, TrainingRecord
from mentoring.models.people import EVIDENCE_MAX_BYTES
from tests.auth import sign_in
from tests.factories import IcbFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:mentoring_import")
HEADER = b"code,name,kind,parent_code\n"


def organisations_csv(rows: int) -> bytes:
    return HEADER + b"".join(f"YA{n:04d},Practice {n},practice,QAA\n".encode() for n in range(rows))


@pytest.fixture
def admin_client(client):
    IcbFactory(code="QAA")
    return sign_in(client, UserFactory(is_staff=True, is_superuser=True))


def upload(client, content: bytes):
    return client.post(
        IMPORT_URL,
        {"kind": "organisations", "file": SimpleUploadedFile("practices.csv", content)},
    )


def test_an_import_over_the_size_limit_is_refused_by_the_file_field(admin_client, settings):
    content = organisations_csv(5)
    settings.IMPORT_MAX_BYTES = len(content) - 1
    before = Organisation.objects.count()

    page = upload(admin_client, content)

    assert page.status_code == 200
    assert page.context["form"].errors["file"] == [
        f"The file is {filesizeformat(len(content))}; the most that can be imported at once is "
        f"{filesizeformat(len(content) - 1)}. Split it into smaller files."
    ]
    assert '<ul class="errorlist" id="id_file_error"><li>The file is' in page.text
    assert Organisation.objects.count() == before


def test_an_import_at_the_size_limit_is_accepted(admin_client, settings):
    content = organisations_csv(5)
    settings.IMPORT_MAX_BYTES = len(content)
    before = Organisation.objects.count()

    page = upload(admin_client, content)

    assert page.status_code == 302
    assert Organisation.objects.count() == before + 5


def test_an_import_over_the_row_limit_is_refused_by_the_file_field(admin_client, settings):
    settings.IMPORT_MAX_ROWS = 4
    before = Organisation.objects.count()

    page = upload(admin_client, organisations_csv(5))

    assert page.status_code == 400
    assert page.context["form"].errors["file"] == [
        "The file has more than 4 rows. Split it into smaller files."
    ]
    assert '<ul class="errorlist" id="id_file_error"><li>The file has more than 4 rows.' in (
        page.text
    )
    assert Organisation.objects.count() == before


def test_an_import_at_the_row_limit_is_accepted(admin_client, settings):
    settings.IMPORT_MAX_ROWS = 5
    before = Organisation.objects.count()

    page = upload(admin_client, organisations_csv(5))

    assert page.status_code == 302
    assert Organisation.objects.count() == before + 5


def evidence_upload(client, size: int):
    person = PersonFactory()
    return client.post(
        reverse("admin:mentoring_trainingrecord_add"),
        {
            "person": person.pk,
            "kind": "ilm5",
            "status": "completed",
            "date": "2024-03-01",
            "evidence": SimpleUploadedFile(
                "certificate.pdf", b"%" * size, content_type="application/pdf"
            ),
        },
    )


def test_training_evidence_over_10_mb_is_refused_by_its_field(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    page = evidence_upload(admin_client, EVIDENCE_MAX_BYTES + 1)

    assert page.status_code == 200
    assert page.context["adminform"].form.errors["evidence"] == [
        "The evidence file must be smaller than 10 MB."
    ]
    assert TrainingRecord.objects.count() == 0
    assert list(tmp_path.rglob("*")) == []


def test_training_evidence_of_10_mb_is_saved(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    page = evidence_upload(admin_client, EVIDENCE_MAX_BYTES)

    assert page.status_code == 302
    record = TrainingRecord.objects.get()
    assert record.evidence.size == EVIDENCE_MAX_BYTES


BAD_REQUEST_HEADING = "Sorry, we could not accept what was sent"


def assert_plain_400(page, *hidden: str):
    assert page.status_code == 400
    assert page["Content-Type"] == "text/html; charset=utf-8"
    assert f"<h1>{BAD_REQUEST_HEADING}</h1>" in page.text
    for text in ("Traceback", "RequestDataTooBig", "TooManyFields", "DATA_UPLOAD", *hidden):
        assert text not in page.text


def test_a_form_body_over_the_memory_limit_gets_the_plain_400_page(client, settings):
    body = b"email=" + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    page = client.generic(
        "POST", reverse("login"), body, content_type="application/x-www-form-urlencoded"
    )

    assert_plain_400(page, "exceeded")


def test_a_form_with_too_many_fields_gets_the_plain_400_page(client, settings):
    body = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    page = client.generic(
        "POST", reverse("login"), body, content_type="application/x-www-form-urlencoded"
    )

    assert_plain_400(page, "exceeded")


def test_a_multipart_body_over_the_memory_limit_gets_the_plain_400_page(admin_client, settings):
    page = admin_client.post(
        IMPORT_URL,
        {
            "kind": "k" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
            "file": SimpleUploadedFile("practices.csv", organisations_csv(1)),
        },
    )

    assert_plain_400(page, "exceeded")
