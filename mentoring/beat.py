"""Every scheduled job in one place, by name: its task, its default time (cron: minute hour day
month weekday) and what it does in a few words (the coordinators' scheduled-jobs page shows them).
A deployment moves a job with ``SCHEDULE_<NAME>`` (the name upper-cased, dashes as underscores),
e.g. ``SCHEDULE_RECHECK_MENTOR_ELIGIBILITY="0 3 * * *"``.

Reminder jobs run every hour; each scheme's reminder plan says from which hour its reminders go
and how long each waits, so a tick lost at 09:10 is made good at 10:10 and nothing goes twice.

Imported by settings, so it must not import Django. Each app's tasks.py (and reminders.py) owns its
jobs' code.
"""

from celery.schedules import crontab

REMINDER_TASK = "mentoring.tasks.run_reminder_job"

JOBS = {
    "retry-unsent-notifications": (
        "mentoring.tasks.retry_unsent_notifications",
        "*/10 * * * *",
        "Sends again any message that failed or was lost on its way to the mail server.",
    ),
    "send-daily-digests": (
        "mentoring.tasks.send_daily_digests",
        "0 7 * * *",
        "Sends one e-mail a day to each person who chose a daily digest of their reminders.",
    ),
    "apply-retention": (
        "mentoring.tasks.apply_retention",
        "30 3 * * *",
        "Removes what is older than its retention period (messages, job records, applications "
        "not accepted, old reflections) and reports how many of each.",
    ),
    "recheck-mentor-eligibility": (
        "schemes.tasks.recheck_mentors",
        "30 2 * * *",
        "Checks every current mentor against their scheme's rules and pauses those who stopped "
        "meeting one.",
    ),
    # The previous month's draft payment runs, on the 1st at 06:00 (move the day with
    # SCHEDULE_BUILD_PAYMENT_RUNS, e.g. "0 6 3 * *" for the 3rd).
    "build-payment-runs": (
        "reimbursement.tasks.build_payment_runs",
        "0 6 1 * *",
        "Builds last month's draft payment run for each paying organisation.",
    ),
    "remind-unanswered-proposals": (
        REMINDER_TASK,
        "5 * * * *",
        "Reminds whoever has not answered a proposal or a mentee's request; after the deadline, "
        "offers the mentee their next choice and tells the coordinators.",
    ),
    "remind-new-mentorships": (
        REMINDER_TASK,
        "10 * * * *",
        "Reminds mentors to contact a new mentee; if the pair have not met after the set days, "
        "reminds the mentor again and tells the coordinators.",
    ),
    "remind-employer-confirmation": (
        REMINDER_TASK,
        "15 * * * *",
        "Reminds the mentee's line manager to confirm contact and protected time, and tells the "
        "coordinators when nobody has confirmed.",
    ),
    "remind-pre-session-agenda": (
        REMINDER_TASK,
        "20 * * * *",
        "Asks mentees for their pre-session agenda before a planned session.",
    ),
    "remind-post-session-forms": (
        REMINDER_TASK,
        "25 * * * *",
        "After a session is held, asks the mentee for their reflection and the mentor for the "
        "session record, if not written.",
    ),
    "remind-overdue-sessions": (
        REMINDER_TASK,
        "30 * * * *",
        "Reminds pairs whose next session is overdue by the scheme's cadence, then tells the "
        "coordinators.",
    ),
    "remind-unclaimed-weeks": (
        REMINDER_TASK,
        "35 * * * *",
        "Reminds mentors of past weeks with a held session and no claim (schemes paid per week).",
    ),
    "remind-claims-cut-off": (
        REMINDER_TASK,
        "40 * * * *",
        "Reminds mentors with unclaimed weeks or meetings that the month's claims close soon.",
    ),
    "warn-eligibility-ending": (
        REMINDER_TASK,
        "45 * * * *",
        "Warns people, and their coordinators, when a licence, registration or training they "
        "need ends within the set days.",
    ),
    "tell-finance-runs-built": (
        REMINDER_TASK,
        "50 * * * *",
        "Tells finance staff when a draft payment run is built or changes.",
    ),
    "send-scheme-returns": (
        REMINDER_TASK,
        "0 * * * *",
        "Tells each scheme's coordinators on the scheme's chosen day that last month's monitoring "
        "return is ready, and in April and October the six-monthly report where the scheme asks.",
    ),
    "coordinators-weekly-digest": (
        REMINDER_TASK,
        "55 * * * *",
        "Sends coordinators a weekly summary per scheme: pairs never met, overdue, the waiting "
        "list and mentors with room.",
    ),
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
    schedule = {}
    for name, (task, _, _) in JOBS.items():
        entry = {"task": task, "schedule": cron(times[name])}
        if task == REMINDER_TASK:
            entry["args"] = (name,)
        schedule[name] = entry
    return schedule
