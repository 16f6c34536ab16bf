"""Import of candidate profiles from the CSV or XLSX export of the teams' spreadsheet.

Reading is defensive: the file type is checked by extension and magic bytes, zip archives (xlsx) are
size-checked before anything is unpacked, and every cell is text (a cell starting with =, +, - or @ is
never evaluated). Every row is validated with the profile form itself, so import and form share one set
of rules. The parsed rows travel to the confirm step signed with the app's SECRET_KEY.

The columns of the team's old tracker list (klantmanager, intakedatum, route, start voortraject, huidig
traject, bemiddeling WGT, uitstroomdatum and -reden, notities) become the candidate's specialist, dated
journey stages and a confirmed exit (``JOURNEY_HEADINGS``, ``record_journey``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from portal.auth.models import User
from portal.candidates import services
from portal.candidates.forms import CandidateForm
from portal.candidates.models import EDUCATION_LEVELS, LEARNING_ROUTES, WORK_READINESS, Candidate
from portal.core.audit import record
from portal.core.codes import LANGUAGE_LEVELS, WEEKDAYS
from portal.core.errors import DomainError
from portal.core.forms import CONTROL_CHARS_RE, contains_bsn
from portal.core.time import now_utc, today_local
from portal.employers.models import SECTORS
from portal.extensions import db
from portal.journey.models import EXIT_KINDS, ROUTES, STAGES, Exit, StageChange

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_COLUMNS = 60
#: Zip limits checked before unpacking an xlsx (a zip bomb never gets opened).
MAX_ZIP_MEMBERS = 200
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
SIGNING_SALT = "candidates.import"
PAYLOAD_MAX_AGE = 3600

#: Spreadsheet heading (lower case, spaces as _) → profile form field.
HEADINGS = {
    "voornaam": "first_name",
    "achternaam": "last_name",
    "e-mail": "email",
    "email": "email",
    "telefoon": "phone",
    "woonplaats": "home_town",
    "opleidingsniveau": "education_level",
    "opleidingsland": "education_country",
    "diploma_nl": "education_completed_nl",
    "nt2_niveau": "dutch_level",
    "taalniveau": "dutch_level",
    "engels": "english_level",
    "andere_talen": "other_languages",
    "certificaten": "certificates",
    "beschikbare_dagen": "available_days",
    "uren_per_week": "hours_per_week",
    "lesdagen": "class_days",
    "leerroute": "learning_route",
    "plan_a": "plan_a",
    "plan_b": "plan_b",
    "plan_c": "plan_c",
    "sectoren": "desired_sectors",
    "werkfit": "work_readiness",
    "werkbereidheid": "work_readiness",
    "reisafstand_km": "travel_range_km",
    "motivatie": "motivation",
    "screeningsdatum": "screened_on",
    "zorg_eerst": "care_first",
}
REQUIRED_COLUMNS = {
    "first_name": "voornaam",
    "last_name": "achternaam",
    "home_town": "woonplaats",
    "education_level": "opleidingsniveau",
    "dutch_level": "nt2_niveau",
    "english_level": "engels",
    "work_readiness": "werkfit",
    "hours_per_week": "uren_per_week",
    "travel_range_km": "reisafstand_km",
}
CODE_LISTS = {
    "education_level": EDUCATION_LEVELS,
    "dutch_level": LANGUAGE_LEVELS,
    "english_level": LANGUAGE_LEVELS,
    "learning_route": LEARNING_ROUTES,
    "work_readiness": WORK_READINESS,
}
#: Other ways teams write a code (lower case) → the code.
ALIASES = {
    "learning_route": {"b1": "b1", "b1 route": "b1", "onderwijsroute": "onderwijs", "z": "z", "z route": "z"},
    "work_readiness": {"nog niet": "nog_niet", "activering": "activering", "onderwijs": "onderwijs"},
}
MULTI_CODES = {"available_days": WEEKDAYS, "class_days": WEEKDAYS, "desired_sectors": SECTORS}
BOOLEANS = ("education_completed_nl", "care_first")
YES = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
NO = {"nee", "n", "no", "false", "onwaar", "0", ""}
DATE_RE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")

#: Columns of the team's tracker list (heading as letters and digits joined by _) → journey field.
JOURNEY_HEADINGS = {
    "klantmanager": "specialist",
    "wij_generalist": "specialist",
    "klantmanager_wij_generalist": "specialist",
    "generalist": "specialist",
    "specialist": "specialist",
    "consulent": "specialist",
    "intakedatum": "intake_on",
    "datum_intake": "intake_on",
    "intake": "intake_on",
    "route": "route",
    "trajectbepaling": "route",
    "route_trajectbepaling": "route",
    "trajectbepaling_route": "route",
    "start_voortraject": "voortraject_on",
    "startdatum_voortraject": "voortraject_on",
    "voortraject": "voortraject_on",
    "huidig_traject": "programme",
    "huidige_traject": "programme",
    "bemiddeling_wgt": "wgt_on",
    "bemiddeling_werkgeversteam": "wgt_on",
    "wgt": "wgt_on",
    "uitstroomdatum": "exit_on",
    "uitstroom_datum": "exit_on",
    "datum_uitstroom": "exit_on",
    "uitstroomreden": "exit_reason",
    "uitstroom_reden": "exit_reason",
    "reden_uitstroom": "exit_reason",
    "notities": "notes",
    "notitie": "notes",
    "opmerkingen": "notes",
    "opmerking": "notes",
}
#: How a journey column is named in an error when its heading is not at hand.
JOURNEY_COLUMN_NAMES = {
    "specialist": "klantmanager",
    "intake_on": "intakedatum",
    "route": "route",
    "voortraject_on": "start voortraject",
    "programme": "huidig traject",
    "wgt_on": "bemiddeling WGT",
    "exit_on": "uitstroomdatum",
    "exit_reason": "uitstroomreden",
    "notes": "notities",
}
#: The stage an intake date records: the team's own (work-oriented) intake.
INTAKE_STAGE = "intake_doelmatigheid"
#: Who provides the vervolgtraject when the team's list says "bemiddeling WGT" with a date.
WGT_PROVIDER = "Werkgeversteam (bemiddeling WGT)"
#: Other ways teams write a route (lower case) → the code.
ROUTE_ALIASES = {
    "bbl": "leerwerk",
    "leer-werk": "leerwerk",
    "leerwerktraject": "leerwerk",
    "onderwijs": "opleiding",
    "studie": "opleiding",
    "school": "opleiding",
    "participatie": "activering",
    "zorg": "zorg",
    "werkroute": "werk",
}
#: Words in an exit reason (lower case) → the exit kind, first match wins; no match: "other".
EXIT_REASON_WORDS = (
    (("voltijd", "fulltime", "full-time", "full time"), "work_fulltime"),
    (("deeltijd", "parttime", "part-time", "part time"), "work_parttime"),
    (("bbl", "leerwerk", "leer-werk"), "leerwerk"),
    (("opleiding", "studie", "school", "onderwijs", "mbo", "hbo"), "education"),
    (("verhuisd", "verhuizing", "verhuist", "andere gemeente"), "moved"),
)
MONTHS_NL = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "mrt": 3, "maart": 3, "apr": 4, "april": 4,
    "mei": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7, "aug": 8, "augustus": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oktober": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
DUTCH_DATE_RE = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$")
ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
#: Excel stores a date as days since 30 December 1899; these numbers are the years 2000 to 2100.
EXCEL_SERIAL_RANGE = (36526, 73051)
FIRST_YEAR = 2000
NOTE_MAX = 500
PROVIDER_MAX = 120


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportRow:
    number: int
    #: Form field → raw text as the form receives it (lists for checkbox groups).
    values: dict[str, Any]
    #: The tracker columns, checked: ``specialist_id``, ``stages`` and ``exit`` (see ``_journey``).
    journey: dict[str, Any] = field(default_factory=dict)

    @property
    def current_stage(self) -> tuple[str, date] | None:
        """(stage, since) the row's journey ends in, if any."""
        stages = self.journey.get("stages") or []
        return (stages[-1]["stage"], date.fromisoformat(stages[-1]["on"])) if stages else None


@dataclass
class ParsedImport:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


# Reading the file -------------------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> list[list[Any]]:
    """The file's rows as lists of cell values; raises DomainError for anything unreadable (wrong type,
    too big, too many rows)."""
    name = (filename or "").lower()
    if len(data) > MAX_BYTES:
        raise DomainError("Het bestand is groter dan 2 MB. Splits het bestand in delen.")
    if not data:
        raise DomainError("Het bestand is leeg.")
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv"):
        return _read_csv(data)
    raise DomainError("Kies een bestand dat eindigt op .csv of .xlsx.")


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DomainError(
            "De tekens in dit bestand zijn niet te lezen. Sla het op als 'CSV UTF-8' en probeer het opnieuw."
        ) from exc


def _read_csv(data: bytes) -> list[list[Any]]:
    if data.startswith(XLSX_MAGIC) or b"\x00" in data:
        raise DomainError("Dit is geen CSV-bestand. Kies een CSV- of Excel-bestand (.xlsx).")
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        return _limited(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise DomainError("Dit CSV-bestand is niet goed te lezen. Controleer het bestand.") from exc


def _check_zip(data: bytes) -> None:
    if not data.startswith(XLSX_MAGIC):
        raise DomainError("Dit is geen Excel-bestand (.xlsx). Kies een CSV- of Excel-bestand.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DomainError("Dit Excel-bestand is beschadigd of niet te lezen.") from exc
    names = {member.filename for member in members}
    too_big = sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES
    if len(members) > MAX_ZIP_MEMBERS or too_big or "xl/workbook.xml" not in names:
        raise DomainError("Dit Excel-bestand is niet te lezen. Sla het opnieuw op als .xlsx.")


def _read_xlsx(data: bytes) -> list[list[Any]]:
    _check_zip(data)
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell comes back as its text ("=SOM(A1)"), never as a computed value.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = workbook.worksheets[0]
            return _limited(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
        finally:
            workbook.close()
    except DomainError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the parser on a hostile file is a refusal
        raise DomainError("Dit Excel-bestand is beschadigd of niet te lezen.") from exc


def _limited(rows) -> list[list[Any]]:
    """At most a heading plus MAX_ROWS rows (empty rows are skipped but keep their row number)."""
    table: list[list[Any]] = []
    data_rows = 0
    for row in rows:
        cells = list(row)[:MAX_COLUMNS]
        table.append(cells)
        if len(table) > 1 and any(_cell_text(cell) for cell in cells):
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise DomainError(
                    f"Het bestand heeft meer dan {MAX_ROWS} rijen. Splits het bestand in delen."
                )
    return table


# Cells to form input -------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """A cell as text; formulas stay the text they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _heading(value: Any) -> str:
    return "_".join(_cell_text(value).replace("\ufeff", "").lower().split())


def _code(value: str, options: dict[str, str]) -> str:
    """Match a code or a label case-insensitively; an unknown value goes through (the form refuses it)."""
    wanted = value.casefold()
    for code, label in options.items():
        if wanted in (code.casefold(), label.casefold()):
            return code
    return value


def _codes(value: str, options: dict[str, str]) -> list[str]:
    """``ma, di`` / ``maandag;dinsdag`` / ``ma di`` → codes (a label may contain spaces)."""
    codes = []
    for part in (p.strip() for p in re.split(r"[,;/]", value)):
        if not part:
            continue
        code = _code(part, options)
        words = [_code(word, options) for word in part.split()]
        if code not in options and len(words) > 1 and all(word in options for word in words):
            codes.extend(words)
        else:
            codes.append(code)
    return codes


def _date(value: str) -> str:
    match = DATE_RE.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    return value


def _convert(name: str, text: str) -> tuple[Any, str | None]:
    """(form input, error) for one cell of column ``name``."""
    if name in BOOLEANS:
        if text.casefold() not in YES | NO:
            return None, "Vul ja of nee in."
        return ("y" if text.casefold() in YES else None), None
    if name in CODE_LISTS:
        alias = ALIASES.get(name, {}).get(" ".join(text.casefold().replace("-", " ").split()))
        return alias or _code(text, CODE_LISTS[name]), None
    if name in MULTI_CODES:
        return _codes(text, MULTI_CODES[name]), None
    if name == "screened_on":
        return (_date(text) if text else today_local().isoformat()), None
    return text, None


# Parsing and validation -------------------------------------------------------------------------------


def _journey_key(value: Any) -> str:
    """A heading as lower-case letters and digits joined by _ ("Klantmanager / WIJ-generalist" →
    ``klantmanager_wij_generalist``)."""
    return "_".join(re.findall(r"[a-z0-9]+", _cell_text(value).replace("\ufeff", "").lower()))


def _columns(heading_row: list[Any], result: ParsedImport) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, cell in enumerate(heading_row):
        name = HEADINGS.get(_heading(cell)) or JOURNEY_HEADINGS.get(_journey_key(cell))
        if name is None or name in columns.values():
            if _cell_text(cell):
                result.ignored_columns.append(_cell_text(cell)[:60])
            continue
        columns[index] = name
    return columns


def parse(filename: str, data: bytes, municipality_id: int | None = None) -> ParsedImport:
    """Read, map and validate every row; file-level problems raise DomainError.

    ``municipality_id``: whose municipal users a klantmanager column may name.
    """
    table = read_table(filename, data)
    result = ParsedImport()
    if not table:
        raise DomainError("Het bestand is leeg.")
    columns = _columns(table[0], result)
    missing = [heading for name, heading in REQUIRED_COLUMNS.items() if name not in columns.values()]
    if missing:
        raise DomainError(f"Deze kolommen ontbreken: {', '.join(missing)}.")
    headings = {name: _cell_text(table[0][index]) for index, name in columns.items()}
    staff = _staff_directory(municipality_id) if "specialist" in columns.values() else {}
    for offset, cells in enumerate(table[1:]):
        if any(_cell_text(cell) for cell in cells):
            _parse_row(offset + 2, cells, columns, headings, result, staff)
    if not result.rows:
        raise DomainError("Het bestand bevat geen kandidaten: alleen kopjes of lege rijen.")
    return result


def _parse_row(number: int, cells: list[Any], columns, headings, result: ParsedImport, staff) -> None:
    values: dict[str, Any] = {}
    tracker: dict[str, str] = {}
    for index, name in columns.items():
        cell = cells[index] if index < len(cells) else None
        if name in JOURNEY_COLUMN_NAMES:
            tracker[name] = _journey_cell(cell)
            continue
        value, error = _convert(name, _cell_text(cell))
        if error:
            result.errors.append(RowError(number, headings[name], error))
        elif value not in (None, "", []):
            values[name] = value
    values.setdefault("screened_on", today_local().isoformat())
    journey, errors = _journey(tracker, staff)
    for name, message in errors:
        result.errors.append(RowError(number, headings.get(name) or JOURNEY_COLUMN_NAMES[name], message))
    result.rows.append(ImportRow(number, values, journey))
    form = row_form(values)
    if not form.validate():
        for field_name, messages in form.errors.items():
            heading = headings.get(field_name) or getattr(form, field_name).label.text
            result.errors.append(RowError(number, heading, messages[0]))


# The tracker columns: specialist, stages and exit ----------------------------------------------------------


def _journey_cell(value: Any) -> str:
    """A tracker cell as text; a date cell keeps its day (Excel dates come as datetime)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return _cell_text(value)


def _name_key(value: str) -> str:
    return " ".join(value.casefold().split())


def _staff_directory(municipality_id: int | None) -> dict[str, list[int]]:
    """Name and e-mail address (case-insensitive) → ids of the active municipal users of the municipality."""
    directory: dict[str, list[int]] = {}
    if municipality_id is None:
        return directory
    query = sa.select(User.id, User.full_name, User.email).where(
        User.municipality_id == municipality_id, User.role == "municipal", User.is_active.is_(True)
    )
    for user_id, full_name, email in db.session.execute(query):
        for key in {_name_key(full_name), _name_key(email)}:
            directory.setdefault(key, []).append(user_id)
    return directory


def parse_journey_date(text: str) -> date | None:
    """15-03-2026, 15/3/2026, 15.03.2026, 2026-03-15, 15 maart 2026, or an Excel day number; else None."""
    text = " ".join(text.casefold().split())
    try:
        if match := DATE_RE.match(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if match := ISO_DATE_RE.match(text):
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
        if (match := DUTCH_DATE_RE.match(text)) and match.group(2) in MONTHS_NL:
            return date(int(match.group(3)), MONTHS_NL[match.group(2)], int(match.group(1)))
    except ValueError:
        return None
    if text.isdigit() and EXCEL_SERIAL_RANGE[0] <= int(text) <= EXCEL_SERIAL_RANGE[1]:
        return date(1899, 12, 30) + timedelta(days=int(text))
    return None


def _day(text: str, name: str, errors: list[tuple[str, str]]) -> date | None:
    if not text:
        return None
    day = parse_journey_date(text)
    if day is None:
        errors.append((name, "Vul een datum in, zoals 15-03-2026."))
    elif day > today_local():
        errors.append((name, "Deze datum ligt in de toekomst. Vul een datum van vandaag of eerder in."))
    elif day.year < FIRST_YEAR:
        errors.append((name, f"Vul een datum vanaf {FIRST_YEAR} in."))
    else:
        return day
    return None


def _route(text: str) -> str | None:
    wanted = " ".join(text.casefold().split())
    code = _code(text, ROUTES)
    if code in ROUTES:
        return code
    return ROUTE_ALIASES.get(wanted)


def exit_kind(reason: str) -> str:
    """The exit kind a reason in words clearly names ("Werk, deeltijd" → work_parttime); else "other"."""
    wanted = " ".join(reason.casefold().split())
    for code, label in EXIT_KINDS.items():
        if wanted in (code, label.casefold()):
            return code
    for words, kind in EXIT_REASON_WORDS:
        if any(re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", wanted) for word in words):
            return kind
    return "other"


def _free_text(text: str, name: str, limit: int, errors: list[tuple[str, str]]) -> str | None:
    if not text:
        return None
    if CONTROL_CHARS_RE.search(text):
        errors.append((name, "Deze tekst bevat tekens die niet zijn toegestaan."))
    elif contains_bsn(text):
        errors.append((name, "Vul nooit een burgerservicenummer in."))
    elif len(text) > limit:
        errors.append((name, f"Gebruik hoogstens {limit} tekens."))
    else:
        return text
    return None


def _specialist(name: str, staff: dict[str, list[int]], errors: list[tuple[str, str]]) -> int | None:
    found = staff.get(_name_key(name), [])
    if len(found) == 1:
        return found[0]
    if found:
        errors.append(
            ("specialist", "Meer medewerkers heten zo. Vul het e-mailadres van de klantmanager in.")
        )
    else:
        errors.append(
            (
                "specialist",
                "Deze klantmanager kennen we niet. Vul de naam of het e-mailadres in van een medewerker van "
                "uw gemeente met een account in Werkbrug.",
            )
        )
    return None


def _wgt_day(text: str, errors: list[tuple[str, str]]) -> date | None:
    """Bemiddeling WGT: a date starts the vervolgtraject; nee or empty is none; ja alone lacks the date."""
    if not text or text.casefold() in NO:
        return None
    if text.casefold() in YES:
        errors.append(("wgt_on", "Vul de datum in waarop de bemiddeling door het werkgeversteam begon."))
        return None
    return _day(text, "wgt_on", errors)


def _route_stage(text: str, on: date | None, errors: list[tuple[str, str]]) -> dict[str, Any] | None:
    route = _route(text)
    if route is None:
        errors.append(("route", "Kies een route: werk, leerwerk, opleiding, activering of zorg."))
        return None
    if on is None:
        errors.append(("route", "Vul ook de intakedatum in: de route wordt bij de intake bepaald."))
        return None
    return {"stage": "trajectbepaling", "on": on, "route": route}


def _attach_texts(stages: list[dict[str, Any]], programme: str | None, notes: str | None) -> None:
    """The current programme is the provider of the latest traject stage without one (else a note);
    the notes go with the latest stage (an aanmelding today when the row has no dated stage)."""
    open_traject = [
        stage
        for stage in stages
        if stage["stage"] in ("voortraject", "vervolgtraject") and not stage.get("provider")
    ]
    if programme and open_traject:
        open_traject[-1]["provider"] = programme
    elif programme:
        notes = f"Huidig traject: {programme}" + (f". {notes}" if notes else "")
    if notes:
        if not stages:
            stages.append({"stage": "aanmelding", "on": today_local()})
        stages[-1]["note"] = notes[:NOTE_MAX]


def _journey(
    tracker: dict[str, str], staff: dict[str, list[int]]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The checked journey of one row and its errors as (column, message).

    The journey is JSON: ``specialist_id``, ``stages`` ([{stage, on, route?, provider?, note?}], oldest
    first) and ``exit`` ({on, kind, reason}).
    """
    errors: list[tuple[str, str]] = []
    journey: dict[str, Any] = {}
    if not tracker:
        return journey, errors
    if name := tracker.get("specialist"):
        journey["specialist_id"] = _specialist(name, staff, errors)
    intake = _day(tracker.get("intake_on", ""), "intake_on", errors)
    voortraject = _day(tracker.get("voortraject_on", ""), "voortraject_on", errors)
    exit_on = _day(tracker.get("exit_on", ""), "exit_on", errors)
    wgt = _wgt_day(tracker.get("wgt_on", ""), errors)
    bad_dates = {name for name, _ in errors}
    stages: list[dict[str, Any]] = []
    if intake:
        stages.append({"stage": INTAKE_STAGE, "on": intake})
    if tracker.get("route") and not bad_dates & {"intake_on", "voortraject_on"}:
        route = _route_stage(tracker["route"], intake or voortraject, errors)
        stages += [route] if route else []
    if voortraject:
        stages.append({"stage": "voortraject", "on": voortraject})
    if wgt:
        stages.append({"stage": "vervolgtraject", "on": wgt, "provider": WGT_PROVIDER})
    notes = _free_text(tracker.get("notes", ""), "notes", NOTE_MAX, errors)
    programme = _free_text(tracker.get("programme", ""), "programme", PROVIDER_MAX, errors)
    reason = _free_text(tracker.get("exit_reason", ""), "exit_reason", 500, errors)
    if reason and not exit_on and "exit_on" not in bad_dates:
        errors.append(("exit_on", "Vul ook de uitstroomdatum in."))
    if exit_on:
        if any(stage["on"] > exit_on for stage in stages):
            errors.append(("exit_on", "De uitstroomdatum ligt voor een andere datum in deze rij."))
        journey["exit"] = {"on": exit_on.isoformat(), "kind": exit_kind(reason or ""), "reason": reason}
        stages.append({"stage": "uitstroom", "on": exit_on})
    stages.sort(key=lambda stage: (stage["on"], list(STAGES).index(stage["stage"])))
    _attach_texts(stages, programme, notes)
    journey["stages"] = [{**stage, "on": stage["on"].isoformat()} for stage in stages]
    return journey, errors


def import_rows(actor: User, municipality_id: int, rows: list[ImportRow]) -> list[Candidate] | None:
    """Add every row as a candidate with its journey, or none; None when a row no longer passes."""
    profiles = revalidate(rows)
    if profiles is None:
        return None
    created = services.import_candidates(actor, municipality_id, profiles)
    for candidate, row in zip(created, rows, strict=True):
        if row.journey:
            record_journey(actor, candidate, row.journey)
    db.session.flush()
    return created


def record_journey(actor: User, candidate: Candidate, journey: dict[str, Any]) -> None:
    """Write an imported row's specialist, stages and exit (recorded by ``actor``).

    A small local writer: once ``portal.journey.services`` has its stage and exit verbs, this calls them.
    """
    specialist_id = journey.get("specialist_id")
    if specialist_id is not None:
        still_there = db.session.scalar(
            sa.select(User.id).where(
                User.id == specialist_id,
                User.municipality_id == candidate.municipality_id,
                User.role == "municipal",
                User.is_active.is_(True),
            )
        )
        if still_there is None:
            raise DomainError(
                "Een klantmanager uit het bestand heeft geen account meer. Kies het bestand opnieuw."
            )
        candidate.specialist_id = specialist_id
    now = now_utc()
    stages = []
    for item in journey.get("stages", []):
        stage = StageChange(
            municipality_id=candidate.municipality_id,
            candidate_id=candidate.id,
            stage=item["stage"],
            entered_on=date.fromisoformat(item["on"]),
            route=item.get("route"),
            provider=item.get("provider"),
            note=item.get("note"),
            recorded_by_id=actor.id,
            recorded_at=now,
        )
        db.session.add(stage)
        stages.append(stage)
    if stages:
        candidate.stage, candidate.stage_since = stages[-1].stage, stages[-1].entered_on
    if exit_data := journey.get("exit"):
        db.session.add(
            Exit(
                municipality_id=candidate.municipality_id,
                candidate_id=candidate.id,
                status="confirmed",
                exit_on=date.fromisoformat(exit_data["on"]),
                kind=exit_data["kind"],
                reason=exit_data.get("reason"),
                recorded_by_id=actor.id,
                confirmed_by_id=actor.id,
                confirmed_at=now,
            )
        )
        candidate.status = "inactive"  # left the caseload: not available for matching
    db.session.flush()
    record(
        actor,
        "candidate.journey_imported",
        candidate,
        specialist_id=specialist_id,
        stages=[stage.stage for stage in stages],
        exit_kind=exit_data["kind"] if exit_data else None,
    )


def row_form(values: dict[str, Any]) -> CandidateForm:
    """The profile form filled with one row (no CSRF: the confirm step's own form carries it)."""
    pairs = MultiDict()
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.add(name, item)
    return CandidateForm(formdata=pairs, meta={"csrf": False})


def revalidate(rows: list[ImportRow]) -> list[dict[str, Any]] | None:
    """The profile data of every row when all rows still pass the form's rules; None when any fails."""
    row_forms = [row_form(row.values) for row in rows]
    if not all(form.validate() for form in row_forms):
        return None
    return [form.profile_data() for form in row_forms]


# Carrying rows to the confirm step -----------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SIGNING_SALT)


def sign_rows(rows: list[ImportRow], user_id: int, municipality_id: int) -> str:
    payload = {
        "u": user_id,
        "m": municipality_id,
        "rows": [[row.number, row.values, row.journey] for row in rows],
    }
    return _serializer().dumps(payload)


def load_rows(token: str, user_id: int, municipality_id: int) -> list[ImportRow] | None:
    """The signed rows, or None when the signature is wrong or old or they belong to someone else."""
    try:
        payload = _serializer().loads(token or "", max_age=PAYLOAD_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("u") != user_id or payload.get("m") != municipality_id:
        return None
    try:
        return [
            ImportRow(int(number), dict(values), dict(journey)) for number, values, journey in payload["rows"]
        ]
    except (KeyError, TypeError, ValueError):
        return None
