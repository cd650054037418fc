"""The verification command detects an edited or deleted audit row and names it."""
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from carecoord.audit.access import record_access
from carecoord.audit.models import AccessEvent
from tests.conftest import requires_postgres


@pytest.fixture
def five_events(case_a, case_b, manager_a):
    for member in [case_a.member, case_b.member, case_a.member, case_b.member, case_a.member]:
        request = RequestFactory().get("/members/")
        request.user = manager_a
        record_access(request, members=[member], action="view")
    return list(AccessEvent.objects.order_by("seq"))


def _tamper(sql, params):
    """What someone with direct database rights could do (bypassing the append-only trigger)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL carecoord.audit_maintenance = 'on'")
        cursor.execute(sql, params)


def test_intact_chain_verifies(five_events, capsys):
    call_command("verify_audit_chain")
    assert "intact: 5 rows" in capsys.readouterr().out


def test_edited_row_is_named(five_events, case_b):
    # Given the third row is edited to hide which member was seen
    third = five_events[2]
    _tamper("UPDATE audit_accessevent SET members = %s WHERE id = %s", [f"[{case_b.member_id}]", third.pk])
    # When the chain is verified, then it fails naming that row
    with pytest.raises(CommandError, match=rf"seq={third.seq} id={third.pk}.*edited"):
        call_command("verify_audit_chain")


def test_deleted_row_is_named(five_events):
    second = five_events[1]
    _tamper("DELETE FROM audit_accessevent WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=rf"seq={second.seq}.*missing"):
        call_command("verify_audit_chain")


def test_deleting_the_newest_row_is_detected(five_events):
    last = five_events[-1]
    _tamper("DELETE FROM audit_accessevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match=rf"seq={last.seq}.*missing"):
        call_command("verify_audit_chain")


def test_rehashed_row_breaks_the_next_link(five_events):
    # Given an attacker who edits a row and recomputes its own hash
    from carecoord.audit.access import event_hash, row_content

    third = five_events[2]
    third.path = "/somewhere-else/"
    forged = event_hash(row_content(third), third.prev_hash)
    _tamper("UPDATE audit_accessevent SET path = %s, hash = %s WHERE id = %s", [third.path, forged, third.pk])
    # Then the next row's prev_hash no longer matches
    with pytest.raises(CommandError, match=rf"seq={five_events[3].seq} id={five_events[3].pk}.*prev_hash"):
        call_command("verify_audit_chain")


@requires_postgres()
def test_database_refuses_updates_and_deletes(five_events):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessEvent.objects.filter(pk=five_events[0].pk).update(path="/x/")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessEvent.objects.filter(pk=five_events[0].pk).delete()
