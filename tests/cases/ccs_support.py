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


NOA_BODY = (
    '{% section "action" %}Action: {{ action }}{% endsection %}\n'
    '{% section "reason" %}Reason: {{ reason }}{% endsection %}\n'
    '{% section "rule" %}Rule: {{ rule }}{% endsection %}\n'
    '{% section "appeal_rights" %}You may appeal within 30 days.{% endsection %}\n'
    '{% section "state_hearing" %}You may ask for a state hearing.{% endsection %}\n'
    '{% section "expedited_review" %}Ask for a fast review if waiting would harm your child.{% endsection %}\n'
    '{% section "continuation_of_benefits" %}Services may continue while you appeal.{% endsection %}\n'
    '{% section "representative" %}Someone may speak for you.{% endsection %}\n'
    '{% section "nondiscrimination" %}We do not discriminate.{% endsection %}\n'
    '{% section "taglines" %}{{ taglines }}{% endsection %}'
)


@pytest.fixture
def ccs_notice_templates(db):
    """English templates for the CCS notices, unless the notices app already ships active ones."""
    from notices.models import NoticeTemplate

    bodies = {
        "ccs_eligibility": ("CCS eligibility for {{ member_name }}", "{{ member_name }} is CCS eligible from {{ eligibility_date }}."),
        "ccs_denial": ("CCS decision for {{ member_name }}", NOA_BODY),
        "ccs_noa": ("CCS Notice of Action for {{ member_name }}", NOA_BODY),
    }
    for kind, (subject, body) in bodies.items():
        if not NoticeTemplate.objects.filter(kind=kind, language="en", is_active=True).exists():
            NoticeTemplate.objects.create(kind=kind, language="en", version=99, subject=subject, body=body)


def consent_for_primary_care(member, *, recorded_by):
    """The family's release of CCS information to the child's primary care provider and treating providers."""
    from consents.services import consent_record

    today = timezone.localdate()
    return consent_record(
        member=member, kind="hipaa_authorization", recorded_by=recorded_by, purposes=["care_coordination", "treatment"],
        data_categories=["general"], recipient_categories=["primary_care", "treating_providers"],
        effective_on=today - datetime.timedelta(days=30), expires_on=today + datetime.timedelta(days=365),
        description_of_information="CCS eligibility and case information", discloser="County CCS program",
        signed_by_name="Lucia Reyes", signed_on=today - datetime.timedelta(days=30), statement_right_to_revoke=True,
        statement_treatment_not_conditioned=True, statement_redisclosure=True,
    )


def new_member_data(county, **overrides) -> dict:
    data = {"county": county, "first_name": "Mateo", "last_name": "Lopez", "date_of_birth": datetime.date(2019, 4, 2),
            "cin": "91234567A"}
    data.update(overrides)
    return data


__all__ = ["ccs_notice_templates", "consent_for_primary_care", "consultant_a", "pcp", "pulmonologist", "child_x", "pdf", "exe", "days_ago", "new_member_data", "io"]
