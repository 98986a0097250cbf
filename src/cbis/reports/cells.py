"""The one cell-safety function for every report format and the viewer's export: what a spreadsheet or a terminal
is given of a value found in hostile evidence."""

from __future__ import annotations

import re
from typing import Any

# Control characters other than tab are stripped: a NUL or escape sequence in hostile EXIF must not reach
# the examiner's spreadsheet or terminal, and a raw newline would split a row for line-based tools. That means
# the C1 controls too (U+0080-U+009F: U+009B is an 8-bit CSI to some terminals, U+0085 a line break to Python's
# splitlines and to Excel) and the Unicode line and paragraph separators. Paths keep theirs visibly, escaped by
# display_path before they were stored.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
# A formula starts with one of these (one character each).
_FORMULA_FIRST = frozenset("=+-@\t\r")


def safe_cell(value: Any) -> str:
    """Text for one CSV cell: floats fixed, control characters removed, spreadsheet formulas neutralised.

    Called for every cell of every report (21 million at 300,000 images): the common types are told apart by
    their exact type first, and a string that is printable ASCII, which can hold no control character, is not
    searched for one."""
    kind = type(value)
    if kind is str:
        text = value if value.isascii() and value.isprintable() else _CONTROL.sub("", value)
    elif value is None:
        return ""
    elif kind is int:
        return str(value)  # numbers, negative ones included, are data, not formulas
    elif kind is float:
        text = f"{value:.6f}"
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, float):
        text = f"{value:.6f}"
    elif isinstance(value, int):
        return str(value)
    else:
        text = _CONTROL.sub("", str(value))
    if text[:1] in _FORMULA_FIRST and not _is_number(text):
        # OWASP's advice: a leading apostrophe makes spreadsheets show the text instead of running it.
        text = "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
