"""No BSN in free text: the elfproef check, property-based, and on every free-text field of the profile."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from portal.core.forms import BSN_MESSAGE, contains_bsn, passes_elfproef
from tests.candidates.conftest import VALID_BSN, candidate_data, candidate_named, text
from tests.conftest import form_errors_in

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)


def check_digit(first_eight: str) -> int:
    """The ninth digit that makes the number pass the elfproef (10 means none exists)."""
    return sum(int(d) * w for d, w in zip(first_eight, WEIGHTS, strict=True)) % 11


eight_digits = st.text(alphabet="0123456789", min_size=8, max_size=8)
filler = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=30)


@st.composite
def valid_bsns(draw) -> str:
    first = draw(eight_digits)
    digit = check_digit(first)
    assume(digit < 10 and int(first + str(digit)) != 0)
    return first + str(digit)


@given(valid_bsns())
def test_numbers_built_to_pass_pass(number):
    assert passes_elfproef(number)


@given(valid_bsns(), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_breaks_the_elfproef(number, delta):
    position = delta - 1
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not passes_elfproef(changed)


@given(
    valid_bsns(),
    filler,
    filler,
    st.sampled_from(["{}", "{0}{1}{2}.{3}{4}.{5}{6}{7}{8}", "{0}{1}{2}{3} {4}{5} {6}{7}{8}"]),
)
def test_a_valid_bsn_anywhere_in_text_is_found(number, before, after, pattern):
    assume(not before.endswith((".", " ", "-")) and not after.startswith((".", " ", "-")))
    shown = pattern.format(number) if pattern == "{}" else pattern.format(*number)
    assert contains_bsn(f"{before}{shown}{after}")


@given(eight_digits, st.integers(min_value=0, max_value=9), filler, filler)
def test_nine_digits_failing_the_elfproef_are_allowed(first, last, before, after):
    number = first + str(last)
    assume(not passes_elfproef(number))
    assert not contains_bsn(f"{before}{number}{after}")


@given(valid_bsns(), st.sampled_from("0123456789"))
def test_a_longer_number_is_not_a_bsn(number, extra):
    assume(not passes_elfproef((number + extra)[1:]))
    assert not contains_bsn(number + extra)


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=200))
def test_text_without_digits_never_matches(value):
    assert not contains_bsn(value)


FREE_TEXT_FIELDS = (
    "first_name",
    "last_name",
    "home_town",
    "education_country",
    "diploma_evaluation",
    "experience_0_occupation",
    "other_languages",
    "certificates",
    "plan_a",
    "plan_b",
    "plan_c",
    "motivation",
)


@pytest.mark.parametrize("field", FREE_TEXT_FIELDS)
def test_every_free_text_field_refuses_a_bsn(seed, municipal, field):
    response = municipal.post("/kandidaten/nieuw", candidate_data(**{field: f"nummer {VALID_BSN} hier"}))
    assert response.status_code == 200
    assert BSN_MESSAGE in form_errors_in(text(response))
    assert candidate_named("Amira") is None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=valid_bsns())
def test_the_form_refuses_any_valid_bsn_in_the_motivation(seed, municipal, number):
    response = municipal.post("/kandidaten/nieuw", candidate_data(motivation=f"Mijn nummer is {number}."))
    assert BSN_MESSAGE in form_errors_in(text(response))


def test_a_phone_number_and_a_failing_nine_digit_number_are_fine(seed, municipal):
    data = candidate_data(motivation="Bel 0612345678 of kijk naar 123456789.", phone="0612345678")
    assert not passes_elfproef("123456789")
    assert municipal.post("/kandidaten/nieuw", data).status_code == 302
