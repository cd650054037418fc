"""The one CCS paneling check: the directory's paneling status and dates when known, else the provider type."""
import datetime

import pytest

from cases.ccs import provider_paneling_warning
from directory.models import ProviderProfile
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_paneling_follows_the_directory_profile_then_the_type():
    day = datetime.date(2026, 11, 23)
    hospital = OrganizationFactory(type="hospital")
    dme = OrganizationFactory(name="Corner DME", type="dme_vendor")
    assert provider_paneling_warning(hospital, on=day) == ""
    assert "not a CCS-paneled provider" in provider_paneling_warning(dme, on=day)
    # with a directory profile, its status and dates decide
    lapsed = OrganizationFactory(name="Dr. Old", type="ccs_physician")
    ProviderProfile.objects.create(organization=lapsed, ccs_paneling="lapsed")
    assert provider_paneling_warning(lapsed, on=day) == "Dr. Old: CCS paneling lapsed."
    paneled = OrganizationFactory(name="Dr. Ok", type="other_provider")
    ProviderProfile.objects.create(organization=paneled, ccs_paneling="paneled", paneled_until=datetime.date(2026, 12, 31))
    assert provider_paneling_warning(paneled, on=day) == ""
    assert "not in effect on 2027-01-05" in provider_paneling_warning(paneled, on=datetime.date(2027, 1, 5))
