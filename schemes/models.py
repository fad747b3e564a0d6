"""Models of the schemes app arrive with its issue on the roadmap (see ../shared/DESIGN.md)."""
