"""The coordinators' admin for matching: each scheme's policy, matching rounds (run, review,
accept, swap, publish), mentorships (pair by hand, end, record the first meeting, resolve conflict
flags) and the confidential rematch requests.

Every page is scoped to the schemes of the coordinator's organisations (a 404 outside them), and
every change goes through ``matching.services`` or ``matching.rounds``, so a conflicting pair is
refused here exactly as it is everywhere else — with the reasons shown by the field.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from matching import rounds, services
from matching.admin_forms import (
    EndMentorshipForm,
    FirstMeetingForm,
    MatchingPolicyForm,
    PairByHandForm,
    ResolveFlagForm,
    RunRoundForm,
    SwapMentorForm,
    add_refusal,
)
from matching.errors import MatchingError, MatchingRefusal
from matching.models import (
    ConflictFlag,
    MatchingPolicy,
    MatchingRound,
    Mentorship,
    MentorshipMember,
    Proposal,
    RematchRequest,
    Source,
)
from matching.scoring import CONFLICTS, CRITERIA
from mentoring import scoping
from mentoring.admin import ReadOnlyMixin, ScopedAdmin
from schemes.models import Scheme

SCHEME_SCOPE = ("scheme__owner__",)
MENTORSHIP_SCOPE = ("mentorship__scheme__owner__",)
PROPOSALS_PER_PAGE = 100
PAIRS_LISTED_BEFORE_PUBLISHING = 200


def visible_schemes(user):
    """The schemes whose owner is one of the user's organisations (or below one)."""
    q = scoping.organisation_q(user, prefix="owner__")
    schemes = Scheme.objects.all() if q is None else Scheme.objects.filter(q)
    return schemes.order_by("name")


# the score breakdown ----------------------------------------------------------------------------
def _number(value) -> str:
    return f"{value:g}" if isinstance(value, int | float) else "—"


def breakdown_table(breakdown: dict | None) -> str:
    """Why a pair scored what it did, as a table a coordinator can read: each criterion with its
    weight on the scheme, how far it holds for this pair, and the points it gave; then each
    penalty; then the score."""
    if not breakdown or "criteria" not in breakdown:
        return "—"
    criteria = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td><td>{}%</td><td>{}</td></tr>',
        (
            (c["label"], c["weight"], _number(round(100 * c["value"])), _number(c["points"]))
            for c in breakdown["criteria"].values()
        ),
    )
    penalties = format_html_join(
        "",
        '<tr><th scope="row">Penalty: {}</th><td></td><td></td><td>{}</td></tr>',
        ((p["label"], _number(p["points"])) for p in breakdown.get("penalties", {}).values()),
    )
    score = breakdown.get("score")
    return format_html(
        '<table class="score-breakdown"><thead><tr><th scope="col">Criterion</th>'
        '<th scope="col">Weight</th><th scope="col">How far it holds</th>'
        '<th scope="col">Points</th></tr></thead><tbody>{}{}</tbody>'
        '<tfoot><tr><th scope="row">Score</th><td></td><td></td><td><strong>{}</strong></td>'
        "</tr></tfoot></table>",
        criteria,
        penalties,
        "never matched (a hard conflict)" if score is None else _number(score),
    )


class _Pages:
    """Plain pages of an admin (confirmation forms and the like), with the admin's context."""

    def page(self, request, template: str, title: str, **context):
        return TemplateResponse(
            request,
            f"admin/matching/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                **context,
            },
        )

    def may_change(self, request) -> bool:
        """The model-level change permission (the pages of single objects are read-only)."""
        return admin.ModelAdmin.has_change_permission(self, request)

    def require_change(self, request) -> None:
        if not self.may_change(request):
            raise PermissionDenied

    def scoped_object(self, request, object_id):
        return self.get_object(request, unquote(str(object_id)))


# policies ---------------------------------------------------------------------------------------
@admin.register(MatchingPolicy)
class MatchingPolicyAdmin(ScopedAdmin):
    form = MatchingPolicyForm
    scope_organisation_prefixes = SCHEME_SCOPE
    list_display = ("scheme", "mode", "shortlist_size", "spread_load")
    list_filter = ("mode",)
    list_select_related = ("scheme",)
    search_fields = ("scheme__name",)
    fieldsets = (
        (None, {"fields": ("scheme", "mode", "shortlist_size")}),
        (
            "What makes a good pair",
            {
                "description": "Each criterion's weight, from 0 (ignored) to 100. A pair's "
                "score is the sum of each weight times how far the criterion holds for them.",
                "fields": tuple(f"weight_{name}" for name in CRITERIA),
            },
        ),
        (
            "Other conflicts of interest",
            {
                "description": "A mentor is never their mentee's line manager, clinical, "
                "educational or designated supervisor or DPP: those are always hard conflicts. "
                "These other conflicts are set per scheme.",
                "fields": (*CONFLICTS, "conflict_penalty"),
            },
        ),
        ("Spreading the load", {"fields": ("spread_load", "spread_step")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return ("scheme",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scheme":
            kwargs["queryset"] = visible_schemes(request.user).filter(matching_policy__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# rounds -----------------------------------------------------------------------------------------
@admin.register(MatchingRound)
class MatchingRoundAdmin(_Pages, ScopedAdmin):
    scope_organisation_prefixes = SCHEME_SCOPE
    list_display = (
        "round_name",
        "scheme",
        "status",
        "matched",
        "unmatched_count",
        "created_at",
        "created_by",
    )
    list_filter = (("scheme", admin.RelatedOnlyFieldListFilter), "status")
    list_select_related = ("scheme", "created_by")
    search_fields = ("scheme__name",)
    change_list_template = "admin/matching/matchinground/change_list.html"

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Round", ordering="pk")
    def round_name(self, matching_round):
        return f"Round {matching_round.pk}"

    @admin.display(description="Unmatched")
    def unmatched_count(self, matching_round):
        return len(matching_round.unmatched)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/proposals/",
                wrap(self.proposals_view),
                name="matching_matchinground_proposals",
            ),
            path(
                "<path:object_id>/proposals/<int:proposal_id>/swap/",
                wrap(self.swap_view),
                name="matching_proposal_swap",
            ),
            path(
                "<path:object_id>/publish/",
                wrap(self.publish_view),
                name="matching_matchinground_publish",
            ),
            *super().get_urls(),
        ]

    def round_url(self, matching_round, **query) -> str:
        url = reverse("admin:matching_matchinground_change", args=[matching_round.pk])
        query = {k: v for k, v in query.items() if v}
        return f"{url}?{urlencode(query)}" if query else url

    # running a round
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        schemes = visible_schemes(request.user)
        form = RunRoundForm(
            request.POST if request.method == "POST" else None,
            schemes=schemes,
            initial={"scheme": request.GET.get("scheme")},
        )
        if form.is_valid():
            scheme = form.cleaned_data["scheme"]
            matching_round = rounds.start_round(scheme=scheme, by=request.user)
            if matching_round is not None:
                self.log_addition(request, matching_round, [{"added": {}}])
                return HttpResponseRedirect(self.round_url(matching_round))
            form.add_error(
                "scheme",
                f"A round of {scheme} is already running: wait for it to finish. A round that "
                f"has not finished within {rounds.RUNNING_ROUND_BLOCKS_FOR.seconds // 60} minutes no "
                "longer stops a new one.",
            )
        return self.page(request, "matchinground/run.html", "Run a matching round", form=form)

    # the round page
    def change_view(self, request, object_id, form_url="", extra_context=None):
        matching_round = self.scoped_object(request, object_id)
        if not self.has_view_or_change_permission(request, matching_round):
            raise PermissionDenied
        status = matching_round.status
        context = {
            "matching_round": matching_round,
            "running": status == MatchingRound.Status.RUNNING,
            "can_change": status == MatchingRound.Status.READY and self.may_change(request),
            "policy": self._policy_rows(matching_round.parameters),
        }
        if status in (MatchingRound.Status.READY, MatchingRound.Status.PUBLISHED):
            context.update(self._proposals(request, matching_round))
        return self.page(
            request,
            "matchinground/round.html",
            f"Round {matching_round.pk} of {matching_round.scheme}",
            **context,
        )

    def _proposals(self, request, matching_round) -> dict:
        counts = dict(
            matching_round.proposals.order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        shown = request.GET.get("status", "")
        if shown not in Proposal.Status.values:
            shown = ""
        proposals = matching_round.proposals.select_related(
            "mentor__person__user",
            "mentor__person__organisation",
            "mentee__person__user",
            "mentee__person__organisation",
            "swapped_by",
        )
        if shown:
            proposals = proposals.filter(status=shown)
        page = Paginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
        tabs = [("", "All", sum(counts.values()))] + [
            (value, label, counts.get(value, 0)) for value, label in Proposal.Status.choices
        ]
        return {
            "page_obj": page,
            "rows": [(proposal, breakdown_table(proposal.breakdown)) for proposal in page],
            "counts": counts,
            "accepted_count": counts.get(Proposal.Status.ACCEPTED, 0),
            "tabs": [
                (self.round_url(matching_round, status=value), label, n, value == shown)
                for value, label, n in tabs
            ],
            "shown": shown,
            "pages": [
                (n, self.round_url(matching_round, status=shown, page=n))
                for n in page.paginator.page_range
            ]
            if page.paginator.num_pages > 1
            else [],
        }

    @staticmethod
    def _policy_rows(parameters: dict) -> list[tuple[str, str]]:
        weights = parameters.get("weights", {})
        conflicts = parameters.get("conflicts", {})
        rows = [
            (label, f"weight {weights[name]}")
            for name, label in CRITERIA.items()
            if name in weights
        ]
        rows += [(label, conflicts[name]) for name, label in CONFLICTS.items() if name in conflicts]
        if "penalty" in parameters:
            rows.append(("Points a penalty takes off", str(parameters["penalty"])))
        if parameters.get("spread_load"):
            rows.append(("Each extra mentee of a mentor costs", str(parameters["spread_step"])))
        return rows

    # accepting and rejecting in bulk
    def proposals_view(self, request, object_id):
        matching_round = self.scoped_object(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(self.round_url(matching_round))
        self.require_change(request)
        decision = request.POST.get("decision")
        if decision not in ("accept", "reject", "accept_all"):
            raise Http404("No such decision.")
        back = self.round_url(
            matching_round, status=request.POST.get("status"), page=request.POST.get("page")
        )
        if decision == "accept_all":
            ids = list(
                matching_round.proposals.filter(status=Proposal.Status.SUGGESTED).values_list(
                    "pk", flat=True
                )
            )
        else:
            ids = [int(pk) for pk in request.POST.getlist("proposal") if pk.isdigit()]
        if not ids:
            self.message_user(
                request, "Select the proposals to accept or reject first.", messages.WARNING
            )
            return HttpResponseRedirect(back)
        accept = decision != "reject"
        try:
            changed = rounds.set_status(
                matching_round=matching_round, proposal_ids=ids, accept=accept
            )
        except MatchingError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
        else:
            self.message_user(
                request,
                f"{changed} proposal{'s' if changed != 1 else ''} "
                f"{'accepted' if accept else 'rejected'}.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(back)

    # swapping a mentor by hand
    def swap_view(self, request, object_id, proposal_id):
        matching_round = self.scoped_object(request, object_id)
        proposal = get_object_or_404(
            matching_round.proposals.select_related(
                "round__scheme",
                "mentor__person__user",
                "mentee__person__user",
                "mentee__person__organisation",
            ),
            pk=proposal_id,
        )
        self.require_change(request)
        form = SwapMentorForm(request.POST if request.method == "POST" else None, proposal=proposal)
        if form.is_valid():
            mentor = form.cleaned_data["mentor"]
            try:
                swapped = rounds.swap_mentor(proposal=proposal, mentor=mentor, by=request.user)
            except MatchingError as refusal:
                add_refusal(form, refusal, None)
            else:
                self.message_user(
                    request,
                    f"{mentor.person.full_name} is now proposed as "
                    f"{proposal.mentee.person.full_name}'s mentor (score {swapped.score:g}), "
                    "and the proposal is accepted.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self.round_url(matching_round))
        return self.page(
            request,
            "matchinground/swap.html",
            f"Choose another mentor for {proposal.mentee.person.full_name}",
            matching_round=matching_round,
            proposal=proposal,
            form=form,
            ready=matching_round.status == MatchingRound.Status.READY,
        )

    # publishing
    def publish_view(self, request, object_id):
        matching_round = self.scoped_object(request, object_id)
        self.require_change(request)
        problems = []
        if request.method == "POST":
            try:
                published = rounds.publish(matching_round=matching_round, by=request.user)
            except MatchingError as refusal:
                problems = refusal.reasons or [refusal.message]
            else:
                self.log_change(request, matching_round, [{"changed": {"fields": ["status"]}}])
                self.message_user(
                    request,
                    f"{published} mentorship{'s' if published != 1 else ''} proposed from "
                    f"round {matching_round.pk}: each mentor and mentee has been told who "
                    "they are matched with.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:matching_mentorship_changelist") + f"?round={matching_round.pk}"
                )
        accepted = matching_round.proposals.filter(status=Proposal.Status.ACCEPTED).select_related(
            "mentor__person__user", "mentee__person__user"
        )
        listed = list(accepted[: PAIRS_LISTED_BEFORE_PUBLISHING + 1])
        total = len(listed)
        if total > PAIRS_LISTED_BEFORE_PUBLISHING:
            total = accepted.count()
        return self.page(
            request,
            "matchinground/publish.html",
            f"Publish round {matching_round.pk} of {matching_round.scheme}",
            matching_round=matching_round,
            accepted=listed[:PAIRS_LISTED_BEFORE_PUBLISHING],
            accepted_count=total,
            more=max(0, total - PAIRS_LISTED_BEFORE_PUBLISHING),
            problems=problems,
            ready=matching_round.status == MatchingRound.Status.READY,
        )


# mentorships ------------------------------------------------------------------------------------
class OpenFlagFilter(admin.SimpleListFilter):
    title = "open conflict flag"
    parameter_name = "open_flag"

    def lookups(self, request, model_admin):
        return [("yes", "Has an open conflict flag"), ("no", "No open conflict flag")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_open_flag=True)
        if self.value() == "no":
            return queryset.filter(has_open_flag=False)
        return queryset


class RoundFilter(admin.SimpleListFilter):
    """The mentorships a round published (linked to after publishing; shown only when chosen)."""

    title = "matching round"
    parameter_name = "round"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, f"Round {value}")] if value and value.isdigit() else []

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(proposal__round_id=int(value))
        return queryset


class MemberInline(admin.TabularInline):
    model = MentorshipMember
    extra = 0
    can_delete = False
    fields = ("person", "role", "response", "responded_at", "first_attended_on")
    readonly_fields = fields
    verbose_name = "mentor or mentee"
    verbose_name_plural = "mentors and mentees"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("enrolment__person__user", "enrolment__person__organisation")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Person")
    def person(self, member):
        person = member.enrolment.person
        url = reverse("admin:schemes_enrolment_change", args=[member.enrolment_id])
        return format_html('<a href="{}">{}</a> ({})', url, person.full_name, person.organisation)


@admin.register(Mentorship)
class MentorshipAdmin(_Pages, ScopedAdmin):
    scope_organisation_prefixes = SCHEME_SCOPE
    list_display = (
        "mentorship_name",
        "scheme",
        "kind",
        "status",
        "mentor_names",
        "mentee_names",
        "source",
        "started_on",
        "needs_rematch",
        "open_flag",
    )
    list_filter = (
        ("scheme", admin.RelatedOnlyFieldListFilter),
        "status",
        "kind",
        "needs_rematch",
        OpenFlagFilter,
        "source",
        RoundFilter,
    )
    search_fields = (
        "members__enrolment__person__user__email",
        "members__enrolment__person__user__first_name",
        "members__enrolment__person__user__last_name",
    )
    list_select_related = ("scheme",)
    inlines = (MemberInline,)
    actions = ("end_selected", "record_first_meeting")
    change_list_template = "admin/matching/mentorship/change_list.html"
    change_form_template = "admin/matching/mentorship/change_form.html"
    fieldsets = (
        (None, {"fields": ("scheme", "kind", "status", "source", "from_round", "created")}),
        (
            "Meeting and ending",
            {"fields": ("started_on", "ended_on", "end_reason", "end_note", "needs_rematch")},
        ),
        ("Why they were paired", {"fields": ("score", "score_breakdown")}),
        ("Conflicts of interest", {"fields": ("conflict_flag_panel",)}),
        ("Confidential", {"fields": ("rematch",)}),
    )

    def get_queryset(self, request):
        open_flags = ConflictFlag.objects.filter(
            mentorship=OuterRef("pk"), resolution=ConflictFlag.Resolution.OPEN
        )
        members = MentorshipMember.objects.select_related("enrolment__person__user").order_by(
            "role", "pk"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(has_open_flag=Exists(open_flags))
            .prefetch_related(Prefetch("members", queryset=members))
        )

    def has_change_permission(self, request, obj=None):
        """Mentorships change only through their actions, so each page of one is read-only."""
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/end/", wrap(self.end_view), name="matching_mentorship_end"),
            path(
                "<path:object_id>/meeting/",
                wrap(self.meeting_view),
                name="matching_mentorship_meeting",
            ),
            path(
                "<path:object_id>/flags/<int:flag_id>/",
                wrap(self.flag_view),
                name="matching_mentorship_flag",
            ),
            *super().get_urls(),
        ]

    # the list
    @admin.display(description="Mentorship", ordering="pk")
    def mentorship_name(self, mentorship):
        return f"{mentorship.get_kind_display()} mentorship {mentorship.pk}"

    def _names(self, mentorship, role):
        return ", ".join(
            m.enrolment.person.full_name for m in mentorship.members.all() if m.role == role
        )

    @admin.display(description="Mentors")
    def mentor_names(self, mentorship):
        return self._names(mentorship, "mentor")

    @admin.display(description="Mentees")
    def mentee_names(self, mentorship):
        return self._names(mentorship, "mentee")

    @admin.display(description="Open conflict flag", boolean=True, ordering="has_open_flag")
    def open_flag(self, mentorship):
        return mentorship.has_open_flag

    # the page of one
    @admin.display(description="From")
    def from_round(self, mentorship):
        if mentorship.proposal_id is None:
            return mentorship.get_source_display()
        round_id = mentorship.proposal.round_id
        url = reverse("admin:matching_matchinground_change", args=[round_id])
        return format_html('<a href="{}">Matching round {}</a>', url, round_id)

    @admin.display(description="Created")
    def created(self, mentorship):
        when = timezone.localtime(mentorship.created_at).strftime("%-d %B %Y %H:%M")
        return f"{when} by {mentorship.created_by}" if mentorship.created_by else when

    @admin.display(description="Score breakdown")
    def score_breakdown(self, mentorship):
        return breakdown_table(mentorship.breakdown)

    @admin.display(description="Conflict flags")
    def conflict_flag_panel(self, mentorship):
        flags = list(mentorship.conflict_flags.select_related("resolved_by"))
        if not flags:
            return "None."
        rows = []
        for flag in flags:
            if flag.resolution == ConflictFlag.Resolution.OPEN:
                url = reverse("admin:matching_mentorship_flag", args=[mentorship.pk, flag.pk])
                action = format_html('<a href="{}">Resolve this flag</a>', url)
            else:
                action = format_html(
                    "{}: {}", flag.get_resolution_display(), flag.resolution_note or "—"
                )
            rows.append(
                (
                    flag.reason,
                    "Hard: the mentorship must end" if flag.hard else "May be allowed to stand",
                    timezone.localtime(flag.raised_at).strftime("%-d %B %Y"),
                    action,
                )
            )
        return format_html(
            '<table><thead><tr><th scope="col">Conflict</th><th scope="col">Kind</th>'
            '<th scope="col">Raised</th><th scope="col">Resolution</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description="Rematch request")
    def rematch(self, mentorship):
        request = RematchRequest.objects.filter(mentorship=mentorship).first()
        if request is None:
            return "None."
        url = reverse("admin:matching_rematchrequest_change", args=[request.pk])
        return format_html(
            '<a href="{}">The mentee asked for a different mentor</a> (only coordinators see '
            "this; the mentor was told only that the mentorship ended).",
            url,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_act": self.may_change(request),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    # pairing by hand
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        schemes = visible_schemes(request.user)
        scheme_id = request.POST.get("scheme") or request.GET.get("scheme")
        scheme = schemes.filter(pk=scheme_id).first() if scheme_id and scheme_id.isdigit() else None
        form = PairByHandForm(
            request.POST if request.method == "POST" else None, schemes=schemes, scheme=scheme
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                mentorship = services.create_mentorship(
                    mentors=list(data["mentors"]),
                    mentees=list(data["mentees"]),
                    source=Source.MANUAL,
                    by=request.user,
                    kind=data["kind"],
                )
            except MatchingError as refusal:
                add_refusal(
                    form, refusal, "mentors" if refusal.code == MatchingRefusal.CONFLICT else None
                )
            else:
                self.log_addition(request, mentorship, [{"added": {}}])
                self.message_user(
                    request,
                    f"{mentorship} proposed: the mentors and mentees have been told.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:matching_mentorship_change", args=[mentorship.pk])
                )
        return self.page(request, "mentorship/pair.html", "Pair by hand", form=form, scheme=scheme)

    # ending
    @admin.action(description="End selected mentorships, with a reason", permissions=["change"])
    def end_selected(self, request, queryset):
        return self._end(request, list(queryset.select_related("scheme")), action="end_selected")

    def end_view(self, request, object_id):
        mentorship = self.scoped_object(request, object_id)
        self.require_change(request)
        response = self._end(request, [mentorship])
        if response is None:
            return HttpResponseRedirect(
                reverse("admin:matching_mentorship_change", args=[mentorship.pk])
            )
        return response

    def _end(self, request, mentorships, action=None):
        form = EndMentorshipForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            data = form.cleaned_data
            ended = 0
            for mentorship in mentorships:
                try:
                    services.end_mentorship(
                        mentorship=mentorship,
                        reason=data["reason"],
                        note=data["note"],
                        by=request.user,
                        offer_next=data["offer_next"],
                    )
                except MatchingError as refusal:
                    self.message_user(request, f"{mentorship}: {refusal.message}", messages.ERROR)
                else:
                    ended += 1
            if ended:
                self.message_user(
                    request,
                    f"{ended} mentorship{'s' if ended != 1 else ''} ended; the mentors and "
                    "mentees have been told.",
                    messages.SUCCESS,
                )
            return None
        return self.page(
            request,
            "mentorship/end.html",
            "End mentorships" if len(mentorships) > 1 else f"End {mentorships[0]}",
            mentorships=mentorships,
            form=form,
            action=action,
            action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
        )

    # the first meeting
    @admin.action(description="Record a first meeting", permissions=["change"])
    def record_first_meeting(self, request, queryset):
        return self._meeting(request, list(queryset), action="record_first_meeting")

    def meeting_view(self, request, object_id):
        mentorship = self.scoped_object(request, object_id)
        self.require_change(request)
        response = self._meeting(request, [mentorship])
        if response is None:
            return HttpResponseRedirect(
                reverse("admin:matching_mentorship_change", args=[mentorship.pk])
            )
        return response

    def _meeting(self, request, mentorships, action=None):
        members = list(
            MentorshipMember.objects.filter(mentorship__in=mentorships)
            .select_related("enrolment__person__user")
            .order_by("mentorship", "role", "pk")
        )
        form = FirstMeetingForm(
            request.POST if "held_on" in request.POST else None, members=members
        )
        if form.is_valid():
            recorded = 0
            for mentorship in mentorships:
                attended = form.attended_in(mentorship.pk)
                try:
                    services.record_meeting(
                        mentorship=mentorship,
                        held_on=form.cleaned_data["held_on"],
                        attended=attended,
                        by=request.user,
                    )
                except MatchingError as refusal:
                    if len(mentorships) == 1:
                        add_refusal(form, refusal, "attended")
                        break
                    self.message_user(request, f"{mentorship}: {refusal.message}", messages.ERROR)
                else:
                    recorded += 1
            if recorded:
                self.message_user(
                    request,
                    f"The meeting is recorded for {recorded} mentorship"
                    f"{'s' if recorded != 1 else ''}: each is active from the day a mentor and "
                    "a mentee first attended.",
                    messages.SUCCESS,
                )
            if form.is_valid():
                return None
        return self.page(
            request,
            "mentorship/meeting.html",
            "Record a first meeting",
            mentorships=mentorships,
            form=form,
            action=action,
            action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
        )

    # conflict flags
    def flag_view(self, request, object_id, flag_id):
        mentorship = self.scoped_object(request, object_id)
        flag = get_object_or_404(
            mentorship.conflict_flags.select_related("resolved_by"), pk=flag_id
        )
        form = ResolveFlagForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            self.require_change(request)
            end = request.POST.get("decision") != "allow"
            try:
                services.resolve_flag(
                    flag=flag, end=end, note=form.cleaned_data["note"], by=request.user
                )
            except MatchingError as refusal:
                add_refusal(form, refusal, "note" if refusal.field == "note" else None)
            else:
                self.message_user(
                    request,
                    "The mentorship has ended."
                    if end
                    else "The mentorship may stand; your reason is kept with the flag.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:matching_mentorship_change", args=[mentorship.pk])
                )
        return self.page(
            request,
            "mentorship/flag.html",
            "Resolve a conflict of interest",
            mentorship=mentorship,
            members=list(mentorship.members.all()),
            flag=flag,
            form=form,
            can_act=self.may_change(request),
        )


# conflict flags and rematch requests ------------------------------------------------------------
@admin.register(ConflictFlag)
class ConflictFlagAdmin(ReadOnlyMixin, ScopedAdmin):
    scope_organisation_prefixes = MENTORSHIP_SCOPE
    list_display = ("reason", "scheme", "mentorship_link", "hard", "resolution", "raised_at")
    list_filter = ("resolution", "hard", ("mentorship__scheme", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("mentorship__scheme",)
    readonly_fields = (
        "mentorship_link",
        "conflict",
        "hard",
        "reason",
        "raised_at",
        "resolution",
        "resolution_note",
        "resolved_at",
        "resolved_by",
    )
    fields = readonly_fields

    @admin.display(description="Scheme", ordering="mentorship__scheme__name")
    def scheme(self, flag):
        return flag.mentorship.scheme

    @admin.display(description="Mentorship")
    def mentorship_link(self, flag):
        if flag.resolution == ConflictFlag.Resolution.OPEN:
            url = reverse("admin:matching_mentorship_flag", args=[flag.mentorship_id, flag.pk])
            return format_html('<a href="{}">Resolve (mentorship {})</a>', url, flag.mentorship_id)
        url = reverse("admin:matching_mentorship_change", args=[flag.mentorship_id])
        return format_html('<a href="{}">Mentorship {}</a>', url, flag.mentorship_id)


class HandledFilter(admin.SimpleListFilter):
    title = "handled"
    parameter_name = "handled"

    def lookups(self, request, model_admin):
        return [("no", "Not yet handled"), ("yes", "Handled")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(handled_at__isnull=self.value() == "no")
        return queryset


@admin.register(RematchRequest)
class RematchRequestAdmin(_Pages, ScopedAdmin):
    """A mentee's confidential request for a different mentor: only their scheme's coordinators
    see it (the mentor is told only that the mentorship ended)."""

    scope_organisation_prefixes = MENTORSHIP_SCOPE
    list_display = ("mentee_name", "scheme", "short_reason", "created_at", "handled")
    list_filter = (HandledFilter, ("mentorship__scheme", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("mentee__person__user", "mentorship__scheme", "handled_by")
    search_fields = ("mentee__person__user__email", "mentee__person__user__last_name")
    actions = ("mark_handled",)
    change_form_template = "admin/matching/rematchrequest/change_form.html"
    readonly_fields = (
        "mentee_name",
        "scheme",
        "mentorship_link",
        "reason",
        "created_at",
        "handled_at",
        "handled_by",
    )
    fields = readonly_fields

    def get_urls(self):
        return [
            path(
                "<path:object_id>/handled/",
                self.admin_site.admin_view(self.handled_view),
                name="matching_rematchrequest_handled",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Mentee", ordering="mentee__person__user__last_name")
    def mentee_name(self, request_):
        return request_.mentee.person.full_name

    @admin.display(description="Scheme", ordering="mentorship__scheme__name")
    def scheme(self, request_):
        return request_.mentorship.scheme

    @admin.display(description="Reason")
    def short_reason(self, request_):
        reason = request_.reason
        return reason if len(reason) <= 80 else reason[:79] + "…"

    @admin.display(description="Handled", boolean=True, ordering="handled_at")
    def handled(self, request_):
        return request_.handled_at is not None

    @admin.display(description="Mentorship")
    def mentorship_link(self, request_):
        url = reverse("admin:matching_mentorship_change", args=[request_.mentorship_id])
        return format_html('<a href="{}">{}</a>', url, request_.mentorship)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        """Requests are marked handled by the action, so each page of one is read-only."""
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_act": self.may_change(request)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _mark(self, request, queryset) -> int:
        return queryset.filter(handled_at__isnull=True).update(
            handled_at=timezone.now(), handled_by=request.user
        )

    @admin.action(description="Mark selected requests as handled", permissions=["change"])
    def mark_handled(self, request, queryset):
        marked = self._mark(request, queryset)
        self.message_user(
            request, f"{marked} request{'s' if marked != 1 else ''} marked as handled."
        )

    def handled_view(self, request, object_id):
        rematch = self.scoped_object(request, object_id)
        if request.method == "POST":
            self.require_change(request)
            if self._mark(request, RematchRequest.objects.filter(pk=rematch.pk)):
                self.message_user(request, "The request is marked as handled.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:matching_rematchrequest_change", args=[rematch.pk])
        )
