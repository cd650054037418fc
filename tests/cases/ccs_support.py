"""Fixtures and helpers shared by the CCS tests (imported by each test module)."""
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from carecoord.accounts.models import Organization, User
from tests.factories import CoverageFactory, MemberFactory, MemberContactFactory, OrganizationFactory, UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def exe(name: str = "report.pdf") -> SimpleUploadedFile:
    # Claims to be a PDF; the bytes are a Windows executable.
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, content_type="application/pdf")


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def consultant_a(program_a):
    return UserFactory(organization=program_a, role=User.Role.MEDICAL_CONSULTANT, username="consultant_a", team=None)


@pytest.fixture
def pcp(county_a):
    return OrganizationFactory(name="Oak Family Medicine", type=Organization.Type.MEDICAL_HOME, county=county_a)


@pytest.fixture
def pulmonologist(county_a):
    return OrganizationFactory(name="Capitol Pulmonology", type=Organization.Type.CCS_PHYSICIAN, county=county_a)


@pytest.fixture
def child_x(county_a, plan_x, pcp):
    """A child enrolled in plan X with a primary care provider and a parent on file."""
    member = MemberFactory(county=county_a, primary_care_provider=pcp, first_name="Ana", last_name="Reyes")
    CoverageFactory(member=member, plan=plan_x)
    MemberContactFactory(member=member, name="Lucia Reyes")
    return member


def new_member_data(county, **overrides) -> dict:
    data = {"county": county, "first_name": "Mateo", "last_name": "Lopez", "date_of_birth": datetime.date(2019, 4, 2),
            "cin": "91234567A"}
    data.update(overrides)
    return data


__all__ = ["consultant_a", "pcp", "pulmonologist", "child_x", "pdf", "exe", "days_ago", "new_member_data", "io"]
