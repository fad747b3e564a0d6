from celery import shared_task

from mentoring.reminders import recorded
from schemes import services


@shared_task(acks_late=True)
def recheck_mentors() -> dict:
    """Nightly: re-evaluate every current mentor and pause those who stopped meeting a rule."""
    with recorded("recheck-mentor-eligibility") as run:
        outcome = services.recheck_mentors()
        run.found, run.sent = outcome.checked, len(outcome.paused)
    return {"checked": outcome.checked, "paused": [e.pk for e in outcome.paused]}
