"""Recompute the access audit chain and report the first row that does not fit."""
from __future__ import annotations

from dataclasses import dataclass

from .access import event_hash, row_content
from .models import AccessEvent, AuditChainHead

CHUNK = 2000


@dataclass
class ChainReport:
    rows: int
    head_seq: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain() -> ChainReport:
    """Walk every row in ``seq`` order: no gaps from 1, each ``prev_hash`` is the previous
    row's hash, each hash recomputes, and the head matches the
    last row (deleting the newest rows is detected there)."""
    expected_seq, prev_hash, rows, last_id = 1, "", 0, None
    after = 0
    while True:
        chunk = list(AccessEvent.objects.filter(seq__gte=after).order_by("seq")[:CHUNK])
        if not chunk:
            break
        for event in chunk:
            if event.seq != expected_seq:
                return ChainReport(rows, event.seq, expected_seq, None,
                                   f"row seq={expected_seq} is missing (deleted); the next row is "
                                   f"id={event.pk} seq={event.seq}")
            if event.prev_hash != prev_hash:
                return ChainReport(rows, event.seq, event.seq, event.pk,
                                   "prev_hash does not match the previous row's hash")
            if event_hash(row_content(event), event.prev_hash) != event.hash:
                return ChainReport(rows, event.seq, event.seq, event.pk, "content does not match its hash (edited)")
            rows, expected_seq, prev_hash, last_id = rows + 1, event.seq + 1, event.hash, event.pk
        after = chunk[-1].seq + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, "")
    last_seq = expected_seq - 1
    if (head_seq, head_hash) != (last_seq, prev_hash):
        if head_seq > last_seq:
            return ChainReport(rows, head_seq, last_seq + 1, None,
                               f"rows seq={last_seq + 1}..{head_seq} are missing (deleted from the end)")
        return ChainReport(rows, head_seq, last_seq, last_id, "the chain head does not match the last row")
    return ChainReport(rows, head_seq)
