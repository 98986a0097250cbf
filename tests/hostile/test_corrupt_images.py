"""Truncated, corrupt and fuzzed images in every format cbis decodes: decoded fully, recorded as unprocessed with a
reason or (with --allow-truncated) indexed and flagged; never a crash, never a hang."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from tests.hostile.corpus import (
    FORMATS,
    REAL_DAMAGED,
    SHARED_SAMPLES,
    build,
    mutations,
    png_declaring,
    small_jpeg,
    truncations,
    whole_image,
)
from tests.hostile.helpers import assert_accounted, cbis_run, new_case, rows, untouched

FUZZ_CASES = 450
FUZZ_SEED = 7
# Cut only in their last byte, these still hold every pixel (a JPEG's EOI, a PNG's IEND CRC, a GIF's trailer).
COMPLETE_PIXELS = {"truncated/jpeg-one-byte-short.jpg", "truncated/png-one-byte-short.png",
                   "truncated/gif-one-byte-short.gif"}  # fmt: skip


def recorded(case_dir: Path) -> dict[str, tuple[str, str | None, int, list[str]]]:
    return {
        path: (status, error, truncated, json.loads(warnings))
        for path, status, error, truncated, warnings in rows(
            case_dir, "SELECT path, status, error, truncated, warnings_json FROM files"
        )
    }


def index_both_ways(evidence: Path, tmp_path: Path, *extra: str) -> tuple[dict, dict]:
    """Index the same tree strictly and with --allow-truncated, into two cases; both runs fully accounted for."""
    with untouched(evidence) as tree:
        strict_case = new_case(tmp_path / "strict")
        lenient_case = new_case(tmp_path / "lenient")
        for case_dir, options in ((strict_case, ()), (lenient_case, ("--allow-truncated",))):
            started = time.monotonic()
            result = cbis_run("index", evidence, "--case", case_dir, "--no-classify", *options, *extra, timeout=120)
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
            print(f"{' '.join(options) or 'strict'}: {result.stdout.strip()} ({time.monotonic() - started:.1f} s)")
            assert_accounted(case_dir, evidence, tree)
    return recorded(strict_case), recorded(lenient_case)


def check_lenient_against_strict(strict: dict, lenient: dict) -> None:
    assert strict.keys() == lenient.keys()
    for path, (status, error, truncated, _) in strict.items():
        assert truncated == 0, path  # a strict run never flags: it refuses
        if status == "unprocessed":
            assert error, path
        lenient_status, lenient_error, lenient_truncated, lenient_warnings = lenient[path]
        if status == "image":
            # What decodes strictly decodes the same way when truncation is allowed, and is not flagged.
            assert (lenient_status, lenient_truncated) == ("image", 0), path
        elif lenient_status == "image":
            assert lenient_truncated == 1, path
            assert lenient_warnings[0].startswith("decoded only because truncated images were allowed: "), path
        else:
            assert lenient_status in ("unprocessed", "other") and (lenient_error or lenient_status == "other"), path


def test_truncated_images_of_every_format_at_every_cut(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    cuts = list(truncations())
    build(evidence, cuts)
    build(evidence, [(f"whole/{kind}.{extension}", whole_image(kind)) for kind, (extension, _, _) in FORMATS.items()])
    samples = [SHARED_SAMPLES / relpath for relpath in REAL_DAMAGED if (SHARED_SAMPLES / relpath).is_file()]
    if samples:  # the real damaged photos (referenced by path, never committed), and cuts of one of them
        (evidence / "real").mkdir()
        for sample in samples:
            shutil.copyfile(sample, evidence / "real" / sample.name)
        data = samples[0].read_bytes()
        build(evidence, [(f"real/cut-{percent}pct-{samples[0].name}", data[: len(data) * percent // 100])
                         for percent in (5, 50, 95)])  # fmt: skip
    strict, lenient = index_both_ways(evidence, tmp_path)
    check_lenient_against_strict(strict, lenient)
    for name, _ in cuts:
        if name in COMPLETE_PIXELS:
            assert strict[name][:2] == ("image", None), name
        else:
            status, error, _, _ = strict[name]
            assert status == "unprocessed" and error, name
    assert all(strict[f"whole/{kind}.{FORMATS[kind][0]}"][:2] == ("image", None) for kind in FORMATS)
    flagged = sorted(path for path, (status, _, truncated, _) in lenient.items() if status == "image" and truncated)
    print(f"{len(cuts)} cuts; flagged and indexed with --allow-truncated: {len(flagged)}")
    # Every format whose decoder can stop part way gives a flagged image; TIFF (its directory comes last),
    # WebP and AVIF refuse to decode any part of a cut file.
    assert {name.split("/")[1].rsplit("-", 1)[0] for name in flagged} >= {
        "jpeg", "jpeg-progressive", "png", "gif", "bmp", "heif",
    }  # fmt: skip
    if samples:
        assert all(strict[f"real/{sample.name}"][0] == "image" for sample in samples)  # libjpeg repairs them
        assert strict[f"real/cut-50pct-{samples[0].name}"][0] == "unprocessed"
        assert lenient[f"real/cut-50pct-{samples[0].name}"][:3:2] == ("image", 1)


def test_fuzzed_images_never_crash_a_run(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    build(evidence, mutations(FUZZ_CASES, FUZZ_SEED))
    strict, lenient = index_both_ways(evidence, tmp_path, "--file-time-limit", "30")
    check_lenient_against_strict(strict, lenient)
    outcomes = {status for status, _, _, _ in strict.values()}
    assert outcomes == {"image", "unprocessed"}, outcomes
    reasons = sorted(
        {(error or "").split(":")[0] for status, error, _, _ in strict.values() if status == "unprocessed"}
    )
    print(f"{FUZZ_CASES} mutants (seed {FUZZ_SEED}); kinds of reason: {reasons}")
    assert not any("timed out" in (error or "") for _, error, _, _ in lenient.values())


def test_a_decode_that_takes_too_long_is_given_up_and_the_run_goes_on(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    # 100 million pixels of zeros compress to 100 KB and take about a second to decode: a stand-in for a decoder
    # stuck on a hostile file. With a 0.05 s limit the run records it and goes on without waiting for it.
    build(evidence, [("slow/zeros-10000x10000.png", png_declaring(10000, 10000, colour_type=0, rows=10000))])
    build(evidence, [(f"fast/photo{n}.jpg", small_jpeg(n)) for n in range(5)])
    with untouched(evidence) as tree:
        result = cbis_run(
            "index", evidence, "--case", case_dir, "--no-classify", "--workers", "1", "--file-time-limit", "0.05"
        )
        assert result.returncode == 0, result.stderr
        assert_accounted(case_dir, evidence, tree)
    found = recorded(case_dir)
    status, error, _, _ = found["slow/zeros-10000x10000.png"]
    assert status == "unprocessed" and error is not None and error.startswith("timed out: reading and decoding took")
    assert all(found[f"fast/photo{n}.jpg"][0] == "image" for n in range(5))
