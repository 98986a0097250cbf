"""`cbis verify`: are the audit chain and the review event chain whole, and is the evidence still what was indexed?

Re-hashes every recorded file (SHA-256, the hash an examiner's report quotes) and walks each evidence root
again, listing every file changed, missing or added since indexing. A file that could not be read when it was
indexed has no hash to compare; its recorded size still is. What was recorded as not walked (a link and its
target, a FIFO, a loop) is compared too, by what the walk says of it now. A file a later index already
recorded as missing is not a difference while it stays missing. A root that is gone or cannot be listed is a
difference too, and the other roots are still checked.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cbis.db import case as case_db
from cbis.db import queries
from cbis.errors import EvidenceError
from cbis.ingest.hashing import FileChangedError, read_and_hash
from cbis.ingest.walk import CANNOT_STAT, UNLISTED, WalkEntry, WalkSkip, display_path, walk
from cbis.services import review
from cbis.services.cases import Case


@dataclass
class VerifyResult:
    # The database's own integrity check (SQLite integrity_check): a damaged case cannot vouch for anything.
    integrity_checked: str = ""
    integrity_problems: list[str] = field(default_factory=list)
    audit_entries: int = 0
    audit_problems: list[str] = field(default_factory=list)
    # The newest row when verify read the log (its own "started" row): (id, row hash). A hash chain cannot show
    # that its newest rows were cut off; an examiner who notes this id and hash in the report can.
    audit_head: tuple[int, str] | None = None
    # The review events (schema 9): their own hash chain, and the replay of every file's state from them.
    review_events: int = 0
    review_problems: list[str] = field(default_factory=list)
    review_head: tuple[int, str] | None = None
    files_checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    missing_roots: list[str] = field(default_factory=list)
    recorded_missing: int = 0  # files the case already records as missing, still missing: no difference

    @property
    def damaged(self) -> bool:
        return bool(self.integrity_problems)

    @property
    def ok(self) -> bool:
        return not (
            self.integrity_problems
            or self.audit_problems
            or self.review_problems
            or self.changed
            or self.missing
            or self.added
            or self.unreadable
            or self.missing_roots
        )

    def summary(self) -> str:
        counts = {
            "database integrity problems": len(self.integrity_problems),
            "audit problems": len(self.audit_problems),
            "review log problems": len(self.review_problems),
            "changed": len(self.changed),
            "missing": len(self.missing),
            "added": len(self.added),
            "unreadable": len(self.unreadable),
            "missing roots": len(self.missing_roots),
        }
        return ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing"


def verify_case(case: Case, *, on_file: Callable[[str], None] | None = None) -> VerifyResult:
    result = VerifyResult()
    with case.engine.connect() as connection:
        # First: if the file is damaged, the rows read below may be wrong, or stop half-way.
        result.integrity_checked, result.integrity_problems = case_db.database_integrity(connection)
        if result.integrity_problems:
            return result
        records = case_db.audit_records(connection)
        replayed = review.replay(connection)
        recorded = [
            (
                root,
                root_bytes,
                list(queries.files_under(connection, evidence_id)),
                list(queries.skips_under(connection, evidence_id)),
            )
            for evidence_id, root, root_bytes in queries.evidence_roots(connection)
        ]
    result.audit_entries = len(records)
    result.audit_problems = case_db.broken_audit_links(records)
    result.audit_head = (records[-1].id, records[-1].row_hash) if records else None
    result.review_events, result.review_problems, result.review_head = (
        replayed.events,
        replayed.problems,
        replayed.head,
    )
    for root, root_bytes, files, skips in recorded:
        root_path = Path(os.fsdecode(root_bytes))  # the exact bytes: the text form is escaped for display
        if not root_path.is_dir():
            result.missing_roots.append(display_path(root))
            result.missing.extend(f"{display_path(root)}/{row['path']}" for row in files)
            continue
        try:
            walked = list(walk(root_path))
        except EvidenceError as exc:
            result.unreadable.append(f"{display_path(root)}: {exc}")
            result.files_checked += len(files)
            continue
        on_disk = {os.fsencode(item.relpath): item for item in walked if isinstance(item, WalkEntry)}
        not_walked = {os.fsencode(item.relpath): item for item in walked if isinstance(item, WalkSkip)}
        for row in files:
            entry = on_disk.pop(row["path_bytes"], None)
            if on_file:
                on_file(row["path"])
            result.files_checked += 1
            if entry is None:
                now = not_walked.pop(row["path_bytes"], None)
                if now is not None:
                    result.changed.append(f"{row['path']} (recorded as a regular file; now: {now.reason})")
                elif row["missing_since_run_id"] is not None:
                    result.recorded_missing += 1
                else:
                    result.missing.append(row["path"])
                continue
            if row["sha256"] is None:
                # Could not be read when indexed: no hash to compare, but a new size is still a change.
                if entry.stat.st_size != row["size"]:
                    result.changed.append(row["path"])
                continue
            try:
                digests, _ = read_and_hash(entry.evidence_file, keep_limit=0)
            except (OSError, FileChangedError) as exc:
                result.unreadable.append(f"{row['path']}: {exc}")
                continue
            if digests.sha256 != row["sha256"]:
                result.changed.append(row["path"])
        _compare_skips(root_path, skips, not_walked, on_disk, result)
        result.added.extend(sorted(display_path(item.relpath) for item in on_disk.values()))
    return result


# Reasons that say the indexing user could not look, not what the entry is: run by someone who can, the walk then
# sees a file (ADDED, as the case holds no record of it) or a directory where there was a refusal.
_NOT_PERMITTED = (CANNOT_STAT, *UNLISTED)


def _compare_skips(
    root: Path,
    skips: list[dict[str, object]],
    not_walked: dict[bytes, WalkSkip],
    on_disk: dict[bytes, WalkEntry],
    result: VerifyResult,
) -> None:
    """Links, FIFOs, loops and unlistable directories recorded when indexed, against what the walk says now: a link
    retargeted (outside the root, say), a FIFO replaced by a file, a link removed or added are all differences."""
    recorded_paths: set[bytes] = set()
    for skip in skips:
        path_bytes = bytes(skip["path_bytes"])  # type: ignore[arg-type]
        recorded_paths.add(path_bytes)
        now = not_walked.get(path_bytes)
        if (
            now is None
            and str(skip["reason"]).startswith(_NOT_PERMITTED)
            and os.path.lexists(root / os.fsdecode(path_bytes))
        ):
            continue  # now visible to this user: its files are compared (or ADDED) as files
        if now is not None:
            if now.reason != skip["reason"]:
                result.changed.append(f"{skip['path']} (recorded as: {skip['reason']}; now: {now.reason})")
        elif on_disk.pop(path_bytes, None) is not None:
            result.changed.append(f"{skip['path']} (recorded as: {skip['reason']}; now: a regular file)")
        elif skip["missing_since_run_id"] is None:
            result.missing.append(f"{skip['path']} (recorded as: {skip['reason']})")
    for path_bytes, item in not_walked.items():
        if path_bytes not in recorded_paths:
            result.added.append(f"{display_path(item.relpath)} ({item.reason})")
