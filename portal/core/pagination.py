"""Pagination of a Select: one COUNT query plus one page query, whatever the number of rows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.extensions import db

#: Page numbers beyond this are treated as the last page (no absurd OFFSETs from hostile input).
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Page:
    """One page of results. ``items`` are entities (one selected entity) or rows (several columns)."""

    items: list[Any]
    page: int
    pages: int
    total: int
    per_page: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def page_number(value: Any) -> int:
    """A page number from untrusted input (query string): 1 when missing or not a whole number."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def count_rows(query: sa.Select) -> int:
    """The number of rows ``query`` returns (ordering dropped)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0


def paginate(query: sa.Select, page: int, per_page: int) -> Page:
    """Run ``query`` for one page; a page past the end shows the last page."""
    per_page = max(int(per_page), 1)
    total = count_rows(query)
    pages = max(math.ceil(total / per_page), 1)
    page = min(max(int(page), 1), pages)
    if total == 0:
        return Page([], page, pages, total, per_page)
    paged = query.limit(per_page).offset((page - 1) * per_page)
    if len(query.column_descriptions) == 1:
        items = list(db.session.scalars(paged).unique().all())
    else:
        items = list(db.session.execute(paged).all())
    return Page(items, page, pages, total, per_page)
