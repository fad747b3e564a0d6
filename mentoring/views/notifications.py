"""The signed-in user's own notifications, newest first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from mentoring.models import Notification
from mentoring.notifications import mark_read

PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    if request.method == "POST":
        marked = mark_read(user=request.user)
        if marked:
            messages.success(request, "All your notifications are marked as read.")
        return redirect("notifications")

    mine = Notification.objects.filter(recipient=request.user)
    notifications = mine.order_by("-created_at", "-id").only(
        "subject", "summary", "link", "created_at", "read_at"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    for notification in page:
        # Only links within this site are followed from the list.
        notification.safe_link = (
            notification.link
            if url_has_allowed_host_and_scheme(
                notification.link, allowed_hosts={request.get_host()}
            )
            else ""
        )
    return render(
        request,
        "mentoring/notifications.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
        },
    )
