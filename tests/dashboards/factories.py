"""Deadlines in a known state for dashboard figures (rows as the clock services leave them)."""
import datetime

import factory
from django.contrib.contenttypes.models import ContentType

from carecoord.clocks import calendar as workdays
from carecoord.clocks.models import Deadline

PACIFIC = workdays.PACIFIC


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PACIFIC)


class DeadlineFactory(factory.django.DjangoModelFactory):
    """A deadline of ``rule_code`` on a case; ``due`` (a date) and ``status`` decide the rest."""

    class Meta:
        model = Deadline
        exclude = ["due"]

    rule_code = "ccs.medical_eligibility"
    rule_version = 1
    occurrence = factory.Sequence(str)
    due = datetime.date(2026, 10, 15)
    subject_type = factory.LazyFunction(lambda: ContentType.objects.get(app_label="cases", model="case"))
    subject_id = factory.LazyAttribute(lambda d: d.case.pk)
    member = factory.LazyAttribute(lambda d: d.case.member)
    organization = factory.LazyAttribute(lambda d: d.case.organization)
    team = factory.LazyAttribute(lambda d: d.owner.team if d.owner else None)
    owner = factory.LazyAttribute(lambda d: d.case.primary_case_manager)
    due_at = factory.LazyAttribute(lambda d: at(d.due))
    started_at = factory.LazyAttribute(lambda d: d.due_at - datetime.timedelta(days=7))
    status = Deadline.Status.MET_ON_TIME
    met_at = factory.LazyAttribute(lambda d: {
        Deadline.Status.MET_ON_TIME: d.due_at - datetime.timedelta(days=1),
        Deadline.Status.MET_LATE: d.due_at + datetime.timedelta(days=2),
    }.get(d.status))
