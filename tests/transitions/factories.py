"""A DMC-ODS world for transition tests: a county provider, its case manager and supervisor, a member on
Plan X in residential treatment, the outpatient program they move to, and their consents."""
import datetime

import factory
from django.utils import timezone

from carecoord.accounts.models import Organization
from consents.models import ConsentKind
from tests.consents.factories import make_consent
from tests.factories import (
    CaseFactory, CoverageFactory, MemberFactory, OrganizationFactory, PlanFactory, ProviderFactory, SupervisorFactory,
    UserFactory,
)
from transitions.models import Assessment, ServiceNote


def transition_date_ahead(months: int = 5) -> datetime.date:
    """A population transition date: the first Monday of the month ``months`` after this one. Taken
    from today, not written down, so that it stays ahead of today whenever the tests run (a fixed
    date expires, and a transition in the past is refused); far enough ahead that the 90-day family
    notice is still to come."""
    today = timezone.localdate()
    month_index = today.month - 1 + months
    first = datetime.date(today.year + month_index // 12, month_index % 12 + 1, 1)
    return first + datetime.timedelta(days=-first.weekday() % 7)


class DmcWorld:
    """Plain holder of the objects a DMC-ODS test needs."""

    def __init__(self, *, county, name: str = "Sacramento County DMC-ODS"):
        self.county = county
        self.program = OrganizationFactory(name=name, type=Organization.Type.DMC_ODS_PROVIDER, county=county, phone="916-555-0150")
        self.manager = UserFactory(organization=self.program, username=f"pcm_{self.program.pk}", first_name="Dana",
                                   last_name="Reyes")
        self.supervisor = SupervisorFactory(organization=self.program, username=f"sup_{self.program.pk}")
        self.manager.team.supervisor = self.supervisor
        self.manager.team.save()
        self.plan = PlanFactory(name=f"Valley Health Plan {self.program.pk}", secure_email="care@valley.invalid",
                                fax="916-555-0199")
        self.residential = ProviderFactory(name="New Dawn Residential Treatment", type=Organization.Type.DMC_ODS_PROVIDER,
                                           county=county)
        self.outpatient = ProviderFactory(name="Harbor Outpatient Recovery", type=Organization.Type.DMC_ODS_PROVIDER,
                                          county=county)
        self.pcp = ProviderFactory(name="Midtown Family Clinic", type=Organization.Type.MEDICAL_HOME, county=county,
                                   phone="916-555-0111")

    def member_case(self, *, status="referred", pcp: bool = True, plan: bool = True, opened_days_ago: int = 60, **member_kwargs):
        member = MemberFactory(county=self.county, primary_care_provider=self.pcp if pcp else None,
                               date_of_birth=datetime.date(1990, 5, 17), **member_kwargs)
        if plan:
            CoverageFactory(member=member, plan=self.plan)
        opened = timezone.now() - datetime.timedelta(days=opened_days_ago)
        return CaseFactory(member=member, program="dmc_ods", organization=self.program, team=self.manager.team,
                           primary_case_manager=self.manager, status=status,
                           opened_at=None if status == "referred" else opened,
                           referred_at=opened - datetime.timedelta(days=2), diagnoses=["F11.20", "F41.1"])

    def coordinated_consent(self, member, *, recipients=None, **overrides):
        return make_consent(ConsentKind.COORDINATED_CARE, member=member, recorded_by=self.manager,
                            recipients=recipients if recipients is not None else [self.outpatient, self.plan],
                            purposes=overrides.pop("purposes", ["transition", "care_coordination", "referral"]), **overrides)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    kind = Assessment.Kind.ASAM
    completed_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=5))
    summary = "Meets criteria for continued care."
    asam_level = "1.0"
    data_category = "sud"


class ServiceNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceNote

    kind = ServiceNote.Kind.PROGRESS
    written_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2))
    text = "Group session attended."
