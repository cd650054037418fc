"""The "Notices" tab of the case and member pages."""
from django.utils.translation import gettext_lazy as _


def _case_context(case, user) -> dict:
    from .selectors import notice_list_for_case

    return {"notices": notice_list_for_case(case=case)}


def _member_context(member, user) -> dict:
    from .selectors import notice_list_for_member

    return {"notices": notice_list_for_member(member=member, user=user)}


def _case_appeals(case, user) -> dict:
    from django.db.models import Q

    from .forms import AppealAcknowledgeForm, AppealDecideForm
    from .models import Appeal

    appeals = (Appeal.objects.filter(Q(case=case) | Q(case__isnull=True, member=case.member))
               .select_related("notice", "appeal_of"))
    return {"appeals": list(appeals), "acknowledge_form": AppealAcknowledgeForm(), "decide_form": AppealDecideForm()}


def register() -> None:
    from cases.sections import register_case_section, register_member_section

    register_case_section(key="notices", title=_("Notices"), template="notices/_case_notices.html", order=60, context=_case_context)
    register_case_section(key="appeals", title=_("Appeals and grievances"), template="notices/_case_appeals.html", order=62,
                          context=_case_appeals)
    register_member_section(key="notices", title=_("Notices"), template="notices/_member_notices.html", order=60,
                            context=_member_context)
