"""cbis.spool: a list kept on disk a chunk at a time, read back whole and in order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cbis.spool import Spool


def numbers(directory: Path, chunk_size: int = 3) -> Spool[int]:
    return Spool(directory, lambda n: (n, str(n)), lambda record: record[0], chunk_size=chunk_size)


def test_items_come_back_in_order_from_disk_and_memory(tmp_path: Path) -> None:
    spool = numbers(tmp_path)
    for n in range(10):  # three chunks on disk, one item still in memory
        spool.append(n)
    assert len(spool) == 10 and bool(spool)
    assert list(spool) == list(range(10))
    assert list(spool) == list(range(10)), "a second reading gives the same items"
    assert [spool[i] for i in (0, 2, 3, 8, 9, -1, -10)] == [0, 2, 3, 8, 9, 9, 0]
    with pytest.raises(IndexError):
        spool[10]
    spool.close()
    assert len(spool) == 0 and list(spool) == []


def test_two_readings_at_once_do_not_share_a_position(tmp_path: Path) -> None:
    spool = numbers(tmp_path)
    for n in range(8):
        spool.append(n)
    first, second = iter(spool), iter(spool)
    assert [next(first), next(first), next(first), next(first)] == [0, 1, 2, 3]
    assert list(second) == list(range(8))
    assert list(first) == [4, 5, 6, 7]


def test_a_spool_writes_only_where_it_is_told_and_only_once_a_chunk_is_full(tmp_path: Path) -> None:
    spool = numbers(tmp_path, chunk_size=4)
    for n in range(3):
        spool.append(n)
    assert not os.listdir(tmp_path) and spool._file is None
    spool.append(3)
    assert spool._file is not None
    # The temporary file is unnamed (or unlinked at once): nothing is left in the directory, in use or after.
    assert os.path.dirname(os.path.realpath(f"/proc/self/fd/{spool._file.fileno()}")) == str(tmp_path.resolve())
    assert not os.listdir(tmp_path)
    spool.close()
    assert not os.listdir(tmp_path)


def test_an_empty_spool(tmp_path: Path) -> None:
    spool = numbers(tmp_path)
    assert len(spool) == 0 and not spool and list(spool) == []
    with pytest.raises(IndexError):
        spool[0]
