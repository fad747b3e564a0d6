"""A mentee writes her post-session reflection — the required question is asked for first —,
submits it and shares it with her mentor; the mentor signs in and reads it; the scheme's
coordinator sees in the admin only that it was completed, and when, never what it says. Every
page passes axe-core's WCAG 2.2 AA checks."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions_log.models import FormKind, FormResponse, Readers
from tests.browser import assert_accessible, sign_in
from tests.matching.pairs import Scene
from tests.sessions_log.factories import FormTemplateFactory
from tests.sessions_log.forms_cast import pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Mentee reflection template document – post-session"
QUESTIONS = [
    {
        "key": "key_issues",
        "type": "long_text",
        "text": "What are the key issues that arose in this session?",
        "required": True,
    },
    {
        "key": "outcomes",
        "type": "long_text",
        "text": "What areas/outcomes have you planned to tackle?",
    },
    {
        "key": "unexpected",
        "type": "yes_no",
        "text": "Did any unexpected issues arise?",
    },
]
ISSUES = "Handing over at the end of a long clinic, and saying no to extra lists."


def test_a_mentee_reflects_shares_and_only_the_mentor_reads_it(live_server, page):
    scene = Scene()
    mona, enid = scene.mentor("Mona Mentor"), scene.mentee("Enid Mentee")
    mentorship = pair(mona, enid)
    FormTemplateFactory(
        scheme=scene.scheme,
        kind=FormKind.POST_SESSION,
        readers=Readers.AUTHOR,
        title=TITLE,
        questions=QUESTIONS,
        closing_note="Once completed keep this form safe for future reflection, you might "
        "like to share this form with your mentor.",
    )

    # The mentee finds the reflection from her mentorship.
    sign_in(page, live_server, "enid@example.nhs.uk")
    page.goto(f"{live_server.url}/mentorships/{mentorship.pk}/")
    page.get_by_role("link", name="Your agenda, reflections and forms").click()
    expect(
        page.get_by_role("heading", name=re.compile("^Forms for your mentorship"))
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Post-session reflection").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("Only you can read this.")).to_be_visible()
    assert_accessible(page)

    # Submitting without the required answer: the summary links to the box.
    page.get_by_role("button", name="Submit").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    assert not FormResponse.objects.exists()
    summary.get_by_role(
        "link", name="Answer “What are the key issues that arose in this session?”"
    ).click()
    expect(page.get_by_label("What are the key issues that arose in this session?")).to_be_focused()

    page.get_by_label("What are the key issues that arose in this session?").fill(ISSUES)
    page.get_by_label("No").check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/forms/\d+/$"))
    expect(page.get_by_text(f"Your {TITLE} has been saved as completed.")).to_be_visible()
    expect(page.get_by_text(ISSUES)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Share with your mentor").click()
    expect(page.get_by_text("Your mentor can now read this form.")).to_be_visible()
    expect(page.get_by_role("button", name="Stop sharing with your mentor")).to_be_visible()
    assert_accessible(page)
    reflection = FormResponse.objects.get()
    assert reflection.shared_with_mentor and reflection.status == "submitted"

    # The mentor reads it from My reflections and forms.
    sign_in(page, live_server, "mona@example.nhs.uk")
    page.goto(live_server.url + "/my-reflections/")
    expect(page.get_by_role("heading", name="Shared with you or written with you")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text(ISSUES)).to_be_visible()
    expect(page.get_by_role("button", name="Share with your mentor")).to_have_count(0)
    assert_accessible(page)

    # The coordinator sees that it was completed, and when — not what it says.
    sign_in(page, live_server, scene.coordinator.email)
    page.goto(live_server.url + "/admin/sessions_log/formresponse/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{TITLE} (version 1)")
    expect(rows.first).to_contain_text("Enid Mentee")
    expect(rows.first).to_contain_text("Completed")
    completed = timezone.localtime(reflection.submitted_at)
    expect(rows.first).to_contain_text(f"{completed.day} {completed:%b %Y}")
    assert ISSUES not in page.content()
    assert_accessible(page)
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_text("Only the form's readers can see its answers.")).to_be_visible()
    assert ISSUES not in page.content()
    assert_accessible(page)
