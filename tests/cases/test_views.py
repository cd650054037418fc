"""The case manager's browser pages: work queue, member search, member page, case page and its forms."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from carecoord.audit.models import AccessEvent
from carecoord.clocks.models import Deadline, Notification
from carecoord.clocks.services import deadline_start
from cases import sections
from cases.models import CareTeamMember, Case, Document, Task
from tests.conftest import audit_write_queries, requires_postgres
from tests.factories import CaseFactory, CoverageFactory, MemberContactFactory, MemberFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client_a(client, manager_a):
    client.force_login(manager_a)
    return client


def start_clock(case, *, rule_code="all.part2_disclosure_list", days_ago=0, subject=None):
    return deadline_start(rule_code=rule_code, subject=subject or case, case=case,
                          started_at=timezone.now() - datetime.timedelta(days=days_ago))


# ------------------------------------------------------------------ work queue

def test_work_queue_groups_clocks_by_urgency_with_plain_rule_time_left_and_a_link_to_the_work(client_a, case_a):
    # Given one overdue clock and one due later on the manager's case
    overdue = start_clock(case_a, rule_code="dmc.problem_list_update", days_ago=10)
    later = start_clock(case_a, rule_code="all.part2_disclosure_list")

    # When the manager opens home
    response = client_a.get(reverse("home"))

    # Then each clock sits in its bucket with the rule in words, the time left and a link to the case section
    assert response.status_code == 200
    buckets = {b["key"]: [row["id"] for row in b["rows"]] for b in response.context["buckets"]}
    assert buckets["overdue"] == [overdue.pk]
    assert later.pk in buckets["later"] + buckets["week"]
    html = response.content.decode()
    assert "List of disclosures given to the member" in html
    assert "overdue by 7 days" in html or "overdue by 6 days" in html
    assert f'href="/cases/{case_a.pk}/?tab=consents#section-consents"' in html or \
        f'href="/cases/{case_a.pk}/?tab=deadlines#section-deadlines"' in html
    assert case_a.member.full_name in html


@pytest.mark.parametrize("rows", [1, 30])
def test_work_queue_query_count_does_not_grow_with_rows(client_a, manager_a, program_a, rows, django_assert_num_queries):
    # Given `rows` clocks on as many cases of the manager
    for _ in range(rows):
        case = CaseFactory(organization=program_a, team=manager_a.team, primary_case_manager=manager_a)
        start_clock(case)
    client_a.get(reverse("home"))  # warm per-process caches (content types, session)

    # When the queue is shown, Then the number of queries is the same for 1 and 30 rows
    with django_assert_num_queries(queue_queries()):
        response = client_a.get(reverse("home"))
    assert response.context["total"] == rows


# Session, the user with their organization, permissions (navigation), teams for the filter (one query), deadlines,
# notifications and the audit write; no Part 2 lookup (the rows name their program) and no session save (once a
# minute, carecoord.middleware.IdleSessionMiddleware): none of them per row.
def queue_queries() -> int:
    return 7 + audit_write_queries()


def test_work_queue_filters_by_program_and_answers_htmx_with_the_results_only(client_a, case_a, manager_a, program_a):
    # Given clocks on a CCS case and an ECM case
    ecm_case = CaseFactory(organization=program_a, team=manager_a.team, primary_case_manager=manager_a, program="ecm")
    start_clock(case_a)
    start_clock(ecm_case)

    # When the program filter asks for ECM through htmx
    response = client_a.get(reverse("home"), {"program": "ecm"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results")

    # Then only the ECM clock comes back, as the results fragment (no page shell)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="queue-results"' in html and "<html" not in html
    assert ecm_case.member.full_name in html
    assert case_a.member.full_name not in html


def test_work_queue_team_filter_rejects_another_organizations_team(client_a, case_a, program_b):
    # Given a team of another organization
    from tests.factories import TeamFactory

    other_team = TeamFactory(organization=program_b)
    start_clock(case_a)

    # When it is asked for, Then the filter is invalid and the queue stays the user's own
    response = client_a.get(reverse("home"), {"team": other_team.pk})
    assert response.context["form"].errors["team"]
    assert response.context["total"] == 1


def test_notifications_unread_first_and_mark_read(client_a, manager_a):
    # Given a read and an unread notification
    read = Notification.objects.create(key="n1", user=manager_a, kind="info", message="Old news", read_at=timezone.now())
    unread = Notification.objects.create(key="n2", user=manager_a, kind="warning", message="Due soon: call back",
                                         created_at=timezone.now() - datetime.timedelta(days=3))

    # When home is shown, Then the unread one comes first
    response = client_a.get(reverse("home"))
    assert [n.pk for n in response.context["notifications"]] == [unread.pk, read.pk]

    # When it is marked read through htmx, Then it is read and the panel comes back
    response = client_a.post(reverse("notification_read", args=[unread.pk]), **HTMX)
    assert response.status_code == 200 and 'id="notifications"' in response.content.decode()
    unread.refresh_from_db()
    assert unread.read_at is not None



def test_someone_elses_notification_cannot_be_marked_read(client_a, program_a):
    other = UserFactory(organization=program_a)
    notification = Notification.objects.create(key="n3", user=other, kind="info", message="Not yours")
    response = client_a.post(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


# --------------------------------------------------------------- member search

@requires_postgres()
def test_member_search_tolerates_a_typo_in_the_name(client_a, case_a):
    # Given a member named Guadalupe Hernandez on the manager's case
    case_a.member.first_name, case_a.member.last_name = "Guadalupe", "Hernandez"
    case_a.member.save()

    # When the manager types the name with a typo, as htmx does while typing
    response = client_a.get(reverse("member_search"), {"q": "Hernadnez"}, HTTP_HX_REQUEST="true",
                            HTTP_HX_TARGET="search-results")

    # Then the member is found, in the results fragment
    html = response.content.decode()
    assert 'id="search-results"' in html and "<html" not in html
    assert reverse("member_detail", args=[case_a.member_id]) in html


def test_member_search_reads_the_cases_listed_to_the_user_once(client_a, case_a):
    # given a case manager who finds a member by name and sees the member's cases beside it
    from django.test.utils import CaptureQueriesContext

    from carecoord.audit.models import BreakGlassGrant

    grants = BreakGlassGrant._meta.db_table
    # when they search
    with CaptureQueriesContext(connection) as ctx:
        response = client_a.get(reverse("member_search"), {"q": case_a.member.last_name})
    # then the cases opened to them one by one (shares, break-glass grants, care teams) are read once,
    # for the search and for the cases it shows, not once for each
    assert [m.pk for m in response.context["members"]] == [case_a.member_id]
    assert sum(grants in q["sql"] for q in ctx.captured_queries) == 1


def test_member_search_by_date_of_birth_cin_and_case_number(client_a, case_a):
    member = case_a.member
    case_a.case_number = "CCS-2026-0042"
    case_a.save()
    for q in (member.date_of_birth.isoformat(), member.date_of_birth.strftime("%m/%d/%Y"), member.cin.lower(),
              "ccs-2026-0042"):
        response = client_a.get(reverse("member_search"), {"q": q})
        assert [m.pk for m in response.context["members"]] == [member.pk], q


def test_member_search_by_date_of_birth_lists_those_born_that_day_by_name_in_pages_that_hold_still(case_a):
    # Given three members born on the same day, saved out of name order
    import datetime

    from cases.selectors import search_members

    day = datetime.date(2011, 3, 9)
    zuniga, abad, abad_too = (MemberFactory(last_name=last, first_name=first, date_of_birth=day)
                              for last, first in (("Zuniga", "Ana"), ("Abad", "Luz"), ("Abad", "Luz")))
    everyone = UserFactory(is_superuser=True)
    # When a user who sees them all searches the date, a page of two at a time
    first_page = list(search_members(user=everyone, q="03/09/2011", limit=2))
    # Then they come by last name, first name, then id, so that the first page is the same every time
    assert [m.pk for m in first_page] == [abad.pk, abad_too.pk]
    assert [m.pk for m in search_members(user=everyone, q="2011-03-09", limit=3)] == [abad.pk, abad_too.pk, zuniga.pk]


def test_member_search_never_shows_members_the_user_cannot_see(client_a, case_a, case_b):
    # Given a member of another county's case with the same last name
    case_b.member.last_name = case_a.member.last_name
    case_b.member.save()
    response = client_a.get(reverse("member_search"), {"q": case_a.member.last_name})
    assert [m.pk for m in response.context["members"]] == [case_a.member_id]


NAMES = [("Guadalupe", "Hernandez"), ("Lupe", "Hernández"), ("Ana", "Reyes"), ("Ana María", "Reyes-Ortiz"),
         ("Reyna", "Lopez"), ("José", "Reyes"), ("Kim", "Nguyen"), ("Kimberly", "Nguyen-Tran")]
QUERIES = ["Hernandez", "hernadnez", "Guadalupe Hernandez", "lupe", "ana reyes", "Reyez", "REYES", "kim", "José",
           "Ortiz Ana", "Zzyzx", "ng"]


@requires_postgres()
def test_member_search_finds_the_same_members_in_the_same_order_whether_names_or_scope_come_first(
        manager_a, program_a, case_a, case_b):
    # Given members with similar names on the manager's cases (three bearing "Ana Reyes", so that the
    # members of one name are cut by the limit), and the same names in another county
    from cases.selectors import search_members

    for first, last in NAMES + [("Ana", "Reyes")] * 2:
        CaseFactory(member=MemberFactory(first_name=first, last_name=last, county=case_a.member.county),
                    organization=program_a, primary_case_manager=manager_a)
        CaseFactory(member=MemberFactory(first_name=first, last_name=last), organization=case_b.organization)
    # The typo test's threshold is pinned on the connection rather than left to the server
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.similarity_threshold")
        assert cursor.fetchone() == ("0.3",)

    from cases.selectors import _ranked_by_name, _words_q, member_list_visible_to

    found_any = 0
    for q in QUERIES:
        for limit in (1, 2, 4, 25):
            # When the search reads the bearers of the best names first, or the members in scope whose name matched
            names_first = [m.pk for m in search_members(user=manager_a, q=q, limit=limit, names_first=True)]
            scope_first = [m.pk for m in search_members(user=manager_a, q=q, limit=limit, names_first=False)]
            # Then it finds the same members, ranked the same, at most ``limit`` of them
            assert names_first == scope_first, (q, limit)
            assert len(names_first) <= limit
            # and they are those whose own names pass the search's test, compared member by member
            compared = _ranked_by_name(member_list_visible_to(user=manager_a), q).filter(
                _words_q(q) | Q(similarity__gte=0.3))
            assert scope_first == [m.pk for m in compared[:limit]], (q, limit)
        found_any += bool(names_first)
    assert found_any == len(QUERIES) - 1  # every query but "Zzyzx" finds someone
    # and the limit cuts the members of one name in the order of their ids
    ana_reyes = search_members(user=manager_a, q="ana reyes", limit=25, names_first=True)
    assert [m.pk for m in ana_reyes][:3] == sorted(m.pk for m in ana_reyes if m.full_name == "Ana Reyes")


@requires_postgres()
def test_a_name_key_tells_every_first_and_last_name_pair_apart_in_sql_as_in_python():
    # Given members whose names would run together, and names with letters beyond ASCII
    from cases.models import Member
    from cases.selectors import MemberNameKey, _name_key

    pairs = [("Ana", "Reyes"), ("AnaR", "eyes"), ("José Ángel", "Núñez-Ávila"), ("Lupe", "")]
    for first, last in pairs:
        MemberFactory(first_name=first, last_name=last)
    # Then PostgreSQL writes each member's key as Python does, and no two pairs share a key
    keys = dict(Member.objects.filter(first_name__in=[f for f, _ in pairs]).annotate(key=MemberNameKey())
                .values_list("first_name", "key"))
    assert keys == {first: _name_key(first, last) for first, last in pairs}
    assert len(set(keys.values())) == len(pairs)


@requires_postgres()
def test_the_name_dictionary_holds_every_name_a_member_is_saved_with():
    # Given members created one by one, in bulk, and renamed
    from cases.models import Member, MemberName

    MemberFactory(first_name="Rosa", last_name="Delgadillo")
    MemberFactory(first_name="Rosa", last_name="Delgadillo")
    county = MemberFactory().county
    Member.objects.bulk_create([MemberFactory.build(first_name="Tomás", last_name="Ibarra", county=county)
                                for _ in range(2)])
    renamed = MemberFactory(first_name="Lupe", last_name="Soto")
    Member.objects.filter(pk=renamed.pk).update(last_name="Soto-Vargas")
    # Then the dictionary has each name once, the old name of the renamed member too
    names = set(MemberName.objects.values_list("first_name", "last_name"))
    assert {("Rosa", "Delgadillo"), ("Tomás", "Ibarra"), ("Lupe", "Soto"), ("Lupe", "Soto-Vargas")} <= names
    assert MemberName.objects.filter(first_name="Rosa", last_name="Delgadillo").count() == 1


@requires_postgres()
def test_a_name_first_search_ranks_names_through_the_name_indexes_and_reads_only_the_best_names_bearers(
        case_a):
    # Given a search over every member that reads the names first (as a plan's does), and many members
    # bearing names that contain the word
    from django.test.utils import CaptureQueriesContext

    from cases.selectors import search_members

    for first in ("Ana", "Lupe", "Rosa", "Tomás", "Inés", "Luz"):
        for _ in range(3):
            MemberFactory(first_name=first, last_name="Hernandez")
    with CaptureQueriesContext(connection) as queries:
        found = list(search_members(user=UserFactory(is_superuser=True), q="Hernadnez Ana", limit=2))
    # Then the two found bear the best name, and only that name's bearers were read
    assert {m.full_name for m in found} == {"Ana Hernandez"}
    [names_sql] = [query["sql"] for query in queries if 'FROM "cases_membername"' in query["sql"]]
    bearer_reads = [query["sql"] for query in queries if '"cases_member"."first_name" = ' in query["sql"]]
    assert len(bearer_reads) == 1 and bearer_reads[0].count('"cases_member"."first_name" = ') == 1
    # When PostgreSQL plans the names' ranking without the option of reading the whole table
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + names_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Then each arm of the name test is an index scan: a name whose SQL differed from its index's would not be
    for index in ("membername_first_name_upper_trgm_idx", "membername_last_name_upper_trgm_idx",
                  "membername_first_name_trgm_idx", "membername_last_name_trgm_idx", "membername_full_name_trgm_idx"):
        assert f"Bitmap Index Scan on {index}" in plan, (index, plan)


@requires_postgres()
def test_postgresql_ranks_a_dictionary_of_thousands_of_names_through_its_indexes_unforced():
    # Given a name dictionary the size of a state's (every pair of the data set's first and last names)
    from carecoord.scale.dataset import FIRST_NAMES, LAST_NAMES
    from cases.models import MemberName
    from cases.selectors import ranked_matching_names

    MemberName.objects.bulk_create([MemberName(first_name=first, last_name=last)
                                    for first in FIRST_NAMES for last in LAST_NAMES], ignore_conflicts=True)
    assert MemberName.objects.count() > 2000
    with connection.cursor() as cursor:
        cursor.execute('ANALYZE "cases_membername"')
    # When PostgreSQL plans a search's names with its own costs, a typo included
    plan = ranked_matching_names("Ana Reyes").explain()
    # Then it reads the trigram indexes rather than comparing every name (with pg_trgm's ``%`` priced as an
    # addition it compared all of them: 10-14 ms instead of 1 ms at 4,000 names; migration 0017)
    assert "Bitmap Index Scan on membername_full_name_trgm_idx" in plan, plan
    assert "Seq Scan" not in plan, plan


@requires_postgres()
def test_a_plan_liaison_finds_the_plans_members_by_name_on_the_search_page(client, case_a, liaison_x, plan_x, plan_y):
    # Given an enrolled member of the plan without any case, and a member of another plan with the same name;
    # the plan's other member (of case_a) is named apart, since a generated surname ("Delgado-Py") can pass
    # the typo test too
    from cases.models import Member

    Member.objects.filter(pk=case_a.member_id).update(first_name="Tomás", last_name="Ibarra")
    enrolled = MemberFactory(first_name="Rosa", last_name="Delgadillo")
    CoverageFactory(member=enrolled, plan=plan_x)
    CoverageFactory(member=MemberFactory(first_name="Rosa", last_name="Delgadillo"), plan=plan_y)
    client.force_login(liaison_x)
    # When the liaison searches the name with a typo
    response = client.get(reverse("member_search"), {"q": "Rosa Delgadilo"})
    # Then only the plan's member is found
    assert [m.pk for m in response.context["members"]] == [enrolled.pk]


def test_member_search_lists_only_visible_cases_of_a_member(client_a, case_a, program_b):
    # Given the member also has a DMC-ODS case elsewhere, invisible to the manager
    CaseFactory(member=case_a.member, organization=program_b, program="dmc_ods")
    response = client_a.get(reverse("member_search"), {"q": case_a.member.cin})
    [member] = response.context["members"]
    assert [c.pk for c in member.visible_cases] == [case_a.pk]
    assert "DMC-ODS ·" not in response.content.decode()


# ----------------------------------------------------------------- member page

def test_member_page_shows_identity_masked_coverage_cases_care_team_and_contacts(client_a, case_a, manager_a):
    member = case_a.member
    member.ssn = "123-45-6789"
    member.save()
    MemberContactFactory(member=member, name="Rosa Delgado")
    CareTeamMember.objects.create(case=case_a, role=CareTeamMember.Role.PUBLIC_HEALTH_NURSE, contact_name="Nurse Joy")

    response = client_a.get(reverse("member_detail", args=[member.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "6789" in html and "123-45-6789" not in html
    assert "Plan X" in html
    assert reverse("case_detail", args=[case_a.pk]) in html
    assert "Nurse Joy" in html and "Rosa Delgado" in html
    assert AccessEvent.objects.filter(members__shows=member.pk, action="view").exists()


def test_member_page_is_404_when_not_visible(client_a, case_b):
    assert client_a.get(reverse("member_detail", args=[case_b.member_id])).status_code == 404


def test_member_page_renders_registered_member_sections(client_a, case_a, monkeypatch):
    monkeypatch.setitem(sections.MEMBER_SECTIONS, "probe", sections.Section(
        key="probe", title="Probe section", template="includes/messages.html", order=1,
        context=lambda member, user: {"messages": [f"probe of {member.pk}"]}))
    html = client_a.get(reverse("member_detail", args=[case_a.member_id])).content.decode()
    assert "Probe section" in html and f"probe of {case_a.member_id}" in html


# ------------------------------------------------------------------- case page

def test_case_page_has_header_essentials_open_deadlines_sections_and_is_audited(client_a, case_a, manager_a, monkeypatch):
    # Given an open clock, a task, and a section registered by another app
    start_clock(case_a)
    TaskFactory(case=case_a, title="Send the referral packet")
    monkeypatch.setitem(sections.CASE_SECTIONS, "probe", sections.Section(
        key="probe", title="Probe tab", template="includes/messages.html", order=5,
        context=lambda case, user: {"messages": [f"probe for case {case.pk}"]}))

    response = client_a.get(reverse("case_detail", args=[case_a.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert case_a.member.full_name in html and "CCS" in html and "Open" in html
    assert str(manager_a) in html
    assert "List of disclosures given to the member" in html and "left" in html
    assert "Send the referral packet" in html
    assert 'id="tab-probe"' in html and f"probe for case {case_a.pk}" in html
    assert AccessEvent.objects.filter(members__shows=case_a.member_id, action="view").exists()


def test_case_page_is_404_when_not_visible(client_a, case_b):
    assert client_a.get(reverse("case_detail", args=[case_b.pk])).status_code == 404
    assert client_a.get(reverse("case_task_add", args=[case_b.pk])).status_code == 404


def test_action_form_loads_as_a_fragment_for_htmx_and_as_a_page_without(client_a, case_a):
    url = reverse("case_task_add", args=[case_a.pk])
    fragment = client_a.get(url, **HTMX).content.decode()
    page = client_a.get(url).content.decode()
    assert "<html" not in fragment and 'name="title"' in fragment
    assert "<html" in page and 'name="title"' in page


def test_add_task_with_errors_shows_them_next_to_the_field_and_writes_nothing(client_a, case_a):
    url = reverse("case_task_add", args=[case_a.pk])

    # When the title is missing
    response = client_a.post(url, {"title": ""}, **HTMX)
    # Then the form comes back in its panel with the error on the title field
    assert response["HX-Retarget"] == "#action-panel-tasks"
    assert response.context["form"].errors["title"]
    assert 'aria-invalid="true"' in response.content.decode()

    # When the service refuses a past due date (RuleViolation field due_date)
    response = client_a.post(url, {"title": "Call", "due_date": "2020-01-01"}, **HTMX)
    assert response.context["form"].errors["due_date"] == ["The due date cannot be in the past."]
    assert not Task.objects.filter(case=case_a).exists()


def test_add_task_updates_the_case_in_place(client_a, case_a, manager_a):
    response = client_a.post(reverse("case_task_add", args=[case_a.pk]), {"title": "Call the school"}, **HTMX)
    assert response["HX-Retarget"] == "#case-body"
    html = response.content.decode()
    assert "Call the school" in html and 'hx-swap-oob="true"' in html
    task = Task.objects.get(case=case_a)
    assert task.owner == manager_a and task.status == Task.Status.OPEN
    assert case_a.timeline.filter(kind="task.added").exists()


def test_add_task_without_htmx_redirects_to_the_tasks_tab(client_a, case_a):
    response = client_a.post(reverse("case_task_add", args=[case_a.pk]), {"title": "Call the school"})
    assert response.status_code == 302
    assert response["Location"].endswith("?tab=tasks#section-tasks")


def test_completing_a_task_meets_the_clock_it_carries(client_a, case_a, manager_a):
    # Given a task that carries a clock
    task = TaskFactory(case=case_a, owner=manager_a)
    deadline = start_clock(case_a, subject=task)

    # When the manager marks it done
    response = client_a.post(reverse("case_task_done", args=[case_a.pk, task.pk]), **HTMX)

    # Then the task is done and its clock met on time
    assert response.status_code == 200
    task.refresh_from_db()
    deadline.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert deadline.status == Deadline.Status.MET_ON_TIME and deadline.met_by == manager_a
    assert client_a.get(reverse("home")).context["total"] == 0


def test_close_case_needs_a_reason_shown_on_the_reason_field(client_a, case_a):
    url = reverse("case_status", args=[case_a.pk])
    response = client_a.post(url, {"status": "closed", "closed_reason": ""}, **HTMX)
    assert response.context["form"].errors["closed_reason"] == ["A closed case needs a closing reason."]
    case_a.refresh_from_db()
    assert case_a.status == Case.Status.OPEN

    client_a.post(url, {"status": "closed", "closed_reason": "Moved out of state"}, **HTMX)
    case_a.refresh_from_db()
    assert case_a.status == Case.Status.CLOSED and case_a.closed_reason == "Moved out of state"


def test_add_care_team_member_names_the_missing_contact(client_a, case_a):
    url = reverse("case_care_team_add", args=[case_a.pk])
    response = client_a.post(url, {"role": "phn"}, **HTMX)
    assert response.context["form"].errors["contact_name"]
    client_a.post(url, {"role": "phn", "contact_name": "Pat Nguyen", "contact_phone": "916-555-0100"}, **HTMX)
    assert case_a.care_team.filter(contact_name="Pat Nguyen", role="phn").exists()


def test_only_supervisors_reassign(client, client_a, case_a, supervisor_a, program_a):
    url = reverse("case_reassign", args=[case_a.pk])
    assert client_a.get(url).status_code == 403

    colleague = UserFactory(organization=program_a)
    client.force_login(supervisor_a)
    response = client.post(url, {"new_manager": colleague.pk}, **HTMX)
    assert response.status_code == 200
    case_a.refresh_from_db()
    assert case_a.primary_case_manager == colleague


def test_document_upload_shows_a_refused_type_on_the_file_field_and_lists_a_good_one(client_a, case_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("case_document_add", args=[case_a.pk])

    response = client_a.post(url, {"doc-kind": "medical_report", "doc-file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")}, **HTMX)
    assert response.context["form"].errors["file"] == ["Only PDF, PNG, JPEG or TIFF files can be attached."]
    assert not Document.objects.exists()

    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client_a.post(url, {"doc-kind": "medical_report", "doc-title": "Ortho report", "doc-file": pdf}, **HTMX)
    document = Document.objects.get()
    assert "Ortho report" in response.content.decode()
    assert reverse("document_download", args=[document.pk]) in response.content.decode()


def test_pages_render_in_spanish(client_a, case_a):
    client_a.cookies["django_language"] = "es"
    html = client_a.get(reverse("case_detail", args=[case_a.pk]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="es"' in html
    assert "Cola de trabajo" in html


def test_coverage_shown_is_the_active_one(client_a, case_a, plan_y):
    # Given an ended earlier coverage with another plan
    CoverageFactory(member=case_a.member, plan=plan_y, start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2020, 12, 31))
    response = client_a.get(reverse("member_detail", args=[case_a.member_id]))
    assert response.context["coverage"].plan.name == "Plan X"


def test_unknown_member_in_search_says_so(client_a, case_a):
    MemberFactory()
    response = client_a.get(reverse("member_search"), {"q": "Zzyzx"})
    assert "No member matches" in response.content.decode()


def test_supervisor_queue_shows_the_team_clocks_with_who_owns_them(client, case_a, manager_a, supervisor_a):
    start_clock(case_a)
    client.force_login(supervisor_a)
    response = client.get(reverse("home"))
    assert response.context["total"] == 1
    html = response.content.decode()
    assert "Assigned to" in html and (manager_a.get_full_name() or manager_a.username) in html


# ------------------------------------------------------------------ pausing a clock

def test_a_case_manager_pauses_the_eligibility_clock_while_waiting_and_resumes_it(client_a, case_a):
    # Given the 5-working-day eligibility clock on the manager's case
    clock = start_clock(case_a, rule_code="ccs.medical_eligibility")
    due_before = clock.due_at
    page = client_a.get(reverse("case_detail", args=[case_a.pk])).content.decode()
    assert reverse("case_clock_pause", args=[case_a.pk]) in page
    assert reverse("case_clock_resume", args=[case_a.pk]) not in page

    # When they pause it, saying what it waits for
    response = client_a.post(reverse("case_clock_pause", args=[case_a.pk]),
                             {"deadline": clock.pk, "reason": "Records requested from the family"})
    assert response.status_code == 302
    clock.refresh_from_db()
    # Then it is paused, the case says so, and the timeline names the reason
    assert clock.paused_at is not None
    page = client_a.get(reverse("case_detail", args=[case_a.pk])).content.decode()
    assert "Paused" in page and reverse("case_clock_resume", args=[case_a.pk]) in page
    assert case_a.timeline.filter(kind="clock.paused", summary__contains="Records requested from the family").exists()

    # When it is resumed after waiting two days
    two_days = datetime.timedelta(days=2)
    type(clock).objects.filter(pk=clock.pk).update(paused_at=clock.paused_at - two_days)
    clock.pauses.update(paused_at=clock.paused_at - two_days)
    response = client_a.post(reverse("case_clock_resume", args=[case_a.pk]), {"deadline": clock.pk})
    assert response.status_code == 302
    clock.refresh_from_db()
    # Then it runs again, due later by the time it waited
    assert clock.paused_at is None
    assert two_days <= clock.due_at - due_before < two_days + datetime.timedelta(minutes=1)


def test_pausing_needs_a_reason_and_a_pausable_clock_and_changes_nothing_otherwise(client_a, case_a):
    eligibility = start_clock(case_a, rule_code="ccs.medical_eligibility")
    not_pausable = start_clock(case_a, rule_code="all.part2_disclosure_list")
    # No reason: the form says which field and nothing is paused
    response = client_a.post(reverse("case_clock_pause", args=[case_a.pk]), {"deadline": eligibility.pk, "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    # A clock the rules do not let wait is not offered, and a forged choice is refused
    assert not_pausable not in response.context["form"].fields["deadline"].queryset
    response = client_a.post(reverse("case_clock_pause", args=[case_a.pk]), {"deadline": not_pausable.pk, "reason": "x"})
    assert "deadline" in response.context["form"].errors
    assert not type(eligibility).objects.filter(pk__in=[eligibility.pk, not_pausable.pk], paused_at__isnull=False).exists()


def test_a_plan_liaison_cannot_pause_the_programs_clocks(client, case_a, liaison_x):
    clock = start_clock(case_a, rule_code="ccs.medical_eligibility")
    client.force_login(liaison_x)
    response = client.post(reverse("case_clock_pause", args=[case_a.pk]), {"deadline": clock.pk, "reason": "x"})
    assert response.status_code == 403
    clock.refresh_from_db()
    assert clock.paused_at is None


# ------------------------------------------------------------- who may change a case

@pytest.fixture
def readers(case_a, liaison_x, program_b):
    """Users who may read case A but not change it: its member's plan liaison, and a case manager of another
    county it was shared with."""
    from cases.services import case_share

    shared_with = UserFactory(organization=program_b, username="shared_with")
    case_share(case=case_a, user=shared_with, reason="Consultation on a transfer")
    return {"liaison": liaison_x, "shared": shared_with}


@pytest.mark.parametrize("reader", ["liaison", "shared"])
def test_a_user_who_may_only_read_a_case_is_offered_no_change_and_refused_each_one(client, case_a, readers, reader):
    # Given an open task on case A, and a user who may read the case but not change it
    task = TaskFactory(case=case_a)
    client.force_login(readers[reader])
    page = client.get(reverse("case_detail", args=[case_a.pk]))
    assert page.status_code == 200

    # Then the case page offers no change
    html = page.content.decode()
    for name in ("case_status", "case_care_team_add", "case_task_add", "case_document_add"):
        assert reverse(name, args=[case_a.pk]) not in html, name
    assert reverse("case_task_done", args=[case_a.pk, task.pk]) not in html

    # And each change, sent anyway, is refused with the reason and changes nothing
    attempts = [
        (reverse("case_status", args=[case_a.pk]), {"status": "closed", "closed_reason": "Moved out of county"}),
        (reverse("case_task_add", args=[case_a.pk]), {"title": "Call the family"}),
        (reverse("case_care_team_add", args=[case_a.pk]), {"role": "pcp", "contact_name": "Dr. Who"}),
        (reverse("case_task_done", args=[case_a.pk, task.pk]), {}),
        (reverse("case_document_add", args=[case_a.pk]), {"doc-kind": "other", "doc-title": "Note",
                                                          "doc-file": SimpleUploadedFile("note.pdf", b"%PDF-1.4 note")}),
    ]
    reason = {"liaison": "only program staff change them", "shared": "Only the organization responsible for the case"}[reader]
    for url, data in attempts:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert reason in response.content.decode()
    case_a.refresh_from_db()
    task.refresh_from_db()
    assert case_a.status == Case.Status.OPEN and task.status == Task.Status.OPEN
    assert list(case_a.tasks.all()) == [task]
    assert not case_a.care_team.exists() and not case_a.documents.exists()


def test_a_care_team_member_of_another_organization_may_change_the_case(client, case_a, program_b):
    # Given a child welfare social worker of another organization on case A's care team
    social_worker = UserFactory(organization=program_b)
    CareTeamMember.objects.create(case=case_a, user=social_worker, role=CareTeamMember.Role.SOCIAL_WORKER)
    client.force_login(social_worker)

    # When they add a task, Then it is added
    response = client.post(reverse("case_task_add", args=[case_a.pk]), {"title": "Share the placement letter"})
    assert response.status_code == 302
    assert case_a.tasks.filter(title="Share the placement letter").exists()


def _menu(response) -> str:
    html = response.content.decode()
    return html[html.index('<div class="app-navbar">'):html.index("</nav>")]


def test_the_menu_shows_each_role_its_links_and_marks_the_page_it_is_on(client, manager_a, supervisor_a):
    from django.contrib.auth.models import Group

    from carecoord.accounts.roles import sync_role_groups

    sync_role_groups()
    supervisor_a.groups.add(Group.objects.get(name="supervisor"))
    # A case manager on the Cases page: their links, the Cases link marked, no dashboard or access audit
    client.force_login(manager_a)
    menu = _menu(client.get(reverse("case_list")))
    assert f'<a href="{reverse("case_list")}" aria-current="page">Cases</a>' in menu
    assert f'href="{reverse("referrals:queue")}"' in menu and menu.count('aria-current="page"') == 1
    assert f'href="{reverse("dashboard")}"' not in menu and f'href="{reverse("audit_index")}"' not in menu
    # on the work queue, the same menu with the work queue marked (each place is its own menu)
    menu = _menu(client.get(reverse("home")))
    assert f'<a href="{reverse("home")}" aria-current="page">Work queue</a>' in menu and menu.count('aria-current="page"') == 1
    # A supervisor on the dashboard: the dashboard (their permission) and the access audit, the dashboard marked
    client.force_login(supervisor_a)
    menu = _menu(client.get(reverse("dashboard")))
    assert f'<a href="{reverse("dashboard")}" aria-current="page">Dashboard</a>' in menu
    assert f'href="{reverse("audit_index")}"' in menu
    # And in Spanish, the menu in Spanish
    menu = _menu(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es"))
    assert "Cola de trabajo" in menu and "Work queue" not in menu


def test_a_changed_template_or_translation_renders_the_menus_anew():
    from pathlib import Path

    from django.utils.autoreload import file_changed

    from cases.templatetags.carecoord_ui import _main_nav

    _main_nav("en", "/", "case_manager", "", False, "home", "")
    # A change to Python code restarts the development server: the menus stay
    file_changed.send(sender=None, file_path=Path("cases/views.py"))
    assert _main_nav.cache_info().currsize > 0
    # A template's or a translation's does not: they are rendered anew, as Django's template loaders reload
    file_changed.send(sender=None, file_path=Path("templates/includes/main_nav.html"))
    assert _main_nav.cache_info().currsize == 0
