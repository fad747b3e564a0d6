"""Reads that are shared or subtle: people's facts for eligibility, what a coordinator may see."""

from django.db.models import F, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from mentoring.models import Person, RoleAssignment, User
from mentoring.scoping import organisation_q
from schemes.facts import PersonFacts, RegistrationFacts, SchemeFacts, TrainingFacts
from schemes.models import EligibilityRule, Enrolment, ParticipantRole, Scheme


def with_facts(people: QuerySet[Person]) -> QuerySet[Person]:
    """People with everything eligibility needs, in a constant number of queries."""
    return people.select_related("organisation").prefetch_related(
        "registrations", "training_records", "sectors"
    )


def person_facts(person: Person, *, sessions=None, intends_extra_session=None) -> PersonFacts:
    """Facts about ``person``; ``sessions`` and ``intends_extra_session`` come from an application
    or enrolment when there is one (what they told this scheme), else from the register."""
    return PersonFacts(
        profession=person.profession,
        organisation_name=person.organisation.name,
        organisation_kind=person.organisation.kind,
        sectors=frozenset(s.name for s in person.sectors.all()),
        clinical_sessions_per_week=(
            sessions if sessions is not None else person.clinical_sessions_per_week
        ),
        intends_extra_session=intends_extra_session,
        registrations=tuple(
            RegistrationFacts(
                register=r.register,
                number=r.number,
                status=r.status,
                licence_to_practise=r.licence_to_practise,
                on_performers_list=r.on_performers_list,
                interim_suspension=r.interim_suspension,
                qualified_on=r.qualified_on,
                independent_prescriber_since=r.independent_prescriber_since,
                valid_until=r.valid_until,
            )
            for r in person.registrations.all()
        ),
        training=tuple(
            TrainingFacts(kind=t.kind, status=t.status, date=t.date, valid_until=t.valid_until)
            for t in person.training_records.all()
        ),
    )


def scheme_facts(scheme: Scheme) -> SchemeFacts:
    return SchemeFacts(name=scheme.name, profession=scheme.profession)


def rule_rows(scheme: Scheme, role: str) -> list[tuple[str, dict, str]]:
    rules = getattr(scheme, "prefetched_rules", None)
    if rules is None:
        rules = list(scheme.eligibility_rules.all())
    return [(r.code, r.params, r.severity) for r in rules if r.role == role]


def with_rules(schemes: QuerySet[Scheme]) -> QuerySet[Scheme]:
    return schemes.prefetch_related(
        Prefetch(
            "eligibility_rules", queryset=EligibilityRule.objects.all(), to_attr="prefetched_rules"
        )
    )


def schemes_visible_to(user) -> QuerySet[Scheme]:
    """Schemes owned by the coordinator's organisations or anything below them."""
    q = organisation_q(user, prefix="owner__")
    return Scheme.objects.all() if q is None else Scheme.objects.filter(q)


def slugs_visible_to(user) -> set[str] | None:
    """The short names of the schemes a coordinator sees; None for a superuser (all)."""
    if organisation_q(user, prefix="owner__") is None:
        return None
    return set(schemes_visible_to(user).values_list("slug", flat=True))


def coordinators_of(scheme: Scheme) -> QuerySet[User]:
    """Coordinators whose scope includes the scheme's owner: assigned to it or an ancestor."""
    ancestors = [int(pk) for pk in scheme.owner.path.strip("/").split("/") if pk]
    return User.objects.filter(
        is_active=True,
        pk__in=RoleAssignment.objects.filter(
            role="coordinator", organisation_id__in=ancestors
        ).values("user"),
    )


def open_to_apply(on_date) -> QuerySet[Scheme]:
    return (
        Scheme.objects.filter(intakes__opens_on__lte=on_date, intakes__closes_on__gte=on_date)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on_date))
        .distinct()
    )


def with_capacity_left(mentors: QuerySet[Enrolment], scheme: Scheme) -> QuerySet[Enrolment]:
    """Mentor enrolments annotated with ``capacity_left``: their capacity (the scheme's most if
    none is set) less the mentees in their proposed or active mentorships, never below 0 — in
    the same query.

    Mentorships belong to ``matching``, which sits above this app, so this counts through the
    reverse relation ``memberships`` by name instead of importing its models."""
    open_mentees = (
        Enrolment.objects.filter(
            role=ParticipantRole.MENTEE,
            memberships__role=ParticipantRole.MENTEE,
            memberships__is_open=True,
            memberships__mentorship__members__enrolment=OuterRef("pk"),
            memberships__mentorship__members__role=ParticipantRole.MENTOR,
        )
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    capacity = Coalesce("capacity", Value(scheme.mentor_capacity_max), output_field=IntegerField())
    taken = Coalesce(Subquery(open_mentees, output_field=IntegerField()), 0)
    return mentors.annotate(capacity_left=Greatest(capacity - taken, Value(0)))
