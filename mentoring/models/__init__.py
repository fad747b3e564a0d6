from .accounts import Invitation, Role, RoleAssignment, User
from .audit import AccessAction, AccessEvent
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
    "AccessAction",
    "AccessEvent",
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
