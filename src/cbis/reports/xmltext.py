"""Text for an XML document (KML, DFXML) from values found in hostile evidence: XML 1.0 cannot hold most control
characters at all, not even escaped, so each one becomes a visible \\xNN (as display paths already show theirs)."""

from __future__ import annotations

import re

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", str(value))
