"""In real Chromium: a primary case manager moves a member from residential to outpatient care, records the plan
notification and the new setting's confirmation, downloads the referral packet; the supervisor's monitoring
report counts it."""
import datetime
import re

import pytest
from django.utils import timezone

from tests.browser.conftest import check_accessibility, log_in
from transitions import services as svc
from transitions.models import CareTransition, PlanNotification

from .factories import DmcWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_manager_moves_member_to_outpatient_and_supervisor_report_counts_it(page, county_a):
    # Given a member in residential care for three days, the plan told of the admission, a coordinated care consent
    world = DmcWorld(county=county_a)
    case = world.member_case(status="open")
    world.coordinated_consent(case.member)
    stay = svc.setting_admit(case=case, setting="residential", admitted_at=timezone.now() - datetime.timedelta(days=3),
                             actor=world.manager, provider=world.residential, asam_level="3.5")
    svc.plan_notification_record(episode=stay, event="admission", channel="phone", person_reached="J. Kim",
                                 notified_at=stay.admitted_at + datetime.timedelta(hours=2), notified_by=world.manager)

    # When the primary case manager starts the transition from the case page's tab
    log_in(page, world.manager.username)
    page.goto(f"/cases/{case.pk}/?tab=transitions")
    page.get_by_role("tab", name="Transitions of care").click()
    panel = page.locator("#action-panel-transitions")
    page.locator("#section-transitions").get_by_role("button", name="Start a transition").click()
    panel.locator("#id_kind").select_option("setting_change")
    panel.locator("#id_to_setting").select_option("outpatient")
    panel.locator("#id_to_asam_level").select_option("1.0")
    panel.locator("#id_recipient_organization").select_option(label="Harbor Outpatient Recovery")
    panel.locator("#id_reasons").fill("Completed residential phase; step down to outpatient")
    with page.expect_navigation():
        panel.get_by_role("button", name="Start").click()
    page.get_by_role("link", name=re.compile("Change of setting of care")).click()
    page.wait_for_url(re.compile(r"/transitions/\d+/$"))
    check_accessibility(page, "transition-detail")

    def step(code: str, **fields) -> None:
        page.get_by_role("button", name="Record a step").click()
        page.locator("#id_step").select_option(code)
        for field_id, value in fields.items():
            page.locator(f"#id_{field_id}").fill(value)
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(re.compile(r"/transitions/\d+/$"))

    step("member_informed")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("referral packet")).click()
    assert download.value.suggested_filename.endswith(".pdf")
    step("packet_sent")
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    step("services_scheduled", appointment_at=tomorrow.strftime("%Y-%m-%dT%H:%M"))
    step("warm_handoff")
    step("previous_setting_closed")
    step("discharge_summary_sent")
    step("appointment_attended")

    # and records that the plan was told of the discharge
    page.get_by_role("link", name=re.compile("case$")).first.click()
    page.get_by_role("tab", name="Transitions of care").click()
    page.locator("#section-transitions").get_by_role("button", name="Plan notified").first.click()
    panel.locator("#id_event").select_option("discharge")
    panel.locator("#id_channel").select_option("secure_email")
    panel.locator("#id_person_reached").fill("J. Kim, UM nurse")
    with page.expect_navigation():
        panel.get_by_role("button", name="Save").click()
    transition = CareTransition.objects.get(case=case)
    page.goto(f"/transitions/{transition.pk}/")
    page.get_by_role("button", name="Close the transition").click()
    page.get_by_role("button", name="Close", exact=True).click()
    page.wait_for_url(re.compile(r"/transitions/\d+/$"))

    # Then the loop is closed, the plan notifications recorded, and the supervisor's report counts the coordination
    transition.refresh_from_db()
    assert transition.status == "closed"
    assert set(PlanNotification.objects.values_list("event", flat=True)) == {"admission", "discharge"}
    page.context.clear_cookies()
    log_in(page, world.supervisor.username)
    page.goto("/transitions/monitoring/")
    row = page.get_by_role("row", name=re.compile(f"{timezone.localdate():%Y-%m} {world.program.name}"))
    assert "1 (100.0%)" in row.inner_text()
    check_accessibility(page, "dmc-monitoring")
