from .accounts import Invitation, Role, RoleAssignment, User
from .notifications import JobRun, Notification, NotificationPreference
from .organisations import Organisation
from .people import (
    FocusArea,
    Person,
    Profession,
    ProfessionalRegistration,
    Register,
    RegistrationStatus,
    RelationshipKind,
    ScopeOfPractice,
    Sector,
    TrainingKind,
    TrainingRecord,
    TrainingStatus,
    WorkingRelationship,
)

__all__ = [
    "FocusArea",
    "Invitation",
    "JobRun",
    "Notification",
    "NotificationPreference",
    "Organisation",
    "Person",
    "Profession",
    "ProfessionalRegistration",
    "Register",
    "RegistrationStatus",
    "RelationshipKind",
    "Role",
    "RoleAssignment",
    "ScopeOfPractice",
    "Sector",
    "TrainingKind",
    "TrainingRecord",
    "TrainingStatus",
    "User",
    "WorkingRelationship",
]
