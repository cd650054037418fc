"""Shared set-up for the ECM tests: a multi-plan and a COHS county, an ECM provider, a CWS agency,
an ECM case of a child in foster care with the SW and PHN on the care team, and consent helpers."""
import datetime

import pytest
from django.utils import timezone

from carecoord.accounts.models import County, Organization
from consents.services import consent_record
from notices.models import Notice
from notices.services import notice_mark_delivered, notice_send
from tests.factories import (
    CareTeamMemberFactory, CaseFactory, ChildWelfareEpisodeFactory, CountyFactory, CoverageFactory, MemberFactory,
    OrganizationFactory, PlanFactory, UserFactory,
)


@pytest.fixture
def ecm_world(db):
    multi = CountyFactory(name="Sacramento", fips_code="06067", plan_model=County.PlanModel.MULTI_PLAN)
    cohs = CountyFactory(name="San Mateo", fips_code="06081", plan_model=County.PlanModel.SINGLE_PLAN)
    plan_x, plan_y = PlanFactory(name="Valley Health Plan"), PlanFactory(name="Golden State Care")
    cohs_plan = PlanFactory(name="Health Plan of San Mateo")
    multi.plans.set([plan_x, plan_y])
    cohs.plans.set([cohs_plan])
    provider = OrganizationFactory(name="Bridges ECM Services", type=Organization.Type.ECM_PROVIDER, county=multi)
    provider_2 = OrganizationFactory(name="Coastside ECM", type=Organization.Type.ECM_PROVIDER, county=cohs)
    cws = OrganizationFactory(name="Sacramento County CWS", type=Organization.Type.CWS_AGENCY, county=multi)
    manager = UserFactory(organization=provider, username="ecm_manager")
    member = MemberFactory(county=multi, date_of_birth=timezone.localdate() - datetime.timedelta(days=365 * 12))
    ChildWelfareEpisodeFactory(member=member, start_date=timezone.localdate() - datetime.timedelta(days=1))
    case = CaseFactory(member=member, program="ecm", organization=provider, team=manager.team, primary_case_manager=manager)
    CareTeamMemberFactory(case=case, role="sw", user=None, contact_name="Maria Lopez", organization=cws)
    CareTeamMemberFactory(case=case, role="phn", user=None, contact_name="Dana Kim", organization=cws)
    return {"multi": multi, "cohs": cohs, "plan_x": plan_x, "plan_y": plan_y, "cohs_plan": cohs_plan, "provider": provider,
            "provider_2": provider_2, "cws": cws, "manager": manager, "member": member, "case": case}


def verbal_consent(world, *, recipients=None, **overrides):
    """The ECM verbal referral consent with its four elements."""
    fields = dict(
        member=world["member"], case=world["case"], kind="ecm_verbal", recorded_by=world["manager"], purposes=["referral"],
        data_categories=["general"], recipients=recipients or [world["provider"]], effective_on=timezone.localdate(),
        expiry_event="ECM referral completed", verbal_provider_and_service="Bridges ECM: a care manager who coordinates care",
        verbal_information_shared=True, verbal_duration=True, verbal_right_to_withdraw=True, given_by_name="Youth and resource parent",
        obtained_by=world["manager"], obtained_at=timezone.now())
    fields.update(overrides)
    return consent_record(**fields)


def signed_release(world):
    """The signed release of information among the care team, for coordination and transitions."""
    return consent_record(
        member=world["member"], case=world["case"], kind="hipaa_authorization", recorded_by=world["manager"],
        purposes=["care_coordination", "transition"], data_categories=["general"], recipient_categories=["care_team"],
        recipients=[world["provider_2"]], effective_on=timezone.localdate(),
        expires_on=timezone.localdate() + datetime.timedelta(days=365), description_of_information="ECM assessment and care plan",
        discloser="Bridges ECM Services", signed_by_name="Resource parent", signed_on=timezone.localdate(),
        statement_right_to_revoke=True, statement_treatment_not_conditioned=True, statement_redisclosure=True)


def deliver(notice: Notice, by) -> Notice:
    """The notice leaves (queued, then handed over), as the outbox worker would do."""
    if notice.status == Notice.Status.DRAFT:
        notice = notice_send(notice=notice, by=by)
    return notice_mark_delivered(notice=notice, by=by, detail="test")


def cohs_member_case(world):
    """A child in the COHS county enrolled in its plan, with an ECM case."""
    member = MemberFactory(county=world["cohs"])
    ChildWelfareEpisodeFactory(member=member)
    CoverageFactory(member=member, plan=world["cohs_plan"])
    case = CaseFactory(member=member, program="ecm", organization=world["provider"], team=world["manager"].team,
                       primary_case_manager=world["manager"])
    CareTeamMemberFactory(case=case, role="sw", user=None, contact_name="Maria Lopez", organization=world["cws"])
    return case
