"""The changes of matching the audit keeps (see ``mentoring.audit_changes`` for what never is).

A mentee's confidential reason for asking for another mentor, the plain-words account of a
conflict and the notes on ending a mentorship or allowing a conflict are excluded. A round is tracked by its status and who
ran and published it — not its parameters, timings or the e-mails of mentees left unmatched.
"""

from matching.models import (
    ConflictFlag,
    MatchingPolicy,
    MatchingRound,
    MentorPreference,
    Mentorship,
    MentorshipMember,
    Proposal,
    RematchRequest,
)
from mentoring.audit_changes import track

track(MatchingPolicy, scope={"scheme": "scheme_id"})
track(
    MatchingRound,
    include=("scheme", "status", "created_by", "published_at", "published_by"),
    scope={"scheme": "scheme_id"},
)
track(Proposal, exclude=("breakdown",))
track(Mentorship, exclude=("end_note", "breakdown"), scope={"scheme": "scheme_id"})
track(MentorshipMember)
track(MentorPreference)
track(ConflictFlag, exclude=("reason", "resolution_note"))
track(RematchRequest, exclude=("reason",))
