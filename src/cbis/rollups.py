"""Forensic rollups: named sets of WordNet 3.0 synsets (weapons, vehicles, documents and screens, ...), shipped as
package data (data/rollups.json) and replaced or added per case (the review_rollups table). A file is in a rollup
when its top-1 ImageNet class is one of the rollup's synsets or lies under one (wordnet.classes_under).

A rollup is a suggestion to look, never a decision: the examiner's category is what reports and exports carry.
How often the examiners agreed with a rollup is its precision from their decisions (`agreement`): of the files in
the rollup that an examiner categorised, the share given a pertinent category.

ImageNet-1k has no banknote or coin class: money_related can only hold where money is kept or handled (wallets,
purses, safes, cash machines, piggy banks, slot machines).

No SQL here: db/review.py reads the case's rollups and decisions, services/ and the viewer call these.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from cbis import wordnet
from cbis.errors import ReviewError

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
_WNID = re.compile(r"n\d{8}")


@dataclass(frozen=True)
class Rollup:
    name: str
    title: str
    synsets: tuple[str, ...]
    source: str  # "shipped with cbis", or where the case's version came from

    @property
    def classes(self) -> frozenset[str]:
        return wordnet.classes_under(set(self.synsets))


def parse(document: Any, *, where: str) -> list[Rollup]:
    """Rollups from a document shaped as data/rollups.json: {"rollups": [{"name", "title", "synsets": [...]}]},
    each synset a WordNet id ("n04565375") or {"wnid": "n04565375", "name": "weapon"}."""
    listed = document.get("rollups") if isinstance(document, dict) else None
    if not isinstance(listed, list) or not listed:
        raise ReviewError(f'{where}: not a rollups file (expected {{"rollups": [{{"name", "title", "synsets"}}]}})')
    found: list[Rollup] = []
    for number, item in enumerate(listed, 1):
        if not isinstance(item, dict):
            raise ReviewError(f"{where}: rollup {number} is not an object")
        name = str(item.get("name", "")).strip()
        if not _NAME.fullmatch(name):
            raise ReviewError(f"{where}: rollup {number}: a name is 1 to 100 lower-case letters, digits, '_' or '-'")
        synsets: list[str] = []
        for entry in item.get("synsets") or []:
            wnid = str(entry.get("wnid", "") if isinstance(entry, dict) else entry).strip()
            if not _WNID.fullmatch(wnid):
                raise ReviewError(f"{where}: rollup {name}: {wnid!r} is not a WordNet noun id like n04565375")
            if not wordnet.is_synset(wnid) or not wordnet.classes_under({wnid}):
                raise ReviewError(
                    f"{where}: rollup {name}: {wnid} is neither an ImageNet class nor a hypernym of one, so no file "
                    "could ever be in it"
                )
            if wnid not in synsets:
                synsets.append(wnid)
        if not synsets:
            raise ReviewError(f"{where}: rollup {name} has no synsets")
        title = str(item.get("title") or name).strip()
        found.append(Rollup(name, title, tuple(synsets), str(item.get("source") or where)))
    names = [rollup.name for rollup in found]
    if len(set(names)) != len(names):
        raise ReviewError(f"{where}: a rollup name is given twice")
    return found


@functools.cache
def shipped() -> tuple[Rollup, ...]:
    with resources.files("cbis.data").joinpath("rollups.json").open(encoding="utf-8") as stream:
        document = json.load(stream)
    for item in document["rollups"]:
        item["source"] = "shipped with cbis"
    return tuple(parse(document, where="cbis/data/rollups.json"))


def merged(case_rollups: Iterable[Rollup]) -> list[Rollup]:
    """The shipped rollups with the case's own in place of those of the same name, then the case's others."""
    own = {rollup.name: rollup for rollup in case_rollups}
    result = [own.pop(rollup.name, rollup) for rollup in shipped()]
    return result + sorted(own.values(), key=lambda rollup: rollup.name)


def find(rollups: Iterable[Rollup], name: str) -> Rollup:
    listed = list(rollups)
    for rollup in listed:
        if rollup.name == name:
            return rollup
    raise ReviewError(f"no rollup named {name!r}; the case's rollups: {', '.join(r.name for r in listed)}")


@dataclass(frozen=True)
class Agreement:
    """How the examiners' decisions bear a rollup out: `precision` is pertinent / categorised (None: no decision)."""

    name: str
    title: str
    files: int  # files whose top-1 class is in the rollup
    categorised: int  # of those, files an examiner gave a category (other than CAT-0)
    pertinent: int  # of those, files whose category is pertinent

    @property
    def precision(self) -> float | None:
        return self.pertinent / self.categorised if self.categorised else None


def agreement(rollups: Iterable[Rollup], top1: Mapping[int, str], decisions: Mapping[int, bool]) -> list[Agreement]:
    """Per rollup: `top1` is each file's top-1 class id, `decisions` each categorised file's pertinence."""
    result = []
    for rollup in rollups:
        classes = rollup.classes
        members = [file_id for file_id, wnid in top1.items() if wnid in classes]
        decided = [decisions[file_id] for file_id in members if file_id in decisions]
        result.append(Agreement(rollup.name, rollup.title, len(members), len(decided), sum(decided)))
    return result


def agreement_from_counts(
    rollups: Iterable[Rollup], class_files: Mapping[str, int], decided: Iterable[tuple[str, bool]]
) -> list[Agreement]:
    """`agreement` from counts: `class_files` the files per top-1 class, `decided` each categorised file's top-1
    class and pertinence (the same answer without every file's class in memory)."""
    decisions = list(decided)
    result = []
    for rollup in rollups:
        classes = rollup.classes
        files = sum(n for wnid, n in class_files.items() if wnid in classes)
        members = [is_pertinent for wnid, is_pertinent in decisions if wnid in classes]
        result.append(Agreement(rollup.name, rollup.title, files, len(members), sum(members)))
    return result
