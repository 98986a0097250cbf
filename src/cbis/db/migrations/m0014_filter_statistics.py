"""Schema version 14: the planner's statistics on what the filters test (PostgreSQL). Frozen: never edit these
definitions (see _ddl.py).

PostgreSQL keeps statistics on columns, and on the expressions of its indexes, not on the other expressions the
filters test: `lower(make) LIKE '%canon%'` and `lower(model) LIKE ...` (`--make`, `--camera-model`, matched
without regard to case), and the date filters' prefix test, `substr(coalesce(datetime_original,
datetime_digitized), 1, N)` for a year, a month or a day. Without them it guesses that such a filter keeps a
handful of files (196 for make=Canon at 300,000 images, where 28,627 match; 1,470 for 2019..2020, where 49,123 do)
and reads every match to sort them, where reading the list in its order stops after a page: the first gallery
page of make=Canon took 88 ms of SQL and takes 4 ms with them. An extended statistics object on each expression
(PostgreSQL 14 and later) gives ANALYZE, autovacuum's too, that expression's distribution of values; the case's
EXIF is analysed here once, so a migrated case has them at once.

SQLite's planner keeps no such statistics: nothing changes there. PostgreSQL before 14 cannot make statistics on
an expression: nothing changes there either (plans as before).
"""

from __future__ import annotations

from sqlalchemy import Connection

NAME = "the planner's statistics on the filters' expressions"

_DATE_TAKEN = "coalesce(datetime_original, datetime_digitized)"
_POSTGRESQL = (
    "CREATE STATISTICS st_exif_lower_make ON (lower(make)) FROM exif",
    "CREATE STATISTICS st_exif_lower_model ON (lower(model)) FROM exif",
    f"CREATE STATISTICS st_exif_date_year ON (substr({_DATE_TAKEN}, 1, 4)) FROM exif",
    f"CREATE STATISTICS st_exif_date_month ON (substr({_DATE_TAKEN}, 1, 7)) FROM exif",
    f"CREATE STATISTICS st_exif_date_day ON (substr({_DATE_TAKEN}, 1, 10)) FROM exif",
    "ANALYZE exif",
)
EXPRESSION_STATISTICS_FROM = 140000  # server_version_num of PostgreSQL 14


def migrate(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    if int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) < EXPRESSION_STATISTICS_FROM:
        return
    for statement in _POSTGRESQL:
        connection.exec_driver_sql(statement)
