import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from carecoord.accounts.models import Organization, User
from cases.ecm_models import EcmEnrollment
from cases.models import Case, Member


@pytest.mark.django_db
def test_demo_data_runs_twice_without_errors_or_duplicates():
    call_command("load_demo_data")
    counts = (Member.objects.count(), Case.objects.count(), User.objects.count(), Organization.objects.count())
    call_command("load_demo_data")
    assert (Member.objects.count(), Case.objects.count(), User.objects.count(), Organization.objects.count()) == counts
    assert counts[0] >= 50
    assert set(Case.objects.values_list("program", flat=True)) == {"ccs", "ecm", "dmc_ods"}
    assert set(Case.objects.values_list("status", flat=True)) == {"referred", "open", "closed"}
    assert set(User.objects.values_list("role", flat=True)) == set(User.Role.values)


@pytest.mark.django_db
@pytest.mark.parametrize("local_clock", ["2026-12-07 00:30", "2026-12-04 23:50"], ids=["just-after-midnight", "just-before-midnight"])
def test_demo_data_loads_at_any_hour_of_the_day(monkeypatch, local_clock):
    """The demo tells its stories in hours and days before "now"; near local midnight those steps fall on
    another date than "today", and every date the demo records must still agree with them."""
    start = timezone.make_aware(datetime.datetime.fromisoformat(local_clock))
    real_now = timezone.now
    began = real_now()
    monkeypatch.setattr(timezone, "now", lambda: start + (real_now() - began))

    call_command("load_demo_data")

    assert set(Case.objects.values_list("program", flat=True)) == {"ccs", "ecm", "dmc_ods"}
    assert EcmEnrollment.objects.filter(status=EcmEnrollment.Status.ENROLLED).exists()
