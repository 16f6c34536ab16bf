"""The employers list: search (escaped LIKE), status filter, pagination, and bounded query counts."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.core.pagination import page_number, paginate
from portal.employers.models import Employer
from portal.employers.queries import like_pattern
from tests.employers.conftest import T0, text
from tests.factories import make_employer, make_user, make_workplace


def listed(response) -> list[str]:
    """Employer names in the list table, in order."""
    return re.findall(r'href="/werkgevers/\d+">([^<]*)</a>', response.get_data(as_text=True))


@pytest.fixture
def named(seed):
    m = seed.a.municipality
    return {
        "percent": make_employer(m, name="100% Bouw"),
        "underscore": make_employer(m, name="Bouw_Groep"),
        "plain": make_employer(m, name="Bouwgroep Zuid", city="Veldhoven", kvk_number="55501234"),
        "backslash": make_employer(m, name="Back\\slash Techniek", status="suspended"),
    }


def test_search_by_name_is_case_insensitive(login_as, seed, named):
    names = listed(login_as(seed.a.municipal).get("/werkgevers?q=BOUW"))
    assert sorted(names) == sorted(["100% Bouw", "Bouw_Groep", "Bouwgroep Zuid"])


def test_search_by_kvk_and_city(login_as, seed, named):
    c = login_as(seed.a.municipal)
    assert listed(c.get("/werkgevers?q=5550123")) == ["Bouwgroep Zuid"]
    assert listed(c.get("/werkgevers?q=veldhoven")) == ["Bouwgroep Zuid"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("%", ["100% Bouw"]),
        ("_", ["Bouw_Groep"]),
        ("w_g", ["Bouw_Groep"]),
        ("0%", ["100% Bouw"]),
        ("\\", ["Back\\slash Techniek"]),
    ],
)
def test_wildcards_match_literally(login_as, seed, named, query, expected):
    response = login_as(seed.a.municipal).get("/werkgevers", query_string={"q": query})
    assert listed(response) == expected


def test_status_filter(login_as, seed, named):
    c = login_as(seed.a.municipal)
    assert listed(c.get("/werkgevers?status=suspended")) == ["Back\\slash Techniek"]
    assert listed(c.get("/werkgevers?status=pending")) == [seed.a.pending_employer.name]
    assert listed(c.get("/werkgevers?status=pending&q=bouw")) == []


@pytest.mark.parametrize(
    "query_string",
    [
        {"status": "deleted"},
        {"status": "x" * 10_000},
        {"q": "x" * 10_000},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "9" * 5000},
        {"q": "'; DROP TABLE employers; --"},
        {"q": "\u202eكلمة 👷"},
        {"q": "<script>"},
    ],
)
def test_hostile_list_parameters_never_break_the_page(login_as, seed, named, query_string):
    response = login_as(seed.a.municipal).get("/werkgevers", query_string=query_string)
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True).split("<main", 1)[1]


def test_invalid_status_shows_everything_with_a_message(login_as, seed, named):
    response = login_as(seed.a.municipal).get("/werkgevers?status=deleted")
    assert len(listed(response)) == 2 + len(named)
    assert "Kies een van de mogelijkheden uit de lijst." in text(response)


def test_pagination_keeps_the_search(login_as, seed, app):
    for n in range(app.config["PAGE_SIZE"] + 5):
        make_employer(seed.a.municipality, name=f"Zoekbaar {n:03d}")
    c = login_as(seed.a.municipal)
    first = c.get("/werkgevers?q=zoekbaar")
    assert len(listed(first)) == app.config["PAGE_SIZE"]
    assert 'href="/werkgevers?page=2&amp;q=zoekbaar"' in first.get_data(as_text=True)
    second = c.get("/werkgevers?q=zoekbaar&page=2")
    assert listed(second) == [
        f"Zoekbaar {n:03d}" for n in range(app.config["PAGE_SIZE"], app.config["PAGE_SIZE"] + 5)
    ]
    # A page past the end shows the last page; nonsense shows the first.
    assert listed(c.get("/werkgevers?q=zoekbaar&page=999")) == listed(second)
    assert listed(c.get("/werkgevers?q=zoekbaar&page=nul")) == listed(first)


def test_list_shows_active_workplace_counts(login_as, seed):
    employer = make_employer(seed.a.municipality, name="Telbedrijf")
    make_workplace(employer)
    make_workplace(employer)
    make_workplace(employer, archived_at=T0)
    body = login_as(seed.a.municipal).get("/werkgevers?q=Telbedrijf").get_data(as_text=True)
    cells = re.findall(r'<td class="utrecht-table__cell"[^>]*>([^<]*)</td>', body)
    assert cells[-1] == "2"


def test_like_pattern_escapes_wildcards():
    assert like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_paginate_helper(seed):
    query = sa.select(Employer).order_by(Employer.id)
    page = paginate(query, 2, 3)
    assert (page.page, page.pages, page.total, len(page.items)) == (2, 2, 4, 1)
    assert page.has_prev
    assert not page.has_next
    assert (page.prev_num, page.next_num) == (1, None)
    assert paginate(query.where(Employer.id < 0), 5, 3).items == []
    rows = paginate(sa.select(Employer, Employer.id).order_by(Employer.id), 1, 2).items
    assert rows[0][1] == rows[0][0].id
    assert [page_number(v) for v in (None, "", "3", " 2 ", "-1", "x", "9" * 5000)] == [1, 1, 3, 2, 1, 1, 1]


# Bounded query counts ---------------------------------------------------------------------------------------


def _queries_for(client, url, count_queries) -> int:
    client.get(url)  # warm up (session, user, caches)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def _add_employers(municipality, n, status="approved"):
    for i in range(n):
        employer = make_employer(municipality, status=status, name=f"Veel {status} {i:03d}")
        make_user("employer", employer=employer)
        make_workplace(employer)
        make_workplace(employer, archived_at=T0)


@pytest.mark.parametrize(
    ("url", "status"), [("/werkgevers", "approved"), ("/werkgevers/aanmeldingen", "pending")]
)
def test_list_query_count_does_not_grow_with_rows(login_as, seed, count_queries, url, status):
    c = login_as(seed.a.municipal)
    _add_employers(seed.a.municipality, 3, status)
    few = _queries_for(c, url, count_queries)
    _add_employers(seed.a.municipality, 27, status)
    many = _queries_for(c, url, count_queries)
    assert many == few
    assert few <= 6


def test_workplaces_query_count_does_not_grow_with_rows(login_as, seed, count_queries):
    c = login_as(seed.a.employer_user)
    for _ in range(2):
        make_workplace(seed.a.employer)
        make_workplace(seed.a.employer, archived_at=T0)
    few = _queries_for(c, "/werkplekken", count_queries)
    for _ in range(15):
        make_workplace(seed.a.employer)
        make_workplace(seed.a.employer, archived_at=T0)
    many = _queries_for(c, "/werkplekken", count_queries)
    assert many == few
    assert few <= 6


def test_detail_query_count_does_not_grow_with_rows(login_as, seed, count_queries):
    c = login_as(seed.a.municipal)
    url = f"/werkgevers/{seed.a.employer.id}"
    few = _queries_for(c, url, count_queries)
    for _ in range(20):
        make_workplace(seed.a.employer)
        make_user("employer", employer=seed.a.employer)
    assert _queries_for(c, url, count_queries) == few
