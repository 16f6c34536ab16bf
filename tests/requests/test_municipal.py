"""The municipal side: all requests of the municipality, filters, paging, waiting days, bounded queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories import make_employer, make_request, make_workplace
from tests.requests.conftest import T0, kind_of, text

pytestmark = pytest.mark.usefixtures("frozen")


def listed(response) -> list[int]:
    return [int(i) for i in re.findall(r'href="/aanvragen/(\d+)"', response.get_data(as_text=True))]


@pytest.fixture
def spread(seed):
    """Requests of municipality A submitted 10, 3 and 0 days ago (one of them a stage)."""
    old = make_request(seed.a.workplace, submitted_at=T0 - timedelta(days=10))
    middle = make_request(
        seed.a.workplace, code="stage", status="in_progress", submitted_at=T0 - timedelta(days=3)
    )
    new = make_request(seed.a.workplace, submitted_at=T0)
    seed.a.request.submitted_at = T0 - timedelta(days=1)
    draft = make_request(seed.a.workplace, status="draft")
    return {"old": old, "middle": middle, "new": new, "draft": draft}


@pytest.mark.parametrize("role", ["municipal", "admin"])
def test_staff_list_opens_on_open_requests_newest_first(login_as, seed, spread, role):
    filled = make_request(seed.a.workplace, status="filled", submitted_at=T0)
    withdrawn = make_request(seed.a.workplace, status="withdrawn", submitted_at=T0 - timedelta(days=20))
    client = login_as(seed.a.user(role))
    ids = listed(client.get("/aanvragen"))
    expected = [spread["new"].id, seed.a.request.id, spread["middle"].id, spread["old"].id]
    assert ids == expected
    assert spread["draft"].id not in ids
    assert seed.b.request.id not in ids
    page = text(client.get("/aanvragen"))
    assert "De nieuwste staat bovenaan." in page
    assert 'href="/aanvragen?status=alle"' in page

    everything = listed(client.get("/aanvragen?status=alle"))
    assert set(everything) == {*expected, filled.id, withdrawn.id}
    assert everything[-1] == withdrawn.id
    assert spread["draft"].id not in everything


def test_list_shows_waiting_days_status_words_and_employer(login_as, seed, spread):
    body = text(login_as(seed.a.municipal).get("/aanvragen"))
    assert "10 dagen" in body
    assert "3 dagen" in body
    assert "1 dag<" in body
    assert "minder dan een dag" in body
    assert "In behandeling" in body
    assert "Ingediend" in body
    assert seed.a.employer.name in body


def test_filter_by_status_and_type(login_as, seed, spread):
    c = login_as(seed.a.municipal)
    assert listed(c.get("/aanvragen?status=in_progress")) == [spread["middle"].id]
    stage = kind_of(seed.a, "stage")
    assert listed(c.get(f"/aanvragen?type_id={stage.id}")) == [spread["middle"].id]
    assert listed(c.get(f"/aanvragen?type_id={stage.id}&status=submitted")) == []
    # Another municipality's type filters nothing in (and shows nothing of B).
    assert listed(c.get(f"/aanvragen?type_id={kind_of(seed.b, 'taalstage').id}")) == listed(
        c.get("/aanvragen")
    )


@pytest.mark.parametrize(
    "query_string",
    [
        {"status": "draft"},
        {"status": "x" * 10_000},
        {"type_id": "abc"},
        {"type_id": "9" * 5000},
        {"type_id": "-1"},
        {"page": "abc"},
        {"page": "9" * 5000},
        {"status": "'; DROP TABLE placement_requests; --"},
        {"status": "<script>"},
    ],
)
def test_hostile_list_parameters_never_break_the_page(login_as, seed, spread, query_string):
    response = login_as(seed.a.municipal).get("/aanvragen", query_string=query_string)
    assert response.status_code == 200
    assert spread["draft"].id not in listed(response)
    assert "<script>" not in response.get_data(as_text=True).split("<main", 1)[1]


def test_pagination_keeps_the_filter(app, login_as, seed, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for days in range(5):
        make_request(seed.a.workplace, status="in_progress", submitted_at=T0 - timedelta(days=days))
    c = login_as(seed.a.municipal)
    first = c.get("/aanvragen?status=in_progress")
    assert len(listed(first)) == 2
    assert "page=2" in first.get_data(as_text=True)
    assert "status=in_progress" in first.get_data(as_text=True)
    third = listed(c.get("/aanvragen?status=in_progress&page=3"))
    assert len(third) == 1


def _add_requests(seed, count: int) -> None:
    for _ in range(count):
        workplace = make_workplace(make_employer(seed.a.municipality))
        make_request(workplace, code="stage")


@pytest.mark.parametrize("role", ["municipal", "employer"])
def test_list_pages_run_a_bounded_number_of_queries(login_as, seed, count_queries, role):
    c = login_as(seed.a.user(role))
    c.get("/aanvragen")
    with count_queries() as few:
        assert c.get("/aanvragen").status_code == 200
    if role == "municipal":
        _add_requests(seed, 15)
    else:
        for _ in range(15):
            make_request(make_workplace(seed.a.employer), code="stage", created_by=seed.a.employer_user)
    with count_queries() as many:
        assert c.get("/aanvragen").status_code == 200
    assert many.count == few.count, many.statements
    assert many.count <= 8


def test_detail_for_staff_links_to_candidates_only_for_municipal(app, login_as, seed):
    url = f"/aanvragen/{seed.a.request.id}"
    body = text(login_as(seed.a.municipal).get(url))
    assert seed.a.request.tasks in body
    assert seed.a.employer.name in body
    assert seed.a.municipal.full_name in body  # the employer's fixed contact
    assert seed.a.candidate.pseudonym in body
    if "matching.candidates_for" in app.view_functions:
        assert f'href="/aanvragen/{seed.a.request.id}/kandidaten"' in body
        assert "Kandidaten zoeken" in body
    admin_body = text(login_as(seed.a.admin).get(url))
    assert "Kandidaten zoeken" not in admin_body
    assert "In behandeling nemen" not in admin_body


@pytest.mark.parametrize("role", ["municipal", "admin", "employer"])
def test_another_municipalitys_request_is_404(login_as, seed, role):
    c = login_as(seed.a.user(role))
    assert c.get(f"/aanvragen/{seed.b.request.id}").status_code == 404
    assert c.get("/aanvragen/99999999999999999999999").status_code == 404
    assert seed.b.request.id not in listed(c.get("/aanvragen"))


def test_take_of_another_municipality_is_404_and_unchanged(login_as, seed):
    response = login_as(seed.a.municipal).post(f"/aanvragen/{seed.b.request.id}/in-behandeling")
    assert response.status_code == 404
    assert seed.b.request.status == "submitted"
