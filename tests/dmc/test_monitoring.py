"""The DMC-ODS care coordination monitoring report (seed 003 section II) on a known data set, figures
computed by hand; the supervisor page and its CSV."""
import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from carecoord.clocks.services import deadline_meet, deadline_start
from consents.models import ConsentKind
from consents.services import consent_revoke
from tests.consents.factories import make_consent
from tests.factories import CaseFactory, MemberFactory, OrganizationFactory, UserFactory
from tests.transitions.factories import DmcWorld, ServiceNoteFactory
from transitions import services as svc
from transitions.selectors import month_bounds, monitoring_report


def _last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def data(county_a):
    """Provider P1 (four members open in month M), provider P2 (one member); outside the count: a P1 case closed
    before M and a P1 case only referred.

    | member | coordinated care consent | ROI            | told coordinator | PCP detail        | coordination in M   |
    | m1     | yes                      | yes (Part 2)   | yes (in M)       | yes               | yes (marked note)   |
    | m2     | no (revoked before M)    | yes (HIPAA)    | no (after M)     | no (PCP no phone) | yes (transition step)|
    | m3     | no                       | no             | no               | no (none)         | no (note before M)  |
    | m4     | no (effective after M)   | no             | yes (in M)       | yes               | no                  |
    | m5 (P2)| yes                      | no             | no               | no                | no                  |
    P1 clocks due in M: first appointment 1 on time + 1 late; post-discharge follow-up 1 missed; residential notice 1 on time.
    """
    month = _last_month()
    start, end = month_bounds(month)
    world = DmcWorld(county=county_a, name="P1 County DMC-ODS")
    p2 = OrganizationFactory(name="P2 Recovery Services", type="dmc_ods_provider", county=county_a)
    before = start - datetime.timedelta(days=30)
    no_phone_pcp = OrganizationFactory(name="Clinic without phone", type="medical_home", county=county_a, phone="")

    def case(org=None, *, pcp=None, **kwargs):
        member = MemberFactory(county=county_a, primary_care_provider=pcp)
        kwargs.setdefault("opened_at", before)
        return CaseFactory(member=member, program="dmc_ods", organization=org or world.program, team=world.manager.team,
                           primary_case_manager=world.manager, **kwargs)

    m1, m2, m3, m4 = case(pcp=world.pcp), case(pcp=no_phone_pcp), case(), case(pcp=world.pcp)
    m5 = case(p2)
    case(status="closed", closed_at=before + datetime.timedelta(days=5), closed_reason="Completed", pcp=world.pcp)
    case(status="referred", opened_at=None, pcp=world.pcp)
    day = lambda n: start + datetime.timedelta(days=n)  # noqa: E731
    mgr = world.manager
    first = month

    make_consent(ConsentKind.COORDINATED_CARE, member=m1.member, recorded_by=mgr, recipients=[world.plan],
                 effective_on=first - datetime.timedelta(days=60), signed_on=first - datetime.timedelta(days=60))
    make_consent(ConsentKind.PART2, member=m1.member, recorded_by=mgr, recipients=[world.outpatient],
                 effective_on=first - datetime.timedelta(days=60), signed_on=first - datetime.timedelta(days=60))
    revoked = make_consent(ConsentKind.COORDINATED_CARE, member=m2.member, recorded_by=mgr, recipients=[world.plan],
                           effective_on=first - datetime.timedelta(days=100), signed_on=first - datetime.timedelta(days=100))
    consent_revoke(consent=revoked, revoked_by=mgr, in_writing=True, at=start - datetime.timedelta(days=5))
    make_consent(ConsentKind.HIPAA_AUTHORIZATION, member=m2.member, recorded_by=mgr, recipients=[world.plan],
                 effective_on=first - datetime.timedelta(days=10), signed_on=first - datetime.timedelta(days=10))
    after = (end + datetime.timedelta(days=1)).date()
    make_consent(ConsentKind.COORDINATED_CARE, member=m4.member, recorded_by=mgr, recipients=[world.plan],
                 effective_on=after, signed_on=after)
    make_consent(ConsentKind.COORDINATED_CARE, member=m5.member, recorded_by=mgr, recipients=[world.plan],
                 effective_on=first - datetime.timedelta(days=5), signed_on=first - datetime.timedelta(days=5))

    for c, at in ((m1, day(3)), (m2, end + datetime.timedelta(hours=1)), (m4, day(20))):
        svc.coordinator_informed_record(case=c, informed_at=min(at, timezone.now()), method="phone", contact_given="916-555-0150",
                                        informed_by=mgr)
    ServiceNoteFactory(case=m1, written_at=day(5), coordination_between_settings=True)
    ServiceNoteFactory(case=m3, written_at=start - datetime.timedelta(days=10), coordination_between_settings=True)
    ServiceNoteFactory(case=m4, written_at=day(6), coordination_between_settings=False)
    tr = svc.transition_open(case=m2, kind="level_of_care", event_at=day(2), actor=mgr, to_asam_level="2.1",
                             recipient_contact="IOP intake", reasons="More structure needed")
    svc.transition_step_record(transition=tr, step="member_informed", at=day(3), by=mgr)

    for occurrence, met in (("a", day(4)), ("b", day(25))):
        deadline_start(rule_code="dmc.transition_first_appointment", subject=m1, case=m1, started_at=day(1), occurrence=occurrence)
        deadline_meet(rule_code="dmc.transition_first_appointment", subject=m1, met_at=met, occurrence=occurrence)
    deadline_start(rule_code="all.post_discharge_follow_up", subject=m3, case=m3, started_at=day(2))
    deadline_start(rule_code="dmc.mcp_residential_notice", subject=m4, case=m4, started_at=day(2), occurrence="admission")
    deadline_meet(rule_code="dmc.mcp_residential_notice", subject=m4, met_at=day(2) + datetime.timedelta(hours=5))
    return {"world": world, "month": month, "p2": p2}


@pytest.mark.django_db
def test_monitoring_report_figures_on_a_known_data_set(data):
    world, month = data["world"], data["month"]
    admin = UserFactory(is_superuser=True, organization=world.program)
    # When the report is computed for month M
    rows = {r.organization: r for r in monitoring_report(user=admin, months=[month])}
    # Then P1 counts its four open members and the hand-computed figures
    p1 = rows["P1 County DMC-ODS"]
    assert (p1.members, p1.coordinated_care_consent, p1.release_of_information, p1.told_how_to_reach_coordinator,
            p1.pcp_detail_complete, p1.coordination_between_settings) == (4, 1, 2, 2, 2, 2)
    assert p1.shares() == {"coordinated_care_consent": 25.0, "release_of_information": 50.0,
                           "told_how_to_reach_coordinator": 50.0, "pcp_detail_complete": 50.0,
                           "coordination_between_settings": 50.0, "transitions_timely": 50.0, "follow_up_timely": 0.0,
                           "plan_notice_timely": 100.0}
    assert (p1.transitions_due, p1.transitions_on_time, p1.follow_ups_due, p1.follow_ups_on_time,
            p1.plan_notices_due, p1.plan_notices_on_time) == (2, 1, 1, 0, 1, 1)
    p2 = rows["P2 Recovery Services"]
    assert (p2.members, p2.coordinated_care_consent, p2.release_of_information, p2.told_how_to_reach_coordinator) == (1, 1, 0, 0)
    assert p2.transitions_due == 0 and p2.shares()["transitions_timely"] is None
    # And a month with nothing open yet shows nobody
    assert monitoring_report(user=admin, months=[month.replace(year=month.year - 3)]) == []


@pytest.mark.django_db
def test_supervisor_sees_own_provider_only_and_downloads_csv(client, data):
    world, month = data["world"], data["month"]
    client.force_login(world.supervisor)
    url = reverse("transitions:monitoring")
    response = client.get(url, {"start": f"{month:%Y-%m}", "end": f"{month:%Y-%m}"})
    assert response.status_code == 200
    assert "P1 County DMC-ODS" in response.content.decode() and "P2 Recovery Services" not in response.content.decode()
    response = client.get(url, {"start": f"{month:%Y-%m}", "end": f"{month:%Y-%m}", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert (rows[0]["provider"], rows[0]["members"], rows[0]["coordinated_care_consent_pct"],
            rows[0]["transitions_timely_pct"]) == ("P1 County DMC-ODS", "4", "25.0", "50.0")


@pytest.mark.django_db
def test_case_manager_cannot_open_the_monitoring_report(client, data):
    client.force_login(data["world"].manager)
    assert client.get(reverse("transitions:monitoring")).status_code == 403
