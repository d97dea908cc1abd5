"""Tests for helpers.costs: amounts, MTurk's fee rules and estimates."""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest

from helpers import costs
from helpers.costs import bonus_cost, estimate_cost, fee, money_string, to_money

INVALID_AMOUNT = ("amount must be a positive amount in dollars with at most 2 decimals and "
                  "no sign, symbol or exponent, like '0.05'; got {!r}")


@pytest.mark.parametrize("reward, assignments, total", [
    ("0.05", 9, Decimal("0.54")),    # 20% of $0.05 is $0.01
    ("0.05", 10, Decimal("0.70")),   # 10 or more assignments: 40%
    ("0.02", 1, Decimal("0.03")),    # $0.004 raised to the $0.01 minimum
    ("1.00", 9, Decimal("10.80")),
    ("1.00", 10, Decimal("14.00")),
])
def test_estimate_total_matches_mturk(reward, assignments, total):
    estimate = estimate_cost(reward, assignments)
    assert estimate.total == total
    assert isinstance(estimate.total, Decimal)


def test_bonus_cost_half_dollar():
    assert bonus_cost("0.50") == Decimal("0.60")


def test_bonus_cost_minimum_fee():
    assert bonus_cost("0.01") == Decimal("0.02")


def test_bonus_never_pays_large_hit_fee():
    assert bonus_cost("1.00") == Decimal("1.20")


@pytest.mark.parametrize("amount, assignments, masters, expected", [
    ("0.05", 1, False, Decimal("0.01")),
    ("0.05", 10, False, Decimal("0.20")),
    ("1.00", 1, True, Decimal("0.25")),     # 20% + 5% Masters
    ("1.00", 10, True, Decimal("4.50")),    # 45% on each of 10 assignments
    ("0.52", 1, False, Decimal("0.10")),    # $0.104 rounds down
])
def test_fee_rates(amount, assignments, masters, expected):
    assert fee(amount, assignments, masters) == expected


def test_fee_rounds_half_up():
    # 20% of $0.25 is exactly $0.05, and 25% of $0.42 is $0.105, which rounds up.
    assert fee("0.25") == Decimal("0.05")
    assert fee("0.42", masters=True) == Decimal("0.11")


def test_estimate_fields_and_text():
    estimate = estimate_cost("0.05", 10, hits=3)
    assert estimate.rewards == Decimal("1.50")
    assert estimate.fees == Decimal("0.60")
    assert estimate.total == Decimal("2.10")
    assert estimate.per_hit == Decimal("0.70")
    assert str(estimate) == ("3 HITs x 10 assignments at $0.05: rewards $1.50 + fees $0.60 "
                             "(40%, at least $0.01 per assignment) = $2.10 ($0.70 per HIT)")


def test_estimate_text_masters():
    assert str(estimate_cost("1", 1, masters=True)) == (
        "1 HIT x 1 assignment at $1.00 (Masters): rewards $1.00 + fees $0.25 "
        "(25%, at least $0.01 per assignment) = $1.25 ($1.25 per HIT)")


@pytest.mark.parametrize("value, expected", [
    ("0.98", Decimal("0.98")),
    ("5", Decimal("5.00")),
    ("0.5", Decimal("0.50")),
    ("5.", Decimal("5.00")),
    (3, Decimal("3.00")),
    (Decimal("0.05"), Decimal("0.05")),
    (Decimal("0.050"), Decimal("0.05")),
])
def test_to_money_accepts(value, expected):
    amount = to_money(value)
    assert amount == expected
    assert str(amount) == str(expected)


@pytest.mark.parametrize("value", [
    "0.9752", ".5", "-1.00", "1e-2", "$1.00", "0.30000000000000004", "", " 1", "1,00",
    "\uff11",                  # full-width digit one
    -1, Decimal("-0.05"), Decimal("0.001"), Decimal("NaN"), Decimal("Infinity"), 10**40,
])
def test_to_money_rejects(value):
    with pytest.raises(ValueError) as caught:
        to_money(value)
    assert str(caught.value) == INVALID_AMOUNT.format(value)


@pytest.mark.parametrize("value", ["0", "0.00", 0, Decimal("0")])
def test_to_money_rejects_zero(value):
    with pytest.raises(ValueError) as caught:
        to_money(value, "reward")
    assert str(caught.value) == f"reward must be at least $0.01; got {value!r}"


def test_to_money_rejects_float():
    with pytest.raises(TypeError) as caught:
        to_money(0.1 + 0.2, "bonus")
    assert str(caught.value) == ("bonus must be a str, int or Decimal, not a float, because a float "
                                 "cannot store most cent amounts exactly; pass a string like '0.05', "
                                 "got 0.30000000000000004")


@pytest.mark.parametrize("value", [True, None, [1]])
def test_to_money_rejects_other_types(value):
    with pytest.raises(TypeError) as caught:
        to_money(value)
    assert str(caught.value) == (f"amount must be a str like '0.05', an int or a Decimal; "
                                 f"got {type(value).__name__} {value!r}")


def test_error_names_the_argument():
    with pytest.raises(ValueError) as caught:
        estimate_cost("0.9752", 3)
    assert str(caught.value) == ("reward must be a positive amount in dollars with at most 2 decimals "
                                 "and no sign, symbol or exponent, like '0.05'; got '0.9752'")


@pytest.mark.parametrize("assignments, error, message", [
    (0, ValueError, "assignments_per_hit must be between 1 and 1000000000; got 0"),
    (True, TypeError, "assignments_per_hit must be an int; got bool True"),
    ("9", TypeError, "assignments_per_hit must be an int; got str '9'"),
])
def test_estimate_rejects_bad_assignments(assignments, error, message):
    with pytest.raises(error) as caught:
        estimate_cost("0.05", assignments)
    assert str(caught.value) == message


@pytest.mark.parametrize("amount, text", [
    (Decimal("0.5"), "0.50"),
    (Decimal("12"), "12.00"),
    (Decimal("-0"), "0.00"),
    (7, "7.00"),
    (Decimal("1E+1"), "10.00"),
])
def test_money_string_formats(amount, text):
    assert money_string(amount) == text


@pytest.mark.parametrize("amount", [Decimal("0.005"), Decimal("-1"), Decimal("NaN")])
def test_money_string_rejects_invalid(amount):
    with pytest.raises(ValueError) as caught:
        money_string(amount)
    assert str(caught.value) == ("amount must be a non-negative number of dollars with at most "
                                 f"2 decimals; got {amount!r}")


def test_money_string_rejects_float():
    with pytest.raises(TypeError) as caught:
        money_string(0.5)
    assert str(caught.value) == "amount must be a Decimal or int; got float 0.5"


def test_docstring_examples():
    result = doctest.testmod(costs)
    assert result.attempted >= 3
    assert result.failed == 0
