"""Tenant communication's commands with arbitrary input (hypothesis): always exit
0/2/3/4/5 with a message (never a traceback), nothing written when refused, nothing a
terminal would obey in the output. The rules of test_properties.check."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .test_cli import env  # noqa: F401 - the clean-environment fixture
from .test_properties import EXAMPLES, check, flag, joined, moments, mostly, numbers, option
from .test_properties import prepared, texts  # noqa: F401 - fixture

ACME = "Acme Trading Ltd"
tenants = mostly([ACME, "星辰科技", "[b]Red[/b] Co"])
MAIL_ADD = joined(st.just(["mail", "add"]), option("--tenant", tenants, required=True),
                  option("--kind", mostly(["express", "registered", "official"]),
                         required=True),
                  option("--carrier", texts), option("--tracking", texts),
                  option("--count", numbers), option("--at", moments), flag("--json"))
MAIL_DELIVER = joined(st.just(["mail", "deliver"]), numbers.map(lambda v: [v]),
                      option("--signed-by", texts), option("--at", moments), flag("--json"))
LETTER_ADD = joined(st.just(["letter", "add"]), option("--tenant", tenants, required=True),
                    option("--what", texts, required=True),
                    option("--from", texts, required=True),
                    option("--kind", mostly(["letter", "government_circular"])),
                    option("--delivered-to", texts), option("--at", moments), flag("--json"))
VISIT_ADD = joined(st.just(["visit", "add"]), option("--tenant", tenants, required=True),
                   option("--visitor", mostly(["wangfang", "ligong"]), required=True),
                   option("--feedback", texts, required=True), option("--issues", texts),
                   option("--suggestion", texts), option("--at", moments), flag("--json"))
BAGS_GIVE = joined(st.just(["bags", "give"]), option("--tenant", tenants, required=True),
                   option("--count", numbers, required=True), option("--at", moments),
                   flag("--json"))
months = mostly(["2026-11", "2026-10", "2025-12"])
READS = st.one_of(
    joined(st.just(["bags", "missing"]), option("--month", months), flag("--json")),
    joined(st.just(["visit", "due"]), option("--days", numbers), flag("--json")),
    joined(st.just(["mail", "list"]), flag("--waiting"), flag("--json")),
    joined(st.just(["report", "communication"]), option("--month", months), flag("--json")))


@pytest.fixture
def building(prepared, tmp_path):  # noqa: F811
    path = tmp_path / "tenants.csv"
    path.write_text("name,units,contact,phone,monthly_rent,due_day,lease_start,lease_end\n"
                    f"{ACME},8F-805,John,1380000,100.00,1,2026-01-01,2027-12-31\n"
                    '"[b]Red[/b] Co",3F-301,王芳,010,12.5,28,2026-01-01,2029-12-14\n',
                    encoding="utf-8")
    assert prepared(["tenant", "import", str(path)])[0] == 0
    assert prepared(["mail", "add", "--tenant", ACME, "--kind", "registered"])[0] == 0
    return prepared


@EXAMPLES
@given(argv=st.one_of(MAIL_ADD, MAIL_DELIVER, LETTER_ADD))
def test_mail_and_letters_with_anything(building, argv):
    check(building, argv)


@EXAMPLES
@given(argv=st.one_of(VISIT_ADD, BAGS_GIVE))
def test_visits_and_bags_with_anything(building, argv):
    check(building, argv)


@settings(EXAMPLES, max_examples=20)
@given(argv=READS)
def test_the_lists_and_the_report_with_anything(building, argv):
    check(building, argv)
