"""The matching rules without a database: every criterion, its boundaries, exclusions, ranking, guardrails."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from portal.matching import rules
from portal.matching.rules import FAIL, PARTIAL, PASS


def candidate(**kw):
    values = {
        "id": 1,
        "pseudonym": "K-2026-0001",
        "dutch_level": "A2",
        "english_level": "A1",
        "available_days": "ma,di,wo,do",
        "class_days": "wo",
        "hours_per_week": 16,
        "certificates": "",
        "plan_a": None,
        "plan_b": None,
        "plan_c": None,
        "desired_sectors": "",
        "home_town": "Eindhoven",
        "travel_range_km": 10,
        "status": "active",
        "care_first": False,
        "other_languages": "",
        "work_readiness": "direct",
    }
    values.update(kw)
    return SimpleNamespace(**values)


def job(**kw):
    values = {
        "dutch_level": "A2",
        "english_sufficient": False,
        "days_per_week": 2,
        "hours_per_week": 16,
        "work_days": "",
        "days_flexible": True,
        "certificates": "",
        "role_title": "Medewerker magazijn",
        "sector": "logistiek",
        "city": "Eindhoven",
        "reachable_by_public_transport": True,
        "placement_type": "taalstage",
        "placement_name": "Taalstage",
    }
    values.update(kw)
    return rules.Job(**values)


# Language -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("have", "need", "outcome"),
    [
        ("A2", "A2", PASS),
        ("B1", "A2", PASS),
        ("A1", "A2", PARTIAL),
        ("geen", "A2", FAIL),
        ("A2", "geen", PASS),
    ],
)
def test_language_level_against_requirement(have, need, outcome):
    result = rules.language(candidate(dutch_level=have), job(dutch_level=need))
    assert result.outcome == outcome
    assert f"Nederlands {have}" in result.reason
    assert f"gevraagd is {need}" in result.reason


@pytest.mark.parametrize(("english", "outcome"), [("B1", PASS), ("B2", PASS), ("A2", FAIL)])
def test_english_counts_only_when_sufficient_and_at_least_b1(english, outcome):
    result = rules.language(
        candidate(dutch_level="geen", english_level=english), job(dutch_level="B1", english_sufficient=True)
    )
    assert result.outcome == outcome
    if outcome == PASS:
        assert "Engels is genoeg" in result.reason


def test_english_is_ignored_when_the_request_does_not_allow_it():
    result = rules.language(candidate(dutch_level="A1", english_level="C1"), job(dutch_level="B2"))
    assert result.outcome == FAIL


# Days and hours -------------------------------------------------------------------------------------------


def test_language_class_days_are_not_free_days():
    assert rules.free_days(candidate(available_days="ma,di,wo", class_days="di,wo")) == ["ma"]


@pytest.mark.parametrize(
    ("available", "classes", "needed", "outcome"),
    [
        ("ma,di,wo", "", 3, PASS),
        ("ma,di,wo", "wo", 3, PARTIAL),
        ("ma,di,wo", "di,wo", 3, FAIL),
        ("", "", 1, FAIL),
        ("ma", "", 2, PARTIAL),
    ],
)
def test_days_boundaries(available, classes, needed, outcome):
    result = rules.days(candidate(available_days=available, class_days=classes), job(days_per_week=needed))
    assert result.outcome == outcome
    assert f"Nodig: {needed} dagen" in result.reason


def test_fixed_work_days_must_be_free_when_not_flexible():
    person = candidate(available_days="ma,di,do", class_days="")
    assert rules.days(person, job(work_days="ma,di", days_flexible=False)).outcome == PASS
    assert rules.days(person, job(work_days="ma,wo", days_flexible=False)).outcome == PARTIAL
    assert rules.days(person, job(work_days="wo,vr", days_flexible=False)).outcome == FAIL
    # Flexible days: only the number counts.
    assert rules.days(person, job(work_days="wo,vr", days_flexible=True)).outcome == PASS
    assert "maandag" in rules.days(person, job(work_days="ma,wo", days_flexible=False)).reason


@pytest.mark.parametrize(("have", "outcome"), [(16, PASS), (20, PASS), (12, PARTIAL), (11, FAIL), (0, FAIL)])
def test_hours_boundaries(have, outcome):
    result = rules.hours(candidate(hours_per_week=have), job(hours_per_week=16))
    assert result.outcome == outcome
    assert f"{have} uur per week" in result.reason


# Certificates ---------------------------------------------------------------------------------------------


def test_certificates_case_insensitive_comma_lists():
    assert rules.certificates(candidate(), job(certificates="")).outcome == PASS
    held = candidate(certificates="VCA , Heftruck")
    assert rules.certificates(held, job(certificates="heftruck,vca")).outcome == PASS
    partial = rules.certificates(candidate(certificates="vca"), job(certificates="Heftruck, VCA"))
    assert partial.outcome == PARTIAL
    assert "heftruck" in partial.reason
    assert rules.certificates(candidate(certificates=""), job(certificates="VCA")).outcome == FAIL


# ABC plan and sector --------------------------------------------------------------------------------------


def test_plan_c_is_preferred_over_b_and_a():
    person = candidate(plan_a="Magazijnchef", plan_c="Werken in een magazijn")
    result = rules.interests(person, job())
    assert result.outcome == PASS
    assert "plan C" in result.reason


def test_plan_a_keyword_match_and_generic_words_do_not_count():
    assert "plan A" in rules.interests(candidate(plan_a="magazijnmedewerker"), job()).reason
    # "medewerker" alone says nothing about the work.
    assert rules.interests(candidate(plan_c="medewerker schoonmaak"), job()).outcome == FAIL


def test_sector_match_without_plan_is_partial():
    result = rules.interests(candidate(desired_sectors="zorg,logistiek"), job(sector="logistiek"))
    assert result.outcome == PARTIAL
    assert "sector past" in result.reason
    assert rules.interests(candidate(desired_sectors="zorg"), job(sector="logistiek")).outcome == FAIL


# Travel ---------------------------------------------------------------------------------------------------


def test_travel_same_town_is_fine_regardless_of_case():
    assert rules.travel(candidate(home_town=" eindhoven"), job(city="Eindhoven")).outcome == PASS


@pytest.mark.parametrize(
    ("km", "public_transport", "outcome"),
    [(15, True, PASS), (14, True, PARTIAL), (50, False, PARTIAL), (0, True, PARTIAL)],
)
def test_travel_other_town(km, public_transport, outcome):
    result = rules.travel(
        candidate(home_town="Veldhoven", travel_range_km=km),
        job(city="Eindhoven", reachable_by_public_transport=public_transport),
    )
    assert result.outcome == outcome
    assert f"{km} km" in result.reason


# Score, outcome words and icons ---------------------------------------------------------------------------


def test_score_totals_weights_and_every_criterion_has_words_and_icon():
    perfect = candidate(plan_c="magazijn", available_days="ma,di,do")
    result = rules.score(perfect, job())
    assert result.total == 100
    assert [c.key for c in result.criteria] == list(rules.WEIGHTS)
    for criterion in result.criteria:
        assert criterion.words == "Past"
        assert criterion.icon == "✔"
        assert criterion.reason
    poor = rules.score(candidate(dutch_level="geen", hours_per_week=4, available_days=""), job())
    assert poor.total < 50
    assert {c.words for c in poor.criteria} >= {"Past niet"}


# Work readiness -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "ready", "outcome"),
    [
        ("proefplaatsing", "direct", PASS),
        ("proefplaatsing", "activering", FAIL),
        ("proefplaatsing", "onderwijs", FAIL),
        ("proefplaatsing", "nog_niet", FAIL),
        ("werkervaringsplaats", "direct", PASS),
        ("werkervaringsplaats", "activering", FAIL),
        ("taalstage", "direct", PASS),
        ("taalstage", "activering", PASS),
        ("taalstage", "onderwijs", PARTIAL),
        ("taalstage", "nog_niet", FAIL),
        ("stage", "direct", PASS),
        ("stage", "activering", PARTIAL),
        ("stage", "onderwijs", PARTIAL),
        ("stage", "nog_niet", FAIL),
        ("vrijwilligerswerk", "direct", PASS),  # a municipality's own type
        ("vrijwilligerswerk", "activering", PARTIAL),
        ("vrijwilligerswerk", "nog_niet", FAIL),
    ],
)
def test_readiness_against_the_placement_type(kind, ready, outcome):
    result = rules.readiness(
        candidate(work_readiness=ready), job(placement_type=kind, placement_name=kind.capitalize())
    )
    assert result.outcome == outcome
    assert result.reason.startswith("Volgens het profiel: ")
    assert kind in result.reason
    assert (ready in rules.fitting_readiness(kind)) == (outcome != FAIL)


def test_readiness_reasons_say_what_the_type_needs():
    trial = job(placement_type="proefplaatsing", placement_name="Proefplaatsing")
    assert rules.readiness(candidate(work_readiness="activering"), trial).reason == (
        "Volgens het profiel: eerst activering. "
        "Voor een proefplaatsing moet de kandidaat direct aan het werk kunnen."
    )
    stage = job(placement_type="stage", placement_name="Stage")
    assert rules.readiness(candidate(work_readiness="activering"), stage).reason == (
        "Volgens het profiel: eerst activering. Een stage kan, met extra begeleiding."
    )
    assert rules.readiness(candidate(work_readiness="nog_niet"), job()).reason == (
        "Volgens het profiel: nog niet klaar voor werk. Dat past nog niet bij een taalstage."
    )


def test_eerst_activering_never_scores_full_marks_for_a_proefplaatsing():
    trial = job(placement_type="proefplaatsing", placement_name="Proefplaatsing")
    ready = rules.score(candidate(plan_c="magazijn"), trial)
    first_activation = rules.score(candidate(plan_c="magazijn", work_readiness="activering"), trial)
    assert ready.total == 100
    assert first_activation.total == 100 - rules.WEIGHTS["readiness"]
    assert first_activation.criteria[0].label == "Werkfit"
    assert first_activation.criteria[0].words == "Past niet"


# Working each combination out once ---------------------------------------------------------------------


class Reading:
    """A candidate that records which attributes a rule reads."""

    def __init__(self, values):
        self._values = vars(values)
        self.read = set()

    def __getattr__(self, name):
        self.read.add(name)
        return self._values[name]


@pytest.mark.parametrize(("rule", "reads"), rules.CRITERIA, ids=lambda item: getattr(item, "__name__", ""))
def test_each_criterion_reads_only_the_attributes_it_names(rule, reads):
    variants = (
        candidate(),
        candidate(home_town="Best", certificates="VCA", plan_a="magazijnchef", dutch_level="geen"),
        candidate(
            english_level="B2", dutch_level="A1", desired_sectors="logistiek", work_readiness="activering"
        ),
    )
    for variant in variants:
        for wanted in (
            job(),
            job(certificates="VCA", english_sufficient=True, work_days="ma", days_flexible=False),
        ):
            person = Reading(variant)
            rule(person, wanted)
            assert person.read <= set(reads), rule.__name__


def test_a_memo_gives_the_same_scores():
    people = [
        candidate(
            id=n,
            pseudonym=f"K-{n:03d}",
            dutch_level=("geen", "A1", "A2", "B1")[n % 4],
            hours_per_week=(8, 12, 16)[n % 3],
            home_town=("Eindhoven", "Best")[n % 2],
            plan_c=("magazijn", None, "bakker")[n % 3],
            work_readiness=("direct", "activering", "onderwijs")[n % 3],
        )
        for n in range(60)
    ]
    memo = {}
    for person in people:
        assert rules.criteria_of(person, job(), memo) == rules.score(person, job()).criteria
    assert len(memo) < 6 * len(people)
    assert not any(rule is rules.interests for rule, _read in memo)  # free text is never remembered


# Exclusions and ranking -----------------------------------------------------------------------------------


def test_exclusion_texts_name_the_placement_type():
    trial = job(placement_type="proefplaatsing", placement_name="Proefplaatsing")
    assert rules.exclusion_text("readiness", trial) == "Is nog niet klaar voor een proefplaatsing."
    assert rules.exclusion_text("consent_withdrawn", trial) == rules.EXCLUSION_REASONS["consent_withdrawn"]


def test_ranking_is_by_score_then_pseudonym():
    strong_b = candidate(id=1, pseudonym="K-B", plan_c="magazijn")
    strong_a = candidate(id=2, pseudonym="K-A", plan_c="magazijn")
    weak = candidate(id=3, pseudonym="K-0", dutch_level="geen")
    ranked = rules.rank([strong_b, weak, strong_a], job())
    assert [c.pseudonym for c in ranked] == ["K-A", "K-B", "K-0"]
    assert [rules.score(c, job()).total for c in ranked] == [100, 100, 60]
    # Same input in another order gives the same result.
    again = rules.rank([strong_a, weak, strong_b], job())
    assert [c.pseudonym for c in again] == ["K-A", "K-B", "K-0"]


def test_summary_names_each_criterion_once_by_outcome():
    result = rules.score(candidate(dutch_level="A1", home_town="Best"), job(certificates="VCA"))
    summary = result.summary()
    assert [words for _icon, words, _labels in summary] == ["Past", "Past deels", "Past niet"]
    labels = [label for _icon, _words, names in summary for label in names]
    assert sorted(labels) == sorted(rules.LABELS.values())
    assert summary[1] == ("≈", "Past deels", ["Taal", "Reisafstand"])
    assert summary[2] == ("✘", "Past niet", ["Certificaten", "ABC-plan en sector"])
    perfect = rules.score(candidate(plan_c="magazijn"), job())
    assert perfect.summary() == [("✔", "Past", list(rules.LABELS.values()))]


# Guardrails -----------------------------------------------------------------------------------------------


def team(**kw):
    values = {"capacity": 2, "at_workplace": 0, "starters_near": 0, "languages": []}
    values.update(kw)
    return rules.Team(**values)


def test_capacity_boundary():
    assert rules.guardrail_warnings(team(capacity=2, at_workplace=1), ["arabisch"]) == []
    warnings = rules.guardrail_warnings(team(capacity=2, at_workplace=1), ["arabisch", "tigrinya"])
    assert len(warnings) == 1
    assert "plaats voor 2" in warnings[0]


def test_new_starters_boundary():
    assert rules.guardrail_warnings(team(capacity=10, starters_near=2), ["a"]) == []
    warnings = rules.guardrail_warnings(team(capacity=10, starters_near=3), ["a"])
    assert len(warnings) == 1
    assert "4 nieuwe mensen" in warnings[0]


def test_one_shared_language():
    warnings = rules.guardrail_warnings(team(capacity=10, languages=["arabisch"]), ["arabisch"])
    assert len(warnings) == 1
    assert "Arabisch" in warnings[0]
    assert rules.guardrail_warnings(team(capacity=10, languages=["arabisch"]), ["tigrinya"]) == []
    assert rules.guardrail_warnings(team(capacity=10, languages=[""]), [""]) == []
    assert rules.guardrail_warnings(team(capacity=10), ["arabisch"]) == []


def test_first_language_and_window():
    assert rules.first_language(" Arabisch, Engels") == "arabisch"
    assert rules.first_language("") == ""
    assert rules.near(date(2026, 4, 30), date(2026, 4, 1))
    assert not rules.near(date(2026, 5, 2), date(2026, 4, 1))
