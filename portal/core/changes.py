"""The change feed behind cached pages: every commit that wrote a tenant's data leaves a mark naming what
it touched, so a page cached before it (``portal.core.pagecache``) is rendered afresh on the next request.

The marks are written by session events, not by each service: a service that writes through the unit of
work or through ``session.execute`` (bulk inserts, updates, deletes) is covered without knowing it. A row
is placed by its own ``municipality_id`` (and ``employer_id``), or else through the row it belongs to
(placement, request, employer, candidate, user); a write that cannot be placed, and a bulk statement
(unless it writes only what no page shows), marks everything. Erring that way only costs a fresh render,
never a stale page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import cache
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from portal.core.db import delete_in_batches
from portal.core.models import ChangeMark
from portal.core.time import now_utc
from portal.extensions import db

#: Tables no cached page shows, written on nearly every request or job run, and history rows written only
#: together with a change of the row they copy (which leaves the mark): they leave no mark of their own.
UNSHOWN_TABLES = frozenset(
    {
        "audit_events",
        "change_marks",
        "login_failures",
        "outbox_emails",
        "password_tokens",
        "scheduler_heartbeats",
        "weekly_log_versions",
    }
)

#: Columns no cached page shows, whose change alone leaves no mark: a login's bookkeeping (every login would
#: otherwise make every employer's page of the municipality stale).
UNSHOWN_COLUMNS = {
    "users": frozenset(
        {
            "last_login_at",
            "login_token",
            "password_hash",
            "password_changed_at",
            "calendar_token_hash",
            "totp_last_step",
            "updated_at",
        }
    )
}

#: A row without its own municipality is placed through the first of these columns that is set.
PARENT_COLUMNS = ("placement_id", "request_id", "employer_id", "candidate_id", "user_id")
_PARENT_TABLES = {
    "placement_id": ("placements", True),
    "request_id": ("placement_requests", True),
    "employer_id": ("employers", False),
    "candidate_id": ("candidates", False),
    "user_id": ("users", True),
}

#: A transaction that wrote rows of more parents than this (a batch job) marks everything instead.
RESOLVE_AT_MOST = 1000

#: A scope: (municipality, employer); (m, None) is all of municipality m, (None, None) everything.
Scope = tuple[int | None, int | None]
EVERYTHING: Scope = (None, None)

#: Marks are kept this long; a cached page lives minutes, so a pruned mark is never one a page still holds.
KEEP = timedelta(days=1)
PRUNE_BATCH = 5000
PRUNE_MAX_BATCHES = 100

_INFO_KEY = "werkbrug_changes"


def _pending(session: Session) -> dict[str, set]:
    """What this transaction wrote so far: ``scopes`` placed already, ``parents`` to look up at commit."""
    return session.info.setdefault(_INFO_KEY, {"scopes": set(), "parents": set()})


def _values(obj: Any, column: str) -> set:
    """The column's value now and, for a row whose value changed in this flush, the one before."""
    state = sa.inspect(obj)
    values = {getattr(obj, column, None)}
    if column in state.attrs:
        values.update(state.attrs[column].history.deleted or ())
    return values


def _place(obj: Any, pending: dict[str, set]) -> None:
    table = obj.__table__
    if table.name in UNSHOWN_TABLES:
        return
    columns = table.c
    if table.name == "municipalities":
        pending["scopes"].add((obj.id, None))
        return
    if "placement_id" in columns and "employer_id" not in columns:
        # An alert, task or stage change of a placement concerns that placement's employer only.
        placements = _values(obj, "placement_id") - {None}
        if placements:
            pending["parents"].update(("placement_id", placement_id) for placement_id in placements)
            return
    if "municipality_id" in columns:
        municipalities = _values(obj, "municipality_id") - {None}
        if municipalities:
            if table.name == "employers":
                employers = {obj.id}
            elif "employer_id" in columns:
                employers = _values(obj, "employer_id")
            else:
                employers = {None}
            pending["scopes"].update((m, e) for m in municipalities for e in employers)
            return
    for column in PARENT_COLUMNS:
        if column in columns:
            ids = _values(obj, column) - {None}
            if ids:
                pending["parents"].update((column, parent_id) for parent_id in ids)
                return
    pending["scopes"].add(EVERYTHING)


def _after_flush(session: Session, flush_context: Any) -> None:
    pending = _pending(session)
    for obj in chain(session.new, session.deleted):
        _place(obj, pending)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False) and _shown_change(obj):
            _place(obj, pending)


def _shown_change(obj: Any) -> bool:
    """Whether a changed row changed a column some page may show."""
    unshown = UNSHOWN_COLUMNS.get(obj.__table__.name)
    if not unshown:
        return True
    changed = {attr.key for attr in sa.inspect(obj).attrs if attr.history.has_changes()}
    return not changed <= unshown


def _bulk_write(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, sa.TextClause):
        if not statement.text.lstrip().upper().startswith(("SELECT", "SHOW")):
            _pending(state.session)["scopes"].add(EVERYTHING)  # SQL as text: it may write anything
        return
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(statement, "table", None), "name", None)
    if name in UNSHOWN_TABLES:
        return
    if state.is_update and name in UNSHOWN_COLUMNS:
        values = getattr(statement, "_values", None) or {}
        if values and {getattr(column, "key", column) for column in values} <= UNSHOWN_COLUMNS[name]:
            return
    _pending(state.session)["scopes"].add(EVERYTHING)


def _resolve(connection: sa.Connection, parents: set[tuple[str, int]]) -> set[Scope]:
    """The scopes of the rows these (column, id) pairs point at; a row not found marks everything."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for column, parent_id in parents:
        wanted[column].add(parent_id)
    scopes: set[Scope] = set()
    for column, ids in wanted.items():
        if len(ids) > RESOLVE_AT_MOST:
            return {EVERYTHING}
        name, has_employer = _PARENT_TABLES[column]
        table = sa.table(name, sa.column("id"), sa.column("municipality_id"), sa.column("employer_id"))
        employer = table.c.employer_id if has_employer else table.c.id if name == "employers" else sa.null()
        rows = connection.execute(
            sa.select(table.c.id, table.c.municipality_id, employer).where(table.c.id.in_(sorted(ids)))
        ).all()
        found = {row[0] for row in rows}
        scopes.update((row[1], row[2]) if row[1] is not None else EVERYTHING for row in rows)
        if ids - found:
            scopes.add(EVERYTHING)
    return scopes


def _before_commit(session: Session) -> None:
    session.flush()
    pending = session.info.get(_INFO_KEY)
    if not pending or not (pending["scopes"] or pending["parents"]):
        return
    connection = session.connection()
    scopes = pending["scopes"] | _resolve(connection, pending["parents"])
    if EVERYTHING in scopes:
        scopes = {EVERYTHING}
    now = now_utc()
    connection.execute(
        sa.insert(ChangeMark.__table__),
        [{"municipality_id": m, "employer_id": e, "created_at": now} for m, e in sorted(scopes, key=_order)],
    )
    session.info.pop(_INFO_KEY, None)


def _order(scope: Scope) -> tuple[int, int]:
    return (scope[0] or 0, scope[1] or 0)


def _forget(session: Session, *args: Any) -> None:
    session.info.pop(_INFO_KEY, None)


def listen(session_class: type[Session]) -> None:
    """Mark every commit of sessions of this class (idempotent)."""
    for name, handler in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _bulk_write),
        ("before_commit", _before_commit),
        ("after_commit", _forget),
        ("after_rollback", _forget),
    ):
        if not event.contains(session_class, name, handler):
            event.listen(session_class, name, handler)


@cache
def _latest_statement(with_employer: bool) -> sa.Select:
    """Newest mark of each scope a page may show (built once): everything, and the municipality; for an
    employer's page the municipality-wide marks and its own instead of all of the municipality's."""
    newest = sa.func.max(ChangeMark.id)
    municipality = sa.bindparam("municipality_id")
    parts = [sa.select(newest).where(ChangeMark.municipality_id.is_(None))]
    if with_employer:
        parts += [
            sa.select(newest).where(
                ChangeMark.municipality_id == municipality, ChangeMark.employer_id.is_(None)
            ),
            sa.select(newest).where(
                ChangeMark.municipality_id == municipality,
                ChangeMark.employer_id == sa.bindparam("employer_id"),
            ),
        ]
    else:
        parts.append(sa.select(newest).where(ChangeMark.municipality_id == municipality))
    return sa.select(*(sa.func.coalesce(part.scalar_subquery(), 0) for part in parts))


def latest(session: Session, municipality_id: int | None, employer_id: int | None = None) -> tuple[int, ...]:
    """The newest marks that concern a page of this municipality (and employer): one statement."""
    statement = _latest_statement(employer_id is not None)
    params = {"municipality_id": municipality_id, "employer_id": employer_id}
    return tuple(session.connection().execute(statement, params).one())


def prune(now: datetime | None = None) -> dict[str, int]:
    """The scheduler job: delete marks older than KEEP in batches, with a commit each."""
    cutoff = (now or now_utc()) - KEEP
    pruned = delete_in_batches(
        db.session,
        ChangeMark,
        ChangeMark.created_at < cutoff,
        batch=PRUNE_BATCH,
        max_batches=PRUNE_MAX_BATCHES,
    )
    return {"pruned": pruned}
