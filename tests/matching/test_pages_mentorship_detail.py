"""A mentorship as its members see it: each other's contact details once proposed (never before,
never to anyone else, not after it ended), accepting and declining with the next offer,
asking for a different mentor in confidence, deciding not to continue."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from matching import services
from matching.models import (
    EndReason,
    MatchingRound,
    Mentorship,
    MentorshipMember,
    Proposal,
    RematchRequest,
)
from mentoring.models import Notification
from tests.auth import sign_in
from tests.matching.pairs import Scene

pytestmark = pytest.mark.django_db

CONTACTS = {
    "Mona": {"work_email": "mona.work@nhs.net", "work_phone": "020 7946 0001"},
    "Enid": {"work_email": "enid.work@nhs.net", "work_phone": "020 7946 0002"},
    "Nora": {"work_email": "nora.work@nhs.net", "work_phone": "020 7946 0003"},
}
REASON = "We clashed over how often to meet and I feel uneasy raising it."


@pytest.fixture
def scene():
    return Scene()


@pytest.fixture
def mona(scene):
    return scene.mentor("Mona Mentor", **CONTACTS["Mona"])


@pytest.fixture
def enid(scene):
    return scene.mentee("Enid Mentee", **CONTACTS["Enid"])


def pair(mentor, mentee):
    return services.create_mentorship(mentors=[mentor], mentees=[mentee], source="manual", by=None)


def start(mentorship, mentor, mentee):
    return services.record_meeting(
        mentorship=mentorship, held_on=datetime.date.today(), attended=[mentor, mentee], by=None
    )


def page_of(client, enrolment, mentorship) -> str:
    sign_in(client, enrolment.person.user)
    response = client.get(reverse("mentorship_detail", args=[mentorship.pk]))
    assert response.status_code == 200
    return response.text


def contacts_of(name) -> tuple[str, str]:
    return CONTACTS[name]["work_email"], CONTACTS[name]["work_phone"]


# contact details ------------------------------------------------------------------------------
def test_once_proposed_each_side_sees_the_others_work_email_and_phone(client, mona, enid):
    mentorship = pair(mona, enid)

    as_mentor = page_of(client, mona, mentorship)
    as_mentee = page_of(client, enid, mentorship)

    for text in (*contacts_of("Enid"), "Enid Mentee", enid.person.organisation.name, "GP"):
        assert text in as_mentor
    for text in (*contacts_of("Mona"), "Mona Mentor", mona.person.organisation.name):
        assert text in as_mentee
    assert 'href="mailto:mona.work@nhs.net"' in as_mentee
    assert 'href="tel:02079460001"' in as_mentee
    assert "Your mentor: Mona Mentor" in as_mentee
    assert "Your mentee: Enid Mentee" in as_mentor


def test_the_sign_in_email_stands_in_for_a_missing_work_email(client, scene, enid):
    mentor = scene.mentor("Ada Mentor")
    mentorship = pair(mentor, enid)

    page = page_of(client, enid, mentorship)

    assert "ada@example.nhs.uk" in page
    assert "Not given" in page  # no work phone recorded


def test_before_a_proposal_no_contact_details_show_anywhere(client, scene, mona, enid):
    """A round's suggestion not yet published is not a proposal: the pair do not see each other."""
    round_ = MatchingRound.objects.create(scheme=scene.scheme, status="ready")
    Proposal.objects.create(round=round_, mentor=mona, mentee=enid, score=1)
    scene.scheme.matching_policy.mode = "choice"
    scene.scheme.matching_policy.save()

    sign_in(client, enid.person.user)
    pages = [
        client.get(reverse("mentorships")).text,
        client.get(reverse("shortlist", args=[scene.scheme.slug])).text,
    ]
    sign_in(client, mona.person.user)
    pages.append(client.get(reverse("mentorships")).text)

    assert "Mona Mentor" in pages[1]  # on the shortlist, with her public profile only
    for page in pages:
        for text in (*contacts_of("Mona"), *contacts_of("Enid"), "mona@example.nhs.uk"):
            assert text not in page
    assert "Enid Mentee" not in pages[2]


def test_people_outside_the_mentorship_never_see_its_contacts(client, scene, mona, enid):
    mentorship = pair(mona, enid)
    nora = scene.mentee("Nora Outsider", **CONTACTS["Nora"])
    sign_in(client, nora.person.user)

    assert client.get(reverse("mentorship_detail", args=[mentorship.pk])).status_code == 404
    for url in (reverse("mentorships"), reverse("shortlist", args=[scene.scheme.slug])):
        page = client.get(url).text
        for text in (*contacts_of("Mona"), *contacts_of("Enid"), "Enid Mentee"):
            assert text not in page


def test_contacts_are_no_longer_shown_once_it_ended(client, mona, enid):
    mentorship = pair(mona, enid)
    services.end_mentorship(mentorship=mentorship, reason=EndReason.COORDINATOR, by=None)

    for viewer, other in ((mona, "Enid"), (enid, "Mona")):
        page = page_of(client, viewer, mentorship)
        assert "This mentorship has ended." in page
        for text in contacts_of(other):
            assert text not in page


def test_the_mentee_never_sees_the_score_breakdown(client, mona, enid):
    mentorship = pair(mona, enid)
    assert mentorship.breakdown

    page = page_of(client, enid, mentorship)

    assert "score" not in page.lower()
    for key in mentorship.breakdown:
        assert f">{key}<" not in page


# answering ------------------------------------------------------------------------------------
def respond(client, enrolment, mentorship, answer):
    sign_in(client, enrolment.person.user)
    return client.post(reverse("mentorship_respond", args=[mentorship.pk]), {"answer": answer})


def response_of(enrolment, mentorship) -> str:
    return MentorshipMember.objects.get(mentorship=mentorship, enrolment=enrolment).response


def test_a_member_who_has_not_answered_sees_accept_and_decline(client, mona, enid):
    mentorship = pair(mona, enid)

    page = page_of(client, mona, mentorship)

    assert "Do you accept this match?" in page
    assert 'name="answer" value="accept">Accept the match</button>' in page
    assert 'name="answer" value="decline">Decline the match</button>' in page


def test_accepting_records_the_answer_and_says_who_is_still_to_answer(client, mona, enid):
    mentorship = pair(mona, enid)

    response = respond(client, mona, mentorship, "accept")

    assert response.status_code == 302
    assert response["Location"] == reverse("mentorship_detail", args=[mentorship.pk])
    assert response_of(mona, mentorship) == "accepted"
    page = page_of(client, mona, mentorship)
    assert "You accepted the match." in page
    assert "We are waiting for Enid Mentee to answer." in page
    assert "Accept the match" not in page


@pytest.mark.parametrize("answer", ["", "maybe"])
def test_a_bad_answer_is_explained_and_changes_nothing(client, mona, enid, answer):
    mentorship = pair(mona, enid)

    response = respond(client, mona, mentorship, answer)

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Choose whether to accept or decline the match" in response.text
    assert '<a href="#id_answer">' in response.text
    assert response_of(mona, mentorship) == "pending"


def test_answering_twice_is_refused_with_the_reason(client, mona, enid):
    mentorship = pair(mona, enid)
    respond(client, mona, mentorship, "accept")

    response = respond(client, mona, mentorship, "decline")

    assert response.status_code == 200
    assert "You have already accepted this mentorship." in response.text
    assert response_of(mona, mentorship) == "accepted"
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.PROPOSED


def test_when_the_mentor_declines_the_mentee_is_offered_the_next_best_mentor(
    client, scene, mona, enid, django_capture_on_commit_callbacks
):
    scene.mentor("Nina Next")
    mentorship = pair(mona, enid)

    with django_capture_on_commit_callbacks(execute=True):
        response = respond(client, mona, mentorship, "decline")

    assert response["Location"] == reverse("mentorships")
    mentorship.refresh_from_db()
    assert (mentorship.status, mentorship.end_reason) == ("ended", EndReason.MENTOR_DECLINED)
    offer = Mentorship.objects.get(members__enrolment=enid, status="proposed")
    assert offer.members.get(role="mentor").enrolment.person.full_name == "Nina Next"
    sign_in(client, enid.person.user)
    overview = client.get(reverse("mentorships")).text
    assert "Nina Next" in overview and "Waiting for your answer" in overview
    assert reverse("mentorship_detail", args=[offer.pk]) in overview


def test_when_the_mentee_declines_they_are_offered_the_next_best_mentor(
    client, scene, mona, enid, django_capture_on_commit_callbacks
):
    scene.mentor("Nina Next")
    mentorship = pair(mona, enid)

    with django_capture_on_commit_callbacks(execute=True):
        respond(client, enid, mentorship, "decline")

    assert Mentorship.objects.get(members__enrolment=enid, status="proposed") != mentorship
    assert "This mentorship has ended." in page_of(client, mona, mentorship)


# asking for a different mentor, in confidence -------------------------------------------------
def ask_for_another(client, mentee, mentorship, reason=REASON):
    sign_in(client, mentee.person.user)
    return client.post(reverse("mentorship_rematch", args=[mentorship.pk]), {"reason": reason})


@pytest.mark.parametrize("active", [False, True])
def test_the_mentee_sees_how_to_ask_for_a_different_mentor_and_the_mentor_does_not(
    client, mona, enid, active
):
    mentorship = pair(mona, enid)
    if active:
        start(mentorship, mona, enid)
    link = reverse("mentorship_rematch", args=[mentorship.pk])

    assert link in page_of(client, enid, mentorship)
    as_mentor = page_of(client, mona, mentorship)
    assert link not in as_mentor
    assert "different mentor" not in as_mentor


def test_the_request_form_says_only_coordinators_will_see_it(client, mona, enid):
    mentorship = pair(mona, enid)
    sign_in(client, enid.person.user)

    page = client.get(reverse("mentorship_rematch", args=[mentorship.pk])).text

    assert "Only the scheme's coordinators will see that you asked and why." in page
    assert '<label class="nhsuk-label" for="id_reason">' in page
    assert "Why would you like a different mentor?" in page


def test_asking_for_a_different_mentor_ends_it_and_keeps_the_reason_for_coordinators(
    client, scene, mona, enid, django_capture_on_commit_callbacks
):
    scene.mentor("Nina Next")
    mentorship = pair(mona, enid)
    start(mentorship, mona, enid)

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_another(client, enid, mentorship)

    assert response.status_code == 302
    assert response["Location"] == reverse("mentorships")
    request = RematchRequest.objects.get(mentorship=mentorship)
    assert request.reason == REASON
    mentorship.refresh_from_db()
    assert mentorship.end_reason == EndReason.REMATCH_REQUESTED
    assert Notification.objects.filter(recipient=scene.coordinator, kind="rematch_requested")
    page = page_of(client, enid, mentorship)
    assert "You asked for a different mentor." in page
    assert REASON not in page
    offer = Mentorship.objects.get(members__enrolment=enid, status="proposed")
    assert offer.members.get(role="mentor").enrolment.person.full_name == "Nina Next"


def test_the_mentor_is_told_only_that_the_mentorship_ended(
    client, mona, enid, django_capture_on_commit_callbacks
):
    mentorship = pair(mona, enid)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ask_for_another(Client(), enid, mentorship)  # the mentee's own browser

    page = page_of(client, mona, mentorship)
    overview = client.get(reverse("mentorships")).text
    notifications = client.get(reverse("notifications")).text
    told = Notification.objects.filter(recipient=mona.person.user).exclude(
        kind="mentorship_proposed"
    )
    assert [n.kind for n in told] == ["mentorship_ended"]
    emails = [m for m in mail.outbox if mona.person.user.email in m.to]
    assert len(emails) == 1
    texts = [
        page,
        overview,
        notifications,
        *(f"{n.subject} {n.summary}" for n in told),
        *(f"{m.subject} {m.body} {m.alternatives[0][0]}" for m in emails),
    ]
    assert "This mentorship has ended." in page
    for text in texts:
        for secret in (REASON, "different mentor", "asked", "rematch", "declined", "confidential"):
            assert secret not in text.lower(), (secret, text)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_request_without_a_reason_is_refused_by_the_field_and_changes_nothing(
    client, mona, enid, reason
):
    mentorship = pair(mona, enid)

    response = ask_for_another(client, enid, mentorship, reason)

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'id="id_reason_error"' in response.text
    assert "Enter why you would like a different mentor" in response.text
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.PROPOSED
    assert not RematchRequest.objects.exists()


def test_a_mentee_in_a_group_talks_to_the_coordinator_instead(client, scene, mona, enid):
    other = scene.mentee("Gail Group")
    mona.capacity = 4
    mona.save()
    group = services.create_mentorship(
        mentors=[mona], mentees=[enid, other], source="manual", by=None, kind="group"
    )

    assert reverse("mentorship_rematch", args=[group.pk]) not in page_of(client, enid, group)
    assert client.get(reverse("mentorship_rematch", args=[group.pk])).status_code == 404


# deciding not to continue ----------------------------------------------------------------------
def test_either_side_may_decide_not_to_continue_once_it_is_active(
    client, scene, mona, enid, django_capture_on_commit_callbacks
):
    scene.mentor("Nina Next")
    mentorship = pair(mona, enid)
    link = reverse("mentorship_not_continuing", args=[mentorship.pk])
    assert link not in page_of(client, mona, mentorship)
    start(mentorship, mona, enid)
    assert link in page_of(client, enid, mentorship)
    assert link in page_of(client, mona, mentorship)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"note": "Our diaries never line up."})

    assert response["Location"] == reverse("mentorships")
    mentorship.refresh_from_db()
    assert (mentorship.status, mentorship.end_reason) == ("ended", EndReason.NOT_CONTINUING)
    assert mentorship.end_note == "Our diaries never line up."
    assert Mentorship.objects.filter(members__enrolment=enid, status="proposed").exists()


def test_the_not_continuing_page_explains_it_is_without_fault(client, mona, enid):
    mentorship = pair(mona, enid)
    start(mentorship, mona, enid)
    sign_in(client, enid.person.user)

    page = client.get(reverse("mentorship_not_continuing", args=[mentorship.pk])).text

    assert "It is nobody's fault, and you do not have to say why." in page
    assert "We then offer you another mentor." in page
    assert ">End the mentorship<" in page or 'value="End the mentorship"' in page
