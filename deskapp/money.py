"""Money is whole fen (分) in storage and Decimal yuan at the edges; never float.

The one rounding rule of the desk: an amount that is not whole fen (a price × a
quantity: 1.5 hours, 812.345 kWh) is rounded **to the fen, half up** (0.5 fen → 1 fen,
-0.5 fen → -1 fen: away from zero, so a reversal is exactly the negative of its line).
It is written once, in ``multiply``; everything that computes an amount calls it.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

FEN_PER_YUAN = 100
_CENT = Decimal("0.01")
# Decimal yuan, at most two decimals; a thousands separator is followed by exactly three
# digits ("10,000.00" from a spreadsheet; "1,5" is refused, it may have meant 1.5); no
# exponent. ASCII digits only: ``\d`` (and Decimal) would read a full-width "５０００".
_AMOUNT = re.compile(r"-?([0-9]{1,12}|[0-9]{1,3}(,[0-9]{3}){1,3})(\.[0-9]{1,2})?")


class MoneyError(ValueError):
    """Raised for a money amount that cannot be read exactly."""


def yuan_to_fen(value: str | int | Decimal) -> int:
    """Parse a yuan amount ("10000.00", "12.5", 3) into whole fen, exactly.

    More than two decimals is refused rather than rounded: a price list that says
    12.345 yuan is a typing error, not something to guess about.
    """
    if isinstance(value, float):
        raise MoneyError("money must not be given as float")
    text = str(value).strip()
    if not _AMOUNT.fullmatch(text):
        raise MoneyError(f"not an amount in yuan with at most two decimals: {value!r}")
    amount = Decimal(text.replace(",", ""))
    return int(amount * FEN_PER_YUAN)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(_CENT)


def format_yuan(fen: int) -> str:
    """Two decimals, no grouping: the form SPEC §9 uses in JSON ("10300.60")."""
    return str(fen_to_yuan(fen))


def multiply(fen: int, quantity: Decimal | int | str) -> int:
    """fen × quantity, rounded half up to whole fen (e.g. kWh × tariff, 1.5 h × rate):
    the desk's one rounding rule (see the module's docstring)."""
    exact = Decimal(fen) * Decimal(str(quantity))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def prorate(fen: int, part: int, whole: int) -> int:
    """fen × part ÷ whole (rent for the days of a month a lease holds: 23,800.00 × 17/31
    = 13,051.61), in integer arithmetic and rounded once, to the fen half up like
    ``multiply`` (away from zero for a negative amount)."""
    if whole <= 0 or part < 0:
        raise ValueError("prorate needs 0 <= part and 0 < whole")
    exact = abs(fen) * part
    rounded = (2 * exact + whole) // (2 * whole)
    return rounded if fen >= 0 else -rounded
