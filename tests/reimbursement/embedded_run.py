"""Run by ``test_embedded_database.py`` in a child process on SQLite (the embedded mode of
``scripts/run.sh``): migrate an in-memory database, build and approve a run with pence and a
negative adjustment, and print what the export says — so the build's hand-written SQL is tested
on the embedded database as well as on PostgreSQL."""

import datetime
import json
import os
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from mentoring.models import Organisation, Person, ProfessionalRegistration, Role, User
    from mentoring.roles import grant_role
    from reimbursement import runs, selectors
    from reimbursement.models import Claim
    from schemes.models import Enrolment, Rate, RateCard, Scheme

    icb = Organisation.objects.create(code="EMB", name="Embedded ICB", kind="icb")
    scheme = Scheme.objects.create(
        slug="emb-gp",
        name="GP scheme",
        owner=icb,
        profession="gp",
        starts_on=datetime.date(2026, 4, 1),
    )
    card = RateCard.objects.create(scheme=scheme, claim_unit="week", training_cap=4)
    rate = Rate.objects.create(
        rate_card=card,
        kind="mentoring",
        amount=Decimal("289.10"),
        effective_from=datetime.date(2021, 4, 1),
    )
    finance = User.objects.create_user(email="finance@example.org", password="x")
    grant_role(user=finance, role=Role.FINANCE, organisation=icb)
    for n, payee in enumerate(["=CMD()", "P-2"]):
        user = User.objects.create_user(
            email=f"m{n}@example.org", password="x", first_name=f"Ann{n}", last_name="Mentor"
        )
        person = Person.objects.create(
            user=user, profession="gp", organisation=icb, payee_reference=payee
        )
        ProfessionalRegistration.objects.create(
            person=person,
            register="GMC",
            number=f"700000{n}",
            status="registered",
            licence_to_practise=True,
        )
        enrolment = Enrolment.objects.create(
            person=person,
            scheme=scheme,
            role="mentor",
            capacity=4,
            joined_on=datetime.date(2026, 4, 1),
        )
        for week in range(3):
            monday = datetime.date(2026, 5, 4) + datetime.timedelta(weeks=week)
            Claim.objects.create(
                person=person,
                scheme=scheme,
                enrolment=enrolment,
                kind="mentoring",
                unit="week",
                claimed_date=monday,
                period_start=monday,
                status="approved",
                rate=rate,
                amount=rate.amount,
                submitted_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
            )
    runs.add_adjustment(
        person=Person.objects.get(user__email="m1@example.org"),
        scheme=scheme,
        amount=Decimal("-0.30"),
        reason="Overpaid.",
        by=finance,
    )
    period = datetime.date(2026, 5, 1)
    first = runs.build_run(organisation=icb, period=period, today=datetime.date(2026, 6, 15))
    again = runs.build_run(organisation=icb, period=period, today=datetime.date(2026, 6, 15))
    run = runs.approve_run(run=first.run, by=finance)
    print(
        json.dumps(
            {
                "changed_again": again.changed,
                "total": str(run.total_amount),
                "rows": [[str(value) for value in row] for row in selectors.export_rows(run)],
            }
        )
    )


if __name__ == "__main__":
    main()
