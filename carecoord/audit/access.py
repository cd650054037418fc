"""Recording reads of member data: ``record_access`` and the request-scoped buffer.

Every page, export and API endpoint that shows member data calls::

    record_access(request, members=[member], action="view", records=[("cases.case", case.pk)])

How writes stay fast and are never lost
---------------------------------------
Calls made while a request is being handled are collected in memory on the
request (``AuditMiddleware`` installs the buffer and publishes the request in a
context variable, so ``cases.selectors`` can record without being handed the
request). When the view has produced its response, and before that response
leaves the server, the middleware writes the whole buffer in one short
transaction: lock the chain head row, one bulk INSERT of the events, one bulk
INSERT of the member index, one UPDATE of the head. That is a handful of
milliseconds once per request, whatever the number of ``record_access`` calls
(events of the same user and action in one request are merged into one row
listing every member shown).

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


def event_hash(content: dict, prev_hash: str) -> str:
    canonical = json.dumps({**content, "prev_hash": prev_hash}, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def row_content(event) -> dict:
    """The hashed content of a stored AccessEvent."""
    return event_content(
        seq=event.seq, occurred_at=event.occurred_at, user_id=event.user_id, username=event.username,
        action=event.action, members=event.members, records=event.records, part2=event.part2,
        ip_address=event.ip_address, user_agent=event.user_agent, path=event.path, method=event.method,
        request_id=event.request_id, detail=event.detail,
    )


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


def _insert_member_links(rows) -> None:
    """The per-member index rows of the events just written. An export batch names thousands of
    members: on PostgreSQL they go as arrays in one statement, without a model instance per member
    (which cost more than the export's own query)."""
    from .models import AccessEvent, AccessEventMember

    if connection.vendor != "postgresql":
        AccessEventMember.objects.bulk_create([
            AccessEventMember(event_id=row.pk, member_id=member_id, occurred_at=row.occurred_at)
            for row in rows for member_id in row.members
        ])
        return
    event_ids: list[int] = []
    member_ids: list[int] = []
    for row in rows:
        event_ids += [row.pk] * len(row.members)
        member_ids += row.members
    if not member_ids:
        return
    with connection.cursor() as cursor:
        # Each link copies its event's time (the per-member report's index), read from the event row.
        # The arrays go as text literals: the driver would adapt a list element by element.
        cursor.execute(
            f"INSERT INTO {AccessEventMember._meta.db_table} (event_id, member_id, occurred_at) "
            "SELECT event.id, link.member_id, event.occurred_at "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS link(event_id, member_id) "
            f"JOIN {AccessEvent._meta.db_table} AS event ON event.id = link.event_id",
            [_bigint_array(event_ids), _bigint_array(member_ids)],
        )


def _bigint_array(values: list[int]) -> str:
    return "{" + ",".join(map(str, map(int, values))) + "}"


def write_events(events: list[PendingEvent]) -> None:
    """Append events to the chain in one transaction."""
    from .models import AccessEvent, AuditChainHead

    if not events:
        return
    part2 = _part2_records(events)
    with transaction.atomic():
        head = _locked_head()
        seq, prev = head.seq, head.hash
        rows = []
        for event in events:
            seq += 1
            is_part2 = event.part2 or any((label, str(pk)) in part2 for label, pk in event.records)
            content = event_content(
                seq=seq, occurred_at=event.occurred_at, user_id=event.user_id, username=event.username,
                action=event.action, members=event.members, records=event.records, part2=is_part2,
                ip_address=event.ip_address, user_agent=event.user_agent, path=event.path, method=event.method,
                request_id=event.request_id, detail=event.detail,
            )
            digest = event_hash(content, prev)
            rows.append(AccessEvent(
                seq=seq, occurred_at=event.occurred_at, user_id=event.user_id, username=event.username,
                action=event.action, members=event.members, records=event.records, part2=is_part2,
                ip_address=event.ip_address, user_agent=event.user_agent, path=event.path, method=event.method,
                request_id=event.request_id, detail=event.detail, prev_hash=prev, hash=digest,
            ))
            prev = digest
        AccessEvent.objects.bulk_create(rows)
        if any(row.pk is None for row in rows):
            ids = dict(AccessEvent.objects.filter(seq__in=[r.seq for r in rows]).values_list("seq", "pk"))
            for row in rows:
                row.pk = ids[row.seq]
        _insert_member_links(rows)
        AuditChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev)
