"""The audit trail's hash chain: each row carries the hash of the row before it and its own hash.

``row_hash = sha256(canonical(row, prev_hash))`` over the row's own fields (not its id) and the previous
row's hash, in id order. Changing a row breaks its own hash; removing one breaks the next row's link;
``verify`` walks the chain and names the first broken link. The serialisation is a contract: every stored
hash depends on it, so it never changes (a new format would need a new column and a re-anchor).

Writers never fork the chain: before the rows of a flush are inserted, the flush takes a transaction-level
advisory lock on PostgreSQL (held until commit) and reads the head in the same round trip
(``audit_chain_head()``, see ``audit_sql``); SQLite serialises writers itself. Events added together in
one flush (a bulk writer) are chained among themselves in the order they were added.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.core.models import AuditEvent
from portal.core.time import as_utc, now_utc

#: Rows read per query while verifying (keyset pagination: memory stays flat for any number of rows).
VERIFY_BATCH = 5000


def _instant(value: datetime | None) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value is not None else ""


def canonical(fields: dict[str, Any], prev_hash: str | None) -> bytes:
    """The bytes a row's hash is taken over: sorted, compact JSON of its own fields and ``prev_hash``.

    ``detail`` is taken as the database gives it back (a JSON round trip: keys become strings).
    """
    detail = json.loads(json.dumps(fields["detail"] or {}, default=str))
    data = {
        "occurred_at": _instant(fields["occurred_at"]),
        "actor_id": fields["actor_id"],
        "actor_role": fields["actor_role"],
        "municipality_id": fields["municipality_id"],
        "action": fields["action"],
        "object_type": fields["object_type"],
        "object_id": fields["object_id"],
        "detail": detail,
        "prev_hash": prev_hash or "",
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def compute_hash(fields: dict[str, Any], prev_hash: str | None) -> str:
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


HASHED_COLUMNS = (
    "occurred_at",
    "actor_id",
    "actor_role",
    "municipality_id",
    "action",
    "object_type",
    "object_id",
    "detail",
)


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_COLUMNS}


def chain_head(connection: sa.Connection) -> str | None:
    """The newest row's hash; on PostgreSQL after taking the chain lock (held until the transaction ends)."""
    if connection.dialect.name == "postgresql":
        return connection.scalar(sa.text("SELECT audit_chain_head()"))
    return connection.scalar(sa.select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))


def chain_new_events(session: Session, flush_context=None, instances=None) -> None:
    """``before_flush``: give the audit events about to be inserted their place in the chain."""
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new:
        return
    new.sort(key=lambda event: sa.inspect(event).insert_order)
    previous = chain_head(session.connection())
    for event in new:
        if event.occurred_at is None:
            event.occurred_at = now_utc()
        if event.detail is None:
            event.detail = {}
        event.prev_hash = previous
        event.row_hash = previous = compute_hash(_fields(event), previous)


def install(session_class: type[Session]) -> None:
    if not sa.event.contains(session_class, "before_flush", chain_new_events):
        sa.event.listen(session_class, "before_flush", chain_new_events)


# Verifying ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    row_id: int
    problem: str


def _rows(connection: sa.Connection, batch: int) -> Iterator[sa.Row]:
    columns = [AuditEvent.id, AuditEvent.prev_hash, AuditEvent.row_hash] + [
        getattr(AuditEvent, name) for name in HASHED_COLUMNS
    ]
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(*columns).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify(connection: sa.Connection, batch: int = VERIFY_BATCH) -> tuple[int, Break | None]:
    """Walk the whole chain in id order: (rows checked, the first broken link or None)."""
    count = 0
    previous_hash: str | None = None
    previous_id: int | None = None
    for row in _rows(connection, batch):
        count += 1
        if (row.prev_hash or None) != previous_hash:
            where = f"row {previous_id}" if previous_id is not None else "no row (it is the first)"
            return count, Break(
                row.id,
                f"its prev_hash does not match the hash of {where}: a row before it was removed, "
                "inserted or changed",
            )
        if row.row_hash != compute_hash(row._asdict(), row.prev_hash):
            return count, Break(row.id, "its row_hash does not match its contents: the row was changed")
        previous_hash, previous_id = row.row_hash, row.id
    return count, None


def chain_tail(connection: sa.Connection) -> tuple[int, str] | None:
    """The newest row's id and hash (to note down as an anchor), without taking the chain lock."""
    row = connection.execute(
        sa.select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return (row.id, row.row_hash) if row else None
