"""Every scheduled job in one place, by name.

Each entry's time is a cron expression from settings (``SCHEDULE``), so a deployment can move a job
without a code change. Imported by settings, so it must not import Django.
"""

from celery.schedules import crontab

JOBS = {
    "retry-unsent-notifications": "mentoring.tasks.retry_unsent_notifications",
}


def cron(expression: str) -> crontab:
    minute, hour, day_of_month, month_of_year, day_of_week = expression.split()
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
    )


def beat_schedule(times: dict[str, str]) -> dict:
    return {name: {"task": task, "schedule": cron(times[name])} for name, task in JOBS.items()}
