import pytest
from django.core.management import call_command

from carecoord.accounts.models import Organization, User
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
