"""Training (培训): courses and each person's attendance and result."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from readiness.models import Attendance, Course
from readiness.services.base import plausible_day, require_office, required_text
from roles.models import Unit
from roles.selectors import user_bureau_ids


@transaction.atomic
def course_create(*, actor, bureau: Unit, title: str, topic: str, date: datetime.date, hours: Decimal) -> Course:
    """A training course of `bureau` (hours from 0.5 to 200), by its office."""
    require_office(actor, bureau)
    title, topic = required_text("title", title), required_text("topic", topic)
    plausible_day(date, "date")
    if hours is None or not Decimal("0.5") <= hours <= Decimal("200"):
        raise ValidationError({"hours": _("Enter the hours, from 0.5 to 200.")})
    return Course.objects.create(bureau=bureau, title=title, topic=topic, date=date, hours=hours)


@transaction.atomic
def attendance_record(*, actor, course: Course, user, result: str, score: int | None = None) -> Attendance:
    """Who attended with what result (recorded again: replaced), by the office. The person must be on
    the bureau's staff."""
    require_office(actor, course.bureau)
    if course.bureau_id not in user_bureau_ids(user):
        raise ValidationError({"user": _("%(name)s is not on the staff of this bureau.") % {"name": user}})
    if result not in Attendance.Result.values:
        raise ValidationError({"result": _("Choose a result.")})
    if score is not None and not 0 <= score <= 100:
        raise ValidationError({"score": _("Enter a score from 0 to 100.")})
    attendance, _created = Attendance.objects.update_or_create(course=course, user=user,
                                                               defaults={"result": result, "score": score})
    return attendance


def trained_for(users) -> dict[int, list[str]]:
    """{user id: [topics of courses passed, newest first, distinct]}: shown next to people when the HQ drafts staff."""
    topics: dict[int, list[str]] = {}
    rows = (Attendance.objects.filter(user__in=users, result=Attendance.Result.PASSED)
            .order_by("-course__date").values_list("user_id", "course__topic"))
    for user_id, topic in rows:
        if topic not in topics.setdefault(user_id, []):
            topics[user_id].append(topic)
    return topics


def trained_for_note(users) -> dict[int, str]:
    """{user id: "topic、topic"} of the courses passed (incidents.forms.PERSON_NOTES), at most three topics each."""
    return {user_id: "、".join(topics[:3]) for user_id, topics in trained_for(users).items()}
