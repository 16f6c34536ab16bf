"""Only municipal staff of the candidate's municipality see or change a journey: employers and
jobcoaches get 403 on every journey route and see nothing of it elsewhere; another municipality 404."""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from portal.journey.models import Exit, Screening, StageChange
from tests.journey.conftest import text


def journey_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("journey."):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


@pytest.fixture
def with_journey(seed):
    """Tenant A's placed candidate has a stage, a screening and a proposed exit with telling words."""
    placement = seed.a.placement
    candidate = placement.candidate
    candidate.stage, candidate.stage_since = "vervolgtraject", date(2026, 3, 1)
    db.session.add_all(
        [
            StageChange(
                municipality_id=seed.a.municipality.id,
                candidate_id=candidate.id,
                stage="vervolgtraject",
                entered_on=date(2026, 3, 1),
                provider="Geheime Aanbieder",
                note="Notitie-over-het-traject",
                recorded_by_id=seed.a.municipal.id,
            ),
            Screening(
                municipality_id=seed.a.municipality.id,
                candidate_id=candidate.id,
                instrument="noa",
                done_on=date(2026, 2, 1),
                outcome="Screening-uitkomst-geheim",
                recorded_by_id=seed.a.municipal.id,
            ),
        ]
    )
    exit_ = Exit(
        municipality_id=seed.a.municipality.id,
        candidate_id=candidate.id,
        status="proposed",
        exit_on=date(2026, 3, 2),
        kind="work_parttime",
        placement_id=placement.id,
        employer_id=placement.employer_id,
        reason="Uitstroom-reden-geheim",
    )
    db.session.add(exit_)
    db.session.commit()
    return candidate, exit_


def url_for_rule(app, rule, candidate_id, exit_id, specialist_id) -> str:
    values = {"candidate_id": candidate_id, "exit_id": exit_id, "specialist_id": specialist_id}
    return app.url_map.bind("localhost").build(rule.endpoint, {k: values[k] for k in rule.arguments})


@pytest.mark.parametrize("role", ["employer", "jobcoach"])
def test_employers_and_jobcoaches_get_403_on_every_journey_route(app, seed, login_as, with_journey, role):
    candidate, exit_ = with_journey
    client = login_as(seed.a.user(role))
    answers = {
        (rule.rule, method): client.open(
            url_for_rule(app, rule, candidate.id, exit_.id, seed.a.municipal.id), method=method
        ).status_code
        for rule, method in journey_routes(app)
    }
    assert answers
    assert set(answers.values()) == {403}, answers


@pytest.mark.parametrize("role", ["employer", "jobcoach"])
def test_their_own_pages_show_nothing_of_the_journey(seed, login_as, with_journey, role):
    candidate, _ = with_journey
    placement = seed.a.placement
    placement.jobcoach_id = seed.a.jobcoach.id
    db.session.commit()
    client = login_as(seed.a.user(role))
    for url in ("/", "/plaatsingen", f"/plaatsingen/{placement.id}", "/taken"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = text(response)
        for secret in (
            "Vervolgtraject",
            "Geheime Aanbieder",
            "Notitie-over-het-traject",
            "Screening-uitkomst-geheim",
            "Uitstroom-reden-geheim",
            "Uitstroom bevestigen",
            "/traject",
            "/uitstroom/",
        ):
            assert secret not in body, (url, secret)


def test_another_municipality_gets_404_and_changes_nothing(app, seed, login_as, with_journey):
    candidate, exit_ = with_journey
    client = login_as(seed.b.municipal)
    for rule, method in journey_routes(app):
        if "candidate_id" not in rule.arguments:
            continue
        url = url_for_rule(app, rule, candidate.id, exit_.id, seed.a.municipal.id)
        data = {"stage": "klantbeeld", "entered_on": "2026-03-01", "specialist_id": str(seed.b.municipal.id)}
        assert client.open(url, method=method, data=data).status_code == 404, (rule.rule, method)
    db.session.expire_all()
    assert db.session.get(Exit, exit_.id).status == "proposed"
    assert candidate.specialist_id is None
    # The other municipality's caseload and reassign pages name none of A's candidates.
    assert candidate.pseudonym not in text(client.get("/caseload/overdragen?van=geen"))


def test_an_exit_of_another_candidate_is_404(seed, login_as, with_journey):
    _, exit_ = with_journey
    other = seed.a.candidate
    assert login_as(seed.a.municipal).get(f"/kandidaten/{other.id}/uitstroom/{exit_.id}").status_code == 404


def test_viewing_the_journey_is_audited(seed, login_as, with_journey):
    from tests.journey.conftest import events

    candidate, _ = with_journey
    login_as(seed.a.municipal).get(f"/kandidaten/{candidate.id}/traject")
    viewed = [e for e in events("candidate.viewed") if e.object_id == candidate.id]
    assert viewed
    assert viewed[-1].detail["context"] == "journey"
