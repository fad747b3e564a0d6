"""The matching part of ``seed_demo``: the three ways schemes match, each at a useful moment.

* GP Supporting Mentors Scheme — mentees choose from the register of mentor profiles
  (``001…``: "a register of mentor profiles", "an online platform to support the matching
  process"). Some pairs have met; one mentee has chosen the demo mentor, who has to answer;
  the demo mentee has not chosen yet and sees a shortlist.
* PA preceptorship — a published round; half of the pairs have held their first meeting.
* Pharmacist IP mentoring — matched on scope of practice and sector (``003…``: "Pairs were
  matched based on prescribing scope and sector of practice"): a round waiting for review.
"""

import datetime
import random

from django.db.models import Count

from matching import rounds, services
from matching.models import MatchingPolicy, MatchingRound, Mentorship, Proposal
from mentoring.demo import ICB_CODE, DemoStep
from mentoring.models import User
from schemes.models import Enrolment, Scheme

COORDINATOR = "coordinator@example.org"


def build(rng: random.Random, today: datetime.date) -> None:
    by = User.objects.get(email=COORDINATOR)
    schemes = {s.profession: s for s in Scheme.objects.filter(owner__code=ICB_CODE)}
    _gp(schemes["gp"], today)
    _pa(schemes["pa"], by, today)
    _pharmacy(schemes["pharmacist"], by, today)


def _gp(scheme: Scheme, today: datetime.date) -> None:
    MatchingPolicy.objects.create(scheme=scheme, mode="choice", shortlist_size=5)
    mentees = list(
        Enrolment.objects.filter(scheme=scheme, role="mentee", left_on__isnull=True)
        .exclude(person__user__email="mentee@example.org")
        .select_related("scheme", "person__user")
        .order_by("person__user__email")[:12]
    )
    demo_mentor = Enrolment.objects.filter(
        scheme=scheme, role="mentor", person__user__email="mentor@example.org"
    ).first()
    for n, mentee in enumerate(mentees):
        offered = [pk for pk, _, _ in services.shortlist(mentee, on_date=today)]
        if n == 0 and demo_mentor is not None and demo_mentor.pk in offered:
            choice = demo_mentor
        elif offered:
            choice = Enrolment.objects.get(pk=offered[n % len(offered)])
        else:
            continue
        if choice == demo_mentor and n != 0:
            continue
        mentorship = services.choose_mentor(
            mentee=mentee, mentor=choice, user=mentee.person.user, on_date=today
        )
        if n == 0:
            continue
        services.respond(mentorship=mentorship, user=choice.person.user, accept=True)
        if n % 2:
            services.record_meeting(
                mentorship=mentorship,
                held_on=today - datetime.timedelta(days=14),
                attended=[choice, mentee],
                by=None,
            )


def _pa(scheme: Scheme, by: User, today: datetime.date) -> None:
    MatchingPolicy.objects.create(scheme=scheme, same_department="hard")
    outcome = rounds.run_round(scheme, by=by, on_date=today)
    proposals = outcome.round.proposals.all()
    rounds.set_status(
        matching_round=outcome.round, proposal_ids=[p.pk for p in proposals], accept=True
    )
    rounds.publish(matching_round=outcome.round, by=by, on_date=today)
    for n, mentorship in enumerate(
        Mentorship.objects.filter(scheme=scheme).prefetch_related("members__enrolment")
    ):
        if n % 2 == 0:
            services.record_meeting(
                mentorship=mentorship,
                held_on=today - datetime.timedelta(days=7),
                attended=[m.enrolment for m in mentorship.members.all()],
                by=None,
            )


def _pharmacy(scheme: Scheme, by: User, today: datetime.date) -> None:
    MatchingPolicy.objects.create(
        scheme=scheme,
        weight_same_sector=50,
        weight_same_scope=40,
        weight_focus_overlap=20,
        weight_same_region=10,
    )
    rounds.run_round(scheme, by=by, on_date=today)


def counts() -> dict[str, int]:
    by_status = dict(Mentorship.objects.values_list("status").annotate(n=Count("pk")))
    return {
        "matching rounds": MatchingRound.objects.count(),
        "proposals waiting for review": Proposal.objects.filter(
            round__status=MatchingRound.Status.READY
        ).count(),
        "mentorships proposed": by_status.get("proposed", 0),
        "mentorships active": by_status.get("active", 0),
    }


STEP = DemoStep(name="matching", build=build, counts=counts)
