"""Import from CSV and XLSX: preview, row-by-row errors, all or nothing, hostile files."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from portal.candidates import importer
from portal.candidates.models import Candidate, CandidateVersion
from portal.core.errors import DomainError
from tests.candidates.conftest import audit, count, text

HEADER = [
    "Voornaam",
    "Achternaam",
    "E-mail",
    "Telefoon",
    "Woonplaats",
    "Opleidingsniveau",
    "Opleidingsland",
    "Diploma_NL",
    "NT2_niveau",
    "Engels",
    "Andere_talen",
    "Certificaten",
    "Beschikbare_dagen",
    "Uren_per_week",
    "Lesdagen",
    "Leerroute",
    "Plan_A",
    "Plan_B",
    "Plan_C",
    "Sectoren",
    "Werkfit",
    "Reisafstand_km",
    "Motivatie",
    "Screeningsdatum",
    "Zorg_eerst",
]
ROW_1 = [
    "Amira",
    "Haddad",
    "amira@example.nl",
    "06 12345678",
    "Eindhoven",
    "mbo",
    "Syrië",
    "nee",
    "A2",
    "B1",
    "Arabisch",
    "HACCP",
    "ma, di, do",
    "24",
    "wo",
    "B1-route",
    "Kok",
    "Zelfstandig kok",
    "Keukenhulp",
    "horeca; zorg",
    "direct",
    "15",
    "Ik kook graag.",
    "09-03-2026",
    "nee",
]
ROW_2 = [
    "Tesfay",
    "Gebremedhin",
    "",
    "",
    "Helmond",
    "Basisonderwijs",
    "Eritrea",
    "ja",
    "a1",
    "geen",
    "Tigrinya",
    "",
    "maandag dinsdag",
    "16",
    "",
    "z",
    "",
    "",
    "Schoonmaken",
    "Schoonmaak en facilitair",
    "Eerst activering",
    "10",
    "",
    "2026-03-01",
    "ja",
]


def csv_bytes(rows, delimiter=";", encoding="utf-8-sig") -> bytes:
    lines = [delimiter.join(_quote(str(c), delimiter) for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _quote(value: str, delimiter: str) -> str:
    if any(ch in value for ch in (delimiter, '"', "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, filename: str):
    return client.post(
        "/kandidaten/importeren", {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
    )


def payload_of(response) -> str:
    match = re.search(r'name="payload" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no confirm form"
    return match.group(1)


def confirm(client, payload: str):
    return client.post("/kandidaten/importeren/bevestigen", {"payload": payload})


def imported(first_name: str) -> Candidate | None:
    import sqlalchemy as sa

    from portal.extensions import db

    return db.session.scalar(sa.select(Candidate).where(Candidate.first_name == first_name))


def test_the_upload_page_explains_the_columns(municipal):
    page = text(municipal.get("/kandidaten/importeren"))
    assert "nt2_niveau" in page
    assert "zorg_eerst" in page
    assert "2 MB" in page


@pytest.mark.parametrize(("delimiter", "encoding"), [(";", "utf-8-sig"), (",", "utf-8"), (";", "cp1252")])
def test_csv_happy_path(frozen, seed, municipal, delimiter, encoding):
    preview = upload(municipal, csv_bytes([HEADER, ROW_1, ROW_2], delimiter, encoding), "export.csv")
    assert preview.status_code == 200
    page = text(preview)
    assert "Alle 2 rijen zijn goed" in page
    assert "Haddad" in page
    assert "Gebremedhin" in page
    assert imported("Amira") is None  # the preview imports nothing
    response = confirm(municipal, payload_of(preview))
    assert response.status_code == 302
    assert response.headers["Location"] == "/kandidaten"
    amira, tesfay = imported("Amira"), imported("Tesfay")
    assert amira.education_country == "Syrië"  # cp1252 and utf-8 decode alike
    assert (amira.available_days, amira.class_days, amira.desired_sectors) == (
        "ma,di,do",
        "wo",
        "horeca,zorg",
    )
    assert (amira.learning_route, amira.hours_per_week, amira.travel_range_km) == ("b1", 24, 15)
    assert amira.screened_on.isoformat() == "2026-03-09"
    assert not amira.care_first
    assert amira.screened_by_id == seed.a.municipal.id
    assert amira.municipality_id == seed.a.municipality.id
    assert (tesfay.education_level, tesfay.dutch_level, tesfay.english_level) == ("basis", "A1", "geen")
    assert (tesfay.available_days, tesfay.learning_route, tesfay.work_readiness) == (
        "ma,di",
        "z",
        "activering",
    )
    assert tesfay.education_completed_nl
    assert tesfay.care_first
    assert tesfay.desired_sectors == "schoonmaak"
    assert amira.pseudonym != tesfay.pseudonym
    assert amira.pseudonym.startswith("K-2026-")
    assert len(audit("candidate.created")) == 2
    [event] = audit("candidate.imported")
    assert event.detail == {"count": 2}


def test_xlsx_happy_path_with_real_cell_types(frozen, seed, municipal):
    from datetime import datetime

    row = list(ROW_1)
    row[13], row[21], row[23] = 24, 15.0, datetime(2026, 3, 9)
    preview = upload(municipal, xlsx_bytes([HEADER, row]), "Kandidaten.XLSX")
    assert "Alle 1 rijen zijn goed" in text(preview)
    assert confirm(municipal, payload_of(preview)).status_code == 302
    amira = imported("Amira")
    assert (amira.hours_per_week, amira.travel_range_km, amira.screened_on.isoformat()) == (
        24,
        15,
        "2026-03-09",
    )


def test_headings_in_any_case_and_alternative_names(frozen, seed, municipal):
    header = [
        "VOORNAAM",
        " achternaam ",
        "woonplaats",
        "opleidingsniveau",
        "Taalniveau",
        "engels",
        "Werkbereidheid",
        "Onbekende kolom",
        "UREN PER WEEK",
        "Reisafstand_KM",
    ]
    values = ["Sami", "Noor", "Best", "hbo", "B2", "C1", "direct", "x", "16", "10"]
    preview = upload(municipal, csv_bytes([header, values]), "a.csv")
    page = text(preview)
    assert "Alle 1 rijen zijn goed" in page
    assert "Onbekende kolom" in page
    confirm(municipal, payload_of(preview))
    sami = imported("Sami")
    assert (sami.dutch_level, sami.hours_per_week, sami.travel_range_km) == ("B2", 16, 10)
    assert sami.screened_on.isoformat() == "2026-03-10"


def test_one_bad_row_means_nothing_is_imported(frozen, seed, municipal):
    bad = list(ROW_2)
    bad[8], bad[13] = "B7", "veel"
    before = count(Candidate), count(CandidateVersion)
    preview = upload(municipal, csv_bytes([HEADER, ROW_1, bad, ROW_1]), "export.csv")
    page = text(preview)
    assert "Er is niets geïmporteerd" in page
    errors = re.findall(
        r"<tr class=\"utrecht-table__row\"[^>]*>\s*<td[^>]*>(\d+)</td>"
        r"\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>",
        page.split("Fouten per rij")[1].split("</table>")[0],
    )
    assert ("3", "NT2_niveau", "Kies een van de mogelijkheden uit de lijst.") in errors
    assert ("3", "Uren_per_week", "Vul een heel getal in, zoals 16.") in errors
    assert 'name="payload"' not in preview.get_data(as_text=True)
    assert (count(Candidate), count(CandidateVersion)) == before


def test_a_missing_required_column_is_reported(seed, municipal):
    response = upload(municipal, csv_bytes([["voornaam", "achternaam"], ["A", "B"]]), "x.csv")
    assert (
        "Deze kolommen ontbreken: woonplaats, opleidingsniveau, nt2_niveau, engels, werkfit, uren_per_week, "
        "reisafstand_km."
    ) in text(response)


def test_confirm_revalidates_and_imports_all_or_nothing(frozen, seed, municipal):
    from portal.candidates.importer import ImportRow, sign_rows

    preview = upload(municipal, csv_bytes([HEADER, ROW_1]), "export.csv")
    assert payload_of(preview)
    good = {
        "first_name": "Goed",
        "last_name": "X",
        "home_town": "Best",
        "education_level": "mbo",
        "dutch_level": "A2",
        "english_level": "A2",
        "work_readiness": "direct",
        "hours_per_week": "8",
        "travel_range_km": "5",
        "screened_on": "2026-03-01",
    }
    bad = {**good, "first_name": "Fout", "hours_per_week": "99"}
    with municipal.raw.application.test_request_context():
        token = sign_rows(
            [ImportRow(2, good), ImportRow(3, bad)], seed.a.municipal.id, seed.a.municipality.id
        )
    response = confirm(municipal, token)
    assert response.status_code == 302
    assert imported("Goed") is None
    assert imported("Fout") is None
    assert "niets geïmporteerd" in text(municipal.get("/kandidaten/importeren"))


@pytest.mark.parametrize("tamper", ["", "garbage", "x" * 5000])
def test_a_tampered_payload_imports_nothing(seed, municipal, tamper):
    preview = upload(municipal, csv_bytes([HEADER, ROW_1]), "export.csv")
    token = payload_of(preview)
    before = count(Candidate)
    for value in (tamper, token[:-3] + "abc", token + "x"):
        response = confirm(municipal, value)
        assert response.status_code == 302
        assert response.headers["Location"] == "/kandidaten/importeren"
    assert count(Candidate) == before


def test_a_payload_is_bound_to_the_user_who_uploaded(seed, municipal, login_as):
    from tests.factories import make_user

    token = payload_of(upload(municipal, csv_bytes([HEADER, ROW_1]), "export.csv"))
    colleague = login_as(make_user("municipal", seed.a.municipality))
    other_town = login_as(seed.b.municipal)
    before = count(Candidate)
    assert confirm(colleague, token).status_code == 302
    assert confirm(other_town, token).status_code == 302
    assert count(Candidate) == before


def test_a_payload_expires_after_an_hour(frozen, seed, municipal, login_as):
    from datetime import timedelta

    token = payload_of(upload(municipal, csv_bytes([HEADER, ROW_1]), "export.csv"))
    frozen.shift(timedelta(minutes=61))
    fresh = login_as(seed.a.municipal)  # the old session has timed out too
    assert confirm(fresh, token).status_code == 302
    assert imported("Amira") is None


# Wrong and hostile files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("kandidaten.xls", b"\xd0\xcf\x11\xe0 old excel", "Kies een bestand dat eindigt op .csv of .xlsx."),
        ("kandidaten.pdf", b"%PDF-1.7", "Kies een bestand dat eindigt op .csv of .xlsx."),
        ("kandidaten", b"voornaam", "Kies een bestand dat eindigt op .csv of .xlsx."),
        ("../../etc/passwd.csv", b"", "Het bestand is leeg."),
        ("nep.xlsx", b"voornaam;achternaam\n", "Dit is geen Excel-bestand (.xlsx)."),
        ("nep.csv", b"PK\x03\x04" + b"\x00" * 100, "Dit is geen CSV-bestand."),
        ("binair.csv", b"voornaam\x00\x01\x02", "Dit is geen CSV-bestand."),
        ("kapot.xlsx", b"PK\x03\x04 this is no zip", "Dit Excel-bestand is beschadigd of niet te lezen."),
        (
            "alleen-kop.csv",
            b"voornaam;achternaam;woonplaats;opleidingsniveau;nt2_niveau;engels;werkfit;uren_per_week;reisafstand_km\n;;;\n",
            "Het bestand bevat geen kandidaten",
        ),
    ],
)
def test_wrong_files_are_refused_with_a_dutch_message(seed, municipal, filename, data, message):
    before = count(Candidate)
    response = upload(municipal, data, filename)
    assert response.status_code == 200
    assert message in text(response)
    assert "Controleer het formulier" in text(response)
    assert count(Candidate) == before


def test_no_file_at_all(seed, municipal):
    response = municipal.post("/kandidaten/importeren", {}, content_type="multipart/form-data")
    assert "Kies een bestand." in text(response)


def test_a_zip_that_is_no_workbook_is_refused(seed, municipal):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "niet te lezen" in text(upload(municipal, buffer.getvalue(), "x.xlsx"))


def test_a_zip_bomb_is_refused_before_unpacking(seed, municipal):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (45 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 2 * 1024 * 1024
    assert "Dit Excel-bestand is niet te lezen." in text(upload(municipal, data, "bom.xlsx"))


def test_more_than_1000_rows_is_refused(seed, municipal):
    rows = [HEADER] + [ROW_1] * 1001
    response = upload(municipal, csv_bytes(rows), "veel.csv")
    assert "meer dan 1000 rijen" in text(response)
    rows_xlsx = [
        [
            "voornaam",
            "achternaam",
            "woonplaats",
            "opleidingsniveau",
            "nt2_niveau",
            "engels",
            "werkfit",
            "uren_per_week",
            "reisafstand_km",
        ]
    ]
    rows_xlsx += [["A", "B", "C", "mbo", "A1", "A1", "direct", 8, 5]] * 1001
    assert "meer dan 1000 rijen" in text(upload(municipal, xlsx_bytes(rows_xlsx), "veel.xlsx"))


def test_exactly_1000_rows_is_fine(seed, municipal):
    rows = [HEADER[:7] + ["NT2_niveau", "Engels", "Werkfit", "uren_per_week", "reisafstand_km"]]
    rows += [[f"N{i}", "B", "", "", "Best", "mbo", "", "A1", "A1", "direct", "8", "5"] for i in range(1000)]
    response = upload(municipal, csv_bytes(rows), "duizend.csv")
    assert "Alle 1000 rijen zijn goed" in text(response)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_file_over_2_mb_is_refused(seed, municipal):
    import gc

    before = count(Candidate)
    data = csv_bytes([HEADER]) + b"x" * (2 * 1024 * 1024)
    response = upload(municipal, data, "groot.csv")
    assert response.status_code == 413
    page = text(response)
    assert "Het bestand is te groot: het mag hoogstens 2 MB zijn." in page
    assert 'href="#file"' in page, "the error summary links to the file field"
    assert "<h1" in page
    assert "Kandidaten importeren" in page
    assert count(Candidate) == before
    # Werkzeug stops reading at MAX_CONTENT_LENGTH and leaves its spool file to the garbage collector.
    del response
    gc.collect()


def test_the_size_check_of_the_importer_itself():
    with pytest.raises(DomainError, match="groter dan 2 MB"):
        importer.read_table("a.csv", b"x" * (2 * 1024 * 1024 + 1))


def test_formula_cells_stay_text_and_html_is_escaped(frozen, seed, municipal):
    row = list(ROW_1)
    row[0] = '=HYPERLINK("http://evil","klik")'
    row[1] = "+31<script>alert('xss')</script>"
    row[4] = "@SUM(A1:A9)"
    row[22] = "-2+3 is geen som"
    preview = upload(municipal, csv_bytes([HEADER, row]), "formules.csv")
    body = preview.get_data(as_text=True)
    assert "<script>alert" not in body
    confirm(municipal, payload_of(preview))
    import sqlalchemy as sa

    from portal.extensions import db

    created = db.session.scalar(sa.select(Candidate).where(Candidate.home_town == "@SUM(A1:A9)"))
    assert created.first_name == '=HYPERLINK("http://evil","klik")'
    assert created.motivation == "-2+3 is geen som"


def test_formula_cells_in_xlsx_are_read_as_their_text(frozen, seed, municipal):
    row = list(ROW_1)
    row[4] = "=1+1"
    row[13] = "=10+14"
    response = upload(municipal, xlsx_bytes([HEADER, row]), "formules.xlsx")
    page = text(response)
    assert "Vul een heel getal in, zoals 16." in page  # =10+14 is text, not 24
    assert imported("Amira") is None


def test_hostile_cells_are_reported_per_row(frozen, seed, municipal):
    long_row, unicode_row, bsn_row = list(ROW_1), list(ROW_1), list(ROW_1)
    long_row[22] = "x" * 10_000
    unicode_row[0] = "\u202eكلمة 👷🏽‍♀️"
    bsn_row[22] = "Mijn BSN is 111222333"
    control_row = list(ROW_1)
    control_row[1] = "a\x0bb"
    response = upload(
        municipal, csv_bytes([HEADER, long_row, unicode_row, bsn_row, control_row]), "vijandig.csv"
    )
    page = text(response)
    assert response.status_code == 200
    assert "Gebruik hoogstens 2000 tekens." in page
    assert "Vul hier geen burgerservicenummer in." in page
    assert "Deze tekst bevat tekens die niet zijn toegestaan." in page
    assert "x" * 100 not in page  # long cells are cut in the preview
    assert "👷🏽‍♀️" in page
    assert imported("Amira") is None


def test_undecodable_and_odd_csv(seed, municipal):
    assert "niet te lezen" in text(upload(municipal, b"voornaam;achternaam\n\x81\x8d\x8f\x90\x9d", "x.csv"))
    huge_cell = csv_bytes([HEADER]) + b'"' + b"y" * 200_000 + b'"\r\n'
    response = upload(municipal, huge_cell, "x.csv")
    assert response.status_code == 200
    assert "niet goed te lezen" in text(response)


def test_bad_yes_no_values_are_reported(seed, municipal):
    row = list(ROW_1)
    row[24] = "misschien"
    assert "Vul ja of nee in." in text(upload(municipal, csv_bytes([HEADER, row]), "x.csv"))


@pytest.mark.parametrize("role", ["admin", "employer", "jobcoach"])
def test_other_roles_cannot_import(seed, login_as, role):
    client = login_as(seed.a.user(role))
    assert client.get("/kandidaten/importeren").status_code == 403
    assert upload(client, csv_bytes([HEADER, ROW_1]), "x.csv").status_code == 403
    assert confirm(client, "x").status_code == 403
