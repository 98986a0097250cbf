"""NSRL RDSv3: a SQLite database (tables FILE, PKG, OS, MFG, VERSION and the DISTINCT_HASH view) queried where it
lies, never copied: a full RDS is hundreds of millions of rows.

It is opened through its own read-only `sqlite3` connection (`mode=ro`, `immutable=1`: a published RDS never
changes, so SQLite need not look for other writers), whichever backend the case is on, and the case's digests are
looked up in batches of IN lists against `FILE`. The RDS's only index is its primary key, which starts with
sha256: SHA-1 and MD5 are looked up too only where the database has an index starting with that column (a lookup
of an unindexed column scans the whole table, minutes for each batch). NSRL writes digests in upper case.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from cbis.errors import HashSetError
from cbis.hashsets import Entry, SetInfo

MAGIC = b"SQLite format 3\x00"
FILE_COLUMNS = ("sha256", "sha1", "md5", "file_name", "file_size", "package_id")
BATCH = 400  # digests per IN list (each given in upper and lower case: under SQLite's 999 parameters)


def connect(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise HashSetError(f"{path}: cannot be opened as an NSRL RDSv3 database ({exc})") from None
    return connection


def check_schema(connection: sqlite3.Connection, path: Path) -> None:
    names = {
        name.upper(): kind
        for name, kind in connection.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')")
    }
    if "FILE" not in names:
        raise HashSetError(f"{path}: a SQLite database without the NSRL RDSv3 FILE table (is it an RDSv3 release?)")
    columns = {row[1].lower() for row in connection.execute("PRAGMA table_info(FILE)")}
    lacking = [column for column in FILE_COLUMNS if column not in columns]
    if lacking:
        raise HashSetError(f"{path}: its FILE table lacks the RDSv3 column(s) {', '.join(lacking)}")


def describe(path: Path) -> tuple[str | None, int]:
    """The release's version (its VERSION table) and how many FILE rows it has."""
    connection = connect(path)
    try:
        check_schema(connection, path)
        version = None
        try:
            row = connection.execute("SELECT version FROM VERSION ORDER BY version DESC LIMIT 1").fetchone()
            version = None if row is None else str(row[0])
        except sqlite3.Error:
            pass  # VERSION is informative; a database without it is still searchable
        count = connection.execute("SELECT count(*) FROM FILE").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise HashSetError(f"{path}: cannot be read as an NSRL RDSv3 database ({exc})") from None
    finally:
        connection.close()
    return version, int(count)


class RdsLookup:
    """Look digests up in one RDSv3 database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection = connect(path)
        check_schema(self._connection, path)
        self.algorithms = self._indexed()
        self._has_pkg = (
            self._connection.execute("SELECT 1 FROM sqlite_master WHERE upper(name) = 'PKG'").fetchone() is not None
        )

    def _indexed(self) -> tuple[str, ...]:
        first_columns = set()
        for index in self._connection.execute("PRAGMA index_list(FILE)").fetchall():
            info = self._connection.execute(f'PRAGMA index_info("{index[1]}")').fetchall()
            if info:
                first_columns.add(str(info[0][2]).lower())
        return tuple(a for a in ("sha256", "sha1", "md5") if a == "sha256" or a in first_columns)

    def find(self, algorithm: str, digests: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """lower-case digest -> (file name, package "name version") for those of `digests` in FILE."""
        found: dict[str, tuple[str | None, str | None]] = {}
        package = "trim(p.name || ' ' || p.version)" if self._has_pkg else "NULL"
        join = "LEFT JOIN PKG p ON p.package_id = f.package_id" if self._has_pkg else ""
        for start in range(0, len(digests), BATCH):
            chunk = list(digests[start : start + BATCH])
            values = [*(d.upper() for d in chunk), *(d.lower() for d in chunk)]
            marks = ", ".join("?" * len(values))
            rows = self._connection.execute(
                f"SELECT lower(f.{algorithm}), f.file_name, {package} FROM FILE f {join} "
                f"WHERE f.{algorithm} IN ({marks})",
                values,
            )
            for digest, file_name, product in rows:
                found.setdefault(digest, (file_name, product))
        return found

    def close(self) -> None:
        self._connection.close()


class NsrlRds:
    name = "nsrl-rds"

    def sniff(self, head: bytes) -> bool:
        return head.startswith(MAGIC)

    def entries(self, path: Path, info: SetInfo) -> Iterator[Entry]:
        return iter(())  # queried in place (RdsLookup), never copied into the case


READER = NsrlRds()
