"""Rate cards: the GP preset pays £289 a week and £289 a training session (up to four — the
guidance's £1,156), as rows with their source and date, not constants; other presets pay nothing;
a new rate applies from its date."""

import datetime
from decimal import Decimal

import pytest

from schemes.models import RateCard
from schemes.presets import load_presets
from tests.factories import IcbFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schemes():
    return {s.profession: s for s, _ in load_presets(organisation=IcbFactory())}


def test_the_gp_preset_pays_289_a_week_and_up_to_four_training_sessions(schemes):
    card = schemes["gp"].rate_card

    assert (card.claim_unit, card.training_cap, card.training_unit_cost) == (
        "week",
        4,
        Decimal("2500.00"),
    )
    rates = {rate.kind: rate for rate in card.rates.all()}
    assert rates["mentoring"].amount == rates["training"].amount == Decimal("289.00")
    assert "£289" in rates["mentoring"].source
    assert card.training_cap * rates["training"].amount == Decimal("1156.00")


def test_the_pa_and_pharmacy_presets_pay_nothing(schemes):
    assert not RateCard.objects.filter(scheme__in=[schemes["pa"], schemes["pharmacist"]]).exists()


def test_a_new_rate_applies_from_its_date(schemes):
    card = schemes["gp"].rate_card
    card.rates.create(
        kind="mentoring", amount=Decimal("300.00"), effective_from=datetime.date(2027, 4, 1)
    )
    card = RateCard.objects.prefetch_related("rates").get(pk=card.pk)

    assert card.rate_on("mentoring", datetime.date(2027, 3, 31)).amount == Decimal("289.00")
    assert card.rate_on("mentoring", datetime.date(2027, 4, 1)).amount == Decimal("300.00")
    assert card.rate_on("mentoring", datetime.date(2021, 3, 31)) is None


def test_the_scheme_owner_pays_unless_another_organisation_is_named(schemes):
    card = schemes["gp"].rate_card
    assert card.paying_organisation == schemes["gp"].owner
    card.paid_by = IcbFactory()
    assert card.paying_organisation == card.paid_by
