"""Decompression bombs and images that cost far more memory than their file size: refused before their pixels
exist, or decoded within a bounded amount of memory; the run's peak RSS stays under 2 GB."""

from __future__ import annotations

import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from cbis.ingest.images import upright_rgb_in_strips
from tests.hostile.corpus import bombs, build, encoded, jpeg_declaring, noise, png_declaring, small_jpeg
from tests.hostile.helpers import assert_accounted, cbis_command, cbis_run, peak_rss, rows, untouched

GB = 1 << 30
MB = 1 << 20


def statuses(case_dir: Path) -> dict[str, tuple[str, str | None]]:
    return {path: (status, error) for path, status, error in rows(case_dir, "SELECT path, status, error FROM files")}


def test_every_bomb_is_refused_before_its_pixels_exist(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    planted = bombs()
    build(evidence, [(f"bombs/{name}", data) for name, data in planted.items()])
    build(evidence, [(f"ok/photo{n}.jpg", small_jpeg(n)) for n in range(3)])
    assert max(len(data) for data in planted.values()) < 5000  # each a few KB at most
    with untouched(evidence) as tree:
        result, peak = peak_rss(cbis_command("index", evidence, "--case", case_dir, "--no-classify"))
        assert result.returncode == 0, result.stderr
        assert_accounted(case_dir, evidence, tree)
    recorded = statuses(case_dir)
    for name in planted:
        status, reason = recorded[f"bombs/{name}"]
        assert status == "unprocessed", name
        assert reason is not None and reason.startswith("decompression bomb: ") and "the limit of" in reason, (
            name,
            reason,
        )
    assert recorded["bombs/png-30000x30000.png"][1] == (
        "decompression bomb: 30000x30000 = 900000000 pixels exceeds the limit of 178956970 pixels"
    )
    assert "TIFF tiles of 32768x32768" in (recorded["bombs/tiff-tiles-32768-for-100x100.tif"][1] or "")
    assert all(recorded[f"ok/photo{n}.jpg"][0] == "image" for n in range(3))
    # The smallest bomb here would need a gigabyte: a run that allocated none of them stays small.
    print(f"peak RSS of the run: {peak / MB:.0f} MB")
    assert peak < 400 * MB


def test_the_pixel_cap_is_the_examiner_s_to_set(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    build(
        evidence,
        [
            ("over.png", encoded(Image.new("RGB", (1001, 1000), (1, 2, 3)), "PNG")),
            ("at.png", encoded(Image.new("RGB", (1000, 1000), (1, 2, 3)), "PNG")),
            (
                "tiles.tif",
                encoded(Image.new("L", (600, 600), 7), "TIFF", compression="tiff_deflate", tile=(1024, 1024)),
            ),
        ],
    )
    with untouched(evidence) as tree:
        result = cbis_run("index", evidence, "--case", case_dir, "--no-classify", "--max-pixels", "1000000")
        assert result.returncode == 0, result.stderr
        assert_accounted(case_dir, evidence, tree)
    recorded = statuses(case_dir)
    assert recorded["over.png"] == (
        "unprocessed",
        "decompression bomb: 1001x1000 = 1001000 pixels exceeds the limit of 1000000 pixels",
    )
    assert recorded["at.png"] == ("image", None)
    # Ordinary tiles larger than a small image are fine; only tiles beyond the cap are refused.
    assert recorded["tiles.tif"] == ("image", None)
    assert "--max-pixels" in cbis_run("index", "--help").stdout


_DECODE = textwrap.dedent(
    """
    import sys, threading, warnings
    warnings.simplefilter("ignore")
    sys.path.insert(0, {repo!r})
    from cbis.ingest.images import decode_image
    from tests.hostile.corpus import jpeg_declaring, png_declaring
    kind = sys.argv[1]
    if kind == "rgba-for-the-classifier":
        jobs = [(png_declaring(13370, 13370, colour_type=6, rows=13370), dict(keep_pixels=True, draft_size=256))]
    elif kind == "two-progressive-jpegs-at-once":
        jobs = [(jpeg_declaring(13000, 13000, progressive=True), dict(keep_pixels=False))] * 2
    results = []
    def decode(data, options):
        decoded = decode_image(data, **options)
        results.append((decoded.width, decoded.height, decoded.image.size if decoded.image else None))
    threads = [threading.Thread(target=decode, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(sorted(results))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "limit", "expected"),
    [
        # A 700 KB RGBA PNG just under the default cap, decoded as `cbis index` decodes for the classifier. It
        # took 3.4 GB when converted to RGB as a whole (five full-size copies).
        ("rgba-for-the-classifier", 1.2 * GB, [(13370, 13370, (258, 258))]),
        # Two 500-byte progressive JPEGs declaring 13000 x 13000 (libjpeg keeps every DCT coefficient) in two
        # worker threads at once: 2.0 GB together before large decodes took turns.
        ("two-progressive-jpegs-at-once", 1.5 * GB, [(13000, 13000, None), (13000, 13000, None)]),
    ],
)
def test_images_that_cost_gigabytes_are_decoded_within_bounds(kind: str, limit: float, expected: list) -> None:
    repo = str(Path(__file__).resolve().parents[2])
    result, peak = peak_rss([sys.executable, "-c", _DECODE.format(repo=repo), kind])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(expected)
    print(f"{kind}: peak RSS {peak / MB:.0f} MB")
    assert peak < limit


@pytest.mark.slow
def test_a_bomb_laden_run_stays_under_2_gb(tmp_path: Path, case_dir: Path) -> None:
    """Every bomb, plus images just under the cap that are expensive to decode, in one run with two workers."""
    evidence = tmp_path / "evidence"
    build(evidence, [(f"bombs/{name}", data) for name, data in bombs().items()])
    build(
        evidence,
        [
            ("heavy/rgba-13370x13370.png", png_declaring(13370, 13370, colour_type=6, rows=13370)),
            ("heavy/progressive-13000x13000.jpg", jpeg_declaring(13000, 13000, progressive=True)),
            ("heavy/progressive-12000x12000.jpg", jpeg_declaring(12000, 12000, progressive=True)),
            ("heavy/gray16-12000x12000.png", png_declaring(12000, 12000, colour_type=0, bit_depth=16, rows=12000)),
            *[(f"ok/photo{n}.jpg", encoded(noise((320, 240), n), "JPEG")) for n in range(20)],
        ],
    )
    with untouched(evidence) as tree:
        result, peak = peak_rss(cbis_command("index", evidence, "--case", case_dir, "--no-classify", "--workers", "2"))
        assert result.returncode == 0, result.stderr
        assert_accounted(case_dir, evidence, tree)
    recorded = statuses(case_dir)
    assert all(recorded[f"heavy/{name}"][0] == "image" for name in ("rgba-13370x13370.png", "gray16-12000x12000.png"))
    assert sum(status == "unprocessed" for status, _ in recorded.values()) == len(bombs())
    print(f"peak RSS of the run: {peak / MB:.0f} MB")
    assert peak < 2 * GB


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "LA", "P", "PA", "L", "1", "I;16", "I", "F", "CMYK"])
@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("factor", [1, 3])
def test_converting_in_strips_gives_the_same_pixels(mode: str, orientation: int, factor: int) -> None:
    """The strip-by-strip conversion that keeps large images affordable is exact: same pixels as converting,
    reducing and turning the whole image in one go (tiny strips here, so that every edge case is crossed)."""
    from cbis.ingest.images import _UPRIGHT, to_rgb

    picture = noise((37, 23), seed=orientation)
    if mode in ("I;16", "I", "F"):
        picture = picture.convert("L").point(lambda value: value * 3).convert(mode)
    elif mode == "P":
        picture = picture.convert("P")
        picture.info["transparency"] = 5
    else:
        picture = picture.convert(mode)
    whole = to_rgb(picture)
    if factor > 1:
        whole = whole.reduce(factor)
    if orientation in _UPRIGHT:
        whole = whole.transpose(_UPRIGHT[orientation])
    in_strips = upright_rgb_in_strips(picture, orientation, reduce_factor=factor, strip_pixels=37 * 4)
    assert in_strips.mode == "RGB" and in_strips.size == whole.size
    assert in_strips.tobytes() == whole.tobytes()


def test_large_decodes_take_turns_and_none_waits_for_ever() -> None:
    """The memory budget behind the bounds above: large reservations wait while the budget is taken, small ones
    never do, and a holder that never lets go (a decoder stuck on a hostile file) delays others only so long."""
    from cbis.ingest.images import _MemoryBudget

    budget = _MemoryBudget(budget=100, small=10, max_wait=0.5)
    order: list[str] = []
    holding, let_go = threading.Event(), threading.Event()

    def first() -> None:
        with budget.reserve(80):
            order.append("first decodes")
            holding.set()
            let_go.wait(10)
            order.append("first done")

    def second() -> None:
        with budget.reserve(50):
            order.append("second decodes")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert holding.wait(10)
    threads[1].start()
    with budget.reserve(5):  # small: goes ahead while the budget is taken
        order.append("small decodes")
    time.sleep(0.1)
    assert "second decodes" not in order
    let_go.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first decodes", "small decodes", "first done", "second decodes"]
    assert budget.held == 0

    stuck, never = threading.Event(), threading.Event()

    def hang() -> None:
        with budget.reserve(500):  # capped to the whole budget, and never given back
            stuck.set()
            never.wait()

    threading.Thread(target=hang, daemon=True).start()
    assert stuck.wait(10)
    started = time.monotonic()
    with budget.reserve(60):
        waited = time.monotonic() - started
    assert 0.4 < waited < 5
