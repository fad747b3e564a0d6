from django.core.exceptions import ValidationError
from django.db import models


class Severity(models.TextChoices):
    REQUIRED = "required", "Required (blocks)"
    ADVISORY = "advisory", "Advisory (warns)"


class EligibilityRule(models.Model):
    """One rule a scheme applies to its mentors or mentees: a rule type from the registry in
    ``schemes.rules``, its parameters, and whether failing it blocks."""

    scheme = models.ForeignKey(
        "schemes.Scheme", on_delete=models.CASCADE, related_name="eligibility_rules"
    )
    role = models.CharField(max_length=10, choices=[("mentor", "Mentor"), ("mentee", "Mentee")])
    code = models.CharField("rule", max_length=60)
    params = models.JSONField("parameters", default=dict, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.REQUIRED)
    position = models.PositiveIntegerField(default=0)
    source = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where the rule comes from, e.g. the guidance it quotes.",
    )

    class Meta:
        ordering = ["scheme", "role", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "role", "code"], name="rule_once_per_role"),
        ]

    def __str__(self):
        from schemes.rules import RULES

        rule = RULES.get(self.code)
        return rule.describe(self.params) if rule else self.code

    def clean(self):
        super().clean()
        from schemes.rules import RULES, clean_params

        if self.code not in RULES:
            raise ValidationError({"code": f"“{self.code}” is not a rule this service knows."})
        self.params = clean_params(self.code, self.params)


class EligibilityCheck(models.Model):
    """A dated evaluation that a decision rests on: who was checked, when, by whom, each result.

    Kept so a coordinator can show why a mentor was accepted (or paused) on a given day.
    """

    class Purpose(models.TextChoices):
        APPLICATION = "application", "Application submitted"
        DECISION = "decision", "Coordinator's decision"
        IMPORT = "import", "Bulk enrolment"
        NIGHTLY = "nightly", "Nightly re-check"
        RESUME = "resume", "Resuming a paused mentor"

    person = models.ForeignKey(
        "mentoring.Person", on_delete=models.CASCADE, related_name="eligibility_checks"
    )
    scheme = models.ForeignKey(
        "schemes.Scheme", on_delete=models.CASCADE, related_name="eligibility_checks"
    )
    role = models.CharField(max_length=10)
    on_date = models.DateField()
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    checked_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    eligible = models.BooleanField()
    results = models.JSONField(default=list)
    valid_until = models.DateField(
        null=True, blank=True, help_text="The first date on which a result stops holding."
    )

    class Meta:
        ordering = ["-checked_at", "-pk"]
        indexes = [models.Index(fields=["person", "scheme", "role", "-checked_at"])]

    def __str__(self):
        verdict = "eligible" if self.eligible else "not eligible"
        return f"{self.person} — {verdict} as {self.role} on {self.on_date:%d %b %Y}"
