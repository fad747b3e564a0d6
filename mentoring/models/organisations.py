from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr


class OrganisationKind(models.TextChoices):
    ICB = "icb", "ICB / ICS"
    PCN = "pcn", "Primary care network"
    PRACTICE = "practice", "GP practice"
    TRUST = "trust", "Trust"
    TRAINING_HUB = "training_hub", "Training hub"
    OTHER = "other", "Other"


class Organisation(models.Model):
    """An ICB/ICS, PCN, practice, trust or training hub, in a tree.

    ``path`` is the chain of ids from the root (``/3/17/42/``), kept by ``save``, so "this
    organisation and everything under it" is one indexed prefix query.
    """

    code = models.CharField(max_length=20, unique=True, help_text="ODS code or a local code.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=500, editable=False, db_index=True, default="")

    Kind = OrganisationKind

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            parent_path = self.parent.path if self.parent_id else "/"
            new_path = f"{parent_path}{self.pk}/"
            if new_path != self.path:
                old_path = self.path
                type(self).objects.filter(pk=self.pk).update(path=new_path)
                if old_path:
                    type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
                    )
                self.path = new_path

    def is_within(self, other: "Organisation") -> bool:
        return self.path.startswith(other.path)

    def clean(self):
        super().clean()
        if self.parent_id and self.pk:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": "An organisation cannot be its own parent."})
            if self.path and self.parent.path.startswith(self.path):
                raise ValidationError(
                    {"parent": "The parent cannot be one of this organisation's own descendants."}
                )
