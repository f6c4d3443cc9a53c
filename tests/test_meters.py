"""Electricity meters (issue 9 item 3; R-7.1, R-7.5): monthly readings in exact
hundredths of a kWh, refused when impossible, flagged when far off the meter's usual
daily consumption and confirmed by engineering, imported from a spreadsheet whole or not
at all, replaced as one action. Clock: Thursday 2026-11-26 14:00 building time."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.models import Audit
from deskapp.models.movein import Meter, MeterReading
from deskapp.services import meters
from deskapp.services import tenants as registry
from deskapp.services.errors import Conflict, InvalidInput, NotAllowed
from deskapp.services.tenants import TenantData

from .conftest import TZ, as_role
from .test_cli import cli, env, url  # noqa: F401 - fixtures
from .test_properties import dump

STAR = "星辰科技"
HEADER = "tenant,meter,read_at,reading\n"


def at(*args) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz=TZ)


@pytest.fixture
def tenant(desk):
    row = registry.add_tenant(desk, TenantData(name=STAR, units=("12F-1201",),
                                               contact="刘洋", phone="13800001201"),
                              status="active")
    meters.add_meter(desk, tenant_id=row.id, code="E-1201", reading="1000.00",
                     at=at(2026, 7, 1))
    return row


def read(desk, tenant, reading, moment, code="E-1201"):
    return meters.record_reading(desk, tenant_id=tenant.id, meter_code=code, reading=reading,
                                 read_at=moment)


@pytest.fixture
def history(desk, tenant):
    """Ten kWh a day for three months: 310 in July, 310 in August, 300 in September."""
    for reading, moment in (("1310", at(2026, 8, 1)), ("1620.00", at(2026, 9, 1)),
                            ("1920.00", at(2026, 10, 1))):
        assert read(desk, tenant, reading, moment).flag is None
    return tenant


def readings(code="E-1201"):
    return [(r.kind, r.reading, r.flag) for r in MeterReading.select().join(Meter)
            .where(Meter.code == code).order_by(MeterReading.read_at)]


# --- readings ---------------------------------------------------------------------------------

def test_a_reading_is_kept_in_exact_hundredths_of_a_kwh(desk, tenant):
    row = read(desk, tenant, "1450.5", at(2026, 8, 1))
    assert (row.reading, row.kind, row.by) == (145050, "monthly", "wangfang")
    assert meters.reading_json(desk, row)["reading"] == "1450.50"
    assert meters.reading_json(desk, row)["read_at"] == "2026-08-01T00:00:00+08:00"
    audit = Audit.select().where(Audit.action == "meter.read").get()
    assert '"reading": 145050' in audit.detail


@pytest.mark.parametrize("typed", ["1450.555", "１４５０", "1,5", "-1", "1e3", "1450.", ".5",
                                   "123456789", "", "NaN"])
def test_a_reading_not_exact_hundredths_is_refused_and_nothing_written(desk, tenant, typed):
    with pytest.raises(InvalidInput):
        read(desk, tenant, typed, at(2026, 8, 1))
    assert readings() == [("baseline", 100000, None)]


def test_impossible_readings_are_refused_each_in_its_own_words(desk, tenant):
    read(desk, tenant, "1310.00", at(2026, 8, 1))
    with pytest.raises(InvalidInput, match="below the last reading 1310.00 kWh"):
        read(desk, tenant, "1309.99", at(2026, 9, 1))
    with pytest.raises(InvalidInput, match="last read at 2026-08-01 00:00"):
        read(desk, tenant, "1400.00", at(2026, 8, 1))
    with pytest.raises(InvalidInput, match="last read at 2026-08-01 00:00"):
        read(desk, tenant, "1400.00", at(2026, 7, 31))
    with pytest.raises(InvalidInput, match="future"):
        read(desk, tenant, "1400.00", at(2026, 11, 26, 14, 5))
    with pytest.raises(InvalidInput, match="has no meter E-9999 on record.*E-1201"):
        read(desk, tenant, "1400.00", at(2026, 9, 1), code="E-9999")
    assert readings() == [("baseline", 100000, None), ("monthly", 131000, None)]


def test_a_removed_meter_takes_no_more_readings(desk, tenant):
    meters.replace_meter(desk, tenant_id=tenant.id, old_code="E-1201", final_reading="1300",
                         new_code="E-1201B", new_reading="0", at=at(2026, 8, 15, 10))
    with pytest.raises(InvalidInput, match="E-1201 of 星辰科技 was removed on 2026-08-15 10:00"):
        read(desk, tenant, "1400.00", at(2026, 9, 1))


# --- far off usual -----------------------------------------------------------------------------

def test_the_first_intervals_have_no_usual_and_are_never_flagged(desk, tenant):
    # baseline → 100 kWh a day, then 1 kWh a day: the second is judged against the first
    assert read(desk, tenant, "4100.00", at(2026, 8, 1)).flag is None
    assert read(desk, tenant, "4131.00", at(2026, 9, 1)).flag == "low"


def test_a_reading_above_three_times_usual_is_kept_but_flagged_high(desk, history):
    # usual: 920 kWh over 92 days = 10.00 a day; 3 × 10 × 31 days = 930 kWh
    assert read(desk, history, "2850.00", at(2026, 11, 1)).flag is None
    row = MeterReading.get(MeterReading.reading == 285000)
    row.delete_instance()
    high = read(desk, history, "3000.00", at(2026, 11, 1))
    assert (high.reading, high.flag) == (300000, "high")  # kept
    assert high.note == ("34.84 kWh a day over 31 days, more than 3 times the usual "
                         "10.00 kWh a day (its last 3 intervals between readings): "
                         "check the meter")
    assert read(desk, history, "3000.01", at(2026, 11, 2)).flag == "low"  # 0.01 in a day


def test_the_high_edge_is_exact(desk, history):
    assert read(desk, history, "2850.01", at(2026, 11, 1)).flag == "high"


@pytest.mark.parametrize("reading,flag", [("2023.33", "low"), ("2023.34", None)])
def test_a_reading_below_a_third_of_usual_is_flagged_low(desk, history, reading, flag):
    # 10/3 kWh a day × 31 days = 103.33… kWh: 103.33 is below, 103.34 is not
    assert read(desk, history, reading, at(2026, 11, 1)).flag == flag


def test_usual_is_the_last_three_intervals_only_and_the_factor_a_setting(desk, history):
    from deskapp.services.settings import set_setting

    read(desk, history, "2230.00", at(2026, 11, 1))  # 10 a day again (31 days)
    # now usual = Aug..Oct: (2230 − 1310) / 92 days = 10 a day; 2 × 10 × 10 days = 200
    set_setting(desk, "meter_flag_factor", "2")
    desk.profile(refresh=True)
    row = read(desk, history, "2430.01", at(2026, 11, 11))
    assert row.flag == "high" and "more than 2 times the usual 10.00" in row.note


def test_engineering_confirms_a_flagged_reading_finance_may_not(desk, history):
    high = read(desk, history, "3000.00", at(2026, 11, 1))
    with pytest.raises(NotAllowed):
        meters.confirm_reading(as_role(desk, "finance"), high.id, "checked")
    row = meters.confirm_reading(as_role(desk, "engineering", "ligong"), high.id,
                                 "新装服务器机房，读数属实")
    assert row.flag is None
    assert row.note.endswith("confirmed by ligong at 2026-11-26 14:00: 新装服务器机房，读数属实")
    assert "34.84 kWh a day" in row.note
    audit = Audit.select().where(Audit.action == "meter.confirm").get()
    assert (audit.actor, '"flag": "high"' in audit.detail) == ("ligong", True)
    with pytest.raises(Conflict, match="not flagged"):
        meters.confirm_reading(desk, high.id, "again")
    with pytest.raises(InvalidInput):
        meters.confirm_reading(desk, high.id, "   ")


# --- meters added and replaced ---------------------------------------------------------------

def test_a_replacement_is_one_action_final_and_baseline_at_one_moment(desk, tenant):
    read(desk, tenant, "1310.00", at(2026, 10, 31, 9))
    new = meters.replace_meter(desk, tenant_id=tenant.id, old_code="E-1201",
                               final_reading="1400.25", new_code="E-1201B",
                               new_reading="0.00", at=at(2026, 11, 15, 10))
    meters.record_reading(desk, tenant_id=tenant.id, meter_code="E-1201B",
                          reading="150.50", read_at=at(2026, 11, 26, 9))
    old = Meter.get(Meter.code == "E-1201")
    assert old.removed_at == at(2026, 11, 15, 10) and new.removed_at is None
    assert readings("E-1201")[-1] == ("replacement", 140025, None)
    assert readings("E-1201B") == [("baseline", 0, None), ("monthly", 15050, None)]
    # November: old 1400.25 − 1310.00 + new 150.50 − 0.00 = 240.75 kWh
    assert (140025 - 131000) + (15050 - 0) == 24075
    assert new.unit == "12F-1201"
    assert Audit.select().where(Audit.action == "meter.replace").count() == 1


def test_a_failed_replacement_changes_nothing(desk, tenant):
    other = registry.add_tenant(desk, TenantData(name="Acme", units=("8F-805",)),
                                status="active")
    meters.add_meter(desk, tenant_id=other.id, code="E-805", reading="10")
    before = dump()
    with pytest.raises(Conflict, match="E-805 is still on Acme's record"):
        meters.replace_meter(desk, tenant_id=tenant.id, old_code="E-1201",
                             final_reading="1100", new_code="E-805", new_reading="0")
    with pytest.raises(InvalidInput, match="below"):
        meters.replace_meter(desk, tenant_id=tenant.id, old_code="E-1201",
                             final_reading="999.99", new_code="E-NEW", new_reading="0")
    with pytest.raises(InvalidInput, match="own code"):
        meters.replace_meter(desk, tenant_id=tenant.id, old_code="E-1201",
                             final_reading="1100", new_code="e-1201", new_reading="0")
    assert dump() == before


def test_an_incoming_tenants_meter_is_read_at_move_in_not_added(desk):
    newcomer = registry.add_tenant(desk, TenantData(name="新来公司", units=("9F-901",)))
    with pytest.raises(InvalidInput, match="baseline is read at move-in"):
        meters.add_meter(desk, tenant_id=newcomer.id, code="E-901", reading="5")
    assert Meter.select().count() == 0


def test_who_may_read_add_and_replace(desk, tenant):
    for role in ("desk", "security", "viewer"):
        with pytest.raises(NotAllowed):
            read(as_role(desk, role), tenant, "1100", at(2026, 8, 1))
    for role in ("finance", "desk"):
        with pytest.raises(NotAllowed):
            meters.replace_meter(as_role(desk, role), tenant_id=tenant.id, old_code="E-1201",
                                 final_reading="1100", new_code="E-2", new_reading="0")
    assert read(as_role(desk, "finance"), tenant, "1100", at(2026, 8, 1)).by == "someone"


# --- the import -------------------------------------------------------------------------------

def write(tmp_path, text, name="readings.csv", bom=False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return str(path)


def test_an_import_takes_rows_in_read_at_order_and_again_changes_nothing(desk, history,
                                                                         tmp_path):
    # rows out of order; a day alone is 00:00 that building day
    path = write(tmp_path, HEADER + f"{STAR},E-1201,2026-11-20T09:30,2210.00\n"
                 f"{STAR},e-1201,2026-11-01,2230.00\n", bom=True)
    with pytest.raises(InvalidInput, match="line 2.*below the last reading 2230.00"):
        meters.import_readings(desk, path)
    path = write(tmp_path, HEADER + f"{STAR},E-1201,2026-11-20T09:30+08:00,3400.00\n"
                 f"{STAR},e-1201,2026-11-01,2230.00\n", bom=True)
    assert meters.import_readings(desk, path) == {"lines": 2, "imported": 2, "unchanged": 0,
                                                  "flagged": 1}
    rows = list(MeterReading.select().where(MeterReading.kind == "monthly")
                .order_by(MeterReading.read_at))[-2:]
    assert [(r.read_at, r.reading, r.flag) for r in rows] == [
        (at(2026, 11, 1), 223000, None), (at(2026, 11, 20, 9, 30), 340000, "high")]
    before = dump()
    assert meters.import_readings(desk, path) == {"lines": 2, "imported": 0, "unchanged": 2,
                                                  "flagged": 0}
    assert dump() == before


def test_a_bad_line_7_refuses_the_whole_file(desk, tenant, tmp_path):
    rows = [f"{STAR},E-1201,2026-{month:02d}-01,{1000 + 100 * month}.00" for month in
            range(8, 12)]
    rows.insert(4, f"{STAR},E-1201,2026-11-15,1450.555")  # line 6
    rows.append("Nobody Ltd,E-1,2026-11-01,5")  # line 7
    path = write(tmp_path, HEADER + "\n".join(rows) + "\n")
    before = dump()
    with pytest.raises(InvalidInput) as refused:
        meters.import_readings(desk, path)
    message = refused.value.message()
    assert "2 problem(s), nothing was imported" in message
    assert "line 6, column 4 (reading): reading: '1450.555' is not a meter reading" in message
    assert "line 7, column 1 (tenant): no tenant is registered as 'Nobody Ltd'" in message
    assert dump() == before


def test_an_import_row_that_contradicts_the_record_is_refused(desk, history, tmp_path):
    path = write(tmp_path, HEADER + f"{STAR},E-1201,2026-10-01,1921.00\n")
    with pytest.raises(InvalidInput, match="line 2: meter E-1201 already has 1920.00 kWh at "
                                           "2026-10-01 00:00; the file says 1921.00"):
        meters.import_readings(desk, path)


@pytest.mark.parametrize("content,message", [
    ("tenant,meter,reading,read_at\n", "header must be exactly"),
    ("", "the file is empty"),
    (HEADER + f"{STAR},E-1201,2026-11-01\n", "3 cells where the header has 4"),
    (HEADER + f"{STAR},E-1201,2027-01-01,2000\n", "not plausible|future"),
    (HEADER + f"{STAR},E-1201,01/11/2026,2000\n", "read_at"),
    (HEADER + f"{STAR},E-1201,2026-11-01,1,5\n", "5 cells"),
    (HEADER + f"{STAR},E-1201,2026-11-01,\"1,5\"\n", "not a meter reading"),
    (HEADER + f"{STAR},E-1201,2026-11-01,２０００\n", "not a meter reading"),
])
def test_import_refusals(desk, tenant, tmp_path, content, message):
    before = dump()
    with pytest.raises(InvalidInput, match=message):
        meters.import_readings(desk, write(tmp_path, content))
    assert dump() == before


def test_an_import_not_utf8_names_its_line(desk, tenant, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(HEADER.encode() + "星辰科技,E-1201,2026-11-01,2000\n".encode("gbk"))
    with pytest.raises(InvalidInput, match="line 2.*not UTF-8"):
        meters.import_readings(desk, str(path))


# --- the command line -----------------------------------------------------------------------

@pytest.fixture
def building(cli, url, tmp_path):
    assert cli("--db", url, "init").code == 0
    path = tmp_path / "tenants.csv"
    path.write_text("name,units,contact,phone,monthly_rent,due_day,lease_start,lease_end\n"
                    f"{STAR},12F-1201,刘洋,13800001201,10000.00,5,2026-01-01,2027-12-31\n",
                    encoding="utf-8")
    assert cli("--db", url, "tenant", "import", str(path)).code == 0
    added = cli("--db", url, "meter", "add", "--tenant", STAR, "--meter", "E-1201",
                "--reading", "1000", "--at", "2026-07-01T00:00", "--json")
    assert added.code == 0, added.err
    return url


def test_meter_commands_end_to_end(cli, building, tmp_path):
    url = building
    path = write(tmp_path, HEADER + f"{STAR},E-1201,2026-08-01,1310\n"
                 f"{STAR},E-1201,2026-09-01,1620\n{STAR},E-1201,2026-10-01,1920\n"
                 f"{STAR},E-1201,2026-11-01,3000\n")
    first = cli("--db", url, "meter", "import", path, "--json")
    assert (first.code, first.json) == (0, {"lines": 4, "imported": 4, "unchanged": 0,
                                            "flagged": 1})
    assert cli("--db", url, "meter", "import", path, "--json").json["unchanged"] == 4
    flagged = cli("--db", url, "meter", "list", "--flagged", "--json").json
    assert [(m["meter"], m["last"]["reading"]) for m in flagged] == [("E-1201", "3000.00")]
    reading = flagged[0]["flagged"][0]
    assert (reading["flag"], reading["read_at"]) == ("high", "2026-11-01T00:00:00+08:00")
    confirmed = cli("--db", url, "meter", "confirm", str(reading["id"]), "--note", "属实",
                    "--json")
    assert confirmed.code == 0 and confirmed.json["flag"] is None
    assert cli("--db", url, "meter", "list", "--flagged", "--json").json == []
    one = cli("--db", url, "meter", "read", "--tenant", STAR, "--meter", "E-1201",
              "--reading", "3100.5", "--at", "2026-11-26T09:00", "--json")
    assert one.code == 0 and one.json["reading"] == "3100.50"
    replaced = cli("--db", url, "meter", "replace", "--tenant", STAR, "--old", "E-1201",
                   "--final", "3120", "--new", "E-1201B", "--reading", "0", "--json")
    assert replaced.code == 0, replaced.err
    assert (replaced.json["meter"], replaced.json["last"]["kind"]) == ("E-1201B", "baseline")
    human = cli("--db", url, "--lang", "zh", "meter", "list")
    assert "E-1201B" in human.out and "千瓦时" in human.out


def test_meter_commands_refuse_a_role_with_exit_4(cli, building, env, tmp_path):
    assert cli("--db", building, "staff", "add", "xiaoli", "--name", "小李", "--role",
               "desk").code == 0
    env.setenv("DESKAPP_USER", "xiaoli")
    result = cli("--db", building, "meter", "read", "--tenant", STAR, "--meter", "E-1201",
                 "--reading", "1100")
    assert result.code == 4 and "Traceback" not in result.err
    assert cli("--db", building, "meter", "replace", "--tenant", STAR, "--old", "E-1201",
               "--final", "1100", "--new", "E-2", "--reading", "0").code == 4
    path = write(tmp_path, HEADER + f"{STAR},E-1201,2026-11-01,1100\n")
    assert cli("--db", building, "meter", "import", path).code == 4
    assert cli("--db", building, "meter", "list", "--json").json[0]["last"]["kind"] == "baseline"


@pytest.mark.parametrize("extra,message", [
    (("--reading", "1450.555"), "not a meter reading"),
    (("--reading", "１４５０"), "not a meter reading"),
    (("--reading", "1,5"), "not a meter reading"),
    (("--reading", "-1"), "not a meter reading"),
    (("--reading", "999.99"), "below"),
    (("--reading", "1100", "--at", "2026-11-27T09:00"), "future"),
    (("--reading", "1100", "--at", "2026-07-01T00:00"), "last read at"),
    (("--reading", "1100", "--meter", "E-9"), "no meter E-9"),
    (("--reading", "1100", "--meter", "[red]x"), "not a meter code"),
    (("--reading", "1100", "--tenant", "[/red]"), "no tenant"),
])
def test_bad_meter_input_exits_2_and_writes_nothing(cli, building, extra, message):
    args = list(extra)
    for option, value in {"--tenant": STAR, "--meter": "E-1201"}.items():
        if option not in args:
            args += [option, value]
    audit = cli("--db", building, "audit", "verify", "--json").json
    result = cli("--db", building, "meter", "read", *args)
    assert result.code == 2, (result, args)
    assert message in result.err and "Traceback" not in result.err
    assert cli("--db", building, "audit", "verify", "--json").json == audit


# --- any input on the command line (the hostile-input property suite) ------------------------

from .test_properties import EXAMPLES, check, flag, joined, mostly, option  # noqa: E402
from .test_properties import moments, prepared, texts  # noqa: E402, F401 - fixture

kwh = st.one_of(st.sampled_from(["1450.5", "1450.555", "１４５０", "1,5", "-1", "1e3",
                                 "99999999999", "2000", "0"]), texts)
codes = mostly(["E-1201", "E-9", "E-NEW"])
tenant_names = mostly([STAR])
METER_ARGV = st.one_of(
    joined(st.just(["meter", "read"]), option("--tenant", tenant_names, required=True),
           option("--meter", codes, required=True), option("--reading", kwh, required=True),
           option("--at", moments), flag("--json")),
    joined(st.just(["meter", "add"]), option("--tenant", tenant_names, required=True),
           option("--meter", codes, required=True), option("--reading", kwh, required=True),
           option("--at", moments), option("--unit", mostly(["12F-1201", "8F"])),
           flag("--json")),
    joined(st.just(["meter", "replace"]), option("--tenant", tenant_names, required=True),
           option("--old", codes, required=True), option("--final", kwh, required=True),
           option("--new", codes, required=True), option("--reading", kwh, required=True),
           option("--at", moments)),
    joined(st.just(["meter", "confirm"]), mostly(["1", "2", "0", "-1"]).map(lambda v: [v]),
           option("--note", texts, required=True)),
    joined(st.just(["meter", "list"]), option("--tenant", tenant_names), flag("--flagged"),
           flag("--json")),
    joined(st.just(["meter", "import"]), texts.map(lambda v: [v]), flag("--json")))


@pytest.fixture
def metered(prepared, tmp_path):  # noqa: F811
    path = tmp_path / "tenants.csv"
    path.write_text("name,units,contact,phone,monthly_rent,due_day,lease_start,lease_end\n"
                    f"{STAR},12F-1201,刘洋,1380000,100.00,1,2026-01-01,2027-12-31\n",
                    encoding="utf-8")
    assert prepared(["tenant", "import", str(path)])[0] == 0
    assert prepared(["meter", "add", "--tenant", STAR, "--meter", "E-1201", "--reading",
                     "1000", "--at", "2026-07-01T00:00"])[0] == 0
    return prepared


@EXAMPLES
@given(argv=METER_ARGV)
def test_meter_commands_with_anything(metered, argv):
    check(metered, argv)
