"""The benchmark harness: statistics, the bare-SQL pick, the table, the growth comparison, a tiny full run.

No timing is asserted: figures on a shared machine are noise; the harness's job is to
measure the right things and report them."""
from __future__ import annotations

import json
import time

import pytest

from carecoord.scale.bench import (
    Benchmark, MachineSpeed, Result, compare, format_table, machine_speed, main_query, percentile, pick_users, rolled_back,
    run_sql, save, steps_reading, time_in_turns,
)
from carecoord.scale.dataset import DatasetGenerator
from cases.selectors import case_list_visible_to
from tests.conftest import requires_postgres
from tests.factories import UserFactory


def test_percentile_and_median_pick_from_the_runs():
    # Given twenty runs of 1..20 ms
    runs = [float(i) for i in range(1, 21)]
    # Then the 95th percentile is the 19th value, the 50th the middle
    assert percentile(runs, 0.95) == 19.0
    assert percentile(runs, 0.5) in (10.0, 11.0)


def test_main_query_is_the_slowest_select_not_session_or_writes():
    # Given what a request ran
    captured = [
        {"sql": 'SELECT "django_session"."session_key" FROM "django_session"', "time": "0.900"},
        {"sql": 'SELECT "cases_case"."id" FROM "cases_case" LIMIT 51', "time": "0.020"},
        {"sql": 'INSERT INTO "audit_accessevent" VALUES (1)', "time": "0.500"},
        {"sql": 'SELECT "accounts_user"."id" FROM "accounts_user"', "time": "0.001"},
    ]
    # Then the page's own query is the one re-run bare
    assert main_query(captured) == 'SELECT "cases_case"."id" FROM "cases_case" LIMIT 51'
    assert main_query([]) is None
    # and with the scenario's table named, the slowest query reading that table
    assert main_query(captured, "accounts_user") == 'SELECT "accounts_user"."id" FROM "accounts_user"'


def test_a_page_found_in_steps_is_timed_on_every_step_in_order():
    # Given a plan's member search: its names ranked, their bearers read, the page ranked; then the page's
    # other reads, one of them on the members again (which of them are in a DMC-ODS program)
    captured = [
        {"sql": 'SELECT "accounts_user"."id" FROM "accounts_user"', "time": "0.001"},
        {"sql": 'SELECT "cases_membername"."first_name" FROM "cases_membername"', "time": "0.002"},
        {"sql": 'SELECT "cases_member"."id" FROM "cases_member" WHERE "cases_member"."first_name" = \'Ana\'', "time": "0.001"},
        {"sql": 'SELECT "cases_member"."id" FROM "cases_member" WHERE "cases_member"."id" IN (1)', "time": "0.001"},
        {"sql": 'SELECT "cases_case"."id" FROM "cases_case" WHERE "cases_case"."member_id" IN (1)', "time": "0.001"},
        {"sql": 'SELECT DISTINCT "cases_member"."id" FROM "cases_member" INNER JOIN "cases_case"', "time": "0.003"},
        {"sql": 'INSERT INTO "audit_accessevent" VALUES (1)', "time": "0.001"},
    ]
    # Then the search's SQL is its three steps, in the order sent: not only the slowest, not the later read
    assert steps_reading(captured, ("cases_membername", "cases_member")) == [q["sql"] for q in captured[1:4]]


def test_a_page_and_its_bare_sql_take_turns_so_both_meet_the_machine_in_the_same_state():
    # Given a page and its bare SQL that note when they run
    calls = []
    # When they are timed three times each
    page_times, bare_times, all_times = time_in_turns(
        [lambda: calls.append("page"), lambda: calls.append("sql"), lambda: calls.append("all")], 3)
    # Then they ran by turns, page first, and each has its three times
    assert calls == ["page", "sql", "all"] * 3
    assert len(page_times) == len(bare_times) == len(all_times) == 3 and all(t >= 0 for t in page_times + bare_times)
    # and a scenario without bare SQL times the page alone
    calls.clear()
    page_times, bare_times = time_in_turns([lambda: calls.append("page"), None], 2)
    assert calls == ["page", "page"] and len(page_times) == 2 and bare_times == []


@pytest.mark.django_db(transaction=True)
def test_a_timed_write_is_rolled_back_and_bare_sql_counts_the_rows_it_reads_or_changes():
    # Given three users
    users = UserFactory.create_batch(3)
    ids = ", ".join(str(u.pk) for u in users)
    # When the bare SQL reads them, then renames them in a rolled-back run
    assert run_sql([f"SELECT id FROM accounts_user WHERE id IN ({ids})"]) == 3
    changed = []
    rolled_back(lambda: changed.append(run_sql([f"UPDATE accounts_user SET first_name = 'Zed' WHERE id IN ({ids})"])))()
    # Then the update counted its three rows and left none of them changed
    assert changed == [3]
    from carecoord.accounts.models import User

    assert not User.objects.filter(pk__in=[u.pk for u in users], first_name="Zed").exists()


def test_a_streamed_exports_query_is_the_select_inside_its_cursor():
    # Given an export that read its rows through a server-side cursor and then checked a few of them
    captured = [
        {"sql": 'DECLARE "_django_curs_1_sync_4" NO SCROLL CURSOR WITH HOLD FOR SELECT "cases_case"."id", EXISTS(SELECT 1 '
                'FROM "cases_eligibilitydetermination" U0 WHERE U0."case_id" = "cases_case"."id") AS "denied" FROM "cases_case" '
                'ORDER BY 1 DESC', "time": "0.056"},
        {"sql": 'SELECT DISTINCT "cases_case"."id" FROM "cases_case" WHERE "cases_case"."id" IN (1, 2)', "time": "0.010"},
    ]
    # Then the query re-run bare is the export's own SELECT, not the smaller check
    assert main_query(captured, "cases_case") == captured[0]["sql"].split(" FOR ", 1)[1]


def test_table_flags_misses_and_missing_endpoints():
    # Given a slow page, a fast one, a query count that grows with the page size and a missing endpoint
    slow = Result(key="queue_api", label="Work queue API", runs=20, median_ms=90, p95_ms=150, sql_median_ms=10,
                  ratio=9.0, queries=13, queries_small_page=13, rows=50, status=200)
    fast = Result(key="cases_case_manager", label="Case list", runs=20, median_ms=20, p95_ms=30, sql_median_ms=10,
                  ratio=2.0, queries=24, queries_small_page=15, rows=50, status=200)
    missing = Result(key="dashboard", label="Dashboard", status=404, note="missing")
    # When the table is printed
    table = format_table([slow, fast, missing])
    # Then each miss is named
    assert "p95 150 ms > 100" in table and "ratio 9.0× > 3" in table
    assert "queries 15→24 with page size" in table
    assert "missing" in table
    assert slow.misses() and fast.misses() == ["queries 15→24 with page size"]


def test_the_ratio_target_judges_a_request_against_all_the_sql_it_sends():
    # Given a request 5x its page query but 2.5x all its SQL (its user, visibility and audit write included)
    near = Result(key="cases_case_manager", label="Case list", runs=20, median_ms=10, p95_ms=12, sql_median_ms=2, ratio=5.0,
                  all_sql_median_ms=4, all_sql_ratio=2.5, status=200)
    # and one 4x all its SQL
    far = Result(key="queue_api", label="Work queue API", runs=20, median_ms=20, p95_ms=25, sql_median_ms=4, ratio=5.0,
                 all_sql_median_ms=5, all_sql_ratio=4.0, status=200)
    # Then the first meets the target and the second misses it, by its ratio to all its SQL
    assert near.judged_ratio == 2.5 and near.misses() == []
    assert far.misses() == ["ratio 4.0× > 3"]
    # and the table prints both ratios
    table = format_table([near])
    assert "5.0x" in table and "2.5x" in table and "4.0ms" in table


def test_a_reference_figure_is_shown_but_not_judged():
    # Given the fixed cost of one audited read: far over 3x its primary-key query, by nature
    floor = Result(key="one_case", label="Reference: one case by id", runs=20, median_ms=9, p95_ms=11, sql_median_ms=0.2,
                   ratio=45.0, queries=8, rows=1, status=200, reference=True)
    # Then the table shows it as a reference, not as a miss
    assert floor.misses() == []
    assert "reference" in format_table([floor]) and "MISS" not in format_table([floor])
    # but a reference that fails is still reported
    floor.status = 500
    assert floor.misses() == ["HTTP 500"]


def test_compare_prints_growth_across_saved_sizes(tmp_path):
    # Given results saved at two sizes
    for members, median in ((10_000, 10.0), (1_000_000, 12.0)):
        save([Result(key="queue_api", label="Work queue API", runs=20, median_ms=median, p95_ms=median * 1.5, status=200)],
             members=members, directory=tmp_path)
    assert json.loads((tmp_path / "10000.json").read_text())["members"] == 10_000
    # When they are compared
    out = compare(tmp_path)
    # Then the figure at each size and its growth are shown against the data's growth
    assert "1,000,000" in out and "Work queue API" in out and "1.2x" in out and "100x" in out


def test_the_machines_speed_is_saved_with_a_run_and_compared(tmp_path):
    # Given two runs, the second on a machine twice as slow
    for members, python_ms in ((10_000, 700.0), (100_000, 1400.0)):
        save([Result(key="queue_api", label="Work queue API", runs=20, median_ms=10.0, p95_ms=15.0, status=200)],
             members=members, directory=tmp_path, machine=MachineSpeed(python_ms=python_ms, round_trip_ms=0.25))
    assert json.loads((tmp_path / "100000.json").read_text())["machine"] == {"python_ms": 1400.0, "round_trip_ms": 0.25,
                                                                            "round_trip_after_pause_ms": None}
    # Then the comparison shows each run's machine beside its figures
    line = next(line for line in compare(tmp_path).splitlines() if line.startswith("Machine: 10M Python additions"))
    assert line.split()[-2:] == ["700", "1400"]


@pytest.mark.django_db
def test_the_machines_speed_is_measured_here():
    machine = machine_speed()
    assert machine.python_ms > 0 and machine.round_trip_ms > 0 and machine.round_trip_after_pause_ms > 0
    assert "database round trip" in machine.describe() and "after 10 ms idle" in machine.describe()


@pytest.mark.django_db(transaction=False)
@requires_postgres()
def test_full_run_on_a_tiny_data_set_measures_every_scenario():
    # Given a tiny data set
    DatasetGenerator(members=200).run()
    # When the benchmark runs once per scenario
    results = Benchmark(runs=1, deep_pages=1, log=lambda s: None).run()
    by_key = {r.key: r for r in results}
    # Then every scenario of the issue is there, measured or reported as missing
    for key in ("one_case", "queue_page", "queue_api", "cases_case_manager", "cases_new_case_manager", "cases_supervisor",
                "cases_plan_liaison",
                "case_page_case_manager", "case_page_supervisor", "search_page", "search_page_liaison", "members_api", "dashboard", "export_small", "export_large", "sweep"):
        assert key in by_key, key
    # and the measured ones carry a median, a query count and the bare SQL's time
    queue = by_key["queue_api"]
    assert queue.status == 200 and queue.median_ms is not None and queue.queries and queue.sql_median_ms is not None
    # and all the SQL it sent, re-run bare, and the time its statements took inside it
    assert queue.all_sql_median_ms and queue.all_sql_ratio == queue.median_ms / queue.all_sql_median_ms
    assert 0 < queue.sql_in_request_ms < queue.median_ms
    # and the fixed cost is one real case read through the API
    assert by_key["one_case"].status == 200 and by_key["one_case"].rows == 1 and by_key["one_case"].reference
    # and the sweep claimed due rows, leaving them unclaimed (rolled back)
    sweep = by_key["sweep"]
    assert sweep.rows and sweep.sql_median_ms is not None
    from carecoord.clocks.models import Deadline

    assert not Deadline.objects.filter(lease_until__isnull=False).exists()
    # and the export reports rows per second and peak memory
    export = by_key["export_large"]
    if export.status == 200:
        assert export.rows_per_s and export.peak_kib
    # and the smallest caseload is read whole in its one page
    small = by_key["cases_new_case_manager"]
    visible = case_list_visible_to(user=pick_users()["new_case_manager"]).count()
    assert small.status == 200 and 0 < small.rows == visible < 50
    # and the plan liaison called the API with a token, as plans do, which is gone afterwards
    from carecoord.accounts.models import ApiToken

    assert by_key["cases_plan_liaison"].status == 200
    # and searched members on the page, signed in
    assert by_key["search_page_liaison"].status == 200 and by_key["search_page_liaison"].rows
    assert not ApiToken.objects.filter(name="benchmark").exists()
    # and re-running a request's statements bare, its audit write among them, leaves no event behind: a scenario
    # of two runs writes the events of its sign-in and of three requests (warm-up, two timed), not those of the
    # request whose statements it took (rolled back) or of its two replays
    from carecoord.audit.models import AccessEvent

    before = AccessEvent.objects.count()
    again = Benchmark(runs=2, log=lambda s: None).request("again", "Work queue API", pick_users()["case_manager"],
                                                          "/api/work-queue/", table="clocks_deadline")
    assert again.all_sql_median_ms and AccessEvent.objects.count() == before + 4


@pytest.mark.django_db
def test_the_liaison_client_authenticates_by_token_and_staff_by_session():
    from carecoord.accounts.models import User

    bench = Benchmark.__new__(Benchmark)
    bench._tokens = {}
    liaison = User.objects.filter(role=User.Role.PLAN_LIAISON, is_active=True).first() or UserFactory(role="plan_liaison")
    client = bench._client(liaison)
    assert client.defaults["HTTP_AUTHORIZATION"].startswith("Bearer ")
    assert client.get("/api/cases/").status_code == 200
    assert "HTTP_AUTHORIZATION" not in bench._client(UserFactory()).defaults
    # unless the liaison uses the pages, which need a browser session
    assert "HTTP_AUTHORIZATION" not in bench._client(liaison, browser=True).defaults


@pytest.mark.django_db
def test_a_benchmark_session_starts_a_fresh_rate_limit_count(case_a, manager_a):
    import time

    from django.core.cache import cache
    from django.test import Client

    from carecoord.api.throttling import PerTokenRateThrottle

    # Given a case manager whose calls of the last minute (a previous benchmark run) reach the API's limit
    limit = PerTokenRateThrottle().num_requests
    cache.set(PerTokenRateThrottle.key_for(f"user-{manager_a.pk}"), [time.time()] * limit, 60)
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(manager_a)
    assert browser.get("/api/cases/").status_code == 429
    # When the benchmark signs them in, the count starts afresh and the call is answered
    bench = Benchmark.__new__(Benchmark)
    bench._tokens = {}
    assert bench._client(manager_a).get("/api/cases/").status_code == 200


@pytest.mark.django_db
@requires_postgres()
def test_the_benchmark_refuses_debug_mode(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("benchmark", "--no-save")


def test_the_next_page_is_an_api_lists_next_or_a_pages_older_link():
    from django.http import HttpResponse, JsonResponse

    from carecoord.scale.bench import next_page_url

    api = JsonResponse({"next": "http://localhost/api/cases/?cursor=abc", "results": []})
    page = HttpResponse('<a href="?program=ccs&amp;after=9" rel="prev">Newer</a> <a href="?program=ccs&amp;before=7" rel="next">Older</a>')
    last_page = HttpResponse('<span class="pagination__disabled">Older cases</span>')

    assert next_page_url(api, "/api/cases/") == "/api/cases/?cursor=abc"
    assert next_page_url(page, "/cases/?program=ccs") == "/cases/?program=ccs&before=7"
    assert next_page_url(last_page, "/cases/") is None


def test_the_statements_replayed_are_a_rolled_back_runs_without_transaction_control(db):
    from django.db import transaction

    from carecoord.accounts.models import County
    from carecoord.scale.bench import rolled_back, run_sql, statements_of

    def write():
        with transaction.atomic():  # a request's own transaction: a savepoint inside the benchmark's
            return County.objects.create(name="Inyo", fips_code="06027").pk

    # When a write's statements are taken
    pk, captured = statements_of(write)
    statements = [q["sql"] for q in captured]
    # Then they are its inserts (the county, its history row) and reads, without BEGIN, SAVEPOINT, RELEASE or
    # ROLLBACK, and the row was not kept
    assert statements[0].startswith('INSERT INTO "accounts_county"')
    assert not [sql for sql in statements if sql.split()[0].upper() in ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")]
    assert not County.objects.filter(pk=pk).exists()
    # so the insert replays bare, as often as timed, where a kept row would clash with its unique FIPS code
    for _ in range(2):
        rolled_back(lambda: run_sql(statements))()
    assert not County.objects.filter(fips_code="06027").exists()


@pytest.mark.django_db
@requires_postgres()
def test_the_statement_clock_times_the_statements_of_each_run_and_only_those():
    from carecoord.scale.bench import StatementClock

    clock = StatementClock()

    def action():
        run_sql(["SELECT pg_sleep(0.02)"])  # 20 ms in the database
        time.sleep(0.2)  # the action's own time, outside it

    for _ in range(2):
        clock.timing(action)()
    run_sql(["SELECT pg_sleep(0.02)"])  # outside a timed run
    assert len(clock.runs) == 2 and all(20 <= ms < 200 for ms in clock.runs)
