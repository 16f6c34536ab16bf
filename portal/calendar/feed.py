"""The calendar feed itself: which events a user gets, and the iCalendar text.

Every event lasts a whole day (``DTSTART;VALUE=DATE``), so it lands on the same date in every time zone
and on daylight-saving days. An event's UID stays the same as long as the thing it is about exists, so a
calendar that refreshes updates the event instead of adding a copy.

What the feed carries about a candidate: the pseudonym code only. Free text (a task's title, a visit's
observations) never leaves the portal: it may name a person. The description links to the placement page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from icalendar import Calendar, Event

from portal.auth.models import User
from portal.calendar import queries
from portal.core.filters import format_date
from portal.extensions import db
from portal.followups import queries as followup_queries
from portal.placements.ending import decision_opens
from portal.tasks.models import TASK_KINDS
from portal.visits.models import VISIT_MODES

#: Check-ins, end dates and tasks from this many days ago ...
DAYS_BACK = 7
#: ... until this many days ahead.
DAYS_AHEAD = 120
#: A jobcoach's recorded visits of this many past days.
VISIT_DAYS_BACK = 30
#: How often a calendar should fetch the feed again.
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class FeedEvent:
    """One all-day event of the feed."""

    uid: str
    day: date
    summary: str
    description: str
    location: str
    link: str
    #: Who the event names (by pseudonym): a fetch of the feed is audited as a listing of them.
    candidate_id: int


def _about(row) -> str:
    """``K-2026-0042 (Bakkerij De Korenschoof)``: the pseudonym and the employer, never a name."""
    return f"{row.pseudonym} ({row.employer_name})"


def _place(row) -> str:
    return f"{row.workplace_name}, {row.workplace_city}"


def _link(placement_id: int) -> str:
    return current_app.config["BASE_URL"] + url_for("placements.detail", placement_id=placement_id)


def _event(uid: str, day: date, summary: str, text: str, row) -> FeedEvent:
    link = _link(row.placement_id)
    description = f"{text}\n\nOpen de plaatsing in Werkbrug: {link}"
    return FeedEvent(uid, day, summary, description, _place(row), link, row.candidate_id)


def _checkin_events(user: User, first: date, last: date, today: date) -> list[FeedEvent]:
    events = []
    for row in db.session.execute(queries.planned_checkins(user, first, last)):
        late = " (te laat)" if row.due_date < today else ""
        events.append(
            _event(
                f"checkin-{row.id}@werkbrug",
                row.due_date,
                f"Nazorggesprek {row.number}{late} – {_about(row)}",
                f"Nazorggesprek {row.number} met de werkgever en de werknemer. Gepland op "
                f"{format_date(row.due_date)}. Schrijf na het gesprek het verslag in Werkbrug.",
                row,
            )
        )
    return events


@dataclass(frozen=True)
class _Ending:
    """The one field ``decision_opens`` reads of a placement."""

    planned_end_date: date


def _ending_events(user: User, first: date, last: date) -> list[FeedEvent]:
    """Per undecided placement: the day the decision window opens and the planned end itself."""
    lead = current_app.config["DECISION_LEAD_WORKING_DAYS"]
    # A placement ending after ``last`` can still have its window open before it: look that far ahead.
    horizon = last + timedelta(days=2 * lead + 14)
    events = []
    for row in db.session.execute(queries.undecided_endings(user, first, horizon)):
        end = row.planned_end_date
        opens = decision_opens(_Ending(end), lead)
        if first <= opens <= last:
            events.append(
                _event(
                    f"besluit-{row.placement_id}@werkbrug",
                    opens,
                    f"Besluit over het einde nodig – {_about(row)}",
                    f"Vanaf vandaag kan de gemeente het besluit over het einde van de plaatsing vastleggen: "
                    f"contract, verlengen of stoppen. De plaatsing loopt af op {format_date(end)}.",
                    row,
                )
            )
        if first <= end <= last:
            events.append(
                _event(
                    f"einde-{row.placement_id}@werkbrug",
                    end,
                    f"Einddatum plaatsing – {_about(row)}",
                    "De plaatsing loopt vandaag af. Er is nog geen besluit: contract, verlengen of stoppen.",
                    row,
                )
            )
    return events


def _visit_events(user: User, today: date, last: date) -> list[FeedEvent]:
    events = []
    for row in db.session.execute(
        queries.recorded_visits(user, today - timedelta(days=VISIT_DAYS_BACK), last)
    ):
        mode = VISIT_MODES.get(row.mode, "Bezoek").lower()
        events.append(
            _event(
                f"bezoek-{row.id}@werkbrug",
                row.visit_date,
                f"Werkplekbezoek – {_about(row)}",
                f"U heeft dit bezoek vastgelegd ({mode}) op {format_date(row.visit_date)}.",
                row,
            )
        )
    return events


def _task_events(user: User, first: date, last: date) -> list[FeedEvent]:
    events = []
    for row in db.session.execute(queries.open_tasks(user, first, last)):
        kind = TASK_KINDS.get(row.kind, "Taak")
        events.append(
            _event(
                f"taak-{row.id}@werkbrug",
                row.due_date,
                f"Taak: {kind.lower()} – {_about(row)}",
                f"Er staat een open taak voor u klaar, uiterlijk op {format_date(row.due_date)}. "
                "Wat u moet doen, leest u in Werkbrug.",
                row,
            )
        )
    return events


def _followup_events(user: User, first: date, last: date, today: date) -> list[FeedEvent]:
    """The contact's unanswered retention follow-ups: on their due date, or today once they are overdue
    (the employer's answer window passed) so they stay in sight until the answer is recorded."""
    days = current_app.config["FOLLOWUP_ANSWER_DAYS"]
    events = []
    for row in db.session.execute(followup_queries.open_for_feed(user, last)):
        overdue = row.due_on < today - timedelta(days=days)
        day = today if overdue else row.due_on
        if day < first:
            continue
        link = current_app.config["BASE_URL"] + url_for("followups.record", followup_id=row.id)
        late = " (te laat)" if overdue else ""
        description = (
            f"Navraag {row.months} maanden na de uitstroom: werkt de kandidaat nog? Gepland op "
            f"{format_date(row.due_on)}. Leg het antwoord vast in Werkbrug: {link}"
        )
        summary = f"Navraag na uitstroom{late} – {row.pseudonym}"
        events.append(
            FeedEvent(
                f"navraag-{row.id}@werkbrug",
                day,
                summary,
                description,
                row.employer_name or "",
                link,
                row.candidate_id,
            )
        )
    return events


def events_for(user: User, today: date) -> list[FeedEvent]:
    """The user's events around ``today``, by date (a fixed number of queries per role)."""
    first, last = today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)
    events = _ending_events(user, first, last) + _task_events(user, first, last)
    if user.role == "municipal":
        events += _checkin_events(user, first, last, today)
        events += _followup_events(user, first, last, today)
    elif user.role == "jobcoach":
        events += _visit_events(user, today, last)
    return sorted(events, key=lambda event: (event.day, event.uid))


def render(user: User, events: list[FeedEvent], stamp: datetime) -> bytes:
    """The iCalendar text (RFC 5545) of ``events``; ``stamp`` is the moment it was made (UTC)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Werkbrug//Agenda//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Werkbrug – {user.full_name}")
    calendar.add("x-wr-caldesc", "Afspraken uit Werkbrug. Kandidaten staan er alleen met hun code in.")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("location", item.location)
        event.add("url", item.link)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
