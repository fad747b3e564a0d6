import pytest
from django.core.files.base import ContentFile

from tests.auth import sign_in
from tests.factories import (
    IcbFactory,
    OrganisationFactory,
    PersonFactory,
    TrainingRecordFactory,
    coordinator_of,
    finance_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    icb = IcbFactory()
    person = PersonFactory(organisation=OrganisationFactory(parent=icb))
    record = TrainingRecordFactory(person=person)
    record.evidence.save("ilm5-certificate.pdf", ContentFile(b"%PDF-1.4 certificate"))
    return {"icb": icb, "person": person, "url": f"/media/{record.evidence.name}"}


def test_the_person_downloads_their_own_evidence(client, evidence):
    sign_in(client, evidence["person"].user)
    response = client.get(evidence["url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 certificate"
    assert "attachment" in response["Content-Disposition"]


def test_their_coordinator_downloads_it(client, evidence):
    sign_in(client, coordinator_of(evidence["icb"]))
    assert client.get(evidence["url"]).status_code == 200


@pytest.mark.parametrize(
    "who",
    ["coordinator_elsewhere", "finance_of_same_icb", "another_person"],
)
def test_nobody_else_can(client, evidence, who):
    users = {
        "coordinator_elsewhere": lambda: coordinator_of(IcbFactory()),
        "finance_of_same_icb": lambda: finance_of(evidence["icb"]),
        "another_person": lambda: PersonFactory(organisation=evidence["person"].organisation).user,
    }
    sign_in(client, users[who]())
    assert client.get(evidence["url"]).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, evidence):
    response = client.get(evidence["url"])
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/training-evidence/../secret_key",
        "/media/other/1/x.pdf",
        "/media/training-evidence/x/a.pdf",
    ],
)
def test_other_paths_are_not_found(client, evidence, path):
    sign_in(client, evidence["person"].user)
    assert client.get(path).status_code == 404
