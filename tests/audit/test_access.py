"""record_access: buffered per request, merged per user and action, chained by hash."""
import hashlib
import json
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import RequestFactory

from carecoord.audit.access import begin_request, end_request, event_content, event_hash, record_access
from carecoord.audit.models import AccessEvent, AuditChainHead
from carecoord.audit.verify import verify_chain
from cases.selectors import case_get_for_user
from tests.conftest import requires_postgres


def _request(user, path="/cases/1/"):
    request = RequestFactory().get(path, HTTP_USER_AGENT="pytest-browser", REMOTE_ADDR="10.1.2.3")
    request.user = user
    return request


def test_record_access_outside_a_request_buffer_writes_at_once(case_a, manager_a):
    # Given a request that no middleware is buffering
    request = _request(manager_a)
    # When a view records a read
    record_access(request, members=[case_a.member], records=[("cases.case", case_a.pk)])
    # Then one chained row exists with who, what and from where
    event = AccessEvent.objects.get()
    assert event.user_id == manager_a.pk and event.username == "manager_a"
    assert event.members == [case_a.member_id]
    assert event.records == [["cases.case", case_a.pk]]
    assert (event.ip_address, event.user_agent, event.path, event.method) == ("10.1.2.3", "pytest-browser",
                                                                              "/cases/1/", "GET")
    assert event.hash == event_hash(event_content(**{k: getattr(event, k) for k in (
        "seq", "occurred_at", "user_id", "username", "action", "members", "records", "part2", "ip_address",
        "user_agent", "path", "method", "request_id", "detail")}), event.prev_hash)
    assert list(AccessEvent.objects.filter(members__shows=case_a.member_id)) == [event]


def test_reads_in_one_request_become_one_row_written_after_the_view(case_a, case_b, manager_a):
    # Given a buffered request
    request = _request(manager_a)
    token = begin_request(request)
    # When the selector and the view both record, with overlapping members
    case_get_for_user(user=manager_a, case_id=case_a.pk)
    record_access(request, members=[case_a.member_id, case_b.member_id], action="view")
    # Then nothing is written until the request ends
    assert not AccessEvent.objects.exists()
    end_request(request, token)
    # And then one row lists every member shown once, with one request id
    event = AccessEvent.objects.get()
    assert event.members == [case_a.member_id, case_b.member_id]
    assert event.request_id == request.audit_request_id


def test_selectors_outside_requests_do_not_record(case_a, manager_a):
    case_get_for_user(user=manager_a, case_id=case_a.pk)
    assert not AccessEvent.objects.exists()


def test_rows_chain_in_sequence(case_a, manager_a):
    for _ in range(3):
        record_access(_request(manager_a), members=[case_a.member])
    rows = list(AccessEvent.objects.order_by("seq"))
    assert [r.seq for r in rows] == [rows[0].seq, rows[0].seq + 1, rows[0].seq + 2]
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash


@requires_postgres()
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_gap_free_chain(case_a, case_b, manager_a):
    # Given four request threads, each with its own database connection, writing at the same time
    from carecoord.audit.models import AuditChainHead
    from carecoord.audit.verify import verify_chain

    AuditChainHead.objects.get_or_create(pk=1)
    start = threading.Barrier(4)
    failures = []

    def reader(member_id):
        try:
            start.wait()
            for _ in range(10):
                record_access(_request(manager_a), members=[member_id], records=[("cases.member", member_id)])
        except Exception as error:  # reported below: an assertion in a thread would be lost
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader, args=(member,))
               for member in (case_a.member_id, case_b.member_id) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every write landed, numbered 1..40 without gaps or repeats, each linked to the one before
    assert failures == []
    assert list(AccessEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 41))
    report = verify_chain()
    assert report.ok and report.rows == 40, report.reason
    assert AuditChainHead.objects.get(pk=1).seq == 40


@pytest.mark.django_db
def test_login_failure_is_audited(client):
    client.post("/accounts/login/", {"username": "nobody", "password": "wrong-password-123"})
    event = AccessEvent.objects.get(action="login_failed")
    assert event.username == "nobody" and event.user_id is None


@pytest.mark.django_db(transaction=False)
def test_demo_access_history_loads_once_and_verifies(capsys):
    from django.core.management import call_command

    # Given the demo data loaded twice
    call_command("load_demo_data")
    count = AccessEvent.objects.count()
    call_command("load_demo_data")
    # Then the demo access events exist once, include a Part 2 read and a break-glass grant,
    # and the chain verifies
    assert AccessEvent.objects.count() == count
    assert AccessEvent.objects.filter(part2=True).exists()
    assert AccessEvent.objects.filter(action="break_glass").exists()
    call_command("verify_audit_chain")
    assert "intact" in capsys.readouterr().out


def test_audit_write_is_a_constant_handful_of_queries(case_a, case_b, manager_a, django_assert_max_num_queries):
    # Given the chain head (a flushed test database may lack it) and a request that records 50 reads
    from carecoord.audit.models import AuditChainHead

    AuditChainHead.objects.get_or_create(pk=1)
    request = _request(manager_a)
    token = begin_request(request)
    for i in range(25):
        record_access(request, members=[case_a.member_id], records=[("cases.case", case_a.pk)], action="view")
        record_access(request, members=[case_b.member_id], records=[("cases.member", case_b.member_id)],
                      action="list")
    # When the request ends, then the write is a few queries however many calls there were:
    # part 2 lookups (one per model), savepoint, head lock, events, head update
    with django_assert_max_num_queries(8):
        end_request(request, token)
    assert AccessEvent.objects.count() == 2


def test_the_hashed_text_is_the_sorted_compact_json_of_the_content_and_prev_hash():
    # Given an event with text outside ASCII, quotes, nested detail and many members
    content = event_content(
        seq=1234, occurred_at=datetime(2026, 12, 4, 18, 0, 0, 123456, tzinfo=UTC), user_id=7, username="zoë",
        action="list", members=list(range(100)), records=[["cases.case", 5], ["consents.consent", "a\"b"]],
        part2=True, ip_address="10.0.0.1", user_agent="Mozilla/5.0 \u00e9", path="/cases/?q=Peña",
        method="GET", request_id="r1", detail={"z": [1, {"b": 2, "a": 1}], "view": "queue"},
    )
    prev = "ab" * 32
    # Then its hash is SHA-256 over exactly the canonical JSON the chain has always used, so rows
    # written before and after the one-statement writer verify alike
    canonical = json.dumps({**content, "prev_hash": prev}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert event_hash(content, prev) == hashlib.sha256(canonical.encode()).hexdigest()
    assert event_hash(content, "") != event_hash(content, prev)
    assert event_hash({**content, "seq": 1235}, prev) != event_hash(content, prev)


@requires_postgres()
def test_on_postgresql_a_request_audit_is_one_statement_that_postgresql_hashes_alike(
        case_a, case_b, manager_a, django_assert_num_queries):
    # Given the chain head and a request that showed two members
    AuditChainHead.objects.get_or_create(pk=1)
    record_access(_request(manager_a), members=[case_a.member_id])
    request = _request(manager_a)
    token = begin_request(request)
    record_access(request, members=[case_a.member_id, case_b.member_id], action="list", part2=False,
                  records=[("cases.case", case_a.pk), ("cases.case", case_b.pk)], detail={"view": "Peña's list"})
    # When the request ends, then the event is written and the head moves in one statement
    with django_assert_num_queries(1):
        end_request(request, token)
    # And the hash PostgreSQL computed is the one Python computes, linked to the row before
    first, second = AccessEvent.objects.order_by("seq")
    assert second.seq == first.seq + 1 and second.prev_hash == first.hash
    assert second.hash == event_hash(event_content(**{k: getattr(second, k) for k in (
        "seq", "occurred_at", "user_id", "username", "action", "members", "records", "part2", "ip_address",
        "user_agent", "path", "method", "request_id", "detail")}), second.prev_hash)
    assert list(AccessEvent.objects.filter(members__shows=case_b.member_id)) == [second]
    assert AuditChainHead.objects.get(pk=1).seq == second.seq
    assert verify_chain().ok


def test_a_missing_chain_head_is_rebuilt_from_the_newest_event(case_a, manager_a):
    # Given events, and then a chain head row that is gone (a flushed database)
    AuditChainHead.objects.get_or_create(pk=1)
    record_access(_request(manager_a), members=[case_a.member_id])
    newest = AccessEvent.objects.order_by("-seq").first()
    AuditChainHead.objects.all().delete()
    # When another read is recorded
    record_access(_request(manager_a), members=[case_a.member_id])
    # Then it continues the chain from the newest event, and the head is back
    latest = AccessEvent.objects.order_by("-seq").first()
    assert (latest.seq, latest.prev_hash) == (newest.seq + 1, newest.hash)
    assert AuditChainHead.objects.get(pk=1).seq == latest.seq
    assert verify_chain().ok


def test_events_are_found_by_any_member_they_showed(case_a, case_b, manager_a):
    # Given a list that showed many members, one of them case_a's, and a view of case_b's member alone
    listed = [case_a.member_id, *range(10**6, 10**6 + 300)]
    record_access(_request(manager_a), members=listed, action="list")
    record_access(_request(manager_a), members=[case_b.member_id], action="view")
    listing, view = AccessEvent.objects.order_by("seq")
    # Then each member finds exactly the events that showed them, wherever they were in the list
    assert list(AccessEvent.objects.filter(members__shows=case_a.member_id)) == [listing]
    assert list(AccessEvent.objects.filter(members__shows=10**6 + 299)) == [listing]
    assert list(AccessEvent.objects.filter(members__shows=case_b.member_id)) == [view]
    # And an id is matched whole, not as a part of a longer one
    assert not AccessEvent.objects.filter(members__shows=10**5).exists()


@requires_postgres()
def test_who_saw_a_member_is_answered_by_the_gin_index(manager_a):
    # Given the question "which events showed member 42"
    sql, params = AccessEvent.objects.filter(members__shows=42).values("id").query.sql_with_params()
    # When PostgreSQL plans it without the option of reading the whole table or an unrelated index in order
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Then the members' GIN index answers it
    assert "audit_event_members_gin" in plan, plan
