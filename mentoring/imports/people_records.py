"""Imports of records that hang off people already on the register: registrations, training,
working relationships. Each row names its people by e-mail."""

from django import forms

from mentoring import registers
from mentoring.imports import fields
from mentoring.imports.base import Importer, Problems, Row
from mentoring.imports.errors import ImportRefusal
from mentoring.models import (
    Person,
    ProfessionalRegistration,
    Register,
    RegistrationStatus,
    RelationshipKind,
    TrainingKind,
    TrainingRecord,
    TrainingStatus,
    WorkingRelationship,
)
from mentoring.scoping import people_visible_to


class PersonRecordImporter(Importer):
    """Resolves the e-mail columns to people (one query) and checks them against the scope."""

    email_columns: tuple[str, ...] = ("email",)

    def people_for(self, rows: list[Row], problems: Problems) -> dict[str, Person]:
        emails = {row.data[c] for row in rows for c in self.email_columns if row.has(c)}
        people = {
            p.user.email: p
            for p in Person.objects.filter(user__email__in=emails).select_related("user")
        }
        visible = None
        if self.user is not None and not self.user.is_superuser:
            visible = set(
                people_visible_to(self.user)
                .filter(user__email__in=emails)
                .values_list("pk", flat=True)
            )
        for row in rows:
            for column in self.email_columns:
                if not row.has(column):
                    continue
                email = row.data[column]
                person = people.get(email)
                if person is None:
                    problems.add(row.line, column, ImportRefusal.UNKNOWN_PERSON, email=email)
                elif visible is not None and person.pk not in visible:
                    problems.add(row.line, column, ImportRefusal.PERSON_OUT_OF_SCOPE, email=email)
        return people

    def check(self, rows, problems):
        self.people = self.people_for(rows, problems)


def _changed(instance, values: dict) -> bool:
    return any(getattr(instance, name) != value for name, value in values.items())


def _apply(instance, values: dict) -> None:
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()


class RegistrationRow(forms.Form):
    email = fields.Email()
    register = fields.Choice(Register.choices)
    number = forms.CharField(max_length=20, error_messages=fields.REQUIRED)
    status = fields.Choice(RegistrationStatus.choices)
    licence_to_practise = fields.YesNo(required=False)
    performers_list = fields.YesNo()
    interim_suspension = fields.YesNo()
    qualified_on = fields.IsoDate()
    independent_prescriber_since = fields.IsoDate(required=False)

    def clean(self):
        data = super().clean()
        register, status = data.get("register"), data.get("status")
        if register and "number" in data:
            data["number"] = registers.normalise_number(data["number"])
            if problem := registers.number_problem(register, data["number"]):
                self.add_error("number", problem)
        if register not in registers.LICENSED_REGISTERS:
            data["licence_to_practise"] = (
                None  # other registers have no licence: the column is ignored
            )
        if register and status:
            if problem := registers.status_problem(register, status):
                self.add_error("status", problem)
            elif "licence_to_practise" in data and (
                problem := registers.licence_problem(register, status, data["licence_to_practise"])
            ):
                self.add_error("licence_to_practise", problem)
        qualified, prescriber = data.get("qualified_on"), data.get("independent_prescriber_since")
        if qualified and prescriber and prescriber < qualified:
            self.add_error(
                "independent_prescriber_since", "this is before the date they qualified."
            )
        return data


class RegistrationImporter(PersonRecordImporter):
    kind = "registrations"
    columns = [
        "email",
        "register",
        "number",
        "status",
        "licence_to_practise",
        "performers_list",
        "interim_suspension",
        "qualified_on",
        "independent_prescriber_since",
    ]
    optional_columns = frozenset({"independent_prescriber_since"})
    form = RegistrationRow

    def check(self, rows, problems):
        super().check(rows, problems)
        self.duplicates(rows, ("register", "number"), "number", problems)
        self.duplicates(rows, ("email", "register"), "register", problems)
        numbers = {row.data["number"] for row in rows if row.has("number")}
        self.existing = {
            (r.register, r.number): r
            for r in ProfessionalRegistration.objects.filter(number__in=numbers)
        }
        held = {
            (r.person_id, r.register): r
            for r in ProfessionalRegistration.objects.filter(person__in=self.people.values())
        }
        for row in rows:
            data, person = row.data, self.people.get(row.data.get("email"))
            if person is None or not row.has("register", "number"):
                continue
            key = (data["register"], data["number"])
            current = self.existing.get(key)
            if current is not None and current.person_id != person.pk:
                problems.add(
                    row.line,
                    "number",
                    ImportRefusal.NUMBER_HELD_BY_ANOTHER,
                    register=data["register"],
                    number=data["number"],
                )
            other = held.get((person.pk, data["register"]))
            if other is not None and other.number != data["number"]:
                problems.add(
                    row.line,
                    "number",
                    ImportRefusal.OTHER_NUMBER_ON_REGISTER,
                    register=data["register"],
                    existing=other.number,
                )

    def save(self, rows):
        for row in rows:
            data = row.data
            values = {
                "person": self.people[data["email"]],
                "status": data["status"],
                "licence_to_practise": data["licence_to_practise"],
                "on_performers_list": data["performers_list"],
                "interim_suspension": data["interim_suspension"],
                "qualified_on": data["qualified_on"],
                "independent_prescriber_since": data["independent_prescriber_since"],
            }
            registration = self.existing.get((data["register"], data["number"]))
            created = registration is None
            if created:
                ProfessionalRegistration.objects.create(
                    register=data["register"], number=data["number"], **values
                )
                changed = True
            elif changed := _changed(registration, values):
                _apply(registration, values)
            self.counted(created, changed)


class TrainingRow(forms.Form):
    email = fields.Email()
    kind = fields.Choice(TrainingKind.choices)
    status = fields.Choice(TrainingStatus.choices)
    date = fields.IsoDate()


class TrainingImporter(PersonRecordImporter):
    """Training keyed by person and kind: a planned ILM5 imported later as completed is updated."""

    kind = "training"
    columns = ["email", "kind", "status", "date"]
    form = TrainingRow

    def check(self, rows, problems):
        super().check(rows, problems)
        self.duplicates(rows, ("email", "kind"), "kind", problems)

    def save(self, rows):
        existing = {
            (t.person_id, t.kind): t
            for t in TrainingRecord.objects.filter(person__in=self.people.values())
        }
        for row in rows:
            data = row.data
            person = self.people[data["email"]]
            values = {"status": data["status"], "date": data["date"]}
            record = existing.get((person.pk, data["kind"]))
            created = record is None
            if created:
                TrainingRecord.objects.create(person=person, kind=data["kind"], **values)
                changed = True
            elif changed := _changed(record, values):
                _apply(record, values)
            self.counted(created, changed)


class RelationshipRow(forms.Form):
    supervisor_email = fields.Email()
    supervisee_email = fields.Email()
    kind = fields.Choice(RelationshipKind.choices)
    start_date = fields.IsoDate()
    end_date = fields.IsoDate(required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "this is before the start date.")
        return data


class RelationshipImporter(PersonRecordImporter):
    kind = "relationships"
    columns = ["supervisor_email", "supervisee_email", "kind", "start_date", "end_date"]
    optional_columns = frozenset({"end_date"})
    email_columns = ("supervisor_email", "supervisee_email")
    form = RelationshipRow

    key = ("supervisor_email", "supervisee_email", "kind", "start_date")

    def check(self, rows, problems):
        for row in rows:
            if row.has("supervisor_email") and row.data["supervisor_email"] == row.data.get(
                "supervisee_email"
            ):
                problems.add(row.line, "supervisee_email", ImportRefusal.SELF_SUPERVISION)
        super().check(rows, problems)
        self.duplicates(rows, self.key, "start_date", problems)

    def save(self, rows):
        people = list(self.people.values())
        existing = {
            (r.supervisor.user.email, r.supervisee.user.email, r.kind, r.start_date): r
            for r in WorkingRelationship.objects.filter(
                supervisor__in=people, supervisee__in=people
            ).select_related("supervisor__user", "supervisee__user")
        }
        for row in rows:
            data = row.data
            relationship = existing.get(tuple(data[c] for c in self.key))
            created = relationship is None
            if created:
                WorkingRelationship.objects.create(
                    supervisor=self.people[data["supervisor_email"]],
                    supervisee=self.people[data["supervisee_email"]],
                    kind=data["kind"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                )
                changed = True
            elif changed := relationship.end_date != data["end_date"]:
                _apply(relationship, {"end_date": data["end_date"]})
            self.counted(created, changed)
