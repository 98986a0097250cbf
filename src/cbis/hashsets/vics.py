"""Project VIC VICS JSON (data model 2.0, and 1.x) and CAID exports, which use the same OData shape:

    {"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media",
     "value": [{"MediaID": 1, "Category": 1, "MD5": "...", "SHA1": "...", "MediaSize": 2835,
                "MediaFiles": [{"FileName": "...", "FilePath": "..."}], ...}, ...]}

VICS 1.x and CAID name the model in "odata.metadata" instead (CAID: .../ProjectVic/DataModels/1.2.xml#Media).
Each Media record gives an entry per hash it carries (MD5, SHA1, and SHA256 where present), with its Category
kept as the set states it (Project VIC's numbers, or CAID's), the first file name, and its MediaID as the source.
Records are parsed one at a time (ijson): a set of millions of records never sits in memory."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cbis.errors import HashSetError
from cbis.hashsets import Entry, SetInfo, digest_entry

_MODEL = re.compile(rb'"@?odata\.(?:context|metadata)"\s*:\s*"([^"]*)"')
_VERSION = re.compile(r"DataModels/(\d+(?:\.\d+)*)")
HASH_FIELDS = {"md5": "MD5", "sha1": "SHA1", "sha256": "SHA256"}


class Vics:
    name = "vics"

    def sniff(self, head: bytes) -> bool:
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and _MODEL.search(head) is not None

    def entries(self, path: Path, info: SetInfo) -> Iterator[Entry]:
        import ijson

        with path.open("rb") as handle:
            model = _MODEL.search(handle.read(1 << 16))
            if model is None:
                raise HashSetError(f"{path.name}: not a VICS or CAID JSON file (no odata.context or odata.metadata)")
            url = model.group(1).decode("utf-8", "replace")
            version = _VERSION.search(url)
            family = "CAID" if "ICMEC" in url and version and version.group(1) == "1.2" else "VICS"
            info.version = f"{family} {version.group(1)}" if version else url
            handle.seek(0)
            try:
                for number, media in enumerate(ijson.items(handle, "value.item"), 1):
                    yield from _media_entries(path, number, media)
            except ijson.JSONError as exc:
                raise HashSetError(f"{path.name}: not valid JSON ({exc})") from None


def _media_entries(path: Path, number: int, media: Any) -> Iterator[Entry]:
    where = f"{path.name} Media record {number}"
    if not isinstance(media, dict):
        raise HashSetError(f"{where}: not an object")
    fields = {str(key).lower(): value for key, value in media.items()}
    category = fields.get("category")
    category_text = None if category is None or category == "" else str(category)
    names = fields.get("mediafiles") or []
    file_name = None
    if isinstance(names, list) and names and isinstance(names[0], dict):
        file_name = names[0].get("FileName") or None
    file_name = file_name or fields.get("filename") or None
    media_id = fields.get("mediaid")
    source = f"MediaID {media_id}" if media_id is not None else None
    found = False
    for key in HASH_FIELDS:
        value = fields.get(key)
        if value in (None, ""):
            continue
        algorithm, digest = digest_entry(str(value), where=f"{where} {HASH_FIELDS[key]}")
        found = True
        yield Entry(algorithm, digest, file_name, category_text, source)
    if not found:
        raise HashSetError(f"{where}: no MD5, SHA1 or SHA256")


READER = Vics()
