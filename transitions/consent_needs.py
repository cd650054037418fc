"""What open transitions and DMC-ODS coordination will need to disclose, for the consents page's gaps.

Registered with ``consents.selectors.register_disclosure_need`` from the app's ``ready()``: an open
transition needs its packet to reach the new setting (purpose *transition*), and a DMC-ODS member in
residential care or after a crisis needs SUD information to reach their plan (purpose *care coordination*).
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cases.selectors import active_coverage


def transition_needs(member):
    from consents.models import Purpose
    from consents.selectors import DisclosureNeed

    from .models import CareTransition, CrisisEvent, SettingEpisode

    needs = []
    for tr in (CareTransition.objects.filter(member=member, status=CareTransition.Status.OPEN, recipient_organization__isnull=False)
               .select_related("recipient_organization", "case")):
        categories = ("general", "sud") if tr.case.program == "dmc_ods" else ("general",)
        needs.append(DisclosureNeed(tr.recipient_organization, Purpose.TRANSITION, categories,
                                    _("referral packet for the transition of care")))
    coverage = active_coverage(member=member)
    plan = coverage.plan if coverage is not None and coverage.plan_id else None
    if plan is not None and (
        SettingEpisode.objects.filter(case__member=member, case__program="dmc_ods", setting="residential",
                                      discharged_at__isnull=True).exists()
        or CrisisEvent.objects.filter(case__member=member, follow_up_at__isnull=True).exists()
    ):
        needs.append(DisclosureNeed(plan, Purpose.CARE_COORDINATION, ("sud",),
                                    _("residential and crisis notifications to the plan")))
    return needs
