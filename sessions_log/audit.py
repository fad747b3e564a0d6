"""The changes of sessions and forms the audit keeps (see ``mentoring.audit_changes``).

Answers to every form (session records, agendas, reflections, surveys), mentors' private notes
and the text of actions are excluded. What is kept is who wrote, shared, submitted, held or cancelled what, and when.
"""

from mentoring.audit_changes import track
from sessions_log.models import (
    Action,
    Attendance,
    EmployerConfirmation,
    FormResponse,
    FormTemplate,
    MentoringSession,
    PrivateNote,
)

track(FormTemplate, scope={"scheme": "scheme_id"})
track(MentoringSession)
track(Attendance)
track(Action, exclude=("text",))
track(PrivateNote, exclude=("text",), scope={"person": "author_id"})
track(FormResponse, exclude=("answers",), scope={"person": "author_id"})
track(EmployerConfirmation)
