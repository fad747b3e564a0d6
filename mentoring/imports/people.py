from django import forms
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from mentoring.imports import fields
from mentoring.imports.base import Importer, Problems, Row, batches, in_batches
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
from mentoring.scoping import organisations_visible_to, people_visible_to

# Person's many-to-many attribute → (vocabulary model, the column that lists its terms).
VOCABULARIES = {
    "sectors": (Sector, "sectors"),
    "scopes_of_practice": (ScopeOfPractice, "scope_of_practice"),
    "focus_areas": (FocusArea, "focus_areas"),
}
PERSON_FIELDS = [
    "profession",
    "organisation_id",
    "department",
    "region",
    "clinical_sessions_per_week",
]


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
    clinical_sessions_per_week = fields.Sessions(required=False)


class PeopleImporter(Importer):
    """People and their logins, keyed by e-mail. New logins have no password until invited.

    Saved in bulk (a fixed number of queries whatever the size of the file): there are no
    signals on these models to miss, and ``updated_at`` is set by hand on the rows that change.
    """

    kind = "people"
    label = "People"
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
        self.organisations = dict(
            in_batches(Organisation.objects.values_list("code", "pk"), "code", codes)
        )
        if self.restricted:
            visible = set(
                in_batches(
                    organisations_visible_to(self.user).values_list("code", flat=True),
                    "code",
                    codes,
                )
            )
            # Someone already on another organisation's register, or an administrator's login.
            elsewhere = set(
                in_batches(
                    User.objects.filter(
                        Q(person__isnull=False) & ~Q(person__in=people_visible_to(self.user))
                        | Q(is_superuser=True)
                    ).values_list("email", flat=True),
                    "email",
                    (row.data["email"] for row in rows if row.has("email")),
                )
            )
        for row in rows:
            code = row.data.get("organisation_code")
            if not code:
                pass
            elif code not in self.organisations:
                problems.add(
                    row.line, "organisation_code", ImportRefusal.UNKNOWN_ORGANISATION, code=code
                )
            elif self.restricted and code not in visible:
                problems.add(
                    row.line,
                    "organisation_code",
                    ImportRefusal.ORGANISATION_OUT_OF_SCOPE,
                    code=code,
                )
            if self.restricted and row.data.get("email") in elsewhere:
                problems.add(
                    row.line, "email", ImportRefusal.EMAIL_USED_ELSEWHERE, email=row.data["email"]
                )

    def save(self, rows: list[Row]) -> None:
        now = timezone.now()
        users = {u.email: u for u in in_batches(User.objects.all(), "email", _emails(rows))}
        new_users = [
            User(
                email=r.data["email"],
                first_name=r.data["first_name"],
                last_name=r.data["last_name"],
            )
            for r in rows
            if r.data["email"] not in users
        ]
        for user in new_users:
            user.set_unusable_password()
        users.update({u.email: u for u in User.objects.bulk_create(new_users)})
        people = {
            p.user_id: p
            for p in in_batches(Person.objects.all(), "user_id", [u.pk for u in users.values()])
        }
        links = _links(people.values())
        terms = _terms(rows)

        renamed, new_people, changed_people, changed_lines = [], [], [], set()
        for row in rows:
            data = row.data
            user = users[data["email"]]
            if (user.first_name, user.last_name) != (data["first_name"], data["last_name"]):
                user.first_name, user.last_name = data["first_name"], data["last_name"]
                renamed.append(user)
                changed_lines.add(row.line)
            values = {
                "profession": data["profession"],
                "organisation_id": self.organisations[data["organisation_code"]],
                "department": data["department"],
                "region": data["region"],
                "clinical_sessions_per_week": data["clinical_sessions_per_week"],
            }
            person = people.get(user.pk)
            if person is None:
                new_people.append(Person(user=user, **values))
            elif any(getattr(person, name) != value for name, value in values.items()) or any(
                _wanted(row, attribute, terms) != set(links[attribute].get(person.pk, {}))
                for attribute in VOCABULARIES
            ):
                for name, value in values.items():
                    setattr(person, name, value)
                person.updated_at = now
                changed_people.append(person)
                changed_lines.add(row.line)

        User.objects.bulk_update(renamed, ["first_name", "last_name"])
        Person.objects.bulk_update(changed_people, [*PERSON_FIELDS, "updated_at"])
        people.update({p.user_id: p for p in Person.objects.bulk_create(new_people)})
        for attribute in VOCABULARIES:
            through = getattr(Person, attribute).through
            add, remove = [], []
            for row in rows:
                person_id = people[users[row.data["email"]].pk].pk
                wanted = _wanted(row, attribute, terms)
                current = links[attribute].get(person_id, {})
                add += [
                    through(person_id=person_id, **{_term_id(attribute): t})
                    for t in wanted - set(current)
                ]
                remove += [link for term, link in current.items() if term not in wanted]
            through.objects.bulk_create(add)
            for batch in batches(remove, through.objects.all()):
                through.objects.filter(pk__in=batch).delete()

        created = {p.user_id for p in new_people}
        for row in rows:
            self.counted(users[row.data["email"]].pk in created, row.line in changed_lines)


def _emails(rows: list[Row]) -> list[str]:
    return [row.data["email"] for row in rows]


def _term_id(attribute: str) -> str:
    """The through table's column for the term, e.g. ``sector_id``."""
    return getattr(Person, attribute).field.m2m_reverse_field_name() + "_id"


def _wanted(row: Row, attribute: str, terms: dict[str, dict[str, int]]) -> set[int]:
    return {terms[attribute][name.lower()] for name in row.data[VOCABULARIES[attribute][1]]}


def _links(people) -> dict[str, dict[int, dict[int, int]]]:
    """For each vocabulary: person id → {term id: the through row's id}, as they stand."""
    pks = [p.pk for p in people]
    links = {}
    for attribute in VOCABULARIES:
        through = getattr(Person, attribute).through
        by_person: dict[int, dict[int, int]] = {}
        for pk, person_id, term in in_batches(
            through.objects.values_list("pk", "person_id", _term_id(attribute)), "person_id", pks
        ):
            by_person.setdefault(person_id, {})[term] = pk
        links[attribute] = by_person
    return links


def _terms(rows: list[Row]) -> dict[str, dict[str, int]]:
    """For each vocabulary, the id of every term the file names, by lower-case name; new terms
    are created as first spelt in the file."""
    terms = {}
    for attribute, (model, column) in VOCABULARIES.items():
        names: dict[str, str] = {}
        for row in rows:
            for name in row.data[column]:
                names.setdefault(name.lower(), name)
        found = dict(
            in_batches(
                model.objects.annotate(lname=Lower("name")).values_list("lname", "pk"),
                "lname",
                names,
            )
        )
        new = model.objects.bulk_create(
            [model(name=name) for key, name in names.items() if key not in found]
        )
        found.update({term.name.lower(): term.pk for term in new})
        terms[attribute] = found
    return terms
