"""Plain lists: one MD5, SHA-1 or SHA-256 a line (told apart by length), optionally a file name after whitespace or
a comma; `#` starts a comment, blank lines are skipped. A line that is none of these refuses the whole import,
naming its line number: a set silently missing entries is worse than no set."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from cbis.hashsets import Entry, SetInfo, digest_entry

_SPLIT = re.compile(r"[\s,]+")


class PlainList:
    name = "list"

    def sniff(self, head: bytes) -> bool:
        return True

    def entries(self, path: Path, info: SetInfo) -> Iterator[Entry]:
        with path.open("r", encoding="utf-8", errors="surrogateescape", newline=None) as handle:
            for number, line in enumerate(handle, 1):
                text = line.split("#", 1)[0].strip().lstrip("\ufeff")
                if not text:
                    continue
                parts = _SPLIT.split(text, maxsplit=1)
                algorithm, digest = digest_entry(parts[0], where=f"{path.name} line {number}")
                name = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
                yield Entry(algorithm, digest, file_name=name)


READER = PlainList()
