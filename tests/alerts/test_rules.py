"""The risk rules as pure functions: each rule at and around its boundaries (no database needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from portal.alerts import rules
from portal.alerts.models import ALERT_RULES
from portal.alerts.rules import (
    CheckInFact,
    LogFact,
    Snapshot,
    Thresholds,
    VisitFact,
    attendance_level,
    dates_words,
    evaluate,
)

START = date(2026, 2, 23)  # a Monday
TUESDAY = date(2026, 3, 10)
_ids = iter(range(1, 10_000))


def snap(today: date = TUESDAY, **kw) -> Snapshot:
    values = {
        "placement_id": 7,
        "status": "onboarding",
        "actual_start_date": START,
        "planned_end_date": date(2026, 6, 1),
        "today": today,
    }
    values.update(kw)
    return Snapshot(**values)


def log(week: date, **kw) -> LogFact:
    values = {
        "id": next(_ids),
        "week_start": week,
        "days_planned": 3,
        "days_present": 3,
        "hours_absent": 0,
        "punctuality": 3,
        "has_concern": False,
    }
    values.update(kw)
    return LogFact(**values)


def visit(day: date, contact_made: bool = True, risk: str = "low") -> VisitFact:
    return VisitFact(next(_ids), day, contact_made, risk)


def checkin(due: date, status: str = "planned", **kw) -> CheckInFact:
    values = {"id": next(_ids), "number": 1, "week": 1, "due_date": due, "status": status}
    values.update(kw)
    return CheckInFact(**values)


def weeks(first: date, n: int) -> list[date]:
    return [first + timedelta(weeks=i) for i in range(n)]


# Helpers --------------------------------------------------------------------------------------------------


def test_the_rules_are_exactly_the_alert_rule_codes():
    assert list(rules.RULES) == list(ALERT_RULES)


@pytest.mark.parametrize(
    ("days", "words"),
    [
        ([date(2026, 3, 2)], "2 maart"),
        ([date(2026, 3, 2), date(2026, 3, 9)], "2 en 9 maart"),
        ([date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)], "2, 9 en 16 maart"),
        ([date(2026, 2, 23), date(2026, 3, 2)], "23 februari en 2 maart"),
    ],
)
def test_dates_in_words(days, words):
    assert dates_words(days) == words


@pytest.mark.parametrize(
    ("present", "planned", "level"),
    [
        (0, 0, None),
        (0, 1, 1),
        (1, 3, 1),
        (1, 2, 2),  # exactly half is not the lowest level
        (2, 3, 2),
        (2, 4, 2),
        (3, 4, 3),  # exactly three quarters
        (4, 5, 3),
        (3, 3, 4),
    ],
)
def test_attendance_level(present, planned, level):
    assert attendance_level(present, planned) == level


def test_closed_and_planned_placements_are_not_evaluated():
    for status in ("planned", "closed", "interrupted"):
        assert evaluate(snap(status=status, logs=[log(START, has_concern=True)])) == []


# Two weekly logs missing ---------------------------------------------------------------------------------


def test_logs_missing_from_the_monday_after_the_second_missing_week():
    sunday, monday = date(2026, 3, 8), date(2026, 3, 9)
    assert rules.logs_missing(snap(sunday)) is None  # the week of 2 March has not ended yet
    finding = rules.logs_missing(snap(monday))
    assert finding.rule == "logs_missing"
    assert finding.evidence_key == "week:2026-02-23"
    assert finding.severity == "normal"
    assert finding.reason == "De weekverslagen van de weken van 23 februari en 2 maart ontbreken."
    assert finding.evidence_path == "/plaatsingen/7#tijdlijn"


def test_logs_missing_needs_two_consecutive_weeks():
    one_logged = [log(START)]
    assert rules.logs_missing(snap(logs=one_logged)) is None  # only 2 March is missing
    gap = [log(date(2026, 3, 2))]
    assert rules.logs_missing(snap(date(2026, 3, 16), logs=gap)) is None  # 23 Feb and 9 Mar: not in a row
    finding = rules.logs_missing(snap(date(2026, 3, 16), logs=one_logged))
    assert finding.evidence_key == "week:2026-03-02"


def test_logs_missing_starts_with_the_week_of_a_midweek_start():
    wednesday = date(2026, 2, 25)
    finding = rules.logs_missing(snap(date(2026, 3, 9), actual_start_date=wednesday))
    assert finding.evidence_key == "week:2026-02-23"


def test_logs_missing_keeps_its_key_while_the_run_goes_on_and_takes_the_latest_run():
    later = rules.logs_missing(snap(date(2026, 3, 23)))
    assert later.evidence_key == "week:2026-02-23"  # the same silence: no new alert after resolution
    assert later.reason == "De weekverslagen van de weken van 23 februari, 2, 9 en 16 maart ontbreken."
    logged = [log(date(2026, 3, 9))]
    finding = rules.logs_missing(snap(date(2026, 3, 30), logs=logged))
    assert finding.evidence_key == "week:2026-03-16"  # a new silence after a log came in


def test_logs_missing_only_in_onboarding():
    assert rules.logs_missing(snap(status="nazorg")) is None


# Concern -------------------------------------------------------------------------------------------------


def test_concern_is_high_and_names_the_week():
    worried = log(date(2026, 3, 2), has_concern=True)
    finding = rules.concern(snap(logs=[log(START), worried]))
    assert (finding.rule, finding.evidence_key, finding.severity) == ("concern", f"log:{worried.id}", "high")
    assert finding.reason == "De werkgever maakt zich zorgen in het weekverslag van de week van 2 maart."
    assert rules.concern(snap(logs=[log(START)])) is None


def test_concern_takes_the_latest_and_only_recent_logs():
    first, second = log(START, has_concern=True), log(date(2026, 3, 2), has_concern=True)
    assert rules.concern(snap(logs=[second, first])).evidence_key == f"log:{second.id}"
    old = log(TUESDAY - timedelta(days=28), has_concern=True)
    assert rules.concern(snap(logs=[old])) is not None  # 28 days ago is still recent
    older = log(TUESDAY - timedelta(days=29), has_concern=True)
    assert rules.concern(snap(logs=[older])) is None


# Lowest level -----------------------------------------------------------------------------------------------


def test_low_score_on_punctuality_one_not_two():
    assert rules.low_score(snap(logs=[log(START, punctuality=2)])) is None
    low = log(START, punctuality=1)
    finding = rules.low_score(snap(logs=[low]))
    assert (finding.evidence_key, finding.severity) == (f"log:{low.id}", "high")
    assert finding.reason == "Weekverslag van de week van 23 februari: op tijd komen was slecht."


def test_low_score_on_attendance_under_half():
    assert rules.low_score(snap(logs=[log(START, days_planned=2, days_present=1)])) is None  # half
    assert rules.low_score(snap(logs=[log(START, days_planned=0, days_present=0)])) is None
    finding = rules.low_score(snap(logs=[log(START, days_planned=3, days_present=1, punctuality=1)]))
    assert finding.reason == (
        "Weekverslag van de week van 23 februari: op tijd komen was slecht en de kandidaat was 1 van de"
        " 3 geplande dagen aanwezig."
    )


def test_low_score_takes_the_latest_low_log_and_a_held_checkin():
    low, fine = log(START, punctuality=1), log(date(2026, 3, 2))
    assert rules.low_score(snap(logs=[low, fine])).evidence_key == f"log:{low.id}"
    talk = checkin(date(2026, 3, 4), status="held", held_on=date(2026, 3, 4), punctuality=1)
    finding = rules.low_score(snap(logs=[low, fine], checkins=[talk]))
    assert finding.evidence_key == f"checkin:{talk.id}"
    assert finding.evidence_path == f"/plaatsingen/7#nazorggesprek-{talk.id}"
    planned = checkin(date(2026, 3, 4), punctuality=1)
    assert rules.low_score(snap(checkins=[planned])) is None


# Falling over three logs ---------------------------------------------------------------------------------


def test_falling_punctuality_over_three_logs():
    trio = [log(w, punctuality=p) for w, p in zip(weeks(START, 3), (4, 3, 2), strict=True)]
    finding = rules.falling_score(snap(logs=trio))
    assert (finding.rule, finding.evidence_key, finding.severity) == (
        "falling_score",
        f"log:{trio[-1].id}",
        "normal",
    )
    assert finding.reason == (
        "Weekverslagen van de weken van 23 februari, 2 en 9 maart: op tijd komen ging van heel goed naar"
        " goed naar matig."
    )


@pytest.mark.parametrize("scores", [(4, 3, 3), (3, 4, 2), (2, 2, 1)])
def test_not_strictly_falling_is_no_finding(scores):
    trio = [log(w, punctuality=p) for w, p in zip(weeks(START, 3), scores, strict=True)]
    assert rules.falling_score(snap(logs=trio)) is None


def test_falling_needs_three_logs_and_skips_weeks_without_a_log():
    two = [log(w, punctuality=p) for w, p in zip(weeks(START, 2), (4, 3), strict=True)]
    assert rules.falling_score(snap(logs=two)) is None
    spread = [
        log(START, punctuality=4),
        log(date(2026, 3, 2), punctuality=3),
        log(date(2026, 3, 16), punctuality=2),
    ]
    assert rules.falling_score(snap(date(2026, 3, 17), logs=spread)) is not None


def test_falling_attendance():
    trio = [
        log(w, days_planned=4, days_present=d)
        for w, d in zip(weeks(START, 3), (4, 3, 2), strict=True)  # levels 4, 3, 2
    ]
    finding = rules.falling_score(snap(logs=trio))
    assert "de aanwezigheid ging van 4 van 4 naar 3 van 4 naar 2 van 4 dagen" in finding.reason
    same_level = [
        log(w, days_planned=4, days_present=d) for w, d in zip(weeks(START, 3), (2, 2, 2), strict=True)
    ]
    assert rules.falling_score(snap(logs=same_level)) is None


def test_falling_takes_the_latest_falling_trio():
    logs = [log(w, punctuality=p) for w, p in zip(weeks(START, 4), (4, 3, 2, 4), strict=True)]
    finding = rules.falling_score(snap(date(2026, 3, 17), logs=logs))
    assert finding.evidence_key == f"log:{logs[2].id}"


# Hours absent --------------------------------------------------------------------------------------------


def test_absence_above_the_threshold_only():
    assert rules.absence_hours(snap(logs=[log(START, hours_absent=8)])) is None
    over = log(START, hours_absent=9)
    finding = rules.absence_hours(snap(logs=[over]))
    assert finding.evidence_key == f"log:{over.id}"
    assert finding.reason == "In de week van 23 februari was de kandidaat 9 uur afwezig (meer dan 8 uur)."
    strict = Thresholds(absence_hours=4)
    assert rules.absence_hours(snap(logs=[log(START, hours_absent=5)], thresholds=strict)) is not None
    assert rules.absence_hours(snap(logs=[log(START, hours_absent=4)], thresholds=strict)) is None


# High risk -------------------------------------------------------------------------------------------------


def test_high_risk_visit():
    assert rules.high_risk(snap(visits=[visit(date(2026, 3, 5), risk="medium")])) is None
    risky = visit(date(2026, 3, 5), risk="high")
    finding = rules.high_risk(snap(visits=[risky]))
    assert (finding.evidence_key, finding.severity) == (f"visit:{risky.id}", "high")
    assert finding.evidence_path == f"/plaatsingen/7#bezoek-{risky.id}"
    assert finding.reason == "De jobcoach schatte het risico hoog in bij het bezoek van 5 maart."


def test_high_risk_checkin_and_the_latest_wins():
    risky_visit = visit(date(2026, 3, 5), risk="high")
    talk = checkin(date(2026, 3, 6), status="held", held_on=date(2026, 3, 6), risk="high")
    finding = rules.high_risk(snap(visits=[risky_visit], checkins=[talk]))
    assert finding.evidence_key == f"checkin:{talk.id}"
    assert finding.reason == "Bij het nazorggesprek van 6 maart is het risico hoog ingeschat."
    same_day = visit(date(2026, 3, 6), risk="high")
    assert rules.high_risk(snap(visits=[same_day], checkins=[talk])).evidence_key == f"visit:{same_day.id}"
    planned = checkin(date(2026, 3, 6), risk="high")
    assert rules.high_risk(snap(checkins=[planned])) is None


def test_high_risk_only_when_recent():
    assert rules.high_risk(snap(visits=[visit(TUESDAY - timedelta(days=29), risk="high")])) is None
    assert rules.high_risk(snap(visits=[visit(TUESDAY - timedelta(days=28), risk="high")])) is not None


# No jobcoach contact ----------------------------------------------------------------------------------------


def test_no_contact_since_the_start_fires_after_exactly_the_threshold():
    start = date(2026, 3, 2)
    assert rules.no_jobcoach_contact(snap(date(2026, 3, 15), actual_start_date=start)) is None  # 13 days
    finding = rules.no_jobcoach_contact(snap(date(2026, 3, 16), actual_start_date=start))  # 14 days
    assert (finding.evidence_key, finding.severity) == ("since:2026-03-02", "normal")
    assert finding.reason == (
        "De jobcoach heeft sinds de start op 2 maart nog geen contact gehad (14 dagen of langer)."
    )


def test_no_contact_counts_from_the_last_visit_with_contact():
    start = date(2026, 3, 2)
    visits = [visit(date(2026, 3, 5)), visit(date(2026, 3, 12), contact_made=False)]
    assert rules.no_jobcoach_contact(snap(date(2026, 3, 18), actual_start_date=start, visits=visits)) is None
    finding = rules.no_jobcoach_contact(snap(date(2026, 3, 19), actual_start_date=start, visits=visits))
    assert finding.evidence_key == "since:2026-03-05"
    assert finding.reason == "De jobcoach heeft sinds 5 maart geen contact meer gehad (14 dagen of langer)."
    before_start = [visit(date(2026, 2, 20))]
    finding = rules.no_jobcoach_contact(snap(date(2026, 3, 16), actual_start_date=start, visits=before_start))
    assert finding.evidence_key == "since:2026-03-02"


def test_no_contact_only_in_the_first_three_months_and_with_the_municipal_threshold():
    start = date(2026, 3, 2)
    assert rules.no_jobcoach_contact(snap(date(2026, 6, 1), actual_start_date=start)) is not None
    assert rules.no_jobcoach_contact(snap(date(2026, 6, 2), actual_start_date=start)) is None
    week = Thresholds(no_contact_days=7)
    assert rules.no_jobcoach_contact(snap(date(2026, 3, 9), actual_start_date=start, thresholds=week))
    assert rules.no_jobcoach_contact(snap(date(2026, 3, 8), actual_start_date=start, thresholds=week)) is None


# Check-in overdue ----------------------------------------------------------------------------------------


def test_checkin_overdue_after_more_than_three_working_days():
    due = checkin(date(2026, 3, 16), week=2)  # a Monday
    assert rules.checkin_overdue(snap(date(2026, 3, 19), status="nazorg", checkins=[due])) is None
    finding = rules.checkin_overdue(snap(date(2026, 3, 20), status="nazorg", checkins=[due]))
    assert (finding.evidence_key, finding.severity) == (f"checkin:{due.id}", "normal")
    assert finding.reason == (
        "Het nazorggesprek van week 2 (gepland op 16 maart) is nog niet gehouden:"
        " meer dan 3 werkdagen te laat."
    )
    assert finding.evidence_path == "/plaatsingen/7#nazorg"


def test_checkin_overdue_skips_weekends_and_holidays():
    due = checkin(date(2026, 4, 24))  # Friday; Monday 27 April is Koningsdag
    assert rules.checkin_overdue(snap(date(2026, 4, 30), checkins=[due])) is None
    assert rules.checkin_overdue(snap(date(2026, 5, 1), checkins=[due])) is not None


def test_checkin_overdue_ignores_held_and_cancelled_and_takes_the_latest():
    held = checkin(date(2026, 3, 2), status="held", held_on=date(2026, 3, 3))
    cancelled = checkin(date(2026, 3, 2), status="cancelled")
    assert rules.checkin_overdue(snap(date(2026, 3, 20), checkins=[held, cancelled])) is None
    first, second = checkin(date(2026, 3, 2), number=1), checkin(date(2026, 3, 9), number=2)
    assert rules.checkin_overdue(snap(date(2026, 3, 20), checkins=[second, first])).evidence_key == (
        f"checkin:{second.id}"
    )


def test_checkin_overdue_with_zero_working_days():
    due = checkin(date(2026, 3, 16))
    zero = Thresholds(checkin_overdue_working_days=0)
    assert rules.checkin_overdue(snap(date(2026, 3, 16), checkins=[due], thresholds=zero)) is None
    assert rules.checkin_overdue(snap(date(2026, 3, 17), checkins=[due], thresholds=zero)) is not None


# Planned end without a decision -----------------------------------------------------------------------------


def test_end_without_decision_from_seven_days_before():
    end = date(2026, 3, 20)
    assert rules.end_without_decision(snap(date(2026, 3, 12), planned_end_date=end)) is None
    finding = rules.end_without_decision(snap(date(2026, 3, 13), planned_end_date=end))
    assert (finding.evidence_key, finding.severity) == ("end:2026-03-20", "normal")
    assert finding.reason == (
        "De plaatsing loopt af op 20 maart en er is nog geen besluit over een contract of stoppen."
    )
    late = rules.end_without_decision(snap(date(2026, 3, 23), planned_end_date=end))
    assert late.reason.startswith("De plaatsing liep af op 20 maart")


def test_end_without_decision_not_after_a_decision_or_outside_onboarding():
    end = date(2026, 3, 13)
    assert rules.end_without_decision(snap(planned_end_date=end, has_final_decision=True)) is None
    assert rules.end_without_decision(snap(planned_end_date=end, status="nazorg")) is None
    custom = Thresholds(end_without_decision_days=3)
    assert rules.end_without_decision(snap(planned_end_date=end, thresholds=custom)) is not None
    assert rules.end_without_decision(snap(planned_end_date=date(2026, 3, 14), thresholds=custom)) is None


# Ignored reminders ----------------------------------------------------------------------------------------


def test_two_ignored_reminders():
    reminded = [START, date(2026, 3, 2)]
    finding = rules.reminders_ignored(snap(reminder_weeks=reminded))
    assert (finding.evidence_key, finding.severity) == ("week:2026-03-02", "normal")
    assert finding.reason == (
        "De werkgever kreeg 2 herinneringen voor het weekverslag van de weken van 23 februari en 2 maart,"
        " maar heeft ze niet ingevuld."
    )


def test_a_reminder_counts_once_its_week_ended_without_a_log():
    reminded = [date(2026, 3, 2), date(2026, 3, 9)]
    assert rules.reminders_ignored(snap(date(2026, 3, 15), reminder_weeks=reminded)) is None  # Sunday
    assert rules.reminders_ignored(snap(date(2026, 3, 16), reminder_weeks=reminded)) is not None
    answered = [log(date(2026, 3, 2))]
    assert rules.reminders_ignored(snap(date(2026, 3, 16), reminder_weeks=reminded, logs=answered)) is None


def test_ignored_reminders_threshold_and_status():
    one = Thresholds(ignored_reminders=1)
    finding = rules.reminders_ignored(snap(reminder_weeks=[START], thresholds=one))
    assert finding.reason == (
        "De werkgever kreeg een herinnering voor het weekverslag van de week van 23 februari, maar heeft het"
        " niet ingevuld."
    )
    three = Thresholds(ignored_reminders=3)
    assert rules.reminders_ignored(snap(reminder_weeks=[START, date(2026, 3, 2)], thresholds=three)) is None
    assert rules.reminders_ignored(snap(reminder_weeks=[START, date(2026, 3, 2)], status="nazorg")) is None


def test_evaluate_runs_every_rule():
    snapshot = snap(
        date(2026, 3, 16),
        planned_end_date=date(2026, 3, 20),
        logs=[
            log(START, punctuality=4),
            log(date(2026, 3, 2), punctuality=3, hours_absent=10),
            log(date(2026, 3, 9), punctuality=1, has_concern=True),
        ],
        visits=[visit(date(2026, 2, 25), contact_made=False, risk="high")],
        reminder_weeks=[],
    )
    found = {finding.rule for finding in evaluate(snapshot)}
    assert found == {
        "concern",
        "low_score",
        "falling_score",
        "absence_hours",
        "high_risk",
        "no_jobcoach_contact",
        "end_without_decision",
    }
    assert evaluate(replace(snapshot, status="closed")) == []
