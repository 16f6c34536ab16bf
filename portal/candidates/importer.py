"""Import of candidate profiles from the CSV or XLSX export of the teams' spreadsheet.

Reading is defensive: the file type is checked by extension and magic bytes, zip archives (xlsx) are
size-checked before anything is unpacked, and every cell is text (a cell starting with =, +, - or @ is
never evaluated). Every row is validated with the profile form itself, so import and form share one set
of rules. The parsed rows travel to the confirm step signed with the app's SECRET_KEY.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from portal.candidates.forms import CandidateForm
from portal.candidates.models import EDUCATION_LEVELS, LEARNING_ROUTES, WORK_READINESS
from portal.core.codes import LANGUAGE_LEVELS, WEEKDAYS
from portal.core.errors import DomainError
from portal.core.time import today_local
from portal.employers.models import SECTORS

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


def _columns(heading_row: list[Any], result: ParsedImport) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, cell in enumerate(heading_row):
        name = HEADINGS.get(_heading(cell))
        if name is None or name in columns.values():
            if _cell_text(cell):
                result.ignored_columns.append(_cell_text(cell)[:60])
            continue
        columns[index] = name
    return columns


def parse(filename: str, data: bytes) -> ParsedImport:
    """Read, map and validate every row; file-level problems raise DomainError."""
    table = read_table(filename, data)
    result = ParsedImport()
    if not table:
        raise DomainError("Het bestand is leeg.")
    columns = _columns(table[0], result)
    missing = [heading for name, heading in REQUIRED_COLUMNS.items() if name not in columns.values()]
    if missing:
        raise DomainError(f"Deze kolommen ontbreken: {', '.join(missing)}.")
    headings = {name: _cell_text(table[0][index]) for index, name in columns.items()}
    for offset, cells in enumerate(table[1:]):
        if any(_cell_text(cell) for cell in cells):
            _parse_row(offset + 2, cells, columns, headings, result)
    if not result.rows:
        raise DomainError("Het bestand bevat geen kandidaten: alleen kopjes of lege rijen.")
    return result


def _parse_row(number: int, cells: list[Any], columns, headings, result: ParsedImport) -> None:
    values: dict[str, Any] = {}
    for index, name in columns.items():
        value, error = _convert(name, _cell_text(cells[index]) if index < len(cells) else "")
        if error:
            result.errors.append(RowError(number, headings[name], error))
        elif value not in (None, "", []):
            values[name] = value
    values.setdefault("screened_on", today_local().isoformat())
    result.rows.append(ImportRow(number, values))
    form = row_form(values)
    if not form.validate():
        for field_name, messages in form.errors.items():
            heading = headings.get(field_name) or getattr(form, field_name).label.text
            result.errors.append(RowError(number, heading, messages[0]))


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
    payload = {"u": user_id, "m": municipality_id, "rows": [[row.number, row.values] for row in rows]}
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
        return [ImportRow(int(number), dict(values)) for number, values in payload["rows"]]
    except (KeyError, TypeError, ValueError):
        return None
