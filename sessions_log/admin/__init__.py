"""The sessions_log admin, one module per part: form templates, sessions, form responses."""

from sessions_log.admin import responses, sessions, templates  # noqa: F401
