"""deskapp: the terminal front desk of an office tower's customer service department."""

__version__ = "0.1.0"

from ._drivers import defer_postgres_driver  # noqa: E402

# peewee imports psycopg when it is imported (~93 ms and 13.5 MiB per CLI call on SQLite):
# deskapp.db loads it only for a postgresql:// URL.
defer_postgres_driver()
