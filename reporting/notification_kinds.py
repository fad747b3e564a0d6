"""The messages the reports send: a scheme's monthly return and six-monthly report are ready
(``reporting.reminders``). Coordinators may turn them off or take them in the daily digest."""

from mentoring.notifications import NotificationKind, register_kind


def _return_link(notification) -> dict:
    """The return page for the message's period, as it was recorded."""
    return {"link_path": notification.link}


register_kind(
    NotificationKind(
        code="monthly_return_ready",
        subject="{scheme}: the monitoring return for {period} is ready",
        summary="{headline}",
        essential=False,
        digestible=True,
        label="The monthly monitoring return of each scheme you coordinate",
        build_context=_return_link,
    )
)
register_kind(
    NotificationKind(
        code="six_monthly_report_ready",
        subject="{scheme}: the six-monthly report for {period} is ready",
        summary="{headline}",
        essential=False,
        digestible=True,
        label="The six-monthly report of each scheme that asks for one",
        build_context=_return_link,
    )
)
