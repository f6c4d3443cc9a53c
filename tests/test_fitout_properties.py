"""Arbitrary input through the fit-out, pass, insurance, permit and release commands
(hypothesis, in the style of test_properties): always exit 0/2/3/4/5 with a message,
never a traceback, nothing escaping to the terminal, and a refusal changes no table."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .test_cli import env  # noqa: F401 - the clean-environment fixture
from .test_properties import (EXAMPLES, check, flag, joined, moments, mostly, numbers, option,
                              prepared, texts)  # noqa: F401 - fixtures

TENANT = "Acme Trading Ltd"
tenants = st.one_of(st.just(TENANT), st.just(TENANT), texts)
days = mostly(["2026-11-26", "2026-11-30", "2027-11-25", "2026-11-25", "9999-12-31",
               "2026-02-30", "２０２６-11-26", "2026-11-26T09:00", "2026-11-26T18:00+08:00"])
plates = mostly(["京A12345", "粤B·12345", "沪AD12345", "京A1234", "<b>京A1</b>"])
amounts = mostly(["5000", "5000.00", "10,000.00", "1,5", "５０００", "-5", "12.345",
                  "999999999999", "0"])
ids = st.one_of(st.sampled_from(["1", "2"]), numbers)

PASS_ADD = joined(st.just(["pass", "add"]), option("--tenant", tenants, required=True),
                  option("--kind", mostly(["staff", "visitor", "fitout_worker"]), required=True),
                  option("--name", texts, required=True), option("--name", texts),
                  option("--from", days, required=True), option("--to", days, required=True),
                  option("--at", moments), flag("--json"))
PASS_OTHER = st.one_of(
    joined(st.just(["pass", "list"]), flag("--valid"), option("--expiring", numbers),
           option("--tenant", tenants), option("--name", texts), flag("--json")),
    joined(st.just(["pass", "revoke"]), ids.map(lambda v: [v]),
           option("--reason", texts, required=True), flag("--json")))
INSURANCE_ADD = joined(st.just(["insurance", "add"]), option("--plate", plates, required=True),
                       option("--insurer", texts, required=True),
                       option("--policy", texts, required=True),
                       option("--from", days, required=True), option("--to", days, required=True),
                       flag("--json"))
PERMIT_ADD = joined(st.just(["permit", "add"]), option("--tenant", tenants, required=True),
                    option("--plate", plates, required=True),
                    option("--vehicle", mostly(["car", "motorcycle"]), required=True),
                    option("--holder", texts, required=True),
                    option("--from", days, required=True), option("--to", days, required=True),
                    flag("--json"))
RELEASE_ADD = joined(st.just(["release", "add"]), option("--tenant", tenants, required=True),
                     option("--items", texts, required=True),
                     option("--carrier", texts, required=True),
                     option("--confirmed-by", texts, required=True), option("--guard", texts),
                     option("--at", moments), flag("--json"))
FITOUT = st.one_of(
    joined(st.just(["fitout", "apply"]), option("--tenant", tenants, required=True),
           option("--scope", mostly(["simple", "systems"]), required=True),
           option("--units", mostly(["12F-1201", "8F-805"])), option("--documents", texts),
           option("--from", days), option("--to", days), flag("--json")),
    joined(st.just(["fitout", "docs"]), ids.map(lambda v: [v]),
           option("--received", mostly(["申请表", "application"]), required=True),
           option("--at", moments), flag("--json")),
    joined(st.just(["fitout", "deposit"]), ids.map(lambda v: [v]),
           option("--amount", amounts, required=True), flag("--json")),
    joined(st.just(["fitout", "accept"]), ids.map(lambda v: [v]),
           option("--at", moments, required=True), flag("--json")),
    joined(st.just(["fitout", "inspect"]), ids.map(lambda v: [v]), flag("--pass"),
           option("--rectify", texts), option("--by", days), flag("--json")),
    joined(st.just(["fitout", "refuse"]), ids.map(lambda v: [v]), option("--reason", texts),
           flag("--json")))


@pytest.fixture
def with_tenant(prepared, tmp_path):  # noqa: F811
    csv = tmp_path / "tenants.csv"
    csv.write_text("name,units,contact,phone,monthly_rent,due_day,lease_start,lease_end\n"
                   f"{TENANT},12F-1201,刘洋,13800001201,10000.00,5,2026-01-01,2028-12-31\n",
                   encoding="utf-8")
    assert prepared(["tenant", "import", str(csv)])[0] == 0
    assert prepared(["fitout", "apply", "--tenant", TENANT, "--scope", "simple",
                     "--documents", "申请表"])[0] == 0
    assert prepared(["pass", "add", "--tenant", TENANT, "--kind", "staff", "--name", "张伟",
                     "--from", "2026-11-26", "--to", "2026-12-31"])[0] == 0
    return prepared


@settings(EXAMPLES, max_examples=120)
@given(argv=st.one_of(PASS_ADD, PASS_OTHER, INSURANCE_ADD, PERMIT_ADD, RELEASE_ADD, FITOUT))
def test_fitout_and_pass_commands_with_anything(with_tenant, argv):
    check(with_tenant, argv)
