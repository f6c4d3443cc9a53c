"""Money is whole fen (分) in storage and Decimal yuan at the edges; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
_CENT = Decimal("0.01")


class MoneyError(ValueError):
    """Raised for a money amount that cannot be read exactly."""


def yuan_to_fen(value: str | int | Decimal) -> int:
    """Parse a yuan amount ("10000.00", "12.5", 3) into whole fen, exactly.

    More than two decimals is refused rather than rounded: a price list that says
    12.345 yuan is a typing error, not something to guess about.
    """
    if isinstance(value, float):
        raise MoneyError("money must not be given as float")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    if amount != amount.quantize(_CENT):
        raise MoneyError(f"more than two decimals: {value!r}")
    return int(amount * FEN_PER_YUAN)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(_CENT)


def format_yuan(fen: int) -> str:
    """Two decimals, no grouping: the form SPEC §9 uses in JSON ("10300.60")."""
    return str(fen_to_yuan(fen))


def multiply(fen: int, quantity: Decimal | int | str) -> int:
    """fen × quantity, rounded half-up to whole fen (e.g. kWh × tariff)."""
    exact = Decimal(fen) * Decimal(str(quantity))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
