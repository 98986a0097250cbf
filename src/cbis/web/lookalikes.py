"""Copies and look-alikes in the viewer: the gallery's collapsed visual stacks and an image page's list.

The gallery needs every stack of the case. It is grouped once per case state (the latest run id and the number
of perceptual rows, `db.duplicates.state_key`) and kept in the app, so a request costs two small queries unless
an index run changed the case. An image page never groups the case: its copies come by the SHA-256 index, its
look-alikes by comparing its pHashes with every picture's (`grouping.HashTable`), with the reasons
`cbis duplicates` gives for the same links.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import Connection

from cbis.db import duplicates, queries, similarity, similarity_index
from cbis.grouping import SIMILAR_MIN_COSINE, HashTable, Member, differences, oriented_members, visual_reason

CACHE_KEY = "cbis.stacks"
_LOCK = threading.Lock()
SIMILAR_SHOWN = 12


@dataclass(frozen=True)
class Stacks:
    key: tuple[int, int]
    members: list[list[int]]  # each stack, the likelier original first
    stack_of: dict[int, int] = field(default_factory=dict)  # file id -> index in members


def stacks(connection: Connection) -> Stacks:
    key = duplicates.state_key(connection)
    cached: Stacks | None = current_app.extensions.get(CACHE_KEY)
    if cached is not None and cached.key == key:
        return cached
    with _LOCK:  # one request groups; the others wait for its answer rather than each grouping the case
        cached = current_app.extensions.get(CACHE_KEY)
        if cached is not None and cached.key == key:
            return cached
        members = duplicates.visual_stacks(connection)
        made = Stacks(key, members, {file_id: n for n, stack in enumerate(members) for file_id in stack})
        current_app.extensions[CACHE_KEY] = made
        return made


@dataclass(frozen=True)
class Related:
    member: Member
    reason: str
    via: Member | None = None  # in the stack through this file (no direct link to the page's file)


@dataclass
class Lookalikes:
    copies: list[Related] = field(default_factory=list)
    stack: list[Related] = field(default_factory=list)
    similar: list[Related] = field(default_factory=list)
    hashed: bool = False  # the file has perceptual hashes (else only copies can be said)

    @property
    def empty(self) -> bool:
        return not (self.copies or self.stack or self.similar)


def of_file(connection: Connection, file_id: int, sha256: str | None, model_id: int | None) -> Lookalikes:
    found = Lookalikes()
    if not sha256:
        return found
    copies = [i for i in duplicates.same_sha256(connection, [sha256])[sha256] if i != file_id]
    table = duplicates.hash_table(connection)
    links, reached = table.stack(sha256)
    found.hashed = sha256 in table.index
    by_sha = duplicates.same_sha256(connection, _shas(table, reached))
    stack_ids = sorted({i for ids in by_sha.values() for i in ids} - {file_id} - set(copies))
    facts = duplicates.members(connection, [file_id, *copies, *stack_ids, *reached])
    me = facts[file_id]
    roots = {facts[i].root for i in [file_id, *copies]}
    where = "at several roots" if len(roots) > 1 else "at several paths"
    found.copies = [Related(facts[i], f"same SHA-256 {sha256} ({where})") for i in copies]
    rep_of = {facts[i].sha256: i for i in reached}
    start = rep_of.get(sha256)
    link_of = {(a, b): link for a, b, link in links}
    for i in stack_ids:
        rep = rep_of[facts[i].sha256]
        parent = reached[rep]
        link = link_of[(min(rep, parent), max(rep, parent))]
        reason = visual_reason(*oriented_members(facts[rep], facts[parent]), link)
        if rep != i:
            reason = f"a copy of {facts[rep].path} (same SHA-256), which is {reason}"
        found.stack.append(Related(facts[i], reason, None if parent == start else facts[parent]))
    if model_id is not None:
        skip = {file_id, *copies, *stack_ids}
        found.similar = _similar(connection, me, model_id, skip)
    return found


def _shas(table: HashTable, reached: dict[int, int]) -> list[str]:
    by_id = {row.file_id: row.sha256 for row in table.rows}
    return [by_id[i] for i in reached]


def _similar(connection: Connection, me: Member, model_id: int, skip: set[int]) -> list[Related]:
    """The images whose CNN features are at least SIMILAR_MIN_COSINE alike this one's, best first: the nearest
    through the case's similarity index when it is current (as `cbis search --similar-to`), else by exact search,
    every candidate scored exactly either way."""
    mine = similarity.embedding_of(connection, me.file_id, model_id)
    model = queries.model_by_id(connection, model_id)
    if mine is None or model is None:
        return []
    query = similarity.unit_vectors([mine])[0]
    wanted = SIMILAR_SHOWN + len(skip) + 1  # enough that the page's own file and its copies may be left out
    nearest = similarity_index.nearest(connection, Path(current_app.config["CASE_DIR"]), model, query, wanted)
    scored = [
        (cosine, file_id) for file_id, cosine in nearest.items() if cosine >= SIMILAR_MIN_COSINE and file_id not in skip
    ]
    scored = sorted(scored, reverse=True)[:SIMILAR_SHOWN]
    facts = duplicates.members(connection, [i for _, i in scored])
    return [
        Related(facts[i], f"CNN features cosine {cosine:.3f}; {differences(*oriented_members(me, facts[i]))}")
        for cosine, i in scored
        if i in facts
    ]
