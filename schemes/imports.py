"""``import_enrolments``: a running scheme moves its register of mentors and mentees in from a
spreadsheet, all-or-nothing like every import. A current mentor who fails a required rule of the
scheme today is a bad row, with the failing rules listed; the checks that pass are stored."""

from django import forms
from django.utils import timezone

from mentoring.imports import fields
from mentoring.imports.base import Importer, Problems, Row, in_batches
from mentoring.imports.errors import ImportRefusal
from mentoring.models import Person
from mentoring.scoping import people_visible_to
from schemes import selectors
from schemes.errors import IMPORT_MESSAGES, EnrolmentImportRefusal
from schemes.models import (
    Cohort,
    EligibilityCheck,
    Enrolment,
    EnrolmentStatus,
    LeaveKind,
    ParticipantRole,
    Scheme,
)
from schemes.rules import evaluate

Refusal = EnrolmentImportRefusal


class EnrolmentRow(forms.Form):
    email = fields.Email()
    scheme = fields.Text(80)
    role = fields.Choice(ParticipantRole.choices)
    cohort = fields.Text(200, required=False)
    capacity = forms.IntegerField(required=False, min_value=1, max_value=100)
    joined_on = fields.IsoDate()
    left_on = fields.IsoDate(required=False)


class EnrolmentImporter(Importer):
    kind = "enrolments"
    label = "Scheme enrolments (mentors and mentees)"
    columns = ["email", "scheme", "role", "cohort", "capacity", "joined_on", "left_on"]
    optional_columns = frozenset({"left_on"})
    form = EnrolmentRow

    def refuse(self, problems: Problems, row: Row, column: str, code: Refusal, **values) -> None:
        problems.add_message(row.line, column, code, IMPORT_MESSAGES[code].format(**values))

    def check(self, rows: list[Row], problems: Problems) -> None:
        today = timezone.localdate()
        slugs = {row.data["scheme"].lower() for row in rows if row.has("scheme")}
        self.schemes = {
            s.slug: s
            for s in selectors.with_rules(
                Scheme.objects.filter(slug__in=slugs).prefetch_related("cohorts")
            )
        }
        visible_schemes = (
            set(
                selectors.schemes_visible_to(self.user)
                .filter(slug__in=slugs)
                .values_list("slug", flat=True)
            )
            if self.restricted
            else None
        )
        emails = {row.data["email"] for row in rows if row.has("email")}
        self.people = {
            p.user.email: p
            for p in in_batches(
                selectors.with_facts(Person.objects.select_related("user")), "user__email", emails
            )
        }
        visible_people = (
            {p.pk for p in in_batches(people_visible_to(self.user), "user__email", emails)}
            if self.restricted
            else None
        )
        self.current = {
            (e.person_id, e.scheme_id, e.role): e
            for e in Enrolment.objects.filter(
                person__in=self.people.values(),
                scheme__in=self.schemes.values(),
                left_on__isnull=True,
            )
        }
        self.duplicates(rows, ("email", "scheme", "role", "joined_on"), "joined_on", problems)
        self.verdicts = {}
        for row in rows:
            data = row.data
            person = self.people.get(data.get("email"))
            if row.has("email") and person is None:
                problems.add(row.line, "email", ImportRefusal.UNKNOWN_PERSON, email=data["email"])
            elif (
                person is not None
                and visible_people is not None
                and person.pk not in visible_people
            ):
                problems.add(
                    row.line, "email", ImportRefusal.PERSON_OUT_OF_SCOPE, email=data["email"]
                )
            scheme = self.schemes.get(data.get("scheme", "").lower()) if row.has("scheme") else None
            if row.has("scheme") and scheme is None:
                self.refuse(problems, row, "scheme", Refusal.UNKNOWN_SCHEME, slug=data["scheme"])
            elif (
                scheme is not None
                and visible_schemes is not None
                and scheme.slug not in visible_schemes
            ):
                self.refuse(
                    problems, row, "scheme", Refusal.SCHEME_OUT_OF_SCOPE, slug=data["scheme"]
                )
            if row.has("joined_on") and data["joined_on"] > today:
                self.refuse(problems, row, "joined_on", Refusal.JOINED_IN_FUTURE)
            if row.has("joined_on", "left_on") and data["left_on"] < data["joined_on"]:
                self.refuse(problems, row, "left_on", Refusal.LEFT_BEFORE_JOINING)
            role = data.get("role")
            if role == ParticipantRole.MENTOR and data.get("cohort"):
                self.refuse(problems, row, "cohort", Refusal.NO_COHORT_FOR_MENTORS)
            if role == ParticipantRole.MENTEE and data.get("capacity") is not None:
                self.refuse(problems, row, "capacity", Refusal.NO_CAPACITY_FOR_MENTEES)
            if scheme is None or role is None:
                continue
            self._check_in_scheme(row, scheme, person, problems, today)

    def _check_in_scheme(self, row, scheme, person, problems, today) -> None:
        data, role = row.data, row.data["role"]
        if role == ParticipantRole.MENTEE and data.get("cohort"):
            data["cohort_row"] = _cohort(scheme, data["cohort"])
            if data["cohort_row"] is None:
                names = ", ".join(c.slug for c in scheme.cohorts.all()) or "none"
                self.refuse(
                    problems,
                    row,
                    "cohort",
                    Refusal.UNKNOWN_COHORT,
                    cohort=data["cohort"],
                    scheme=scheme,
                    cohorts=names,
                )
        capacity = data.get("capacity")
        if (
            role == ParticipantRole.MENTOR
            and capacity is not None
            and not (scheme.mentor_capacity_min <= capacity <= scheme.mentor_capacity_max)
        ):
            self.refuse(
                problems,
                row,
                "capacity",
                Refusal.CAPACITY_OUT_OF_RANGE,
                scheme=scheme,
                low=scheme.mentor_capacity_min,
                high=scheme.mentor_capacity_max,
            )
        if person is None or data.get("left_on"):
            return
        current = self.current.get((person.pk, scheme.pk, role))
        if current is not None and current.joined_on != data.get("joined_on"):
            self.refuse(
                problems,
                row,
                "email",
                Refusal.ALREADY_ENROLLED,
                scheme=scheme,
                role=role,
                joined=current.joined_on.isoformat(),
            )
        if role == ParticipantRole.MENTOR:
            facts = selectors.person_facts(person, intends_extra_session=True)
            verdict = evaluate(
                selectors.rule_rows(scheme, role), facts, selectors.scheme_facts(scheme), today
            )
            self.verdicts[row.line] = verdict
            if not verdict.eligible:
                reasons = " ".join(r.reason for r in verdict.blocking)
                self.refuse(problems, row, "email", Refusal.NOT_ELIGIBLE, reasons=reasons)

    def save(self, rows: list[Row]) -> None:
        existing = {
            (e.person_id, e.scheme_id, e.role, e.joined_on): e
            for e in Enrolment.objects.filter(
                person__in=self.people.values(), scheme__in=self.schemes.values()
            )
        }
        created, changed, checks = [], [], []
        for row in rows:
            data = row.data
            person, scheme = self.people[data["email"]], self.schemes[data["scheme"].lower()]
            mentor = data["role"] == ParticipantRole.MENTOR
            values = {
                "cohort": data.get("cohort_row") if not mentor else None,
                "capacity": (data["capacity"] or scheme.mentor_capacity_max) if mentor else None,
                "left_on": data.get("left_on"),
                "status": EnrolmentStatus.LEFT if data.get("left_on") else EnrolmentStatus.ACTIVE,
                "leave_kind": LeaveKind.LEFT if data.get("left_on") else "",
            }
            verdict = self.verdicts.get(row.line)
            if verdict is not None:
                values["eligible_until"] = verdict.valid_until
                checks.append(
                    EligibilityCheck(
                        person=person,
                        scheme=scheme,
                        role=data["role"],
                        on_date=verdict.on_date,
                        purpose=EligibilityCheck.Purpose.IMPORT,
                        checked_by=self.user,
                        eligible=True,
                        results=[r.as_json() for r in verdict.rules],
                        valid_until=verdict.valid_until,
                    )
                )
            enrolment = existing.get((person.pk, scheme.pk, data["role"], data["joined_on"]))
            if enrolment is None:
                created.append(
                    Enrolment(
                        person=person,
                        scheme=scheme,
                        role=data["role"],
                        joined_on=data["joined_on"],
                        **values,
                    )
                )
                self.counted(True, True)
                continue
            differs = any(
                getattr(enrolment, k) != v for k, v in values.items() if k != "eligible_until"
            )
            if differs:
                for k, v in values.items():
                    setattr(enrolment, k, v)
                enrolment.updated_at = timezone.now()
                changed.append(enrolment)
            self.counted(False, differs)
        Enrolment.objects.bulk_create(created)
        Enrolment.objects.bulk_update(
            changed,
            [
                "cohort",
                "capacity",
                "left_on",
                "status",
                "leave_kind",
                "eligible_until",
                "updated_at",
            ],
        )
        EligibilityCheck.objects.bulk_create(checks)


def _cohort(scheme: Scheme, name: str) -> Cohort | None:
    wanted = name.strip().lower()
    return next(
        (c for c in scheme.cohorts.all() if wanted in (c.slug.lower(), c.name.lower())), None
    )
