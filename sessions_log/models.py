"""Sessions, the forms written around them, and who may read what.

* **FormTemplate** — a versioned list of questions (``questions``: JSON, see
  ``sessions_log.questions``). A version that has responses is never changed: editing it makes
  the next version, and each question keeps its ``key`` so answers compare across versions.
  ``readers`` says who may read a response's content.
* **FormResponse** — one person's answers to one template version, about a mentorship (and a
  session, or an enrolment for surveys); a draft until submitted; a reflection is private to
  its author unless they share it with their mentor.
* **MentoringSession** — planned, then held / cancelled / did not attend, with attendance per
  mentee; locked when a claim rests on it. Actions carry into the next session; a mentor's
  private notes are theirs alone.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class FormKind(models.TextChoices):
    SESSION_RECORD = "session_record", "Session record"
    PRE_SESSION = "pre_session", "Pre-session agenda"
    MENTOR_STRUCTURE = "mentor_structure", "Mentor's session structure"
    POST_SESSION = "post_session", "Post-session reflection"
    AGREEMENT = "agreement", "Mentoring agreement"
    BASELINE_SURVEY = "baseline_survey", "Baseline survey"
    END_SURVEY = "end_survey", "End-of-programme survey"
    END_FEEDBACK = "end_feedback", "End-of-mentorship feedback"
    DEVELOPMENT_PLAN = "development_plan", "Future requirements and development plan"


class Readers(models.TextChoices):
    AUTHOR = "author", "The author (who may share it with their mentor)"
    PAIR = "pair", "The mentor and mentee"
    PAIR_AND_COORDINATORS = "pair_and_coordinators", "The mentor, mentee and coordinators"
    COORDINATORS_AGGREGATE = "coordinators_aggregate", "Coordinators, in aggregate only"


class FormTemplate(models.Model):
    """One version of a form. ``family`` names the form across its versions; ``scheme`` is blank
    for the defaults every scheme uses until a coordinator makes its own."""

    family = models.SlugField(max_length=80)
    scheme = models.ForeignKey(
        "schemes.Scheme",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="form_templates",
    )
    version = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=FormKind.choices)
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    closing_note = models.TextField(blank=True)
    readers = models.CharField(max_length=24, choices=Readers.choices)
    questions = models.JSONField(default=list)
    source = models.CharField(max_length=200, blank=True, help_text="Where the wording comes from.")
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["family", "scheme", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "scheme", "version"], name="template_version_once"
            ),
            models.UniqueConstraint(
                fields=["family", "version"],
                condition=Q(scheme__isnull=True),
                name="template_default_version_once",
            ),
            models.UniqueConstraint(
                fields=["family", "scheme"],
                condition=Q(is_current=True),
                name="template_one_current_per_scheme",
            ),
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(is_current=True, scheme__isnull=True),
                name="template_one_current_default",
            ),
        ]

    def __str__(self):
        where = f" ({self.scheme})" if self.scheme_id else ""
        return f"{self.title}{where}, version {self.version}"


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


class MentoringSession(models.Model):
    mentorship = models.ForeignKey(
        "matching.Mentorship", on_delete=models.PROTECT, related_name="sessions"
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    mode = models.CharField(max_length=12, choices=SessionMode.choices)
    location = models.CharField(
        max_length=200, blank=True, help_text="A room, an address or a video link."
    )
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    created_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=480),
                name="session_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(locked_at__isnull=True) | Q(status="held"),
                name="session_only_held_is_locked",
            ),
        ]
        indexes = [models.Index(fields=["mentorship", "status", "starts_at"])]

    def __str__(self):
        return f"Session on {self.starts_at:%-d %B %Y %H:%M} ({self.get_status_display().lower()})"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Attendance(models.Model):
    session = models.ForeignKey(
        MentoringSession, on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        "matching.MentorshipMember", on_delete=models.PROTECT, related_name="attendance"
    )
    attended = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="attendance_once"),
        ]

    def __str__(self):
        return f"{self.member} {'attended' if self.attended else 'did not attend'}"


class Action(models.Model):
    """An issue for action from a session, with its owner and due date; open actions carry into
    the next session until done."""

    session = models.ForeignKey(MentoringSession, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField()
    owner = models.ForeignKey(
        "matching.MentorshipMember", on_delete=models.PROTECT, related_name="actions"
    )
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.text[:60]


class PrivateNote(models.Model):
    """A mentor's own notes on a session: nobody else ever reads them, coordinators included."""

    session = models.ForeignKey(
        MentoringSession, on_delete=models.CASCADE, related_name="private_notes"
    )
    author = models.ForeignKey(
        "mentoring.Person", on_delete=models.CASCADE, related_name="private_notes"
    )
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="private_note_once"),
        ]

    def __str__(self):
        return f"Private note {self.pk}"


class FormResponse(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Completed"

    template = models.ForeignKey(FormTemplate, on_delete=models.PROTECT, related_name="responses")
    author = models.ForeignKey(
        "mentoring.Person", on_delete=models.PROTECT, related_name="form_responses"
    )
    mentorship = models.ForeignKey(
        "matching.Mentorship",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="form_responses",
    )
    session = models.ForeignKey(
        MentoringSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="form_responses",
    )
    enrolment = models.ForeignKey(
        "schemes.Enrolment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="form_responses",
        help_text="Surveys: the enrolment they are about.",
    )
    answers = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    shared_with_mentor = models.BooleanField(default=False)
    shared_at = models.DateTimeField(null=True, blank=True)
    last_edited_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                name="response_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["mentorship", "template"])]

    def __str__(self):
        return f"{self.template.title} by {self.author} ({self.get_status_display().lower()})"


class EmployerConfirmation(models.Model):
    """Where a scheme asks it (PA preceptorship: "The Employer should ensure this contact has
    taken place" and agree protected time), the mentee's line manager confirms both. They see
    that the mentorship exists and its first contact — never any content."""

    mentorship = models.OneToOneField(
        "matching.Mentorship", on_delete=models.CASCADE, related_name="employer_confirmation"
    )
    line_manager = models.ForeignKey(
        "mentoring.Person", on_delete=models.PROTECT, related_name="employer_confirmations"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    contact_confirmed_at = models.DateTimeField(null=True, blank=True)
    protected_time_agreed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Employer confirmation for mentorship {self.mentorship_id}"
