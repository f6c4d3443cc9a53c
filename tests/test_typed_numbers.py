"""Numbers people type are ASCII digits, said with the field they are about (issue 7
fold): a full-width "５０００" is not 5000 yuan, "１" is not record 1, and "1,5" is not 15
yuan. These rules live once in money.py and services/validate.py; every area uses them."""

from __future__ import annotations

import pytest

from deskapp.money import MoneyError, yuan_to_fen
from deskapp.services import InvalidInput, validate

from . import test_cli
from .test_cli import cli, counts, env, url  # noqa: F401 - fixtures

# full-width, Arabic-Indic and Devanagari digits: Python's \d and int() read them all
NOT_ASCII = ["５０００", "٥٠٠٠", "५०००", "5０00", "１.５0"]


@pytest.mark.parametrize("text", NOT_ASCII)
def test_an_amount_in_other_digits_is_refused_not_read(text):
    with pytest.raises(MoneyError):
        yuan_to_fen(text)
    with pytest.raises(InvalidInput) as refused:
        validate.yuan(text, "--amount")
    assert "is not an amount in yuan" in refused.value.message()


@pytest.mark.parametrize(("text", "fen"), [
    ("10,000.00", 1_000_000), ("1,000", 100_000), ("999,999,999.99", 99_999_999_999),
    ("10000.00", 1_000_000)])
def test_a_thousands_separator_before_three_digits_is_read(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["1,5", "1,50", "1,5000", "10,00.00", ",500", "1,",
                                  "1,000,00", "1,000.5,0"])
def test_a_separator_not_before_exactly_three_digits_is_the_bad_yuan_refusal(text):
    # "1,5" was most likely typed for 1.5 yuan: refused, not guessed as 15 yuan
    with pytest.raises(InvalidInput) as refused:
        validate.yuan(text, "--amount")
    assert refused.value.key == "error.bad_yuan"


@pytest.mark.parametrize("text", ["１", "٣", "1_0", "１２", "4２"])
def test_a_record_number_in_other_digits_is_refused(text):
    with pytest.raises(InvalidInput):
        validate.record_id(text, "mail")


def test_a_record_number_as_people_type_it_is_read():
    assert validate.record_id(" 12 ", "mail") == 12
    assert validate.record_id("#12") == 12
    assert validate.record_id(7, "letter") == 7


@pytest.mark.parametrize("field", ["mail", "letter", "tenant", "pass", "fit-out"])
def test_a_bad_record_number_names_its_field_not_a_ticket(field):
    with pytest.raises(InvalidInput) as refused:
        validate.record_id("abc", field)
    message = refused.value.message()
    assert field in message
    assert "ticket" not in message
    assert "'abc'" in message


def test_a_bad_ticket_number_still_says_ticket_number():
    with pytest.raises(InvalidInput) as refused:
        validate.record_id("abc")
    assert "ticket number" in refused.value.message()


@pytest.mark.parametrize("text", NOT_ASCII[:3])
def test_a_count_in_other_digits_is_refused(text):
    with pytest.raises(InvalidInput):
        validate.number(text, "--count", low=1, high=10_000)


@pytest.mark.parametrize("text", ["２０２６-11-26T10:00", "2026-11-26T１０:00",
                                  "2026-11-26T10:00+０8:00"])
def test_a_moment_in_other_digits_is_refused(text):
    with pytest.raises(InvalidInput) as refused:
        validate.parse_iso(text, "Asia/Shanghai", "--at")
    assert "not an ISO 8601" in refused.value.message()


@pytest.mark.parametrize("args, message", [
    (("mail", "deliver", "abc"), "mail: 'abc' is not a number from 1"),
    (("letter", "deliver", "１", "--to", "Li"), "letter: '１' is not a number from 1"),
    (("pass", "revoke", "１", "--reason", "lost"), "pass: '１' is not a number from 1"),
    (("fitout", "show", "0"), "fit-out: '0' is not a number from 1"),
    (("fitout", "deposit", "1", "--amount", "1,5"), "is not an amount in yuan"),
])
def test_the_command_line_names_the_record_and_writes_nothing(cli, url, args, message):
    test_cli.test_bad_input_exits_2_and_writes_nothing(cli, url, args, message)
