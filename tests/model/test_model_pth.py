"""The numpy-only .pth reader: real packaged files, both layouts, and pickles that try to run code."""

from __future__ import annotations

import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cbis.errors import WeightsError
from cbis.model.pth import read_state_dict
from cbis.model.sources import efficientnet_lite0_weights, mobilenet_v2_weights

# --- a tiny pickle writer: the opcodes torch.save emits, written by hand because torch is not installed -------


def _global(module: str, name: str) -> bytes:
    return b"c" + f"{module}\n{name}\n".encode()


def _text(value: str) -> bytes:
    encoded = value.encode()
    return b"X" + struct.pack("<I", len(encoded)) + encoded


def _int(value: int) -> bytes:
    return b"J" + struct.pack("<i", value)


def _tuple(*items: bytes) -> bytes:
    return b"(" + b"".join(items) + b"t"


def _tensor(
    key: str, storage_type: str, numel: int, offset: int, shape: tuple[int, ...], stride: tuple[int, ...], legacy: bool
) -> bytes:
    """``torch._utils._rebuild_tensor_v2(<persistent storage>, offset, size, stride, False, OrderedDict())``."""
    storage_id = [_text("storage"), _global("torch", storage_type), _text(key), _text("cpu"), _int(numel)]
    if legacy:
        storage_id.append(b"N")  # no view metadata
    arguments = _tuple(
        _tuple(*storage_id) + b"Q",
        _int(offset),
        _tuple(*map(_int, shape)),
        _tuple(*map(_int, stride)),
        b"\x89",
        _global("collections", "OrderedDict") + b")R",
    )
    return _global("torch._utils", "_rebuild_tensor_v2") + arguments + b"R"


def _state_dict_pickle(entries: dict[str, bytes]) -> bytes:
    items = b"".join(_text(name) + tensor for name, tensor in entries.items())
    return b"\x80\x02" + _global("collections", "OrderedDict") + b")R(" + items + b"u."


# Tensors as (storage key, storage type, storage contents, offset, shape, stride).
_STORAGES = {
    "0": ("FloatStorage", np.arange(24, dtype="<f4")),
    "1": ("LongStorage", np.array([7], dtype="<i8")),
    "2": ("HalfStorage", np.array([0.5, -2.0, 3.0], dtype="<f2")),
}
_TENSORS = {
    "contiguous": ("0", 0, (2, 3, 4), (12, 4, 1)),
    # Channels-last memory, as in the packaged Lite0 file: element [o, i, h] sits at o + 2*i + 6*h.
    "channels_last": ("0", 0, (2, 3, 4), (1, 2, 6)),
    "offset_view": ("0", 20, (4,), (1,)),  # a second tensor sharing storage "0"
    "scalar": ("1", 0, (), ()),
    "half": ("2", 0, (3,), (1,)),
}
_EXPECTED = {
    "contiguous": np.arange(24, dtype=np.float32).reshape(2, 3, 4),
    "channels_last": np.arange(24, dtype=np.float32).reshape(4, 3, 2).transpose(2, 1, 0),
    "offset_view": np.array([20, 21, 22, 23], dtype=np.float32),
    "scalar": np.array(7, dtype=np.int64),
    "half": np.array([0.5, -2.0, 3.0], dtype=np.float16),
}


def _entries(legacy: bool, tensors: dict[str, tuple[str, int, tuple[int, ...], tuple[int, ...]]]) -> dict[str, bytes]:
    return {
        name: _tensor(key, _STORAGES[key][0], len(_STORAGES[key][1]), offset, shape, stride, legacy)
        for name, (key, offset, shape, stride) in tensors.items()
    }


def write_zip_pth(path: Path, data_pickle: bytes, storages: dict[str, np.ndarray]) -> Path:
    """torch >= 1.6 layout: <root>/data.pkl, <root>/data/<key>, <root>/byteorder."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", data_pickle)
        archive.writestr("archive/byteorder", "little")
        for key, contents in storages.items():
            archive.writestr(f"archive/data/{key}", contents.tobytes())
        archive.writestr("archive/version", "3\n")
    return path


def write_legacy_pth(path: Path, data_pickle: bytes, storages: dict[str, np.ndarray]) -> Path:
    """torch < 1.6 layout: magic, protocol, system info, data pickle, key list, then (int64 count + bytes) each."""
    system_info = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}
    parts = [
        pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2),
        pickle.dumps(1001, protocol=2),
        pickle.dumps(system_info, protocol=2),
        data_pickle,
        pickle.dumps(list(storages), protocol=2),
    ]
    for contents in storages.values():
        parts += [struct.pack("<q", len(contents)), contents.tobytes()]
    path.write_bytes(b"".join(parts))
    return path


_WRITERS = {"zip": write_zip_pth, "legacy": write_legacy_pth}


# --- the real files ------------------------------------------------------------------------------------------


def test_reads_packaged_efficientnet_lite0() -> None:
    state = read_state_dict(efficientnet_lite0_weights(None).path)
    assert len(state.arrays) == 296
    assert state.arrays["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert state.arrays["_blocks.3._depthwise_conv.weight"].shape == (144, 1, 5, 5)
    assert state.arrays["_fc.weight"].shape == (1000, 1280)
    assert state.arrays["_fc.weight"].dtype == np.float32
    assert state.arrays["_bn0.num_batches_tracked"].dtype == np.int64
    # The evidence that the source convolutions pad TF-style ("SAME"): Conv2dStaticSamePadding modules.
    assert "_conv_stem.static_padding" in state.module_paths
    assert "_blocks.1._depthwise_conv.static_padding" in state.module_paths


def test_reads_packaged_mobilenet_v2() -> None:
    state = read_state_dict(mobilenet_v2_weights(None).path)
    assert len(state.arrays) == 314
    assert state.arrays["features.0.0.weight"].shape == (32, 3, 3, 3)
    assert state.arrays["features.18.0.weight"].shape == (1280, 320, 1, 1)
    assert state.arrays["classifier.1.weight"].shape == (1000, 1280)
    assert not any("static_padding" in module for module in state.module_paths)


def test_real_file_survives_rewrite_in_zip_layout(tmp_path: Path) -> None:
    """The legacy file's arrays, saved again in the zip layout by hand, read back identically."""
    original = read_state_dict(mobilenet_v2_weights(None).path).arrays
    subset = {name: array for name, array in list(original.items())[:12]}
    storages = {
        str(index): array.ravel().astype(array.dtype.newbyteorder("<")) for index, array in enumerate(subset.values())
    }
    type_names = {np.dtype("float32"): "FloatStorage", np.dtype("int64"): "LongStorage"}
    entries = {}
    for index, (name, array) in enumerate(subset.items()):
        element_strides = tuple(stride // array.itemsize for stride in array.strides)
        entries[name] = _tensor(str(index), type_names[array.dtype], array.size, 0, array.shape, element_strides, False)
    rewritten = read_state_dict(write_zip_pth(tmp_path / "rewritten.pth", _state_dict_pickle(entries), storages))
    assert list(rewritten.arrays) == list(subset)
    for name, array in subset.items():
        np.testing.assert_array_equal(rewritten.arrays[name], array)


# --- both layouts, by hand -----------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["zip", "legacy"])
def test_reads_layout(layout: str, tmp_path: Path) -> None:
    data_pickle = _state_dict_pickle(_entries(layout == "legacy", _TENSORS))
    storages = {key: contents for key, (_, contents) in _STORAGES.items()}
    state = read_state_dict(_WRITERS[layout](tmp_path / f"{layout}.pth", data_pickle, storages))
    assert list(state.arrays) == list(_EXPECTED)
    for name, expected in _EXPECTED.items():
        assert state.arrays[name].dtype == expected.dtype, name
        np.testing.assert_array_equal(state.arrays[name], expected, err_msg=name)


@pytest.mark.parametrize("layout", ["zip", "legacy"])
def test_refuses_view_past_end_of_storage(layout: str, tmp_path: Path) -> None:
    # Six elements from offset 20 of a 24-element storage: as_strided would read past the buffer.
    data_pickle = _state_dict_pickle(_entries(layout == "legacy", {"overflow": ("0", 20, (6,), (1,))}))
    path = _WRITERS[layout](tmp_path / "overflow.pth", data_pickle, {"0": _STORAGES["0"][1]})
    with pytest.raises(WeightsError, match="past the end"):
        read_state_dict(path)


# --- hostile and broken files --------------------------------------------------------------------------------


class _RunsShellCommand:
    """Pickles as a call to os.system (``posix.system`` on Linux), the classic pickle exploit."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return os.system, (self.command,)


def _hostile_pickles(marker: Path) -> dict[str, bytes]:
    command = f"touch {marker}"
    return {
        # GLOBAL 'os system' where a state dict would have 'collections OrderedDict'.
        "os.system by hand": b"\x80\x02" + _global("os", "system") + _tuple(_text(command)) + b"R.",
        "__reduce__": pickle.dumps(_RunsShellCommand(command), protocol=2),
        "builtins.eval": b"\x80\x02" + _global("builtins", "eval") + _tuple(_text(f"open('{marker}', 'w')")) + b"R.",
        # Hidden inside an otherwise normal state dict, as a tensor's value.
        "nested": _state_dict_pickle({"weight": _global("os", "system") + _tuple(_text(command)) + b"R"}),
    }


@pytest.mark.parametrize("layout", ["zip", "legacy"])
@pytest.mark.parametrize("payload", ["os.system by hand", "__reduce__", "builtins.eval", "nested"])
def test_refuses_pickle_that_runs_code(layout: str, payload: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = _WRITERS[layout](tmp_path / "hostile.pth", _hostile_pickles(marker)[payload], {})
    with pytest.raises(WeightsError, match="refusing to load"):
        read_state_dict(path)
    assert not marker.exists()


def test_refuses_code_in_legacy_bookkeeping_pickle(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "hostile.pth"
    path.write_bytes(_hostile_pickles(marker)["os.system by hand"] + b"rest of file")
    with pytest.raises(WeightsError, match="refusing to load"):
        read_state_dict(path)
    assert not marker.exists()


def test_rejects_files_that_are_not_weights(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.pth"
    text_file.write_text("not a weights file\n")
    truncated = tmp_path / "truncated.pth"
    truncated.write_bytes(mobilenet_v2_weights(None).path.read_bytes()[:1_000_000])
    for path in (text_file, truncated, tmp_path / "missing.pth"):
        with pytest.raises(WeightsError):
            read_state_dict(path)
