"""Models of the sessions_log app arrive with its issue on the roadmap (see ../shared/DESIGN.md)."""
