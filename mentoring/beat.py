"""Every scheduled job in one place, by name, with its default time (cron: minute hour day month
weekday). A deployment moves a job with ``SCHEDULE_<NAME>`` (the name upper-cased, dashes as
underscores), e.g. ``SCHEDULE_RECHECK_MENTOR_ELIGIBILITY="0 3 * * *"``.

Imported by settings, so it must not import Django. Each app's tasks.py owns its jobs' code.
"""

from celery.schedules import crontab

JOBS = {
    "retry-unsent-notifications": ("mentoring.tasks.retry_unsent_notifications", "*/10 * * * *"),
    "recheck-mentor-eligibility": ("schemes.tasks.recheck_mentors", "30 2 * * *"),
    # The previous month's draft payment runs, on the 1st at 06:00 (move the day with
    # SCHEDULE_BUILD_PAYMENT_RUNS, e.g. "0 6 3 * *" for the 3rd).
    "build-payment-runs": ("reimbursement.tasks.build_payment_runs", "0 6 1 * *"),
}


def setting_name(job: str) -> str:
    return "SCHEDULE_" + job.upper().replace("-", "_")


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
    return {name: {"task": task, "schedule": cron(times[name])} for name, (task, _) in JOBS.items()}
