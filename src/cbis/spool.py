"""A list kept on disk: what the walk of a million files plans to read, without a million objects in memory.

Items are appended as plain records (tuples of numbers, strings and bytes, from `encode`), pickled a chunk at a
time to an unnamed temporary file, and read back a chunk at a time, in order, as often as needed. Only records
this process wrote are ever unpickled. A spool that never fills a chunk never touches the disk.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

T = TypeVar("T")

CHUNK_SIZE = 4096


class Spool(Generic[T]):
    def __init__(
        self,
        directory: Path | None,
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
        chunk_size: int | None = None,
    ) -> None:
        """`directory`: where the temporary file goes (None: the system's); for `cbis index` the case directory,
        which is checked to be outside the evidence, whatever TMPDIR says."""
        self._directory = directory
        self._encode = encode
        self._decode = decode
        self._chunk_size = chunk_size or CHUNK_SIZE
        self._file: BinaryIO | None = None
        self._chunks: list[tuple[int, int]] = []  # (offset, length) of each pickled chunk in the file
        self._pending: list[Any] = []
        self._length = 0

    def append(self, item: T) -> None:
        self._pending.append(self._encode(item))
        self._length += 1
        if len(self._pending) >= self._chunk_size:
            self._flush()

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[T]:
        chunks, pending = len(self._chunks), list(self._pending)
        for number in range(chunks):
            yield from map(self._decode, self._read(number))
        yield from map(self._decode, pending)

    def __getitem__(self, index: int) -> T:
        if not -self._length <= index < self._length:
            raise IndexError("spool index out of range")
        index %= self._length
        number, offset = divmod(index, self._chunk_size)
        records = self._read(number) if number < len(self._chunks) else self._pending
        return self._decode(records[offset])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._chunks, self._pending, self._length = [], [], 0

    def _flush(self) -> None:
        if self._file is None:
            # Unnamed where the system allows (O_TMPFILE), removed on close or when the process ends.
            self._file = tempfile.TemporaryFile(prefix="cbis-spool-", dir=self._directory)  # noqa: SIM115 (close())
        data = pickle.dumps(self._pending, protocol=pickle.HIGHEST_PROTOCOL)
        offset = self._chunks[-1][0] + self._chunks[-1][1] if self._chunks else 0
        written = os.pwrite(self._file.fileno(), data, offset)
        while written < len(data):
            written += os.pwrite(self._file.fileno(), data[written:], offset + written)
        self._chunks.append((offset, len(data)))
        self._pending = []

    def _read(self, number: int) -> list[Any]:
        assert self._file is not None
        offset, length = self._chunks[number]
        # pread: iterations in progress at once (a sample, then the run) never share a file position.
        return pickle.loads(os.pread(self._file.fileno(), length, offset))
