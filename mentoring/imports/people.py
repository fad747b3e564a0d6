from decimal import Decimal

from django import forms
from django.db.models.functions import Lower

from mentoring.imports import fields
from mentoring.imports.base import Importer, Problems, Row
from mentoring.imports.errors import ImportRefusal
from mentoring.models import (
    FocusArea,
    Organisation,
    Person,
    Profession,
    ScopeOfPractice,
    Sector,
    User,
)
from mentoring.scoping import organisations_visible_to

VOCABULARIES = {"sectors": Sector, "scopes_of_practice": ScopeOfPractice, "focus_areas": FocusArea}
COLUMN_OF = {
    "sectors": "sectors",
    "scopes_of_practice": "scope_of_practice",
    "focus_areas": "focus_areas",
}


class PersonRow(forms.Form):
    email = fields.Email()
    first_name = fields.Text(150)
    last_name = fields.Text(150)
    profession = fields.Choice(Profession.choices)
    organisation_code = fields.Code()
    department = fields.Text(200, required=False)
    region = fields.Text(100, required=False)
    sectors = fields.TermList()
    scope_of_practice = fields.TermList()
    focus_areas = fields.TermList()
    clinical_sessions_per_week = forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("14"),
        max_digits=3,
        decimal_places=1,
        error_messages={
            "invalid": "this is not a number of sessions, like 4 or 4.5.",
            "min_value": "the number of sessions cannot be negative.",
            "max_value": "a week has at most 14 clinical sessions.",
            "max_decimal_places": "give the sessions to one decimal place at most, like 4.5.",
            "max_digits": "a week has at most 14 clinical sessions.",
            "max_whole_digits": "a week has at most 14 clinical sessions.",
        },
    )


class PeopleImporter(Importer):
    """People and their logins, keyed by e-mail. New logins have no password until invited."""

    kind = "people"
    columns = [
        "email",
        "first_name",
        "last_name",
        "profession",
        "organisation_code",
        "department",
        "region",
        "sectors",
        "scope_of_practice",
        "focus_areas",
        "clinical_sessions_per_week",
    ]
    optional_columns = frozenset({"clinical_sessions_per_week"})
    form = PersonRow

    def check(self, rows: list[Row], problems: Problems) -> None:
        self.duplicates(rows, ("email",), "email", problems)
        codes = {row.data["organisation_code"] for row in rows if row.has("organisation_code")}
        known = set(Organisation.objects.filter(code__in=codes).values_list("code", flat=True))
        restricted = self.user is not None and not self.user.is_superuser
        if restricted:
            visible = set(
                organisations_visible_to(self.user)
                .filter(code__in=codes)
                .values_list("code", flat=True)
            )
            emails = [row.data["email"] for row in rows if row.has("email")]
            elsewhere = set(
                User.objects.filter(email__in=emails, person__isnull=False)
                .exclude(person__organisation__in=organisations_visible_to(self.user))
                .values_list("email", flat=True)
            )
        for row in rows:
            code = row.data.get("organisation_code")
            if not code:
                pass
            elif code not in known:
                problems.add(
                    row.line, "organisation_code", ImportRefusal.UNKNOWN_ORGANISATION, code=code
                )
            elif restricted and code not in visible:
                problems.add(
                    row.line,
                    "organisation_code",
                    ImportRefusal.ORGANISATION_OUT_OF_SCOPE,
                    code=code,
                )
            if restricted and row.data.get("email") in elsewhere:
                problems.add(
                    row.line, "email", ImportRefusal.EMAIL_USED_ELSEWHERE, email=row.data["email"]
                )

    def save(self, rows: list[Row]) -> None:
        organisations = Organisation.objects.in_bulk(
            {row.data["organisation_code"] for row in rows}, field_name="code"
        )
        users = User.objects.in_bulk([row.data["email"] for row in rows], field_name="email")
        people = {
            person.user_id: person
            for person in Person.objects.filter(user__in=users.values()).prefetch_related(
                *VOCABULARIES
            )
        }
        terms = {
            attribute: _terms(model, {t for row in rows for t in row.data[COLUMN_OF[attribute]]})
            for attribute, model in VOCABULARIES.items()
        }
        for row in rows:
            data = row.data
            user = users.get(data["email"])
            created = user is None
            changed = False
            if created:
                user = User.objects.create_user(
                    data["email"], first_name=data["first_name"], last_name=data["last_name"]
                )
            elif (user.first_name, user.last_name) != (data["first_name"], data["last_name"]):
                user.first_name, user.last_name = data["first_name"], data["last_name"]
                user.save(update_fields=["first_name", "last_name"])
                changed = True
            person = people.get(user.pk)
            values = {
                "profession": data["profession"],
                "organisation": organisations[data["organisation_code"]],
                "department": data["department"],
                "region": data["region"],
                "clinical_sessions_per_week": data["clinical_sessions_per_week"],
            }
            new_person = person is None
            if new_person:
                person = Person.objects.create(user=user, **values)
                changed = True
            elif any(getattr(person, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(person, name, value)
                person.save()
                changed = True
            for attribute in VOCABULARIES:
                wanted = {terms[attribute][t.lower()] for t in data[COLUMN_OF[attribute]]}
                current = set() if new_person else set(getattr(person, attribute).all())
                if {t.pk for t in wanted} != {t.pk for t in current}:
                    getattr(person, attribute).set(wanted)
                    changed = True
            self.counted(created, changed)


def _terms(model, names: set[str]) -> dict:
    """The vocabulary rows for ``names`` by lower-case name, creating the new ones."""
    lowered = {name.lower(): name for name in names}
    found = {
        term.lname: term
        for term in model.objects.annotate(lname=Lower("name")).filter(lname__in=lowered)
    }
    for key, name in lowered.items():
        if key not in found:
            found[key] = model.objects.create(name=name)
    return found
