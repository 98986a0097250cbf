"""ImageNet classes by meaning: WordNet 3.0 hypernyms of the 1000 classes, from a table shipped with cbis
(src/cbis/data/imagenet_wordnet.json, made by scripts/make-imagenet-wordnet from Debian's wordnet-base).

`cbis search --label dog` asks for every class under a synset one of whose names is "dog": the 118 breeds, none of
which has "dog" in its label. Names compare case-insensitively, with spaces and underscores alike.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

_SPACES = re.compile(r"[\s_]+")


def normalise(text: str) -> str:
    return _SPACES.sub(" ", text.strip().casefold())


@functools.cache
def _table() -> dict[str, Any]:
    with resources.files("cbis.data").joinpath("imagenet_wordnet.json").open(encoding="utf-8") as stream:
        return json.load(stream)


@functools.cache
def _synsets_by_name() -> dict[str, frozenset[str]]:
    names: dict[str, set[str]] = {}
    for wnid, lemmas in _table()["lemmas"].items():
        for lemma in lemmas:
            names.setdefault(normalise(lemma), set()).add(wnid)
    return {name: frozenset(wnids) for name, wnids in names.items()}


def classes_meaning(text: str) -> frozenset[str]:
    """The ImageNet class ids under any WordNet synset named `text` (the class itself included); empty when
    WordNet has no noun of that name among the classes and their hypernyms."""
    synsets = _synsets_by_name().get(normalise(text), frozenset())
    if not synsets:
        return frozenset()
    return frozenset(wnid for wnid, ancestors in _table()["classes"].items() if synsets.intersection(ancestors))


def lemmas(wnid: str) -> list[str]:
    return list(_table()["lemmas"].get(wnid, []))


_DESCRIPTIVE = re.compile(r"[(/,]| or |^(?:a|an|the) ", re.IGNORECASE)


def display_name(wnid: str, label: str | None = None) -> str:
    """The name an examiner reads for a class (shown with its WordNet id beside it).

    The model's label when it is a plain name ("tabby cat", "bell tower"); where the label set describes the class
    instead ("a cat having a striped coat", "ram (adult male sheep)", "cardboard box / carton", "red wolf or maned
    wolf", more than four words), the class's first WordNet lemma ("tiger cat", "ram", "carton", "red wolf")."""
    names = _table()["lemmas"].get(wnid)
    if label and (not names or (not _DESCRIPTIVE.search(label) and len(label.split()) <= 4)):
        return label
    return names[0] if names else (label or wnid)


def classes_under(synsets: frozenset[str] | set[str]) -> frozenset[str]:
    """The ImageNet class ids that are one of these synsets or have one of them as a hypernym."""
    wanted = frozenset(synsets)
    return frozenset(wnid for wnid, ancestors in _table()["classes"].items() if wanted.intersection(ancestors))


def is_synset(wnid: str) -> bool:
    """Whether the shipped table knows this synset id (an ImageNet class or one of their hypernyms)."""
    return wnid in _table()["lemmas"]
