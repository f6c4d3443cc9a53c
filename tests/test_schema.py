"""Schema versions: an older database is upgraded, a newer one is refused."""

from __future__ import annotations

import pytest
from playhouse.migrate import SchemaMigrator, migrate
from peewee import CharField

from deskapp import db as dbmod
from deskapp.cli import main
from deskapp.models import Meta


def _set_version(version: int) -> None:
    Meta.update(value=str(version)).where(Meta.key == "schema_version").execute()


def downgrade_to(db, version: int) -> None:
    """Undo the schema changes after ``version`` (newest first), as an older program
    left the database, and say so in meta."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    from deskapp.models import Target

    migrator = SchemaMigrator.from_database(db)
    if version < 7:
        from deskapp.models import ADDED_COLUMNS, ADDED_IN

        db.drop_tables(list(reversed(ADDED_IN[7])))
        run(*(migrator.drop_column(table, column) for table, column in ADDED_COLUMNS[7]))
    if version < 6:
        from deskapp.models import ADDED_IN

        db.drop_tables(list(reversed(ADDED_IN[6])))
    if version < 5:
        from deskapp.models import TenantContact, TenantSignatory, TenantUnit

        db.drop_tables([TenantSignatory, TenantContact, TenantUnit])
        run(migrator.drop_index("tenant", "tenant_status"))
        run(*(migrator.drop_column("tenant", column)
              for column in ("status", "deposit_fen", "search")))
    if version < 4:
        if dbmod.is_sqlite(db):  # SQLite rewrites the table to drop a column
            for op in ("update", "delete"):
                db.execute_sql(f"DROP TRIGGER IF EXISTS audit_no_{op}")
        run(migrator.drop_column("audit", "hash"), migrator.drop_column("audit", "db_role"))
        dbmod._protect_audit(db)
    if version < 3:
        run(migrator.drop_index("ticket", "ticket_ref"))
        run(migrator.drop_column("ticket", "ref"))
    if version < 2:
        # replies were met by resolve / answer
        Target.update(met_by="resolve").where(Target.name == "reply").execute()
        Target.update(met_by="answer").where(Target.name == "written_reply").execute()
        run(*(migrator.drop_column(table, column) for table, column in (
            ("service", "counter"), ("service", "department"), ("ticket", "assigned_to"),
            ("ticket_event", "to_login"), ("target", "clock"))))
        db.execute_sql("UPDATE service SET targets = replace(replace(targets, "
                       "'\"met_by\": \"reply\"', '\"met_by\": \"resolve\"'), "
                       "'\"met_by\": \"written_reply\"', '\"met_by\": \"answer\"')")
    _set_version(version)


def test_newer_schema_is_refused_with_a_clear_message(db, db_url, capsys, clock):
    _set_version(dbmod.SCHEMA_VERSION + 1)
    code = main(["--db", db_url, "ticket", "list"], clock=clock)
    assert code == 2
    assert "newer deskapp" in capsys.readouterr().err


def test_older_schema_is_migrated_on_open(db, monkeypatch):
    """An upgrade runs the migrations from the stored version to this program's."""
    applied = []

    def add_colour(database):
        migrator = SchemaMigrator.from_database(database)
        migrate(migrator.add_column("staff", "colour", CharField(default="")))
        applied.append(1)

    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(dbmod.MIGRATIONS, 1, add_colour)
    _set_version(1)
    dbmod.check_schema(db)
    assert applied == [1]
    assert dbmod.schema_version(db) == 2
    columns = {c.name for c in db.get_columns("staff")}
    assert "colour" in columns
    dbmod.check_schema(db)  # already current: nothing runs twice
    assert applied == [1]


def test_a_version_1_database_is_upgraded_to_work_orders(db, desk):
    """The real 1 → 2 migration: new columns, and a complaint's reply targets met by the
    reply step, in the catalogue and on the complaints still open."""
    from deskapp.models import Service, Target, Ticket
    from deskapp.services import tickets as svc

    ticket = svc.open_ticket(desk, svc.NewTicket(service="complaint", tier="normal",
                                                 location="15F", written=True))
    downgrade_to(db, 1)

    dbmod.check_schema(db)
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
    assert {"counter", "department"} <= {c.name for c in db.get_columns("service")}
    assert [t["met_by"] for t in Service.get(Service.code == "complaint").target_rules()] == [
        "reply", "written_reply"]
    assert Service.get(Service.code == "umbrella").counter
    assert Service.get(Service.code == "repair").department == "engineering"
    assert {t.name: (t.met_by, t.clock) for t in Target.select().where(
        Target.ticket == ticket.id)} == {"reply": ("reply", "wall"),
                                         "written_reply": ("written_reply", "service")}
    assert Ticket.get_by_id(ticket.id).assigned_to is None


def test_a_version_2_database_is_upgraded_to_client_refs(db, desk, db_url, capsys, clock):
    """The real 2 → 3 migration: ticket.ref, unique where given; the tickets already
    there keep no ref and the same ref is refused twice."""
    from peewee import IntegrityError

    from deskapp.models import Ticket
    from deskapp.services import tickets as svc

    first = svc.open_ticket(desk, svc.NewTicket(service="mail"))
    second = svc.open_ticket(desk, svc.NewTicket(service="mail"))
    downgrade_to(db, 2)
    assert "ref" not in {c.name for c in db.get_columns("ticket")}

    dbmod.check_schema(db)
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
    assert "ref" in {c.name for c in db.get_columns("ticket")}
    assert [t.ref for t in Ticket.select().order_by(Ticket.id)] == [None, None]
    Ticket.update(ref="job-1").where(Ticket.id == first.id).execute()
    with pytest.raises(IntegrityError):
        with db.atomic():
            Ticket.update(ref="job-1").where(Ticket.id == second.id).execute()
    again = svc.open_ticket(desk, svc.NewTicket(service="mail", ref="job-1"))
    assert again.id == first.id


def test_a_version_3_database_gets_its_audit_chained(db, desk):
    """The real 3 → 4 migration: the rows already there are chained in id order, and the
    trail stays append-only."""
    from peewee import DatabaseError

    from deskapp.models import Audit
    from deskapp.services import tickets as svc
    from deskapp.services.audit import verify

    for _ in range(3):
        svc.open_ticket(desk, svc.NewTicket(service="mail", location="3F"))
    downgrade_to(db, 3)
    dbmod.check_schema(db)
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
    assert verify(db) == {"ok": True, "rows": Audit.select().count(), "first_broken": None}
    with pytest.raises(DatabaseError):
        with db.atomic():
            Audit.update(actor="someone else").execute()
    svc.open_ticket(desk, svc.NewTicket(service="mail", location="5F"))  # chains on
    assert verify(db)["ok"]


def test_a_version_4_database_gets_the_tenant_registry(db, desk):
    """The real 4 → 5 migration: each tenant keeps its name, lease and tickets; its
    ';'-separated units become unit rows, its contact the first contact, its status
    active; a unit two tenants listed stays with the first, the other's claim history."""
    import datetime as dt

    from deskapp.models import Tenant, TenantContact, TenantUnit, Ticket
    from deskapp.services import tenants as registry
    from deskapp.services import tickets as svc

    star = registry.upsert_tenant(desk, "星辰科技", units=["12F-1201", "12F-1202"],
                                  contact="刘洋", phone="13800001201",
                                  monthly_rent_fen=4_860_000, lease_start=dt.date(2025, 1, 1))
    acme = registry.upsert_tenant(desk, "Acme Trading", units=["8F-805"])
    ticket = svc.open_ticket(desk, svc.NewTicket(service="mail", tenant="星辰科技"))
    downgrade_to(db, 4)
    assert "status" not in {c.name for c in db.get_columns("tenant")}
    # nothing before the registry kept two tenants from listing the same unit
    db.execute_sql("UPDATE tenant SET units = '8F-805;12F-1202' WHERE id = %d" % acme.id)

    dbmod.check_schema(db)
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
    assert {t.name: t.status for t in Tenant.select()} == {"星辰科技": "active",
                                                           "Acme Trading": "active"}
    assert registry.current_units(star.id) == ["12F-1201", "12F-1202"]
    assert registry.current_units(acme.id) == ["8F-805"]
    lost = TenantUnit.get(TenantUnit.tenant == acme.id, TenantUnit.unit == "12F-1202")
    assert lost.released_at is not None
    assert (TenantUnit.get(TenantUnit.unit == "12F-1201").floor,
            TenantUnit.get(TenantUnit.unit == "12F-1201").room) == ("12F", "1201")
    assert [(c.name, c.phone) for c in TenantContact.select()] == [("刘洋", "13800001201")]
    migrated = Tenant.get_by_id(star.id)
    assert migrated.monthly_rent_fen == 4_860_000 and migrated.lease_start == dt.date(2025, 1, 1)
    assert Ticket.get_by_id(ticket.id).tenant_id == star.id
    assert [t.name for t in registry.find_tenants("12f-1202")] == ["星辰科技"]
    assert Tenant.get_by_id(acme.id).unit_list == ["8F-805"]


def test_a_version_5_database_gets_the_tables_of_a_tenants_life(db, desk):
    """The real 5 → 6 migration: new tables only; the registry and tickets are kept, and
    the new tables take rows at once."""
    from deskapp.models import ADDED_IN, Tenant, Visit
    from deskapp.services import tenants as registry

    star = registry.upsert_tenant(desk, "星辰科技", units=["12F-1201"])
    downgrade_to(db, 5)
    tables = set(db.get_tables())
    assert not {m._meta.table_name for m in ADDED_IN[6]} & tables

    dbmod.check_schema(db)
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
    assert {m._meta.table_name for m in ADDED_IN[6]} <= set(db.get_tables())
    assert Tenant.get_by_id(star.id).name == "星辰科技"
    Visit.create(tenant=star.id, kind="regular", scheduled_at=desk.clock.now(),
                 scheduled_by=desk.user)
    assert Visit.select().count() == 1


def test_a_version_6_database_gets_billing_and_keeps_its_meter_readings(db, desk):
    """The real 6 → 7 migration: the billing tables are made, and a reading taken
    before it is kept, unflagged, under the new columns."""
    import datetime

    import pendulum

    from deskapp.models import ADDED_IN, Meter, MeterReading, Notice, Tenant
    from deskapp.services import tenants as registry

    star = registry.upsert_tenant(desk, "星辰科技", units=["12F-1201"])
    meter = Meter.create(tenant=star.id, code="E-1201")
    at = pendulum.datetime(2026, 11, 30, 2, 0, tz="UTC")
    MeterReading.create(meter=meter, read_at=at, reading=145050, kind="baseline",
                        by="eng", recorded_at=at)
    downgrade_to(db, 6)
    assert not {m._meta.table_name for m in ADDED_IN[7]} & set(db.get_tables())
    assert "flag" not in {c.name for c in db.get_columns("meter_reading")}

    dbmod.check_schema(db)
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION == 7
    kept = MeterReading.get()
    assert (kept.reading, kept.flag, kept.note) == (145050, None, "")
    Notice.create(number="2026-12-0001", tenant=Tenant.get_by_id(star.id), month="2026-12",
                  due_date=datetime.date(2026, 12, 5), total_fen=0, issued_at=at,
                  issued_by=desk.user)
    assert Notice.select().count() == 1
