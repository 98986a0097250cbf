"""Copies and look-alikes in the viewer: the gallery's collapsed visual stacks and an image page's list.

The gallery needs every stack of the case. It is grouped once per case state (the latest run id and the number
of perceptual rows, `db.duplicates.state_key`, itself kept on the connection while nothing is committed) and
kept in the app, so a request costs a check of the case's state unless an index run changed the case. Grouping
takes seconds on a large case (10 s for 100,000 pictures here, a minute for 300,000: every pair of pictures
within 10 bits is looked for), so beyond STACKS_GROUP_NOW_ROWS perceptual rows it runs on a thread of its own
and no page waits for it: until it is done the gallery shows every file, saying the stacks are being grouped,
and an image page lists the copies only.

An image page never reads the whole case: its copies come by the SHA-256 index, its look-alikes from its stack's
members alone (their pHashes compared as `cbis duplicates` compares them, `grouping.HashTable`), with the reasons
`cbis duplicates` gives for the same links.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import Connection, Engine

from cbis.db import duplicates, queries, similarity, similarity_index
from cbis.grouping import SIMILAR_MIN_COSINE, HashTable, Member, differences, oriented_members, visual_reason

CACHE_KEY = "cbis.stacks"
GROUPING_KEY = "cbis.stacks.grouping"  # the case state a thread is grouping now
_LOCK = threading.Lock()
SIMILAR_SHOWN = 12
# Perceptual rows up to which a request groups the stacks itself (about a second here) rather than on a thread.
STACKS_GROUP_NOW_ROWS = 20_000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stacks:
    key: tuple[int, int]
    members: list[list[int]]  # each stack, the likelier original first
    stack_of: dict[int, int] = field(default_factory=dict)  # file id -> index in members


def _grouped(connection: Connection, key: tuple[int, int]) -> Stacks:
    members = duplicates.visual_stacks(connection)
    return Stacks(key, members, {file_id: n for n, stack in enumerate(members) for file_id in stack})


def stacks(connection: Connection) -> Stacks | None:
    """The case's visual stacks as it is now; None while a thread groups them (a large case, just indexed)."""
    key = duplicates.state_key(connection)
    cached: Stacks | None = current_app.extensions.get(CACHE_KEY)
    if cached is not None and cached.key == key:
        return cached
    if key[1] > int(current_app.config["STACKS_GROUP_NOW_ROWS"]):
        _group_in_background(current_app._get_current_object(), connection.engine, key)  # type: ignore[attr-defined]
        return None
    with _LOCK:  # one request groups; the others wait for its answer rather than each grouping the case
        cached = current_app.extensions.get(CACHE_KEY)
        if cached is not None and cached.key == key:
            return cached
        made = _grouped(connection, key)
        current_app.extensions[CACHE_KEY] = made
        return made


def _group_in_background(app: Flask, engine: Engine, key: tuple[int, int]) -> None:
    extensions = app.extensions
    with _LOCK:
        if extensions.get(GROUPING_KEY) == key:
            return
        extensions[GROUPING_KEY] = key

    def group() -> None:
        try:
            with engine.connect() as connection:
                made = _grouped(connection, key)
            with _LOCK:
                extensions[CACHE_KEY] = made
        except Exception:  # the pages go on without stacks; the next request after a change tries again
            log.exception("grouping the visual stacks failed")
        finally:
            with _LOCK:
                if extensions.get(GROUPING_KEY) == key:
                    extensions.pop(GROUPING_KEY)

    threading.Thread(target=group, name="cbis-stacks", daemon=True).start()


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
    grouping: bool = False  # the case's stacks are being grouped: its stack is not known yet

    @property
    def empty(self) -> bool:
        return not (self.copies or self.stack or self.similar)


def of_file(connection: Connection, file_id: int, sha256: str | None, model_id: int | None) -> Lookalikes:
    found = Lookalikes()
    if not sha256:
        return found
    copies = [i for i in duplicates.same_sha256(connection, [sha256])[sha256] if i != file_id]
    grouped = stacks(connection)
    found.grouping = grouped is None
    # A stack is closed under the links: its members' hashes are all its walk needs (file ids in a stack or not).
    number = grouped.stack_of.get(file_id) if grouped is not None else None
    table = duplicates.hash_table(connection, grouped.members[number] if number is not None else [file_id])
    links, reached = table.stack(sha256) if grouped is not None else ([], {})
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
