from django import forms

from mentoring.imports import fields
from mentoring.imports.base import Importer, Problems, Row, in_batches
from mentoring.imports.errors import ImportRefusal
from mentoring.models import Organisation
from mentoring.scoping import organisations_visible_to


class OrganisationRow(forms.Form):
    code = fields.Code()
    name = fields.Text(200)
    kind = fields.Choice(Organisation.Kind.choices)
    parent_code = fields.Code(required=False)


class OrganisationImporter(Importer):
    """Organisations keyed by code; a parent may be in the database or anywhere in the file.

    Saved one by one through ``Organisation.save`` (it keeps the materialised paths), parents
    before children in the tree as it will be, so no save ever puts an organisation inside itself.
    """

    kind = "organisations"
    label = "Organisations"
    columns = ["code", "name", "kind", "parent_code"]
    form = OrganisationRow

    def check(self, rows: list[Row], problems: Problems) -> None:
        self.duplicates(rows, ("code",), "code", problems)
        in_file: dict[str, Row] = {}
        for row in rows:
            if row.has("code"):
                in_file.setdefault(row.data["code"], row)
        mentioned = set(in_file) | {r.data["parent_code"] for r in rows if r.has("parent_code")}
        self.existing = {
            o["code"]: o
            for o in in_batches(
                Organisation.objects.values("pk", "code", "name", "kind", "path", "parent__code"),
                "code",
                mentioned,
            )
        }
        # Everything above the organisations the file names, to follow each chain of parents.
        above = {
            int(pk)
            for o in self.existing.values()
            for pk in o["path"].strip("/").split("/")
            if pk and int(pk) != o["pk"]
        }
        self.parents = {
            **dict(
                in_batches(Organisation.objects.values_list("code", "parent__code"), "pk", above)
            ),
            **{code: o["parent__code"] for code, o in self.existing.items()},
            **{code: row.data.get("parent_code") or None for code, row in in_file.items()},
        }
        visible = None
        if self.restricted:
            current_parents = {o["parent__code"] for o in self.existing.values()}
            visible = set(
                in_batches(
                    organisations_visible_to(self.user).values_list("code", flat=True),
                    "code",
                    mentioned | current_parents - {None},
                )
            )
        for row in rows:
            if not row.has("code"):
                continue
            code, parent = row.data["code"], row.data.get("parent_code")
            if parent and parent == code:
                problems.add(row.line, "parent_code", ImportRefusal.OWN_PARENT)
            elif parent and parent not in self.existing and parent not in in_file:
                problems.add(
                    row.line, "parent_code", ImportRefusal.UNKNOWN_ORGANISATION, code=parent
                )
            elif chain := _loop(code, self.parents):
                # A coordinator is not shown the codes of organisations outside their scope.
                shown = [
                    c if visible is None or c in visible or c in in_file else "…" for c in chain
                ]
                problems.add(
                    row.line,
                    "parent_code",
                    ImportRefusal.PARENT_CYCLE,
                    code=code,
                    chain=" → ".join(shown),
                )
            if visible is not None:
                self._check_scope(row, visible, problems)

    def _check_scope(self, row: Row, visible: set[str], problems: Problems) -> None:
        """A coordinator adds or changes organisations only below the ones they coordinate."""
        code, parent = row.data["code"], row.data.get("parent_code") or None
        current = self.existing.get(code)
        if current is not None:
            if code not in visible:
                problems.add(row.line, "code", ImportRefusal.ORGANISATION_OUT_OF_SCOPE, code=code)
                return
            wanted = (row.data.get("name"), row.data.get("kind"), parent)
            if wanted == (current["name"], current["kind"], current["parent__code"]):
                return
            if current["parent__code"] not in visible:
                problems.add(row.line, "code", ImportRefusal.ASSIGNED_ORGANISATION, code=code)
                return
        if not parent:
            problems.add(row.line, "parent_code", ImportRefusal.ROOT_NEEDS_SUPERUSER)
        elif parent in self.existing and parent not in visible:
            problems.add(
                row.line, "parent_code", ImportRefusal.ORGANISATION_OUT_OF_SCOPE, code=parent
            )

    def save(self, rows: list[Row]) -> None:
        by_code = Organisation.objects.in_bulk(self.existing, field_name="code")
        depth = _depths(self.parents)
        moves = any(
            (row.data["parent_code"] or None) != self.existing[row.data["code"]]["parent__code"]
            for row in rows
            if row.data["code"] in self.existing
        )
        for row in sorted(rows, key=lambda r: depth[r.data["code"]]):
            data = row.data
            parent = by_code[data["parent_code"]] if data["parent_code"] else None
            organisation = by_code.get(data["code"])
            created = organisation is None
            if created:
                organisation = by_code[data["code"]] = Organisation(code=data["code"])
            changed = (organisation.name, organisation.kind, organisation.parent_id) != (
                data["name"],
                data["kind"],
                parent.pk if parent else None,
            )
            if changed:
                if moves:
                    _refresh_paths(organisation, parent)
                organisation.name, organisation.kind = data["name"], data["kind"]
                organisation.parent = parent
                organisation.save()
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


def _depths(parents: dict[str, str | None]) -> dict[str, int]:
    """How deep each organisation will sit in the tree (roots are 0); the tree has no loops."""
    depth: dict[str, int] = {}
    for code in parents:
        chain = []
        while code is not None and code not in depth:
            chain.append(code)
            code = parents.get(code)
        level = depth[code] if code is not None else -1
        for link in reversed(chain):
            level += 1
            depth[link] = level
    return depth


def _refresh_paths(organisation: Organisation, parent: Organisation | None) -> None:
    """Re-read paths that earlier saves in this import may have moved."""
    pks = [o.pk for o in (organisation, parent) if o is not None and o.pk]
    paths = dict(Organisation.objects.filter(pk__in=pks).values_list("pk", "path"))
    for o in (organisation, parent):
        if o is not None and o.pk:
            o.path = paths[o.pk]
