"""Import peewee without its PostgreSQL drivers; load psycopg only for a PostgreSQL URL.

peewee 4.5 tries ``import psycopg2`` and ``import psycopg`` at import time (measured:
93 ms and 13.5 MiB on every SQLite CLI call). While peewee's own module runs, those
imports are refused, so it records "no driver"; ``load_postgres_driver`` later imports
psycopg 3 and fills in the names peewee would have set. Only peewee's module body is
affected: anyone else may import psycopg as usual.
"""

from __future__ import annotations

import importlib.abc
import sys

_DRIVERS = ("psycopg", "psycopg2", "psycopg2cffi")


class _NoDriverWhilePeeweeLoads(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self.loading = False

    def find_spec(self, name, path=None, target=None):
        if self.loading and name.partition(".")[0] in _DRIVERS:
            raise ModuleNotFoundError(f"deferred by deskapp: {name}", name=name)
        if name != "peewee" or self.loading:
            return None
        sys.meta_path.remove(self)  # once: find the real module, then wrap its loader
        from importlib.util import find_spec

        spec = find_spec("peewee")
        if spec is None or spec.loader is None:
            return None
        exec_module, finder = spec.loader.exec_module, self

        def exec_without_drivers(module) -> None:
            sys.meta_path.insert(0, finder)
            finder.loading = True
            try:
                exec_module(module)
            finally:
                finder.loading = False
                sys.meta_path.remove(finder)

        spec.loader.exec_module = exec_without_drivers
        return spec


def defer_postgres_driver() -> None:
    if "peewee" not in sys.modules and not any(
            isinstance(f, _NoDriverWhilePeeweeLoads) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoDriverWhilePeeweeLoads())


def load_postgres_driver() -> None:
    """Give peewee psycopg 3, as if it had been importable when peewee loaded."""
    import peewee

    if peewee.psycopg is not None:
        return
    import psycopg
    from psycopg.pq import TransactionStatus
    from psycopg.types.json import Json, Jsonb

    peewee.psycopg, peewee.TransactionStatus = psycopg, TransactionStatus
    peewee.Json_pg3, peewee.Jsonb_pg3 = Json, Jsonb
    adapter = peewee.Psycopg3Adapter  # its class body set these only with a driver
    adapter.txn_idle = TransactionStatus.IDLE
    adapter.txn_inerror = TransactionStatus.INERROR
    adapter.txn_unknown = TransactionStatus.UNKNOWN
