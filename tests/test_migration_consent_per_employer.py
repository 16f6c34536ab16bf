"""The data migration to consent per employer (revision b2d4f6a8c0e2), on SQLite and PostgreSQL.

A live general share consent becomes one consent per employer the candidate was already proposed to (and
stays, showing nobody anything); a withdrawn one is not converted; the downgrade removes what the old schema
cannot hold without widening it and keeps every general consent (DM-2: no row of the old schema lost).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from portal.core.migrate import alembic_config
from portal.extensions import make_engine
from tests.pg import recreate_database

BEFORE, REVISION = "992c17fabd7d", "b2d4f6a8c0e2"
GIVEN = datetime(2026, 2, 1, 11, 0, tzinfo=UTC)


def _first_allowed(checks: list[dict], column: str) -> str | None:
    """The first value a ``column IN ('a', ...)`` CHECK allows, if there is one (PostgreSQL reflects it as
    ``(column)::text = ANY (ARRAY['a'::character varying, ...])``)."""
    patterns = (
        rf"\b{column}\b\)?\s+IN\s*\(\s*'([^']*)'",
        rf"\b{column}\b\)?(?:::text)?\s*=\s*ANY\s*\(+ARRAY\['([^']*)'",
    )
    for check in checks:
        for pattern in patterns:
            found = re.search(pattern, check["sqltext"], re.I)
            if found:
                return found.group(1)
    return None


def _filler(column, checks: list[dict], n: int):
    allowed = _first_allowed(checks, column["name"])
    if allowed is not None:
        return allowed
    kind = column["type"]
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.DateTime):
        return GIVEN
    if isinstance(kind, sa.Date):
        return date(2026, 2, 1)
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.String) and kind.length:
        return f"x{n}"[: kind.length]
    return f"x{n}"


class Rows:
    """Insert rows into the schema as it is, filling every required column the test does not care about."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn, self.inspector, self.n = conn, sa.inspect(conn), 0

    def add(self, table: str, **values) -> int:
        self.n += 1
        checks = self.inspector.get_check_constraints(table)
        for column in self.inspector.get_columns(table):
            name = column["name"]
            if name in values or name == "id" or column["nullable"] or column.get("default") is not None:
                continue
            values[name] = _filler(column, checks, self.n)
        meta = sa.Table(table, sa.MetaData(), autoload_with=self.conn)
        return self.conn.execute(meta.insert().values(**values).returning(meta.c.id)).scalar_one()


def _seed_before(rows: Rows) -> dict[str, int]:
    ids = {"municipality": rows.add("municipalities", name="Gemeente Migratie", slug="migratie")}
    m = ids["municipality"]
    ids["user"] = rows.add("users", municipality_id=m, email="m@migratie.test", role="municipal")
    for name in ("x", "y", "z"):
        ids[name] = rows.add(
            "employers", municipality_id=m, name=f"Werkgever {name}", kvk_number=f"9{ord(name):07d}"
        )
    ids["type"] = rows.add(
        "placement_types", municipality_id=m, code="taalstage", is_paid=True, learning_goals_required=True
    )
    for name in ("x", "y"):
        workplace = rows.add("workplaces", employer_id=ids[name])
        ids[f"request_{name}"] = rows.add(
            "placement_requests",
            municipality_id=m,
            employer_id=ids[name],
            workplace_id=workplace,
            placement_type_id=ids["type"],
            created_by_id=ids["user"],
        )
    for name in ("shared", "withdrawn", "identity"):
        ids[name] = rows.add("candidates", municipality_id=m, pseudonym=f"K-MIG-{name}")
    for candidate in ("shared", "withdrawn"):
        for request in ("request_x", "request_y"):
            rows.add(
                "proposals",
                request_id=ids[request],
                candidate_id=ids[candidate],
                proposed_by_id=ids["user"],
                status="proposed" if request == "request_x" else "declined",
            )
    consent = {
        "given_at": GIVEN,
        "method": "signed_form",
        "text_version": "2025-9",
        "recorded_by_id": ids["user"],
    }
    ids["general"] = rows.add("consents", candidate_id=ids["shared"], kind="share_profile", **consent)
    ids["general_withdrawn"] = rows.add(
        "consents", candidate_id=ids["withdrawn"], kind="share_profile", withdrawn_at=GIVEN, **consent
    )
    ids["reveal"] = rows.add(
        "consents", candidate_id=ids["identity"], kind="reveal_identity", employer_id=ids["x"], **consent
    )
    return ids


def _consents(conn) -> list[dict]:
    return [dict(row._mapping) for row in conn.execute(sa.text("SELECT * FROM consents ORDER BY id"))]


def _roundtrip(url: str) -> None:
    cfg = alembic_config(url)
    command.upgrade(cfg, BEFORE)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            ids = _seed_before(Rows(conn))
            before = _consents(conn)
        command.upgrade(cfg, REVISION)
        with engine.connect() as conn:
            after = _consents(conn)
        by_id = {row["id"]: row for row in after}
        # Every row of before is still there, unchanged, with when it was recorded.
        for row in before:
            assert {k: by_id[row["id"]][k] for k in row} == row
            assert by_id[row["id"]]["recorded_at"] == row["given_at"]
        converted = [row for row in after if row["converted_from_id"] is not None]
        assert sorted(row["employer_id"] for row in converted) == sorted([ids["x"], ids["y"]])
        for row in converted:
            assert row["converted_from_id"] == ids["general"]
            assert row["candidate_id"] == ids["shared"]
            assert (row["kind"], row["method"], row["text_version"]) == (
                "share_profile",
                "signed_form",
                "2025-9",
            )
            general = by_id[ids["general"]]
            assert (row["given_at"], row["recorded_by_id"], row["withdrawn_at"]) == (
                general["given_at"],
                ids["user"],
                None,
            )
        assert ids["z"] not in {row["employer_id"] for row in after}  # never proposed to: to be asked
        assert not [row for row in converted if row["candidate_id"] == ids["withdrawn"]]

        with engine.begin() as conn:  # recorded after the upgrade: a per-employer one and a receive one
            rows = Rows(conn)
            extra = {
                "given_at": GIVEN,
                "text_version": "2026-1",
                "recorded_by_id": ids["user"],
                "recorded_at": GIVEN,
            }
            rows.add(
                "consents",
                candidate_id=ids["identity"],
                kind="share_profile",
                employer_id=ids["z"],
                method="digital",
                **extra,
            )
            rows.add(
                "consents",
                candidate_id=ids["identity"],
                kind="receive_data",
                source="coa_tvs",
                method="digital",
                **extra,
            )
        command.downgrade(cfg, BEFORE)
        with engine.connect() as conn:
            assert _consents(conn) == before
        command.upgrade(cfg, "head")
    finally:
        engine.dispose()


def test_sqlite_converts_general_consents_and_back(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'consents.sqlite'}")


@pytest.mark.postgres
def test_postgres_converts_general_consents_and_back():
    _roundtrip(recreate_database(os.environ["TEST_DATABASE_URL"], "consents"))
