"""Matching rules: score one candidate against one request, exclusions and guardrails.

Pure functions: they read attributes of the objects they are given and never touch the database, so
every criterion and its boundaries can be tested without one. Reasons are Dutch (B1) and meant for the
municipal contact; they may mention staff-only facts (home town, care flag) and never reach employers.
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal.core.codes import WEEKDAYS, level_rank, split_codes

PASS, PARTIAL, FAIL = "pass", "partial", "fail"
#: Outcome in words and as an icon text: status is never shown by colour alone.
OUTCOME_WORDS = {PASS: "Past", PARTIAL: "Past deels", FAIL: "Past niet"}
OUTCOME_ICONS = {PASS: "✔", PARTIAL: "≈", FAIL: "✘"}
#: Share of a criterion's weight an outcome earns.
OUTCOME_FACTOR = {PASS: 1.0, PARTIAL: 0.5, FAIL: 0.0}

WEIGHTS = {
    "readiness": 15,
    "language": 25,
    "days": 15,
    "hours": 10,
    "certificates": 10,
    "interests": 15,
    "travel": 10,
}
LABELS = {
    "readiness": "Werkfit",
    "language": "Taal",
    "days": "Dagen",
    "hours": "Uren",
    "certificates": "Certificaten",
    "interests": "ABC-plan en sector",
    "travel": "Reisafstand",
}
#: English is enough for this work when the request says so and the candidate has at least this level.
ENGLISH_MIN_LEVEL = "B1"
#: A candidate outside the workplace's town may travel this far (km) when public transport goes there.
TRAVEL_RANGE_OK_KM = 15
#: Words in role titles that say nothing about the kind of work.
STOPWORDS = {"medewerker", "medewerkster", "assistent", "hulp", "junior", "senior", "stagiair", "stage"}
#: Guardrails: at most this many new starters at one employer within STARTER_WINDOW_DAYS.
MAX_NEW_STARTERS = 3
STARTER_WINDOW_DAYS = 30
#: A team of at least this many placed/proposed people that all share one language gets a warning.
MIN_TEAM_FOR_LANGUAGE_WARNING = 2


@dataclass(frozen=True, slots=True)
class Criterion:
    key: str
    outcome: str
    reason: str
    points: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", WEIGHTS[self.key] * OUTCOME_FACTOR[self.outcome])

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def words(self) -> str:
        return OUTCOME_WORDS[self.outcome]

    @property
    def icon(self) -> str:
        return OUTCOME_ICONS[self.outcome]


@dataclass(frozen=True, slots=True)
class Score:
    total: int
    criteria: list[Criterion] = field(default_factory=list)

    def summary(self) -> list[tuple[str, str, list[str]]]:
        """(icon, words, labels) per outcome that occurs, best first: the fit in one line."""
        return [
            (OUTCOME_ICONS[outcome], OUTCOME_WORDS[outcome], labels)
            for outcome in (PASS, PARTIAL, FAIL)
            if (labels := [c.label for c in self.criteria if c.outcome == outcome])
        ]


@dataclass(frozen=True)
class Job:
    """What a request asks, flattened from the request, its employer and its workplace."""

    dutch_level: str
    english_sufficient: bool
    days_per_week: int
    hours_per_week: int
    work_days: str
    days_flexible: bool
    certificates: str
    role_title: str
    sector: str
    city: str
    reachable_by_public_transport: bool
    #: Code and name of the placement type (stage, taalstage, proefplaatsing, ... or a municipality's own).
    placement_type: str
    placement_name: str


def job_from_request(request: Any) -> Job:
    """The matching view of a request (with its employer and workplace loaded)."""
    return Job(
        dutch_level=request.dutch_level,
        english_sufficient=bool(request.english_sufficient),
        days_per_week=request.days_per_week,
        hours_per_week=request.hours_per_week,
        work_days=request.work_days or "",
        days_flexible=bool(request.days_flexible),
        certificates=request.certificates or "",
        role_title=request.role_title or "",
        sector=request.employer.sector,
        city=request.workplace.city,
        reachable_by_public_transport=bool(request.workplace.reachable_by_public_transport),
        placement_type=request.placement_type.code,
        placement_name=request.placement_type.name,
    )


# Criteria ----------------------------------------------------------------------------------------------

#: How each work readiness (candidate profile, "werkfit") fits each standard placement type; a readiness
#: that is not listed does not fit (FAIL) and cannot be proposed. A taalstage is itself a first step, so
#: "eerst activering" fits it; a stage can take it with extra guidance; a proefplaatsing or a
#: werkervaringsplaats is real work and needs someone who can start at once.
READINESS_FIT = {
    "taalstage": {"direct": PASS, "activering": PASS, "onderwijs": PARTIAL},
    "stage": {"direct": PASS, "activering": PARTIAL, "onderwijs": PARTIAL},
    "proefplaatsing": {"direct": PASS},
    "werkervaringsplaats": {"direct": PASS},
}
#: A municipality's own placement types: ready for work fits, a first step first fits in part.
OTHER_TYPE_FIT = {"direct": PASS, "activering": PARTIAL, "onderwijs": PARTIAL}
#: The candidate's readiness in words (the profile's labels).
READINESS_WORDS = {
    "direct": "kan direct aan het werk",
    "activering": "eerst activering",
    "onderwijs": "eerst onderwijs",
    "nog_niet": "nog niet klaar voor werk",
}


def readiness_fit(placement_type: str) -> dict[str, str]:
    """Work readiness code → outcome for this placement type (missing codes fail)."""
    return READINESS_FIT.get(placement_type, OTHER_TYPE_FIT)


def fitting_readiness(placement_type: str) -> list[str]:
    """The work readiness codes that may be proposed for this placement type (all but the failing ones)."""
    return sorted(readiness_fit(placement_type))


def readiness(candidate: Any, job: Job) -> Criterion:
    """Work readiness against what the placement type asks."""
    fit = readiness_fit(job.placement_type)
    outcome = fit.get(candidate.work_readiness, FAIL)
    kind = job.placement_name.lower()
    have = READINESS_WORDS.get(candidate.work_readiness, candidate.work_readiness)
    if outcome == PASS:
        advice = f"Dat past bij een {kind}."
    elif outcome == PARTIAL:
        advice = f"Een {kind} kan, met extra begeleiding."
    elif set(fit) == {"direct"}:
        advice = f"Voor een {kind} moet de kandidaat direct aan het werk kunnen."
    else:
        advice = f"Dat past nog niet bij een {kind}."
    return Criterion("readiness", outcome, f"Volgens het profiel: {have}. {advice}")


def language(candidate: Any, job: Job) -> Criterion:
    """Dutch level against the requirement; English counts when the request says it is enough."""
    have, need = level_rank(candidate.dutch_level), level_rank(job.dutch_level)
    if have >= need:
        return Criterion(
            "language", PASS, f"Nederlands {candidate.dutch_level}; gevraagd is {job.dutch_level}."
        )
    if job.english_sufficient and level_rank(candidate.english_level) >= level_rank(ENGLISH_MIN_LEVEL):
        return Criterion(
            "language",
            PASS,
            f"Nederlands {candidate.dutch_level} is lager dan {job.dutch_level}, maar Engels is genoeg "
            f"voor dit werk en de kandidaat heeft Engels {candidate.english_level}.",
        )
    outcome = PARTIAL if need - have == 1 else FAIL
    return Criterion(
        "language", outcome, f"Nederlands {candidate.dutch_level}; gevraagd is {job.dutch_level}."
    )


def free_days(candidate: Any) -> list[str]:
    """Days the candidate is available, without the days of the language course."""
    classes = set(split_codes(candidate.class_days))
    return [day for day in split_codes(candidate.available_days) if day not in classes]


def _day_names(days) -> str:
    return ", ".join(WEEKDAYS.get(day, day) for day in days) or "geen"


def days(candidate: Any, job: Job) -> Criterion:
    """Free days (available minus language class) against days per week and fixed work days."""
    free = free_days(candidate)
    preferred = split_codes(job.work_days)
    if preferred and not job.days_flexible:
        usable = [day for day in preferred if day in free]
        reason = (
            f"Vaste werkdagen {_day_names(preferred)}; de kandidaat kan op {_day_names(usable)}. "
            f"Nodig: {job.days_per_week} dagen."
        )
    else:
        usable = free
        reason = (
            f"Vrij naast de taalles: {_day_names(free)} ({len(free)} dagen). "
            f"Nodig: {job.days_per_week} dagen."
        )
    if len(usable) >= job.days_per_week:
        outcome = PASS
    elif usable and len(usable) == job.days_per_week - 1:
        outcome = PARTIAL
    else:
        outcome = FAIL
    return Criterion("days", outcome, reason)


def hours(candidate: Any, job: Job) -> Criterion:
    """Hours per week the candidate can work against the hours asked."""
    have, need = candidate.hours_per_week, job.hours_per_week
    reason = f"De kandidaat kan {have} uur per week; gevraagd is {need} uur."
    if have >= need:
        return Criterion("hours", PASS, reason)
    return Criterion("hours", PARTIAL if have * 4 >= need * 3 else FAIL, reason)


def certificate_list(value: str | None) -> list[str]:
    """'Heftruck, vca ,' → ['heftruck', 'vca'] (case-insensitive, doubles dropped)."""
    return list(dict.fromkeys(part.strip().casefold() for part in (value or "").split(",") if part.strip()))


def certificates(candidate: Any, job: Job) -> Criterion:
    """Required certificates against the certificates the candidate holds."""
    required = certificate_list(job.certificates)
    if not required:
        return Criterion("certificates", PASS, "Voor dit werk zijn geen certificaten nodig.")
    held = set(certificate_list(candidate.certificates))
    missing = [name for name in required if name not in held]
    if not missing:
        return Criterion("certificates", PASS, f"Heeft alle gevraagde certificaten: {', '.join(required)}.")
    outcome = PARTIAL if len(missing) < len(required) else FAIL
    return Criterion("certificates", outcome, f"Mist: {', '.join(missing)}.")


@functools.lru_cache(maxsize=256)
def title_words(title: str) -> tuple[str, ...]:
    """Meaningful words of a role title (four letters or more, no generic words like 'medewerker')."""
    words = re.findall(r"\w+", (title or "").casefold())
    return tuple(word for word in words if len(word) >= 4 and word not in STOPWORDS)


def plan_match(candidate: Any, job: Job) -> str | None:
    """The first ABC plan (C, then B, then A) whose text mentions a word of the role title."""
    words = title_words(job.role_title)
    for letter, text in (("C", candidate.plan_c), ("B", candidate.plan_b), ("A", candidate.plan_a)):
        if text and any(word in text.casefold() for word in words):
            return letter
    return None


PLAN_NAMES = {"A": "gewenst beroep", "B": "opstap", "C": "werk dat morgen kan"}


def interests(candidate: Any, job: Job) -> Criterion:
    """ABC plan against the role title and desired sectors against the employer's sector."""
    return _interests(plan_match(candidate, job), job.sector in _sectors(candidate.desired_sectors))


@functools.lru_cache(maxsize=1024)
def _sectors(desired: str | None) -> frozenset[str]:
    return frozenset(split_codes(desired))


@functools.lru_cache(maxsize=16)
def _interests(letter: str | None, sector_ok: bool) -> Criterion:
    sector_text = "De sector past bij de wens." if sector_ok else "De sector staat niet bij de wensen."
    if letter:
        return Criterion(
            "interests",
            PASS,
            f"Het werk past bij plan {letter} ({PLAN_NAMES[letter]}). {sector_text}",
        )
    if sector_ok:
        return Criterion("interests", PARTIAL, f"Het werk staat niet in het ABC-plan. {sector_text}")
    return Criterion("interests", FAIL, f"Het werk staat niet in het ABC-plan. {sector_text}")


def travel(candidate: Any, job: Job) -> Criterion:
    """Same town is fine; elsewhere only with enough travel range and public transport."""
    if (candidate.home_town or "").strip().casefold() == (job.city or "").strip().casefold():
        return Criterion("travel", PASS, "Woont in dezelfde plaats als de werkplek.")
    transport = "wel" if job.reachable_by_public_transport else "niet"
    reason = (
        f"Woont in een andere plaats. Reisafstand {candidate.travel_range_km} km; "
        f"de werkplek is {transport} bereikbaar met het openbaar vervoer."
    )
    ok = candidate.travel_range_km >= TRAVEL_RANGE_OK_KM and job.reachable_by_public_transport
    return Criterion("travel", PASS if ok else PARTIAL, reason)


#: Every criterion with the candidate attributes it reads: equal attributes give an equal criterion, so a
#: ranking of thousands of candidates works out each distinct combination once (see ``score``'s memo).
CRITERIA = (
    (readiness, ("work_readiness",)),
    (language, ("dutch_level", "english_level")),
    (days, ("available_days", "class_days")),
    (hours, ("hours_per_week",)),
    (certificates, ("certificates",)),
    (interests, ("plan_a", "plan_b", "plan_c", "desired_sectors")),
    (travel, ("home_town", "travel_range_km")),
)


#: Criteria that read free text (different for nearly every candidate): remembering them would only fill
#: the memo, so they are worked out each time.
FREE_TEXT = (interests,)
_READERS = tuple(
    (rule, None if rule in FREE_TEXT else operator.attrgetter(*reads)) for rule, reads in CRITERIA
)


def criteria_of(candidate: Any, job: Job, memo: dict | None = None) -> list[Criterion]:
    """Every criterion for this candidate, in order.

    ``memo`` (a dict kept for one job) remembers each criterion by the attributes it reads, so a ranking of
    thousands of candidates works out each distinct combination once.
    """
    if memo is None:
        return [rule(candidate, job) for rule, _reads in CRITERIA]
    criteria = []
    for rule, read in _READERS:
        if read is None:
            criteria.append(rule(candidate, job))
            continue
        key = (rule, read(candidate))
        found = memo.get(key)
        if found is None:
            found = memo[key] = rule(candidate, job)
        criteria.append(found)
    return criteria


_POINTS = operator.attrgetter("points")


def total(criteria: list[Criterion]) -> int:
    """The score (0-100) of these criteria."""
    return round(sum(map(_POINTS, criteria)))


def score(candidate: Any, job: Job) -> Score:
    """The total (0-100) and every criterion with its outcome and reason."""
    criteria = criteria_of(candidate, job)
    return Score(total=total(criteria), criteria=criteria)


# Exclusions and ranking --------------------------------------------------------------------------------

#: Why a candidate cannot be proposed for a request, in the order they are checked (the first one that
#: applies is the one shown). The conditions themselves are SQL (``queries.exclusion_conditions``), so
#: only the candidates that can be proposed are loaded and scored.
EXCLUSION_REASONS = {
    "placed": "Is al geplaatst.",
    "inactive": "Is nu niet beschikbaar.",
    "consent_withdrawn": "Heeft de toestemming om het profiel met deze werkgever te delen ingetrokken.",
    "care_first": "Zorg gaat voor.",
    "proposed": "Is al voorgesteld voor deze aanvraag.",
    "readiness": "Is nog niet klaar voor een {kind}.",
}


def exclusion_text(code: str, job: Job) -> str:
    """The reason (Dutch, staff only) for an exclusion code, for this request."""
    return EXCLUSION_REASONS[code].format(kind=job.placement_name.lower())


@dataclass(frozen=True, slots=True)
class Ranked:
    candidate: Any
    score: Score


def rank(candidates, job: Job) -> list:
    """The candidates by score (high first), then pseudonym; ``score`` gives one's criteria and reasons.

    Only the order is kept: thousands of candidates leave no score objects behind.
    """
    memo: dict = {}
    return sorted(candidates, key=lambda c: (-total(criteria_of(c, job, memo)), c.pseudonym))


# Guardrails --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    """What a proposal would add to: a workplace's people and an employer's starters around a date."""

    capacity: int
    #: Active and planned placements at the workplace plus open proposals there.
    at_workplace: int
    #: Placements and open proposals at the employer starting near the request's desired start.
    starters_near: int
    #: First "other language" of each placed or proposed person at the workplace ("" when unknown).
    languages: list[str]


def first_language(other_languages: str | None) -> str:
    parts = [part.strip() for part in (other_languages or "").split(",") if part.strip()]
    return parts[0].casefold() if parts else ""


def near(start: date, desired: date) -> bool:
    """Whether a start date falls within the starter window around the desired start."""
    return abs((start - desired).days) <= STARTER_WINDOW_DAYS


def guardrail_warnings(team: Team, new_languages: list[str]) -> list[str]:
    """Warnings (Dutch) for proposing people with these first languages to this team; empty when fine."""
    warnings = []
    added = len(new_languages)
    if team.at_workplace + added > team.capacity:
        warnings.append(
            f"Als de werkgever iedereen aanneemt, werken er {team.at_workplace + added} mensen op deze "
            f"werkplek. De werkplek heeft plaats voor {team.capacity}."
        )
    if team.starters_near + added > MAX_NEW_STARTERS:
        warnings.append(
            f"Deze werkgever krijgt dan {team.starters_near + added} nieuwe mensen binnen "
            f"{STARTER_WINDOW_DAYS} dagen rond de startdatum. "
            f"Meer dan {MAX_NEW_STARTERS} is veel voor een team."
        )
    everyone = [*team.languages, *new_languages]
    shared = set(everyone)
    if len(everyone) >= MIN_TEAM_FOR_LANGUAGE_WARNING and len(shared) == 1 and "" not in shared:
        language_name = next(iter(shared)).capitalize()
        warnings.append(
            f"Alle kandidaten op deze werkplek spreken dan dezelfde taal naast het Nederlands: "
            f"{language_name}. Een gemengd team helpt bij het leren van Nederlands."
        )
    return warnings
