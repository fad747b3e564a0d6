"""Models of the matching app arrive with its issue on the roadmap (see ../shared/DESIGN.md)."""
