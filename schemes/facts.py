"""Plain, frozen facts about a person and a scheme: what eligibility rules are evaluated on.

Built from the database by ``schemes.selectors``; the rules themselves never touch the database,
so they can be tested with the source documents' own numbers and nothing else.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class RegistrationFacts:
    register: str
    number: str
    status: str
    licence_to_practise: bool | None = None
    on_performers_list: bool = False
    interim_suspension: bool = False
    qualified_on: datetime.date | None = None
    independent_prescriber_since: datetime.date | None = None
    valid_until: datetime.date | None = None


@dataclass(frozen=True)
class TrainingFacts:
    kind: str
    status: str
    date: datetime.date
    valid_until: datetime.date | None = None


@dataclass(frozen=True)
class PersonFacts:
    profession: str
    organisation_name: str = ""
    organisation_kind: str = ""
    sectors: frozenset[str] = frozenset()
    clinical_sessions_per_week: Decimal | None = None
    intends_extra_session: bool | None = None
    registrations: tuple[RegistrationFacts, ...] = ()
    training: tuple[TrainingFacts, ...] = ()

    def registration(self, register: str) -> RegistrationFacts | None:
        return next((r for r in self.registrations if r.register == register), None)


@dataclass(frozen=True)
class SchemeFacts:
    name: str
    profession: str
    extra: dict = field(default_factory=dict)
