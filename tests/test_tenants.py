"""The tenant registry (issue 7, item 1): `tenant import` and `tenant list` of SPEC §9,
and the services the tenants screen builds on — status, contacts, signatories (R-4.2)
and the `/` / ctrl+p query. On SQLite, and on PostgreSQL with DESKAPP_TEST_DATABASE_URL.

The clock is frozen at Thursday 2026-11-26 14:00 building time (conftest.START).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rich.cells import cell_len

from deskapp.db import open_database
from deskapp.models import ALL_MODELS, Audit, Tenant, TenantUnit
from deskapp.services import Conflict, InvalidInput, NotAllowed
from deskapp.services import tenants as registry
from deskapp.services.export import tenants_json
from deskapp.services.staff import add_staff
from deskapp.services.tenants import TenantData

from .conftest import as_role
from .test_cli import cli, env  # noqa: F401 - fixtures

HEADER = "name,units,contact,phone,monthly_rent,due_day,lease_start,lease_end"
GOOD = [
    "星辰科技有限公司,12F-1201;12F-1202,刘洋,13800001201,48600.00,5,2025-01-01,2027-12-31",
    "Acme Trading Ltd,8F-805,John Chen,13800000805,10000.00,1,2026-01-01,2026-12-31",
    '"[b]Red[/b] Co, Ltd",3F-301,王芳,010-6512 3456,12.5,28,2026-12-15,2029-12-14',
]
TENANT_KEYS = {"name", "units", "contact", "phone", "monthly_rent", "due_day", "lease_start",
               "lease_end", "status"}


def write_csv(tmp_path, lines, name="tenants.csv", bom=False, header=HEADER) -> str:
    path = tmp_path / name
    text = "\n".join(([header] if header is not None else []) + list(lines)) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return str(path)


def counts(url: str) -> dict[str, int]:
    """Rows in every table: what "nothing written" is checked on."""
    db = open_database(url)
    try:
        return {model._meta.table_name: model.select().count() for model in ALL_MODELS}
    finally:
        db.close()


@pytest.fixture
def url(cli, db_url):  # noqa: F811
    assert cli("--db", db_url, "init").code == 0
    return db_url


# --- import and list -------------------------------------------------------------------

def test_import_a_good_file_then_list_it(cli, url, tmp_path):  # noqa: F811
    result = cli("--db", url, "tenant", "import", write_csv(tmp_path, GOOD), "--json")
    assert result.code == 0, result.err
    assert result.json == {"rows": 3, "added": 3, "changed": 0, "unchanged": 0}

    listing = cli("--db", url, "tenant", "list", "--json")
    assert listing.code == 0
    by_name = {doc["name"]: doc for doc in listing.json}
    assert [doc["name"] for doc in listing.json] == sorted(by_name)  # by name
    assert all(TENANT_KEYS <= set(doc) for doc in listing.json)
    star = by_name["星辰科技有限公司"]
    assert star["units"] == ["12F-1201", "12F-1202"]
    assert star["monthly_rent"] == "48600.00" and star["due_day"] == 5
    assert (star["lease_start"], star["lease_end"]) == ("2025-01-01", "2027-12-31")
    assert star["status"] == "active"
    assert star["contacts"] == [{"id": star["contacts"][0]["id"], "name": "刘洋",
                                 "phone": "13800001201", "role": ""}]
    red = by_name["[b]Red[/b] Co, Ltd"]
    assert red["monthly_rent"] == "12.50"  # exact to the fen
    assert red["status"] == "incoming"  # its lease starts next month
    assert red["phone"] == "010-6512 3456"
    db = open_database(url)
    assert Tenant.get(Tenant.name == "Acme Trading Ltd").monthly_rent_fen == 1_000_000
    assert Audit.select().where(Audit.action == "tenant.add").count() == 3
    db.close()


def test_importing_the_same_file_twice_changes_nothing(cli, url, tmp_path):  # noqa: F811
    path = write_csv(tmp_path, GOOD)
    assert cli("--db", url, "tenant", "import", path).code == 0
    before = counts(url)
    again = cli("--db", url, "tenant", "import", path, "--json")
    assert again.code == 0, again.err
    assert again.json == {"rows": 3, "added": 0, "changed": 0, "unchanged": 3}
    assert counts(url) == before  # not even an audit row
    human = cli("--db", url, "tenant", "import", path)
    assert human.out.strip() == "3 rows: 0 added, 0 changed, 3 unchanged"


def test_a_file_with_a_bom_reads_the_same(cli, url, tmp_path):  # noqa: F811
    result = cli("--db", url, "tenant", "import", write_csv(tmp_path, GOOD[:1], bom=True),
                 "--json")
    assert result.code == 0, result.err
    assert result.json["added"] == 1
    plain = cli("--db", url, "tenant", "import", write_csv(tmp_path, GOOD[:1], "b.csv"),
                "--json")
    assert plain.json == {"rows": 1, "added": 0, "changed": 0, "unchanged": 1}


def test_a_changed_row_updates_its_tenant_and_is_audited(cli, url, tmp_path):  # noqa: F811
    assert cli("--db", url, "tenant", "import", write_csv(tmp_path, GOOD)).code == 0
    changed = [GOOD[0], GOOD[1].replace("10000.00", "10300.60").replace("8F-805", "8F-806"),
               GOOD[2]]
    result = cli("--db", url, "tenant", "import", write_csv(tmp_path, changed, "c.csv"),
                 "--json")
    assert result.json == {"rows": 3, "added": 0, "changed": 1, "unchanged": 2}
    acme = {d["name"]: d for d in cli("--db", url, "tenant", "list", "--json").json}[
        "Acme Trading Ltd"]
    assert (acme["units"], acme["monthly_rent"]) == (["8F-806"], "10300.60")
    db = open_database(url)
    row = Audit.select().where(Audit.action == "tenant.update").get()
    detail = json.loads(row.detail)
    assert detail["monthly_rent_fen"] == [1_000_000, 1_030_060]
    assert detail["units"] == [["8F-805"], ["8F-806"]]
    assert row.actor == "wangfang"
    # the unit it gave up is history, free for another tenant
    assert TenantUnit.get(TenantUnit.unit == "8F-805").released_at is not None
    db.close()
    # an import's audit rows, written in one go, chain on like any others
    verified = cli("--db", url, "audit", "verify", "--json")
    assert verified.code == 0 and verified.json["ok"], verified.out


def test_a_unit_may_move_between_tenants_in_one_file(cli, url, tmp_path):  # noqa: F811
    assert cli("--db", url, "tenant", "import", write_csv(tmp_path, GOOD)).code == 0
    moved = [GOOD[0].replace("12F-1201;12F-1202", "12F-1201"),
             GOOD[1].replace("8F-805", "8F-805;12F-1202"), GOOD[2]]
    result = cli("--db", url, "tenant", "import", write_csv(tmp_path, moved, "m.csv"), "--json")
    assert result.code == 0, result.err
    assert result.json["changed"] == 2
    units = {d["name"]: d["units"] for d in cli("--db", url, "tenant", "list", "--json").json}
    assert units["Acme Trading Ltd"] == ["8F-805", "12F-1202"]
    assert units["星辰科技有限公司"] == ["12F-1201"]


ROW = "Acme Trading Ltd,8F-805,John Chen,13800000805,10000.00,1,2026-01-01,2026-12-31"


def _cells(**changes) -> str:
    cells = dict(zip(HEADER.split(","), ROW.split(",")))
    cells.update(changes)
    return ",".join(cells.values())


# (rows after the header, the line and column named, words of the message)
BAD_FILES = {
    "rent_three_decimals": ([_cells(monthly_rent="10000.001")],
                            "line 2, column 5 (monthly_rent)", "two decimals"),
    "rent_negative": ([_cells(monthly_rent="-1.00")], "line 2, column 5", "negative"),
    "rent_not_a_number": ([_cells(monthly_rent="1e4")], "line 2, column 5", "yuan"),
    "due_day_29": ([_cells(due_day="29")], "line 2, column 6 (due_day)", "1 to 28"),
    "due_day_zero": ([_cells(due_day="0")], "line 2, column 6", "1 to 28"),
    "due_day_not_digits": ([_cells(due_day="1_0")], "line 2, column 6", "whole number"),
    "date_format": ([_cells(lease_start="01/02/2026")], "line 2, column 7 (lease_start)",
                    "YYYY-MM-DD"),
    "date_impossible": ([_cells(lease_end="2026-02-30")], "line 2, column 8 (lease_end)",
                        "no such day"),
    "date_implausible": ([_cells(lease_start="1900-01-01")], "line 2, column 7",
                         "not plausible"),
    "end_before_start": ([_cells(lease_start="2026-06-01", lease_end="2026-05-31")],
                         "line 2, column 8", "before it starts"),
    "control_characters": ([_cells(name="Evil\x1b[2JLtd")], "line 2, column 1 (name)",
                           "control characters"),
    "name_missing": ([_cells(name="  ")], "line 2, column 1", "required"),
    "name_too_long": ([_cells(name="x" * 201)], "line 2, column 1", "too long"),
    "bad_unit": ([_cells(units="the big office")], "line 2, column 2 (units)", "not a unit"),
    "bad_phone": ([_cells(phone="call me")], "line 2, column 4 (phone)", "phone"),
    "too_few_cells": (["Acme,8F-805,John"], "line 2, column 4", "3 cells"),
    "too_many_cells": ([ROW + ",extra"], "line 2, column 9", "9 cells"),
    "name_twice": ([ROW, _cells(units="8F-806")], "line 3, column 1", "line 2 already"),
    "unit_twice": ([ROW, _cells(name="Other Co")], "line 3, column 2 (units)",
                   "'Acme Trading Ltd' on line 2 and by 'Other Co' on line 3"),
    "later_line_after_blank": ([ROW, "", _cells(name="B", units="1F", due_day="x")],
                               "line 4, column 6", "whole number"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_bad_file_is_refused_by_line_and_column_and_nothing_is_written(
        cli, url, tmp_path, kind):  # noqa: F811
    lines, where, words = BAD_FILES[kind]
    before = counts(url)
    result = cli("--db", url, "tenant", "import",
                 write_csv(tmp_path, lines))
    assert result.code == 2, result.out
    assert where in result.err and words in result.err, result.err
    assert "nothing was imported" in result.err and result.out == ""
    assert "\x1b" not in result.err
    assert counts(url) == before


def test_every_problem_is_listed_and_a_good_row_beside_them_is_not_imported(
        cli, url, tmp_path):  # noqa: F811
    lines = [GOOD[0], _cells(monthly_rent="x", due_day="31"), _cells(name="B", units="?")]
    before = counts(url)
    result = cli("--db", url, "tenant", "import", write_csv(tmp_path, lines))
    assert result.code == 2
    assert "3 problem(s)" in result.err
    for where in ("line 3, column 5", "line 3, column 6", "line 4, column 2"):
        assert where in result.err
    assert counts(url) == before


def test_many_problems_are_capped_with_a_count(cli, url, tmp_path):  # noqa: F811
    lines = [_cells(name=f"T{n}", units=f"{n}F", due_day="99") for n in range(1, 51)]
    result = cli("--db", url, "tenant", "import", write_csv(tmp_path, lines))
    assert result.code == 2
    assert "50 problem(s)" in result.err and "and 20 more problems" in result.err
    assert len(result.err.strip().splitlines()) == 1 + 30 + 1


@pytest.mark.parametrize("header, where", [
    ("name,units,contact,phone,rent,due_day,lease_start,lease_end", "line 1"),
    (None, "line 1"),
])
def test_a_wrong_or_missing_header_is_refused(cli, url, tmp_path, header, where):  # noqa: F811
    result = cli("--db", url, "tenant", "import",
                 write_csv(tmp_path, [] if header is None else [ROW], header=header))
    assert result.code == 2
    assert where in result.err and HEADER in result.err


def test_bytes_that_are_not_utf8_are_named_by_line(cli, url, tmp_path):  # noqa: F811
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "\n" + ROW + "\n").encode() + "北辰,15F".encode("gbk") + b"\n")
    result = cli("--db", url, "tenant", "import", str(path))
    assert result.code == 2
    assert "line 3, column 1" in result.err and "UTF-8" in result.err


def test_a_missing_file_is_bad_input(cli, url, tmp_path):  # noqa: F811
    result = cli("--db", url, "tenant", "import", str(tmp_path / "nope.csv"))
    assert result.code == 2 and "no such file" in result.err


def test_a_unit_held_by_a_tenant_not_in_the_file_is_refused(cli, url, tmp_path):  # noqa: F811
    assert cli("--db", url, "tenant", "import", write_csv(tmp_path, GOOD[:1])).code == 0
    before = counts(url)
    result = cli("--db", url, "tenant", "import",
                 write_csv(tmp_path, [_cells(units="12F-1202")], "n.csv"))
    assert result.code == 2
    assert "line 2, column 2" in result.err and "held by '星辰科技有限公司'" in result.err
    assert counts(url) == before


def test_errors_in_chinese(cli, url, tmp_path):  # noqa: F811
    result = cli("--db", url, "--lang", "zh", "tenant", "import",
                 write_csv(tmp_path, [_cells(due_day="29")]))
    assert result.code == 2
    assert "第 2 行第 6 列（due_day）" in result.err and "未导入任何内容" in result.err


def test_names_in_chinese_and_with_markup_are_listed_literally_in_columns(
        cli, url, tmp_path):  # noqa: F811
    assert cli("--db", url, "tenant", "import", write_csv(tmp_path, GOOD)).code == 0
    listing = cli("--db", url, "tenant", "list")
    assert listing.code == 0
    lines = listing.out.rstrip("\n").split("\n")
    assert len(lines) == 3
    assert any(line.startswith("[b]Red[/b] Co, Ltd") for line in lines)
    assert any(line.startswith("星辰科技有限公司") for line in lines)
    # the units column starts in the same cell on every line (Chinese is double width)
    starts = {cell_len(line[:line.index(units)]) for line, units in
              zip(sorted(lines), ("8F-805", "3F-301", "12F-1201"))}
    assert starts == {21}
    zh = cli("--db", url, "--lang", "zh", "tenant", "list")
    assert "待入驻" in zh.out and "在租" in zh.out


def test_stored_control_characters_never_reach_the_terminal(cli, url, desk_at):  # noqa: F811
    desk = desk_at(url)
    Tenant.create(name="Evil\x1b]0;PWNED\x07Ltd", units="")  # written around the service
    desk.db.close()
    listing = cli("--db", url, "tenant", "list")
    assert "\x1b" not in listing.out and "\x07" not in listing.out
    assert "Evil\ufffd]0;PWNED\ufffdLtd" in listing.out


@pytest.fixture
def desk_at(clock):
    from deskapp.services import Desk

    def make(url, login="wangfang"):
        return Desk.for_login(open_database(url), clock, login)

    return make


@pytest.mark.parametrize("role", ["engineering", "finance", "security"])
def test_only_the_desk_manager_and_gm_may_import(cli, url, tmp_path, role, desk_at):  # noqa: F811
    desk = desk_at(url)
    add_staff(desk, "wangfang", "王芳", role)
    desk.db.close()
    before = counts(url)
    result = cli("--db", url, "tenant", "import", write_csv(tmp_path, GOOD))
    assert result.code == 4, result.err
    assert counts(url) == before
    assert cli("--db", url, "tenant", "list").code == 0  # looking is fine


@pytest.mark.parametrize("role", ["desk", "gm"])
def test_the_desk_and_the_gm_may_import(cli, url, tmp_path, role, desk_at):  # noqa: F811
    desk = desk_at(url)
    add_staff(desk, "wangfang", "王芳", role)
    desk.db.close()
    assert cli("--db", url, "tenant", "import", write_csv(tmp_path, GOOD)).code == 0


def test_list_of_an_empty_registry(cli, url):  # noqa: F811
    assert cli("--db", url, "tenant", "list", "--json").json == []
    assert cli("--db", url, "tenant", "list").out.strip() == "no tenants yet"


# --- services: status, contacts, signatories, the find query ---------------------------

def _tenant(desk, name="星辰科技", units=("12F-1201",), **lease) -> Tenant:
    return registry.add_tenant(desk, TenantData(name=name, units=tuple(units), contact="刘洋",
                                                phone="13800001201", **lease))


def test_a_tenant_goes_incoming_active_moving_out_gone_and_gone_frees_its_units(desk):
    tenant = _tenant(desk)
    assert tenant.status == "incoming"
    with pytest.raises(Conflict):
        registry.set_status(desk, tenant.id, "moving_out")  # no skipping a step
    for status in ("active", "moving_out"):
        tenant = registry.set_status(desk, tenant.id, status, version=tenant.version)
        assert tenant.status == status
    with pytest.raises(Conflict):
        registry.set_status(desk, tenant.id, "active")  # no going back
    with pytest.raises(Conflict):
        _tenant(desk, "Next Co")  # 12F-1201 is still held
    tenant = registry.set_status(desk, tenant.id, "gone")
    assert tenant.unit_list == [] and registry.current_units(tenant.id) == []
    newcomer = _tenant(desk, "Next Co")  # the unit is free again
    assert newcomer.unit_list == ["12F-1201"]
    assert TenantUnit.select().where(TenantUnit.unit == "12F-1201").count() == 2  # history
    with pytest.raises(Conflict):
        registry.set_status(desk, tenant.id, "incoming")  # gone is the end
    with pytest.raises(InvalidInput):
        registry.set_status(desk, newcomer.id, "sleeping")
    actions = [a for (a,) in Audit.select(Audit.action).where(
        Audit.entity == "tenant", Audit.entity_id == str(tenant.id)).tuples()]
    assert actions == ["tenant.add", "tenant.status", "tenant.status", "tenant.status"]


def test_a_stale_version_is_a_conflict_naming_who_changed_it(desk):
    tenant = _tenant(desk)
    seen = tenant.version
    other = as_role(desk, "desk", "lifang")
    registry.add_contact(other, tenant.id, "陈静", "13800001299", "office manager",
                         version=seen)
    with pytest.raises(Conflict) as stale:
        registry.set_status(desk, tenant.id, "active", version=seen)
    assert "lifang" in stale.value.message()
    assert Tenant.get_by_id(tenant.id).status == "incoming"


def test_contacts_are_added_and_removed_and_the_first_is_the_lease_contact(desk):
    tenant = _tenant(desk)
    second = registry.add_contact(desk, tenant.id, "陈静", "13800001299", "行政")
    assert [c.name for c in registry.contacts_of(tenant.id)] == ["刘洋", "陈静"]
    first = registry.contacts_of(tenant.id)[0]
    registry.remove_contact(desk, tenant.id, first.id)
    tenant = Tenant.get_by_id(tenant.id)
    assert (tenant.contact, tenant.phone) == ("陈静", "13800001299")  # the queue reads these
    assert registry.find_tenants("13800001299")[0].id == tenant.id
    assert registry.find_tenants("刘洋") == []
    with pytest.raises(InvalidInput):
        registry.remove_contact(desk, tenant.id, first.id)  # gone already
    with pytest.raises(InvalidInput):
        registry.add_contact(desk, tenant.id, "x", "\x1b[2J")
    assert second.role == "行政"


def test_signatories_carry_the_date_of_their_written_application(desk):
    tenant = _tenant(desk)
    signer = registry.add_signatory(desk, tenant.id, "刘洋", "2026-03-02")
    assert signer.applied_on == dt.date(2026, 3, 2) and signer.added_by == "wangfang"
    assert registry.may_sign(tenant.id, "刘洋") and not registry.may_sign(tenant.id, "陈静")
    with pytest.raises(Conflict):
        registry.add_signatory(desk, tenant.id, "刘洋", "2026-03-05")
    with pytest.raises(InvalidInput) as future:
        registry.add_signatory(desk, tenant.id, "陈静", "2026-11-27")  # tomorrow
    assert "not plausible" in future.value.message()
    with pytest.raises(InvalidInput):
        registry.add_signatory(desk, tenant.id, "陈静", "")  # the date is required
    with pytest.raises(InvalidInput):
        registry.remove_signatory(desk, tenant.id, signer.id, "2026-03-01")  # before applying
    registry.remove_signatory(desk, tenant.id, signer.id, "2026-11-20")
    assert not registry.may_sign(tenant.id, "刘洋")
    kept = registry.signatories_of(tenant.id, withdrawn=True)
    assert [(s.name, s.applied_on, s.withdrawn_on) for s in kept] == [
        ("刘洋", dt.date(2026, 3, 2), dt.date(2026, 11, 20))]
    detail = json.loads(Audit.select().where(Audit.action == "tenant.signatory_add").get().detail)
    assert detail["applied_on"] == "2026-03-02"


@pytest.mark.parametrize("role", ["engineering", "finance", "security", "viewer"])
def test_other_roles_may_not_change_the_registry(desk, role):
    tenant = _tenant(desk)
    someone = as_role(desk, role)
    for attempt in (lambda: registry.set_status(someone, tenant.id, "active"),
                    lambda: registry.add_contact(someone, tenant.id, "x"),
                    lambda: registry.add_signatory(someone, tenant.id, "x", "2026-11-01"),
                    lambda: _tenant(someone, "Other")):
        with pytest.raises(NotAllowed):
            attempt()
    assert Tenant.get_by_id(tenant.id).version == tenant.version


def test_update_checks_every_value_and_refuses_a_unit_held_by_another(desk):
    star = _tenant(desk)
    acme = _tenant(desk, "Acme", ["8F-805"])
    with pytest.raises(Conflict) as taken:
        registry.update_tenant(desk, acme.id, TenantData(name="Acme", units=("12F-1201",)))
    assert "星辰科技" in taken.value.message()
    with pytest.raises(InvalidInput):
        registry.update_tenant(desk, acme.id, TenantData(
            name="Acme", lease_start=dt.date(2026, 5, 1), lease_end=dt.date(2026, 4, 30)))
    with pytest.raises(InvalidInput):
        registry.update_tenant(desk, acme.id, TenantData(name="Acme", monthly_rent_fen=-1))
    with pytest.raises(InvalidInput):
        registry.update_tenant(desk, acme.id, TenantData(name="Acme", due_day=29))
    with pytest.raises(Conflict):
        registry.update_tenant(desk, acme.id, TenantData(name="星辰科技"))  # name taken
    renamed = registry.update_tenant(desk, acme.id, TenantData(
        name="Acme Trading", units=("8F-805", "8F-806"), monthly_rent_fen=1_030_060,
        deposit_fen=2_000_000), version=acme.version)
    assert renamed.unit_list == ["8F-805", "8F-806"] and renamed.version == acme.version + 1
    assert Tenant.get_by_id(star.id).unit_list == ["12F-1201"]


def test_find_by_name_unit_contact_or_phone_fragment(desk):
    _tenant(desk, "星辰科技有限公司", ["12F-1201"])
    _tenant(desk, "Acme Trading Ltd", ["8F-805"])
    registry.add_contact(desk, Tenant.get(Tenant.name == "Acme Trading Ltd").id,
                         "Mary Li", "13900000805")
    _tenant(desk, "100% Pure_Co", ["3F-301"])

    def names(fragment):
        return [t.name for t in registry.find_tenants(fragment)]

    assert names("星辰") == ["星辰科技有限公司"]
    acme = registry.find_tenants("acme")[0]
    assert [d["contacts"][-1]["name"] for d in tenants_json([acme.id])] == ["Mary Li"]
    assert names("acme") == ["Acme Trading Ltd"]  # any case
    assert names("12f-12") == ["星辰科技有限公司"]  # a unit
    assert names("mary") == ["Acme Trading Ltd"]  # a contact's name
    assert names("0000080") == ["Acme Trading Ltd"]  # a phone
    assert names("%") == ["100% Pure_Co"] and names("_") == ["100% Pure_Co"]  # literal
    assert names("") == ["100% Pure_Co", "Acme Trading Ltd", "星辰科技有限公司"]
    assert len(registry.find_tenants("", limit=2)) == 2
    with pytest.raises(InvalidInput):
        registry.find_tenants("\x1b[2J")


def test_upsert_keeps_working_for_the_queue(desk):
    """The queue, the form and the demo still call upsert_tenant and read tenant.units."""
    first = registry.upsert_tenant(desk, "星辰科技", units=["12F-1201", "12F-1202"])
    again = registry.upsert_tenant(desk, "星辰科技", units=["12F-1201"], contact="刘洋")
    assert again.id == first.id and Tenant.get_by_id(first.id).unit_list == ["12F-1201"]
    assert registry.tenant_names() == ["星辰科技"]
    registry.set_status(desk, first.id, "moving_out")
    registry.set_status(desk, first.id, "gone")
    assert registry.tenant_names() == []  # a ticket no longer offers a tenant that left


def test_the_demo_has_tenants_in_every_status_with_people(cli, db_url):  # noqa: F811
    assert cli("--db", db_url, "init", "--demo").code == 0
    documents = cli("--db", db_url, "tenant", "list", "--json").json
    assert {d["status"] for d in documents} == {"incoming", "active", "moving_out", "gone"}
    assert any(d["signatories"] for d in documents)
    assert any(len(d["contacts"]) > 1 for d in documents)
    gone = next(d for d in documents if d["status"] == "gone")
    assert gone["units"] == []
    assert all(d["lease_start"] and d["lease_end"] for d in documents)


@pytest.mark.parametrize(("moved_in", "due"), [
    (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),   # the month's end, not 3 March
    (dt.date(2026, 11, 15), dt.date(2026, 12, 15)),
    (dt.date(2026, 12, 31), dt.date(2027, 1, 31)),
])
def test_the_first_month_visit_is_due_within_a_month_of_the_move_in(desk, moved_in, due):
    """R-5.3: the manager visits each new tenant within one month of its move-in; a
    second scheduling keeps the visit still due (no two first visits)."""
    from deskapp.services import tenants as registry
    from deskapp.services.visits import due_visits, schedule_first_visit

    star = registry.upsert_tenant(desk, "星辰科技", units=["12F-1201"])
    visit = schedule_first_visit(desk, star.id, moved_in)
    assert visit.due_on == due
    again = schedule_first_visit(desk, star.id, moved_in + dt.timedelta(days=3))
    assert again.id == visit.id
    assert [v.id for v in due_visits(star.id)] == [visit.id]
