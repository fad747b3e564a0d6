"""A small scheme to match: mentors and mentees in practices of one ICB, nobody related unless a
test says so. The scheme has no eligibility rules (see ``tests.schemes.factories``)."""

from matching.models import MatchingPolicy
from tests.factories import IcbFactory, OrganisationFactory, PersonFactory, coordinator_of
from tests.schemes.factories import (
    CohortFactory,
    MenteeEnrolmentFactory,
    MentorEnrolmentFactory,
    SchemeFactory,
)


class Scene:
    def __init__(self, **policy):
        self.icb = IcbFactory(name="NHS Match ICB")
        self.practices = [OrganisationFactory(parent=self.icb) for _ in range(3)]
        self.scheme = SchemeFactory(owner=self.icb, mentor_capacity_min=1)
        MatchingPolicy.objects.create(scheme=self.scheme, **policy)
        self.fellows = CohortFactory(scheme=self.scheme, name="GP fellows", priority=1)
        self.others = CohortFactory(scheme=self.scheme, name="Mid-career GPs", priority=2)
        self.coordinator = coordinator_of(self.icb, email="coord@example.nhs.uk")

    def mentor(self, name, *, practice=0, capacity=2, **person):
        first, last = name.split()
        person = PersonFactory(
            organisation=self.practices[practice],
            user__email=f"{first.lower()}@example.nhs.uk",
            user__first_name=first,
            user__last_name=last,
            **person,
        )
        return MentorEnrolmentFactory(scheme=self.scheme, person=person, capacity=capacity)

    def mentee(self, name, *, practice=1, cohort=None, **person):
        first, last = name.split()
        person = PersonFactory(
            organisation=self.practices[practice],
            user__email=f"{first.lower()}@example.nhs.uk",
            user__first_name=first,
            user__last_name=last,
            **person,
        )
        return MenteeEnrolmentFactory(
            scheme=self.scheme, person=person, cohort=cohort or self.others
        )
