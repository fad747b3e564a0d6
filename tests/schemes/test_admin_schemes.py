import datetime
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from schemes import services
from schemes.models import Application, Enrolment
from tests.auth import sign_in
from tests.factories import IcbFactory, OrganisationFactory, coordinator_of
from tests.schemes.world import MENTOR_ANSWERS, gp_mentor, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def ics():
    return world()


@pytest.fixture
def other():
    return world(coordinator_email="elsewhere@example.nhs.uk")


def application(ics, **registration) -> Application:
    return services.submit_application(
        person=gp_mentor(ics["practice"], **registration),
        scheme=ics["schemes"]["gp-supporting-mentors"],
        role="mentor",
        answers=MENTOR_ANSWERS,
    )


def test_a_coordinator_sees_applications_to_their_own_schemes_only(client, ics, other):
    mine, theirs = application(ics), application(other)
    sign_in(client, ics["coordinator"])
    listing = client.get(reverse("admin:schemes_application_changelist")).content.decode()
    assert str(mine.person) in listing
    assert str(theirs.person) not in listing
    assert (
        client.get(reverse("admin:schemes_application_change", args=[theirs.pk])).status_code == 404
    )
    assert (
        client.get(
            reverse("admin:schemes_scheme_change", args=[other["schemes"]["pa-preceptorship"].pk])
        ).status_code
        == 404
    )


def test_the_application_page_shows_the_verdict_with_reasons(client, ics):
    ineligible = application(ics, on_performers_list=False)
    sign_in(client, ics["coordinator"])
    page = client.get(
        reverse("admin:schemes_application_change", args=[ineligible.pk])
    ).content.decode()
    assert "Not eligible today" in page
    assert "Not on the NHS England Medical Performers List." in page
    assert "Eligibility when applied (stored)" in page


def test_approving_from_the_admin_enrols(client, ics):
    pending = application(ics)
    sign_in(client, ics["coordinator"])
    response = client.post(
        reverse("admin:schemes_application_changelist"),
        {"action": "approve", "_selected_action": [pending.pk]},
        follow=True,
    )
    assert "1 application(s) approved." in response.content.decode()
    assert Enrolment.objects.filter(application=pending, status="active").exists()


def test_approving_an_ineligible_applicant_from_the_admin_says_why_and_changes_nothing(client, ics):
    pending = application(ics, interim_suspension=True)
    sign_in(client, ics["coordinator"])
    response = client.post(
        reverse("admin:schemes_application_changelist"),
        {"action": "approve", "_selected_action": [pending.pk]},
        follow=True,
    )
    assert "does not meet the scheme&#x27;s rules" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_rejecting_asks_for_feedback_then_e_mails_it(
    client, ics, django_capture_on_commit_callbacks
):
    pending = application(ics)
    sign_in(client, ics["coordinator"])
    url = reverse("admin:schemes_application_changelist")
    form = client.post(url, {"action": "reject", "_selected_action": [pending.pk]})
    assert "Feedback for the applicant" in form.content.decode()
    missing = client.post(
        url,
        {
            "action": "reject",
            "_selected_action": [pending.pk],
            "feedback": "",
            "how_to_reapply": "",
        },
    )
    assert "Give the applicant feedback on the decision." in missing.content.decode()
    pending.refresh_from_db()
    assert pending.status == "submitted"
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "action": "reject",
                "_selected_action": [pending.pk],
                "feedback": "Not enough clinical sessions.",
                "how_to_reapply": "Reapply once you work three sessions.",
            },
        )

    pending.refresh_from_db()
    assert pending.status == "rejected"
    assert "Reapply once you work three sessions." in mail.outbox[0].body


def test_the_enrolment_list_filters_eligibility_ending_within_thirty_days(client, ics):
    soon = services.approve_application(application=application(ics), decided_by=ics["coordinator"])
    later = services.approve_application(
        application=application(ics), decided_by=ics["coordinator"]
    )
    today = timezone.localdate()
    Enrolment.objects.filter(pk=soon.pk).update(eligible_until=today + datetime.timedelta(days=10))
    Enrolment.objects.filter(pk=later.pk).update(eligible_until=today + datetime.timedelta(days=90))
    sign_in(client, ics["coordinator"])
    page = client.get(
        reverse("admin:schemes_enrolment_changelist"), {"eligibility": "ending"}
    ).content.decode()
    assert str(soon.person) in page
    assert str(later.person) not in page


def test_recording_leaving_from_the_admin(client, ics):
    enrolment = services.approve_application(
        application=application(ics), decided_by=ics["coordinator"]
    )
    sign_in(client, ics["coordinator"])
    client.post(
        reverse("admin:schemes_enrolment_changelist"),
        {
            "action": "record_leaving",
            "_selected_action": [enrolment.pk],
            "left_on": timezone.localdate().isoformat(),
            "kind": "withdrew",
            "reason": "Workload.",
        },
    )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.leave_kind, enrolment.leave_reason) == (
        "left",
        "withdrew",
        "Workload.",
    )


def test_a_capacity_outside_the_schemes_range_is_refused_by_the_field(client, ics):
    enrolment = services.approve_application(
        application=application(ics), decided_by=ics["coordinator"]
    )
    sign_in(client, ics["coordinator"])
    response = client.post(
        reverse("admin:schemes_enrolment_change", args=[enrolment.pk]),
        {"capacity": 12, "clinical_sessions_per_week": "4", "recovery_exemption": ""},
    )
    assert "takes between 4 and 8 mentees" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.capacity == 6


def test_a_rule_parameter_of_the_wrong_type_is_refused_by_the_field(client, ics):
    scheme = ics["schemes"]["gp-supporting-mentors"]
    sign_in(client, ics["coordinator"])
    page = client.get(reverse("admin:schemes_scheme_change", args=[scheme.pk]))
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    formsets = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        formsets[f"{formset.prefix}-TOTAL_FORMS"] = formset.total_form_count()
        formsets[f"{formset.prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for form in formset.forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is not None:
                    formsets[form.add_prefix(name)] = value.pk if hasattr(value, "pk") else value
    rule_prefix = next(
        i.formset.prefix
        for i in page.context["inline_admin_formsets"]
        if i.formset.model.__name__ == "EligibilityRule"
    )
    sessions = next(
        n
        for n, f in enumerate(page.context["inline_admin_formsets"][2].formset.forms)
        if f.initial.get("code") == "min_clinical_sessions_per_week"
    )
    formsets[f"{rule_prefix}-{sessions}-params"] = '{"minimum": "three"}'
    for key, value in list(formsets.items()):
        if key.endswith("-params") and isinstance(value, dict):
            formsets[key] = json.dumps(value)
    response = client.post(
        reverse("admin:schemes_scheme_change", args=[scheme.pk]), {**data, **formsets}
    )
    assert "minimum: Enter a number." in response.content.decode()
    assert scheme.eligibility_rules.get(code="min_clinical_sessions_per_week").params == {
        "minimum": "3"
    }


def test_the_person_admin_shows_an_applicant_from_another_organisation(client, ics):
    elsewhere = OrganisationFactory(parent=IcbFactory())
    outsider = gp_mentor(elsewhere)
    services.submit_application(
        person=outsider,
        scheme=ics["schemes"]["gp-supporting-mentors"],
        role="mentor",
        answers=MENTOR_ANSWERS,
    )
    sign_in(client, ics["coordinator"])
    assert (
        client.get(reverse("admin:mentoring_person_change", args=[outsider.pk])).status_code == 200
    )
    sign_in(client, coordinator_of(elsewhere.parent))
    assert (
        client.get(reverse("admin:mentoring_person_change", args=[outsider.pk])).status_code == 200
    )


@pytest.mark.parametrize("model", ["application", "enrolment", "eligibilitycheck", "scheme"])
def test_lists_run_a_constant_number_of_queries(client, ics, model, django_assert_max_num_queries):
    sign_in(client, ics["coordinator"])
    url = reverse(f"admin:schemes_{model}_changelist")
    services.approve_application(application=application(ics), decided_by=ics["coordinator"])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(8):
        services.approve_application(application=application(ics), decided_by=ics["coordinator"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
