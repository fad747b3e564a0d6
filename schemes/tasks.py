from celery import shared_task

from schemes import services


@shared_task(acks_late=True)
def recheck_mentors() -> dict:
    """Nightly: re-evaluate every current mentor and pause those who stopped meeting a rule."""
    outcome = services.recheck_mentors()
    return {"checked": outcome.checked, "paused": [e.pk for e in outcome.paused]}
