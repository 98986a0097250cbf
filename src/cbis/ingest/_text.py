"""Turning hostile names and metadata strings into text that is safe to store, print and compare."""

# Escapes that read naturally; everything else unprintable gets a numeric escape.
_NAMED_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}

# os.fsdecode maps each byte that is not valid UTF-8 to a lone surrogate U+DC80..U+DCFF (surrogateescape).
_SURROGATE_ESCAPE_FIRST = 0xDC80
_SURROGATE_ESCAPE_LAST = 0xDCFF


def escape_unprintable(text: str) -> str:
    r"""Return `text` with every character a reader could not see, or could be fooled by, escaped.

    The result is unambiguous: a backslash is doubled, undecodable bytes (surrogate escapes) become \xNN
    with NN >= 80, ASCII control characters become \n, \r, \t or \xNN with NN < 80, and other unprintable
    code points (C1 controls, bidirectional overrides, zero-width and non-ASCII space characters) become
    \uNNNN or \UNNNNNNNN. Nothing valid and printable is touched, so ordinary non-ASCII names stay readable.
    """
    if text.isprintable() and "\\" not in text:
        return text
    pieces: list[str] = []
    for character in text:
        code = ord(character)
        if character in _NAMED_ESCAPES:
            pieces.append(_NAMED_ESCAPES[character])
        elif _SURROGATE_ESCAPE_FIRST <= code <= _SURROGATE_ESCAPE_LAST:
            pieces.append(f"\\x{code - 0xDC00:02x}")
        elif character.isprintable():
            pieces.append(character)
        elif code < 0x80:
            pieces.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            pieces.append(f"\\u{code:04x}")
        else:
            pieces.append(f"\\U{code:08x}")
    return "".join(pieces)


def is_plain_text(text: str) -> bool:
    """True when every character is printable or ordinary whitespace (tab, newline, carriage return)."""
    return all(character.isprintable() or character in "\t\n\r" for character in text)
