"""The dashboard's charts and the links from every figure to the list behind it."""

from __future__ import annotations

import re
from datetime import date

import lxml.html

from portal.extensions import db
from portal.monitoring.chart import bar_chart_data
from tests.monitoring.conftest import journey, left


def test_bars_are_proportional_and_carry_their_number():
    data = bar_chart_data(
        [
            {"label": "Aanmelding", "value": 10, "display": "10"},
            {"label": "Een heel lang label dat niet in de grafiek past", "value": 5, "display": "5"},
            {"label": "Leeg", "value": 0, "display": "0"},
        ],
        reference=20,
    )
    widths = [float(bar["width"]) for bar in data["bars"]]
    assert widths[0] == 2 * widths[1]
    assert widths[2] == 0
    assert data["bars"][1]["label"].endswith("…")
    assert [bar["display"] for bar in data["bars"]] == ["10", "5", "0"]
    assert float(data["reference"]["x"]) == 400 - 50  # the norm is the longest: the end of the scale
    assert bar_chart_data([])["bars"] == []


def test_every_figure_links_to_its_list_with_the_same_period(seed, frozen, login_as):
    candidate = journey(
        seed.a.municipality, {"aanmelding": date(2026, 3, 2), "trajectbepaling": date(2026, 4, 1)}
    )
    left(candidate, "leerwerk", date(2026, 5, 1))
    db.session.commit()
    client = login_as(seed.a.municipal)
    html = client.get("/monitoring?van=2026-01-01&tot=2026-06-15").get_data(as_text=True)
    tree = lxml.html.document_fromstring(html)
    assert len(tree.xpath("//svg[@role='img']")) >= 5
    links = [link.get("href") for link in tree.xpath("//table//a")]
    assert links
    for href in links:
        assert href.startswith("/monitoring"), href
        assert "van=2026-01-01" in href, href
        assert "tot=2026-06-15" in href, href
    for href in dict.fromkeys(links):
        assert client.get(href).status_code == 200, href
    work = client.get("/monitoring/kandidaten?uitstroom=werk&van=2026-01-01&tot=2026-06-15").get_data(
        as_text=True
    )
    assert candidate.pseudonym in work
    assert re.search(r"1\s+kandidaat gevonden", work)
