from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from mentoring import registers


class Profession(models.TextChoices):
    GP = "gp", "GP"
    PA = "pa", "Physician associate"
    PHARMACIST = "pharmacist", "Pharmacist"
    NURSE = "nurse", "Nurse"
    OTHER = "other", "Other"


class Term(models.Model):
    """A word from a small shared vocabulary (a sector, an area of practice, a focus area).

    Kept as rows rather than free text so that matching compares like with like and the register
    can be filtered by them.
    """

    name = models.CharField(max_length=100)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Sector(Term):
    class Meta(Term.Meta):
        constraints = [models.UniqueConstraint(Lower("name"), name="sector_name_ci_unique")]


class ScopeOfPractice(Term):
    class Meta(Term.Meta):
        verbose_name = "scope of practice"
        verbose_name_plural = "scopes of practice"
        constraints = [models.UniqueConstraint(Lower("name"), name="scope_name_ci_unique")]


class FocusArea(Term):
    class Meta(Term.Meta):
        constraints = [models.UniqueConstraint(Lower("name"), name="focus_area_name_ci_unique")]


class Person(models.Model):
    """Someone on the register: a possible mentor or mentee. Their login is ``user``."""

    user = models.OneToOneField("mentoring.User", on_delete=models.PROTECT, related_name="person")
    profession = models.CharField(max_length=20, choices=Profession.choices)
    organisation = models.ForeignKey(
        "mentoring.Organisation", on_delete=models.PROTECT, related_name="people"
    )
    department = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=100, blank=True)
    sectors = models.ManyToManyField(Sector, blank=True, related_name="people")
    scopes_of_practice = models.ManyToManyField(
        ScopeOfPractice, blank=True, related_name="people", verbose_name="scope of practice"
    )
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="people")
    clinical_sessions_per_week = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("14"))],
        help_text="Clinical sessions of 4 hours 10 minutes worked each week.",
    )
    work_email = models.EmailField(blank=True)
    work_phone = models.CharField(max_length=30, blank=True)
    payee_reference = models.CharField(
        max_length=50, blank=True, help_text="The reference finance uses to pay this person."
    )
    profile = models.TextField(
        "public mentor profile",
        blank=True,
        help_text="A short introduction that mentees of the person's schemes may read.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(clinical_sessions_per_week__isnull=True)
                | Q(clinical_sessions_per_week__gte=0, clinical_sessions_per_week__lte=14),
                name="person_clinical_sessions_range",
            ),
        ]

    def __str__(self):
        return str(self.user)

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def full_name(self) -> str:
        return self.user.get_full_name()


class Register(models.TextChoices):
    GMC = "GMC", "General Medical Council"
    GPHC = "GPHC", "General Pharmaceutical Council"
    NMC = "NMC", "Nursing and Midwifery Council"
    PA = "PA", "Physician associate register"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    PROVISIONAL = "provisional", "Provisionally registered"
    REGISTERED_WITHOUT_LICENCE = "registered_without_licence", "Registered without a licence"
    SUSPENDED = "suspended", "Suspended"
    ERASED = "erased", "Erased"


class ProfessionalRegistration(models.Model):
    """A person's entry on a professional register, as last checked against that register."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="registrations")
    register = models.CharField(max_length=10, choices=Register.choices)
    number = models.CharField(max_length=20)
    status = models.CharField(max_length=30, choices=RegistrationStatus.choices)
    licence_to_practise = models.BooleanField(
        null=True, blank=True, help_text="GMC only: leave blank for other registers."
    )
    on_performers_list = models.BooleanField(default=False)
    interim_suspension = models.BooleanField(
        default=False,
        help_text="Subject to interim suspension under section 41A of the Medical Act 1983.",
    )
    qualified_on = models.DateField(null=True, blank=True)
    independent_prescriber_since = models.DateField(null=True, blank=True)
    valid_until = models.DateField(
        null=True, blank=True, help_text="Where the register has a renewal or revalidation date."
    )
    verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verification_source = models.CharField(
        max_length=200, blank=True, help_text="For example “GMC online register” or a file name."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["register", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "number"], name="registration_unique_number"
            ),
            models.UniqueConstraint(
                fields=["person", "register"], name="registration_one_per_register"
            ),
            models.CheckConstraint(
                condition=Q(register="GMC", licence_to_practise__isnull=False)
                | (~Q(register="GMC") & Q(licence_to_practise__isnull=True)),
                name="registration_licence_only_on_gmc",
            ),
            models.CheckConstraint(
                condition=~Q(register="GMC")
                | Q(status="provisional")
                | Q(status="registered", licence_to_practise=True)
                | Q(
                    status__in=["registered_without_licence", "suspended", "erased"],
                    licence_to_practise=False,
                ),
                name="registration_gmc_licence_agrees_with_status",
            ),
        ]

    def __str__(self):
        return f"{self.register} {self.number}"

    def clean(self):
        super().clean()
        self.number = registers.normalise_number(self.number)
        errors = {}
        if self.register:
            if problem := registers.number_problem(self.register, self.number):
                errors["number"] = problem
            if self.status and (problem := registers.status_problem(self.register, self.status)):
                errors["status"] = problem
            elif problem := registers.licence_problem(
                self.register, self.status, self.licence_to_practise
            ):
                errors["licence_to_practise"] = problem
        if errors:
            raise ValidationError(errors)


class TrainingKind(models.TextChoices):
    ILM5 = "ilm5", "ILM Level 5 in Coaching and Mentoring"
    ILM7 = "ilm7", "ILM Level 7 in Coaching and Mentoring"
    RCP = "rcp", "Royal College of Physicians mentoring course"
    ELFH = "elfh", "e-Learning for Healthcare medical mentoring programme"
    OTHER = "other", "Other mentoring qualification"


class TrainingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    COMPLETED = "completed", "Completed"


EVIDENCE_PREFIX = "training-evidence"
EVIDENCE_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "docx"]
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def training_evidence_path(instance, filename):
    return f"{EVIDENCE_PREFIX}/{instance.person_id}/{filename}"


def validate_evidence_size(file):
    if file.size > EVIDENCE_MAX_BYTES:
        raise ValidationError("The evidence file must be smaller than 10 MB.")


class TrainingRecord(models.Model):
    """Mentoring training a person has done or plans to do, one row per qualification.

    ``funded_by`` is the organisation that paid; the scheme whose budget paid is recorded by the
    schemes app, which sits above this one.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="training_records")
    kind = models.CharField(max_length=10, choices=TrainingKind.choices)
    status = models.CharField(max_length=10, choices=TrainingStatus.choices)
    date = models.DateField(help_text="When it was completed, or when it is planned.")
    valid_until = models.DateField(null=True, blank=True)
    funded_by = models.ForeignKey(
        "mentoring.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_training",
        help_text="Leave blank if self-funded.",
    )
    cost = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    evidence = models.FileField(
        upload_to=training_evidence_path,
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS), validate_evidence_size],
        help_text="A certificate or letter: PDF, PNG, JPEG or Word, up to 10 MB.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="training_one_per_kind"),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="training_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("date")),
                name="training_valid_after_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"

    def clean(self):
        super().clean()
        if self.valid_until and self.date and self.valid_until < self.date:
            raise ValidationError({"valid_until": "This must be on or after the training date."})
        if self.cost is not None and not self.funded_by_id:
            raise ValidationError(
                {"funded_by": "Say who funded the training, or leave the cost blank."}
            )


class RelationshipKind(models.TextChoices):
    LINE_MANAGER = "line_manager", "Line manager"
    CLINICAL_SUPERVISOR = "clinical_supervisor", "Clinical supervisor"
    EDUCATIONAL_SUPERVISOR = "educational_supervisor", "Educational supervisor"
    DESIGNATED_SUPERVISOR = "designated_supervisor", "Designated supervisor"
    DPP = "dpp", "Designated prescribing practitioner"


class WorkingRelationshipQuerySet(models.QuerySet):
    def current(self, on_date):
        return self.filter(
            Q(start_date__lte=on_date), Q(end_date__isnull=True) | Q(end_date__gte=on_date)
        )


class WorkingRelationship(models.Model):
    """``supervisor`` is ``supervisee``'s line manager, supervisor or DPP between two dates.

    These are hard conflicts for matching: such a pair is never mentor and mentee.
    """

    supervisor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="supervising")
    supervisee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="supervised_by")
    kind = models.CharField(max_length=30, choices=RelationshipKind.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkingRelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["supervisee", "kind", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "supervisee", "kind", "start_date"],
                name="relationship_unique",
            ),
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("supervisee")), name="relationship_not_self"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="relationship_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.supervisor} is {self.get_kind_display().lower()} of {self.supervisee}"

    def clean(self):
        super().clean()
        if self.supervisor_id and self.supervisor_id == self.supervisee_id:
            raise ValidationError("A person cannot supervise themselves.")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})
