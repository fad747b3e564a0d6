"""Every form of every app is fuzzed, and a new form cannot slip through unfuzzed.

``test_every_form_class_is_fuzzed`` walks the apps' modules for Form and ModelForm classes and
fails on any that is in none of the lists below: a form gets fuzzed through its page
(``test_form_pages.PAGES``), through the import it validates rows for (``test_imports``), or —
where its page is hard to reach in a test (admin actions, a published round, a link from an
e-mail) — bound directly here with the arguments its view gives it. Bound directly, whatever the
input: ``is_valid()`` raises nothing, every error is on a field of the form in plain words, the
form still renders, and no table has changed (validating never saves).
"""

import importlib
import inspect
import pkgutil

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.contrib.admin.helpers import ActionForm
from django.contrib.sessions.backends.db import SessionStore
from django.http import QueryDict
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from matching.models import MatchingRound, Proposal
from schemes.models import Enrolment, Scheme
from sessions_log.models import EmployerConfirmation
from tests.factories import PersonFactory, UserFactory
from tests.fuzz.strategies import (
    FUZZ,
    assert_form_errors_plain,
    changed,
    counted_tables,
    form_posts,
    posted_text,
    row_counts,
)
from tests.fuzz.test_form_pages import NOT_SAVES, PAGES
from tests.reimbursement.scene import ClaimScene

pytestmark = pytest.mark.django_db

APPS = ["mentoring", "schemes", "matching", "sessions_log", "reimbursement", "reporting"]
BIND_FUZZ = FUZZ.__class__(parent=FUZZ, max_examples=8)

# The rows of each import: fuzzed, with the rest of the import, by test_imports.
IMPORT_ROWS = {
    "mentoring.imports.organisations.OrganisationRow",
    "mentoring.imports.people.PersonRow",
    "mentoring.imports.people_records.RegistrationRow",
    "mentoring.imports.people_records.TrainingRow",
    "mentoring.imports.people_records.RelationshipRow",
    "schemes.imports.EnrolmentRow",
    "reimbursement.imports.ClaimRow",
}
# Bases with no fields of their own, fuzzed through every subclass.
BASES = {
    "matching.forms.ServiceForm",
    "sessions_log.forms_sessions.ServiceForm",
    "sessions_log.questions.ResponseForm",
}


def proposal(s: ClaimScene) -> Proposal:
    matching_round = MatchingRound.objects.create(scheme=s.scheme, status="proposed")
    other = s.mentor("Otto Other")
    return Proposal.objects.create(round=matching_round, mentor=other, mentee=s.enid, score=1.0)


def employer_confirmation(s: ClaimScene) -> EmployerConfirmation:
    return EmployerConfirmation.objects.create(
        mentorship=s.pair_, line_manager=PersonFactory(organisation=s.practices[0])
    )


def invited_user():
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    return user


class LazyScene:
    """The claims scene, built only for the forms that need it (most need nothing)."""

    def __getattr__(self, name):
        if "_scene" not in self.__dict__:
            self.__dict__["_scene"] = ClaimScene()
        return getattr(self.__dict__["_scene"], name)


def signed_in(user):
    """A request from ``user``, as the views that check a password again receive it."""
    request = RequestFactory().post("/")
    request.user = user
    request.session = SessionStore()
    return request


def _mentee(s: ClaimScene) -> Enrolment:
    return Enrolment.objects.get(pk=s.enid.pk)


# dotted name → the keyword arguments its view gives it, from the scene
BOUND = {
    "mentoring.forms.SetPasswordForm": lambda s: {"before": [invited_user()]},
    "mentoring.admin.RoleAssignmentForm": lambda s: {},
    "schemes.admin.RuleForm": lambda s: {},
    "schemes.admin.RejectionForm": lambda s: {},
    "schemes.admin.LeavingForm": lambda s: {},
    "schemes.admin.EnrolmentForm": lambda s: {"instance": s.mona},
    "schemes.admin.RateForm": lambda s: {"instance": s.card.rates.first()},
    "matching.forms.RespondForm": lambda s: {},
    "matching.forms.ChooseMentorForm": lambda s: {"mentee": _mentee(s), "shortlist": [s.mona]},
    "matching.forms.RankMentorsForm": lambda s: {"mentee": _mentee(s), "shortlist": [s.mona]},
    "matching.admin_forms.SwapMentorForm": lambda s: {"proposal": proposal(s)},
    "matching.admin_forms.EndMentorshipForm": lambda s: {},
    "matching.admin_forms.FirstMeetingForm": lambda s: {"members": list(s.pair_.members.all())},
    "matching.admin_forms.ResolveFlagForm": lambda s: {},
    "sessions_log.forms_sessions.EmployerConfirmationForm": lambda s: {
        "confirmation": employer_confirmation(s)
    },
    "reimbursement.admin.RejectClaimsForm": lambda s: {},
    "mentoring.views.two_factor.CodeForm": lambda s: {},
    "matching.forms.NotContinuingForm": lambda s: {},
    "sessions_log.admin.templates.FormTemplateForm": lambda s: {},
    "sessions_log.admin.templates.CustomiseForm": lambda s: {
        "schemes": Scheme.objects.filter(pk=s.scheme.pk)
    },
    "mentoring.views.two_factor.ConfirmForm": lambda s: {"before": [signed_in(s.coordinator)]},
}


def form_classes() -> set[str]:
    """Every Form and ModelForm class defined in the apps' modules (not the ones imported)."""
    found = set()
    for label in APPS:
        package = importlib.import_module(label)
        names = [label] + [
            m.name
            for m in pkgutil.walk_packages(package.__path__, prefix=f"{label}.")
            if ".migrations" not in m.name and ".management" not in m.name
        ]
        for name in names:
            module = importlib.import_module(name)
            for value in vars(module).values():
                if (
                    inspect.isclass(value)
                    and issubclass(value, forms.BaseForm)
                    and value.__module__ == name
                    and not issubclass(value, ActionForm)
                ):
                    found.add(f"{name}.{value.__qualname__}")
    return found


def test_every_form_class_is_fuzzed():
    covered = set(PAGES) | set(BOUND) | IMPORT_ROWS | BASES
    found = form_classes()
    assert sorted(found - covered) == [], "fuzz these forms: add them to PAGES or BOUND"
    assert sorted(covered - found) == [], "these forms are gone: remove them from the lists"


def _class(name: str):
    module, _, qualname = name.rpartition(".")
    return getattr(importlib.import_module(module), qualname)


@pytest.mark.parametrize("name", BOUND)
def test_a_form_bound_to_any_input_gives_errors_by_its_fields_and_saves_nothing(name):
    scene = LazyScene()
    form_class = _class(name)
    kwargs = BOUND[name](scene)
    before_data = kwargs.pop("before", [])  # positional arguments that come before the data
    blank = form_class(*before_data, **kwargs)
    tables = counted_tables(skip=NOT_SAVES)

    @BIND_FUZZ
    @given(st.data())
    def binds(data):
        posted = data.draw(form_posts(blank))
        files = {k: v for k, v in posted.items() if hasattr(v, "read")}
        values = {k: v for k, v in posted.items() if k not in files}
        before = row_counts(tables)
        form = form_class(*before_data, _as_post(values), files, **kwargs)
        if form.is_valid():
            return
        assert changed(before, row_counts(tables)) == {}
        assert_form_errors_plain(form, posted_text(posted))
        if getattr(form, "helper", None) is not None:
            render_crispy_form(form)
        else:
            str(form)

    binds()


def _as_post(values: dict) -> QueryDict:
    """The values as request.POST holds them."""
    post = QueryDict(mutable=True)
    for key, value in values.items():
        if isinstance(value, list):
            post.setlist(key, value)
        else:
            post[key] = value
    return post
