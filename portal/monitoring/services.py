"""Write side of monitoring: an export writes a file and the audit event that says who exported what and
how many rows. Like every service it only flushes; the caller commits."""

from __future__ import annotations

from typing import IO

from portal.core.audit import record, record_listing
from portal.core.errors import DomainError
from portal.extensions import db
from portal.monitoring import exports, permissions, queries
from portal.monitoring.figures import Period

EXPORTED = "monitoring.exported"
#: Where an export was asked for (audit detail "via").
CHANNELS = ("web", "cli")


def export(
    actor,
    municipality_id: int,
    kind: str,
    fmt: str,
    period: Period,
    *,
    without_names: bool,
    out: IO[bytes],
    via: str = "web",
) -> int:
    """Write the export ``kind`` of ``municipality_id`` as ``fmt`` to ``out``; the number of data rows.

    ``actor`` is the user, or None for the command line (the system). An export with names also
    records that it named these candidates, so an access request can tell who received their data.
    """
    if kind not in exports.KINDS:
        raise DomainError("Kies wat u wilt downloaden.", field="lijst")
    if fmt not in exports.FORMATS:
        raise DomainError("Kies een bestandsformaat.", field="formaat")
    if actor is not None and not permissions.may_view(actor):
        raise DomainError("U mag de cijfers van deze gemeente niet downloaden.")
    if not without_names and not permissions.may_export_with_names(actor):
        raise DomainError("U kunt dit bestand alleen zonder namen downloaden.", field="namen")
    named: list[int] = []
    if kind == "kandidaten":
        table = exports.candidate_table(municipality_id, period, without_names=without_names, ids=named)
    elif kind == "plaatsingen":
        table = exports.placement_table(municipality_id, period, without_names=without_names, ids=named)
    else:
        table = exports.figure_table(queries.dashboard(municipality_id, period))
    rows = exports.WRITERS[fmt](table, out)
    record(
        actor,
        EXPORTED,
        municipality_id=municipality_id,
        kind=kind,
        format=fmt,
        without_names=without_names,
        rows=rows,
        period_from=period.first.isoformat(),
        period_to=period.last.isoformat(),
        via=via if via in CHANNELS else "web",
    )
    if not without_names:
        record_listing(actor, named, "monitoring_export", municipality_id=municipality_id, kind=kind)
    db.session.flush()
    return rows


def file_name(municipality_slug: str, kind: str, fmt: str, period: Period, *, without_names: bool) -> str:
    """e.g. werkbrug-eindhoven-monitoringlijst-2026-01-01-2026-12-03-zonder-namen.xlsx"""
    part = exports.KINDS[kind][1]
    suffix = "-zonder-namen" if without_names else ""
    slug = "".join(ch for ch in municipality_slug.lower() if ch.isalnum() or ch == "-") or "gemeente"
    return f"werkbrug-{slug}-{part}-{period.first.isoformat()}-{period.last.isoformat()}{suffix}.{fmt}"
