import pytest
from django.core.exceptions import ValidationError

from tests.factories import IcbFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_path_is_the_chain_of_ids_from_the_root():
    icb = IcbFactory()
    pcn = OrganisationFactory(parent=icb, kind="pcn")
    practice = OrganisationFactory(parent=pcn)

    assert icb.path == f"/{icb.pk}/"
    assert practice.path == f"/{icb.pk}/{pcn.pk}/{practice.pk}/"
    assert practice.is_within(icb)
    assert not icb.is_within(practice)


def test_moving_an_organisation_moves_everything_below_it():
    old_icb, new_icb = IcbFactory(), IcbFactory()
    pcn = OrganisationFactory(parent=old_icb, kind="pcn")
    practice = OrganisationFactory(parent=pcn)

    pcn.parent = new_icb
    pcn.save()
    practice.refresh_from_db()

    assert practice.path == f"/{new_icb.pk}/{pcn.pk}/{practice.pk}/"
    assert practice.is_within(new_icb)
    assert not practice.is_within(old_icb)


def test_an_organisation_cannot_be_placed_under_its_own_descendant():
    icb = IcbFactory()
    pcn = OrganisationFactory(parent=icb, kind="pcn")

    icb.parent = pcn
    with pytest.raises(ValidationError) as refusal:
        icb.full_clean()
    assert "descendants" in str(refusal.value)


def test_an_organisation_cannot_be_its_own_parent():
    icb = IcbFactory()
    icb.parent = icb
    with pytest.raises(ValidationError):
        icb.full_clean()
