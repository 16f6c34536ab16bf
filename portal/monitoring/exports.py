"""The exports: the monitoring list (one row per candidate), the placements with their outcomes and the
dashboard's figures, as XLSX or CSV, with names or without ("zonder namen").

Rows come from one query each, read in batches (``yield_per``) and written as they come: openpyxl's
write-only workbook and the csv module keep memory flat for thousands of candidates. Every text cell is
made safe first: a spreadsheet never reads it as a formula (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy.orm import aliased

from portal.aftercare.models import AFTERCARE_OUTCOMES
from portal.auth.models import User
from portal.candidates.models import CANDIDATE_STATUSES, LEARNING_ROUTES, Candidate
from portal.core.time import to_local
from portal.employers.models import Employer
from portal.extensions import db
from portal.journey.models import EXIT_KINDS, REFERRAL_SOURCES, ROUTES, STAGES, WORK_EXITS, Exit, StageChange
from portal.monitoring import queries
from portal.monitoring.figures import Period, cohort_label, format_number
from portal.placements.models import CONTRACT_TYPES, PLACEMENT_STATUSES, Placement
from portal.requests.models import PlacementRequest, PlacementType

#: What can be exported: code → (Dutch name, file name part).
KINDS = {
    "kandidaten": ("Monitoringlijst: één regel per kandidaat", "monitoringlijst"),
    "plaatsingen": ("Plaatsingen met hun afloop", "plaatsingen"),
    "cijfers": ("De cijfers van deze pagina", "cijfers"),
}
FORMATS = {"xlsx": "Excel (.xlsx)", "csv": "CSV (puntkomma, voor Excel)"}
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
#: Rows read from the database per batch.
BATCH = 1000

#: A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
#: Characters an XLSX file cannot hold (control characters other than tab, newline and carriage return).
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def safe_text(value: str) -> str:
    """Text that a spreadsheet shows as text: an apostrophe before anything that could start a formula
    (also after leading spaces), and no characters a spreadsheet file cannot hold."""
    value = ILLEGAL_XML.sub("", value)
    if value[:1] in FORMULA_STARTS or value.lstrip(" ")[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def safe_value(value: Any) -> Any:
    """A cell value: text made safe, booleans in words, numbers and dates as they are, None empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Ja" if value else "Nee"
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None, microsecond=0)
    return value


@dataclass
class Table:
    """Column headers and a one-pass iterator of rows (lists of raw values)."""

    title: str
    headers: list[str]
    rows: Iterable[list[Any]]


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def write_csv(table: Table, out: IO[bytes]) -> int:
    """Write ``table`` as CSV (UTF-8 with a byte order mark, semicolons: what Dutch Excel expects); the
    number of data rows."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_text(header) for header in table.headers])
    count = 0
    for row in table.rows:
        writer.writerow([_csv_value(safe_value(value)) for value in row])
        count += 1
    text.flush()
    text.detach()
    return count


def write_xlsx(table: Table, out: IO[bytes]) -> int:
    """Write ``table`` as one worksheet of a write-only workbook; the number of data rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(safe_text(table.title)[:31].lstrip("'") or "Blad1")
    bold = Font(bold=True)
    header_cells = []
    for header in table.headers:
        cell = WriteOnlyCell(sheet, value=safe_text(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in table.rows:
        # Plain values (three times faster than a cell object each): safe_value leaves no text that starts
        # with "=", the only text openpyxl would write as a formula; dates get a date format.
        sheet.append([safe_value(value) for value in row])
        count += 1
    book.save(out)
    return count


WRITERS: dict[str, Callable[[Table, IO[bytes]], int]] = {"csv": write_csv, "xlsx": write_xlsx}


def _stream(query: sa.Select) -> Iterator[Any]:
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    yield from result


# The monitoring list --------------------------------------------------------------------------------------


def _latest_id(model, order: list, *where) -> sa.ScalarSelect:
    """The id of the candidate's latest (first in ``order``) row of ``model``: a correlated subquery
    that an index on candidate_id answers per row (portable, and planners estimate it well)."""
    inner = aliased(model)
    conditions = [inner.candidate_id == Candidate.id, *(condition(inner) for condition in where)]
    return (
        sa.select(inner.id)
        .where(*conditions)
        .order_by(*(key(inner) for key in order), inner.id.desc())
        .limit(1)
        .correlate(Candidate)
        .scalar_subquery()
    )


def candidate_query(municipality_id: int, period: Period) -> sa.Select:
    """One row per candidate of the period with everything of the team's monitoring list."""
    pop = queries.population(municipality_id, period)
    stage_columns = [
        sa.func.min(sa.case((StageChange.stage == code, StageChange.entered_on))).label(f"stage_{code}")
        for code in STAGES
    ]
    stage_dates = (
        sa.select(StageChange.candidate_id.label("candidate_id"), *stage_columns)
        .where(StageChange.municipality_id == municipality_id)
        .group_by(StageChange.candidate_id)
        .subquery("stage_dates")
    )
    registration, route, pre_track, note = (aliased(StageChange) for _ in range(4))
    first, latest = (lambda m: m.entered_on.asc()), (lambda m: m.entered_on.desc())
    exit_, placement, specialist = aliased(Exit), aliased(Placement), aliased(User)
    return (
        sa.select(
            Candidate.id,
            Candidate.pseudonym,
            Candidate.first_name,
            Candidate.last_name,
            Candidate.email,
            Candidate.phone,
            Candidate.home_town,
            Candidate.status,
            Candidate.dutch_level,
            Candidate.learning_route,
            Candidate.stage,
            Candidate.stage_since,
            Candidate.plan_agreed_on,
            specialist.full_name.label("specialist"),
            pop.c.registered_on,
            registration.source,
            route.route,
            pre_track.entered_on.label("pre_track_on"),
            pre_track.provider,
            note.note,
            exit_.exit_on,
            exit_.kind.label("exit_kind"),
            exit_.reason.label("exit_reason"),
            placement.start_date.label("placement_start"),
            placement.status.label("placement_status"),
            Employer.name.label("employer_name"),
            PlacementType.name.label("type_name"),
            *(stage_dates.c[f"stage_{code}"] for code in STAGES),
        )
        .join(pop, pop.c.candidate_id == Candidate.id)
        .outerjoin(specialist, specialist.id == Candidate.specialist_id)
        .outerjoin(stage_dates, stage_dates.c.candidate_id == Candidate.id)
        .outerjoin(
            registration,
            registration.id
            == _latest_id(StageChange, [lambda m: m.entered_on.asc()], lambda m: m.stage == "aanmelding"),
        )
        .outerjoin(
            route, route.id == _latest_id(StageChange, [latest], lambda m: m.stage == "trajectbepaling")
        )
        .outerjoin(
            pre_track, pre_track.id == _latest_id(StageChange, [first], lambda m: m.stage == "voortraject")
        )
        .outerjoin(note, note.id == _latest_id(StageChange, [latest], lambda m: m.note.is_not(None)))
        .outerjoin(
            exit_,
            exit_.id == _latest_id(Exit, [lambda m: m.exit_on.desc()], lambda m: m.status == "confirmed"),
        )
        .outerjoin(placement, placement.id == _latest_id(Placement, [lambda m: m.start_date.desc()]))
        .outerjoin(Employer, Employer.id == placement.employer_id)
        .outerjoin(PlacementType, PlacementType.id == placement.placement_type_id)
        .where(Candidate.municipality_id == municipality_id)
        .order_by(Candidate.pseudonym, Candidate.id)
    )


#: The monitoring list's columns: (header, value from a row, only with names).
def _mediation(row) -> str | None:
    if row.placement_status is None:
        return None
    status = PLACEMENT_STATUSES.get(row.placement_status, row.placement_status)
    return f"{row.type_name} bij {row.employer_name} ({status.lower()})"


def _intake(row) -> date | None:
    dates = [d for d in (row.stage_intake_rechtmatigheid, row.stage_intake_doelmatigheid) if d is not None]
    return min(dates) if dates else None


CANDIDATE_COLUMNS: list[tuple[str, Callable[[Any], Any], bool]] = [
    ("Code", lambda r: r.pseudonym, False),
    ("Voornaam", lambda r: r.first_name, True),
    ("Achternaam", lambda r: r.last_name, True),
    ("E-mailadres", lambda r: r.email, True),
    ("Telefoonnummer", lambda r: r.phone, True),
    ("Woonplaats", lambda r: r.home_town, True),
    ("Klantmanager / specialist", lambda r: r.specialist, False),
    ("Status", lambda r: CANDIDATE_STATUSES.get(r.status, r.status), False),
    ("Aanmelddatum", lambda r: r.registered_on, False),
    ("Aangemeld via", lambda r: REFERRAL_SOURCES.get(r.source) if r.source else None, False),
    ("Intakedatum", _intake, False),
    ("Taalniveau Nederlands", lambda r: r.dutch_level, False),
    (
        "Leerroute inburgering",
        lambda r: LEARNING_ROUTES.get(r.learning_route) if r.learning_route else None,
        False,
    ),
    ("Route (trajectbepaling)", lambda r: ROUTES.get(r.route) if r.route else None, False),
    ("ABC-plan afgesproken op", lambda r: r.plan_agreed_on, False),
    ("Start voortraject", lambda r: r.pre_track_on, False),
    ("Aanbieder voortraject", lambda r: r.provider, False),
    ("Huidig traject (fase)", lambda r: STAGES.get(r.stage) if r.stage else None, False),
    ("In deze fase sinds", lambda r: r.stage_since, False),
    ("Bemiddeling (laatste plaatsing)", _mediation, False),
    ("Start laatste plaatsing", lambda r: r.placement_start, False),
    ("Uitstroomdatum", lambda r: r.exit_on, False),
    ("Uitstroom naar", lambda r: EXIT_KINDS.get(r.exit_kind) if r.exit_kind else None, False),
    ("Uitstroom naar werk", lambda r: (r.exit_kind in WORK_EXITS) if r.exit_kind else None, False),
    ("Uitstroomreden", lambda r: r.exit_reason, True),
    ("Notities (laatste)", lambda r: r.note, True),
    *(
        (f"Datum {label.lower()}", operator.attrgetter(f"stage_{code}"), False)
        for code, label in STAGES.items()
    ),
]


def candidate_table(municipality_id: int, period: Period, *, without_names: bool, ids: list[int]) -> Table:
    """The monitoring list; the id of every row written is appended to ``ids`` (for the audit trail)."""
    columns = [column for column in CANDIDATE_COLUMNS if not (without_names and column[2])]

    def rows() -> Iterator[list[Any]]:
        for row in _stream(candidate_query(municipality_id, period)):
            ids.append(row.id)
            yield [value(row) for _header, value, _named in columns]

    return Table("Monitoringlijst", [header for header, _value, _named in columns], rows())


# Placements -------------------------------------------------------------------------------------------------


def placement_query(municipality_id: int, period: Period) -> sa.Select:
    pop = queries.population(municipality_id, period)
    jobcoach, contact = aliased(User), aliased(User)
    return (
        sa.select(
            Placement,
            Candidate.pseudonym,
            Candidate.first_name,
            Candidate.last_name,
            Employer.name.label("employer_name"),
            PlacementType.name.label("type_name"),
            PlacementRequest.role_title,
            jobcoach.full_name.label("jobcoach_name"),
            contact.full_name.label("contact_name"),
        )
        .join(pop, pop.c.candidate_id == Placement.candidate_id)
        .join(Candidate, Candidate.id == Placement.candidate_id)
        .join(Employer, Employer.id == Placement.employer_id)
        .join(PlacementType, PlacementType.id == Placement.placement_type_id)
        .join(PlacementRequest, PlacementRequest.id == Placement.request_id)
        .outerjoin(jobcoach, jobcoach.id == Placement.jobcoach_id)
        .outerjoin(contact, contact.id == Placement.contact_id)
        .where(Placement.municipality_id == municipality_id)
        .order_by(Placement.start_date, Placement.id)
    )


PLACEMENT_COLUMNS: list[tuple[str, Callable[[Any], Any], bool]] = [
    ("Plaatsing", lambda r: r.Placement.id, False),
    ("Code kandidaat", lambda r: r.pseudonym, False),
    ("Voornaam", lambda r: r.first_name, True),
    ("Achternaam", lambda r: r.last_name, True),
    ("Werkgever", lambda r: r.employer_name, False),
    ("Soort plaatsing", lambda r: r.type_name, False),
    ("Functie", lambda r: r.role_title, False),
    ("Startdatum", lambda r: r.Placement.start_date, False),
    ("Geplande einddatum", lambda r: r.Placement.planned_end_date, False),
    ("Echt begonnen op", lambda r: r.Placement.actual_start_date, False),
    ("Status", lambda r: PLACEMENT_STATUSES.get(r.Placement.status), False),
    (
        "Contract",
        lambda r: CONTRACT_TYPES.get(r.Placement.contract_type) if r.Placement.contract_type else None,
        False,
    ),
    ("Contract uren per week", lambda r: r.Placement.contract_hours, False),
    ("Contract start", lambda r: r.Placement.contract_start_date, False),
    ("Geëindigd op", lambda r: r.Placement.ended_on, False),
    (
        "Reden einde of uitval",
        lambda r: queries.END_REASONS.get(r.Placement.end_reason) if r.Placement.end_reason else None,
        False,
    ),
    ("Uitgevallen", lambda r: r.Placement.status == "interrupted", False),
    (
        "Afloop nazorg",
        lambda r: AFTERCARE_OUTCOMES.get(r.Placement.outcome) if r.Placement.outcome else None,
        False,
    ),
    ("Jobcoach", lambda r: r.jobcoach_name, False),
    ("Contactpersoon gemeente", lambda r: r.contact_name, False),
    ("Toelichting einde", lambda r: r.Placement.end_note, True),
    ("Toelichting afloop", lambda r: r.Placement.outcome_note, True),
]


def placement_table(municipality_id: int, period: Period, *, without_names: bool, ids: list[int]) -> Table:
    columns = [column for column in PLACEMENT_COLUMNS if not (without_names and column[2])]

    def rows() -> Iterator[list[Any]]:
        for row in _stream(placement_query(municipality_id, period)):
            ids.append(row.Placement.candidate_id)
            yield [value(row) for _header, value, _named in columns]

    return Table("Plaatsingen", [header for header, _value, _named in columns], rows())


# The dashboard's figures ------------------------------------------------------------------------------------


def _spread_rows(section: str, label: str, value, unit: str) -> list[list[Any]]:
    return [
        [section, f"{label}: aantal", value.count, ""],
        [section, f"{label}: mediaan", value.median, unit],
        [section, f"{label}: 90e percentiel", value.p90, unit],
    ]


def figure_rows(board: queries.Dashboard) -> list[list[Any]]:
    """The dashboard as rows of (section, figure, value, unit); numbers stay numbers."""
    period = board.period
    rows: list[list[Any]] = [
        ["Periode", "Aanmelding vanaf", period.first, ""],
        ["Periode", "Aanmelding tot en met", period.last, ""],
        ["Periode", "Aangemelde kandidaten", board.registered, "kandidaten"],
    ]
    rows += [["Fase nu", stage["label"], stage["count"], "kandidaten"] for stage in board.stages]
    for cohort in board.cohorts:
        name = f"Cohort {cohort_label(cohort['code'])}"
        rows += [
            [name, "Aangemeld", cohort["registered"], "kandidaten"],
            [name, "Nog in traject", cohort["in_progress"], "kandidaten"],
            [name, "Geplaatst of in nazorg", cohort["placed"], "kandidaten"],
            [name, "Uitgestroomd", cohort["exited"], "kandidaten"],
            [name, "Naar werk", cohort["to_work"], "kandidaten"],
        ]
    for step in board.waiting:
        rows += _spread_rows("Wachttijd", step["label"], step["spread"], "dagen")
    rows.append(["Aanvragen", "Ingediend", board.requests["submitted"], "aanvragen"])
    rows += _spread_rows("Aanvragen", "Tot eerste voorstel", board.requests["to_proposal"], "dagen")
    rows += _spread_rows("Aanvragen", "Tot start plaatsing", board.requests["to_start"], "dagen")
    rows += [
        ["Plaatsingen per soort", kind["label"], kind["count"], "plaatsingen"]
        for kind in board.placement_types
    ]
    rows += [
        ["Plaatsingen per status", s["label"], s["count"], "plaatsingen"] for s in board.placement_statuses
    ]
    rows += [["Afloop nazorg", o["label"], o["count"], "plaatsingen"] for o in board.outcomes]
    dropout = board.dropout
    rows += [
        ["Uitval", "Begonnen plaatsingen", dropout["started"], "plaatsingen"],
        ["Uitval", "Uitgevallen", dropout["interrupted"], "plaatsingen"],
        ["Uitval", "Uitvalpercentage", dropout["rate"], "%"],
    ]
    rows += [["Reden van uitval", r["label"], r["count"], "plaatsingen"] for r in dropout["reasons"]]
    exits = board.exits
    rows += [
        ["Uitstroom", "Uitgestroomd", exits["exited"], "kandidaten"],
        ["Uitstroom", "Naar werk (incl. BBL)", exits["to_work"], "kandidaten"],
        ["Uitstroom", "Naar werk, van alle aangemelde kandidaten", exits["to_work_share"], "%"],
        ["Uitstroom", "Naar werk, van alle uitgestroomde kandidaten", exits["work_share_of_exits"], "%"],
    ]
    rows += [["Uitstroom naar", kind["label"], kind["count"], "kandidaten"] for kind in exits["kinds"]]
    for item in board.retention:
        name = f"Na {item['months']} maanden"
        rows += [
            [name, "Gevraagd", item["asked"], "navragen"],
            [name, "Beantwoord", item["answered"], "navragen"],
            [name, "Werkt nog", item["employed"], "navragen"],
            [name, "Werkt nog, van de beantwoorde", item["rate"], "%"],
        ]
    caseload = board.caseload
    rows.append(["Caseload", "Norm per specialist", caseload["norm"], "kandidaten"])
    rows += [["Caseload", s["name"], s["count"], "kandidaten"] for s in caseload["specialists"]]
    rows.append(["Caseload", "Zonder specialist", caseload["unassigned"], "kandidaten"])
    alerts = board.alerts
    rows.append(["Signalen", "Geopend", alerts["opened"], "signalen"])
    rows.append(["Signalen", "Nog niet afgehandeld", alerts["open"], "signalen"])
    rows += _spread_rows("Signalen", "Tijd tot oppakken", alerts["pickup_hours"], "uur")
    rows += _spread_rows("Signalen", "Tijd tot afhandelen", alerts["resolve_hours"], "uur")
    for row in rows:
        if isinstance(row[2], float):
            row[2] = round(row[2], 1)
    return rows


def figure_table(board: queries.Dashboard) -> Table:
    return Table("Cijfers", ["Onderdeel", "Cijfer", "Waarde", "Eenheid"], figure_rows(board))
