"""Malformed EXIF of every kind: the image is still indexed, bad tags are skipped and a warning is recorded,
and nothing of it reaches a report as a formula or a control character."""

from __future__ import annotations

import csv
import json
import random
import struct
from pathlib import Path

from tests.hostile.corpus import MALFORMED_EXIF, build, camera_exif, image_with_exif
from tests.hostile.helpers import assert_accounted, cbis_run, rows, untouched

EXIF_FUZZ_CASES = 300
EXIF_FUZZ_SEED = 11


def exif_mutants(count: int, seed: int) -> list[tuple[str, bytes]]:
    """Seeded mutants of a camera's EXIF block (IFD0, Exif and GPS IFDs): flipped bits, lying counts, offsets
    and types, cut blocks; each carried by a real JPEG."""
    rng = random.Random(seed)
    original = camera_exif(3)
    files = []
    for number in range(count):
        block = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(6, len(block))
            operation = rng.randrange(4)
            if operation == 0:
                block[at] ^= 1 << rng.randrange(8)
            elif operation == 1:
                block[at : at + 4] = struct.pack("<I", rng.choice([0, 1, 8, 0xFFFF, 0xFFFFFFFF, rng.randrange(512)]))
            elif operation == 2:
                block[at : at + 2] = struct.pack("<H", rng.choice([0, 1, 2, 5, 7, 10, 12, 13, 0xFFFF]))
            elif len(block) > 16:
                del block[max(8, at) :]
        extension, data = image_with_exif(bytes(block), colour=(number % 256, 40, 90))
        files.append((f"fuzz/{number:03d}.{extension}", data))
    return files


def test_every_kind_of_malformed_exif_is_skipped_with_a_warning(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    files = {}
    for name, block, _ in MALFORMED_EXIF:
        extension, data = image_with_exif(block)
        files[name] = f"exif/{name}.{extension}"
        build(evidence, [(files[name], data)])
    with untouched(evidence) as tree:
        result = cbis_run("index", evidence, "--case", case_dir, "--no-classify")
        assert result.returncode == 0, result.stderr
        assert_accounted(case_dir, evidence, tree)
        report = cbis_run("report", "--case", case_dir, "--csv", tmp_path / "report")
        assert report.returncode == 0, report.stderr
    found = {
        path: (status, json.loads(warnings), make, model)
        for path, status, warnings, make, model in rows(
            case_dir,
            "SELECT path, status, warnings_json, make, model FROM files LEFT JOIN exif ON exif.file_id = files.id",
        )
    }
    for name, _, fragment in MALFORMED_EXIF:
        status, warnings, make, model = found[files[name]]
        assert status == "image", name  # broken metadata never costs the picture
        assert fragment in " | ".join(warnings), (name, warnings)
        for text in (make, model):
            assert text is None or text.isprintable(), (name, text)
    assert found[files["control-characters"]][2] == "\\x1b[31mRed\\x07\\x08"
    assert found[files["bidi-override-model"]][3] == "gpj.\\u202eexe"
    assert found[files["non-utf8-make"]][2] == "Nikön\u00ff"
    with open(tmp_path / "report" / "exif.csv", encoding="utf-8", newline="") as stream:
        exif_rows = list(csv.DictReader(stream))
    assert len(exif_rows) == len(MALFORMED_EXIF)
    for row in exif_rows:
        json.loads(row["tags_json"])
        for cell in row.values():
            assert cell.isprintable() or cell == "", cell[:80]


def test_fuzzed_exif_never_costs_the_image(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    files = exif_mutants(EXIF_FUZZ_CASES, EXIF_FUZZ_SEED)
    build(evidence, files)
    with untouched(evidence) as tree:
        result = cbis_run("index", evidence, "--case", case_dir, "--no-classify")
        assert result.returncode == 0, result.stderr
        assert_accounted(case_dir, evidence, tree)
    found = rows(case_dir, "SELECT status, warnings_json, tags_json FROM files JOIN exif ON exif.file_id = files.id")
    assert len(found) == EXIF_FUZZ_CASES
    assert {status for status, _, _ in found} == {"image"}
    with_warnings = sum(bool(json.loads(warnings)) for _, warnings, _ in found)
    for _, _, tags in found:
        json.loads(tags)
    print(f"{EXIF_FUZZ_CASES} EXIF mutants (seed {EXIF_FUZZ_SEED}): {with_warnings} recorded warnings")
    assert with_warnings == 283, with_warnings  # the count docs/robustness.md states, from the fixed seed
