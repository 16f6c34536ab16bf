"""Migrations: an empty database upgrades to head, matches the models, downgrades to base and back."""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from portal.core.migrate import alembic_config
from portal.extensions import make_engine
from portal.models import Base
from tests.pg import recreate_database


def _diff(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def _predicates(engine: sa.Engine) -> dict[str, set[str]]:
    """Partial index name → the quoted values in its WHERE clause, as the migrated database keeps it."""
    if engine.dialect.name == "postgresql":
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE indexdef LIKE '% WHERE %'"
    else:
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'"
    with engine.connect() as conn:
        rows = conn.execute(sa.text(query)).all()
    return {name: set(re.findall(r"'([^']*)'", sql.split(" WHERE ", 1)[1])) for name, sql in rows}


def _model_predicates(dialect: str) -> dict[str, set[str]]:
    """The same, as the models declare it (autogenerate does not compare WHERE clauses)."""
    found = {}
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            where = index.dialect_options[dialect].get("where")
            if where is not None:
                found[index.name] = set(re.findall(r"'([^']*)'", str(where)))
    return found


def _roundtrip(url: str) -> None:
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")
    engine = make_engine(url)
    try:
        assert _diff(engine) == [], "models and migrations disagree: write a revision"
        assert _predicates(engine) == _model_predicates(engine.dialect.name)
        with engine.connect() as conn:
            head = ScriptDirectory.from_config(cfg).get_current_head()
            assert MigrationContext.configure(conn).get_current_revision() == head
        command.downgrade(cfg, "base")
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set()
        command.upgrade(cfg, "head")
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_sqlite_upgrade_check_downgrade(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'migrations.sqlite'}")


@pytest.mark.postgres
def test_postgres_upgrade_check_downgrade():
    url = recreate_database(os.environ["TEST_DATABASE_URL"], "migrations")
    _roundtrip(url)


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_every_revision_has_a_message_and_a_downgrade():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    for rev in script.walk_revisions():
        assert rev.doc, rev.revision
        assert rev.doc.strip(), rev.revision
        with open(rev.path, encoding="utf-8") as handle:
            source = handle.read()
        body = source.split("def downgrade() -> None:", 1)[1]
        assert body.strip() != "pass", f"{rev.revision} has an empty downgrade"
