"""Scratch databases are named after the test database, so two runs on one server never collide."""

from __future__ import annotations

from tests.pg import scratch_name


def test_scratch_databases_are_named_after_the_test_database():
    first = scratch_name("postgresql+psycopg://postgres@127.0.0.1:5432/werkbrug_test", "reconcile_once")
    second = scratch_name("postgresql://postgres@127.0.0.1/werkbrug_test_b", "reconcile_once")
    assert first == "werkbrug_test_reconcile_once"
    assert second == "werkbrug_test_b_reconcile_once"


def test_scratch_names_fit_postgresql_identifiers():
    assert len(scratch_name("postgresql://postgres@127.0.0.1/" + "x" * 60, "outbox_concurrency")) == 63
