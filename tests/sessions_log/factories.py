"""Form templates for tests: small, valid, with the readers a test is about."""

import factory
from factory.django import DjangoModelFactory

from sessions_log.models import FormKind, FormTemplate, Readers

REFLECTION_QUESTIONS = [
    {
        "key": "key_issues",
        "type": "long_text",
        "text": "What are the key issues that arose?",
        "required": True,
    },
    {"key": "unexpected", "type": "yes_no", "text": "Did any unexpected issues arise?"},
    {
        "key": "unexpected_detail",
        "type": "long_text",
        "text": "What were they?",
        "show_if": {"key": "unexpected", "equals": "yes"},
    },
]


class FormTemplateFactory(DjangoModelFactory):
    """A default (all schemes) post-session reflection, private to its author."""

    class Meta:
        model = FormTemplate

    family = factory.Sequence(lambda n: f"form-{n}")
    kind = FormKind.POST_SESSION
    title = factory.Sequence(lambda n: f"Form {n}")
    readers = Readers.AUTHOR
    questions = factory.LazyFunction(lambda: [dict(q) for q in REFLECTION_QUESTIONS])
