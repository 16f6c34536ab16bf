"""Risk rules (uitval signals): pure functions over a plain snapshot of one placement.

Every rule reads a ``Snapshot`` and returns at most one ``Finding``: the most recent evidence that meets
the rule. The database is never touched, so every rule and its boundaries are tested without one
(tests/aftercare/test_rules.py); ``portal.alerts.reconcile`` builds the snapshots in bulk and turns
findings into alerts.

An alert is unique per (placement, rule, evidence key) and at most one per (placement, rule) is
unresolved. So a condition that persists after an alert was resolved opens nothing (same evidence
key); new evidence (a new log, visit, week, ...) opens a new alert once the previous one is resolved.
A rule returns only its latest evidence, so a run after downtime opens one alert per rule, not one per
missed day.

Severity: ``high`` (mailed at once) for a concern, a score at the lowest level and a high risk; the
other rules are ``normal`` (in the daily digest). Reasons are Dutch (B1), meant for staff; they name
dates and numbers, never a person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from portal.aftercare.plan import add_months
from portal.core.filters import MONTHS
from portal.core.holidays import working_days_between

HIGH, NORMAL = "high", "normal"
#: Log, visit and check-in evidence older than this many days (by its week start or date) opens no alert.
RECENT_DAYS = 28
#: The first months after the actual start in which the jobcoach must keep in touch.
CONTACT_MONTHS = 3
#: The details of the logs any rule reads: those of the recent weeks (RECENT_DAYS, up to today) and of this
#: many logs before them (``falling_score``'s trio ends with a recent log); none without a recent log.
LOGS_BEFORE_RECENT = 2
#: Placements in these statuses are evaluated at all.
EVALUATED_STATUSES = ("onboarding", "nazorg")
#: Words for the four-point scale, as in the weekly log.
SCALE_WORDS = {1: "slecht", 2: "matig", 3: "goed", 4: "heel goed"}


# --- The snapshot ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """A municipality's thresholds (``AftercareSettings``; these defaults when it has no row)."""

    absence_hours: int = 8
    no_contact_days: int = 14
    checkin_overdue_working_days: int = 3
    end_without_decision_days: int = 7
    ignored_reminders: int = 2


@dataclass(frozen=True)
class LogFact:
    """One weekly log (``week_start`` is the Monday of its ISO week)."""

    id: int
    week_start: date
    days_planned: int
    days_present: int
    hours_absent: int
    punctuality: int
    has_concern: bool = False


@dataclass(frozen=True)
class VisitFact:
    id: int
    visit_date: date
    contact_made: bool
    risk: str


@dataclass(frozen=True)
class CheckInFact:
    id: int
    number: int
    week: int
    due_date: date
    status: str
    held_on: date | None = None
    risk: str | None = None
    #: Punctuality on the four-point scale, when scored at the conversation.
    punctuality: int | None = None


@dataclass(frozen=True)
class Snapshot:
    """What the rules know about one placement on ``today`` (a local date)."""

    placement_id: int
    status: str
    actual_start_date: date
    planned_end_date: date
    today: date
    thresholds: Thresholds = field(default_factory=Thresholds)
    logs: Sequence[LogFact] = ()
    visits: Sequence[VisitFact] = ()
    checkins: Sequence[CheckInFact] = ()
    #: A contract or stop decision was recorded (an extension moves ``planned_end_date`` instead). In
    #: onboarding that is a contract that starts later: no weekly logs are asked after the planned end.
    has_final_decision: bool = False
    #: Mondays of the weeks for which a weekly-log reminder was delivered to the employer.
    reminder_weeks: Sequence[date] = ()
    #: Mondays of every week with a log, when ``logs`` holds only some (the reconcile loads the details of
    #: the recent logs and the LOGS_BEFORE_RECENT before them: no rule reads others); None: ``logs``'s weeks.
    #: Only the onboarding rules read the weeks with a log (``logged_weeks``), so the reconcile loads the
    #: earlier weeks of onboarding placements only.
    earlier_log_weeks: frozenset[date] | None = None

    @cached_property
    def logged_weeks(self) -> frozenset[date]:
        """Mondays of the weeks with a log."""
        weeks = frozenset(log.week_start for log in self.logs)
        return weeks | self.earlier_log_weeks if self.earlier_log_weeks is not None else weeks

    @cached_property
    def sorted_logs(self) -> list[LogFact]:
        """The logs of weeks up to today, oldest first (sorted once per snapshot)."""
        return sorted(
            (log for log in self.logs if log.week_start <= self.today), key=lambda log: log.week_start
        )


@dataclass(frozen=True)
class Finding:
    rule: str
    evidence_key: str
    severity: str
    reason: str
    evidence_path: str


# --- Helpers ----------------------------------------------------------------------------------------------


def day_words(day: date) -> str:
    """``date(2026, 3, 2)`` → ``"2 maart"``."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def dates_words(days: Sequence[date]) -> str:
    """``"2 maart"``, ``"2 en 9 maart"``, ``"23 februari, 2 en 9 maart"`` (a month once per run of days)."""
    words = []
    for index, day in enumerate(days):
        following = days[index + 1] if index + 1 < len(days) else None
        same_month = following is not None and (following.year, following.month) == (day.year, day.month)
        words.append(str(day.day) if same_month else day_words(day))
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " en " + words[-1]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_has_ended(monday: date, today: date) -> bool:
    """An ISO week has ended from the Monday after it (local dates)."""
    return monday + timedelta(days=7) <= today


def is_recent(day: date, today: date) -> bool:
    """At most RECENT_DAYS days before ``today`` (and not in the future)."""
    return timedelta(0) <= today - day <= timedelta(days=RECENT_DAYS)


def attendance_level(days_present: int, days_planned: int) -> int | None:
    """Attendance on the log's four-point scale; None when no days were planned.

    1 (lowest): present on less than half of the planned days; 2: at least half but less than three
    quarters; 3: at least three quarters but not all; 4: all planned days. So 1 of 2 days is level 2,
    1 of 3 days level 1.
    """
    if days_planned <= 0:
        return None
    if 2 * days_present < days_planned:
        return 1
    if 4 * days_present < 3 * days_planned:
        return 2
    if days_present < days_planned:
        return 3
    return 4


def _sorted_logs(snapshot: Snapshot) -> list[LogFact]:
    return snapshot.sorted_logs


def _path(snapshot: Snapshot, anchor: str = "") -> str:
    return f"/plaatsingen/{snapshot.placement_id}" + (f"#{anchor}" if anchor else "")


def _log_key(log: LogFact) -> str:
    return f"log:{log.id}"


def last_log_week(snapshot: Snapshot) -> date | None:
    """The Monday of the last week a weekly log is asked for: the planned end's week once a contract is
    decided (in onboarding the only final decision that keeps it running); None while open-ended."""
    if snapshot.status == "onboarding" and snapshot.has_final_decision:
        return monday_of(snapshot.planned_end_date)
    return None


def _missing_ended_weeks(snapshot: Snapshot) -> list[date]:
    """Mondays of the ended weeks since the actual start without a weekly log, oldest first."""
    logged = snapshot.logged_weeks
    last = last_log_week(snapshot)
    # The last week that has ended (``week_has_ended``), and no later than the last week asked for.
    stop = monday_of(snapshot.today - timedelta(days=7))
    if last is not None:
        stop = min(stop, last)
    weeks, monday, week = [], monday_of(snapshot.actual_start_date), timedelta(days=7)
    while monday <= stop:
        if monday not in logged:
            weeks.append(monday)
        monday += week
    return weeks


# --- The rules ----------------------------------------------------------------------------------------------


def logs_missing(snapshot: Snapshot) -> Finding | None:
    """Two consecutive ISO weeks that have ended, since the week of the actual start, without a log.

    Onboarding only (weekly logs belong to it). A week has ended on the Monday after it. The finding is
    the latest run of two or more consecutive missing weeks; its evidence key is the run's first week,
    so a run that goes on after resolution opens nothing, and a new run (after a log came in) does.
    """
    if snapshot.status != "onboarding":
        return None
    missing = _missing_ended_weeks(snapshot)
    runs: list[list[date]] = []
    for monday in missing:
        if runs and runs[-1][-1] + timedelta(days=7) == monday:
            runs[-1].append(monday)
        else:
            runs.append([monday])
    runs = [run for run in runs if len(run) >= 2]
    if not runs:
        return None
    run = runs[-1]
    return Finding(
        "logs_missing",
        f"week:{run[0].isoformat()}",
        NORMAL,
        f"De weekverslagen van de weken van {dates_words(run)} ontbreken.",
        _path(snapshot, "tijdlijn"),
    )


def concern(snapshot: Snapshot) -> Finding | None:
    """The latest recent weekly log in which the employer ticked "Ik maak me zorgen"."""
    logs = [
        log for log in _sorted_logs(snapshot) if log.has_concern and is_recent(log.week_start, snapshot.today)
    ]
    if not logs:
        return None
    log = logs[-1]
    return Finding(
        "concern",
        _log_key(log),
        HIGH,
        f"De werkgever maakt zich zorgen in het weekverslag van de week van {day_words(log.week_start)}.",
        _path(snapshot, "tijdlijn"),
    )


def _low_log(snapshot: Snapshot) -> tuple[date, Finding] | None:
    for log in reversed(_sorted_logs(snapshot)):
        if not is_recent(log.week_start, snapshot.today):
            return None
        parts = []
        if log.punctuality == 1:
            parts.append("op tijd komen was slecht")
        if attendance_level(log.days_present, log.days_planned) == 1:
            parts.append(
                f"de kandidaat was {log.days_present} van de {log.days_planned} geplande dagen aanwezig"
            )
        if parts:
            reason = f"Weekverslag van de week van {day_words(log.week_start)}: " + " en ".join(parts) + "."
            return log.week_start, Finding(
                "low_score", _log_key(log), HIGH, reason, _path(snapshot, "tijdlijn")
            )
    return None


def _low_checkin(snapshot: Snapshot) -> tuple[date, Finding] | None:
    held = [
        c
        for c in snapshot.checkins
        if c.status == "held" and c.held_on and c.punctuality == 1 and is_recent(c.held_on, snapshot.today)
    ]
    if not held:
        return None
    checkin = max(held, key=lambda c: (c.held_on, c.number))
    reason = f"Nazorggesprek van {day_words(checkin.held_on)}: op tijd komen was slecht."
    path = _path(snapshot, f"nazorggesprek-{checkin.id}")
    return checkin.held_on, Finding("low_score", f"checkin:{checkin.id}", HIGH, reason, path)


def low_score(snapshot: Snapshot) -> Finding | None:
    """The latest recent weekly log with punctuality 1 (slecht) or attendance level 1 (under half the
    planned days), or held check-in with punctuality 1; a log wins when both are on one date."""
    found = [item for item in (_low_checkin(snapshot), _low_log(snapshot)) if item is not None]
    if not found:
        return None
    return max(enumerate(found), key=lambda pair: (pair[1][0], pair[0]))[1][1]


def _falling(values: Sequence[int | None]) -> bool:
    return None not in values and all(a > b for a, b in zip(values, values[1:], strict=False))


def falling_score(snapshot: Snapshot) -> Finding | None:
    """Punctuality or attendance level strictly lower in each of three consecutive logs (a > b > c).

    Consecutive means one after the other among the placement's logs (a week without a log is skipped).
    The finding is the latest such trio whose last log is recent; its key is that last log.
    """
    logs = _sorted_logs(snapshot)
    for end in range(len(logs) - 1, 1, -1):
        trio = logs[end - 2 : end + 1]
        if not is_recent(trio[-1].week_start, snapshot.today):
            break
        punctuality = [log.punctuality for log in trio]
        attendance = [attendance_level(log.days_present, log.days_planned) for log in trio]
        parts = []
        if _falling(punctuality):
            parts.append("op tijd komen ging van " + " naar ".join(SCALE_WORDS[p] for p in punctuality))
        if _falling(attendance):
            parts.append(
                "de aanwezigheid ging van "
                + " naar ".join(f"{log.days_present} van {log.days_planned}" for log in trio)
                + " dagen"
            )
        if parts:
            return Finding(
                "falling_score",
                _log_key(trio[-1]),
                NORMAL,
                f"Weekverslagen van de weken van {dates_words([log.week_start for log in trio])}: "
                + " en ".join(parts)
                + ".",
                _path(snapshot, "tijdlijn"),
            )
    return None


def absence_hours(snapshot: Snapshot) -> Finding | None:
    """The latest recent log with more hours absent than the threshold (strictly above it)."""
    limit = snapshot.thresholds.absence_hours
    logs = [
        log
        for log in _sorted_logs(snapshot)
        if log.hours_absent > limit and is_recent(log.week_start, snapshot.today)
    ]
    if not logs:
        return None
    log = logs[-1]
    return Finding(
        "absence_hours",
        _log_key(log),
        NORMAL,
        f"In de week van {day_words(log.week_start)} was de kandidaat {log.hours_absent} uur afwezig"
        f" (meer dan {limit} uur).",
        _path(snapshot, "tijdlijn"),
    )


def high_risk(snapshot: Snapshot) -> Finding | None:
    """The latest recent visit or held check-in with risk "high" (by its date; a visit wins a tie)."""
    today = snapshot.today
    found: list[tuple[date, int, Finding]] = []
    for visit in snapshot.visits:
        if visit.risk == "high" and is_recent(visit.visit_date, today):
            reason = (
                f"De jobcoach schatte het risico hoog in bij het bezoek van {day_words(visit.visit_date)}."
            )
            path = _path(snapshot, f"bezoek-{visit.id}")
            found.append((visit.visit_date, 1, Finding("high_risk", f"visit:{visit.id}", HIGH, reason, path)))
    for checkin in snapshot.checkins:
        held = checkin.held_on
        if checkin.status == "held" and checkin.risk == "high" and held and is_recent(held, today):
            reason = f"Bij het nazorggesprek van {day_words(held)} is het risico hoog ingeschat."
            path = _path(snapshot, f"nazorggesprek-{checkin.id}")
            found.append((held, 0, Finding("high_risk", f"checkin:{checkin.id}", HIGH, reason, path)))
    if not found:
        return None
    return max(found, key=lambda item: (item[0], item[1]))[2]


def no_jobcoach_contact(snapshot: Snapshot) -> Finding | None:
    """No visit with contact made for ``no_contact_days`` days, while in the first three months.

    Silence starts on the last day with contact (a visit with ``contact_made``, up to today), or on the
    actual start when there was none since then. The rule fires from ``start of silence +
    no_contact_days`` (14 days: silence since Monday 2 March fires on Monday 16 March), on days before
    ``actual start + 3 months``. The evidence key is the start of the silence, so a new silence after a
    new contact opens a new alert.
    """
    start = snapshot.actual_start_date
    today = snapshot.today
    if today >= add_months(start, CONTACT_MONTHS):
        return None
    contacts = [v.visit_date for v in snapshot.visits if v.contact_made and v.visit_date <= today]
    since = max([start, *contacts])
    days = snapshot.thresholds.no_contact_days
    if (today - since).days < days:
        return None
    if not any(c >= start for c in contacts):
        reason = (
            f"De jobcoach heeft sinds de start op {day_words(start)} nog geen contact gehad"
            f" ({days} dagen of langer)."
        )
    else:
        reason = (
            f"De jobcoach heeft sinds {day_words(since)} geen contact meer gehad ({days} dagen of langer)."
        )
    return Finding(
        "no_jobcoach_contact", f"since:{since.isoformat()}", NORMAL, reason, _path(snapshot, "bezoeken-titel")
    )


def checkin_overdue(snapshot: Snapshot) -> Finding | None:
    """A planned (not held, not cancelled) check-in more than N working days after its due date.

    ``working_days_between(due, today) > N``: due Monday 16 March with N = 3 fires on Friday 20 March
    (Tuesday to Thursday are the 3 allowed days); Dutch public holidays do not count. The finding is
    the latest overdue check-in.
    """
    limit = snapshot.thresholds.checkin_overdue_working_days
    overdue = [
        c
        for c in snapshot.checkins
        if c.status == "planned"
        and c.due_date < snapshot.today  # not due yet: no working days late
        and working_days_between(c.due_date, snapshot.today) > limit
    ]
    if not overdue:
        return None
    checkin = max(overdue, key=lambda c: (c.due_date, c.number))
    days = "werkdag" if limit == 1 else "werkdagen"
    return Finding(
        "checkin_overdue",
        f"checkin:{checkin.id}",
        NORMAL,
        f"Het nazorggesprek van week {checkin.week} (gepland op {day_words(checkin.due_date)}) is nog niet"
        f" gehouden: meer dan {limit} {days} te laat.",
        _path(snapshot, "nazorg"),
    )


def end_without_decision(snapshot: Snapshot) -> Finding | None:
    """Onboarding whose planned end is at most N days away (or passed) without a contract or stop decision.

    ``planned_end - today <= N`` days: with N = 7 and the end on Friday 20 March it fires from Friday
    13 March. The key is the planned end date, so an extension (a new end) can open a new alert.
    """
    if snapshot.status != "onboarding" or snapshot.has_final_decision:
        return None
    end = snapshot.planned_end_date
    if (end - snapshot.today).days > snapshot.thresholds.end_without_decision_days:
        return None
    verb = "liep af" if end < snapshot.today else "loopt af"
    return Finding(
        "end_without_decision",
        f"end:{end.isoformat()}",
        NORMAL,
        f"De plaatsing {verb} op {day_words(end)} en er is nog geen besluit over een contract of stoppen.",
        _path(snapshot),
    )


def reminders_ignored(snapshot: Snapshot) -> Finding | None:
    """At least N delivered weekly-log reminders for weeks that have ended and still have no log.

    Onboarding only. The key is the N-th ignored week (oldest first), so the alert stays the same while
    those weeks stay ignored.
    """
    if snapshot.status != "onboarding":
        return None
    logged = snapshot.logged_weeks
    last = last_log_week(snapshot)
    ignored = sorted(
        {
            week
            for week in snapshot.reminder_weeks
            if week >= monday_of(snapshot.actual_start_date)
            and week_has_ended(week, snapshot.today)
            and week not in logged
            and (last is None or week <= last)
        }
    )
    limit = snapshot.thresholds.ignored_reminders
    if len(ignored) < limit:
        return None
    weeks = ignored[:limit]
    noun = "een herinnering" if limit == 1 else f"{limit} herinneringen"
    return Finding(
        "reminders_ignored",
        f"week:{weeks[-1].isoformat()}",
        NORMAL,
        f"De werkgever kreeg {noun} voor het weekverslag van de {'week' if limit == 1 else 'weken'} van"
        f" {dates_words(weeks)}, maar heeft {'het' if limit == 1 else 'ze'} niet ingevuld.",
        _path(snapshot, "tijdlijn"),
    )


#: Every rule by its code (the codes of ``portal.aftercare.models.ALERT_RULES``).
RULES: dict[str, Callable[[Snapshot], Finding | None]] = {
    "logs_missing": logs_missing,
    "concern": concern,
    "low_score": low_score,
    "falling_score": falling_score,
    "absence_hours": absence_hours,
    "high_risk": high_risk,
    "no_jobcoach_contact": no_jobcoach_contact,
    "checkin_overdue": checkin_overdue,
    "end_without_decision": end_without_decision,
    "reminders_ignored": reminders_ignored,
}


# --- When the condition behind an alert ended --------------------------------------------------------------

#: Why an alert closed itself, per rule (the condition behind it ended). Staff read it on the timeline.
ENDED = {
    "end_without_decision": "Het besluit over het einde is vastgelegd.",
    "end_moved": "De einddatum is veranderd.",
    "checkin_held": "Het nazorggesprek is gehouden.",
    "checkin_cancelled": "Het nazorggesprek hoort niet meer bij het plan.",
    "checkin_moved": "Het nazorggesprek is naar een latere datum verplaatst.",
    "logs_filled": "De ontbrekende weekverslagen zijn ingevuld of niet meer nodig.",
    "onboarding_over": "De inwerkperiode is voorbij: er zijn geen weekverslagen meer nodig.",
    "contact_again": "De jobcoach heeft weer contact gehad.",
}
#: Rules about a state that can end by itself; the others are about something that happened (a concern,
#: a low score, a high risk) and stay until someone handles them.
STATE_RULES = (
    "end_without_decision",
    "checkin_overdue",
    "logs_missing",
    "reminders_ignored",
    "no_jobcoach_contact",
)


def _key_date(evidence_key: str) -> date | None:
    try:
        return date.fromisoformat(evidence_key.partition(":")[2])
    except ValueError:
        return None


def condition_ended(rule: str, evidence_key: str, snapshot: Snapshot) -> str | None:
    """Why the condition behind an unresolved alert of ``rule`` with ``evidence_key`` ended (a reason from
    ``ENDED``), or None while it still holds or when only a person can close it (``STATE_RULES`` only).

    end_without_decision: a final decision, or another planned end (an extension). checkin_overdue: the
    check-in was held, left the plan, or moved so it is no longer overdue. logs_missing: the run's first
    two weeks are no longer both missing. reminders_ignored: fewer ignored reminders than the threshold.
    Both log rules end with onboarding. no_jobcoach_contact: a visit with contact after the silence began.
    """
    if rule == "end_without_decision":
        if snapshot.has_final_decision or snapshot.status != "onboarding":
            return ENDED["end_without_decision"]
        return None if evidence_key == f"end:{snapshot.planned_end_date.isoformat()}" else ENDED["end_moved"]
    if rule == "checkin_overdue":
        checkin = next((c for c in snapshot.checkins if f"checkin:{c.id}" == evidence_key), None)
        if checkin is None or checkin.status == "cancelled":
            return ENDED["checkin_cancelled"]
        if checkin.status == "held":
            return ENDED["checkin_held"]
        overdue = working_days_between(checkin.due_date, snapshot.today)
        return None if overdue > snapshot.thresholds.checkin_overdue_working_days else ENDED["checkin_moved"]
    if rule in ("logs_missing", "reminders_ignored"):
        if snapshot.status != "onboarding":
            return ENDED["onboarding_over"]
        if rule == "reminders_ignored":
            return None if reminders_ignored(snapshot) is not None else ENDED["logs_filled"]
        first = _key_date(evidence_key)
        missing = set(_missing_ended_weeks(snapshot))
        holds = first is not None and {first, first + timedelta(days=7)} <= missing
        return None if holds else ENDED["logs_filled"]
    if rule == "no_jobcoach_contact":
        since = _key_date(evidence_key)
        contact = any(
            v.contact_made and since is not None and since < v.visit_date <= snapshot.today
            for v in snapshot.visits
        )
        return ENDED["contact_again"] if contact else None
    return None


def evaluate(snapshot: Snapshot) -> list[Finding]:
    """Every rule's finding for one placement (none for a placement that is not onboarding or nazorg)."""
    if snapshot.status not in EVALUATED_STATUSES:
        return []
    return [finding for rule in RULES.values() if (finding := rule(snapshot)) is not None]
