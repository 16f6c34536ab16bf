"""Import of the columns of the team's old Excel list: specialist, stages, exit and notes."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from portal.candidates import importer
from portal.candidates.models import Candidate
from portal.extensions import db
from portal.journey.models import Exit, RetentionFollowUp, StageChange
from tests import factories
from tests.candidates.conftest import audit, count, text
from tests.candidates.test_import import confirm, csv_bytes, imported, payload_of, upload, xlsx_bytes

BASE_HEADER = [
    "Voornaam",
    "Achternaam",
    "Woonplaats",
    "Opleidingsniveau",
    "Engels",
    "Werkfit",
    "Uren per week",
]
BASE_ROW = ["Amira", "Haddad", "Eindhoven", "mbo", "B1", "direct", "24"]
REQUIRED_REST = (["Reisafstand_km", "Taalniveau"], ["15", "A2"])


def _file(columns: dict[str, str], first_name: str = "Amira") -> tuple[list[str], list[str]]:
    header = BASE_HEADER + REQUIRED_REST[0] + list(columns)
    row = [first_name, *BASE_ROW[1:], *REQUIRED_REST[1], *columns.values()]
    return header, row


def _import(client, columns: dict[str, str], *, xlsx: bool = False):
    header, row = _file(columns)
    data = xlsx_bytes([header, row]) if xlsx else csv_bytes([header, row])
    preview = upload(client, data, "lijst.xlsx" if xlsx else "lijst.csv")
    page = text(preview)
    assert "Alle 1 rijen zijn goed" in page, _errors(page)
    assert confirm(client, payload_of(preview)).status_code == 302
    return imported("Amira")


def _errors(page: str) -> list[tuple[str, str]]:
    if "Fouten per rij" not in page:
        return []
    table = page.split("Fouten per rij")[1].split("</table>")[0]
    return re.findall(r"<td[^>]*>\d+</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>", table)


def _refused(client, columns: dict[str, str]) -> list[tuple[str, str]]:
    header, row = _file(columns)
    before = count(Candidate), count(StageChange), count(Exit)
    page = text(upload(client, csv_bytes([header, row]), "lijst.csv"))
    assert "Er is niets geïmporteerd" in page
    assert (count(Candidate), count(StageChange), count(Exit)) == before
    return _errors(page)


def _stages(candidate) -> list[tuple]:
    query = (
        sa.select(StageChange)
        .where(StageChange.candidate_id == candidate.id)
        .order_by(StageChange.entered_on, StageChange.id)
    )
    return [
        (s.stage, s.entered_on, s.route, s.provider, s.note, s.recorded_by_id)
        for s in db.session.scalars(query)
    ]


# Each column ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("heading", ["Klantmanager", "WIJ generalist", "KLANTMANAGER / WIJ-generalist"])
def test_the_klantmanager_becomes_the_specialist_by_name_or_email(frozen, seed, municipal, heading):
    colleague = factories.make_user("municipal", seed.a.municipality, full_name="Fatima de Wit")
    amira = _import(municipal, {heading: "  fatima DE wit "})
    assert amira.specialist_id == colleague.id
    assert _stages(amira) == []


def test_the_klantmanager_by_email(frozen, seed, municipal):
    amira = _import(municipal, {"klantmanager": seed.a.municipal.email.upper()})
    assert amira.specialist_id == seed.a.municipal.id


@pytest.mark.parametrize(
    "who",
    ["Onbekende Collega", "jobcoach", "admin", "other_municipality", "inactive"],
)
def test_an_unknown_klantmanager_is_a_row_error(frozen, seed, municipal, who):
    names = {
        "Onbekende Collega": "Onbekende Collega",
        "jobcoach": seed.a.jobcoach.full_name,
        "admin": seed.a.admin.full_name,
        "other_municipality": seed.b.municipal.email,
        "inactive": factories.make_user("municipal", seed.a.municipality, is_active=False).email,
    }
    [(column, message)] = _refused(municipal, {"Klantmanager": names[who]})
    assert column == "Klantmanager"
    assert "Deze klantmanager kennen we niet" in message


def test_two_colleagues_with_one_name_need_the_email(frozen, seed, municipal):
    for _ in range(2):
        factories.make_user("municipal", seed.a.municipality, full_name="Jan Jansen")
    [(_, message)] = _refused(municipal, {"klantmanager": "Jan Jansen"})
    assert "e-mailadres" in message


def test_the_intake_date_records_the_intake_stage(frozen, seed, municipal):
    amira = _import(municipal, {"Intakedatum": "03-02-2026"})
    assert _stages(amira) == [
        ("intake_doelmatigheid", date(2026, 2, 3), None, None, None, seed.a.municipal.id)
    ]
    assert (amira.stage, amira.stage_since) == ("intake_doelmatigheid", date(2026, 2, 3))


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("3-2-2026", date(2026, 2, 3)),
        ("03/02/2026", date(2026, 2, 3)),
        ("03.02.2026", date(2026, 2, 3)),
        ("2026-02-03", date(2026, 2, 3)),
        ("3 februari 2026", date(2026, 2, 3)),
        ("3 feb. 2026", date(2026, 2, 3)),
        ("46056", date(2026, 2, 3)),
    ],
)
def test_dutch_and_excel_dates(frozen, seed, municipal, value, day):
    assert _import(municipal, {"intakedatum": value}).stage_since == day


def test_a_real_excel_date_cell(frozen, seed, municipal):
    amira = _import(
        municipal,
        {"Intakedatum": datetime(2026, 2, 3), "Start voortraject": datetime(2026, 2, 20)},
        xlsx=True,
    )
    assert [stage[:2] for stage in _stages(amira)] == [
        ("intake_doelmatigheid", date(2026, 2, 3)),
        ("voortraject", date(2026, 2, 20)),
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31-02-2026", "Vul een datum in, zoals 15-03-2026."),
        ("morgen", "Vul een datum in, zoals 15-03-2026."),
        ("11-03-2026", "Deze datum ligt in de toekomst. Vul een datum van vandaag of eerder in."),
        ("01-01-1999", "Vul een datum vanaf 2000 in."),
    ],
)
def test_bad_dates_are_row_errors(frozen, seed, municipal, value, message):
    assert _refused(municipal, {"Intakedatum": value}) == [("Intakedatum", message)]


def test_taalniveau_is_the_dutch_level(frozen, seed, municipal):
    header, row = _file({})
    header[-1], row[-1] = "TAALNIVEAU", "b1"
    preview = upload(municipal, csv_bytes([header, row]), "lijst.csv")
    confirm(municipal, payload_of(preview))
    assert imported("Amira").dutch_level == "B1"


@pytest.mark.parametrize(
    ("value", "route"),
    [
        ("Werk", "werk"),
        ("BBL", "leerwerk"),
        ("leerwerk", "leerwerk"),
        ("Zorg eerst", "zorg"),
        ("studie", "opleiding"),
    ],
)
def test_the_route_of_the_trajectbepaling(frozen, seed, municipal, value, route):
    amira = _import(municipal, {"intakedatum": "03-02-2026", "Route": value})
    assert [stage[:3] for stage in _stages(amira)] == [
        ("intake_doelmatigheid", date(2026, 2, 3), None),
        ("trajectbepaling", date(2026, 2, 3), route),
    ]
    assert amira.stage == "trajectbepaling"


def test_a_route_needs_a_known_value_and_a_date(frozen, seed, municipal):
    assert _refused(municipal, {"intakedatum": "03-02-2026", "route": "raket"}) == [
        ("route", "Kies een route: werk, leerwerk, opleiding, activering of zorg.")
    ]
    assert _refused(municipal, {"route": "werk"}) == [
        ("route", "Vul ook de intakedatum in: de route wordt bij de intake bepaald.")
    ]


def test_start_voortraject_and_the_current_programme(frozen, seed, municipal):
    amira = _import(municipal, {"Start voortraject": "20-02-2026", "Huidig traject": "Taalschool De Brug"})
    assert _stages(amira) == [
        ("voortraject", date(2026, 2, 20), None, "Taalschool De Brug", None, seed.a.municipal.id)
    ]
    assert (amira.stage, amira.stage_since) == ("voortraject", date(2026, 2, 20))


def test_a_current_programme_without_a_traject_goes_in_the_note(frozen, seed, municipal):
    amira = _import(municipal, {"intakedatum": "03-02-2026", "huidig traject": "Oriëntatie zorg"})
    assert _stages(amira)[-1][4] == "Huidig traject: Oriëntatie zorg"


def test_bemiddeling_wgt_with_a_date_is_the_vervolgtraject(frozen, seed, municipal):
    amira = _import(municipal, {"start voortraject": "02-01-2026", "Bemiddeling WGT": "01-03-2026"})
    assert [stage[:4] for stage in _stages(amira)] == [
        ("voortraject", date(2026, 1, 2), None, None),
        ("vervolgtraject", date(2026, 3, 1), None, importer.WGT_PROVIDER),
    ]
    assert amira.stage == "vervolgtraject"


def test_bemiddeling_wgt_no_or_yes_without_a_date(frozen, seed, municipal):
    assert _stages(_import(municipal, {"bemiddeling WGT": "nee"})) == []
    assert _refused(municipal, {"bemiddeling WGT": "ja"}) == [
        ("bemiddeling WGT", "Vul de datum in waarop de bemiddeling door het werkgeversteam begon.")
    ]


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("Werk deeltijd", "work_parttime"),
        ("Betaald werk, voltijd", "work_fulltime"),
        ("BBL bij de bakker", "leerwerk"),
        ("Start opleiding mbo-4", "education"),
        ("Verhuisd naar Tilburg", "moved"),
        ("Werk", "other"),
        ("", "other"),
    ],
)
def test_uitstroom_becomes_a_confirmed_exit(frozen, seed, municipal, reason, kind):
    amira = _import(municipal, {"Uitstroomdatum": "01-03-2026", "Uitstroomreden": reason})
    exit_row = db.session.scalar(sa.select(Exit).where(Exit.candidate_id == amira.id))
    assert (exit_row.status, exit_row.exit_on, exit_row.kind) == ("confirmed", date(2026, 3, 1), kind)
    assert exit_row.reason == (reason or None)
    assert (exit_row.recorded_by_id, exit_row.confirmed_by_id) == (seed.a.municipal.id, seed.a.municipal.id)
    assert (amira.stage, amira.stage_since, amira.status) == ("uitstroom", date(2026, 3, 1), "inactive")


def test_an_exit_reason_needs_its_date_and_the_exit_comes_last(frozen, seed, municipal):
    assert _refused(municipal, {"uitstroomreden": "werk"}) == [
        ("uitstroomdatum", "Vul ook de uitstroomdatum in.")
    ]
    assert _refused(municipal, {"intakedatum": "03-02-2026", "uitstroomdatum": "01-02-2026"}) == [
        ("uitstroomdatum", "De uitstroomdatum ligt voor een andere datum in deze rij.")
    ]


def test_notes_go_with_the_latest_stage_or_an_aanmelding_today(frozen, seed, municipal):
    amira = _import(municipal, {"intakedatum": "03-02-2026", "Notities": "Wil graag in de zorg werken."})
    assert _stages(amira)[-1][4] == "Wil graag in de zorg werken."
    header, row = _file({"notities": "Alleen een notitie."}, first_name="Sami")
    confirm(municipal, payload_of(upload(municipal, csv_bytes([header, row]), "l.csv")))
    sami = imported("Sami")
    assert _stages(sami) == [
        ("aanmelding", date(2026, 3, 10), None, None, "Alleen een notitie.", seed.a.municipal.id)
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 501, "Gebruik hoogstens 500 tekens."),
        ("BSN 111222333", "Vul nooit een burgerservicenummer in."),
        ("a\x07b", "Deze tekst bevat tekens die niet zijn toegestaan."),
    ],
)
def test_bad_notes_are_row_errors(frozen, seed, municipal, value, message):
    assert _refused(municipal, {"notities": value}) == [("notities", message)]


# Every column at once -------------------------------------------------------------------------------------


TRACKER = {
    "Klantmanager": "",
    "Intakedatum": "05-01-2026",
    "Route": "leerwerk",
    "Start voortraject": "19-01-2026",
    "Huidig traject": "Taalschool De Brug",
    "Bemiddeling WGT": "02-02-2026",
    "Uitstroomdatum": "02-03-2026",
    "Uitstroomreden": "BBL-contract bij Bakkerij Buiten",
    "Notities": "Doet het goed.",
}


def test_a_file_with_every_column(frozen, seed, municipal):
    columns = {**TRACKER, "Klantmanager": seed.a.municipal.full_name}
    amira = _import(municipal, columns)
    me = seed.a.municipal.id
    assert amira.specialist_id == me
    assert _stages(amira) == [
        ("intake_doelmatigheid", date(2026, 1, 5), None, None, None, me),
        ("trajectbepaling", date(2026, 1, 5), "leerwerk", None, None, me),
        ("voortraject", date(2026, 1, 19), None, "Taalschool De Brug", None, me),
        ("vervolgtraject", date(2026, 2, 2), None, importer.WGT_PROVIDER, None, me),
        ("uitstroom", date(2026, 3, 2), None, None, "Doet het goed.", me),
    ]
    exit_row = db.session.scalar(sa.select(Exit).where(Exit.candidate_id == amira.id))
    assert exit_row.kind == "leerwerk"
    [event] = audit("candidate.journey_imported")
    assert event.detail["stages"][-1] == "uitstroom"
    assert event.detail["specialist_id"] == me


def test_the_preview_shows_the_stage_and_the_page_explains_the_columns(frozen, seed, municipal):
    page = text(municipal.get("/kandidaten/importeren"))
    for heading in (
        "klantmanager",
        "intakedatum",
        "start voortraject",
        "bemiddeling WGT",
        "uitstroomreden",
        "notities",
    ):
        assert heading in page
    header, row = _file({"intakedatum": "05-01-2026"})
    preview = text(upload(municipal, csv_bytes([header, row]), "lijst.csv"))
    assert "Intake doelmatigheid sinds 5 januari 2026" in preview


def test_a_klantmanager_who_left_before_the_confirm_imports_nothing(frozen, seed, municipal):
    colleague = factories.make_user("municipal", seed.a.municipality, full_name="Fatima de Wit")
    header, row = _file({"klantmanager": "Fatima de Wit", "intakedatum": "05-01-2026"})
    preview = upload(municipal, csv_bytes([header, row]), "lijst.csv")
    colleague.is_active = False
    db.session.flush()
    before = count(Candidate), count(StageChange)
    response = confirm(municipal, payload_of(preview))
    assert response.status_code == 302
    assert (count(Candidate), count(StageChange)) == before
    assert "geen account meer" in text(municipal.get(response.headers["Location"]))


def test_an_imported_exit_to_work_gets_its_follow_ups_from_today_on(frozen, seed, municipal):
    recent = _import(municipal, {"Uitstroomdatum": "01-03-2026", "Uitstroomreden": "Werk deeltijd"})
    older = _import_as("Sami", municipal, {"Uitstroomdatum": "01-06-2025", "Uitstroomreden": "Werk deeltijd"})

    def planned(candidate):
        rows = db.session.scalars(
            sa.select(RetentionFollowUp).where(RetentionFollowUp.candidate_id == candidate.id)
        )
        return sorted((f.months, f.due_on) for f in rows)

    assert planned(recent) == [(6, date(2026, 9, 1)), (12, date(2027, 3, 1))]
    assert planned(older) == [(12, date(2026, 6, 1))], "a date already past at the import is history"
    school = _import_as("Noor", municipal, {"uitstroomdatum": "01-03-2026", "uitstroomreden": "Opleiding"})
    assert planned(school) == []


def _import_as(first_name, municipal, columns):
    header, row = _file(columns, first_name=first_name)
    confirm(municipal, payload_of(upload(municipal, csv_bytes([header, row]), f"{first_name}.csv")))
    return imported(first_name)
