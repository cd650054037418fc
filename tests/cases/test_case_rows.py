"""The Cases page's rows (``case_rows``): one per case, every value escaped, the next deadline for staff."""
import datetime
from types import SimpleNamespace

from django.utils import translation

from carecoord.accounts.models import User
from cases.templatetags.carecoord_ui import case_rows


def _case(**changes):
    member = SimpleNamespace(first_name="Ana", last_name="Reyes <i>", date_of_birth=datetime.date(2014, 3, 9))
    manager = User(username="nnurse")
    deadline = {"plain": "Decide medical eligibility", "overdue": True, "time_left": "overdue by 2 days"}
    return SimpleNamespace(**{"pk": 7, "member": member, "program": "ccs", "status": "open", "case_number": "",
                              "primary_case_manager": manager, "next_deadline": deadline, **changes})


def test_a_row_names_the_member_program_status_and_manager_escaped():
    html = case_rows([_case()])
    assert html.startswith('<tr id="case-7"><th scope="row"><a href="/cases/7/">Reyes &lt;i&gt;, Ana</a></th>')
    assert '<time datetime="2014-03-09">03/09/2014</time>' in html
    assert '<span class="badge badge--program">CCS</span></td><td>Open</td><td class="nowrap">—</td><td>nnurse</td>' in html
    assert "Decide medical eligibility" not in html  # a plan liaison's list shows no clocks


def test_staff_see_the_next_deadline_and_who_carries_the_case():
    overdue, quiet = _case(), _case(pk=8, primary_case_manager=None, next_deadline=None, case_number="CCS-1")
    first, second = case_rows([overdue, quiet], True).split("\n")
    assert '<td>Decide medical eligibility · <span class="nowrap text-danger">overdue by 2 days</span></td>' in first
    assert '<td class="nowrap">CCS-1</td><td><span class="muted">Nobody</span></td><td><span class="muted">None open</span></td>' in second


def test_labels_and_dates_follow_the_language():
    with translation.override("es"):
        html = case_rows([_case()])
    assert "09/03/2014" in html and ">Open<" not in html
    assert ">Open<" in case_rows([_case()])  # and in English again: the labels are kept for each language
