"""Models of the reimbursement app arrive with its issue on the roadmap (see ../shared/DESIGN.md)."""
