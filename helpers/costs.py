"""MTurk's fee rules and cost estimates, with money as ``Decimal`` dollars.

Fee rules, from MTurk's requester pricing page (https://requester.mturk.com/pricing)
for the rules in force since the July 2015 fee change:

* The commission is 20% of each reward and each bonus, with a minimum of
  $0.01 per assignment and per bonus.
* A HIT with 10 or more assignments pays 20% more on the reward (40% in
  all). Bonuses never pay this extra 20%.
* Requiring Masters workers adds 5% on the reward.
* Each fee is rounded half up to the cent ($0.104 -> $0.10, $0.105 -> $0.11),
  per assignment or bonus, because MTurk charges each one separately.

NOTE: these rules come from published copies of that page and its FAQ. They
were not checked against the live page, so check it before a large production run.

Amounts are given as strings like ``'0.05'``, ints or ``Decimal``. Floats are
rejected, because ``0.1 + 0.2`` is ``0.30000000000000004`` and MTurk rejects
such an amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Union

__all__ = [
    "Money",
    "CostEstimate",
    "to_money",
    "fee",
    "estimate_cost",
    "bonus_cost",
    "money_string",
    "BASE_FEE_RATE",
    "LARGE_HIT_EXTRA_FEE_RATE",
    "LARGE_HIT_MIN_ASSIGNMENTS",
    "MASTERS_EXTRA_FEE_RATE",
    "MIN_FEE_PER_PAYMENT",
]

Money = Union[str, int, Decimal]
"""An amount in US dollars: a string like ``'0.05'``, an int or a Decimal."""

CENT = Decimal("0.01")
BASE_FEE_RATE = Decimal("0.20")
LARGE_HIT_EXTRA_FEE_RATE = Decimal("0.20")
LARGE_HIT_MIN_ASSIGNMENTS = 10
MASTERS_EXTRA_FEE_RATE = Decimal("0.05")
MIN_FEE_PER_PAYMENT = Decimal("0.01")
MAX_ASSIGNMENTS_PER_HIT = 1_000_000_000

# MTurk's CurrencyAmount pattern for Reward and BonusAmount, so a string that
# passes here also passes the service. [0-9] rather than \d, which would also
# match non-ASCII digits.
_CURRENCY_AMOUNT = re.compile(r"[0-9]+(\.)?[0-9]{0,2}")


def to_money(value: Money, name: str = "amount") -> Decimal:
    """Check an amount in US dollars and return it as a Decimal with 2 decimals.

    Accepts what MTurk accepts for a reward or bonus: a string of digits with
    at most 2 decimals (``'0.98'``, ``'5'``, ``'0.5'``), a non-negative int, or
    a Decimal with at most 2 decimals. The amount must be at least $0.01.
    ``name`` is the argument name used in error messages.

    Raises:
        TypeError: ``value`` is a float, bool or another type. The message
            asks for a string like '0.05'.
        ValueError: ``value`` has more than 2 decimals, is zero or negative,
            is not a number, or is a string with a sign, symbol, exponent,
            spaces or no digit before the point (``'.5'``, ``'$1.00'``,
            ``'1e-2'``).
    """
    invalid = ValueError(f"{name} must be a positive amount in dollars with at most 2 decimals "
                         f"and no sign, symbol or exponent, like '0.05'; got {value!r}")
    if isinstance(value, float):
        raise TypeError(f"{name} must be a str, int or Decimal, not a float, because a float "
                        f"cannot store most cent amounts exactly; pass a string like '0.05', "
                        f"got {value!r}")
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise TypeError(f"{name} must be a str like '0.05', an int or a Decimal; "
                        f"got {type(value).__name__} {value!r}")

    if isinstance(value, str) and not _CURRENCY_AMOUNT.fullmatch(value):
        raise invalid
    amount = Decimal(value)
    if not _has_whole_cents(amount) or amount < 0:
        raise invalid
    if amount == 0:
        raise ValueError(f"{name} must be at least $0.01; got {value!r}")
    return amount.quantize(CENT)


def _has_whole_cents(amount: Decimal) -> bool:
    """Return True for a finite amount with at most 2 decimals."""
    if not amount.is_finite():
        return False
    try:
        return amount == amount.quantize(CENT)
    except InvalidOperation:
        # quantize fails when the result needs more digits than the context
        # precision (28), which only happens for absurdly large amounts.
        return False


def _fee_rate(assignments: int, masters: bool) -> Decimal:
    rate = BASE_FEE_RATE
    if assignments >= LARGE_HIT_MIN_ASSIGNMENTS:
        rate += LARGE_HIT_EXTRA_FEE_RATE
    if masters:
        rate += MASTERS_EXTRA_FEE_RATE
    return rate


def _fee_per_payment(amount: Decimal, rate: Decimal) -> Decimal:
    return max(amount * rate, MIN_FEE_PER_PAYMENT).quantize(CENT, rounding=ROUND_HALF_UP)


def _check_count(value: int, name: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
    if not 1 <= value <= maximum:
        raise ValueError(f"{name} must be between 1 and {maximum}; got {value}")
    return value


def fee(amount: Money, assignments: int = 1, masters: bool = False) -> Decimal:
    """Return MTurk's commission on one HIT paying ``amount`` to each of ``assignments`` workers.

    The rate is 20%, plus 20% when ``assignments`` is 10 or more, plus 5% when
    ``masters`` is True, with a $0.01 minimum per assignment. Each assignment's
    fee is rounded half up to the cent. ``fee(bonus)`` gives the fee on one
    bonus: 20% with the $0.01 minimum.

    >>> fee("0.05", assignments=10)
    Decimal('0.20')
    """
    amount = to_money(amount)
    assignments = _check_count(assignments, "assignments", MAX_ASSIGNMENTS_PER_HIT)
    return _fee_per_payment(amount, _fee_rate(assignments, masters)) * assignments


@dataclass(frozen=True)
class CostEstimate:
    """Cost of a batch in Decimal dollars, assuming every assignment is approved.

    ``rewards`` is what workers earn, ``fees`` is MTurk's commission, ``total``
    is their sum, and ``per_hit`` is the total for one HIT.
    """

    reward: Decimal
    assignments_per_hit: int
    hits: int
    masters: bool
    rewards: Decimal
    fees: Decimal
    total: Decimal
    per_hit: Decimal

    def __str__(self) -> str:
        hits = f"{self.hits} HIT" + ("" if self.hits == 1 else "s")
        assignments = f"{self.assignments_per_hit} assignment" + (
            "" if self.assignments_per_hit == 1 else "s")
        workers = " (Masters)" if self.masters else ""
        rate = _fee_rate(self.assignments_per_hit, self.masters) * 100
        return (f"{hits} x {assignments} at ${money_string(self.reward)}{workers}: "
                f"rewards ${money_string(self.rewards)} + fees ${money_string(self.fees)} "
                f"({rate:.0f}%, at least $0.01 per assignment) = ${money_string(self.total)} "
                f"(${money_string(self.per_hit)} per HIT)")


def estimate_cost(reward: Money, assignments_per_hit: int, hits: int = 1,
                  masters: bool = False) -> CostEstimate:
    """Estimate rewards plus fees for ``hits`` HITs with ``assignments_per_hit`` each.

    >>> str(estimate_cost("0.05", 9))
    '1 HIT x 9 assignments at $0.05: rewards $0.45 + fees $0.09 (20%, at least $0.01 per assignment) = $0.54 ($0.54 per HIT)'

    Bonuses are not included; add :func:`bonus_cost` for each planned bonus.
    """
    reward = to_money(reward, "reward")
    assignments_per_hit = _check_count(assignments_per_hit, "assignments_per_hit",
                                       MAX_ASSIGNMENTS_PER_HIT)
    hits = _check_count(hits, "hits", MAX_ASSIGNMENTS_PER_HIT)

    rewards_per_hit = reward * assignments_per_hit
    fees_per_hit = fee(reward, assignments_per_hit, masters)
    return CostEstimate(
        reward=reward, assignments_per_hit=assignments_per_hit, hits=hits, masters=masters,
        rewards=rewards_per_hit * hits, fees=fees_per_hit * hits,
        total=(rewards_per_hit + fees_per_hit) * hits, per_hit=rewards_per_hit + fees_per_hit)


def bonus_cost(amount: Money) -> Decimal:
    """Return what one bonus of ``amount`` costs: the bonus plus 20% with a $0.01 minimum.

    >>> bonus_cost("0.50")
    Decimal('0.60')
    """
    amount = to_money(amount, "bonus")
    return amount + _fee_per_payment(amount, BASE_FEE_RATE)


def money_string(amount: Decimal | int) -> str:
    """Format an amount as MTurk's API expects it: dollars with 2 decimals, like ``'0.50'``.

    Raises:
        TypeError: ``amount`` is not a Decimal or int.
        ValueError: ``amount`` is negative, not finite, or has more than 2
            decimals (round it with ``quantize`` first).
    """
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise TypeError(f"amount must be a Decimal or int; got {type(amount).__name__} {amount!r}")
    amount = Decimal(amount)
    if not _has_whole_cents(amount) or amount < 0:
        raise ValueError(f"amount must be a non-negative number of dollars with at most "
                         f"2 decimals; got {amount!r}")
    # Adding 0 turns a negative zero into "0.00" instead of "-0.00".
    return f"{amount.quantize(CENT) + 0:f}"
