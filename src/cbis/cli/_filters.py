"""The filter options of `cbis search`, shared by every command that selects files the same way (`cbis review set`
and the others change files in bulk by any search filter)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from cbis.db.queries import SearchFilters

Label = Annotated[
    str | None,
    typer.Option(
        "--label", help="Label words (whole words, any of the top-k) or a WordNet name: 'dog' finds every breed."
    ),
]
MinScore = Annotated[
    float | None, typer.Option("--min-score", help="Minimum score (of the matching label, else of top-1).")
]
Make = Annotated[str | None, typer.Option("--make", help="Camera make substring.")]
CameraModel = Annotated[str | None, typer.Option("--camera-model", help="Camera model substring.")]
HasGps = Annotated[bool, typer.Option("--has-gps", help="Only images with GPS coordinates.")]
Hash = Annotated[str | None, typer.Option("--hash", help="MD5, SHA-1 or SHA-256 (by length), any file.")]
DateFrom = Annotated[
    str | None,
    typer.Option("--from", help="Taken on or after (2024-05-31): DateTimeOriginal, else CreateDate; EXIF or XMP."),
]
DateTo = Annotated[str | None, typer.Option("--to", help="Taken on or before (2024-05-31), as --from.")]
ExtMismatch = Annotated[bool, typer.Option("--ext-mismatch", help="Files whose name does not match their content.")]
Unprocessed = Annotated[
    bool, typer.Option("--unprocessed", help="Files that could not be read or decoded, with reasons.")
]
MetadataConflict = Annotated[
    bool, typer.Option("--metadata-conflict", help="Images whose EXIF, maker note and XMP disagree on a field.")
]
ThumbnailMismatch = Annotated[
    bool,
    typer.Option(
        "--thumbnail-mismatch",
        help="Images whose EXIF thumbnail is not the picture (edited after the camera wrote it?).",
    ),
]
Missing = Annotated[
    str,
    typer.Option("--missing", help="Files a later index no longer found: include (flagged), exclude, or only them."),
]
Known = Annotated[
    bool, typer.Option("--known", help="Files in a known hash set (NSRL): known, which is not the same as good.")
]
Notable = Annotated[bool, typer.Option("--notable", help="Files in a notable hash set (Project VIC, CAID, a list).")]
HashSetName = Annotated[str | None, typer.Option("--hashset", help="Files in the hash set of this name.")]
Category = Annotated[
    str | None,
    typer.Option(
        "--category", help="Files an examiner gave this category (CAT-1..CAT-5, a case category; CAT-0: none yet)."
    ),
]
Tag = Annotated[str | None, typer.Option("--tag", help="Files an examiner gave this tag.")]
RollupName = Annotated[
    str | None,
    typer.Option(
        "--rollup", help="Images whose top-1 class is in this rollup (weapons, vehicles...: `cbis review rollups`)."
    ),
]

Text = Annotated[
    str | None,
    typer.Option(
        "--text", help='Words in the pictures\' text (OCR): all of them, "a phrase", OR, prefix*. Ranked best first.'
    ),
]
Screenshot = Annotated[
    bool, typer.Option("--screenshot", help="Screenshots (device screen size or proportions, no camera EXIF).")
]
Faces = Annotated[bool, typer.Option("--faces", help="Images with at least one face.")]
MinFaces = Annotated[int | None, typer.Option("--min-faces", help="Images with at least N faces.")]


def make_filters(**options: Any) -> SearchFilters:
    """SearchFilters from the options above, by their parameter names."""
    from cbis.db.queries import SearchFilters  # here: the CLI's start-up loads no SQL (cli/_common.py)

    return SearchFilters(
        label=options.get("label"),
        min_score=options.get("min_score"),
        make=options.get("make"),
        camera_model=options.get("camera_model"),
        has_gps=bool(options.get("has_gps")),
        hash=options.get("hash_"),
        date_from=options.get("date_from"),
        date_to=options.get("date_to"),
        ext_mismatch=bool(options.get("ext_mismatch")),
        unprocessed=bool(options.get("unprocessed")),
        metadata_conflict=bool(options.get("metadata_conflict")),
        thumbnail_mismatch=bool(options.get("thumbnail_mismatch")),
        missing=options.get("missing") or "include",
        known=bool(options.get("known")),
        notable=bool(options.get("notable")),
        hashset=options.get("hashset"),
        category=options.get("category"),
        tag=options.get("tag"),
        rollup=options.get("rollup"),
        text=options.get("text"),
        screenshot=bool(options.get("screenshot")),
        min_faces=options["min_faces"]
        if options.get("min_faces") is not None
        else (1 if options.get("faces") else None),
    )


def _min_faces(min_faces: int | None, faces: bool) -> int | None:
    """--min-faces N, else --faces as at least one."""
    if min_faces is not None:
        return min_faces
    return 1 if faces else None


def any_filter(filters: SearchFilters) -> bool:
    """Whether a filter was given at all (a bulk change with none would change every image)."""
    from cbis.db.queries import SearchFilters

    return filters != SearchFilters()
