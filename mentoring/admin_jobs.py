"""The coordinators' scheduled-jobs page: every job in the beat schedule, when it runs, its last
run and outcome, and how many messages it recorded for the schemes the viewer coordinates."""

from cron_descriptor import Options, get_description
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.template.response import TemplateResponse

from mentoring.beat import JOBS
from mentoring.models import JobRun
from mentoring.reminders import scheme_slugs_visible_to


def may_see_jobs(user) -> bool:
    return user.is_active and user.has_perm("mentoring.view_jobrun")


def when(expression: str) -> str:
    options = Options()
    options.use_24hour_time_format = True
    options.verbose = True
    try:
        return f"{get_description(expression, options)} (UK time)"
    except Exception:
        return expression


def job_rows(user) -> list[dict]:
    """One row per job, the last run of each: two queries, three with a coordinator's schemes."""
    last_ids = JobRun.objects.values("job").annotate(last=Max("pk")).values_list("last", flat=True)
    last = {run.job: run for run in JobRun.objects.filter(pk__in=list(last_ids))}
    slugs = scheme_slugs_visible_to(user)
    rows = []
    for name, (_, _, description) in JOBS.items():
        run = last.get(name)
        mine = None
        if run is not None:
            mine = (
                run.sent
                if slugs is None
                else sum(n for slug, n in run.by_scheme.items() if slug in slugs)
            )
        rows.append(
            {
                "name": name,
                "description": description,
                "when": when(settings.SCHEDULE[name]),
                "run": run,
                "mine": mine,
            }
        )
    return rows


def scheduled_jobs_view(request):
    if not may_see_jobs(request.user):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": "Scheduled jobs",
        "rows": job_rows(request.user),
        "everything": request.user.is_superuser,
    }
    return TemplateResponse(request, "admin/scheduled_jobs.html", context)
