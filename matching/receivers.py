"""What matching does when the apps below it change something."""

from django.db import transaction

from matching import services


def relationship_saved(sender, instance, **kwargs):
    """A working relationship recorded (or changed) may conflict with a mentorship that is
    already proposed or active: check at once, once the save has committed."""
    people = {instance.supervisor_id, instance.supervisee_id}
    transaction.on_commit(lambda: services.flag_conflicts(people=people))


def enrolment_changed(sender, enrolment, on_date, by=None, **kwargs):
    services.flag_for_rematch(enrolment=enrolment, on_date=on_date, by=by)
