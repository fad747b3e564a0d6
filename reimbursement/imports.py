"""``import_claims``: a scheme already running brings its claims history from a spreadsheet.

All-or-nothing like every import. Each row goes through ``claims.check_claim`` — exactly the
rules of an online claim — against the claims already stored and the file's earlier rows; only
the logged sessions behind a claim are not asked for (the history predates the system).
``paid`` rows are claims an earlier system paid: no run pays them again (runs take approved
claims only), but the ledger counts them as spend. Running the same file twice changes nothing:
a row matching a claim it imported before is counted as unchanged.
"""

from django import forms
from django.utils import timezone

from mentoring.imports import fields
from mentoring.imports.base import Importer, Problems, Row, in_batches
from mentoring.imports.errors import ImportRefusal
from mentoring.models import Person, TrainingRecord, User
from mentoring.scoping import people_visible_to
from reimbursement import claims
from reimbursement.errors import ClaimRefusal
from reimbursement.models import Claim, ClaimStatus
from schemes.models import ClaimKind, Scheme
from schemes.selectors import schemes_visible_to

DECIDED = {ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.PAID}
DECIDER_MESSAGES = {
    "unknown": "nobody has the email address “{email}”.",
    "self": "a claim is never decided by the mentor who made it.",
    "own": "you cannot bring in a decided claim of your own: someone else must import it.",
    "undecided": "a submitted claim has not been decided: leave this blank.",
    "scheme": "“{slug}” is not one of the schemes you coordinate.",
    "unknown_scheme": "no scheme has the slug “{slug}”.",
}


class ClaimRow(forms.Form):
    email = fields.Email()
    scheme = fields.Text(80)
    kind = fields.Choice(ClaimKind.choices)
    claim_date = fields.IsoDate()
    status = fields.Choice(ClaimStatus.choices)
    decided_by_email = fields.Email(required=False)


class ClaimImporter(Importer):
    kind = "claims"
    label = "Claims history (mentoring weeks or meetings, training sessions)"
    columns = ["email", "scheme", "kind", "claim_date", "status", "decided_by_email"]
    form = ClaimRow

    def check(self, rows: list[Row], problems: Problems) -> None:
        slugs = {row.data["scheme"].lower() for row in rows if row.has("scheme")}
        self.schemes = {s.slug: s for s in Scheme.objects.filter(slug__in=slugs)}
        visible_schemes = (
            set(schemes_visible_to(self.user).filter(slug__in=slugs).values_list("slug", flat=True))
            if self.restricted
            else None
        )
        emails = {row.data[c] for row in rows for c in ("email", "decided_by_email") if row.has(c)}
        users = {u.email: u for u in in_batches(User.objects.all(), "email", emails)}
        self.people = {
            p.user.email: p
            for p in in_batches(Person.objects.select_related("user"), "user__email", emails)
        }
        visible_people = (
            {p.pk for p in in_batches(people_visible_to(self.user), "user__email", emails)}
            if self.restricted
            else None
        )
        pairs, self.rows_of = [], {}
        for row in rows:
            person = self.people.get(row.data.get("email")) if row.has("email") else None
            scheme = self.schemes.get(row.data["scheme"].lower()) if row.has("scheme") else None
            if row.has("email") and person is None:
                problems.add(
                    row.line, "email", ImportRefusal.UNKNOWN_PERSON, email=row.data["email"]
                )
            elif person and visible_people is not None and person.pk not in visible_people:
                problems.add(
                    row.line, "email", ImportRefusal.PERSON_OUT_OF_SCOPE, email=row.data["email"]
                )
            if row.has("scheme") and scheme is None:
                self._say(problems, row, "scheme", "unknown_scheme", slug=row.data["scheme"])
            elif scheme and visible_schemes is not None and scheme.slug not in visible_schemes:
                self._say(problems, row, "scheme", "scheme", slug=row.data["scheme"])
            self._check_decider(row, users, problems)
            if person and scheme:
                pairs.append((person, scheme))
                self.rows_of[row.line] = (person, scheme)
        self.contexts = claims.contexts_for(pairs)
        self.before = {
            (c.person_id, c.scheme_id, c.unit, c.period_start, c.status): c
            for c in Claim.objects.filter(
                imported=True,
                person__in={p for p, _ in pairs},
                scheme__in={s for _, s in pairs},
            )
        }
        self.records = {}
        for record in TrainingRecord.objects.filter(person__in={p for p, _ in pairs}).order_by(
            "date"
        ):
            self.records[record.person_id] = record
        self.unchanged = set()
        for row in rows:
            if row.line not in self.rows_of or not row.has("kind", "claim_date", "status"):
                continue
            self._check_rules(row, problems)

    def _say(self, problems, row, column, key, **values):
        problems.add_message(
            row.line, column, ImportRefusal.INVALID, DECIDER_MESSAGES[key].format(**values)
        )

    def _check_decider(self, row, users, problems):
        own = self.user is not None and row.data.get("email") == self.user.email.lower()
        if own and row.data.get("status") in DECIDED:
            # Importing one's own approved (or paid) claim would approve it: segregation of duties.
            problems.add_message(
                row.line, "status", ClaimRefusal.OWN_CLAIM, DECIDER_MESSAGES["own"]
            )
        decider_email = row.data.get("decided_by_email")
        if not decider_email:
            return
        decider = users.get(decider_email)
        if decider is None:
            self._say(problems, row, "decided_by_email", "unknown", email=decider_email)
        elif decider_email == row.data.get("email"):
            problems.add_message(
                row.line,
                "decided_by_email",
                ClaimRefusal.OWN_CLAIM,
                DECIDER_MESSAGES["self"],
            )
        elif row.data.get("status") == ClaimStatus.SUBMITTED:
            self._say(problems, row, "decided_by_email", "undecided")
        row.data["decider"] = decider

    def _check_rules(self, row: Row, problems: Problems) -> None:
        person, scheme = self.rows_of[row.line]
        ctx = self.contexts[person.pk, scheme.pk]
        data = row.data
        unit = claims.unit_for(data["kind"], ctx.rate_card)
        if unit is not None:
            period = claims.period_for(unit, data["claim_date"])
            if (person.pk, scheme.pk, unit, period, data["status"]) in self.before:
                self.unchanged.add(row.line)
                return
        live = data["status"] != ClaimStatus.REJECTED
        found = claims.check_claim(
            ctx, kind=data["kind"], claimed_date=data["claim_date"], live=live
        )
        for found_problem in found:
            problems.add_message(
                row.line, found_problem.field, found_problem.code, found_problem.message
            )
        if not found and live:
            ctx.take(unit, period)

    def save(self, rows: list[Row]) -> None:
        now = timezone.now()
        created = []
        for row in rows:
            if row.line in self.unchanged:
                self.counted(False, False)
                continue
            data = row.data
            person, scheme = self.rows_of[row.line]
            ctx = self.contexts[person.pk, scheme.pk]
            unit = claims.unit_for(data["kind"], ctx.rate_card)
            period = claims.period_for(unit, data["claim_date"])
            decided = data["status"] in DECIDED
            fixed = data["status"] in (ClaimStatus.APPROVED, ClaimStatus.PAID)
            rate = ctx.rate_card.rate_on(data["kind"], period) if fixed else None
            created.append(
                Claim(
                    person=person,
                    scheme=scheme,
                    enrolment=claims.covering_enrolment(ctx, data["claim_date"]),
                    kind=data["kind"],
                    unit=unit,
                    claimed_date=data["claim_date"],
                    period_start=period,
                    training_record=(
                        self.records.get(person.pk) if data["kind"] == ClaimKind.TRAINING else None
                    ),
                    status=data["status"],
                    rate=rate,
                    amount=rate.amount if rate else None,
                    submitted_by=self.user,
                    submitted_at=now,
                    decided_by=data.get("decider") if decided else None,
                    decided_at=now if decided else None,
                    decision_reason="Imported from an earlier system." if decided else "",
                    imported=True,
                )
            )
            self.counted(True, True)
        Claim.objects.bulk_create(created, batch_size=2000)
