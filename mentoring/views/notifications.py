"""The signed-in user's own notifications, newest first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from mentoring.forms import NotificationSettingsForm
from mentoring.models import Notification, NotificationPreference
from mentoring.notifications import mark_read, optional_kinds, preference_of

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


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """The person's choices: which optional reminders to e-mail, and one by one or daily."""
    preference = preference_of(request.user)
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None,
        preference=preference,
        kinds=optional_kinds(),
    )
    if request.method == "POST" and form.is_valid():
        NotificationPreference.objects.update_or_create(
            user=request.user,
            defaults={"delivery": form.cleaned_data["delivery"], "muted": form.muted()},
        )
        messages.success(request, "Your notification settings are saved.")
        return redirect("notification_settings")
    return render(request, "mentoring/notification_settings.html", {"form": form})
