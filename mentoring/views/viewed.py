"""A person sees who viewed their record (issue 10): from the access audit, the views, exports
and downloads of data about them by anyone else — when, who and in what role, and what."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mentoring.models import AccessAction, AccessEvent, Person

PAGE_SIZE = 50
SHOWN = [AccessAction.VIEWED, AccessAction.EXPORTED, AccessAction.DOWNLOADED]


@login_required
@require_GET
def my_record_views(request):
    person = Person.objects.filter(user=request.user).first()
    events = (
        AccessEvent.objects.filter(person=person, action__in=SHOWN)
        .exclude(actor=request.user)
        .select_related("actor")
        .only("at", "action", "what", "actor_description", "actor__first_name", "actor__last_name")
        if person is not None
        else AccessEvent.objects.none()
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentoring/viewed.html",
        {
            "person": person,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
        },
    )
