"""How the derived samples here were made from the collection (run once by hand; kept so that anyone can redo it).

`python tests/data/evidence-samples/make_derived.py PATH/TO/exif-samples` re-encodes the large photos the tests
read only for their EXIF: smaller pixels, the same EXIF block byte for byte (as the collection itself scaled its
photos down and kept their EXIF). The damaged and the HEIC samples, whose real size the tests check, are copied
unchanged, as are all the small ones.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent

COPIED = [
    "jpg/README",
    "jpg/Canon_40D.jpg",
    "jpg/Canon_PowerShot_S40.jpg",
    "jpg/Kodak_CX7530.jpg",
    "jpg/Nikon_D70.jpg",
    "jpg/Pentax_K10D.jpg",
    "jpg/corrupted.jpg",
    *[f"jpg/gps/{name}" for name in ("README", "DSCN0010.jpg", "DSCN0012.jpg", "DSCN0021.jpg", "DSCN0025.jpg",
                                      "DSCN0027.jpg")],
    "jpg/hdr/README",
    *[f"jpg/invalid/{name}" for name in ("README", "image00971.jpg", "image01088.jpg", "image01137.jpg",
                                         "image01551.jpg")],
    "jpg/orientation/README",
    "heic/IMG_5195.HEIC",
    "heic/samplefilehub.heif",
]  # fmt: skip
# (relative path, longest side in pixels, JPEG quality): the EXIF, orientation included, is kept as it is.
DERIVED = [
    ("jpg/hdr/iphone_hdr_NO.jpg", 640, 80),
    ("jpg/hdr/iphone_hdr_YES.jpg", 640, 80),
    ("jpg/mobile/HMD_Nokia_8.3_5G.jpg", 640, 80),
    *[(f"jpg/orientation/{kind}_{n}.jpg", 0, 40) for kind in ("landscape", "portrait") for n in range(1, 9)],
]


def main(collection: Path) -> None:
    for relpath in COPIED:
        (HERE / relpath).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(collection / relpath, HERE / relpath)
    for relpath, longest, quality in DERIVED:
        (HERE / relpath).parent.mkdir(parents=True, exist_ok=True)
        with Image.open(collection / relpath) as image:
            exif = image.info["exif"]
            if longest:
                image.thumbnail((longest, longest))
            image.convert("RGB").save(HERE / relpath, "JPEG", quality=quality, exif=exif)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
