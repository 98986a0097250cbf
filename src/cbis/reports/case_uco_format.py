"""`cbis report --case-uco FILE`: the selected files as CASE 1.4.0 JSON-LD (caseontology.org; UCO 1.4.0), the
version `case_validate` (case-utils 0.18.0, which bundles CASE 0.5.0 to 1.5.0) checks it against in the tests.

- every file is an `observable:File` with a FileFacet (name, path, extension, size, file times), a
  ContentDataFacet (its size and MD5, SHA-1 and SHA-256 as `types:Hash`), for an image a RasterPictureFacet
  (width, height, format) and an EXIFFacet (the stored EXIF summary as a ControlledDictionary);
- a GPS position is a `location:Location` with a LatLongCoordinatesFacet, linked to its file by a
  `core:Relationship` ("Related_To": the vocabulary has no "located at");
- one `investigation:InvestigativeAction`, also an `analysis:Analysis`, performed by the examiner (an
  `identity:Identity`), with cbis and the model as instruments (`tool:Tool`: version, backend, weights SHA-256),
  the files as its objects and the classifier's output as its results: per classified file an
  `analysis:AnalyticResult` (and `core:Annotation` of the file) whose ArtifactClassificationResultFacet holds each
  top-k label as an `analysis:ArtifactClassification` (class, confidence);
- the whole is the `investigation:Investigation` named after the case number.

IRIs are `urn:uuid:` UUIDs (version 5) made from the case number and what each node is of (a file: its evidence
root, path and SHA-256; a hash: its file and method), so the same case gives the same document, byte for byte:
it holds no time of its own, and JSON is written with sorted keys in the reports' file order.
"""

from __future__ import annotations

import json
import math
import posixpath
import uuid
from decimal import Decimal
from typing import Any, BinaryIO

from cbis import __version__
from cbis.db import documents
from cbis.db.queries import SearchHit
from cbis.reports import DocumentContext, PartWriter, register_document
from cbis.reports.html_format import FILES_PER_PAGE, selected

CASE_VERSION = "1.4.0"
UCO = "https://ontology.unifiedcyberontology.org/uco/"
CONTEXT = {
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": UCO + "action/",
    "uco-analysis": UCO + "analysis/",
    "uco-core": UCO + "core/",
    "uco-identity": UCO + "identity/",
    "uco-location": UCO + "location/",
    "uco-observable": UCO + "observable/",
    "uco-tool": UCO + "tool/",
    "uco-types": UCO + "types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# cbis's own namespace for the version 5 UUIDs: uuid5(NAMESPACE_URL, "https://cbis/case-uco").
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://cbis/case-uco")
HASHES = (("md5", "MD5"), ("sha1", "SHA1"), ("sha256", "SHA256"))  # HashNameVocab's names
EXIF_KEYS = (
    ("make", "Make"),
    ("camera_model", "Model"),
    ("lens_model", "LensModel"),
    ("body_serial", "BodySerialNumber"),
    ("software", "Software"),
    ("datetime_original", "DateTimeOriginal"),
    ("datetime_digitized", "DateTimeDigitized"),
    ("modify_date", "ModifyDate"),
    ("orientation", "Orientation"),
    ("gps_latitude", "GPSLatitude"),
    ("gps_longitude", "GPSLongitude"),
    ("gps_altitude", "GPSAltitude"),
)


def _typed(value: Any, datatype: str) -> dict[str, Any]:
    return {"@type": datatype, "@value": value}


def decimal(value: float) -> dict[str, Any]:
    """xsd:decimal's lexical form: digits and a point, never an exponent (repr gives 1e-05)."""
    text = format(Decimal(repr(value)), "f")
    return _typed(text if "." in text else text + ".0", "xsd:decimal")


class Iris:
    """Stable IRIs: a version 5 UUID of the case number and the node's own key."""

    def __init__(self, case_number: str) -> None:
        self.case = case_number

    def __call__(self, *key: str) -> str:
        return f"urn:uuid:{uuid.uuid5(NAMESPACE, chr(0).join((self.case, *key)))}"


def _file_node(iri: Iris, hit: SearchHit, times: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The File, and what hangs off it by reference (its Location and the Relationship to it)."""
    key = (hit.evidence, hit.path, hit.sha256 or "")
    file_iri = iri("file", *key)
    name = posixpath.basename(hit.path)
    file_facet: dict[str, Any] = {
        "@id": iri("file-facet", *key),
        "@type": "uco-observable:FileFacet",
        "uco-observable:fileName": name,
        "uco-observable:filePath": posixpath.join(hit.evidence, hit.path),
        "uco-observable:sizeInBytes": _typed(str(hit.size), "xsd:integer"),
    }
    if "." in name.strip("."):
        file_facet["uco-observable:extension"] = name.rsplit(".", 1)[1]
    for column, prop in (("mtime", "modifiedTime"), ("ctime", "metadataChangeTime"), ("atime", "accessedTime")):
        if times.get(column):
            file_facet[f"uco-observable:{prop}"] = _typed(times[column], "xsd:dateTime")
    hashes = [
        {
            "@id": iri("hash", *key, method),
            "@type": "uco-types:Hash",
            "uco-types:hashMethod": method,
            "uco-types:hashValue": _typed(getattr(hit, column).upper(), "xsd:hexBinary"),
        }
        for column, method in HASHES
        if getattr(hit, column)
    ]
    content: dict[str, Any] = {
        "@id": iri("content-data-facet", *key),
        "@type": "uco-observable:ContentDataFacet",
        "uco-observable:sizeInBytes": _typed(str(hit.size), "xsd:integer"),
    }
    if hashes:
        content["uco-observable:hash"] = hashes
    facets = [file_facet, content]
    if hit.status == "image":
        picture: dict[str, Any] = {
            "@id": iri("raster-picture-facet", *key),
            "@type": "uco-observable:RasterPictureFacet",
        }
        if hit.width is not None and hit.height is not None:
            picture["uco-observable:pictureWidth"] = _typed(str(hit.width), "xsd:integer")
            picture["uco-observable:pictureHeight"] = _typed(str(hit.height), "xsd:integer")
        if hit.format:
            picture["uco-observable:pictureType"] = hit.format
        facets.append(picture)
        entries = [
            {
                "@id": iri("exif-entry", *key, tag),
                "@type": "uco-types:ControlledDictionaryEntry",
                "uco-types:key": tag,
                "uco-types:value": repr(value) if isinstance(value, float) else str(value),
            }
            for column, tag in EXIF_KEYS
            if (value := getattr(hit, column)) is not None and value != ""
        ]
        if entries:
            facets.append(
                {
                    "@id": iri("exif-facet", *key),
                    "@type": "uco-observable:EXIFFacet",
                    "uco-observable:exifData": {
                        "@id": iri("exif-data", *key),
                        "@type": "uco-types:ControlledDictionary",
                        "uco-types:entry": entries,
                    },
                }
            )
    node = {"@id": file_iri, "@type": "uco-observable:File", "uco-core:hasFacet": facets}
    linked: list[dict[str, Any]] = []
    lat, lon = hit.gps_latitude, hit.gps_longitude
    if lat is not None and lon is not None and math.isfinite(lat) and math.isfinite(lon):
        coordinates: dict[str, Any] = {
            "@id": iri("lat-long-facet", *key),
            "@type": "uco-location:LatLongCoordinatesFacet",
            "uco-location:latitude": decimal(lat),
            "uco-location:longitude": decimal(lon),
        }
        if hit.gps_altitude is not None and math.isfinite(hit.gps_altitude):
            coordinates["uco-location:altitude"] = decimal(hit.gps_altitude)
        location_iri = iri("location", *key)
        linked.append({"@id": location_iri, "@type": "uco-location:Location", "uco-core:hasFacet": [coordinates]})
        linked.append(
            {
                "@id": iri("located", *key),
                "@type": "uco-core:Relationship",
                "uco-core:source": [{"@id": file_iri}],
                "uco-core:target": {"@id": location_iri},
                "uco-core:kindOfRelationship": "Related_To",
                "uco-core:isDirectional": True,
                "uco-core:description": "the position the file's EXIF GPS tags record",
            }
        )
    return node, linked


def _result(iri: Iris, hit: SearchHit, file_iri: str, action_iri: str, model_name: str) -> dict[str, Any] | None:
    if not hit.predictions:
        return None
    key = (hit.evidence, hit.path, hit.sha256 or "", model_name)
    return {
        "@id": iri("result", *key),
        "@type": ["uco-analysis:AnalyticResult", "uco-core:Annotation"],
        "uco-core:name": f"{model_name} top-{len(hit.predictions)} ImageNet labels",
        "uco-core:object": [{"@id": file_iri}],
        "uco-analysis:originatingAnalysis": {"@id": action_iri},
        "uco-core:hasFacet": [
            {
                "@id": iri("classification-facet", *key),
                "@type": "uco-analysis:ArtifactClassificationResultFacet",
                "uco-analysis:classification": [
                    {
                        "@id": iri("classification", *key, str(p["rank"])),
                        "@type": "uco-analysis:ArtifactClassification",
                        "uco-analysis:class": p["label"],
                        "uco-analysis:classificationConfidence": decimal(float(p["score"])),
                    }
                    for p in hit.predictions
                ],
            }
        ],
    }


def graph(context: DocumentContext) -> tuple[dict[str, Any], int]:
    """The JSON-LD document and the number of files in it."""
    iri = Iris(context.case_number)
    model = context.model
    cbis_iri, action_iri = iri("tool", "cbis"), iri("action")
    tools: list[dict[str, Any]] = [
        {
            "@id": cbis_iri,
            "@type": "uco-tool:Tool",
            "uco-core:name": "cbis",
            "uco-tool:version": __version__,
            "uco-tool:toolType": "forensic image triage",
        }
    ]
    if model is not None:
        tools.append(
            {
                "@id": iri("tool", "model", model.name, model.weights_sha256),
                "@type": "uco-tool:Tool",
                "uco-core:name": model.name,
                "uco-tool:toolType": "image classifier (ImageNet)",
                "uco-core:description": f"backend {model.backend}; weights SHA-256 {model.weights_sha256}",
            }
        )
    nodes: list[dict[str, Any]] = []
    objects: list[dict[str, str]] = []
    results: list[dict[str, str]] = []
    for hits in selected(context, FILES_PER_PAGE):
        times = documents.file_times(context.connection, [hit.id for hit in hits])
        for hit in hits:
            node, linked = _file_node(iri, hit, times.get(hit.id, {}))
            nodes.append(node)
            nodes.extend(linked)
            objects.append({"@id": node["@id"]})
            result = _result(iri, hit, node["@id"], action_iri, model.name) if model else None
            if result is not None:
                nodes.append(result)
                results.append({"@id": result["@id"]})
    details = context.details
    examiner = details.examiner if details else ""
    examiner_iri = iri("examiner", examiner)
    action: dict[str, Any] = {
        "@id": action_iri,
        "@type": ["case-investigation:InvestigativeAction", "uco-analysis:Analysis"],
        "uco-core:name": "cbis index and classify",
        "uco-core:description": "files hashed, their metadata read and their images classified by cbis",
        "uco-action:performer": {"@id": examiner_iri},
        "uco-action:instrument": [{"@id": tool["@id"]} for tool in tools],
    }
    if objects:
        action["uco-action:object"] = objects
    if results:
        action["uco-action:result"] = results
    investigation = {
        "@id": iri("investigation"),
        "@type": "case-investigation:Investigation",
        "uco-core:name": context.case_number,
        "uco-core:object": [{"@id": action_iri}],
    }
    if details and details.description:
        investigation["uco-core:description"] = details.description
    people = [{"@id": examiner_iri, "@type": "uco-identity:Identity", "uco-core:name": examiner}]
    document = {"@context": CONTEXT, "@graph": [investigation, action, *people, *tools, *nodes]}
    return document, len(objects)


class CaseUcoDocument:
    name = "case-uco"
    description = f"CASE {CASE_VERSION} JSON-LD: files with hashes, EXIF and positions, the classifier's labels"
    directory = False

    def parts(self, context: DocumentContext, file_name: str) -> list[tuple[str, PartWriter]]:
        def fill(raw: BinaryIO) -> int:
            document, count = graph(context)
            text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
            raw.write(text.encode("utf-8") + b"\n")
            return count

        return [(file_name, fill)]


CASE_UCO = register_document(CaseUcoDocument())
