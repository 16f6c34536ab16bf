"""The clock override the demo uses to write its history in the past."""

from __future__ import annotations

from contextvars import copy_context
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.core.time import clock_at, now_utc, today_local

PAST = datetime(2025, 11, 3, 8, 30, tzinfo=UTC)


def test_now_and_today_follow_the_override_only_inside_the_block(time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False)
    with clock_at(PAST):
        assert now_utc() == PAST
        assert today_local() == date(2025, 11, 3)
        with clock_at(PAST + timedelta(days=2)):
            assert today_local() == date(2025, 11, 5)
        assert now_utc() == PAST
    assert now_utc() == datetime(2026, 3, 10, 9, tzinfo=UTC)


def test_the_override_is_restored_after_an_error_and_does_not_leak_into_other_contexts(time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False)
    with pytest.raises(RuntimeError), clock_at(PAST):
        raise RuntimeError
    assert now_utc().year == 2026
    with clock_at(PAST):
        elsewhere = copy_context()
    assert elsewhere.run(now_utc) == PAST  # a copy taken inside sees it ...
    assert now_utc().year == 2026  # ... the caller does not any more


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"), clock_at(datetime(2025, 1, 1)):
        pass


def test_column_defaults_use_the_override(app):
    from portal.core.models import Municipality
    from portal.extensions import db

    with clock_at(PAST):
        municipality = Municipality(slug="klokstad", name="Klokstad", contact_email="klok@demo.werkbrug.nl")
        db.session.add(municipality)
        db.session.flush()
    assert municipality.created_at.replace(tzinfo=UTC) == PAST
