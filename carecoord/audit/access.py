"""Recording reads of member data: ``record_access`` and the request-scoped buffer.

Every page, export and API endpoint that shows member data calls::

    record_access(request, members=[member], action="view", records=[("cases.case", case.pk)])

How writes stay fast and are never lost
---------------------------------------
Calls made while a request is being handled are collected in memory on the
request (``AuditMiddleware`` installs the buffer and publishes the request in a
context variable, so ``cases.selectors`` can record without being handed the
request). When the view has produced its response, and before that response
leaves the server, the middleware writes the whole buffer. Events of the same
user and action in one request are merged into one row listing every member
shown, so a request writes one event whatever the number of ``record_access``
calls. On PostgreSQL that event is one statement, committed on its own: lock
the chain head row, INSERT the event (PostgreSQL computes its hash), UPDATE the
head. One round trip and one commit, about a millisecond, and the head row,
which every writer waits for, is held no longer than that statement. The
members shown are a list on the event, found by member through a GIN index
(``members__shows``, see ``models.Shows``), so an export of thousands of members
is still one row.

The write is synchronous on purpose. An asynchronous queue (Celery, an outbox)
would move the cost off the request but adds a window in which shown data has
no audit row yet, and a second place where rows can be lost or reordered. If the
audit write fails, the middleware replaces the response with a 503: member
data is never released without its audit row. Streaming responses (document
downloads) are audited before the first byte is sent.

Outside a request (Celery tasks, management commands, tests calling a view
function directly) each call is written at once, in its own transaction.

The chain
---------
Rows form one hash chain in ``seq`` order. Writers serialize on the single
``AuditChainHead`` row (``SELECT ... FOR UPDATE``), so sequence numbers have no
gaps and every row's ``prev_hash`` is the previous row's ``hash``. The hash is
SHA-256 over the canonical JSON of the row's content plus ``prev_hash``
(``event_hash``). ``manage.py verify_audit_chain`` recomputes it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterable
from contextlib import nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

_current_request: ContextVar = ContextVar("carecoord_audit_request", default=None)

# Data categories of documents and records covered by 42 CFR Part 2.
PART2_DATA_CATEGORIES = ("sud", "part2")
PART2_PROGRAM = "dmc_ods"


def shows_part2(programs: Iterable[str | None]) -> bool:
    """Whether rows of these programs include 42 CFR Part 2 records: a DMC-ODS case is one. For
    lists that loaded their cases' programs anyway, instead of the lookup :func:`record_access` makes."""
    return PART2_PROGRAM in set(programs)


def current_request():
    """The HttpRequest being handled on this thread, or None (tasks, commands)."""
    return _current_request.get()


@dataclass
class PendingEvent:
    action: str
    user_id: int | None
    username: str
    members: list = field(default_factory=list)
    records: list = field(default_factory=list)
    part2: bool = False
    detect_part2: bool = True
    detail: dict = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=timezone.now)
    ip_address: str = ""
    user_agent: str = ""
    path: str = ""
    method: str = ""
    request_id: str = ""


def _http_request(request):
    """DRF wraps the Django request; the buffer lives on the Django one."""
    return getattr(request, "_request", request)


def _member_id(member) -> int:
    return int(getattr(member, "pk", member))


def _record_ref(record) -> tuple:
    """``("app_label.model", pk)``; stored (and hashed) as a JSON list."""
    if type(record) is tuple:  # the common case, first: an export names thousands of ("app.model", pk) pairs
        label, pk = record
    elif isinstance(record, models.Model):
        return (record._meta.label_lower, record.pk)
    else:
        label, pk = record
    return (str(label).lower(), pk if type(pk) is int else str(pk))


def _unique(items: Iterable) -> list:
    """Items in first-seen order without repeats: member ids, or ``(label, pk)`` record references."""
    return list(dict.fromkeys(items))


def client_ip(request) -> str:
    """REMOTE_ADDR, or the client address a trusted proxy put in X-Forwarded-For."""
    proxies = getattr(settings, "AUDIT_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies][:45]
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def request_id_for(request) -> str:
    http = _http_request(request)
    rid = getattr(http, "audit_request_id", None)
    if rid is None:
        rid = (http.META.get("HTTP_X_REQUEST_ID") or uuid.uuid4().hex)[:64]
        http.audit_request_id = rid
    return rid


def record_access(request, *, members: Iterable = (), action: str = "view", records: Iterable = (),
                  user=None, username: str | None = None, part2: bool | None = None,
                  detail: dict | None = None) -> None:
    """Record that the request's user was shown ``members`` (Member instances or ids) and
    ``records`` (``("app_label.model", pk)`` pairs or model instances).

    ``request`` may be a Django or DRF request, or None to use the request being handled.
    ``user`` overrides the request's user (the selectors pass the user they filtered for).
    ``part2`` says whether the event shows 42 CFR Part 2 records, where the caller knows from
    what it loaded (:func:`shows_part2`; the CCS tracking list never does). Left None, it is
    looked up when the event is written: DMC-ODS cases and records attached to them, members
    with one, SUD documents (a query per model named).
    """
    request = request if request is not None else current_request()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    event = PendingEvent(
        action=action,
        user_id=user.pk if authenticated else None,
        username=(user.get_username() if authenticated else (username or ""))[:150],
        members=_unique(_member_id(m) for m in members),
        records=_unique(_record_ref(r) for r in records),
        part2=bool(part2),
        detect_part2=part2 is None,
        detail=dict(detail or {}),
    )
    if request is not None:
        http = _http_request(request)
        event.ip_address = client_ip(http)
        event.user_agent = http.META.get("HTTP_USER_AGENT", "")[:300]
        event.path = http.path[:500]
        event.method = http.method or ""
        event.request_id = request_id_for(http)
        pending = getattr(http, "_audit_pending", None)
        if pending is not None:
            pending.append(event)
            return
    write_events([event])


def record_read_in_request(*, user, members: Iterable = (), records: Iterable = ()) -> None:
    """Used by ``cases.selectors``: record a read only when it happens inside a request."""
    request = current_request()
    if request is not None and user is not None and getattr(user, "is_authenticated", False):
        record_access(request, members=members, records=records, user=user)


def begin_request(request):
    """Install the buffer; returns the token ``end_request`` needs."""
    request._audit_pending = []
    request_id_for(request)
    return _current_request.set(request)


def end_request(request, token) -> None:
    """Write what the request recorded (one transaction) and stop buffering."""
    _current_request.reset(token)
    pending, request._audit_pending = request._audit_pending, None
    if pending:
        write_events(merge_events(pending))


def merge_events(events: list[PendingEvent]) -> list[PendingEvent]:
    """One row per (user, action) in a request, listing everything shown."""
    merged: dict[tuple, PendingEvent] = {}
    for event in events:
        key = (event.user_id, event.username, event.action)
        if key not in merged:
            merged[key] = event
            continue
        into = merged[key]
        into.members = _unique(into.members + event.members)
        into.records = _unique(into.records + event.records)
        into.part2 = into.part2 or event.part2
        into.detect_part2 = into.detect_part2 or event.detect_part2
        into.detail.update(event.detail)
    return list(merged.values())


def _part2_records(events: list[PendingEvent]) -> set[tuple[str, str]]:
    """Which of the referenced records are Part 2: DMC-ODS cases, members with one, records
    of such cases, SUD documents. One query per model referenced."""
    by_label: dict[str, set] = {}
    for event in events:
        if not event.detect_part2:
            continue
        for label, pk in event.records:
            by_label.setdefault(label, set()).add(pk)
    found: set[tuple[str, str]] = set()
    for label, pks in by_label.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        field_names = {f.name for f in model._meta.get_fields()}
        condition = models.Q(pk__in=[])
        if label == "cases.case":
            condition = models.Q(program=PART2_PROGRAM)
        elif label == "cases.member":
            # The member page and member lists show a member's programs: being in SUD
            # treatment is itself Part 2 information.
            condition = models.Q(cases__program=PART2_PROGRAM)
        elif "case" in field_names:
            condition = models.Q(case__program=PART2_PROGRAM)
        if "data_category" in field_names:
            condition |= models.Q(data_category__in=PART2_DATA_CATEGORIES)
        if "program" in field_names and label != "cases.case":
            condition |= models.Q(program=PART2_PROGRAM)
        try:
            hits = model._default_manager.filter(condition, pk__in=pks).order_by().values_list("pk", flat=True).distinct()
            found.update((label, str(pk)) for pk in hits)
        except (ValueError, TypeError):
            continue
    return found


def event_content(*, seq, occurred_at, user_id, username, action, members, records, part2, ip_address,
                  user_agent, path, method, request_id, detail) -> dict:
    return {
        "seq": seq,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "user_id": user_id,
        "username": username,
        "action": action,
        "members": list(members),
        "records": [list(r) for r in records],
        "part2": bool(part2),
        "ip_address": ip_address or "",
        "user_agent": user_agent or "",
        "path": path or "",
        "method": method or "",
        "request_id": request_id or "",
        "detail": detail or {},
    }


def _canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_pieces(content: dict) -> tuple[str, str, str]:
    """The hashed text of an event, the canonical JSON of its content plus ``prev_hash`` (keys
    sorted, no spaces), cut around the two values only the chain head gives: the text before the
    ``prev_hash`` value, between it and the ``seq`` value, and after ``seq``. The keys sort
    ``prev_hash`` before ``seq``. PostgreSQL writers fill the gaps in the statement that locks
    the head (:func:`_append_in_one_statement`); :func:`event_hash` fills them in Python."""
    pieces, text = [], "{"
    for position, (key, value) in enumerate(sorted({**content, "prev_hash": None}.items())):
        text += ("," if position else "") + json.dumps(key) + ":"
        if key in ("prev_hash", "seq"):
            pieces.append(text)
            text = ""
        else:
            text += _canonical_json(value)
    before_prev, between = pieces
    return before_prev, between, text + "}"


def event_hash(content: dict, prev_hash: str) -> str:
    before_prev, between, after_seq = canonical_pieces(content)
    canonical = before_prev + json.dumps(prev_hash) + between + str(int(content["seq"])) + after_seq
    return hashlib.sha256(canonical.encode()).hexdigest()


# What an event stores and hashes besides ``seq`` and ``part2``, which the writer decides, and the
# chain's two hashes. A PendingEvent and a stored AccessEvent both carry them under these names.
_EVENT_FIELDS = ("occurred_at", "user_id", "username", "action", "members", "records", "ip_address", "user_agent",
                 "path", "method", "request_id", "detail")


def _event_fields(event, **decided) -> dict:
    return {**{name: getattr(event, name) for name in _EVENT_FIELDS}, **decided}


def row_content(event) -> dict:
    """The hashed content of a stored AccessEvent."""
    return event_content(**_event_fields(event, seq=event.seq, part2=event.part2))


def _locked_head():
    from .models import AccessEvent, AuditChainHead

    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Created by a migration; only a flushed test database lacks it.
        last = AccessEvent.objects.order_by("-seq").first()
        AuditChainHead.objects.get_or_create(
            pk=1, defaults={"seq": last.seq if last else 0, "hash": last.hash if last else ""}
        )
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def write_events(events: list[PendingEvent]) -> None:
    """Append events to the chain: in one transaction, each event after the one before it."""
    if not events:
        return
    part2 = _part2_records(events)
    flagged = [(event, event.part2 or any((label, str(pk)) in part2 for label, pk in event.records))
               for event in events]
    if connection.vendor != "postgresql":
        _append_with_the_orm(flagged)
        return
    # A request's reads are almost always one event: one statement, committed on its own.
    with transaction.atomic() if len(flagged) > 1 else nullcontext():
        for event, is_part2 in flagged:
            _append_in_one_statement(event, is_part2)


def _append_in_one_statement(event: PendingEvent, part2: bool) -> None:
    """Lock the chain head, insert the event, move the head: one statement,
    so one round trip, and in autocommit one transaction whose commit is the statement's end.
    Every audited request pays this before its response leaves, and every writer waits for the
    head row, so the head is held for one statement instead of five round trips. The hash is
    computed by PostgreSQL over the same canonical text :func:`event_hash` builds; seq and
    prev_hash come from the head row as locked (the newest version, if another writer had it)."""
    from .models import AccessEvent, AuditChainHead

    fields = _event_fields(event, part2=part2)
    before_prev, between, after_seq = canonical_pieces(event_content(**fields, seq=None))
    event_table, head_table = (connection.ops.quote_name(model._meta.db_table) for model in (AccessEvent, AuditChainHead))
    sql = f"""
        WITH head AS (
            SELECT seq, hash FROM {head_table} WHERE id = 1 FOR UPDATE
        ), event AS (
            INSERT INTO {event_table} (seq, occurred_at, user_id, username, action, members, records, part2,
                ip_address, user_agent, path, method, request_id, detail, prev_hash, hash)
            SELECT head.seq + 1, %(occurred_at)s, %(user_id)s, %(username)s, %(action)s, %(members)s::jsonb,
                %(records)s::jsonb, %(part2)s, %(ip_address)s, %(user_agent)s, %(path)s, %(method)s,
                %(request_id)s, %(detail)s::jsonb, head.hash,
                encode(sha256(convert_to(%(before_prev)s || to_json(head.hash)::text || %(between)s
                                         || (head.seq + 1)::text || %(after_seq)s, 'UTF8')), 'hex')
            FROM head
            RETURNING seq, hash
        )
        UPDATE {head_table} AS chain SET seq = event.seq, hash = event.hash
        FROM event WHERE chain.id = 1
        RETURNING event.seq
    """
    params = {
        **fields, "members": json.dumps(event.members), "records": json.dumps([list(r) for r in event.records]),
        "detail": json.dumps(event.detail), "before_prev": before_prev, "between": between, "after_seq": after_seq,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.fetchone() is None:  # no head row: only a flushed test database lacks it
            with transaction.atomic():
                _locked_head()
            cursor.execute(sql, params)


def _append_with_the_orm(flagged: list[tuple[PendingEvent, bool]]) -> None:
    """The portable writer, for the SQLite quick start: the same rows, in a few statements."""
    from .models import AccessEvent, AuditChainHead

    with transaction.atomic():
        head = _locked_head()
        seq, prev = head.seq, head.hash
        rows = []
        for event, is_part2 in flagged:
            seq += 1
            fields = _event_fields(event, seq=seq, part2=is_part2)
            digest = event_hash(event_content(**fields), prev)
            rows.append(AccessEvent(**fields, prev_hash=prev, hash=digest))
            prev = digest
        AccessEvent.objects.bulk_create(rows)
        AuditChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev)
