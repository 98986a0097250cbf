"""A synthetic case of N images written through cbis's own store (`store.write_files`, `write_outputs`), as
`cbis index` writes one, for bench/bench_scale.py: seeded, so the same N and seed give the same case.

Three evidence roots (two phones and a laptop) with the paths their devices write (DCIM/100APPLE/IMG_0001.JPG,
DCIM/Camera/20190512_134501.jpg, Users/alex/Pictures/2017/...), top-1 labels drawn from the 1000 ImageNet classes
with a Zipf-like skew and 5 predictions of decreasing score each, 40 cameras (also skewed), dates over 12 years,
30% with GPS, 2% unprocessed (with a reason, no EXIF or predictions), and an embedding per image near its top-1
class's centre (so similar-to finds neighbours of the same class).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from cbis.db import store
from cbis.model.labels import imagenet_labels

CAMERAS = (
    ("Apple", "iPhone 12"), ("Apple", "iPhone 13 Pro"), ("Apple", "iPhone 8"), ("Apple", "iPhone XR"),
    ("Apple", "iPhone 14"), ("Apple", "iPhone SE (2nd generation)"), ("Apple", "iPad Air"),
    ("samsung", "SM-G991B"), ("samsung", "SM-A515F"), ("Samsung", "Galaxy S10"), ("samsung", "SM-G960F"),
    ("Samsung", "SM-N975F"), ("Canon", "Canon EOS 40D"), ("Canon", "Canon EOS 5D Mark III"),
    ("Canon", "Canon PowerShot G7 X"), ("Canon", "Canon EOS 80D"), ("Canon", "Canon IXUS 185"),
    ("NIKON CORPORATION", "NIKON D750"), ("NIKON CORPORATION", "NIKON D3400"), ("NIKON CORPORATION", "COOLPIX P900"),
    ("SONY", "ILCE-7M3"), ("SONY", "DSC-RX100M5"), ("Google", "Pixel 6"), ("Google", "Pixel 4a"),
    ("HUAWEI", "ELE-L29"), ("HUAWEI", "VOG-L29"), ("Xiaomi", "Redmi Note 8 Pro"), ("Xiaomi", "M2101K9G"),
    ("OnePlus", "ONEPLUS A6003"), ("motorola", "moto g(7)"), ("FUJIFILM", "X-T3"), ("FUJIFILM", "X100V"),
    ("OLYMPUS IMAGING CORP.", "E-M10"), ("Panasonic", "DMC-TZ70"), ("LG Electronics", "LG-H870"),
    ("GoPro", "HERO8 Black"), ("DJI", "FC3170"), ("Microsoft", "Surface Pro"), ("OPPO", "CPH2173"),
    ("Nokia", "Lumia 930"),
)  # fmt: skip
ROOTS = ("/evidence/scale/phone1", "/evidence/scale/phone2", "/evidence/scale/laptop")
ROOT_SHARES = (0.45, 0.35, 0.20)
UNPROCESSED_REASONS = (
    "cannot decode: image file is truncated",
    "cannot decode: cannot identify image file",
    "too large: 30000x30000 pixels is over the limit",
)
FIRST_DAY = datetime(2013, 1, 1, tzinfo=UTC)
DAYS = 12 * 365
GPS_SHARE = 0.30
UNPROCESSED_SHARE = 0.02
ZIPF_EXPONENT = 1.07


@dataclass(frozen=True)
class Image:
    """One synthetic file: its root (index into ROOTS), its row, and its predictions and embedding (None when
    unprocessed)."""

    root: int
    row: store.FileRow
    classification: store.Classification | None


def _skewed(rng: np.random.Generator, size: int, exponent: float) -> np.ndarray:
    """Weights 1/k^exponent over `size` items, shuffled (the most frequent class is not class 0)."""
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    rng.shuffle(weights)
    return weights / weights.sum()


class Synthetic:
    """Images 0..N-1 of one seeded case, generated batch by batch (a batch's images are drawn together)."""

    def __init__(self, count: int, seed: int, embedding_dim: int) -> None:
        self.count, self.seed, self.embedding_dim = count, seed, embedding_dim
        rng = np.random.default_rng(seed)
        labels = imagenet_labels()
        self.wnids, self.names = labels.wnids, labels.names
        self.class_weights = _skewed(rng, len(self.wnids), ZIPF_EXPONENT)
        self.camera_weights = _skewed(rng, len(CAMERAS), 0.9)
        # Class centres in embedding space; an image's vector is its top-1 class's centre plus noise.
        self.centres = rng.standard_normal((len(self.wnids), embedding_dim), dtype=np.float32)

    def batches(self, batch: int) -> Iterator[list[Image]]:
        counters = [0] * len(ROOTS)
        for start in range(0, self.count, batch):
            yield self._batch(start, min(batch, self.count - start), counters)

    def _batch(self, start: int, size: int, counters: list[int]) -> list[Image]:
        rng = np.random.default_rng([self.seed, start])
        roots = rng.choice(len(ROOTS), size=size, p=ROOT_SHARES)
        top1 = rng.choice(len(self.wnids), size=size, p=self.class_weights)
        others = rng.integers(0, len(self.wnids), size=(size, 4))
        first_scores = rng.uniform(0.2, 0.99, size=size)
        splits = rng.dirichlet((4.0, 2.0, 1.0, 0.5, 0.5), size=size)
        cameras = rng.choice(len(CAMERAS), size=size, p=self.camera_weights)
        seconds = rng.integers(0, DAYS * 86400, size=size)
        gps = rng.random(size) < GPS_SHARE
        latitudes = rng.uniform(35.0, 60.0, size=size)
        longitudes = rng.uniform(-10.0, 30.0, size=size)
        unprocessed = rng.random(size) < UNPROCESSED_SHARE
        reasons = rng.integers(0, len(UNPROCESSED_REASONS), size=size)
        noise = rng.standard_normal((size, self.embedding_dim), dtype=np.float32)
        vectors = (self.centres[top1] + 0.8 * noise).astype("<f2")
        images = []
        for i in range(size):
            n = start + i
            root = int(roots[i])
            counters[root] += 1
            taken = FIRST_DAY + timedelta(seconds=int(seconds[i]))
            path = _path(root, counters[root], taken)
            digest = hashlib.sha256(f"{self.seed}/{n}/{path}".encode()).hexdigest()
            failed = bool(unprocessed[i])
            exif = None
            if not failed:
                make, model = CAMERAS[int(cameras[i])]
                exif = {
                    "make": make,
                    "model": model,
                    "software": "17.1.2" if make == "Apple" else "Firmware 1.0.3",
                    "datetime_original": taken.strftime("%Y-%m-%dT%H:%M:%S"),
                    "datetime_digitized": taken.strftime("%Y-%m-%dT%H:%M:%S"),
                    "gps_latitude": float(latitudes[i]) if gps[i] else None,
                    "gps_longitude": float(longitudes[i]) if gps[i] else None,
                    "gps_altitude": 120.5 if gps[i] else None,
                    "orientation": 1,
                    "tags": {"ExposureTime": "1/160", "FNumber": 2.8, "ISOSpeedRatings": 100},
                }
            row = store.FileRow(
                path=path,
                path_bytes=path.encode(),
                extension=path.rsplit(".", 1)[-1].lower(),
                size=1_500_000 + (n * 7919) % 3_000_000,
                mtime_ns=int(taken.timestamp()) * 1_000_000_000,
                mtime=taken.strftime("%Y-%m-%dT%H:%M:%SZ"),
                ctime=taken.strftime("%Y-%m-%dT%H:%M:%SZ"),
                atime=taken.strftime("%Y-%m-%dT%H:%M:%SZ"),
                status="unprocessed" if failed else "image",
                error=UNPROCESSED_REASONS[int(reasons[i])] if failed else None,
                md5=digest[:32],
                sha1=digest[:40],
                sha256=digest,
                format=None if failed else "jpeg",
                width=None if failed else 4032,
                height=None if failed else 3024,
                exif=exif,
            )
            classification = None
            if not failed:
                classes = [int(top1[i]), *(int(c) for c in others[i] if c != top1[i])][:5]
                rest = (1.0 - first_scores[i]) * splits[i][: len(classes) - 1]
                scores = sorted([float(first_scores[i]), *(float(s) for s in rest)], reverse=True)
                predictions = [
                    store.PredictionRow(rank, self.wnids[c], self.names[c], score)
                    for rank, (c, score) in enumerate(zip(classes, scores, strict=True), start=1)
                ]
                classification = store.Classification(predictions, vectors[i].tobytes(), self.embedding_dim)
            images.append(Image(root, row, classification))
        return images


def _path(root: int, number: int, taken: datetime) -> str:
    """Paths as each device writes them: an iPhone's DCIM/1xxAPPLE folders of 999, a Samsung's DCIM/Camera by
    time taken, a laptop's Pictures by year."""
    if root == 0:
        return f"DCIM/{100 + (number - 1) // 999}APPLE/IMG_{(number - 1) % 9999 + 1:04d}.JPG"
    if root == 1:
        return f"DCIM/Camera/{taken:%Y%m%d_%H%M%S}_{number:06d}.jpg"
    return f"Users/alex/Pictures/{taken:%Y}/{taken:%m} {taken:%B}/DSC_{number:05d}.JPG"
