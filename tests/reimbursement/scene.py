"""A paid scheme to claim on: the sessions scene (an ICB, its practices, a coordinator and finance
for the ICB, a scheme) with the GP preset's rate card — £289 a week of mentoring activity, £289 a
training session up to four — a mentor with a mentee and a training record, and helpers.

Dates follow ``timezone.localdate()``, so tests may move time with time-machine.
"""

import datetime
from decimal import Decimal

from mentoring.models import TrainingKind, TrainingStatus
from reimbursement import claims, runs
from schemes.models import ClaimKind, Rate, RateCard
from tests.factories import TrainingRecordFactory
from tests.sessions_log.sessions_scene import SessionScene, days_ago

RATE = Decimal("289.00")


def mondays_ago(weeks: int) -> datetime.date:
    return claims.week_of(datetime.date.today()) - datetime.timedelta(weeks=weeks)


class ClaimScene(SessionScene):
    def __init__(self, *, unit="week", training_cap=4, rate=RATE, **scheme_fields):
        super().__init__(**scheme_fields)
        self.card = RateCard.objects.create(
            scheme=self.scheme,
            claim_unit=unit,
            training_cap=training_cap,
            training_unit_cost=Decimal("2500.00"),
        )
        for kind in (ClaimKind.MENTORING, ClaimKind.TRAINING):
            Rate.objects.create(
                rate_card=self.card,
                kind=kind,
                amount=rate,
                effective_from=datetime.date(2021, 4, 1),
            )
        self.mona = self.mentor("Mona Mentor")
        self.mona.joined_on = datetime.date(2024, 4, 1)
        self.mona.save()
        self.enid = self.mentee("Enid Mentee")
        self.pair_ = self.pair(self.mona, self.enid)
        self.training = TrainingRecordFactory(
            person=self.mona.person,
            kind=TrainingKind.ILM5,
            status=TrainingStatus.COMPLETED,
            date=datetime.date(2024, 5, 1),
        )

    @property
    def mentor_user(self):
        return self.mona.person.user

    def held_on(self, day: datetime.date, hour: int = 10):
        today = datetime.date.today()
        return self.held(self.pair_, self.mona, starts_at=days_ago((today - day).days, hour))

    def claim(self, day: datetime.date, *, kind=ClaimKind.MENTORING, activity="Preparation.", **kw):
        if kind == ClaimKind.TRAINING:
            kw.setdefault("training_record", self.training)
        return claims.submit_claim(
            person=self.mona.person,
            scheme=self.scheme,
            kind=kind,
            claimed_date=day,
            by=self.mentor_user,
            activity=activity,
            **kw,
        )

    def approved(self, day: datetime.date, **kw):
        return claims.approve_claim(claim=self.claim(day, **kw), by=self.coordinator)

    def build(self, period: datetime.date):
        return runs.build_run(organisation=self.icb, period=period)
