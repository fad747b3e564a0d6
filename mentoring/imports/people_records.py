"""Imports of records that hang off people already on the register: registrations, training,
working relationships. Each row names its people by e-mail; all three save in bulk."""

from django import forms
from django.utils import timezone

from mentoring import registers
from mentoring.imports import fields
from mentoring.imports.base import Importer, Problems, Row, in_batches
from mentoring.imports.errors import ImportRefusal
from mentoring.imports.fields import refusal
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

    def check(self, rows: list[Row], problems: Problems) -> None:
        emails = {row.data[c] for row in rows for c in self.email_columns if row.has(c)}
        #: e-mail → person id, for everyone the file names who is on the register
        self.people: dict[str, int] = dict(
            in_batches(Person.objects.values_list("user__email", "pk"), "user__email", emails)
        )
        #: the ids of those people a coordinator may change (None: anyone)
        self.visible: set[int] | None = None
        if self.restricted:
            self.visible = set(
                in_batches(
                    people_visible_to(self.user).values_list("pk", flat=True),
                    "user__email",
                    emails,
                )
            )
        for row in rows:
            for column in self.email_columns:
                if not row.has(column):
                    continue
                email = row.data[column]
                person = self.people.get(email)
                if person is None:
                    problems.add(row.line, column, ImportRefusal.UNKNOWN_PERSON, email=email)
                elif not self.may_change(person):
                    problems.add(row.line, column, ImportRefusal.PERSON_OUT_OF_SCOPE, email=email)

    def may_change(self, person: int) -> bool:
        return self.visible is None or person in self.visible

    def write(self, model, new: list, changed: list, fields: list[str]) -> None:
        """Insert ``new`` and update ``changed`` (their ``fields`` and ``updated_at``) in bulk."""
        now = timezone.now()
        for instance in changed:
            instance.updated_at = now
        model.objects.bulk_create(new)
        model.objects.bulk_update(changed, [*fields, "updated_at"])


def _differs(instance, values: dict) -> bool:
    if any(getattr(instance, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(instance, name, value)
        return True
    return False


class RegistrationRow(forms.Form):
    email = fields.Email()
    register = fields.Choice(Register.choices)
    number = fields.Text(20)
    status = fields.Choice(RegistrationStatus.choices)
    # Read only on the GMC register: other registers have no licence, so the column is ignored.
    licence_to_practise = forms.CharField(required=False)
    performers_list = fields.YesNo()
    interim_suspension = fields.YesNo()
    qualified_on = fields.IsoDate()
    independent_prescriber_since = fields.IsoDate(required=False)

    def clean(self):
        data = super().clean()
        register, status = data.get("register"), data.get("status")
        licence, licence_known = None, True
        if register in registers.LICENSED_REGISTERS:
            try:
                licence = fields.yes_or_no(data.get("licence_to_practise"))
            except forms.ValidationError as error:
                self.add_error("licence_to_practise", error)
                licence_known = False
        data["licence_to_practise"] = licence
        if register and "number" in data:
            data["number"] = registers.normalise_number(data["number"])
            if problem := registers.number_problem(register, data["number"]):
                self.add_error("number", refusal(ImportRefusal.NUMBER_PROBLEM, problem=problem))
        if register and status:
            if problem := registers.status_problem(register, status):
                self.add_error("status", refusal(ImportRefusal.STATUS_PROBLEM, problem=problem))
            elif licence_known and (
                problem := registers.licence_problem(register, status, licence)
            ):
                self.add_error(
                    "licence_to_practise", refusal(ImportRefusal.LICENCE_PROBLEM, problem=problem)
                )
        qualified, prescriber = data.get("qualified_on"), data.get("independent_prescriber_since")
        if qualified and prescriber and prescriber < qualified:
            self.add_error(
                "independent_prescriber_since", refusal(ImportRefusal.PRESCRIBER_BEFORE_QUALIFIED)
            )
        return data


class RegistrationImporter(PersonRecordImporter):
    """Registrations keyed by register and number; one number per person on each register."""

    kind = "registrations"
    label = "Professional registrations"
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
    saved_fields = [
        "status",
        "licence_to_practise",
        "on_performers_list",
        "interim_suspension",
        "qualified_on",
        "independent_prescriber_since",
    ]

    def check(self, rows, problems):
        super().check(rows, problems)
        self.duplicates(rows, ("register", "number"), "number", problems)
        self.duplicates(rows, ("email", "register"), "register", problems)
        self.existing = {
            (r.register, r.number): r
            for r in in_batches(
                ProfessionalRegistration.objects.all(),
                "number",
                (row.data["number"] for row in rows if row.has("number")),
            )
        }
        held = {
            (person_id, register): number
            for person_id, register, number in in_batches(
                ProfessionalRegistration.objects.values_list("person_id", "register", "number"),
                "person_id",
                self.people.values(),
            )
        }
        for row in rows:
            data, person = row.data, self.people.get(row.data.get("email"))
            # Nothing is said about the registrations of someone out of scope.
            if person is None or not self.may_change(person) or not row.has("register", "number"):
                continue
            current = self.existing.get((data["register"], data["number"]))
            if current is not None and current.person_id != person:
                problems.add(
                    row.line,
                    "number",
                    ImportRefusal.NUMBER_HELD_BY_ANOTHER,
                    register=data["register"],
                    number=data["number"],
                )
            other = held.get((person, data["register"]))
            if other is not None and other != data["number"]:
                problems.add(
                    row.line,
                    "number",
                    ImportRefusal.OTHER_NUMBER_ON_REGISTER,
                    register=data["register"],
                    existing=other,
                )

    def save(self, rows):
        new, changed = [], []
        for row in rows:
            data = row.data
            values = {
                "status": data["status"],
                "licence_to_practise": data["licence_to_practise"],
                "on_performers_list": data["performers_list"],
                "interim_suspension": data["interim_suspension"],
                "qualified_on": data["qualified_on"],
                "independent_prescriber_since": data["independent_prescriber_since"],
            }
            registration = self.existing.get((data["register"], data["number"]))
            if registration is None:
                new.append(
                    ProfessionalRegistration(
                        person_id=self.people[data["email"]],
                        register=data["register"],
                        number=data["number"],
                        **values,
                    )
                )
                self.counted(True, True)
            else:
                is_changed = _differs(registration, values)
                if is_changed:
                    changed.append(registration)
                self.counted(False, is_changed)
        self.write(ProfessionalRegistration, new, changed, self.saved_fields)


class TrainingRow(forms.Form):
    email = fields.Email()
    kind = fields.Choice(TrainingKind.choices)
    status = fields.Choice(TrainingStatus.choices)
    date = fields.IsoDate()


class TrainingImporter(PersonRecordImporter):
    """Training keyed by person and kind: a planned ILM5 imported later as completed is updated."""

    kind = "training"
    label = "Mentoring training"
    columns = ["email", "kind", "status", "date"]
    form = TrainingRow

    def check(self, rows, problems):
        super().check(rows, problems)
        self.duplicates(rows, ("email", "kind"), "kind", problems)

    def save(self, rows):
        existing = {
            (t.person_id, t.kind): t
            for t in in_batches(TrainingRecord.objects.all(), "person_id", self.people.values())
        }
        new, changed = [], []
        for row in rows:
            data = row.data
            person = self.people[data["email"]]
            values = {"status": data["status"], "date": data["date"]}
            record = existing.get((person, data["kind"]))
            if record is None:
                new.append(TrainingRecord(person_id=person, kind=data["kind"], **values))
                self.counted(True, True)
            else:
                is_changed = _differs(record, values)
                if is_changed:
                    changed.append(record)
                self.counted(False, is_changed)
        self.write(TrainingRecord, new, changed, ["status", "date"])


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
            self.add_error("end_date", refusal(ImportRefusal.END_BEFORE_START))
        supervisor = data.get("supervisor_email")
        if supervisor and supervisor == data.get("supervisee_email"):
            self.add_error("supervisee_email", refusal(ImportRefusal.SELF_SUPERVISION))
        return data


class RelationshipImporter(PersonRecordImporter):
    """Working relationships keyed by supervisor, supervisee, kind and start date; a later file
    may add the end date. Both people must be within a coordinator's scope."""

    kind = "relationships"
    label = "Line management and supervision"
    columns = ["supervisor_email", "supervisee_email", "kind", "start_date", "end_date"]
    optional_columns = frozenset({"end_date"})
    email_columns = ("supervisor_email", "supervisee_email")
    form = RelationshipRow

    key = ("supervisor_email", "supervisee_email", "kind", "start_date")

    def check(self, rows, problems):
        super().check(rows, problems)
        self.duplicates(rows, self.key, "start_date", problems)

    def save(self, rows):
        existing = {
            (r.supervisor_id, r.supervisee_id, r.kind, r.start_date): r
            for r in in_batches(
                WorkingRelationship.objects.all(),
                "supervisee_id",
                (self.people[row.data["supervisee_email"]] for row in rows),
            )
        }
        new, changed = [], []
        for row in rows:
            data = row.data
            supervisor = self.people[data["supervisor_email"]]
            supervisee = self.people[data["supervisee_email"]]
            relationship = existing.get((supervisor, supervisee, data["kind"], data["start_date"]))
            if relationship is None:
                new.append(
                    WorkingRelationship(
                        supervisor_id=supervisor,
                        supervisee_id=supervisee,
                        kind=data["kind"],
                        start_date=data["start_date"],
                        end_date=data["end_date"],
                    )
                )
                self.counted(True, True)
            else:
                is_changed = _differs(relationship, {"end_date": data["end_date"]})
                if is_changed:
                    changed.append(relationship)
                self.counted(False, is_changed)
        self.write(WorkingRelationship, new, changed, ["end_date"])
