"""The shared basics every domain uses: the refusal type and the id check."""

from __future__ import annotations

import pytest

from portal.core.db import MAX_ID, valid_id
from portal.core.errors import DomainError


@pytest.mark.parametrize("value", [1, 42, MAX_ID])
def test_ids_in_the_column_range_are_valid(value):
    assert valid_id(value) is True


@pytest.mark.parametrize("value", [0, -1, MAX_ID + 1, 2**63, True, False, "1", 1.0, None])
def test_anything_else_is_not_an_id(value):
    assert valid_id(value) is False


def test_a_refusal_carries_its_message_and_field():
    error = DomainError("Kies een datum.", "start_date")
    assert (str(error), error.message, error.field) == ("Kies een datum.", "Kies een datum.", "start_date")
    assert DomainError("Dit kan niet.").field is None
