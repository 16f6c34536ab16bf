"""Read-side queries of matching: candidate pools, consents, proposals and the team around a workplace."""

from __future__ import annotations

import collections
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.candidates.disclosure import profile_shared, profile_shared_ids, withdrawn_share_ids
from portal.candidates.models import Candidate
from portal.matching.rules import STARTER_WINDOW_DAYS, fitting_readiness
from portal.placements.models import Placement
from portal.placements.queries import position_freed
from portal.requests.models import PlacementRequest, Proposal

#: Proposals the employer still has to decide on.
OPEN_PROPOSAL = ("proposed", "meeting")
#: Placements that occupy a place at a workplace.
OCCUPYING_PLACEMENT = ("planned", "onboarding")
#: Requests the municipal contact can propose candidates for.
MATCHABLE_REQUEST = ("submitted", "in_progress", "proposed")


#: What the ranking reads of a candidate: who it is (a staff page) and what the matching rules need.
RANKING_COLUMNS = (
    Candidate.id,
    Candidate.pseudonym,
    (Candidate.first_name + " " + Candidate.last_name).label("full_name"),
    Candidate.work_readiness,
    Candidate.dutch_level,
    Candidate.english_level,
    Candidate.available_days,
    Candidate.class_days,
    Candidate.hours_per_week,
    Candidate.certificates,
    Candidate.plan_a,
    Candidate.plan_b,
    Candidate.plan_c,
    Candidate.desired_sectors,
    Candidate.home_town,
    Candidate.travel_range_km,
)
#: One row of ``ranking_pool`` as a plain named tuple: the rules read its attributes thousands of times;
#: ``consented``: the candidate already shares the profile with the request's employer.
RankingRow = collections.namedtuple("RankingRow", [*(column.key for column in RANKING_COLUMNS), "consented"])


def share_consented_ids(municipality_id: int, employer_id: int) -> sa.Select:
    """Ids of the municipality's candidates with a live consent to share their profile with this employer."""
    return profile_shared_ids(municipality_id, employer_id)


def proposed_candidate_ids(request_id: int) -> sa.Select:
    """Ids of candidates already proposed for this request (in any proposal status)."""
    return sa.select(Proposal.candidate_id).where(Proposal.request_id == request_id)


def _candidates_with_reasons(
    request: PlacementRequest,
) -> tuple[sa.FromClause, list[tuple[str, sa.ColumnElement]]]:
    """Candidates joined to their withdrawn share consent for the request's employer and to a proposal for
    the request (outer joins), and (code, SQL condition) per reason a candidate cannot be proposed, in
    ``rules.EXCLUSION_REASONS`` order.

    A candidate without a consent for the employer yet can be proposed: the contact records the consent
    when proposing (``services.propose``). One who withdrew it for this employer is not proposed again.
    Joins, not a subquery per candidate: the database hashes each id list once, whatever the numbers.
    """
    withdrawn = withdrawn_share_ids(request.municipality_id, request.employer_id).subquery("withdrawn")
    proposed = proposed_candidate_ids(request.id).subquery("proposed")
    joined = sa.outerjoin(Candidate, withdrawn, withdrawn.c.id == Candidate.id).outerjoin(
        proposed, proposed.c.candidate_id == Candidate.id
    )
    return joined, [
        ("placed", Candidate.status == "placed"),
        ("inactive", Candidate.status != "active"),
        ("consent_withdrawn", withdrawn.c.id.is_not(None)),
        ("care_first", Candidate.care_first.is_(True)),
        ("proposed", proposed.c.candidate_id.is_not(None)),
        ("readiness", Candidate.work_readiness.not_in(fitting_readiness(request.placement_type.code))),
    ]


def exclusion_codes(request: PlacementRequest) -> list[str]:
    """The exclusion codes in the order they are checked (the rules' order)."""
    return [code for code, _condition in _candidates_with_reasons(request)[1]]


def _proposable(request: PlacementRequest, *columns) -> sa.Select:
    """``columns`` of the request's municipality's candidates that can be proposed for it."""
    joined, conditions = _candidates_with_reasons(request)
    return (
        sa.select(*columns)
        .select_from(joined)
        .where(
            Candidate.municipality_id == request.municipality_id,
            *(sa.not_(condition) for _code, condition in conditions),
        )
    )


def ranking_pool(request: PlacementRequest) -> sa.Select:
    """The candidates that can be proposed for the request, with only the columns the ranking reads and
    whether each already shares the profile with the request's employer (``RankingRow``)."""
    consented = profile_shared(Candidate.id, request.employer_id).label("consented")
    return _proposable(request, *RANKING_COLUMNS, consented)


def _exclusion_code(conditions) -> sa.Case:
    """SQL: the code of the first reason that applies to the candidate, else NULL (can be proposed)."""
    return sa.case(*[(condition, code) for code, condition in conditions], else_=sa.null()).label("code")


def exclusion_counts(request: PlacementRequest) -> sa.Select:
    """(exclusion code, number) of the municipality's candidates; code None: those that can be proposed."""
    joined, conditions = _candidates_with_reasons(request)
    code = _exclusion_code(conditions)
    return (
        sa.select(code, sa.func.count())
        .select_from(joined)
        .where(Candidate.municipality_id == request.municipality_id)
        .group_by(code)
    )


def excluded_candidates(request: PlacementRequest, code: str) -> sa.Select:
    """Candidates excluded for the request for this reason (id, pseudonym, name, readiness), by pseudonym."""
    joined, conditions = _candidates_with_reasons(request)
    position = [name for name, _condition in conditions].index(code)
    earlier = [sa.not_(condition) for _name, condition in conditions[:position]]
    return (
        sa.select(Candidate.id, Candidate.pseudonym, RANKING_COLUMNS[2], Candidate.work_readiness)
        .select_from(joined)
        .where(Candidate.municipality_id == request.municipality_id, *earlier, conditions[position][1])
        .order_by(Candidate.pseudonym, Candidate.id)
    )


def consented_among(request: PlacementRequest, candidate_ids) -> sa.Select:
    """Ids of these candidates that share the profile with the request's employer now."""
    return share_consented_ids(request.municipality_id, request.employer_id).where(
        Candidate.id.in_(list(candidate_ids))
    )


def proposable_among(request: PlacementRequest, candidate_ids) -> sa.Select:
    """Those of these candidates that can be proposed for the request, by pseudonym."""
    return (
        _proposable(request, Candidate)
        .where(Candidate.id.in_(list(candidate_ids)))
        .order_by(Candidate.pseudonym, Candidate.id)
    )


def exclusions_among(request: PlacementRequest, candidate_ids) -> sa.Select:
    """(candidate id, municipality id, pseudonym, exclusion code or None) of these candidates."""
    joined, conditions = _candidates_with_reasons(request)
    return (
        sa.select(Candidate.id, Candidate.municipality_id, Candidate.pseudonym, _exclusion_code(conditions))
        .select_from(joined)
        .where(Candidate.id.in_(list(candidate_ids)))
    )


def people_at_workplace(workplace_id: int) -> sa.Select:
    """(candidate id, other languages) of occupying placements and open proposals at a workplace."""
    placed = (
        sa.select(Candidate.id, Candidate.other_languages)
        .join(Placement, Placement.candidate_id == Candidate.id)
        .where(Placement.workplace_id == workplace_id, Placement.status.in_(OCCUPYING_PLACEMENT))
    )
    proposed = (
        sa.select(Candidate.id, Candidate.other_languages)
        .join(Proposal, Proposal.candidate_id == Candidate.id)
        .join(PlacementRequest, PlacementRequest.id == Proposal.request_id)
        .where(PlacementRequest.workplace_id == workplace_id, Proposal.status.in_(OPEN_PROPOSAL))
    )
    return sa.union(placed, proposed)


def starters_near(employer_id: int, desired: date) -> sa.Select:
    """How many placements and open proposals at an employer start within the window around ``desired``."""
    low, high = desired - timedelta(days=STARTER_WINDOW_DAYS), desired + timedelta(days=STARTER_WINDOW_DAYS)
    placed = sa.select(Placement.candidate_id).where(
        Placement.employer_id == employer_id,
        Placement.status.in_(OCCUPYING_PLACEMENT),
        Placement.start_date.between(low, high),
    )
    proposed = (
        sa.select(Proposal.candidate_id)
        .join(PlacementRequest, PlacementRequest.id == Proposal.request_id)
        .where(
            PlacementRequest.employer_id == employer_id,
            Proposal.status.in_(OPEN_PROPOSAL),
            PlacementRequest.desired_start.between(low, high),
        )
    )
    return sa.select(sa.func.count()).select_from(sa.union(placed, proposed).subquery())


def open_proposals_of_candidate(candidate_id: int, except_id: int | None = None) -> sa.Select:
    """The candidate's open proposals (any request; but ``except_id``), with their request."""
    query = (
        sa.select(Proposal)
        .options(joinedload(Proposal.request))
        .where(Proposal.candidate_id == candidate_id, Proposal.status.in_(OPEN_PROPOSAL))
        .order_by(Proposal.id)
    )
    return query if except_id is None else query.where(Proposal.id != except_id)


def accepted_count(request_id: int) -> sa.Select:
    """How many positions of this request accepted proposals take (an interrupted placement frees one)."""
    return sa.select(sa.func.count(Proposal.id)).where(
        Proposal.request_id == request_id,
        Proposal.status == "accepted",
        ~position_freed(Proposal.id),
    )


def proposals_of_request(request_id: int) -> sa.Select:
    """The proposals of one request with their candidate, oldest first."""
    return (
        sa.select(Proposal)
        .options(joinedload(Proposal.candidate))
        .where(Proposal.request_id == request_id)
        .order_by(Proposal.id)
    )
