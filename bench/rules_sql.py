"""The risk rules of ``portal.alerts.rules`` as one set-based PostgreSQL evaluation (benchmark reference).

``findings(connection, today)`` returns {(placement_id, rule, evidence_key)} for every evaluated placement,
computed by SQL over whole tables (no per-placement Python), so ``bench/run.py`` can check that the
reconcile's rules find exactly the same and compare their time. Only the Dutch public holidays come from
Python (``portal.core.holidays``): they go into a temporary table of working days.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal.aftercare.settings import defaults
from portal.alerts.rules import CONTACT_MONTHS, RECENT_DAYS
from portal.core.holidays import is_working_day

WORKDAYS = """
CREATE TEMPORARY TABLE IF NOT EXISTS bench_workdays (day date PRIMARY KEY, idx integer NOT NULL)
"""

#: The evaluated placements with their thresholds and whether a final decision was recorded.
BASE = """
WITH ev AS (
    SELECT p.id, p.status, p.actual_start_date AS start, p.planned_end_date AS pend,
           coalesce(s.absence_hours_threshold, :d_absence) AS absence_limit,
           coalesce(s.no_contact_days, :d_no_contact) AS no_contact_days,
           coalesce(s.checkin_overdue_working_days, :d_overdue) AS overdue_limit,
           coalesce(s.end_without_decision_days, :d_end) AS end_days,
           coalesce(s.ignored_reminders, :d_reminders) AS reminder_limit,
           EXISTS (SELECT 1 FROM end_decisions d WHERE d.placement_id = p.id
                   AND d.kind IN ('contract', 'stop')) AS decided
    FROM placements p LEFT JOIN aftercare_settings s ON s.municipality_id = p.municipality_id
    WHERE p.status IN ('onboarding', 'nazorg') AND p.actual_start_date IS NOT NULL AND p.outcome IS NULL
),
ev_last AS (  -- the Monday of the last week a log is asked for (NULL: open-ended)
    SELECT ev.*, CASE WHEN status = 'onboarding' AND decided
                      THEN pend - extract(isodow FROM pend)::int + 1 END AS last_week,
           start - extract(isodow FROM start)::int + 1 AS first_week
    FROM ev
),
logs AS (
    SELECT l.*, CASE WHEN l.days_planned <= 0 THEN NULL
                     WHEN 2 * l.days_present < l.days_planned THEN 1
                     WHEN 4 * l.days_present < 3 * l.days_planned THEN 2
                     WHEN l.days_present < l.days_planned THEN 3 ELSE 4 END AS attendance,
           (:today - l.week_start BETWEEN 0 AND :recent) AS recent
    FROM weekly_logs l JOIN ev ON ev.id = l.placement_id
    WHERE l.week_start <= :today
)
"""

RULES = {
    "concern": """
SELECT DISTINCT ON (placement_id) placement_id, 'log:' || id
FROM logs WHERE has_concern AND recent ORDER BY placement_id, week_start DESC
""",
    "absence_hours": """
SELECT DISTINCT ON (l.placement_id) l.placement_id, 'log:' || l.id
FROM logs l JOIN ev ON ev.id = l.placement_id
WHERE l.recent AND l.hours_absent > ev.absence_limit ORDER BY l.placement_id, l.week_start DESC
""",
    "low_score": """
SELECT DISTINCT ON (placement_id) placement_id, key FROM (
    SELECT placement_id, week_start AS day, 1 AS prio, 'log:' || id AS key
    FROM logs WHERE recent AND (punctuality = 1 OR attendance = 1)
    UNION ALL
    SELECT c.placement_id, c.held_on, 0, 'checkin:' || c.id
    FROM checkins c JOIN ev ON ev.id = c.placement_id
    WHERE c.status = 'held' AND c.held_on IS NOT NULL AND c.scores::jsonb -> 'punctuality' = '1'::jsonb
      AND :today - c.held_on BETWEEN 0 AND :recent
) found ORDER BY placement_id, day DESC, prio DESC
""",
    "falling_score": """
SELECT DISTINCT ON (placement_id) placement_id, 'log:' || id FROM (
    SELECT id, placement_id, week_start, recent, punctuality AS p3, attendance AS a3,
           lag(punctuality, 1) OVER w AS p2, lag(punctuality, 2) OVER w AS p1,
           lag(attendance, 1) OVER w AS a2, lag(attendance, 2) OVER w AS a1,
           row_number() OVER w AS n
    FROM logs WINDOW w AS (PARTITION BY placement_id ORDER BY week_start)
) trio
WHERE n >= 3 AND recent AND ((p1 > p2 AND p2 > p3) OR (a1 > a2 AND a2 > a3))
ORDER BY placement_id, week_start DESC
""",
    "high_risk": """
SELECT DISTINCT ON (placement_id) placement_id, key FROM (
    SELECT v.placement_id, v.visit_date AS day, 1 AS prio, v.id AS id, 'visit:' || v.id AS key
    FROM visits v JOIN ev ON ev.id = v.placement_id
    WHERE v.risk = 'high' AND :today - v.visit_date BETWEEN 0 AND :recent
    UNION ALL
    SELECT c.placement_id, c.held_on, 0, c.id, 'checkin:' || c.id
    FROM checkins c JOIN ev ON ev.id = c.placement_id
    WHERE c.status = 'held' AND c.risk = 'high' AND c.held_on IS NOT NULL
      AND :today - c.held_on BETWEEN 0 AND :recent
) found ORDER BY placement_id, day DESC, prio DESC, id DESC
""",
    "no_jobcoach_contact": """
SELECT ev.id, 'since:' || to_char(since, 'YYYY-MM-DD') FROM ev
CROSS JOIN LATERAL (
    SELECT greatest(ev.start, max(v.visit_date)) AS since FROM visits v
    WHERE v.placement_id = ev.id AND v.contact_made AND v.visit_date <= :today
) s
WHERE :today < (ev.start + make_interval(months => :contact_months))::date
  AND :today - coalesce(s.since, ev.start) >= ev.no_contact_days
""",
    "checkin_overdue": """
SELECT DISTINCT ON (c.placement_id) c.placement_id, 'checkin:' || c.id
FROM checkins c JOIN ev ON ev.id = c.placement_id
JOIN bench_workdays t ON t.day = :today JOIN bench_workdays d ON d.day = c.due_date
WHERE c.status = 'planned' AND t.idx - d.idx > ev.overdue_limit
ORDER BY c.placement_id, c.due_date DESC, c.number DESC
""",
    "end_without_decision": """
SELECT id, 'end:' || to_char(pend, 'YYYY-MM-DD') FROM ev
WHERE status = 'onboarding' AND NOT decided AND pend - :today <= end_days
""",
    "logs_missing": """
SELECT DISTINCT ON (placement_id) placement_id, 'week:' || to_char(min(week), 'YYYY-MM-DD')
FROM (
    SELECT e.id AS placement_id, w.week::date AS week,
           w.week::date - 7 * row_number() OVER (PARTITION BY e.id ORDER BY w.week)::int AS grp
    FROM ev_last e
    CROSS JOIN LATERAL generate_series(
        e.first_week, least(coalesce(e.last_week, :today - 7), :today - 7), interval '7 days') AS w(week)
    WHERE e.status = 'onboarding'
      AND NOT EXISTS (SELECT 1 FROM weekly_logs l WHERE l.placement_id = e.id AND l.week_start = w.week::date)
) missing
GROUP BY placement_id, grp HAVING count(*) >= 2
ORDER BY placement_id, min(week) DESC
""",
    "reminders_ignored": """
SELECT placement_id, 'week:' || to_char(week, 'YYYY-MM-DD') FROM (
    SELECT r.placement_id, r.week, coalesce(s.ignored_reminders, :d_reminders) AS reminder_limit,
           row_number() OVER (PARTITION BY r.placement_id ORDER BY r.week) AS n
    FROM (
        SELECT DISTINCT lr.placement_id, lr.week_start AS week
        FROM log_reminders lr
        WHERE NOT EXISTS (SELECT 1 FROM outbox_emails o
                          WHERE o.id = lr.outbox_email_id AND o.status <> 'sent')
    ) r
    JOIN placements p ON p.id = r.placement_id  -- by primary key: the reminders are few
    LEFT JOIN aftercare_settings s ON s.municipality_id = p.municipality_id
    CROSS JOIN LATERAL (
        SELECT p.actual_start_date - extract(isodow FROM p.actual_start_date)::int + 1 AS first_week,
               CASE WHEN EXISTS (SELECT 1 FROM end_decisions d WHERE d.placement_id = p.id
                                 AND d.kind IN ('contract', 'stop'))
                    THEN p.planned_end_date - extract(isodow FROM p.planned_end_date)::int + 1
               END AS last_week
    ) w
    WHERE p.status = 'onboarding' AND p.actual_start_date IS NOT NULL AND p.outcome IS NULL
      AND r.week >= w.first_week AND r.week + 7 <= :today AND (w.last_week IS NULL OR r.week <= w.last_week)
      AND NOT EXISTS (SELECT 1 FROM weekly_logs l WHERE l.placement_id = p.id AND l.week_start = r.week)
) ignored WHERE n = reminder_limit
""",
}


def fill_workdays(connection: sa.Connection, today: date) -> None:
    """Working days (Dutch public holidays excluded) with a running number, around every due date."""
    connection.execute(sa.text(WORKDAYS))
    connection.execute(sa.text("TRUNCATE bench_workdays"))
    first = connection.scalar(sa.text("SELECT min(due_date) FROM checkins")) or today
    first = min(first, today) - timedelta(days=7)
    last = max(today, connection.scalar(sa.text("SELECT max(due_date) FROM checkins")) or today)
    rows, idx, day = [], 0, first
    while day <= last:
        idx += is_working_day(day)
        rows.append({"day": day, "idx": idx})
        day += timedelta(days=1)
    connection.execute(sa.text("INSERT INTO bench_workdays (day, idx) VALUES (:day, :idx)"), rows)


def findings(connection: sa.Connection, today: date) -> set[tuple[int, str, str]]:
    """Every rule's finding for every evaluated placement: {(placement_id, rule, evidence_key)}, one set-based
    statement per rule."""
    fill_workdays(connection, today)
    d = defaults()
    params = {
        "today": today,
        "recent": RECENT_DAYS,
        "contact_months": CONTACT_MONTHS,
        "d_absence": d["absence_hours_threshold"],
        "d_no_contact": d["no_contact_days"],
        "d_overdue": d["checkin_overdue_working_days"],
        "d_end": d["end_without_decision_days"],
        "d_reminders": d["ignored_reminders"],
    }
    found = set()
    for rule, sql in RULES.items():  # one statement per rule: each gets its own plan
        found |= {(pid, rule, key) for pid, key in connection.execute(sa.text(BASE + sql), params)}
    return found
