"""`cbis report --geojson FILE`: an RFC 7946 FeatureCollection, one Point feature per image with a position.

Coordinates are the stored decimal degrees written as Python's shortest round-tripping form (repr), so nothing is
rounded beyond what the case holds; the altitude, where stored, is the third position value (RFC 7946 3.1.1).
Streamed a feature a line, in the reports' order, UTF-8 (RFC 7946 section 11), no time stamp of its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, BinaryIO

from cbis.db import documents
from cbis.reports import DocumentContext, PartWriter, register_document


def has_position(row: Mapping[str, Any]) -> bool:
    """A position a map can show: JSON has no NaN or infinity, whatever a hostile file's rationals said."""
    return math.isfinite(row["gps_latitude"]) and math.isfinite(row["gps_longitude"])


def feature(row: Mapping[str, Any], model_name: str | None) -> dict[str, Any]:
    position = [row["gps_longitude"], row["gps_latitude"]]
    if row["gps_altitude"] is not None and math.isfinite(row["gps_altitude"]):
        position.append(row["gps_altitude"])
    return {
        "type": "Feature",
        "id": row["file_id"],
        "geometry": {"type": "Point", "coordinates": position},
        "properties": {
            "file_id": row["file_id"],
            "path": row["path"],
            "evidence": row["evidence"],
            "sha256": row["sha256"],
            "date_taken": row["date_taken"],
            "make": row["make"],
            "model": row["model"],
            "label": row["label"],
            "score": row["score"],
            "classifier": model_name if row["label"] is not None else None,
        },
    }


class GeoJsonDocument:
    name = "geojson"
    description = "RFC 7946 GeoJSON: a FeatureCollection of every image with GPS"
    directory = False

    def parts(self, context: DocumentContext, file_name: str) -> list[tuple[str, PartWriter]]:
        def fill(raw: BinaryIO) -> int:
            model = context.model
            raw.write(b'{"type": "FeatureCollection", "features": [')
            count = 0
            for row in documents.gps_images(context.connection, model.id if model else None):
                if not has_position(row):
                    continue
                text = json.dumps(feature(row, model.name if model else None), ensure_ascii=False, allow_nan=False)
                raw.write((",\n" if count else "\n").encode() + text.encode("utf-8"))
                count += 1
            raw.write(b"\n]}\n")
            return count

        return [(file_name, fill)]


GEOJSON = register_document(GeoJsonDocument())
