"""Matching: each scheme's policy, rounds and their proposals, mentorships, preferences, conflict
flags and confidential rematch requests.

A pair is checked by ``matching.conflicts`` on every path that can bring it into being — the
solver, a coordinator's pairing or swap, a mentee's choice, the admin — and only
``matching.services`` writes mentorships.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from matching.scoring import CONFLICTS, CRITERIA, HARD, OFF, PENALTY, Policy


class ConflictMode(models.TextChoices):
    OFF = OFF, "Off: not a conflict"
    PENALTY = PENALTY, "Penalty: allowed, but lowers the score"
    HARD = HARD, "Hard: never matched"


class MatchingMode(models.TextChoices):
    ALLOCATION = "allocation", "Coordinators run matching rounds"
    CHOICE = "choice", "Mentees choose from a shortlist"


def _weight(label: str, default: int):
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MaxValueValidator(100)], help_text="0 to 100."
    )


def _conflict(label: str, default: str):
    return models.CharField(label, max_length=10, choices=ConflictMode.choices, default=default)


class MatchingPolicy(models.Model):
    """How a scheme matches: the mode, what counts for a good pair, what else is a conflict.

    Working relationships (line manager, supervisors, DPP) are always hard conflicts and are not
    settings: no scheme may turn them off.
    """

    scheme = models.OneToOneField(
        "schemes.Scheme", on_delete=models.CASCADE, related_name="matching_policy"
    )
    mode = models.CharField(max_length=12, choices=MatchingMode.choices, default="allocation")
    shortlist_size = models.PositiveSmallIntegerField(
        "mentors on a mentee's shortlist",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    weight_same_sector = _weight(CRITERIA["same_sector"], 30)
    weight_same_scope = _weight(CRITERIA["same_scope"], 10)
    weight_same_region = _weight(CRITERIA["same_region"], 20)
    weight_focus_overlap = _weight(CRITERIA["focus_overlap"], 40)
    weight_different_organisation = _weight(CRITERIA["different_organisation"], 10)
    weight_cohort_priority = _weight(CRITERIA["cohort_priority"], 20)
    weight_mentee_ranking = _weight(CRITERIA["mentee_ranking"], 50)
    same_organisation = _conflict(CONFLICTS["same_organisation"], OFF)
    same_department = _conflict(CONFLICTS["same_department"], PENALTY)
    supervisor_of_supervisor = _conflict(CONFLICTS["supervisor_of_supervisor"], HARD)
    shared_line_manager = _conflict(CONFLICTS["shared_line_manager"], PENALTY)
    conflict_penalty = models.PositiveSmallIntegerField(
        "points a penalty conflict takes off",
        default=20,
        validators=[MaxValueValidator(100)],
    )
    spread_load = models.BooleanField(
        "spread the load",
        default=False,
        help_text="Each extra mentee of the same mentor costs a little, so a few popular "
        "mentors do not take everyone.",
    )
    spread_step = models.PositiveSmallIntegerField(
        "points each extra mentee costs", default=5, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name_plural = "matching policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(shortlist_size__gte=1, shortlist_size__lte=20),
                name="policy_shortlist_range",
            ),
        ]

    def __str__(self):
        return f"Matching policy of {self.scheme}"

    def as_policy(self) -> Policy:
        return Policy(
            weights={name: getattr(self, f"weight_{name}") for name in CRITERIA},
            conflicts={name: getattr(self, name) for name in CONFLICTS},
            penalty=self.conflict_penalty,
        )

    @property
    def step(self) -> int:
        """The solver's per-extra-mentee cost, in score units."""
        from matching.scoring import UNIT

        return self.spread_step * UNIT if self.spread_load else 0


class MatchingRound(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Matching in progress"
        READY = "ready", "Ready for review"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"

    scheme = models.ForeignKey(
        "schemes.Scheme", on_delete=models.CASCADE, related_name="matching_rounds"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    parameters = models.JSONField(default=dict, help_text="The policy the round ran with.")
    mentees_considered = models.PositiveIntegerField(default=0)
    mentors_considered = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.JSONField(default=list, help_text="E-mails of mentees left unmatched.")
    total_score = models.FloatField(default=0)
    timings = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Round {self.pk} of {self.scheme} ({self.get_status_display().lower()})"


class Proposal(models.Model):
    """A pair the solver (or a coordinator's swap) suggests in a round, with why it scored."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        ACCEPTED = "accepted", "Accepted by the coordinator"
        REJECTED = "rejected", "Rejected by the coordinator"
        PUBLISHED = "published", "Published to the pair"

    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="proposals")
    mentor = models.ForeignKey(
        "schemes.Enrolment", on_delete=models.CASCADE, related_name="proposals_as_mentor"
    )
    mentee = models.ForeignKey(
        "schemes.Enrolment", on_delete=models.CASCADE, related_name="proposals_as_mentee"
    )
    score = models.FloatField()
    breakdown = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    swapped_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["round", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "mentee"], name="proposal_one_per_mentee"),
        ]

    def __str__(self):
        return f"{self.mentor.person} → {self.mentee.person} ({self.score:g})"


class MentorshipKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "One to one"
    GROUP = "group", "Group"
    PEER = "peer", "Peer"
    REVERSE = "reverse", "Reverse"


class MentorshipStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


OPEN_MENTORSHIP = [MentorshipStatus.PROPOSED, MentorshipStatus.ACTIVE]


class EndReason(models.TextChoices):
    MENTOR_DECLINED = "mentor_declined", "The mentor declined"
    MENTEE_DECLINED = "mentee_declined", "The mentee declined"
    NOT_CONTINUING = "not_continuing", "Decided not to continue after the first meeting"
    REMATCH_REQUESTED = "rematch_requested", "The mentee asked for a different mentor"
    MENTOR_LEFT = "mentor_left", "The mentor left or was paused"
    MENTEE_LEFT = "mentee_left", "The mentee left the scheme"
    CONFLICT = "conflict", "A conflict of interest came to light"
    COMPLETED = "completed", "Completed"
    COORDINATOR = "coordinator", "Ended by the coordinator"
    NO_ANSWER = "no_answer", "The mentor did not answer in time"


class Source(models.TextChoices):
    ROUND = "round", "Matching round"
    MANUAL = "manual", "Paired by a coordinator"
    CHOICE = "choice", "Chosen by the mentee"
    NEXT_OFFER = "next_offer", "Next best mentor, offered after a decline"


class Mentorship(models.Model):
    """Mentors and mentees on a scheme: one of each for one-to-one, peer and reverse; one or two
    mentors and several mentees for a group. *Proposed* until the first meeting is held and
    attended, then *active* (what the scheme's monitoring counts as a match), then *ended*."""

    Status = MentorshipStatus
    Kind = MentorshipKind

    scheme = models.ForeignKey(
        "schemes.Scheme", on_delete=models.PROTECT, related_name="mentorships"
    )
    kind = models.CharField(
        max_length=12, choices=MentorshipKind.choices, default=MentorshipKind.ONE_TO_ONE
    )
    status = models.CharField(
        max_length=10, choices=MentorshipStatus.choices, default=MentorshipStatus.PROPOSED
    )
    source = models.CharField(max_length=12, choices=Source.choices)
    proposal = models.OneToOneField(
        Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="mentorship"
    )
    score = models.FloatField(null=True, blank=True)
    breakdown = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField(
        null=True, blank=True, help_text="The first meeting held and attended."
    )
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.TextField(blank=True)
    needs_rematch = models.BooleanField(
        default=False, help_text="Its mentor left or was paused: find the mentees a new mentor."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ended") | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="mentorship_ended_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(started_on__isnull=False),
                name="mentorship_active_has_started",
            ),
        ]
        indexes = [models.Index(fields=["scheme", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} mentorship {self.pk} on {self.scheme}"


class MentorshipMember(models.Model):
    """A mentor or mentee in a mentorship, with their answer to the proposal and the first
    meeting they attended. ``is_open`` mirrors the mentorship so the database itself refuses a
    mentee two open mentorships on one scheme."""

    class Response(models.TextChoices):
        PENDING = "pending", "Not answered yet"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="members")
    enrolment = models.ForeignKey(
        "schemes.Enrolment", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=[("mentor", "Mentor"), ("mentee", "Mentee")])
    response = models.CharField(max_length=10, choices=Response.choices, default="pending")
    responded_at = models.DateTimeField(null=True, blank=True)
    first_attended_on = models.DateField(null=True, blank=True)
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["mentorship", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "enrolment"], name="member_once_per_mentorship"
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(role="mentee", is_open=True),
                name="member_mentee_one_open_mentorship",
            ),
        ]
        indexes = [models.Index(fields=["enrolment", "is_open"])]

    def __str__(self):
        return f"{self.enrolment.person} ({self.role}) in mentorship {self.mentorship_id}"


class MentorPreference(models.Model):
    """A mentee's ranking of a mentor (1 = first choice), which the score weighs."""

    mentee = models.ForeignKey(
        "schemes.Enrolment", on_delete=models.CASCADE, related_name="mentor_preferences"
    )
    mentor = models.ForeignKey("schemes.Enrolment", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["mentee", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "mentor"], name="preference_once"),
            models.UniqueConstraint(fields=["mentee", "rank"], name="preference_rank_once"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="preference_rank_positive"),
        ]

    def __str__(self):
        return f"{self.mentee.person} ranks {self.mentor.person} {self.rank}"


class ConflictFlag(models.Model):
    """A conflict that came to light after a pair was proposed or started — typically a working
    relationship recorded later. The coordinator ends the mentorship, or (only where the scheme's
    setting is not *hard*) records why it may stand."""

    class Resolution(models.TextChoices):
        OPEN = "open", "Waiting for the coordinator"
        ENDED = "ended", "Mentorship ended"
        ALLOWED = "allowed", "Allowed to stand"

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="conflict_flags"
    )
    conflict = models.CharField(max_length=30)
    hard = models.BooleanField(help_text="Hard conflicts can only be resolved by ending it.")
    reason = models.TextField(help_text="The conflict, in plain words.")
    raised_at = models.DateTimeField(auto_now_add=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, default="open")
    resolution_note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "conflict"],
                condition=Q(resolution="open"),
                name="flag_one_open_per_conflict",
            ),
            models.CheckConstraint(
                condition=~Q(resolution="allowed") | Q(hard=False),
                name="flag_hard_cannot_be_allowed",
            ),
        ]

    def __str__(self):
        return self.reason


class RematchRequest(models.Model):
    """A mentee's confidential request for a different mentor. Only coordinators ever see it;
    the mentor is told only that the mentorship ended."""

    mentorship = models.OneToOneField(
        Mentorship, on_delete=models.CASCADE, related_name="rematch_request"
    )
    mentee = models.ForeignKey(
        "schemes.Enrolment", on_delete=models.CASCADE, related_name="rematch_requests"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        "mentoring.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Rematch request from {self.mentee.person}"
