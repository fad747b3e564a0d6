from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def normalise_email(email: str) -> str:
    """Logins are case-insensitive: one spelling per mailbox, stored in lower case."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email=normalise_email(username))

    def create_user(self, email, password=None, **extra):
        user = self.model(email=normalise_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. E-mail is the username; the person's professional details live on Person."""

    email = models.EmailField("email address", max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        "staff status", default=False, help_text="Can use the coordinators' admin."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = normalise_email(self.email)

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class Role(models.TextChoices):
    """Staff roles that come with an organisational scope. Mentor and mentee come from enrolment."""

    COORDINATOR = "coordinator", "Coordinator"
    FINANCE = "finance", "Finance"


class RoleAssignment(models.Model):
    """Ties a coordinator to the organisations they run, or finance staff to those whose money they handle.

    Scope is the organisation and all its descendants. The matching auth Group (same name as the role)
    carries the admin permissions; ``mentoring.roles.grant_role`` keeps the two in step.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "mentoring.Organisation", on_delete=models.PROTECT, related_name="role_assignments"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"], name="role_assignment_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} for {self.organisation}"


class Invitation(models.Model):
    """A person imported by a coordinator, asked by e-mail to set a password.

    The link carries a signed token bound to ``send_count`` and the password hash, so it is
    single-use (setting a password changes the hash), expires, and a resend retires older links.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="invitation")
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_sent_at"]

    def __str__(self):
        return f"Invitation for {self.user.email}"

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None
