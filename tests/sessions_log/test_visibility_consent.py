"""End-of-mentorship feedback is read by coordinators in aggregate only — unless the mentee
allows them to read it with their name on it; a group mentee reads only the records of the
sessions they were in."""

import pytest

from matching import services as matching_services
from sessions_log import visibility
from sessions_log.models import Attendance, FormKind, Readers
from tests.sessions_log.forms_cast import Cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("allows", "coordinator_reads"), [("yes", True), ("no", False)])
def test_coordinators_read_feedback_only_with_the_mentees_leave(allows, coordinator_reads):
    cast = Cast()
    template = cast.template(kind=FormKind.END_FEEDBACK, readers=Readers.COORDINATORS_AGGREGATE)
    response = cast.response(
        template, answers={"key_issues": "x", "allow_coordinators_to_read": allows}
    )

    assert visibility.may_read(cast.users["coordinator"], response) is coordinator_reads
    assert not visibility.may_read(cast.users["other_coordinator"], response)
    assert not visibility.may_read(cast.users["own_mentor"], response)
    assert not visibility.may_read(cast.users["finance"], response)


def test_a_group_mentee_does_not_read_the_record_of_a_session_they_were_not_in():
    cast = Cast()
    group = matching_services.create_mentorship(
        mentors=[cast.scene.mentor("Gail Group", capacity=3)],
        mentees=[cast.scene.mentee("Ann In"), cast.scene.mentee("Ben Out")],
        source="manual",
        by=None,
        kind="group",
    )
    members = {
        m.enrolment.person.full_name: m
        for m in group.members.select_related("enrolment__person__user")
    }
    session = cast.session(group)
    Attendance.objects.create(session=session, member=members["Gail Group"], attended=True)
    Attendance.objects.create(session=session, member=members["Ann In"], attended=True)
    template = cast.template(kind=FormKind.SESSION_RECORD, readers=Readers.PAIR)
    record = cast.response(template, author=members["Gail Group"].enrolment, mentorship=group)
    record.session = session
    record.save()

    assert visibility.may_read(members["Gail Group"].enrolment.person.user, record)
    assert visibility.may_read(members["Ann In"].enrolment.person.user, record)
    assert not visibility.may_read(members["Ben Out"].enrolment.person.user, record)
