"""`cbis report --vics FILE`: the case's review as Project VIC VICS 2.0 JSON, and `--hash-lists DIR`: the MD5 and
SHA-1 digests of the files in each category, one plain list per category and algorithm, for other tools.

The VICS document is the OData shape VICS 2.0 exports use (checked against published exporters): one Case object
in "value" with its fields and its "Media", one Media per distinct content (MD5 and SHA-1) with MediaID, Category
(the Project VIC number), MD5 and SHA1 (upper case, as VICS sets write them), MediaSize, IsPrecategorized and
PrecategorizationSource ("true" when only a hash set gave the category), Comments (the note), Tags, DateUpdated,
MimeType, and its MediaFiles (FileName, FilePath, MD5, Written, Accessed, Unallocated, Deleted). VICS has no field
for a case-defined category, several tags with commas, or one copy of a picture categorised differently from
another, so each Media and MediaFile also carries "cbis.Review" (category code, tags, note, file id): `cbis review
import` reads those back exactly, and any other tool ignores them. Byte-identical when run again on the same case.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any, BinaryIO

from cbis import __version__
from cbis.db import case as case_db
from cbis.db import review
from cbis.reports import DocumentContext, PartWriter, register_document

CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases"
MIME = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "bmp": "image/bmp", "tiff": "image/tiff",
        "webp": "image/webp", "heif": "image/heif"}  # fmt: skip
EXTENSION = "cbis.Review"


def _review(state: review.ReviewState) -> dict[str, Any]:
    return {"Category": state.category, "Tags": list(state.tags), "Note": state.note}


def media(context: DocumentContext) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The Case object's fields, and its Media, in the reports' order (by the first file of each content)."""
    connection = context.connection
    details = case_db.case_details(connection)
    numbers = {category.code: category.vics_category for category in review.categories(connection)}
    files = list(review.media_files(connection))
    states = review.fold(review.events(connection))
    pre = review.precategories(connection, [row["id"] for row in files])
    latest: dict[int, str] = {}
    for event in review.events(connection):
        latest[event.file_id] = event.at
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in files:
        grouped.setdefault((row["md5"], row["sha1"]), []).append(row)
    listed: list[dict[str, Any]] = []
    precategorized = 0
    for number, ((md5, sha1), copies) in enumerate(grouped.items(), 1):
        copy_states = [states.get(row["id"], review.ReviewState()) for row in copies]
        decided = next((state for state in copy_states if state.category), None)
        pre_found = [p for row in copies for p in pre.get(row["id"], []) if p.code]
        if decided is not None:
            category, is_pre, source = numbers.get(decided.category or ""), False, None
        elif pre_found:
            category, is_pre, source = numbers.get(pre_found[0].code or ""), True, pre_found[0].set_name
            precategorized += 1
        else:
            category, is_pre, source = 0, False, None
        tags = sorted({tag for state in copy_states for tag in state.tags}, key=str.encode)
        notes = [state.note for state in copy_states if state.note]
        updated = max((latest[row["id"]] for row in copies if row["id"] in latest), default=None)
        item: dict[str, Any] = {
            "MediaID": number,
            "Category": 0 if category is None else category,
            "MD5": md5.upper(),
            "SHA1": sha1.upper(),
            "MediaSize": copies[0]["size"],
            "IsPrecategorized": "true" if is_pre else "false",
        }
        if source:
            item["PrecategorizationSource"] = source
        if notes:
            item["Comments"] = notes[0]
        if tags:
            item["Tags"] = ", ".join(tags)
        if updated:
            item["DateUpdated"] = updated
        mime = MIME.get((copies[0]["format"] or "").lower())
        if mime:
            item["MimeType"] = mime
        item["MediaFiles"] = [
            {
                "MD5": md5.upper(),
                "FileName": row["path"].rsplit("/", 1)[-1],
                "FilePath": f"{row['evidence']}/{row['path']}",
                "Written": row["mtime"],
                "Accessed": row["atime"],
                "Unallocated": "false",
                "Deleted": "true" if row["missing_since_run_id"] is not None else "false",
                EXTENSION: {"FileID": row["id"], "Path": row["path"], **_review(state)},
            }
            for row, state in zip(copies, copy_states, strict=True)
        ]
        item[EXTENSION] = _review(decided or copy_states[0])
        listed.append(item)
    case = {
        # Stable for the case: the same case exports the same CaseID.
        "CaseID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"cbis:{details.case_number}:{details.created_at}")),
        "CaseNumber": details.case_number,
        "ContactName": details.examiner,
        "SourceApplicationName": "cbis",
        "SourceApplicationVersion": __version__,
        "TotalMediaFiles": sum(len(item["MediaFiles"]) for item in listed),
        "TotalPrecategorized": precategorized,
    }
    return case, listed


class VicsDocument:
    name = "vics"
    description = "Project VIC VICS 2.0 JSON: the Case, its Media and their categories, tags and notes"
    directory = False

    def parts(self, context: DocumentContext, file_name: str) -> list[tuple[str, PartWriter]]:
        def fill(raw: BinaryIO) -> int:
            case, listed = media(context)
            head = json.dumps({"@odata.context": CONTEXT}, ensure_ascii=False)[:-1]
            fields = json.dumps(case, ensure_ascii=False)[1:-1]
            raw.write(f'{head}, "value": [{{{fields}, "Media": ['.encode())
            for number, item in enumerate(listed):
                raw.write((",\n" if number else "\n").encode() + json.dumps(item, ensure_ascii=False).encode())
            raw.write(b"\n]}]}\n")
            return len(listed)

        return [(file_name, fill)]


class HashListsDocument:
    name = "hash-lists"
    description = "MD5 and SHA-1 lists of the files in each review category (CODE.md5.txt, CODE.sha1.txt)"
    directory = True

    def parts(self, context: DocumentContext, file_name: str) -> list[tuple[str, PartWriter]]:
        by_code: dict[str, dict[str, set[str]]] = {}
        for row in _categorised(context):
            lists = by_code.setdefault(row["category"], {"md5": set(), "sha1": set()})
            for algorithm in ("md5", "sha1"):
                if row[algorithm]:
                    lists[algorithm].add(row[algorithm])
        parts: list[tuple[str, PartWriter]] = []
        for code in sorted(by_code, key=str.encode):
            for algorithm in ("md5", "sha1"):
                digests = sorted(by_code[code][algorithm])

                def fill(raw: BinaryIO, digests: list[str] = digests) -> int:
                    raw.write("".join(f"{digest}\n" for digest in digests).encode())
                    return len(digests)

                parts.append((f"{code}.{algorithm}.txt", fill))
        return parts


def _categorised(context: DocumentContext) -> Iterator[dict[str, Any]]:
    states = review.fold(review.events(context.connection))
    for row in review.media_files(context.connection):
        state = states.get(row["id"])
        if state is not None and state.category:
            yield {**row, "category": state.category}


VICS = register_document(VicsDocument())
HASH_LISTS = register_document(HashListsDocument())
