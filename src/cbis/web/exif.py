"""The full EXIF table of the image page, from `exif.tags_json` (tags grouped by IFD, JSON-ready values).

Values are turned into plain text here and escaped by the template like everything else; nothing stored is
ever evaluated.
"""

from __future__ import annotations

import json
from typing import Any

GROUP_ORDER = ("Image", "Exif", "GPS", "Interop", "1st", "MakerNote", "XMP")
GROUP_TITLES = {
    "Image": "Image (IFD0)",
    "Exif": "Exif",
    "GPS": "GPS",
    "Interop": "Interoperability",
    "1st": "Thumbnail (IFD1)",
    "MakerNote": "Maker note (values cbis reads)",
    "XMP": "XMP",
}
MAX_SHOWN = 2000  # characters of one value on the page; the CSV report and the database keep it whole
MAX_HEX_SHOWN = 96  # hex digits of a binary value on the page (48 bytes)


def groups(tags_json: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group title, [(tag name, value text)])], groups in IFD order, tags as stored (sorted by name)."""
    if not tags_json:
        return []
    try:
        tags = json.loads(tags_json)
    except ValueError:
        return [("Unreadable", [("tags_json", _shorten(tags_json))])]
    if not isinstance(tags, dict):
        return [("Other", [("value", _text(tags))])]
    grouped = {name: value for name, value in tags.items() if isinstance(value, dict)}
    loose = [(str(name), _text(value)) for name, value in tags.items() if not isinstance(value, dict)]
    names = [name for name in GROUP_ORDER if name in grouped] + [name for name in grouped if name not in GROUP_ORDER]
    result = [
        (GROUP_TITLES.get(name, str(name)), [(str(tag), _text(value)) for tag, value in grouped[name].items()])
        for name in names
        if grouped[name]
    ]
    if loose:
        result.append(("Other", loose))
    return result


def _text(value: Any) -> str:
    if isinstance(value, str):
        return _shorten(value)
    if isinstance(value, dict) and "hex" in value:
        length = value.get("length")
        kind = f"{value['type']} x{value.get('count')}, " if "type" in value else ""
        digits = str(value["hex"])
        shown = digits if len(digits) <= MAX_HEX_SHOWN else digits[:MAX_HEX_SHOWN] + "…"
        return _shorten(f"<{kind}{length} bytes> {shown}")
    if isinstance(value, dict) and "values" in value and "count" in value:
        shown = json.dumps(value["values"], ensure_ascii=False)
        return _shorten(f"{shown} (first {len(value['values'])} of {value['count']} values)")
    return _shorten(json.dumps(value, ensure_ascii=False))


def _shorten(text: str) -> str:
    if len(text) <= MAX_SHOWN:
        return text
    return f"{text[:MAX_SHOWN]}… ({len(text) - MAX_SHOWN} more characters)"


def sources(sources_json: str | None) -> dict[str, str]:
    """{summary field: where its value came from} ("EXIF", "XMP (xmp:CreateDate)", "MakerNote (Reconyx)")."""
    loaded = _json_object(sources_json)
    return {str(name): str(source) for name, source in loaded.items()}


def conflicts(conflicts_json: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(summary field, [(source, value text)])] for the fields whose sources disagree, in field order."""
    loaded = _json_object(conflicts_json)
    return [
        (str(name), [(str(source), _text(value)) for source, value in values.items()])
        for name, values in sorted(loaded.items())
        if isinstance(values, dict)
    ]


def _json_object(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        loaded = json.loads(text)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
