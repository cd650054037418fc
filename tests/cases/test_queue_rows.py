"""The work queue's rows (``queue_rows``): built from what ``_deadline_rows`` worked out, every value escaped."""
from cases.templatetags.carecoord_ui import queue_rows


def _deadline(**changes):
    return {
        "id": 17, "member": "Ana <script>Reyes</script>", "link": "/cases/4/?tab=ccs&section=x", "case_id": 4,
        "program": "ccs", "rule": "Decide medical eligibility", "status": "open", "bucket": "week",
        "time_left": "3 days left", "due_iso": "2026-12-09T17:00:00-08:00", "due_display": "12/09/2026 5 p.m.",
        "owner_name": "Nora <b>Nurse</b>", **changes}


def test_a_row_links_the_member_to_the_work_and_escapes_every_value():
    html = queue_rows([_deadline()])
    assert html.startswith('<tr id="deadline-17"><th scope="row"><a href="/cases/4/?tab=ccs&amp;section=x">')
    assert "Ana &lt;script&gt;Reyes&lt;/script&gt;" in html and "<script>" not in html
    assert '<span class="badge badge--program">CCS</span>' in html
    assert '<td class="nowrap">3 days left</td>' in html
    assert '<time datetime="2026-12-09T17:00:00-08:00">12/09/2026 5 p.m.</time>' in html
    assert "Nora" not in html  # a case manager's own queue has no owner column


def test_missed_and_overdue_are_said_and_the_owner_shown_to_a_supervisor():
    overdue = _deadline(id=1, status="missed", bucket="overdue", time_left="overdue by 2 days")
    unowned = _deadline(id=2, owner_name="", link="", case_id=None)
    html = queue_rows([overdue, unowned], True)
    first, second = html.split("\n")
    assert '<span class="badge badge--missed">Missed</span>' in first
    assert '<td class="nowrap text-danger">overdue by 2 days</td>' in first
    assert "<td>Nora &lt;b&gt;Nurse&lt;/b&gt;</td>" in first
    # A deadline of no case and no member page: no link, no program; nobody owns it
    assert '<th scope="row">—</th><td>—</td>' in second
    assert '<td><span class="muted">Nobody</span></td>' in second
