"""The search filters as command-line options, shared by `cbis search` and `cbis report` (--html, --pdf,
--case-uco select their files with them): one definition, so a filter means the same in both commands."""

from __future__ import annotations

from typing import Annotated

import typer

LabelOption = Annotated[
    str | None,
    typer.Option(
        "--label", help="Label words (whole words, any of the top-k) or a WordNet name: 'dog' finds every breed."
    ),
]
MinScoreOption = Annotated[
    float | None, typer.Option("--min-score", help="Minimum score (of the matching label, else of top-1).")
]
MakeOption = Annotated[str | None, typer.Option("--make", help="Camera make substring.")]
CameraModelOption = Annotated[str | None, typer.Option("--camera-model", help="Camera model substring.")]
HasGpsOption = Annotated[bool, typer.Option("--has-gps", help="Only images with GPS coordinates.")]
HashOption = Annotated[str | None, typer.Option("--hash", help="MD5, SHA-1 or SHA-256 (by length), any file.")]
DateFromOption = Annotated[
    str | None,
    typer.Option("--from", help="Taken on or after (2024-05-31): DateTimeOriginal, else CreateDate; EXIF or XMP."),
]
DateToOption = Annotated[str | None, typer.Option("--to", help="Taken on or before (2024-05-31), as --from.")]
ExtMismatchOption = Annotated[
    bool, typer.Option("--ext-mismatch", help="Files whose name does not match their content.")
]
UnprocessedOption = Annotated[
    bool, typer.Option("--unprocessed", help="Files that could not be read or decoded, with reasons.")
]
MetadataConflictOption = Annotated[
    bool, typer.Option("--metadata-conflict", help="Images whose EXIF, maker note and XMP disagree on a field.")
]
ThumbnailMismatchOption = Annotated[
    bool,
    typer.Option(
        "--thumbnail-mismatch",
        help="Images whose EXIF thumbnail is not the picture (edited after the camera wrote it?).",
    ),
]
MissingOption = Annotated[
    str,
    typer.Option("--missing", help="Files a later index no longer found: include (flagged), exclude, or only them."),
]
KnownOption = Annotated[
    bool, typer.Option("--known", help="Files in a known hash set (NSRL): known, which is not the same as good.")
]
NotableOption = Annotated[
    bool, typer.Option("--notable", help="Files in a notable hash set (Project VIC, CAID, a list).")
]
HashsetOption = Annotated[str | None, typer.Option("--hashset", help="Files in the hash set of this name.")]
