"""Who may open each claim page and make a claim: (who × page) → status, and nothing saved when
refused.

Everyone signed in sees their own claims; a mentor on a paying scheme makes claims; a claim's
page is its claimant's alone — another mentor, a mentee, a coordinator (who decides claims in the
admin) and finance get a 404. Someone who may not claim gets a 403 from the claim form, and
anonymous visitors are sent to sign in.

The world is made once for the module; each test runs in its own transaction inside it.
"""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from reimbursement.models import Claim
from tests import auth
from tests.reimbursement.scene import ClaimScene, mondays_ago

pytestmark = pytest.mark.django_db

WHO = ("anonymous", "claimant", "other_mentor", "mentee", "coordinator", "finance")

# page → expected GET status for each of WHO, in order
GET_MATRIX = {
    "my_claims": (302, 200, 200, 200, 200, 200),
    "claim_new": (302, 200, 200, 403, 403, 403),
    "claim_detail": (302, 200, 404, 404, 404, 404),
}
# a claim for a week of mentoring: a success (302 to the claim) for each mentor's own claim
POST_NEW = (302, 302, 302, 403, 403, 403)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A paying scheme with Mona (who has claimed a week), Olga (another mentor on it, with her
    own mentee), Mona's mentee Enid, the scheme's coordinator and finance."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        scene = ClaimScene()
        olga = scene.mentor("Olga Other")
        scene.pair(olga, scene.mentee("Otto Other"))
        claim = scene.claim(mondays_ago(2))
        users = {
            "anonymous": None,
            "claimant": scene.mentor_user,
            "other_mentor": olga.person.user,
            "mentee": scene.enid.person.user,
            "coordinator": scene.coordinator,
            "finance": scene.finance,
        }
        yield {"claim": claim, "users": users}
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def sign_in(client, world, who):
    user = world["users"][who]
    if user is not None:
        auth.sign_in(client, user)
    return client


def url_of(page: str, world) -> str:
    return reverse(page, args=[world["claim"].pk] if page == "claim_detail" else [])


@pytest.mark.parametrize(
    ("page", "who", "status"),
    [
        (page, who, status)
        for page, statuses in GET_MATRIX.items()
        for who, status in zip(WHO, statuses, strict=True)
    ],
)
def test_who_may_open_each_claim_page(client, world, page, who, status):
    response = sign_in(client, world, who).get(url_of(page, world))

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize(("who", "status"), list(zip(WHO, POST_NEW, strict=True)))
def test_who_may_make_a_claim_and_a_refusal_saves_nothing(client, world, who, status):
    day = mondays_ago(5) + datetime.timedelta(days=2)
    data = {
        "kind": "mentoring",
        "claim_date_day": str(day.day),
        "claim_date_month": str(day.month),
        "claim_date_year": str(day.year),
        "activity": "Preparation and travel.",
    }
    before = Claim.objects.count()

    response = sign_in(client, world, who).post(reverse("claim_new"), data)

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))
        assert Claim.objects.count() == before
    elif status == 302:
        claim = Claim.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
        assert claim.person.user == world["users"][who]
    else:
        assert Claim.objects.count() == before
