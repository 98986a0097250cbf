"""Legacy NSRL RDS 2.x `NSRLFile.txt`: CSV with a header
"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode".
Each row gives two entries (its SHA-1 and its MD5), with the file name; the product code is kept as the source."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from cbis.errors import HashSetError
from cbis.hashsets import Entry, SetInfo, digest_entry

HEADER = ("SHA-1", "MD5", "CRC32", "FileName", "FileSize", "ProductCode", "OpSystemCode", "SpecialCode")


class NsrlCsv:
    name = "nsrl-csv"

    def sniff(self, head: bytes) -> bool:
        first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
        return first.replace(b'"', b"").startswith(b"SHA-1,MD5,")

    def entries(self, path: Path, info: SetInfo) -> Iterator[Entry]:
        with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
            rows = csv.reader(handle)
            header = next(rows, None)
            if header is None or "SHA-1" not in header or "MD5" not in header:
                raise HashSetError(f'{path.name}: not an NSRLFile.txt (its header has no "SHA-1" and "MD5")')
            columns = {name: header.index(name) for name in HEADER if name in header}
            for number, row in enumerate(rows, 2):
                if not row:
                    continue
                if len(row) != len(header):
                    raise HashSetError(f"{path.name} line {number}: {len(row)} fields, the header has {len(header)}")
                file_name = row[columns["FileName"]] if "FileName" in columns else None
                product = row[columns["ProductCode"]] if "ProductCode" in columns else None
                for column in ("SHA-1", "MD5"):
                    algorithm, digest = digest_entry(row[columns[column]], where=f"{path.name} line {number}")
                    yield Entry(algorithm, digest, file_name or None, None, f"product {product}" if product else None)


READER = NsrlCsv()
