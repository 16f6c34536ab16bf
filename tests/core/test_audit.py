"""Consultations in the audit trail: one event per page, and every candidate a list named is findable."""

from __future__ import annotations

import sqlalchemy as sa

from portal.core import audit
from portal.core.models import AuditEvent
from portal.extensions import db


def _consulted(candidate_id: int) -> list[str]:
    query = (
        sa.select(AuditEvent.detail["context"].as_string())
        .where(audit.consulted_candidate(candidate_id))
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(query))


def test_a_listing_is_one_event_naming_each_candidate_once(seed):
    actor = seed.a.municipal
    event = audit.record_listing(actor, [7, 3, 7, 12], "placements_list", page=2)
    db.session.flush()
    assert event.action == "candidates.listed"
    assert event.detail == {"context": "placements_list", "candidate_ids": [3, 7, 12], "page": 2}
    assert event.municipality_id == actor.municipality_id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1


def test_an_empty_listing_writes_nothing(seed):
    assert audit.record_listing(seed.a.municipal, [], "home") is None
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_consultations_of_a_candidate_cover_single_views_and_listings(seed):
    actor = seed.a.municipal
    candidate = seed.a.candidate
    audit.record_listing(actor, [candidate.id, candidate.id + 1000], "candidates_list")
    audit.record_listing(actor, [candidate.id + 1000, candidate.id + 10], "home")
    audit.record(actor, audit.CANDIDATE_VIEWED, candidate, context="staff_profile")
    db.session.flush()
    assert _consulted(candidate.id) == ["candidates_list", "staff_profile"]
    assert _consulted(candidate.id + 1000) == ["candidates_list", "home"]


def test_membership_compares_whole_ids(seed):
    audit.record_listing(seed.a.municipal, [210, 2100, 12], "candidates_list")
    db.session.flush()
    assert _consulted(2) == []
    assert _consulted(21) == []
    assert _consulted(210) == ["candidates_list"]
