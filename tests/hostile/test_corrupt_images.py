"""Truncated, corrupt and fuzzed images in every format cbis decodes: decoded fully, recorded as unprocessed with a
reason or (with --allow-truncated) indexed and flagged; never a crash, never a hang."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from tests.conftest import EVIDENCE_SAMPLES
from tests.hostile.corpus import (
    FORMATS,
    REAL_DAMAGED,
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
    samples = [EVIDENCE_SAMPLES / relpath for relpath in REAL_DAMAGED]  # the real damaged photos, and cuts of one
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
    # docs/robustness.md states these counts: they come from the fixed cuts above (Pillow 13, libjpeg-turbo).
    strict_images = sum(status == "image" for status, _, _, _ in strict.values())
    assert (len(cuts), len(flagged), strict_images) == (73, 41, 17), (len(cuts), len(flagged), strict_images)
    # Every format whose decoder can stop part way gives a flagged image; TIFF (its directory comes last),
    # WebP and AVIF refuse to decode any part of a cut file.
    assert {name.split("/")[1].rsplit("-", 1)[0] for name in flagged} >= {
        "jpeg", "jpeg-progressive", "png", "gif", "bmp", "heif",
    }  # fmt: skip
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
    # The counts docs/robustness.md states, from the fixed seed (with this suite's Pillow, libjpeg and libheif).
    counts = {
        name: sum(status == "image" for status, _, _, _ in run.values()) for name, run in (("strict", strict),
                                                                                        ("lenient", lenient))
    }  # fmt: skip
    assert counts == {"strict": 113, "lenient": 270}, counts
    assert not any("timed out" in (error or "") for _, error, _, _ in lenient.values())


def test_a_decode_that_takes_too_long_is_given_up_and_the_run_goes_on(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    # 169 million RGB pixels of zeros compress to 490 KB and take 1.7 s to decode here: a stand-in for a decoder
    # stuck on a hostile file. With a 0.5 s limit the run records it and goes on without waiting for it, and the
    # small JPEGs (a few milliseconds of work each, however busy the machine) are never the ones timed out.
    slow = "slow/zeros-13000x13000.png"
    build(evidence, [(slow, png_declaring(13000, 13000, colour_type=2, rows=13000))])
    build(evidence, [(f"fast/photo{n}.jpg", small_jpeg(n)) for n in range(5)])
    with untouched(evidence) as tree:
        result = cbis_run(
            "index", evidence, "--case", case_dir, "--no-classify", "--workers", "1", "--file-time-limit", "0.5"
        )
        assert result.returncode == 0, result.stderr
        assert_accounted(case_dir, evidence, tree)
        found = recorded(case_dir)
        status, error, _, _ = found[slow]
        assert status == "unprocessed"
        assert error is not None and error.startswith("timed out: reading and decoding took")
        assert all(found[f"fast/photo{n}.jpg"][0] == "image" for n in range(5))

        # A time-out says nothing about the file, only about that run: the next run reads it again although
        # `stat` says it is unchanged, and this time (with the default limit) indexes it.
        again = cbis_run("index", evidence, "--case", case_dir, "--no-classify", "--workers", "1")
        assert again.returncode == 0, again.stderr
        assert "indexed 1 images, 0 unprocessed, 5 skipped as unchanged" in again.stdout
        assert_accounted(case_dir, evidence, tree)
    assert recorded(case_dir)[slow][:2] == ("image", None)


def test_files_queued_behind_a_slow_lenient_decode_are_not_timed_out() -> None:
    """The truncation switch is global, so strict decodes queue while a lenient one holds it. Their wait is not
    their decode time, and a lenient decode the run gives up on lets the queue go at once.

    The real gate and the real worker pool of an index, with sleeps standing in for decodes of known length."""
    from PIL import ImageFile

    from cbis.ingest.images import _TRUNCATION_GATE as gate
    from cbis.services.workers import TimedOut, WorkerPool

    def stuck_lenient_decode() -> str:
        with gate.lenient():
            time.sleep(3)  # far past the limit: abandoned at 0.3 s
            return "lenient finished"

    def strict_decode(number: int) -> str:
        with gate.strict():
            assert not ImageFile.LOAD_TRUNCATED_IMAGES, "a strict decode must never run with the switch on"
            time.sleep(0.01)
            return f"strict {number}"

    def jobs():
        yield stuck_lenient_decode, ()
        time.sleep(0.05)  # the lenient decode holds the switch before the strict ones queue
        for number in range(20):
            yield strict_decode, (number,)

    pool = WorkerPool(4, name="test-gate")
    started = time.monotonic()
    results = list(pool.map_ordered(jobs(), window=30, time_limit=0.3))
    elapsed = time.monotonic() - started
    pool.shutdown()
    assert isinstance(results[0], TimedOut)
    assert results[1:] == [f"strict {number}" for number in range(20)]
    assert elapsed < 2.5, f"the strict decodes waited for the abandoned one ({elapsed:.1f} s)"
    assert not ImageFile.LOAD_TRUNCATED_IMAGES
