from django import forms

from mentoring.imports import fields
from mentoring.imports.base import Importer, Problems, Row
from mentoring.imports.errors import ImportRefusal
from mentoring.models import Organisation
from mentoring.scoping import organisations_visible_to


class OrganisationRow(forms.Form):
    code = fields.Code()
    name = fields.Text(200)
    kind = fields.Choice(Organisation.Kind.choices)
    parent_code = fields.Code(required=False)


class OrganisationImporter(Importer):
    """Organisations keyed by code; a parent may be in the database or anywhere in the file."""

    kind = "organisations"
    columns = ["code", "name", "kind", "parent_code"]
    form = OrganisationRow

    def check(self, rows: list[Row], problems: Problems) -> None:
        self.duplicates(rows, ("code",), "code", problems)
        existing = dict(Organisation.objects.values_list("code", "parent__code"))
        parents = {
            **existing,
            **{
                row.data["code"]: row.data.get("parent_code") or None
                for row in rows
                if row.has("code")
            },
        }
        visible = (
            None
            if self.user is None or self.user.is_superuser
            else set(organisations_visible_to(self.user).values_list("code", flat=True))
        )
        for row in rows:
            if not row.has("code"):
                continue
            code, parent = row.data["code"], row.data.get("parent_code")
            if parent and parent == code:
                problems.add(row.line, "parent_code", ImportRefusal.OWN_PARENT)
            elif parent and parent not in parents:
                problems.add(
                    row.line, "parent_code", ImportRefusal.UNKNOWN_ORGANISATION, code=parent
                )
            elif chain := _loop(code, parents):
                problems.add(
                    row.line,
                    "parent_code",
                    ImportRefusal.PARENT_CYCLE,
                    code=code,
                    chain=" → ".join(chain),
                )
            if visible is None:
                continue
            if code in existing and code not in visible:
                problems.add(row.line, "code", ImportRefusal.ORGANISATION_OUT_OF_SCOPE, code=code)
            elif not parent:
                problems.add(row.line, "parent_code", ImportRefusal.ROOT_NEEDS_SUPERUSER)
            elif parent in existing and parent not in visible:
                problems.add(
                    row.line, "parent_code", ImportRefusal.ORGANISATION_OUT_OF_SCOPE, code=parent
                )

    def save(self, rows: list[Row]) -> None:
        by_code = Organisation.objects.in_bulk(
            [r.data["code"] for r in rows]
            + [r.data["parent_code"] for r in rows if r.data["parent_code"]],
            field_name="code",
        )
        for row in _parents_first(rows):
            data = row.data
            parent = by_code.get(data["parent_code"]) if data["parent_code"] else None
            organisation = by_code.get(data["code"])
            created = organisation is None
            if created:
                organisation = Organisation(code=data["code"])
            changed = (organisation.name, organisation.kind, organisation.parent_id) != (
                data["name"],
                data["kind"],
                parent.pk if parent else None,
            )
            if changed:
                organisation.name, organisation.kind, organisation.parent = (
                    data["name"],
                    data["kind"],
                    parent,
                )
                organisation.save()
            by_code[data["code"]] = organisation
            self.counted(created, changed)


def _loop(code: str, parents: dict[str, str | None]) -> list[str]:
    """The chain of codes that leads from ``code`` back to itself, or [] when there is none."""
    chain, current = [code], parents.get(code)
    while current:
        chain.append(current)
        if current == code:
            return chain
        if len(chain) > len(parents) + 1:
            return []
        current = parents.get(current)
    return []


def _parents_first(rows: list[Row]) -> list[Row]:
    in_file = {row.data["code"]: row for row in rows}

    def depth(row: Row) -> int:
        n, parent = 0, row.data["parent_code"]
        while parent in in_file:
            n, parent = n + 1, in_file[parent].data["parent_code"]
        return n

    return sorted(rows, key=depth)
