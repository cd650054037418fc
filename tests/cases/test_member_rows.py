"""The member search's rows (``member_rows``): one per member, every value escaped, the visible cases as badges."""
import datetime
from types import SimpleNamespace

from django.utils import translation

from cases.templatetags.carecoord_ui import member_rows


def _member(**changes):
    case = SimpleNamespace(pk=4, program="ccs", status="open")
    return SimpleNamespace(**{"pk": 7, "first_name": "Ana", "middle_name": "", "last_name": "Reyes <i>",
                              "date_of_birth": datetime.date(2014, 3, 9), "cin": "91234567A", "county": "Fresno",
                              "visible_cases": [case], **changes})


def test_a_row_names_links_and_escapes_the_member_and_lists_the_visible_cases():
    html = member_rows([_member()])
    assert html == ('<tr><th scope="row"><a href="/members/7/">Reyes &lt;i&gt;, Ana</a></th>'
                    '<td class="nowrap"><time datetime="2014-03-09">03/09/2014</time></td>'
                    '<td class="nowrap">91234567A</td><td>Fresno</td>'
                    '<td><a class="badge badge--program" href="/cases/4/">CCS · Open</a> </td></tr>')


def test_a_middle_name_follows_and_a_member_with_no_visible_case_shows_a_dash():
    two_cases = [SimpleNamespace(pk=4, program="ccs", status="open"), SimpleNamespace(pk=5, program="ecm", status="closed")]
    first, second = member_rows([_member(middle_name="María", visible_cases=two_cases),
                                 _member(pk=8, visible_cases=[])]).split("\n")
    assert ">Reyes &lt;i&gt;, Ana María</a>" in first
    assert ('<a class="badge badge--program" href="/cases/4/">CCS · Open</a> '
            '<a class="badge badge--program" href="/cases/5/">ECM · Closed</a> </td>') in first
    assert '<td><span class="muted">—</span></td></tr>' in second


def test_labels_and_dates_follow_the_language():
    with translation.override("es"):
        html = member_rows([_member()])
    assert "09/03/2014" in html and "· Open<" not in html
