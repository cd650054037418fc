"""The case manager's main journeys in a real browser: log in, find a member with a typo, record work on the
case without a page reload, see a deadline appear in the queue and meet it; the same pages in Spanish (and the day's work) with no
untranslated strings; axe-core finds no serious or critical violation on any of them."""
import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from carecoord.clocks.services import deadline_start
from cases.models import Task
from cases.services import task_add
from tests.conftest import requires_postgres
from tests.factories import CaseFactory, CountyFactory, CoverageFactory, MemberFactory, OrganizationFactory, PlanFactory, UserFactory

from .conftest import check_accessibility, log_in, wait_until_settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def caseload():
    county = CountyFactory(name="Sacramento", fips_code="06067")
    program = OrganizationFactory(name="Sacramento County CCS", county=county)
    manager = UserFactory(organization=program, username="maria", first_name="Maria", last_name="Lopez")
    plan = PlanFactory(name="Valley Health Plan")
    member = MemberFactory(county=county, first_name="Guadalupe", last_name="Hernandez", cin="91234567A",
                           date_of_birth=datetime.date(2015, 4, 12))
    CoverageFactory(member=member, plan=plan)
    case = CaseFactory(member=member, organization=program, team=manager.team, primary_case_manager=manager,
                       case_number="CCS-2026-0107")
    for first, last in (("Mateo", "Nguyen"), ("Sofia", "Hernandez-Ruiz"), ("Liam", "Patel")):
        CaseFactory(member=MemberFactory(county=county, first_name=first, last_name=last), organization=program,
                    team=manager.team, primary_case_manager=manager)
    return {"manager": manager, "case": case, "member": member}


@requires_postgres()  # finding a misspelt name is pg_trgm's similarity
def test_find_a_member_record_a_task_and_meet_a_deadline_from_the_queue(page, caseload):
    case, member = caseload["case"], caseload["member"]

    # Log in: home is the work queue
    log_in(page, "maria")
    assert page.get_by_role("heading", name="Work queue", level=1).is_visible()
    check_accessibility(page, "work-queue-empty")

    # Find the member with a typo, answering as the user types ("/" focuses the search)
    page.keyboard.press("/")
    page.keyboard.type("Hernadnez")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/members/\?q="))
    search = page.get_by_label("Name, date of birth, CIN or case number")
    search.fill("")
    search.press_sequentially("Guadalupe Hernadnez", delay=20)
    result = page.locator("#search-results").get_by_role("link", name=re.compile("Hernandez, Guadalupe"))
    result.wait_for()
    check_accessibility(page, "member-search")

    # The member page, then the case page
    result.click()
    page.wait_for_url(f"**/members/{member.pk}/")
    assert page.get_by_role("heading", name="Guadalupe", level=1).is_visible() or page.locator("h1").inner_text().startswith("Guadalupe")
    check_accessibility(page, "member-page")
    page.get_by_role("link", name="CCS case").first.click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    page.evaluate("window.__noReload = true")

    # Record a task: the short form opens in place, an empty title is refused next to the field
    page.get_by_role("tab", name="Tasks").click()
    page.get_by_role("button", name="Add task").click()
    title = page.get_by_label(re.compile("^What needs to be done"))
    title.wait_for()
    wait_until_settled(page)
    assert title.evaluate("el => el === document.activeElement")
    page.locator("#action-panel-tasks").get_by_role("button", name="Add task").click()
    page.locator("#action-panel-tasks .field--invalid .errorlist").wait_for()
    wait_until_settled(page)
    assert page.get_by_label(re.compile("^What needs to be done")).get_attribute("aria-invalid") == "true"
    page.get_by_label(re.compile("^What needs to be done")).fill("Request the orthopedic report")
    page.get_by_label(re.compile("^What needs to be done")).press("Enter")
    page.locator("#section-tasks").get_by_role("rowheader", name="Request the orthopedic report").wait_for()
    assert page.evaluate("window.__noReload === true"), "the action reloaded the page"
    assert page.locator("#messages").get_by_text("Task added").is_visible()
    check_accessibility(page, "case-page")

    # A domain service starts a clock on that work: it appears in the queue
    task = Task.objects.get(case=case, title="Request the orthopedic report")
    deadline_start(rule_code="all.part2_disclosure_list", subject=task, case=case, started_at=timezone.now())
    page.get_by_role("link", name="Work queue").click()
    row = page.locator("table.queue-table tbody tr", has_text="Guadalupe Hernandez")
    row.wait_for()
    assert "List of disclosures given to the member" in row.inner_text()
    assert re.search(r"\d+ (days|hours) left", row.inner_text())
    check_accessibility(page, "work-queue")

    # One click goes to where the work is done; meeting it there empties the queue
    row.get_by_role("link", name="Guadalupe Hernandez").click()
    page.wait_for_url(f"**/cases/{case.pk}/?tab=tasks*")
    assert page.locator("#section-tasks").is_visible()
    page.get_by_role("button", name=re.compile("Mark done.*Request the orthopedic report")).click()
    page.locator("#section-tasks .badge--met").wait_for()
    page.get_by_role("link", name="Work queue").click()
    assert page.locator("table.queue-table tbody tr").count() == 0
    assert page.get_by_text("0 open deadlines").is_visible()

    # The same pages work on a tablet held upright
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"/cases/{case.pk}/")
    assert page.get_by_role("tab", name="Documents").is_visible()
    check_accessibility(page, "case-page-tablet")
    assert not page.js_errors, page.js_errors


def test_the_cases_page_lists_the_caseload_and_filters_in_place(page, caseload):
    case = caseload["case"]
    log_in(page, "maria")

    # From the menu, the manager's four cases, each a link to its case page
    page.get_by_role("link", name="Cases", exact=True).click()
    page.wait_for_url("**/cases/")
    rows = page.locator("#case-results tbody tr")
    assert rows.count() == 4
    check_accessibility(page, "case-list")

    # Choosing a status filters without reloading the page, and the address keeps the filter
    page.evaluate("window.__noReload = true")
    page.get_by_label("Status").select_option("closed")
    page.get_by_text("No case matches these filters.").wait_for()
    assert page.evaluate("window.__noReload === true"), "the filter reloaded the page"
    assert "status=closed" in page.url
    page.get_by_label("Status").select_option("active")
    page.locator("#case-results").get_by_role("link", name="Hernandez, Guadalupe").click()
    page.wait_for_url(f"**/cases/{case.pk}/")


def english_msgids() -> set[str]:
    """Every English msgid of the Spanish catalog whose translation differs (single-line ones)."""
    po = (ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text()
    ids = set()
    for match in re.finditer(r'^msgid "(.+)"\nmsgstr "(.*)"$', po, flags=re.M):
        msgid, msgstr = match.group(1), match.group(2)
        if msgstr and msgstr != msgid and "%" not in msgid and "{" not in msgid and len(msgid) > 2:
            ids.add(msgid.replace('\\"', '"'))
    return ids


def untranslated_on(page, msgids: set[str]) -> list[str]:
    texts = page.evaluate(
        """() => {
          const out = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode;
            const el = node.parentElement;
            if (!el || el.closest('script,style,[hidden]')) continue;
            // Text marked as another language on purpose (the language switcher's own names) is not a miss.
            if (el.closest('[lang]').getAttribute('lang') !== document.documentElement.lang) continue;
            const text = node.textContent.replace(/\\s+/g, ' ').trim();
            if (text) out.push(text);
          }
          document.querySelectorAll('[placeholder],[aria-label],[title]').forEach(el => {
            ['placeholder', 'aria-label', 'title'].forEach(a => { if (el.getAttribute(a)) out.push(el.getAttribute(a).trim()); });
          });
          return out;
        }"""
    )
    return sorted({t for t in texts if t in msgids})


def test_spanish_interface_has_no_untranslated_strings_stays_accessible_and_does_the_days_work(page, caseload):
    case, member = caseload["case"], caseload["member"]
    task = task_add(case=case, title="Llamar a la familia", actor=caseload["manager"])
    deadline_start(rule_code="all.part2_disclosure_list", subject=task, case=case, started_at=timezone.now())
    msgids = english_msgids()
    assert len(msgids) > 100

    # Switch to Spanish on the login page
    page.goto("/accounts/login/")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    page.wait_for_selector("html[lang=es]")
    assert untranslated_on(page, msgids) == []
    check_accessibility(page, "es-login")

    log_in(page, "maria")
    pages = {
        "es-work-queue": "/",
        "es-case-list": "/cases/",
        "es-member-search": "/members/?q=Hernadnez",
        "es-member-page": f"/members/{member.pk}/",
        "es-case-page": f"/cases/{case.pk}/",
    }
    for name, url in pages.items():
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "es"
        assert untranslated_on(page, msgids) == [], name
        check_accessibility(page, name)
    # Every tab of the case page, and an action form
    for tab in page.get_by_role("tab").all():
        tab.click()
        assert untranslated_on(page, msgids) == [], tab.inner_text()
    page.get_by_role("tab", name="Tareas").click()
    page.get_by_role("button", name="Añadir tarea").click()
    page.locator("#action-panel-tasks form").wait_for()
    assert untranslated_on(page, msgids) == []
    assert page.locator("#section-deadlines").get_by_text(re.compile(r"vence en \d+ (días|horas)")).count() >= 1

    # And the day's work in Spanish: from the queue, one click to the task, done, and the queue is empty
    page.get_by_role("link", name="Cola de trabajo").click()
    row = page.locator("table.queue-table tbody tr", has_text="Guadalupe Hernandez")
    row.wait_for()
    row.get_by_role("link", name="Guadalupe Hernandez").click()
    page.wait_for_url(f"**/cases/{case.pk}/?tab=tasks*")
    page.get_by_role("button", name=re.compile("Marcar como hecha.*Llamar a la familia")).click()
    page.locator("#section-tasks .badge--met").wait_for()
    assert untranslated_on(page, msgids) == []
    page.get_by_role("link", name="Cola de trabajo").click()
    assert page.get_by_text("0 plazos abiertos").is_visible()
    assert page.locator("table.queue-table tbody tr").count() == 0


def test_login_page_is_accessible(page):
    page.goto("/accounts/login/")
    check_accessibility(page, "login")


def case_page(case, tab=None):
    query = rf"\?tab={tab}.*" if tab else r"([?#].*)?"
    return re.compile(rf"^https?://[^/]+/cases/{case.pk}/{query}$")


def test_record_a_ccs_referral_and_the_medical_consultant_meets_its_eligibility_clock(page, caseload):
    from carecoord.accounts.models import User
    from cases.models import Case

    manager = caseload["manager"]
    consultant = UserFactory(organization=manager.organization, username="drkim", first_name="Dana", last_name="Kim",
                             role=User.Role.MEDICAL_CONSULTANT, team=None)

    # The case manager records a phone referral for a new child
    log_in(page, "maria")
    page.goto("/ccs/intake/")
    page.locator("main details > summary").first.click()
    page.get_by_label(re.compile("^First name")).fill("Camila")
    page.get_by_label(re.compile("^Last name")).fill("Reyes")
    page.get_by_label(re.compile("^Date of birth")).fill("2019-06-03")
    page.get_by_label(re.compile(r"^Medi-Cal CIN \(new member\)")).fill("97654321B")
    page.get_by_label(re.compile("^County of residence")).select_option(label="Sacramento")
    page.get_by_label(re.compile("^Referral source")).select_option(index=1)
    page.get_by_label(re.compile("^Suspected CCS condition")).fill("Congenital heart disease")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/cases/\d+/([?#].*)?$"))
    case = Case.objects.get(member__cin="97654321B")
    assert page.locator("#messages").get_by_text("Referral recorded").is_visible()

    # Adequate documentation starts the 5-working-day medical eligibility clock
    page.locator("#section-eligibility").get_by_role("button", name="Documentation adequate").click()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(case_page(case))
    assert page.locator("#section-deadlines").get_by_text("CCS medical eligibility determination").is_visible()

    # The medical consultant finds it in the work queue and decides eligibility where the link leads
    page.context.clear_cookies()
    log_in(page, consultant.username)
    row = page.locator("table.queue-table tbody tr", has_text="Camila Reyes")
    assert "CCS medical eligibility determination" in row.inner_text()
    row.get_by_role("link", name="Camila Reyes").click()
    page.wait_for_url(case_page(case, tab="eligibility"))
    page.locator("#section-eligibility").get_by_role("button", name="Decide eligibility").click()
    page.get_by_label(re.compile("^Determination")).select_option("medical")
    page.get_by_label("Eligible", exact=True).check()
    page.get_by_label(re.compile("^Reason")).fill("Tetralogy of Fallot confirmed by cardiology report")
    page.get_by_label(re.compile(r"^CCS-eligible diagnoses")).fill("Q21.3")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(case_page(case))
    page.get_by_role("link", name="Work queue").click()
    assert page.locator("table.queue-table tbody tr", has_text="Camila Reyes").count() == 0
    assert case.deadlines.get(rule_code="ccs.medical_eligibility").status == "met_on_time"
