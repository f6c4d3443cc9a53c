"""Money is exact: whole fen inside, two-decimal yuan strings outside (R-8.4, SPEC §9)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from deskapp.money import MoneyError, fen_to_yuan, format_yuan, multiply, yuan_to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("10000.00", 1_000_000),   # the tenant CSV's rent
        ("10300.60", 1_030_060),
        ("12.5", 1250),
        ("0.01", 1),
        ("0", 0),
        ("  7 ", 700),
        ("10,000.00", 1_000_000),  # thousands separator from a spreadsheet
        (3, 300),
        (Decimal("19.99"), 1999),
    ],
)
def test_yuan_to_fen_is_exact(text, fen):
    assert yuan_to_fen(text) == fen


def test_tenths_add_up_exactly():
    # The classic float trap: 0.1 + 0.2 != 0.3 in binary floating point.
    assert yuan_to_fen("0.1") + yuan_to_fen("0.2") == yuan_to_fen("0.3") == 30
    assert format_yuan(yuan_to_fen("0.1") + yuan_to_fen("0.2")) == "0.30"


def test_large_sums_stay_exact():
    total = sum(yuan_to_fen("0.01") for _ in range(100_000))
    assert total == 100_000
    assert format_yuan(total) == "1000.00"
    assert yuan_to_fen("99999999999.99") == 9_999_999_999_999


@pytest.mark.parametrize("value", [0.1, 10000.0, 0.0])
def test_floats_are_refused(value):
    with pytest.raises(MoneyError):
        yuan_to_fen(value)


@pytest.mark.parametrize("text", ["12.345", "0.001", "10000.005"])
def test_three_decimals_are_refused_not_rounded(text):
    with pytest.raises(MoneyError):
        yuan_to_fen(text)


@pytest.mark.parametrize(
    "text", ["", "abc", "12.3.4", "¥12", "NaN", "inf", "-Infinity", "12 yuan"])
def test_garbage_is_refused(text):
    with pytest.raises(MoneyError):
        yuan_to_fen(text)


def test_money_error_is_a_value_error():
    # Callers (CLI, import) turn ValueError into "bad input", exit code 2.
    assert issubclass(MoneyError, ValueError)


def test_absurdly_large_amount_is_a_money_error():
    with pytest.raises(MoneyError):
        yuan_to_fen("1e30")


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (1_030_060, "10300.60"),
        (1_000_000, "10000.00"),
        (5, "0.05"),
        (50, "0.50"),
        (0, "0.00"),
        (-150, "-1.50"),
    ],
)
def test_format_yuan_two_decimals(fen, text):
    assert format_yuan(fen) == text


@pytest.mark.parametrize("text", ["10300.60", "0.05", "12.50", "0.00"])
def test_format_and_parse_round_trip(text):
    assert format_yuan(yuan_to_fen(text)) == text
    assert fen_to_yuan(yuan_to_fen(text)) == Decimal(text)


def test_multiply_rounds_half_up_to_whole_fen():
    # 123.4 kWh at 0.86 yuan/kWh = 106.124 yuan -> 10612 fen
    assert multiply(86, "123.4") == 10612
    # exactly half a fen rounds up (not to even)
    assert multiply(1, "0.5") == 1
    assert multiply(5, "0.5") == 3
    assert multiply(100, 3) == 300


@pytest.mark.parametrize("text", ["1,5", "1,0,0", "1e2", "1_000", "12,34.00"])
def test_ambiguous_separators_and_exponents_are_refused(text):
    # "1,5" typed for 1.5 yuan must not become 15 yuan
    with pytest.raises(MoneyError):
        yuan_to_fen(text)
