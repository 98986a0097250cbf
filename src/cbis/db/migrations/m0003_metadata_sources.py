"""Schema version 3: where each EXIF summary value came from, disagreements between sources, ModifyDate, and the
displayed size beside the stored one. Frozen: never edit these definitions (see _ddl.py).

exif.modify_date        EXIF DateTime (0x0132, exiftool's ModifyDate) or XMP xmp:ModifyDate, ISO 8601
exif.sources_json       {field: "EXIF" | "MakerNote (maker)" | "XMP (property)"} for every summary value
exif.conflicts_json     {field: {source: value}} where the sources disagree; every source's value kept
exif.has_conflict       true when conflicts_json is not empty (indexed: `cbis search --metadata-conflict`)
files.display_width/height  the size as shown, after EXIF/XMP orientation and HEIF's irot; files.width/height
                        stay the size as stored

Cases indexed before this version get the displayed size from what they recorded: the stored size, turned
when the EXIF orientation is 5-8; for HEIF, whose recorded size was libheif's, already turned, that size.
Their sources and conflicts stay empty until the files are indexed again into a new case.
"""

from __future__ import annotations

from sqlalchemy import Connection

from cbis.db.migrations._ddl import add_column

NAME = "EXIF value sources and conflicts, ModifyDate, displayed image size"


def migrate(connection: Connection) -> None:
    add_column(connection, "exif", "modify_date", sqlite="VARCHAR(40)", postgresql="TEXT")
    add_column(
        connection, "exif", "sources_json", sqlite="TEXT NOT NULL DEFAULT '{}'", postgresql="TEXT NOT NULL DEFAULT '{}'"
    )
    add_column(
        connection,
        "exif",
        "conflicts_json",
        sqlite="TEXT NOT NULL DEFAULT '{}'",
        postgresql="TEXT NOT NULL DEFAULT '{}'",
    )
    add_column(
        connection,
        "exif",
        "has_conflict",
        sqlite="BOOLEAN NOT NULL DEFAULT 0",
        postgresql="BOOLEAN NOT NULL DEFAULT false",
    )
    connection.exec_driver_sql('CREATE INDEX "ix_exif_has_conflict" ON "exif" ("has_conflict")')
    add_column(connection, "files", "display_width", sqlite="INTEGER", postgresql="INTEGER")
    add_column(connection, "files", "display_height", sqlite="INTEGER", postgresql="INTEGER")
    connection.exec_driver_sql(
        """
        UPDATE files SET
            display_width = CASE WHEN format <> 'heif' AND EXISTS (
                SELECT 1 FROM exif WHERE exif.file_id = files.id AND exif.orientation IN (5, 6, 7, 8)
            ) THEN height ELSE width END,
            display_height = CASE WHEN format <> 'heif' AND EXISTS (
                SELECT 1 FROM exif WHERE exif.file_id = files.id AND exif.orientation IN (5, 6, 7, 8)
            ) THEN width ELSE height END
        WHERE width IS NOT NULL AND height IS NOT NULL
        """
    )
