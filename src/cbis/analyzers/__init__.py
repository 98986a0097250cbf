"""The analyzer registry: every per-image analysis cbis can run, by name (`cbis analyzers`, `--analyze`).

cbis's own analyzers are listed in BUILTIN and registered when the registry is first read; anything else (a
plugin, a test) calls `register` with an `AnalyzerSpec`. Reading the registry imports no model runtime: that
happens in `load`, for the analyzers a run uses.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cbis.analyzers.base import (
    AnalysisInput,
    Analyzer,
    AnalyzerSettings,
    AnalyzerSpec,
    Needs,
    Preparer,
    check_outputs,
)
from cbis.errors import UsageError

__all__ = [
    "AnalysisInput",
    "Analyzer",
    "AnalyzerSettings",
    "AnalyzerSpec",
    "AnalyzerStatus",
    "Needs",
    "Preparer",
    "UnknownAnalyzerError",
    "check_outputs",
    "default_names",
    "get",
    "load",
    "names",
    "parse_names",
    "register",
    "statuses",
    "unregister",
]

# Modules that define a SPEC: cbis's own analyzers, in the order `cbis analyzers` lists them.
BUILTIN = ("cbis.analyzers.imagenet", "cbis.analyzers.perceptual", "cbis.analyzers.ocr", "cbis.analyzers.faces")

_REGISTRY: dict[str, AnalyzerSpec] = {}
_builtins_loaded = False


class UnknownAnalyzerError(UsageError):
    """An --analyze name no registered analyzer has."""


@dataclass(frozen=True)
class AnalyzerStatus:
    name: str
    description: str
    in_default: bool
    available: bool
    reason: str | None  # why not available
    what_it_does: str


def _registry() -> dict[str, AnalyzerSpec]:
    global _builtins_loaded
    if not _builtins_loaded:
        _builtins_loaded = True
        for module in BUILTIN:
            spec = importlib.import_module(module).SPEC
            _REGISTRY.setdefault(spec.name, spec)
    return _REGISTRY


def register(spec: AnalyzerSpec) -> None:
    """Add an analyzer; a second one under a taken name is refused (two analyses must never share a name)."""
    registry = _registry()
    if spec.name in registry and registry[spec.name] is not spec:
        raise ValueError(f"an analyzer named {spec.name!r} is registered already")
    if not spec.name or not all(c.isalnum() or c in "-_" for c in spec.name):
        raise ValueError(f"analyzer name {spec.name!r}: use letters, digits, '-' and '_'")
    registry[spec.name] = spec


def unregister(name: str) -> None:
    _registry().pop(name, None)


def names() -> list[str]:
    return list(_registry())


def default_names() -> list[str]:
    """The analyzers of a plain `cbis index`: the default ones, less those whose optional engine is missing."""
    return [
        spec.name
        for spec in _registry().values()
        if spec.in_default and not (spec.default_if_available and spec.unavailable() is not None)
    ]


def get(name: str) -> AnalyzerSpec:
    try:
        return _registry()[name]
    except KeyError:
        raise UnknownAnalyzerError(
            f"unknown analyzer {name!r}; choose among: {', '.join(names())} (see `cbis analyzers`)"
        ) from None


def parse_names(text: str) -> list[str]:
    """`--analyze a,b`: known names, each once, in the order given; '' or 'none' is an inventory (no analyzer)."""
    if text.strip().lower() in ("", "none"):
        return []
    chosen: list[str] = []
    for name in (part.strip() for part in text.split(",")):
        if not name:
            raise UsageError(f"--analyze {text!r}: an empty name between commas")
        get(name)
        if name not in chosen:
            chosen.append(name)
    return chosen


def statuses() -> list[AnalyzerStatus]:
    """Every registered analyzer and whether it can run here, without loading any."""
    out = []
    for spec in _registry().values():
        reason = spec.unavailable()
        out.append(
            AnalyzerStatus(spec.name, spec.description, spec.in_default, reason is None, reason, spec.what_it_does)
        )
    return out


def load(
    chosen: Sequence[str], settings: AnalyzerSettings, on_status: Callable[[str], None] | None = None
) -> list[Analyzer]:
    """Build the named analyzers for a run (models loaded here)."""
    return [get(name).load(settings, on_status) for name in chosen]
