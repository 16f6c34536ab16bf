"""The audit trail's hash chain: each row carries the hash of the row before it and its own hash.

``row_hash = sha256(canonical(row, prev_hash))`` over the row's own fields (not its id) and the previous
row's hash, in id order. Changing a row breaks its own hash; removing one breaks the next row's link;
``verify`` walks the chain and names the first broken link. The serialisation is a contract: every stored
hash depends on it, so it never changes (a new format would need a new column and a re-anchor).

Writers never fork the chain: before the rows of a flush are inserted, the flush takes a transaction-level
advisory lock on PostgreSQL (held until commit) and reads the head in the same round trip
(``audit_chain_head()``, see ``audit_sql``); SQLite serialises writers itself. Events added together in
one flush (a bulk writer) are chained among themselves in the order they were added.

A flush of one event on PostgreSQL (a page view, most changes) does all of that in its INSERT: its id is
drawn after taking the lock, its ``prev_hash`` is ``audit_chain_head()`` and its ``row_hash`` the SHA-256 of
the canonical bytes that Python made up to the previous hash, the head, and the closing bytes
(``prev_hash`` is the last key of the sorted canonical JSON, and a hash is plain hex). One round trip
instead of two, and the lock is taken only by the statement that appends the row, right before the commit
that releases it.
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


#: Stands for the previous row's hash while the canonical bytes are split around it (any 64 hex digits).
_HEAD_MARK = "0" * 64


def canonical_parts(fields: dict[str, Any]) -> tuple[bytes, bytes]:
    """The canonical bytes before and after the previous row's hash: ``before + prev_hash + after`` (with
    ``prev_hash`` empty for the first row) is ``canonical(fields, prev_hash)``."""
    whole = canonical(fields, _HEAD_MARK)
    at = whole.rindex(b'"prev_hash":"' + _HEAD_MARK.encode() + b'"}')
    start = at + len(b'"prev_hash":"')
    before, after = whole[:start], whole[start + len(_HEAD_MARK) :]
    if after != b'"}':
        raise AssertionError("prev_hash must be the last key of the canonical JSON")
    return before, after


def _chain_in_statement(event: AuditEvent) -> None:
    """Make the INSERT of ``event`` take the chain lock, read the head and hash the row (PostgreSQL)."""
    before, after = canonical_parts(_fields(event))
    head = sa.select(sa.func.audit_chain_head()).scalar_subquery()
    # The id too is drawn only once the lock is held (as the separate head query does for the other
    # writers), so that id order stays chain order: a writer that drew an id and then waited for the lock
    # would be chained after rows with higher ids. OFFSET 0 keeps the lock's subquery from being folded away.
    locked = sa.select(sa.func.audit_chain_head().label("head")).offset(0).subquery()
    sequence = sa.func.pg_get_serial_sequence(AuditEvent.__tablename__, "id")
    event.id = sa.select(sa.func.nextval(sequence)).select_from(locked).scalar_subquery()
    hashed = (
        sa.literal(before, sa.LargeBinary)
        .op("||")(sa.func.convert_to(sa.func.coalesce(head, ""), "UTF8"))
        .op("||")(sa.literal(after, sa.LargeBinary))
    )
    event.prev_hash = head
    event.row_hash = sa.func.encode(sa.func.sha256(hashed), "hex")


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
    for event in new:
        if event.occurred_at is None:
            event.occurred_at = now_utc()
        if event.detail is None:
            event.detail = {}
    connection = session.connection()
    if len(new) == 1 and connection.dialect.name == "postgresql":
        _chain_in_statement(new[0])
        return
    previous = chain_head(connection)
    for event in new:
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
