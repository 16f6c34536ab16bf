"""The employer's view of a proposed candidate explains the terms an employer may not know in plain words."""

from __future__ import annotations

import lxml.html
import pytest

from tests.matching.conftest import proposals_of, shareable
from tests.matching.test_flow import propose


def values(html: str) -> dict[str, str]:
    tree = lxml.html.document_fromstring(html)
    return {
        " ".join(item.xpath("string(dt)").split()): " ".join(item.xpath("string(dd)").split())
        for item in tree.xpath("//dl/div[contains(@class, 'utrecht-data-list__item')]")
    }


@pytest.mark.parametrize(
    ("route", "readiness", "route_words", "readiness_words"),
    [
        ("z", "activering", "vooral in de praktijk, met minder lessen", "went eerst weer aan werk"),
        ("b1", "direct", "tot niveau B1 (zelfstandig)", "kan nu beginnen"),
        ("onderwijs", "onderwijs", "daarna een opleiding", "volgt eerst een opleiding of taalles"),
    ],
)
def test_jargon_on_the_profile_is_explained_beside_its_value(
    seed, site, login_as, route, readiness, route_words, readiness_words
):
    candidate = shareable(
        seed.a,
        learning_route=route,
        work_readiness=readiness,
        diploma_evaluation="Gelijk aan mbo-2",
        plan_a="Kok",
        plan_b="Hulpkok",
        plan_c="Afwassen",
    )
    propose(login_as(seed.a.municipal), site.request, [candidate])
    (proposal,) = proposals_of(site.request.id)
    page = login_as(site.user).get(f"/voorstellen/{proposal.id}").get_data(as_text=True)
    shown = values(page)
    assert route_words in shown["Leerroute"]
    assert readiness_words in shown["Klaar voor werk"].lower()
    assert shown["Waardering diploma"].startswith("Gelijk aan mbo-2")
    assert "vergelijking van een buitenlands diploma" in shown["Waardering diploma"]
    assert shown["Plan A (gewenst beroep)"] == "Kok Het beroep dat de kandidaat uiteindelijk wil doen."
    assert "later plan A" in shown["Plan B (opstap)"]
    assert "nu al kan doen" in shown["Plan C (werk dat morgen kan)"]
