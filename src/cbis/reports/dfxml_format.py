"""`cbis report --dfxml FILE`: DFXML 1.2.0, the file list forensic tools exchange (fiwalk, The Sleuth Kit's
tsk_loaddb and others read it): `metadata`, `creator` (cbis, its version, the command line), `source` (each
evidence root) and one `fileobject` per recorded file.

Each fileobject's children are in the order the published schema's fileobject_type sequence requires
(dfxml.xsd 1.2.0: filename, ..., filesize, ..., mtime, ctime, atime, ..., hashdigest): a validator rejects any
other order. `filename` is the file's full path (evidence root joined with its path), so files of several roots
stay apart. Times are the stored UTC ones (ISO 8601, microseconds, Z). The document holds no time of its own;
the command line it quotes is the only part that changes with how it was asked for.
"""

from __future__ import annotations

import posixpath
from typing import BinaryIO
from xml.etree import ElementTree as ET

from cbis import __version__
from cbis.db import documents, queries
from cbis.reports import DocumentContext, PartWriter, register_document
from cbis.reports.xmltext import xml_text

DFXML_NS = "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"
DC_NS = "http://purl.org/dc/elements/1.1/"
DFXML_VERSION = "1.2.0"
FILEOBJECT_ORDER = ("filename", "filesize", "mtime", "ctime", "atime", "hashdigest")
ET.register_namespace("dc", DC_NS)  # written as dc:type, not ns0:type
HASHES = (("md5", "md5"), ("sha1", "sha1"), ("sha256", "sha256"))  # (column, DFXML hashdigest type)


def _element(tag: str, text: object | None = None, **attributes: str) -> ET.Element:
    element = ET.Element(tag, attributes)
    if text is not None:
        element.text = xml_text(text)
    return element


def _child(parent: ET.Element, tag: str, text: object | None = None, **attributes: str) -> ET.Element:
    element = _element(tag, text, **attributes)
    parent.append(element)
    return element


def _bytes(element: ET.Element) -> bytes:
    return ET.tostring(element, encoding="utf-8", xml_declaration=False)


class DfxmlDocument:
    name = "dfxml"
    description = "DFXML 1.2.0: every file with its size, hashes and times"
    directory = False

    def parts(self, context: DocumentContext, file_name: str) -> list[tuple[str, PartWriter]]:
        return [(file_name, lambda raw: self.fill(context, raw))]

    def fill(self, context: DocumentContext, raw: BinaryIO) -> int:
        connection = context.connection
        raw.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        raw.write(f'<dfxml xmlns="{DFXML_NS}" xmlns:dc="{DC_NS}" version="{DFXML_VERSION}">\n'.encode())
        metadata = _element("metadata")
        _child(metadata, f"{{{DC_NS}}}type", "File list")
        _child(metadata, f"{{{DC_NS}}}identifier", context.case_number)
        raw.write(_bytes(metadata) + b"\n")
        creator = _element("creator", version="1.0")
        _child(creator, "program", "cbis")
        _child(creator, "version", __version__)
        environment = _child(creator, "execution_environment")
        _child(environment, "command_line", context.command_line)
        raw.write(_bytes(creator) + b"\n")
        source = _element("source")
        for _, shown, _raw_root in queries.evidence_roots(connection):
            _child(source, "image_filename", shown)
        raw.write(_bytes(source) + b"\n")
        count = 0
        for row in documents.dfxml_files(connection):
            fileobject = _element("fileobject")
            _child(fileobject, "filename", posixpath.join(row["evidence"], row["path"]))
            _child(fileobject, "filesize", row["size"])
            for name in ("mtime", "ctime", "atime"):
                if row[name]:
                    _child(fileobject, name, row[name])
            for column, kind in HASHES:
                if row[column]:
                    _child(fileobject, "hashdigest", row[column], type=kind)
            raw.write(_bytes(fileobject) + b"\n")
            count += 1
        raw.write(b"</dfxml>\n")
        return count


DFXML = register_document(DfxmlDocument())
