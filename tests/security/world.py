"""One world for the security tests: every kind of record the URLconf can point at, once, and
everyone the permission matrix asks about.

ICS A runs a paid scheme (the claims scene: £289 a week): Mona mentors Enid, they have held a
session with a session record and Enid's reflection shared with Mona; Mona has a submitted claim,
claims paid in an approved payment run (so she has a remittance) and a draft run; there is a
matching round with a proposal, a conflict flag, a rematch request on an ended mentorship, an
employer confirmation, an application, an invitation, evidence on file and the admin's other
records. Olga mentors Otto on the same scheme ("another mentor", "another mentee"). ICS B has its
own scheme and coordinator ("another ICS's coordinator"). Finance is the ICB of ICS A's.
"""

import datetime
from decimal import Decimal

from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice

from matching import services as matching
from matching.models import (
    ConflictFlag,
    MatchingPolicy,
    MatchingRound,
    Mentorship,
    Proposal,
    RematchRequest,
)
from mentoring import invitations, tokens
from mentoring.models import (
    AccessEvent,
    FocusArea,
    Invitation,
    JobRun,
    Notification,
    Person,
    RoleAssignment,
    ScopeOfPractice,
    Sector,
    User,
)
from mentoring.models.people import EVIDENCE_PREFIX
from reimbursement import claims, runs
from reimbursement.models import Adjustment, BudgetAllocation
from schemes.models import EligibilityCheck, RateCard
from sessions_log import responses
from sessions_log.models import EmployerConfirmation, FormKind, Readers
from tests.auth import totp_device
from tests.factories import (
    IcbFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    WorkingRelationshipFactory,
    coordinator_of,
)
from tests.reimbursement.scene import ClaimScene
from tests.reimbursement.test_exports import mondays_in, month_before_last
from tests.schemes.factories import ApplicationFactory, SchemeFactory
from tests.sessions_log.factories import FormTemplateFactory
from tests.sessions_log.sessions_scene import days_ago

# The columns of the matrix, in order.
ROLES = (
    "anonymous",
    "mentee",
    "mentor",
    "other_mentee",
    "other_mentor",
    "other_coordinator",
    "coordinator",
    "finance",
    "superuser",
)
REFLECTION = "SECRET reflection: I struggled with the on-call rota."


class World:
    """The records and users; ``objects`` names the record each URL's kwargs come from."""

    def __init__(self):
        scene = self.scene = ClaimScene()
        self.icb = scene.icb
        self.scheme = scene.scheme
        self.mona, self.enid, self.pair = scene.mona, scene.enid, scene.pair_
        self.olga = scene.mentor("Olga Other")
        self.otto = scene.mentee("Otto Other")
        self.other_pair = scene.pair(self.olga, self.otto)
        self.icb_b = IcbFactory(name="NHS Elsewhere ICB")
        self.scheme_b = SchemeFactory(owner=self.icb_b)
        self.coordinator_b = coordinator_of(self.icb_b, email="coord-b@example.nhs.uk")
        self.superuser = UserFactory(email="admin@example.nhs.uk", is_superuser=True, is_staff=True)
        self.users = {
            "anonymous": None,
            "mentee": self.enid.person.user,
            "mentor": self.mona.person.user,
            "other_mentee": self.otto.person.user,
            "other_mentor": self.olga.person.user,
            "other_coordinator": self.coordinator_b,
            "coordinator": scene.coordinator,
            "finance": scene.finance,
            "superuser": self.superuser,
        }
        self._money()
        self._sessions_and_forms()
        self._matching()
        self._register()

    # money ------------------------------------------------------------------------------------
    def _money(self):
        scene = self.scene
        for monday in mondays_in(month_before_last())[:2]:
            scene.approved(monday)
        self.approved_run = runs.approve_run(
            run=scene.build(month_before_last()).run, by=scene.finance
        )
        scene.approved(mondays_in(runs.previous_month())[0])
        self.draft_run = scene.build(runs.previous_month()).run
        self.claim = scene.claim(claims.week_of(timezone.localdate()))
        # a week with no claim yet, and a month with no run yet (for the forms' POSTs)
        self.open_claim_day = mondays_in(month_before_last())[-1]
        self.earlier_month = runs.previous_month(month_before_last())
        scene.approved(mondays_in(self.earlier_month)[0])
        self.adjustment = Adjustment.objects.create(
            person=self.mona.person,
            scheme=self.scheme,
            amount=Decimal("10.00"),
            reason="Travel underpaid.",
            created_by=scene.finance,
        )
        self.budget = BudgetAllocation.objects.create(
            scheme=self.scheme, quarter_start=datetime.date(2026, 4, 1), amount=Decimal("5000")
        )
        self.rate_card = RateCard.objects.get(scheme=self.scheme)

    # sessions and forms -----------------------------------------------------------------------
    def _sessions_and_forms(self):
        scene = self.scene
        self.session = scene.held(self.pair, self.mona, starts_at=days_ago(3))
        self.action = self.session.actions.create(
            owner=self.pair.members.get(role="mentee"),
            text="Read the appraisal guidance.",
            due_on=timezone.localdate() + datetime.timedelta(days=14),
        )
        self.reflection_template = FormTemplateFactory(
            scheme=self.scheme, kind=FormKind.POST_SESSION, readers=Readers.AUTHOR
        )
        self.reflection = responses.start_response(
            by=self.enid.person.user,
            mentorship=self.pair,
            kind=FormKind.POST_SESSION,
            answers={"key_issues": REFLECTION, "unexpected": "no"},
            submit=True,
            session=self.session,
        )
        self.reflection = responses.share(
            by=self.enid.person.user, response=self.reflection, shared=True
        )
        self.line_manager = PersonFactory(organisation=scene.practices[1])
        self.confirmation = EmployerConfirmation.objects.create(
            mentorship=self.pair, line_manager=self.line_manager
        )

    # matching ---------------------------------------------------------------------------------
    def _matching(self):
        scene = self.scene
        self.policy = MatchingPolicy.objects.get(scheme=self.scheme)
        self.round = MatchingRound.objects.create(
            scheme=self.scheme, status=MatchingRound.Status.READY, created_by=scene.coordinator
        )
        spare = scene.mentee("Sian Spare")
        self.proposal = Proposal.objects.create(
            round=self.round, mentor=self.mona, mentee=spare, score=10.0
        )
        self.flag = ConflictFlag.objects.create(
            mentorship=self.pair, conflict="line_manager", hard=False, reason="A test conflict."
        )
        rematched = scene.mentee("Rhys Rematched")
        ended = matching.create_mentorship(
            mentors=[self.olga], mentees=[rematched], source="manual", by=None
        )
        self.rematch = RematchRequest.objects.create(
            mentorship=ended, mentee=rematched, reason="CONFIDENTIAL reason for a new mentor."
        )
        self.application = ApplicationFactory(
            mentee=True, person=self.enid.person, scheme=self.scheme, with_check=True
        )
        self.check = EligibilityCheck.objects.filter(person=self.enid.person).first()

    # the register and the admin's own records -------------------------------------------------
    def _register(self):
        scene = self.scene
        mona = self.mona.person
        self.training = scene.training
        self.registration = RegistrationFactory(person=mona)
        self.relationship = WorkingRelationshipFactory(
            supervisor=self.line_manager, supervisee=self.enid.person
        )
        invited = PersonFactory(
            organisation=scene.practices[0], user__email="ivy.invited@example.nhs.uk"
        )
        invited.user.set_unusable_password()
        invited.user.save()
        invitations.invite_people(people=[invited], invited_by=scene.coordinator)
        self.invited = invited
        self.invitation = Invitation.objects.get(user=invited.user)
        self.invitation_token = tokens.make_token(invited.user, tokens.INVITATION)
        self.verify_token = tokens.make_token(invited.user, tokens.VERIFY_EMAIL)
        self.role_assignment = RoleAssignment.objects.filter(user=scene.coordinator).first()
        self.notification = Notification.objects.create(
            kind="claim_approved",
            recipient=self.mona.person.user,
            about="security-world",
            subject="Your claim is approved",
            organisation=self.icb,
            scheme=self.scheme.slug,
        )
        now = timezone.now()
        self.job_run = JobRun.objects.create(job="reminders", started_at=now, at=now)
        self.group = Group.objects.get(name="coordinator")
        self.totp = totp_device(scene.coordinator)
        self.static = StaticDevice.objects.create(user=scene.coordinator, name="Backup codes")
        self.access_attempt = AccessAttempt.objects.create(
            username="nobody@example.nhs.uk",
            ip_address="192.0.2.1",
            user_agent="test",
            failures_since_start=1,
        )
        self.access_failure = AccessFailureLog.objects.create(
            username="nobody@example.nhs.uk", ip_address="192.0.2.1", user_agent="test"
        )
        self.evidence_path = f"{EVIDENCE_PREFIX}/{mona.pk}/certificate.pdf"
        default_storage.save(self.evidence_path, ContentFile(b"%PDF-1.4 test"))
        self.organisation = scene.practices[0]
        self.person_type = ContentType.objects.get_for_model(Person)
        self.sector = Sector.objects.get_or_create(name="Primary care")[0]
        self.scope_of_practice = ScopeOfPractice.objects.get_or_create(name="Minor illness")[0]
        self.focus_area = FocusArea.objects.get_or_create(name="Leadership")[0]
        self._audit()

    def _audit(self):
        """A record of someone viewing Mona's registration, and a change to her person record."""
        self.access_event = AccessEvent.objects.create(
            actor=self.scene.coordinator,
            actor_description="Test coordinator",
            action="viewed",
            what="registration details",
            person=self.mona.person,
            organisation=self.mona.person.organisation,
            path="/admin/",
            method="GET",
        )
        mona = self.mona.person
        mona.department = "Urgent care"
        mona.save()
        self.change = LogEntry.objects.get_for_object(mona).order_by("-pk").first() or self.first(
            "auditlog.logentry"
        )

    # lookups ----------------------------------------------------------------------------------
    def person(self, role: str) -> Person | None:
        user = self.users[role]
        return Person.objects.filter(user=user).first() if user else None

    def user(self, role: str) -> User | None:
        return self.users[role]

    @staticmethod
    def first(label: str):
        """The first record of a model the world does not make itself (made by migrations or
        as a side effect, such as audit rows)."""
        found = apps.get_model(label)._default_manager.order_by("pk").first()
        assert found is not None, f"The world has no {label} record."
        return found

    def mentorships(self) -> list[Mentorship]:
        return [self.pair, self.other_pair]
