"""Read PyTorch ``.pth`` state dicts with numpy and a restricted unpickler: torch is not a dependency.

A ``.pth`` file is pickled tensor metadata plus raw storages. Two layouts exist:

* the zip layout (torch >= 1.6): ``<root>/data.pkl`` holds the pickle, ``<root>/data/<key>`` each storage's raw
  bytes and, in newer files, ``<root>/byteorder`` says "little" or "big";
* the legacy layout (torch < 1.6, and what both packaged weights files here use): four pickles back to back
  (magic number, protocol version, system info, the state dict), then the list of storage keys, then each
  storage in that order as an int64 element count followed by its raw bytes.

Pickles can run arbitrary code, and a weights file may come from anywhere, so the unpickler resolves only the
few globals a state dict needs (``collections.OrderedDict``, the tensor-rebuild functions and the ``torch.*Storage``
types, all mapped to harmless local stand-ins) and refuses everything else with ``WeightsError``. Tensor views are
bounds-checked against their storage before numpy's ``as_strided`` touches them.
"""

from __future__ import annotations

import collections
import io
import pickle
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from cbis.errors import WeightsError

# The first pickle of a legacy file; torch.serialization.MAGIC_NUMBER.
_LEGACY_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL_VERSION = 1001

# torch storage type name -> numpy dtype, little-endian; a big-endian file's own byte order replaces it.
_STORAGE_DTYPES: dict[str, np.dtype] = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


@dataclass(frozen=True)
class StateDict:
    """The tensors of a ``.pth`` state dict as numpy arrays, in file order, plus the module paths it names."""

    arrays: dict[str, np.ndarray]
    # Module paths from the state dict's ``_metadata`` (e.g. "_conv_stem.static_padding"): they reveal layers
    # without weights, such as the padding modules that decide how a convolution pads.
    module_paths: frozenset[str]


@dataclass(frozen=True)
class _StorageType:
    name: str
    dtype: np.dtype


@dataclass
class _Storage:
    key: str
    dtype: np.dtype
    element_count: int
    data: np.ndarray | None = None  # 1-D, filled in once the raw bytes are read


@dataclass(frozen=True)
class _TensorRef:
    """A tensor as pickled: a strided view into a storage that may not have been read yet."""

    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]


def _int_tuple(value: object, what: str) -> tuple[int, ...]:
    if not isinstance(value, tuple) or not all(isinstance(item, int) and item >= 0 for item in value):
        raise WeightsError(f"tensor {what} is not a tuple of non-negative integers: {value!r}")
    return value


def _rebuild_tensor(storage: object, storage_offset: object, size: object, stride: object) -> _TensorRef:
    if not isinstance(storage, _Storage):
        raise WeightsError("tensor refers to something that is not a storage")
    if not isinstance(storage_offset, int) or storage_offset < 0:
        raise WeightsError(f"bad tensor storage offset {storage_offset!r}")
    shape = _int_tuple(size, "size")
    strides = _int_tuple(stride, "stride")
    if len(shape) != len(strides):
        raise WeightsError(f"tensor size {shape} and stride {strides} differ in length")
    return _TensorRef(storage, storage_offset, shape, strides)


def _rebuild_tensor_v2(
    storage: object,
    storage_offset: object,
    size: object,
    stride: object,
    requires_grad: object = False,
    backward_hooks: object = None,
    metadata: object = None,
) -> _TensorRef:
    return _rebuild_tensor(storage, storage_offset, size, stride)


def _rebuild_parameter(data: object, requires_grad: object = False, backward_hooks: object = None) -> object:
    # nn.Parameter wraps a tensor; for reading weights the tensor is all that matters.
    return data


_ALLOWED_GLOBALS: dict[tuple[str, str], object] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    **{("torch", name): _StorageType(name, dtype) for name, dtype in _STORAGE_DTYPES.items()},
}


class _RestrictedUnpickler(pickle.Unpickler):
    """Resolves only the globals in ``_ALLOWED_GLOBALS``; storages come back as ``_Storage`` placeholders."""

    def __init__(self, file: IO[bytes], storages: dict[str, _Storage], byte_order: str) -> None:
        super().__init__(file)
        self._storages = storages
        self._byte_order = byte_order

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise WeightsError(
                f"refusing to load {module}.{name}: a weights file may only contain tensors "
                "(the pickle asks for code that a state dict never needs)"
            ) from None

    def persistent_load(self, pid: Any) -> _Storage:
        # Zip layout: ('storage', type, key, location, numel); legacy adds a view_metadata field.
        if not isinstance(pid, tuple) or len(pid) not in (5, 6) or pid[0] != "storage":
            raise WeightsError(f"unsupported persistent id in weights file: {pid!r:.80}")
        storage_type, key, element_count = pid[1], pid[2], pid[4]
        if len(pid) == 6 and pid[5] is not None:
            raise WeightsError("storage views (legacy view_metadata) are not supported")
        if not isinstance(storage_type, _StorageType):
            raise WeightsError(f"unsupported storage type {storage_type!r:.80}")
        if not isinstance(key, str) or not isinstance(element_count, int) or element_count < 0:
            raise WeightsError(f"malformed storage reference {pid!r:.80}")
        known = self._storages.get(key)
        if known is None:
            known = _Storage(key, storage_type.dtype.newbyteorder(self._byte_order), element_count)
            self._storages[key] = known
        elif known.dtype != storage_type.dtype.newbyteorder(self._byte_order) or known.element_count != element_count:
            raise WeightsError(f"storage {key} is declared twice with different types or sizes")
        return known


def _materialise(ref: _TensorRef, name: str) -> np.ndarray:
    storage = ref.storage
    if storage.data is None:
        raise WeightsError(f"{name}: storage {storage.key} has no data in the file")
    if 0 in ref.shape:
        return np.zeros(ref.shape, dtype=storage.dtype.newbyteorder("="))
    last_index = ref.offset + sum((size - 1) * stride for size, stride in zip(ref.shape, ref.strides, strict=True))
    if last_index >= storage.element_count:
        raise WeightsError(f"{name}: tensor view reaches past the end of its storage")
    itemsize = storage.data.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage.data[ref.offset :],
        shape=ref.shape,
        strides=tuple(stride * itemsize for stride in ref.strides),
        writeable=False,
    )
    # A contiguous native-endian copy: callers transpose and hand these to Keras.
    return np.ascontiguousarray(view, dtype=storage.dtype.newbyteorder("="))


def _collect(obj: object, storages: dict[str, _Storage], path: Path) -> StateDict:
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]  # checkpoints that wrap the state dict with training bookkeeping
    if not isinstance(obj, dict):
        raise WeightsError(f"{path}: the pickle holds a {type(obj).__name__}, not a state dict")
    arrays: dict[str, np.ndarray] = {}
    for name, value in obj.items():
        if not isinstance(name, str):
            raise WeightsError(f"{path}: state dict key {name!r:.60} is not a string")
        if isinstance(value, _TensorRef):
            arrays[name] = _materialise(value, name)
    if not arrays:
        raise WeightsError(f"{path}: the state dict holds no tensors")
    metadata = getattr(obj, "_metadata", None)
    module_paths = (
        frozenset(key for key in metadata if isinstance(key, str)) if isinstance(metadata, dict) else frozenset()
    )
    return StateDict(arrays, module_paths)


def _read_zip_layout(path: Path) -> StateDict:
    with zipfile.ZipFile(path) as archive:
        pickles = [name for name in archive.namelist() if name.endswith("/data.pkl") and name.count("/") == 1]
        if len(pickles) != 1:
            raise WeightsError(f"{path}: expected one <root>/data.pkl in the zip, found {len(pickles)}")
        root = pickles[0].removesuffix("data.pkl")
        names = set(archive.namelist())
        byte_order = "<"
        if f"{root}byteorder" in names:
            recorded = archive.read(f"{root}byteorder").decode("ascii", "replace").strip()
            if recorded not in ("little", "big"):
                raise WeightsError(f"{path}: unknown byte order {recorded!r}")
            byte_order = "<" if recorded == "little" else ">"
        storages: dict[str, _Storage] = {}
        state = _RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])), storages, byte_order).load()
        for storage in storages.values():
            member = f"{root}data/{storage.key}"
            if member not in names:
                raise WeightsError(f"{path}: storage {storage.key} is missing from the zip")
            expected_bytes = storage.element_count * storage.dtype.itemsize
            if archive.getinfo(member).file_size < expected_bytes:
                raise WeightsError(f"{path}: storage {storage.key} is shorter than its {expected_bytes} bytes")
            raw = archive.read(member)[:expected_bytes]
            storage.data = np.frombuffer(raw, dtype=storage.dtype)
    return _collect(state, storages, path)


def _load_plain_pickle(file: IO[bytes], what: str) -> object:
    """Load one of the small bookkeeping pickles of the legacy layout (no globals allowed at all)."""

    class _NoGlobals(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            raise WeightsError(f"refusing to load {module}.{name} from the {what} record of a weights file")

    return _NoGlobals(file).load()


def _read_legacy_layout(path: Path, file: IO[bytes], file_size: int) -> StateDict:
    if _load_plain_pickle(file, "magic number") != _LEGACY_MAGIC_NUMBER:
        raise WeightsError(f"{path}: not a PyTorch weights file (no zip layout, wrong magic number)")
    protocol_version = _load_plain_pickle(file, "protocol version")
    if protocol_version != _LEGACY_PROTOCOL_VERSION:
        raise WeightsError(f"{path}: unsupported legacy protocol version {protocol_version!r}")
    system_info = _load_plain_pickle(file, "system info")
    little_endian = system_info.get("little_endian", True) if isinstance(system_info, dict) else True
    byte_order = "<" if little_endian else ">"

    storages: dict[str, _Storage] = {}
    state = _RestrictedUnpickler(file, storages, byte_order).load()
    storage_keys = _load_plain_pickle(file, "storage key list")
    if not isinstance(storage_keys, list) or not all(isinstance(key, str) for key in storage_keys):
        raise WeightsError(f"{path}: malformed storage key list")
    count_format = byte_order + "q"
    for key in storage_keys:
        storage = storages.get(key)
        if storage is None:
            raise WeightsError(f"{path}: storage {key} is listed but no tensor uses it")
        header = file.read(8)
        if len(header) != 8:
            raise WeightsError(f"{path}: file ends before storage {key}")
        (element_count,) = struct.unpack(count_format, header)
        if element_count != storage.element_count:
            raise WeightsError(
                f"{path}: storage {key} holds {element_count} elements, expected {storage.element_count}"
            )
        byte_count = element_count * storage.dtype.itemsize
        if byte_count > file_size - file.tell():
            raise WeightsError(f"{path}: storage {key} runs past the end of the file")
        storage.data = np.frombuffer(file.read(byte_count), dtype=storage.dtype)
    return _collect(state, storages, path)


def read_state_dict(path: Path) -> StateDict:
    """Read the tensors of a PyTorch ``.pth`` file (zip or legacy layout) as numpy arrays.

    Raises ``WeightsError`` when the file is unreadable, malformed or asks the unpickler for anything but tensors.
    """
    try:
        if zipfile.is_zipfile(path):
            return _read_zip_layout(path)
        with path.open("rb") as file:
            return _read_legacy_layout(path, file, path.stat().st_size)
    except WeightsError:
        raise
    except (
        OSError,
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        RuntimeError,  # zipfile: encrypted members
        NotImplementedError,  # zipfile: unsupported compression
        struct.error,
        zipfile.BadZipFile,
    ) as exc:
        raise WeightsError(f"{path}: not a readable PyTorch weights file ({type(exc).__name__}: {exc})") from exc
